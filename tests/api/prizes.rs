//! Prizes: the proposal from the final ranking, an exclusion with its
//! reason, publication only once the ranking is final, the public list
//! with masked names, and units ranked by participation rate and by
//! average score among those above the minimum rate.

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of, new_client, spawn_app};

/// A resident of `unit` registered in contest `giai`, who takes the round
/// with the `wrong` items wrong and predicts `prediction`; returns the
/// participant id.
async fn resident(
    app: &TestApp,
    round: i64,
    name: &str,
    phone: &str,
    unit: &str,
    wrong: &[usize],
    prediction: i64,
) -> i64 {
    let c = new_client();
    let body = json!({"full_name": name, "birth_year": 1975, "phone": phone, "unit_code": unit, "consent": true});
    let (s, reg) =
        json_of(c.post(app.url("/api/v1/contests/giai/participants")).json(&body).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{reg}");
    let attempt = app.start(&c, round).await["attempt_id"].as_i64().unwrap();
    app.answer_all(&c, attempt, wrong).await;
    app.submit(&c, attempt, Some(prediction)).await;
    reg["participant_id"].as_i64().unwrap()
}

fn names(v: &Value, list: &str) -> Vec<String> {
    v[list].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn winners_come_from_the_final_ranking_with_an_exclusion_and_units_need_the_minimum_rate() {
    let app = spawn_app().await;
    let org = app.organizer("btc").await;
    app.contest(&org, "giai", json!({"audience": "both"})).await;
    let round =
        app.round(&org, "giai", json!({"attempts_allowed": 1, "blueprint": [{"bank": "mot-cua", "count": 3}]})).await;
    // Three full marks (A, B and the official G): the prediction decides.
    let a = resident(&app, round, "Nguyễn Văn An", "0912000001", "QN-LELOI", &[], 3).await;
    let b = resident(&app, round, "Trần Thị Bích", "0912000002", "QN-LELOI", &[], 5).await;
    let c = resident(&app, round, "Lê Văn Cường", "0912000003", "QN-NGUYENVANCU", &[1], 3).await;
    resident(&app, round, "Phạm Thị Dung", "0912000004", "QN-NGUYENVANCU", &[1, 2], 3).await;
    resident(&app, round, "Hoàng Văn Em", "0912000005", "QN-NGUYENVANCU", &[1, 2], 3).await;
    resident(&app, round, "Võ Thị Phương", "0912000006", "QN-TRANPHU", &[1, 2, 3], 3).await;
    let official = app.official("canbo1", "SNV").await;
    let attempt = app.start(&official, round).await["attempt_id"].as_i64().unwrap();
    app.answer_all(&official, attempt, &[]).await;
    app.submit(&official, attempt, Some(10)).await;

    let url = app.url(&format!("/api/v1/rounds/{round}/prizes"));
    let plan = json!({
        "tiers": [{"name": "Giải Nhất", "count": 1}, {"name": "Giải Nhì", "count": 2}],
        "collective": {"min_rate": 0.0001, "count": 3, "kinds": ["phuong"]},
    });
    // While the round runs the proposal is provisional and cannot be published.
    let (s, v) = json_of(org.post(&url).json(&json!({"publish": true})).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = json_of(org.post(&url).json(&plan).send().await.unwrap()).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("provisional")), "{v}");
    assert_eq!(app.get(&format!("/api/v1/rounds/{round}/winners")).await.status(), StatusCode::NOT_FOUND);

    org.post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap();
    app.advance(chrono::Duration::seconds(30));
    app.sweep().await;
    // Final ranking: A (error 0), B (error 2), G (error 7), C, then D and E.
    let (s, v) = json_of(org.get(&url).send().await.unwrap()).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("final")), "{v}");
    let full = crate::helpers::full_name("canbo1");
    assert_eq!(names(&v, "winners"), ["Nguyễn Văn An", "Trần Thị Bích", full.as_str()]);

    // An entrant who never entered cannot be excluded; a short reason is refused.
    let bad = json!({"exclusions": [{"participant_id": 99999, "reason": "Không có"}]});
    assert_eq!(org.post(&url).json(&bad).send().await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad = json!({"exclusions": [{"participant_id": b, "reason": "x"}]});
    assert_eq!(org.post(&url).json(&bad).send().await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);

    // B is excluded: G moves up to the second prize and C takes the last one.
    let body = json!({"exclusions": [{"participant_id": b, "reason": "Đăng ký hai lần bằng hai số điện thoại"}], "publish": true});
    let (s, v) = json_of(org.post(&url).json(&body).send().await.unwrap()).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("published")), "{v}");
    assert_eq!(names(&v, "winners"), ["Nguyễn Văn An", full.as_str(), "Lê Văn Cường"]);
    let tiers: Vec<&str> = v["winners"].as_array().unwrap().iter().map(|w| w["tier"].as_str().unwrap()).collect();
    assert_eq!(tiers, ["Giải Nhất", "Giải Nhì", "Giải Nhì"]);
    assert_eq!(v["winners"][0]["participant_id"], a);
    assert_eq!(v["winners"][2]["participant_id"], c);
    assert_eq!(v["excluded"][0]["participant_id"], b);
    assert_eq!(v["excluded"][0]["rank"], 2);

    // Units: Lê Lợi 2/13.000 and Nguyễn Văn Cừ 3/17.000 reach 0,01%;
    // Trần Phú 1/15.000 does not. By rate Nguyễn Văn Cừ leads, by average
    // score Lê Lợi (3 against 4/3).
    let units = |list: &str| -> Vec<String> {
        v["collective"][list].as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(units("by_rate"), ["QN-NGUYENVANCU", "QN-LELOI"]);
    assert_eq!(units("by_score"), ["QN-LELOI", "QN-NGUYENVANCU"]);
    assert_eq!(v["collective"]["by_rate"][0]["base_kind"], "population");
    assert!(v["collective"]["rule"].as_str().unwrap().contains("từ 0,01% trở lên"), "{}", v["collective"]["rule"]);

    // The exclusion and its reason are in the audit log.
    let logged: Vec<String> = app
        .state
        .read(|c| {
            use hoithi::db::schema::audit_log::dsl::*;
            audit_log.filter(action.eq("prizes.exclude")).select(detail).load(c)
        })
        .await
        .unwrap();
    assert_eq!(logged, [format!("người dự thi số hiệu {b}: Đăng ký hai lần bằng hai số điện thoại")]);

    // Everyone sees the published list: residents' names masked, no ids, no exclusions.
    let (s, public) = json_of(app.get(&format!("/api/v1/rounds/{round}/winners")).await).await;
    assert_eq!(s, StatusCode::OK, "{public}");
    assert_eq!(names(&public, "winners")[0], "Nguyễn V. A.");
    assert_eq!(names(&public, "winners")[2], "Lê V. C.");
    assert!(public["winners"][0].get("participant_id").is_none());
    assert_eq!(public["excluded"], json!([]));
    let (s, page) = app.get_text(&format!("/rounds/{round}/prizes")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Nguyễn V. A.") && page.contains("Phường Nguyễn Văn Cừ") && !page.contains("Trần Thị Bích"),
        "{page}"
    );

    // The contest's collective prizes read the same over its one round.
    let (s, whole) = json_of(
        org.get(app.url("/api/v1/contests/giai/unit-prizes?min_rate=0.0001&kinds=phuong")).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{whole}");
    assert_eq!(whole["by_rate"], v["collective"]["by_rate"]);

    // Withdrawn, the list is no longer public.
    let (s, v) = json_of(org.post(&url).json(&json!({"publish": false})).send().await.unwrap()).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("final")), "{v}");
    assert_eq!(app.get(&format!("/api/v1/rounds/{round}/winners")).await.status(), StatusCode::NOT_FOUND);

    // The organizer's page does the same by form: the exclusion stays
    // ticked with its reason, and publishing shows the list.
    app.login_admin().await;
    let path = format!("/admin/rounds/{round}/prizes");
    let (s, page) = app.get_text(&path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&format!("name=\"keep_{b}\" checked")), "{page}");
    let token = crate::helpers::extract_csrf(&page).unwrap();
    let (keep, reason) = (format!("keep_{b}"), format!("reason_{b}"));
    let form = [
        ("csrf", token.as_str()),
        ("tier_name_1", "Giải Nhất"),
        ("tier_count_1", "1"),
        ("tier_audience_1", "residents"),
        ("min_rate", "0,01"),
        ("unit_count", "3"),
        ("kinds", "phuong"),
        (keep.as_str(), "on"),
        (reason.as_str(), "Đăng ký hai lần bằng hai số điện thoại"),
        ("action", "publish"),
    ];
    let r = app.post_form(&path, &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Đã công bố danh sách đoạt giải."), "{page}");
    let (_, public) = json_of(app.get(&format!("/api/v1/rounds/{round}/winners")).await).await;
    assert_eq!(names(&public, "winners"), ["Nguyễn V. A."]);
    // A count that is not a number is said in Vietnamese, nothing changes,
    // and the form comes back as it was typed.
    let bad = [
        ("csrf", token.as_str()),
        ("tier_name_1", "Giải Nhất"),
        ("tier_count_1", "một"),
        ("tier_name_2", "Giải Nhì"),
        ("tier_count_2", "2"),
        ("tier_audience_2", "officials"),
        ("min_rate", "12,5"),
        ("unit_count", "2"),
        ("kinds", "phuong"),
        ("action", "save"),
    ];
    let r = app.post_form(&path, &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("số nguyên"));
    for typed in [
        r#"name="tier_name_1" value="Giải Nhất""#,
        r#"name="tier_count_1" value="một""#,
        r#"name="tier_name_2" value="Giải Nhì""#,
        r#"name="min_rate" value="12,5""#,
        r#"name="unit_count" value="2""#,
        r#"name="kinds" value="phuong" checked"#,
        r#"<option value="officials" selected>"#,
    ] {
        assert!(page.contains(typed), "{typed} kept: {page}");
    }
    let (_, still) = json_of(app.get(&format!("/api/v1/rounds/{round}/winners")).await).await;
    assert_eq!(still, public);

    // Statistics: 7 entrants (1 official), 3 with full marks, and how many
    // got 0, 1, 2 and 3 answers right.
    let (s, stats) = json_of(org.get(app.url(&format!("/api/v1/rounds/{round}/stats"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{stats}");
    assert_eq!((stats["entrants"].as_i64(), stats["officials"].as_i64()), (Some(7), Some(1)));
    assert_eq!((stats["full_marks"].as_i64(), stats["provisional"].as_bool()), (Some(3), Some(false)));
    let dist: Vec<i64> =
        stats["distribution"].as_array().unwrap().iter().map(|b| b["entrants"].as_i64().unwrap()).collect();
    assert_eq!(dist, [1, 2, 1, 3]);
    let (s, page) = app.get_text(&format!("/admin/rounds/{round}/stats")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Phường Nguyễn Văn Cừ") && page.contains(&format!("/admin/rounds/{round}/stats/correct.svg"))
    );
    let chart = app.get(&format!("/admin/rounds/{round}/stats/correct.svg")).await;
    assert_eq!(chart.headers()["content-type"], "image/svg+xml");
    let svg = chart.text().await.unwrap();
    assert_eq!(svg.matches(r##"fill="#B71C1C""##).count(), 4, "one bar per number of correct answers: {svg}");
    assert_eq!(app.get(&format!("/admin/rounds/{round}/stats/pie.svg")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        new_client().get(app.url(&format!("/api/v1/rounds/{round}/stats"))).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    // Exports for the organizer carry personal data in full.
    let csv = org.get(app.url(&format!("/api/v1/rounds/{round}/entrants"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(csv.lines().count(), 8, "a header and 7 entrants: {csv}");
    assert!(csv.contains("Trần Thị Bích") && csv.contains("0912000002") && csv.contains("1975"), "{csv}");
    let xlsx = org.get(app.url(&format!("/api/v1/rounds/{round}/entrants?format=xlsx"))).send().await.unwrap();
    assert!(xlsx.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");
    let winners =
        org.get(app.url(&format!("/api/v1/rounds/{round}/prizes/export"))).send().await.unwrap().text().await.unwrap();
    let lines: Vec<&str> = winners.lines().collect();
    assert_eq!(lines.len(), 2, "{winners}");
    assert!(lines[1].starts_with("Giải Nhất,1,Nguyễn Văn An,Người dân,Phường Lê Lợi,0912000001"), "{winners}");
    let r = org.get(app.url(&format!("/api/v1/rounds/{round}/entrants?format=pdf"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn flags_point_the_organizer_at_fast_papers_and_shared_devices() {
    let app = spawn_app().await;
    let org = app.organizer("btc").await;
    app.contest(&org, "giai", json!({"audience": "public"})).await;
    let round = app
        .round(
            &org,
            "giai",
            json!({"attempts_allowed": 1, "duration_s": 600, "blueprint": [{"bank": "mot-cua", "count": 3}]}),
        )
        .await;
    // One phone registers four people (the last one takes the round at once).
    let shared = new_client();
    for (i, name) in ["Đặng Văn Một", "Đặng Văn Hai", "Đặng Văn Ba", "Đặng Văn Bốn"].iter().enumerate()
    {
        let body = json!({"full_name": name, "birth_year": 1990, "phone": format!("091300000{i}"), "unit_code": "QN-LELOI", "consent": true});
        let r = shared.post(app.url("/api/v1/contests/giai/participants")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let attempt = app.start(&shared, round).await["attempt_id"].as_i64().unwrap();
    app.answer_all(&shared, attempt, &[]).await;
    app.submit(&shared, attempt, Some(1)).await;
    // Another resident takes three minutes on their own phone: nothing to flag.
    let own = new_client();
    let body = json!({"full_name": "Ngô Thị Chậm", "birth_year": 1960, "phone": "0914000000", "unit_code": "QN-LELOI", "consent": true});
    own.post(app.url("/api/v1/contests/giai/participants")).json(&body).send().await.unwrap();
    let slow = app.start(&own, round).await["attempt_id"].as_i64().unwrap();
    app.answer_all(&own, slow, &[1]).await;
    app.advance(chrono::Duration::seconds(180));
    app.submit(&own, slow, Some(1)).await;

    let (s, flags) = json_of(org.get(app.url(&format!("/api/v1/rounds/{round}/flags"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{flags}");
    let flagged = flags.as_array().unwrap();
    assert_eq!(flagged.len(), 1, "{flags}");
    assert_eq!(flagged[0]["name"], "Đặng Văn Bốn");
    let reasons = flagged[0]["reasons"].to_string();
    assert!(reasons.contains("trên 10 phút cho phép (dưới 20%)"), "{reasons}");
    assert!(reasons.contains("Một thiết bị đã đăng ký 4 người dự thi"), "{reasons}");
    // The organizer sees them on the prizes page; nobody is excluded for it.
    app.login_admin().await;
    let (_, page) = app.get_text(&format!("/admin/rounds/{round}/prizes")).await;
    assert!(page.contains("Cần xem xét") && page.contains("Đặng Văn Bốn"), "{page}");
    let (_, v) = json_of(org.get(app.url(&format!("/api/v1/rounds/{round}/prizes"))).send().await.unwrap()).await;
    assert_eq!(v["excluded"], json!([]));
    assert_eq!(names(&v, "winners"), ["Đặng Văn Bốn", "Ngô Thị Chậm"]);
}

#[actix_web::test]
async fn a_key_fixed_after_publication_warns_that_the_list_no_longer_matches() {
    let app = spawn_app().await;
    let org = app.organizer("btc").await;
    app.contest(&org, "giai", json!({"audience": "public"})).await;
    let round =
        app.round(&org, "giai", json!({"attempts_allowed": 1, "blueprint": [{"bank": "mot-cua", "count": 1}]})).await;
    // X answers right and predicts 5; Y answers wrong and predicts 1.
    let x = resident(&app, round, "Nguyễn Văn Xuân", "0915000001", "QN-LELOI", &[], 5).await;
    let y = resident(&app, round, "Trần Văn Yên", "0915000002", "QN-LELOI", &[1], 1).await;
    org.post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap();
    app.advance(chrono::Duration::seconds(30));
    app.sweep().await;
    let url = app.url(&format!("/api/v1/rounds/{round}/prizes"));
    let body = json!({"tiers": [{"name": "Giải Nhất", "count": 1}], "publish": true});
    let (s, v) = json_of(org.post(&url).json(&body).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["winners"][0]["participant_id"], x);
    assert_eq!(v["warnings"], json!([]));

    // X's question had a wrong key: corrected in this contest, X is wrong
    // too, and Y's closer prediction now leads.
    let attempt: i64 = app
        .state
        .read(move |c| {
            use hoithi::db::schema::round_entries::dsl::*;
            round_entries.filter(participant_id.eq(x)).select(best_attempt_id).first(c)
        })
        .await
        .unwrap();
    let item = app.items(attempt).await.remove(0);
    let right = item.option_order[item.answer_display[0]];
    let other = ((right + 1) % item.options.len()) as u8;
    let letter = char::from(b'A' + other).to_string();
    let rekey = app.url(&format!("/api/v1/contests/giai/questions/mot-cua/{}/rekey", item.key));
    let r = org.post(rekey).json(&json!({"answer": letter, "reason": "Đáp án cũ sai"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, v) = json_of(org.get(&url).send().await.unwrap()).await;
    assert_eq!(v["status"], "published");
    assert_eq!(v["winners"][0]["participant_id"], x, "the published list stays as published");
    assert!(v["warnings"][0].as_str().unwrap().contains("công bố lại"), "{v}");
    // Published again, the list follows the corrected ranking.
    let (_, v) = json_of(org.post(&url).json(&json!({"publish": true})).send().await.unwrap()).await;
    assert_eq!(v["winners"][0]["participant_id"], y);
    let (_, v) = json_of(org.get(&url).send().await.unwrap()).await;
    assert_eq!(v["warnings"], json!([]));
}
