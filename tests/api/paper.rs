//! The page before the clock: it says what a round holds and offers a
//! start only when an attempt is left.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, bare_client, extract_csrf, spawn_app};
use hoithi::db::audit::Actor;

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

async fn post(app: &TestApp, path: &str, form: &[(String, String)]) -> reqwest::Response {
    app.client.post(app.url(path)).form(form).send().await.unwrap()
}

fn field(k: &str, v: impl ToString) -> (String, String) {
    (k.to_string(), v.to_string())
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
