//! The paper as a plain form (no JavaScript), the page before the clock,
//! and the display rules of the paper: "Lưu bài" stores every answer on the
//! form and the prediction while in time and nothing after deadline +
//! grace; "Nộp bài" saves what it carries first; a late submit keeps what
//! was saved; the intro page offers a start only when an attempt is left;
//! true/false shows "Đúng" before "Sai" without touching the draw.

use chrono::Duration;
use diesel::prelude::*;
use hoithi::db::attempts::{ItemFull, find_attempt};
use hoithi::db::audit::Actor;
use hoithi::domain::attempt::AttemptState;
use hoithi::domain::bank::Kind;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, bare_client, extract_csrf, json_of, new_client, spawn_app};

/// A bank of six: one single-answer, one multiple-answer and four
/// true/false questions (the first true, the others false).
async fn mixed_bank(app: &TestApp) {
    let mut toml = "[bank]\nslug = \"tron\"\ntitle = \"Trộn\"\ntopic = \"thu\"\n".to_string();
    let q = |key: &str, kind: &str, text: &str, options: &str, answer: &str| {
        format!(
            "\n[[question]]\nkey = \"{key}\"\nkind = \"{kind}\"\ndifficulty = \"easy\"\ntext = \"{text}\"\noptions = {options}\nanswer = {answer}\nexplanation = \"Vì vậy.\"\nsource = \"Thử\"\n"
        )
    };
    toml += &q("sc-1", "single", "Câu một lựa chọn?", r#"["Một", "Hai", "Ba", "Bốn"]"#, r#""B""#);
    toml += &q("mc-1", "multiple", "Câu nhiều lựa chọn?", r#"["Xanh", "Đỏ", "Vàng", "Tím"]"#, r#"["A", "C"]"#);
    for (i, answer) in ["A", "B", "B", "B"].iter().enumerate() {
        toml += &q(
            &format!("tf-{i}"),
            "true_false",
            &format!("Mệnh đề số {i}."),
            r#"["Đúng", "Sai"]"#,
            &format!("\"{answer}\""),
        );
    }
    let (bank, problems) = hoithi::domain::bank::parse_toml("tron.toml", &toml);
    let bank = bank.unwrap_or_else(|| panic!("{problems:?}"));
    app.state.write(move |c| hoithi::db::banks::import_banks(c, &[bank], &Actor::cli())).await.unwrap();
}

/// Contest `giay` (for officials, with rules) and a published round of the
/// whole mixed bank: 10 minutes, 10 s of grace, one attempt, the prediction.
async fn mixed_round(app: &TestApp, extra: Value) -> (reqwest::Client, i64) {
    mixed_bank(app).await;
    let org = app.organizer("btc").await;
    app.contest(&org, "giay", json!({"rules": "Thể lệ: **thi trung thực**."})).await;
    let mut body = json!({"blueprint": [{"bank": "tron", "count": 6}], "attempts_allowed": 1, "grace_s": 10});
    crate::helpers::merge(&mut body, extra);
    (org.clone(), app.round(&org, "giay", body).await)
}

/// Logs an official in through the form (the app's own client) and starts
/// through the intro page's form; returns the attempt and the CSRF token.
async fn on_paper(app: &TestApp, name: &str, round: i64) -> (i64, String) {
    app.create_user(name, "official", Some("SNV"), "mat-khau-can-bo").await;
    app.form_login(name, "mat-khau-can-bo").await;
    let (s, intro) = app.get_text(&format!("/rounds/{round}/start")).await;
    assert_eq!(s, StatusCode::OK, "{intro}");
    let csrf = extract_csrf(&intro).expect("the start form's token");
    let r = app.post_form(&format!("/rounds/{round}/start"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    (location.strip_prefix("/attempts/").unwrap().parse().unwrap(), csrf)
}

fn item(items: &[ItemFull], kind: Kind) -> &ItemFull {
    items.iter().find(|i| i.kind == kind).expect("an item of that kind")
}

/// A display index that is not the key.
fn wrong(i: &ItemFull) -> usize {
    (0..i.options.len()).find(|k| !i.answer_display.contains(k)).unwrap()
}

async fn post(app: &TestApp, path: &str, form: &[(String, String)]) -> reqwest::Response {
    app.client.post(app.url(path)).form(form).send().await.unwrap()
}

fn field(k: &str, v: impl ToString) -> (String, String) {
    (k.to_string(), v.to_string())
}

async fn attempt(app: &TestApp, id: i64) -> hoithi::db::attempts::Attempt {
    app.state.read(move |c| find_attempt(c, id)).await.unwrap().unwrap()
}

fn checked(html: &str, position: i32, index: usize) -> bool {
    html.contains(&format!("name=\"q{position}\" value=\"{index}\" checked"))
}

#[actix_web::test]
async fn saving_the_plain_form_stores_every_answer_and_the_prediction_and_shows_them_checked() {
    let app = spawn_app().await;
    let (_, round) = mixed_round(&app, json!({})).await;
    let (id, csrf) = on_paper(&app, "canbo1", round).await;
    let items = app.items(id).await;
    let (single, multi, tf) = (item(&items, Kind::Single), item(&items, Kind::Multiple), item(&items, Kind::TrueFalse));
    let mut form = vec![field("csrf", &csrf), field("prediction", " 1.200 ")];
    form.push(field(&format!("q{}", single.position), single.answer_display[0]));
    for k in &multi.answer_display {
        form.push(field(&format!("q{}", multi.position), k));
    }
    form.push(field("m", multi.position));
    form.push(field(&format!("q{}", tf.position), wrong(tf)));
    let r = post(&app, &format!("/attempts/{id}/save"), &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = r.headers()["location"].to_str().unwrap().to_string();
    assert!(back.starts_with(&format!("/attempts/{id}?saved=")), "{back}");

    // Stored, not submitted.
    let saved = app.items(id).await;
    let of = |p: i32| saved.iter().find(|i| i.position == p).unwrap().choices.clone();
    assert_eq!(of(single.position), single.answer_display);
    assert_eq!(of(multi.position), multi.answer_display);
    assert_eq!(of(tf.position), vec![wrong(tf)]);
    let a = attempt(&app, id).await;
    assert_eq!((a.state, a.prediction), (AttemptState::InProgress, Some(1200)));

    // Back on the paper: checked as saved, when, and the count.
    let (s, html) = app.get_text(&back).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Đã lưu lúc") && html.contains("Đã trả lời 3/6"), "{html}");
    assert!(checked(&html, single.position, single.answer_display[0]));
    assert!(multi.answer_display.iter().all(|&k| checked(&html, multi.position, k)));
    assert!(checked(&html, tf.position, wrong(tf)));
    assert!(html.contains(r#"inputmode="numeric" value="1200""#), "the prediction shown again");
    // A reload without the save's address says nothing of a save.
    let (_, plain) = app.get_text(&format!("/attempts/{id}")).await;
    assert!(!plain.contains("Đã lưu lúc") && checked(&plain, single.position, single.answer_display[0]));
    // A forged time in the address is not shown.
    let (_, forged) = app.get_text(&format!("/attempts/{id}?saved=99999999999")).await;
    assert!(!forged.contains("Đã lưu lúc"));

    // Unticking every box of the multiple-answer question clears it; a
    // radio question left off the form keeps its answer.
    let form = vec![field("csrf", &csrf), field("m", multi.position)];
    assert_eq!(post(&app, &format!("/attempts/{id}/save"), &form).await.status(), StatusCode::SEE_OTHER);
    let saved = app.items(id).await;
    let of = |p: i32| saved.iter().find(|i| i.position == p).unwrap().choices.clone();
    assert!(of(multi.position).is_empty());
    assert_eq!(of(single.position), single.answer_display);

    // A prediction that is not a number: the answers are saved, the page says the prediction was not.
    let form = vec![
        field("csrf", &csrf),
        field(&format!("q{}", multi.position), multi.answer_display[0]),
        field("prediction", "khoảng 50"),
    ];
    let r = post(&app, &format!("/attempts/{id}/save"), &form).await;
    let back = r.headers()["location"].to_str().unwrap().to_string();
    assert!(back.ends_with("&p=invalid"), "{back}");
    let (_, html) = app.get_text(&back).await;
    assert!(html.contains("Số dự đoán chưa được lưu"), "{html}");
    assert_eq!(attempt(&app, id).await.prediction, Some(1200), "the saved prediction stays");
    assert_eq!(
        app.items(id).await.iter().find(|i| i.position == multi.position).unwrap().choices,
        vec![multi.answer_display[0]]
    );
}

#[actix_web::test]
async fn a_save_in_the_grace_counts_and_one_after_it_is_refused_and_stores_nothing() {
    let app = spawn_app().await;
    let (_, round) = mixed_round(&app, json!({"prediction": false})).await;
    app.clock.freeze_at(hoithi::clock::Clock::now(&*app.clock));
    let (id, csrf) = on_paper(&app, "canbo2", round).await;
    let items = app.items(id).await;
    let key = |i: &ItemFull| -> Vec<(String, String)> {
        i.answer_display.iter().map(|k| field(&format!("q{}", i.position), k)).chain([field("csrf", &csrf)]).collect()
    };
    // 5 s past the deadline: within the 10 s of grace, stored.
    app.advance(Duration::seconds(605));
    let r = post(&app, &format!("/attempts/{id}/save"), &key(&items[0])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // 11 s past it: refused with a page that says so, nothing stored.
    app.advance(Duration::seconds(6));
    let r = post(&app, &format!("/attempts/{id}/save"), &key(&items[1])).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("Đã hết giờ làm bài") && html.contains("không được lưu"), "{html}");
    assert!(html.contains(&format!("/attempts/{id}/result")), "links the result");
    let after = app.items(id).await;
    assert_eq!(after[0].choices, items[0].answer_display, "saved in the grace");
    assert!(after[1].choices.is_empty(), "the late answer is not stored");
    // The attempt ended with what was saved in time.
    let a = attempt(&app, id).await;
    assert_eq!((a.state, a.correct), (AttemptState::Expired, 1));
}

#[actix_web::test]
async fn a_late_plain_submit_keeps_what_was_saved_in_time() {
    let app = spawn_app().await;
    let (_, round) = mixed_round(&app, json!({})).await;
    let (id, csrf) = on_paper(&app, "canbo3", round).await;
    let items = app.items(id).await;
    let all_right: Vec<(String, String)> = items
        .iter()
        .flat_map(|i| i.answer_display.iter().map(move |k| field(&format!("q{}", i.position), k)))
        .collect();
    // Two answered right and saved with "Lưu bài".
    let saved: Vec<(String, String)> = all_right
        .iter()
        .filter(|(k, _)| *k == format!("q{}", items[0].position) || *k == format!("q{}", items[1].position))
        .cloned()
        .chain([field("csrf", &csrf), field("prediction", "7")])
        .collect();
    assert_eq!(post(&app, &format!("/attempts/{id}/save"), &saved).await.status(), StatusCode::SEE_OTHER);
    // Long after the deadline, the whole paper is submitted right.
    app.advance(Duration::seconds(700));
    let mut late = all_right.clone();
    late.push(field("csrf", &csrf));
    let r = post(&app, &format!("/attempts/{id}"), &late).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/attempts/{id}/result").as_str());
    let a = attempt(&app, id).await;
    assert_eq!((a.state, a.correct, a.score, a.prediction), (AttemptState::Expired, 2, 2, Some(7)));
    let (_, result) = app.get_text(&format!("/attempts/{id}/result")).await;
    assert!(result.contains("2 / 6") && result.contains("các câu trả lời đã lưu trước hạn"), "{result}");
}

#[actix_web::test]
async fn a_plain_submit_in_time_saves_the_answers_on_it_first() {
    let app = spawn_app().await;
    let (_, round) = mixed_round(&app, json!({})).await;
    let (id, csrf) = on_paper(&app, "canbo4", round).await;
    let items = app.items(id).await;
    let mut form: Vec<(String, String)> = items
        .iter()
        .flat_map(|i| i.answer_display.iter().map(move |k| field(&format!("q{}", i.position), k)))
        .collect();
    form.push(field("csrf", &csrf));
    // Without the prediction, before the deadline: saved, not submitted, and told why.
    let r = post(&app, &format!("/attempts/{id}"), &form).await;
    let back = r.headers()["location"].to_str().unwrap().to_string();
    assert!(back.starts_with(&format!("/attempts/{id}?saved=")) && back.ends_with("&p=need"), "{back}");
    assert_eq!(attempt(&app, id).await.state, AttemptState::InProgress);
    assert!(app.items(id).await.iter().zip(&items).all(|(s, i)| s.choices == i.answer_display));
    let (_, html) = app.get_text(&back).await;
    assert!(html.contains("Hãy trả lời câu dự đoán"), "{html}");
    // With it: submitted with every answer.
    form.push(field("prediction", "3"));
    let r = post(&app, &format!("/attempts/{id}"), &form).await;
    assert_eq!(r.headers()["location"], format!("/attempts/{id}/result").as_str());
    let a = attempt(&app, id).await;
    assert_eq!((a.state, a.score, a.prediction), (AttemptState::Submitted, 6, Some(3)));
}

#[actix_web::test]
async fn a_save_needs_its_token_and_a_valid_form_and_stores_nothing_otherwise() {
    let app = spawn_app().await;
    let (_, round) = mixed_round(&app, json!({})).await;
    let (id, csrf) = on_paper(&app, "canbo5", round).await;
    let items = app.items(id).await;
    let last = items.last().unwrap();
    assert_eq!(last.position, 6);
    let right = field("q6", last.answer_display[0]);
    let path = format!("/attempts/{id}/save");
    for form in [vec![right.clone()], vec![right.clone(), field("csrf", "0".repeat(32))]] {
        let r = post(&app, &path, &form).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.text().await.unwrap().contains("Biểu mẫu đã hết hạn"));
    }
    // One invalid answer: the whole form is refused with the reason, nothing stored.
    for bad in [field("q1", 9), field("q1", "x"), field("q99", 0), field("m", "hai")] {
        let r = post(&app, &path, &[field("csrf", &csrf), right.clone(), bad.clone()]).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("không có câu 99") || html.contains("không hợp lệ") || html.contains("không có phương án"),
            "{bad:?}: {html}"
        );
    }
    assert!(app.items(id).await.iter().all(|i| i.choices.is_empty()), "nothing stored");
    // Somebody else's paper does not exist for them.
    let other = bare_client();
    let r = other
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "admin", "password": crate::helpers::ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = other.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    let t = extract_csrf(&html).unwrap();
    let r = other.post(app.url(&path)).form(&[("csrf", t.as_str()), ("q1", "0")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_intro_page_says_what_is_coming_and_offers_a_start_only_when_an_attempt_is_left() {
    let app = spawn_app().await;
    let (org, round) = mixed_round(&app, json!({"duration_s": 600, "reveal": "after_submit"})).await;
    // Anonymous: to the login page, and back here afterwards.
    let r = bare_client().get(app.url(&format!("/rounds/{round}/start"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/login?next=/rounds/{round}/start").as_str());

    app.create_user("canbo6", "official", Some("SNV"), "mat-khau-can-bo").await;
    app.form_login("canbo6", "mat-khau-can-bo").await;
    let home = app.get_text("/").await.1;
    assert!(home.contains(&format!(r#"<a class="button" href="/rounds/{round}/start">Vào thi</a>"#)), "{home}");
    let (s, intro) = app.get_text(&format!("/rounds/{round}/start")).await;
    assert_eq!(s, StatusCode::OK);
    for text in ["6 câu", "10 phút", "Còn 1 trong 1 lượt", "ngay sau khi nộp bài", "câu dự đoán", "thi trung thực"]
    {
        assert!(intro.contains(text), "{text}: {intro}");
    }
    assert!(intro.contains(&format!(r#"action="/rounds/{round}/start""#)) && intro.contains(r#"id="start""#));
    let started = |app: &TestApp| {
        let st = app.state.clone();
        async move { st.read(move |c| hoithi::db::attempts::list_round_attempts(c, round)).await.unwrap().len() }
    };
    assert_eq!(started(&app).await, 0, "showing the page starts nothing");

    let csrf = extract_csrf(&intro).unwrap();
    let r = app.post_form(&format!("/rounds/{round}/start"), &[("csrf", &csrf)]).await;
    let paper = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = paper.strip_prefix("/attempts/").unwrap().parse().unwrap();
    // While it runs, the page (and the card) lead back to the paper.
    let r = app.get(&format!("/rounds/{round}/start")).await;
    assert_eq!((r.status(), r.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, paper.as_str()));
    assert!(app.get_text("/").await.1.contains("Tiếp tục làm bài"));
    let mut form: Vec<(String, String)> = vec![field("csrf", &csrf), field("prediction", "1")];
    form.push(field("q1", 0));
    post(&app, &paper, &form).await;

    // No attempt left: said plainly, the result linked, no start offered anywhere.
    let (s, intro) = app.get_text(&format!("/rounds/{round}/start")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(intro.contains("Bạn đã dùng hết 1 lượt thi của vòng này."), "{intro}");
    assert!(intro.contains(&format!(r#"href="/attempts/{id}/result""#)) && intro.contains(r#"href="/history""#));
    assert!(!intro.contains(r#"id="start""#) && !intro.contains(&format!(r#"action="/rounds/{round}/start""#)));
    for page in ["/", "/contests/giay"] {
        let html = app.get_text(page).await.1;
        assert!(html.contains("Bạn đã dùng hết lượt thi"), "{page}: {html}");
        assert!(!html.contains(&format!(r#"href="/rounds/{round}/start""#)), "{page}");
    }
    // A start from a page left open: back to the intro, which says why (no "Có lỗi (409)").
    let r = app.post_form(&format!("/rounds/{round}/start"), &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/rounds/{round}/start").as_str());
    assert_eq!(started(&app).await, 1);

    // Two attempts allowed, one used: one left, and the start offered.
    let two = app
        .round(
            &org,
            "giay",
            json!({"blueprint": [{"bank": "tron", "count": 2}], "attempts_allowed": 2, "duration_s": 90}),
        )
        .await;
    let first = app.post_form(&format!("/rounds/{two}/start"), &[("csrf", &csrf)]).await;
    let first = first.headers()["location"].to_str().unwrap().to_string();
    post(&app, &first, &[field("csrf", &csrf), field("prediction", "1")]).await;
    let (_, intro) = app.get_text(&format!("/rounds/{two}/start")).await;
    assert!(
        intro.contains("Còn 1 trong 2 lượt") && intro.contains("1 phút 30 giây") && intro.contains(r#"id="start""#),
        "{intro}"
    );
    assert!(intro.contains("lượt có kết quả tốt nhất"));
    // A round not open yet says when it opens and offers no start.
    let later = app
        .round(
            &org,
            "giay",
            json!({"blueprint": [{"bank": "tron", "count": 2}], "opens_at": app.at(30), "closes_at": app.at(90)}),
        )
        .await;
    let (s, intro) = app.get_text(&format!("/rounds/{later}/start")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(intro.contains("Vòng thi chưa mở") && !intro.contains(r#"id="start""#), "{intro}");
}

#[actix_web::test]
async fn true_false_shows_dung_before_sai_without_changing_the_draw_or_the_grade() {
    let app = spawn_app().await;
    let (_, round) = mixed_round(&app, json!({})).await;
    let (id, csrf) = on_paper(&app, "canbo7", round).await;
    // Every true/false item stored as drawn "Sai, Đúng" (the draw may do that).
    let tf: Vec<i32> = app.items(id).await.iter().filter(|i| i.kind == Kind::TrueFalse).map(|i| i.position).collect();
    app.state
        .write(move |c| {
            use hoithi::db::schema::attempt_items;
            diesel::update(
                attempt_items::table
                    .filter(attempt_items::attempt_id.eq(id))
                    .filter(attempt_items::position.eq_any(tf)),
            )
            .set(attempt_items::option_order.eq("[1,0]"))
            .execute(c)
        })
        .await
        .unwrap();
    let items = app.items(id).await;
    let tf: Vec<&ItemFull> = items.iter().filter(|i| i.kind == Kind::TrueFalse).collect();
    assert_eq!(tf.len(), 4);
    assert!(tf.iter().all(|i| i.options == ["Sai", "Đúng"]), "the stored paper says Sai first");

    let html = app.get_text(&format!("/attempts/{id}")).await.1;
    for i in &tf {
        let start = html.find(&format!(r#"id="q{}""#, i.position)).unwrap();
        let li = &html[start..start + html[start..].find("</li>").unwrap()];
        let (dung, sai) = (li.find("Đúng").unwrap(), li.find("Sai").unwrap());
        assert!(dung < sai, "Đúng first: {li}");
        // Lettered as shown; the value is still the stored display index.
        assert!(li.contains(r#"value="1"> <span class="letter">A.</span> Đúng"#), "{li}");
        assert!(li.contains(r#"value="0"> <span class="letter">B.</span> Sai"#), "{li}");
    }
    // The API keeps the stored order (its choices index it).
    let (_, view) = json_of(app.get(&format!("/api/v1/attempts/{id}")).await).await;
    let api_tf = view["items"].as_array().unwrap().iter().find(|i| i["kind"] == "true_false").unwrap().clone();
    assert_eq!(api_tf["options"], json!(["Sai", "Đúng"]));

    // Choosing "Đúng" on each (value 1) is right for tf-0 only, as graded by the stored key.
    let mut form = vec![field("csrf", &csrf), field("prediction", "2")];
    for i in &tf {
        form.push(field(&format!("q{}", i.position), 1));
    }
    post(&app, &format!("/attempts/{id}"), &form).await;
    let a = attempt(&app, id).await;
    assert_eq!((a.state, a.correct), (AttemptState::Submitted, 1), "only the true statement is right");
    let stored: Vec<Vec<usize>> =
        app.items(id).await.iter().filter(|i| i.kind == Kind::TrueFalse).map(|i| i.choices.clone()).collect();
    assert!(stored.iter().all(|c| c == &[1]));
    // The review shows them in the same order.
    let result = app.get_text(&format!("/attempts/{id}/result")).await.1;
    let review = &result[result.find("Đáp án và giải thích").unwrap()..];
    let first = review.find("Mệnh đề số").unwrap();
    let block = &review[first..];
    assert!(block.find("A. Đúng").unwrap() < block.find("B. Sai").unwrap(), "{block}");
}

#[actix_web::test]
async fn a_resident_uses_the_same_intro_and_plain_paper() {
    let app = spawn_app().await;
    let org = app.organizer("btc").await;
    app.contest(&org, "dan", json!({"audience": "public"})).await;
    let round = app.round(&org, "dan", json!({"attempts_allowed": 1, "prediction": true})).await;
    // Not registered: the intro sends to the join page.
    let phone = new_client();
    let r = phone.get(app.url(&format!("/rounds/{round}/start"))).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/c/dan");
    let person = json!({"full_name": "Lê Thị Hoa", "birth_year": 1970, "phone": "0912 000 333", "unit_code": "QN-LELOI", "consent": true});
    let (s, _) =
        json_of(phone.post(app.url("/api/v1/contests/dan/participants")).json(&person).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CREATED);
    let join = phone.get(app.url("/c/dan")).send().await.unwrap().text().await.unwrap();
    assert!(join.contains(&format!(r#"href="/rounds/{round}/start">Vào thi"#)), "{join}");
    let intro = phone.get(app.url(&format!("/rounds/{round}/start"))).send().await.unwrap().text().await.unwrap();
    assert!(intro.contains("5 câu") && intro.contains("Còn 1 trong 1 lượt"), "{intro}");
    let csrf = extract_csrf(&intro).unwrap();
    let r =
        phone.post(app.url(&format!("/rounds/{round}/start"))).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    let paper = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = paper.strip_prefix("/attempts/").unwrap().parse().unwrap();
    let key = app.key_of(id).await;
    let r = phone
        .post(app.url(&format!("/attempts/{id}/save")))
        .form(&[("csrf", csrf.as_str()), ("q1", &key[0][0].to_string()), ("prediction", "40")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = r.headers()["location"].to_str().unwrap().to_string();
    let html = phone.get(app.url(&back)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Đã lưu lúc") && checked(&html, 1, key[0][0]) && html.contains(r#"value="40""#), "{html}");
    assert_eq!(attempt(&app, id).await.prediction, Some(40));
}
