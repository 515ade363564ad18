//! Residents: registration without a password, one entry per phone,
//! continuing on another device, the codes' rate limit, the CCCD never
//! stored in clear, and residents taking a round like officials.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDb, json_of, new_client, spawn_app, spawn_app_with_settings};

/// Organizer `btc`, contest `dan` for residents with `extra` settings and a
/// published round; returns the organizer and the round.
async fn public_round(app: &TestApp, extra: Value) -> (reqwest::Client, i64) {
    let org = app.organizer("btc").await;
    let mut body = json!({"audience": "public"});
    crate::helpers::merge(&mut body, extra);
    app.contest(&org, "dan", body).await;
    let round = app.round(&org, "dan", json!({"attempts_allowed": 1})).await;
    (org, round)
}

fn person(phone: &str) -> Value {
    json!({"full_name": "Nguyễn Văn An", "birth_year": 1980, "phone": phone, "unit_code": "QN-LELOI", "consent": true})
}

async fn register(app: &TestApp, who: &reqwest::Client, body: &Value) -> (StatusCode, Value) {
    json_of(who.post(app.url("/api/v1/contests/dan/participants")).json(body).send().await.expect("POST")).await
}

#[actix_web::test]
async fn a_resident_registers_takes_the_round_and_continues_on_another_phone() {
    let app = spawn_app().await;
    let (_, round) = public_round(&app, json!({})).await;
    let phone1 = new_client();
    let (s, reg) = register(&app, &phone1, &person("+84 912 345 678")).await;
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    let code = reg["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);

    // The participant cookie lets the attempt endpoints work as for officials.
    let paper = app.start(&phone1, round).await;
    let attempt = paper["attempt_id"].as_i64().unwrap();
    app.answer_all(&phone1, attempt, &[1]).await;

    // Another device: phone + code (any spelling of the phone, any case of the code).
    let phone2 = new_client();
    let r = phone2
        .post(app.url("/api/v1/contests/dan/participants/session"))
        .json(&json!({"phone": "0912.345.678", "code": code.to_lowercase()}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (s, same) = json_of(phone2.get(app.url(&format!("/api/v1/attempts/{attempt}"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{same}");
    let result = app.submit(&phone2, attempt, Some(10)).await;
    assert_eq!(result["correct"], 4, "{result}");

    // One attempt allowed: the attempts limit holds for residents.
    let r = phone1.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // The board shows the masked name and the unit, never the phone.
    let board = app.get(&format!("/api/v1/rounds/{round}/leaderboard")).await.text().await.unwrap();
    assert!(board.contains("Nguyễn V. A."), "{board}");
    assert!(!board.contains("0912345678") && !board.contains("1980"), "{board}");

    // Someone else's device cannot read the attempt.
    let stranger = new_client();
    register(&app, &stranger, &person("0987654321")).await;
    let r = stranger.get(app.url(&format!("/api/v1/attempts/{attempt}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_same_phone_twice_creates_nothing_and_says_how_to_continue() {
    let app = spawn_app().await;
    public_round(&app, json!({})).await;
    let (s, _) = register(&app, &new_client(), &person("0912345678")).await;
    assert_eq!(s, StatusCode::CREATED);
    let mut again = person("+84912345678");
    again["full_name"] = json!("Trần Thị Bình");
    let (s, body) = register(&app, &new_client(), &again).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(body["error"].as_str().unwrap().contains("Tiếp tục dự thi"), "{body}");
    let names: Vec<String> = app
        .state
        .read(|c| {
            use hoithi::db::schema::participants::dsl::*;
            participants.select(full_name).load(c)
        })
        .await
        .unwrap();
    assert_eq!(names, ["Nguyễn Văn An"]);
}

#[actix_web::test]
async fn every_field_is_checked_with_a_message_in_vietnamese() {
    let app = spawn_app().await;
    public_round(&app, json!({"requires_id_number": true, "min_age": 18, "unit_kinds": ["phuong", "xa"]})).await;
    let cases: &[(&str, Value, &str)] = &[
        ("full_name", json!("A"), "Họ và tên"),
        ("full_name", json!("Lê\u{202e}Na"), "ký tự không hợp lệ"),
        ("birth_year", json!(1899), "Năm sinh"),
        ("birth_year", json!(2015), "đủ 18 tuổi"),
        ("phone", json!("0212345678"), "Số điện thoại"),
        ("phone", json!("12345"), "Số điện thoại"),
        ("unit_code", json!("KHONG-CO"), "không có trong danh sách"),
        // A unit of a kind the contest does not offer.
        ("unit_code", json!("SNV"), "không có trong danh sách"),
        ("id_number", json!("12345"), "12 chữ số"),
        ("id_number", json!(""), "yêu cầu số định danh"),
        ("consent", json!(false), "đồng ý"),
    ];
    for (field, value, message) in cases {
        let mut body = person("0912345678");
        body["id_number"] = json!("052080001234");
        body[*field] = value.clone();
        let (s, out) = register(&app, &new_client(), &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {out}");
        let fields = out["fields"].as_array().unwrap_or_else(|| panic!("{field}: {out}"));
        assert!(fields.iter().any(|f| f["field"] == *field), "{field}: {out}");
        assert!(out["error"].as_str().unwrap().contains(message), "{field}: {out}");
    }
    // Nothing was stored by any of them.
    let n: i64 = app.state.read(|c| hoithi::db::schema::participants::table.count().get_result(c)).await.unwrap();
    assert_eq!(n, 0);
    // An official's contest takes no registrations.
    let org = app.client_for("btc", "mat-khau-btc-1").await;
    app.contest(&org, "cb", json!({})).await;
    let r = new_client().post(app.url("/api/v1/contests/cb/participants")).json(&person("0912345678")).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_id_number_is_stored_only_as_an_hmac_and_its_last_digits() {
    let app = spawn_app().await;
    public_round(&app, json!({"requires_id_number": true})).await;
    let mut body = person("0912345678");
    body["id_number"] = json!("0520 8000 1234");
    let (s, _) = register(&app, &new_client(), &body).await;
    assert_eq!(s, StatusCode::CREATED);
    let rows: Vec<(Option<String>, Option<String>, Option<String>)> = app
        .state
        .read(|c| {
            use hoithi::db::schema::participants::dsl::*;
            participants.select((id_number_hmac, id_last4, code)).load(c)
        })
        .await
        .unwrap();
    let (hmac, last4, code) = &rows[0];
    assert_eq!(last4.as_deref(), Some("1234"));
    let hmac = hmac.as_deref().unwrap();
    assert_eq!(hmac.len(), 64);
    assert!(!hmac.contains("052080001234"));
    assert_eq!(hmac, app.state.keys.id_number_hmac("052080001234"));
    // The participant code is not stored in clear either.
    assert_eq!(code.as_deref().map(str::len), Some(64));
    // Nor does the database file hold the number anywhere.
    if let hoithi::configuration::DatabaseUrl::Sqlite(path) = &app.db.url {
        let bytes = std::fs::read(path).unwrap();
        let needle = b"052080001234";
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    }
}

#[actix_web::test]
async fn wrong_codes_slow_down_per_phone_and_address_but_never_lock_the_resident_out() {
    // Behind a trusted proxy, so each client can come from its own address.
    let app = spawn_app_with_settings(TestDb::new(), |s| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    public_round(&app, json!({})).await;
    let (_, reg) = register(&app, &new_client(), &person("0912345678")).await;
    let code = reg["code"].as_str().unwrap().to_string();
    let session = |from: &'static str, phone: &'static str, code: String| {
        let url = app.url("/api/v1/contests/dan/participants/session");
        async move {
            new_client()
                .post(url)
                .header("x-forwarded-for", from)
                .json(&json!({"phone": phone, "code": code}))
                .send()
                .await
                .unwrap()
        }
    };
    let attacker = "10.0.0.66";
    assert_eq!(session(attacker, "0912345678", "AAAAAA".into()).await.status(), StatusCode::UNAUTHORIZED);
    // The next try of that phone from that address waits (1 s, then 2 s …).
    let r = session(attacker, "0912345678", "CCCCCC".into()).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "1");
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("thử lại sau"), "{body}");
    // Even the right code waits there: the wait is not a hint.
    assert_eq!(session(attacker, "0912345678", code.clone()).await.status(), StatusCode::TOO_MANY_REQUESTS);
    app.advance(chrono::Duration::seconds(1));
    assert_eq!(session(attacker, "0912345678", "DDDDDD".into()).await.status(), StatusCode::UNAUTHORIZED);
    app.advance(chrono::Duration::seconds(1));
    let r = session(attacker, "0912345678", "EEEEEE".into()).await;
    assert_eq!((r.status(), r.headers()["retry-after"].to_str().unwrap()), (StatusCode::TOO_MANY_REQUESTS, "1"));

    // Knowing the phone locks nobody out: the resident, from their own
    // address, gets in at once with the right code.
    assert_eq!(session("10.0.0.7", "0912345678", code.clone()).await.status(), StatusCode::OK);

    // Guessing over many phones from one address slows that address down
    // after the configured number of failures, and only that address.
    let wrong_phones = ["0901000001", "0901000002", "0901000003"];
    for i in 0..30 {
        app.advance(chrono::Duration::seconds(61));
        let phone = wrong_phones[i % 3];
        assert_eq!(session(attacker, phone, "FFFFFF".into()).await.status(), StatusCode::UNAUTHORIZED, "try {i}");
    }
    app.advance(chrono::Duration::seconds(61));
    assert_eq!(session(attacker, "0901000009", "FFFFFF".into()).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(session(attacker, "0901000010", "FFFFFF".into()).await.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(session("10.0.0.8", "0912345678", code).await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn the_organizer_finds_a_resident_and_gives_a_new_code() {
    let app = spawn_app().await;
    let (org, _) = public_round(&app, json!({})).await;
    let (_, reg) = register(&app, &new_client(), &person("0912345678")).await;
    let old = reg["code"].as_str().unwrap().to_string();
    let id = reg["participant_id"].as_i64().unwrap();
    let (s, found) =
        json_of(org.get(app.url("/api/v1/contests/dan/participants?q=0912 345 678")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(found[0]["participant_id"], id, "{found}");
    assert_eq!(found[0]["phone"], "0912345678");
    let (s, found) = json_of(org.get(app.url("/api/v1/contests/dan/participants?q=Văn")).send().await.unwrap()).await;
    assert_eq!((s, found.as_array().unwrap().len()), (StatusCode::OK, 1));

    // Another organizer and the resident themselves may not.
    let other = app.organizer("btc2").await;
    let r = other.get(app.url("/api/v1/contests/dan/participants")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = new_client().get(app.url("/api/v1/contests/dan/participants")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let (s, fresh) =
        json_of(org.post(app.url(&format!("/api/v1/contests/dan/participants/{id}/code"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{fresh}");
    let new = fresh["code"].as_str().unwrap();
    assert_ne!(new, old);
    let session = |code: String| {
        let url = app.url("/api/v1/contests/dan/participants/session");
        async move { new_client().post(url).json(&json!({"phone": "0912345678", "code": code})).send().await.unwrap() }
    };
    assert_eq!(session(old).await.status(), StatusCode::UNAUTHORIZED);
    app.advance(chrono::Duration::seconds(5));
    assert_eq!(session(new.to_string()).await.status(), StatusCode::OK);
    // The organizer's page does the same: find by phone, give a new code.
    let page = org.get(app.url("/admin/contests/dan/participants?q=0912345678")).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("Nguyễn Văn An") && page.contains("Phường Lê Lợi"), "{page}");
    let token = crate::helpers::extract_csrf(&page).unwrap();
    let r = org
        .post(app.url(&format!("/admin/contests/dan/participants/{id}/code")))
        .form(&[("csrf", token.as_str()), ("q", "0912345678")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    let third = page.split(r#"<p class="code" aria-label="Mã dự thi mới">"#).nth(1).unwrap().split('<').next().unwrap();
    assert_eq!(third.len(), 6, "{page}");
    app.advance(chrono::Duration::seconds(5));
    assert_eq!(session(new.to_string()).await.status(), StatusCode::UNAUTHORIZED, "the page's code replaced it");
    app.advance(chrono::Duration::seconds(5));
    assert_eq!(session(third.to_string()).await.status(), StatusCode::OK);
    // The new code is in the audit log, with the masked name only.
    let audit = org.get(app.url("/admin/audit")).send().await.unwrap();
    assert_eq!(audit.status(), StatusCode::FORBIDDEN, "the audit page is for admins");
}

#[actix_web::test]
async fn an_official_who_opens_a_residents_round_is_told_how_to_take_part() {
    let app = spawn_app().await;
    let (_, round) = public_round(&app, json!({})).await;
    let official = app.official("canbo1", "SNV").await;
    let (s, body) =
        json_of(official.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"].as_str().unwrap().contains("/c/dan"), "{body}");
    // Without an account or an entry, the start button leads to the join page.
    let anon = new_client();
    let csrf = {
        let html = anon.get(app.url("/c/dan")).send().await.unwrap().text().await.unwrap();
        crate::helpers::extract_csrf(&html).unwrap()
    };
    let r =
        anon.post(app.url(&format!("/rounds/{round}/start"))).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/c/dan");
}

/// 1,500 communes under the eleven districts, as a real province has.
async fn many_units(app: &TestApp) {
    let districts = ["QN", "AN", "HN", "AL", "HA", "PM", "PC", "TS", "TP", "VC", "VT"];
    let rows: Vec<hoithi::domain::units::UnitRow> = (0..1500)
        .map(|i| hoithi::domain::units::UnitRow {
            code: format!("XA-{i:04}"),
            name: format!("Xã Thử Nghiệm Số {i:04}"),
            kind: "xa".into(),
            kind_label: None,
            parent_code: Some(districts[i % districts.len()].into()),
            staff_count: 20,
            population: Some(9000),
            line: i + 1,
        })
        .collect();
    app.state
        .write(move |c| {
            let refs: Vec<&hoithi::domain::units::UnitRow> = rows.iter().collect();
            hoithi::db::units::import_units(c, &refs, &hoithi::db::audit::Actor::cli())
        })
        .await
        .unwrap();
}

#[actix_web::test]
async fn a_resident_registers_without_javascript_in_two_light_steps() {
    let app = spawn_app().await;
    let (_, round) = public_round(&app, json!({"unit_kinds": ["xa", "phuong"]})).await;
    many_units(&app).await;
    let phone = crate::helpers::bare_client();
    let (s, join) = {
        let r = phone.get(app.url("/c/dan")).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    };
    assert_eq!(s, StatusCode::OK);
    assert!(join.contains(r#"href="/c/dan/register""#) && join.contains("Tiếp tục dự thi"), "{join}");
    assert!(join.len() < 50_000);

    // Step 1: the groups, not 1,500 units.
    let step1 = phone.get(app.url("/c/dan/register")).send().await.unwrap().text().await.unwrap();
    assert!(step1.len() < 50_000, "{} bytes", step1.len());
    assert!(step1.contains("Thành phố Quy Nhơn") && !step1.contains("XA-0000"), "{step1}");
    let qn = app.state.read(|c| hoithi::db::units::find_unit_by_code(c, "QN")).await.unwrap().unwrap().id;
    // Step 2: that group's units and the form.
    let step2 = phone.get(app.url(&format!("/c/dan/register?group={qn}"))).send().await.unwrap().text().await.unwrap();
    assert!(step2.len() < 50_000, "{} bytes", step2.len());
    assert!(step2.contains(r#"value="XA-0000""#) && step2.contains("Phường Lê Lợi"), "step 2 lists QN's wards");
    assert!(!step2.contains(r#"value="XA-0001""#), "a commune of another district is not listed");
    assert!(!step2.contains("Sở Nội vụ"), "units of other kinds are not offered");
    let csrf = crate::helpers::extract_csrf(&step2).unwrap();

    // A mistake: the form comes back with the messages and what was typed.
    let url = app.url(&format!("/c/dan/register?group={qn}"));
    let bad = [
        ("csrf", csrf.as_str()),
        ("full_name", "Trần Thị Bình"),
        ("birth_year", "19x0"),
        ("phone", "0912345678"),
        ("unit_code", "XA-0000"),
    ];
    let r = phone.post(&url).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("Năm sinh phải là số") && page.contains("cần đồng ý"), "{page}");
    assert!(page.contains(r#"value="Trần Thị Bình""#) && page.contains(r#"value="XA-0000" selected"#), "{page}");

    let good = [
        ("csrf", csrf.as_str()),
        ("full_name", "Trần Thị Bình"),
        ("birth_year", "1975"),
        ("phone", "091 234 5678"),
        ("unit_code", "XA-0000"),
        ("consent", "on"),
    ];
    let r = phone.post(&url).form(&good).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("hoithi_participant=") && cookie.contains("HttpOnly"), "{cookie}");
    let page = r.text().await.unwrap();
    assert!(page.contains("Mã dự thi") && page.contains(&format!("/rounds/{round}/start")), "{page}");
    assert!(page.contains("Trần T. B."), "the page greets with the masked name");

    // The start button opens the paper.
    let r =
        phone.post(app.url(&format!("/rounds/{round}/start"))).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let paper = r.headers()["location"].to_str().unwrap().to_string();
    let r = phone.get(app.url(&paper)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Another phone continues with phone + code through the form.
    let code = {
        let i = page.find(r#"aria-label="Mã dự thi">"#).unwrap() + r#"aria-label="Mã dự thi">"#.len();
        page[i..i + 6].to_string()
    };
    let other = crate::helpers::bare_client();
    let html = other.get(app.url("/c/dan")).send().await.unwrap().text().await.unwrap();
    let t = crate::helpers::extract_csrf(&html).unwrap();
    let r = other
        .post(app.url("/c/dan/continue"))
        .form(&[("csrf", t.as_str()), ("phone", "0912345678"), ("code", "ZZZZZZ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("mã dự thi không đúng"));
    app.advance(chrono::Duration::seconds(2));
    let r = other
        .post(app.url("/c/dan/continue"))
        .form(&[("csrf", t.as_str()), ("phone", "0912345678"), ("code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = other.get(app.url(&paper)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the same paper on the second phone");

    // The privacy page names the rules in force.
    let privacy = app.get("/c/dan/privacy").await.text().await.unwrap();
    assert!(privacy.contains("91/2025/QH15") && privacy.contains("356/2025/NĐ-CP"));
}

#[actix_web::test]
async fn three_hundred_residents_behind_one_address_all_get_in_within_a_minute() {
    let app = spawn_app().await;
    let (_, round) = public_round(&app, json!({})).await;
    // The server's clock does not move here: all 300 arrive in the same
    // minute, from the one address the tests share, as a commune meeting
    // behind one NAT would. No per-address limit may stop them.
    let mut tasks = Vec::new();
    for i in 0..300u32 {
        let (register_url, start_url) =
            (app.url("/api/v1/contests/dan/participants"), app.url(&format!("/api/v1/rounds/{round}/attempts")));
        tasks.push(actix_web::rt::spawn(async move {
            let phone = new_client();
            let mut body = person(&format!("09{:08}", 10_000_000 + i));
            body["full_name"] = json!(format!("Người Dân Thứ {i}"));
            let r = phone.post(register_url).json(&body).send().await.unwrap();
            let registered = r.status();
            let r = phone.post(start_url).send().await.unwrap();
            (registered, r.status())
        }));
    }
    for t in tasks {
        let (registered, started) = t.await.unwrap();
        assert_eq!(registered, StatusCode::CREATED);
        assert_eq!(started, StatusCode::CREATED);
    }
    let n: i64 = app
        .state
        .read(move |c| {
            hoithi::db::schema::attempts::table
                .filter(hoithi::db::schema::attempts::round_id.eq(round))
                .count()
                .get_result(c)
        })
        .await
        .unwrap();
    assert_eq!(n, 300);
}

#[actix_web::test]
async fn a_participant_cookie_is_no_way_around_the_api_csrf_check() {
    let app = spawn_app().await;
    let (_, round) = public_round(&app, json!({})).await;
    // A browser client: the cookie, no X-Requested-With.
    let browser = crate::helpers::bare_client();
    let r =
        browser.post(app.url("/api/v1/contests/dan/participants")).json(&person("0912345678")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // A cross-site form post carries the cookie but no JSON: refused.
    let r = browser
        .post(app.url(&format!("/api/v1/rounds/{round}/attempts")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The same request as JSON goes through.
    let r = browser.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[actix_web::test]
async fn once_the_contest_is_over_the_organizer_purges_personal_data_and_the_boards_stay() {
    let app = spawn_app().await;
    let (org, round) = public_round(&app, json!({"requires_id_number": true})).await;
    for (i, phone) in ["0912345678", "0987654321"].iter().enumerate() {
        let c = new_client();
        let mut body = person(phone);
        body["full_name"] = json!(["Nguyễn Văn An", "Lê Thị Hồng Nhung"][i]);
        body["id_number"] = json!(format!("05208000123{i}"));
        assert_eq!(register(&app, &c, &body).await.0, StatusCode::CREATED);
        let id = app.start(&c, round).await["attempt_id"].as_i64().unwrap();
        app.answer_all(&c, id, &[]).await;
        app.submit(&c, id, Some(3)).await;
    }
    let purge = |who: reqwest::Client| {
        let url = app.url("/api/v1/contests/dan/personal-data/purge");
        async move { json_of(who.post(url).send().await.unwrap()).await }
    };
    // Not while a round runs, and never by another organizer.
    let (s, body) = purge(org.clone()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(body["error"].as_str().unwrap().contains("kết thúc"));
    let other = app.organizer("btc2").await;
    assert_eq!(purge(other).await.0, StatusCode::FORBIDDEN);
    let before = app.get(&format!("/api/v1/rounds/{round}/leaderboard")).await.text().await.unwrap();

    org.post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap();
    app.advance(chrono::Duration::seconds(30));
    app.sweep().await;
    // Not before the winners are published.
    let (s, body) = purge(org.clone()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(body["error"].as_str().unwrap().contains("đoạt giải"), "{body}");
    let prizes = org
        .post(app.url(&format!("/api/v1/rounds/{round}/prizes")))
        .json(&json!({"publish": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(prizes.status(), StatusCode::OK);
    let (s, body) = purge(org.clone()).await;
    assert_eq!((s, body["purged"].as_i64()), (StatusCode::OK, Some(2)), "{body}");

    type Row = (String, Option<String>, Option<i32>, Option<String>, Option<String>, Option<String>, Option<i64>);
    let rows: Vec<Row> = app
        .state
        .read(|c| {
            use hoithi::db::schema::participants::dsl::*;
            participants
                .order(id)
                .select((full_name, phone, birth_year, id_number_hmac, id_last4, code, unit_id))
                .load(c)
        })
        .await
        .unwrap();
    assert_eq!(rows[0].0, "Nguyễn V. A.");
    assert_eq!(rows[1].0, "Lê T. H. N.");
    for r in &rows {
        assert_eq!((&r.1, &r.2, &r.3, &r.4, &r.5), (&None, &None, &None, &None, &None), "{r:?}");
        assert!(r.6.is_some(), "the unit stays");
    }
    // The boards read the same: masked names, units, scores.
    let after = app.get(&format!("/api/v1/rounds/{round}/leaderboard")).await.text().await.unwrap();
    let entries = |s: &str| serde_json::from_str::<Value>(s).unwrap()["entries"].clone();
    assert_eq!(entries(&before), entries(&after));
    // Logged, and not twice.
    let logged: i64 = app
        .state
        .read(|c| {
            use hoithi::db::schema::audit_log::dsl::*;
            audit_log.filter(action.eq("contest.purge")).count().get_result(c)
        })
        .await
        .unwrap();
    assert_eq!(logged, 1);
    assert_eq!(purge(org.clone()).await.0, StatusCode::CONFLICT);
    // No new registrations after it.
    let (s, _) = register(&app, &new_client(), &person("0911111111")).await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[actix_web::test]
async fn residents_tied_on_score_and_time_are_split_by_the_prediction_once_the_round_closes() {
    let app = spawn_app().await;
    let org = app.organizer("btc").await;
    app.contest(&org, "dan", json!({"audience": "public"})).await;
    let round = app
        .round(
            &org,
            "dan",
            json!({"attempts_allowed": 1, "grace_s": 0, "blueprint": [{"bank": "mot-cua", "count": 3}]}),
        )
        .await;
    app.clock.freeze_at(hoithi::clock::Clock::now(&*app.clock));
    // (name, phone, wrong items, prediction, seconds taken). Worked by hand:
    // two full marks, so the true count is 2.
    //   Hà and Hải: 3/3 in 60 s; Hà predicts 9 (error 7), Hải 2 (error 0).
    //   Lan and Long: 2/3, both predict 5 (error 3); Lan takes 90 s, Long 120 s.
    let people = [
        ("Trần Thu Hà", "0912100001", vec![], 9, 60),
        ("Lê Văn Hải", "0912100002", vec![], 2, 60),
        ("Phan Thị Lan", "0912100003", vec![3], 5, 90),
        ("Đỗ Văn Long", "0912100004", vec![3], 5, 120),
    ];
    for (name, phone, wrong, prediction, seconds) in &people {
        let c = new_client();
        let mut body = person(phone);
        body["full_name"] = json!(name);
        assert_eq!(register(&app, &c, &body).await.0, StatusCode::CREATED);
        let id = app.start(&c, round).await["attempt_id"].as_i64().unwrap();
        app.answer_all(&c, id, wrong).await;
        app.advance(chrono::Duration::seconds(*seconds));
        app.submit(&c, id, Some(*prediction)).await;
        // Everyone starts at the same moment of the frozen clock.
        app.advance(chrono::Duration::seconds(-*seconds));
    }
    let board = || async {
        let (_, b) = json_of(app.get(&format!("/api/v1/rounds/{round}/leaderboard")).await).await;
        let names: Vec<String> =
            b["entries"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_string()).collect();
        let ranks: Vec<i64> = b["entries"].as_array().unwrap().iter().map(|e| e["rank"].as_i64().unwrap()).collect();
        (b["provisional"].as_bool().unwrap(), names, ranks)
    };
    // Provisional: predictions are not compared yet, so Hà and Hải tie on
    // everything (score, time, the moment they submitted) and share rank 1.
    let (provisional, names, ranks) = board().await;
    assert!(provisional);
    assert_eq!(names, ["Trần T. H.", "Lê V. H.", "Phan T. L.", "Đỗ V. L."]);
    assert_eq!(ranks, [1, 1, 3, 4]);
    let (_, page) = app.get_text(&format!("/rounds/{round}/leaderboard")).await;
    assert!(page.contains("tạm thời"), "the page says the board is provisional");

    org.post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap();
    app.advance(chrono::Duration::seconds(1));
    assert_eq!(app.sweep().await.rounds, 1);
    // Final: Hải's exact prediction puts him first; Lan and Long tie on
    // score and prediction, and the faster one leads.
    let (provisional, names, ranks) = board().await;
    assert!(!provisional);
    assert_eq!(names, ["Lê V. H.", "Trần T. H.", "Phan T. L.", "Đỗ V. L."]);
    assert_eq!(ranks, [1, 2, 3, 4]);
}
