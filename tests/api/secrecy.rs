//! Promise 4 by allow-list: every shape a participant is sent — each JSON
//! answer of the play API and the paper and result pages — is a reviewed
//! snapshot (`tests/api/snapshots/`), so a new field that could carry a key
//! shows in review instead of slipping out. And the cross-round case: a key
//! stays hidden while another round that holds the question still runs.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixes::import_bank;
use crate::helpers::{TestApp, extract_csrf, json_of, spawn_app};

/// A JSON value's shape: every key, and the type of every value.
fn shape(v: &Value, indent: usize) -> String {
    let pad = "  ".repeat(indent);
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::Number(_) => "number".into(),
        Value::String(_) => "string".into(),
        Value::Array(a) => {
            let mut kinds: Vec<String> = a.iter().map(|x| shape(x, indent + 1)).collect();
            kinds.sort();
            kinds.dedup();
            format!("[{}]", kinds.join(" | "))
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let inner: Vec<String> =
                keys.iter().map(|k| format!("{pad}  {k}: {}", shape(&m[k.as_str()], indent + 1))).collect();
            format!("{{\n{}\n{pad}}}", inner.join("\n"))
        }
    }
}

/// A page with what varies taken out: the paper's own texts (by position),
/// the CSRF token and the attempt id. What is left is the same for every
/// paper of the round, and is the allow-list.
async fn skeleton(app: &TestApp, html: &str, attempt: i64) -> String {
    let mut out = html.to_string();
    if let Some(t) = extract_csrf(html) {
        out = out.replace(&t, "«csrf»");
    }
    for item in app.items(attempt).await {
        out = out.replace(&item.text, &format!("«câu {}»", item.position));
        // Named, so that a leak would stand out in the snapshot.
        out = out.replace(&item.explanation, &format!("«GIẢI THÍCH CÂU {}»", item.position));
        for (k, o) in item.options.iter().enumerate() {
            out = out.replace(o, &format!("«phương án {}.{k}»", item.position));
        }
    }
    out.replace(&format!("/attempts/{attempt}"), "/attempts/«id»")
        .replace(&format!("data-attempt=\"{attempt}\""), "data-attempt=\"«id»\"")
}

const KEYS: [&str; 3] = ["bm-1", "bm-2", "bm-3"];

/// An organizer, a contest and a round of the three questions of bank `bm`.
async fn round(app: &TestApp, org: &str, slug: &str, extra: Value) -> i64 {
    let org = app.organizer(org).await;
    app.contest(&org, slug, json!({})).await;
    let mut body = json!({"blueprint": [{"bank": "bm", "count": 3}], "attempts_allowed": 1, "grace_s": 10});
    crate::helpers::merge(&mut body, extra);
    app.round(&org, slug, body).await
}

#[actix_web::test]
async fn every_participant_facing_shape_is_an_allow_listed_snapshot() {
    let app = spawn_app().await;
    app.clock.freeze_at(chrono::NaiveDate::from_ymd_opt(2030, 1, 7).unwrap().and_hms_opt(1, 0, 0).unwrap());
    import_bank(&app, "bm", &KEYS).await;
    let r = round(&app, "btc", "mo", json!({"reveal": "after_submit", "prediction": true})).await;
    app.create_user("canbo", "official", Some("SNV"), "mat-khau-can-bo").await;
    app.form_login("canbo", "mat-khau-can-bo").await;
    let me = &app.client;
    let mut shapes = Vec::new();
    let mut note = |what: &str, v: &Value| shapes.push(format!("## {what}\n{}\n", shape(v, 0)));

    let (_, v) = json_of(me.get(app.url("/api/v1/rounds")).send().await.unwrap()).await;
    note("GET /api/v1/rounds", &v);
    let (s, paper) = json_of(me.post(app.url(&format!("/api/v1/rounds/{r}/attempts"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CREATED);
    note("POST /api/v1/rounds/{id}/attempts", &paper);
    let id = paper["attempt_id"].as_i64().unwrap();
    let (_, v) = json_of(
        me.put(app.url(&format!("/api/v1/attempts/{id}/items/1"))).json(&json!({"choices": [1]})).send().await.unwrap(),
    )
    .await;
    note("PUT /api/v1/attempts/{id}/items/{position}", &v);
    let (_, v) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    note("GET /api/v1/attempts/{id} (in progress)", &v);
    let page = me.get(app.url(&format!("/attempts/{id}"))).send().await.unwrap().text().await.unwrap();
    insta::assert_snapshot!("attempt_page", skeleton(&app, &page, id).await);

    let (_, v) = json_of(
        me.post(app.url(&format!("/api/v1/attempts/{id}/submit")))
            .json(&json!({"prediction": 3}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    note("POST /api/v1/attempts/{id}/submit", &v);
    let (_, v) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    assert!(v["review"].as_array().unwrap().iter().all(|r| r["revealed"] == true), "after_submit, no other round");
    note("GET /api/v1/attempts/{id} (final, key revealed)", &v);
    let (_, v) = json_of(me.get(app.url(&format!("/api/v1/rounds/{r}/leaderboard"))).send().await.unwrap()).await;
    note("GET /api/v1/rounds/{id}/leaderboard", &v);
    let (_, v) = json_of(me.get(app.url("/api/v1/contests/mo/standings")).send().await.unwrap()).await;
    note("GET /api/v1/contests/{slug}/standings", &v);
    let (_, v) = json_of(me.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    note("GET /api/v1/me", &v);

    // A second round holding the same questions runs: a new participant's
    // final attempt in the first round shows no key.
    round(&app, "btc2", "khac", json!({"reveal": "after_close"})).await;
    let other = app.official("canbo2", "SNV").await;
    let id2 = app.start(&other, r).await["attempt_id"].as_i64().unwrap();
    // Full marks: first on the board whatever the first paper's shuffle.
    app.answer_all(&other, id2, &[]).await;
    app.submit(&other, id2, Some(0)).await;
    let (_, v) = json_of(other.get(app.url(&format!("/api/v1/attempts/{id2}"))).send().await.unwrap()).await;
    note("GET /api/v1/attempts/{id} (final, key held back)", &v);
    let result = other.get(app.url(&format!("/attempts/{id2}/result"))).send().await.unwrap().text().await.unwrap();
    insta::assert_snapshot!("result_page_key_held_back", skeleton(&app, &result, id2).await);
    insta::assert_snapshot!("participant_json_shapes", shapes.join("\n"));
}

#[actix_web::test]
async fn a_key_is_held_back_while_another_round_holding_the_question_runs() {
    let app = spawn_app().await;
    import_bank(&app, "bm", &KEYS).await;
    // A public-service round that reveals after submit, opened first.
    let a = round(&app, "btc-a", "mo", json!({"reveal": "after_submit"})).await;
    // Another organizer's round on the same bank, keeping its key until it closes in 2 hours.
    let org_b = app.organizer("btc-b").await;
    app.contest(&org_b, "khac", json!({})).await;
    let body = json!({"title": "Tuần 1", "opens_at": app.at(-5), "closes_at": app.at(120), "duration_s": 600, "grace_s": 10,
                      "blueprint": [{"bank": "bm", "count": 3}], "reveal": "after_close"});
    let (s, created) =
        json_of(org_b.post(app.url("/api/v1/contests/khac/rounds")).json(&body).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let b = created["id"].as_i64().unwrap();
    let (s, published) =
        json_of(org_b.post(app.url(&format!("/api/v1/rounds/{b}/publish"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    // Publishing B warns its organizer that A, running, shares all three questions.
    let warnings = published["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w.as_str().unwrap().contains("dùng chung 3 câu hỏi")), "{published}");

    let me = app.official("canbo", "SNV").await;
    let id = app.start(&me, a).await["attempt_id"].as_i64().unwrap();
    app.answer_all(&me, id, &[]).await;
    app.submit(&me, id, Some(0)).await;
    let review = |app: &TestApp, me: reqwest::Client| {
        let url = app.url(&format!("/api/v1/attempts/{id}"));
        async move { json_of(me.get(url).send().await.unwrap()).await.1["review"].clone() }
    };
    // A's policy would show it, but B still keeps those questions secret.
    let held = review(&app, me.clone()).await;
    assert!(
        held.as_array().unwrap().iter().all(|r| r["revealed"] == false && r.get("correct_choices").is_none()),
        "{held}"
    );
    let page = me.get(app.url(&format!("/attempts/{id}/result"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("còn được dùng ở một vòng thi khác"), "{page}");
    assert!(!page.contains("Đáp án và giải thích"));
    let explanation = app.items(id).await[0].explanation.clone();
    assert!(!page.contains(&explanation));
    // Once B has closed (and its grace passed), the key is shown.
    app.advance(Duration::minutes(120) + Duration::seconds(11));
    let shown = review(&app, me.clone()).await;
    assert!(
        shown.as_array().unwrap().iter().all(|r| r["revealed"] == true && r["correct_choices"].is_array()),
        "{shown}"
    );
    let page = me.get(app.url(&format!("/attempts/{id}/result"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Đáp án và giải thích") && page.contains(&explanation));
}

#[actix_web::test]
async fn several_attempts_with_the_key_after_submit_warn_the_organizer() {
    let app = spawn_app().await;
    let org = app.organizer("btc").await;
    app.contest(&org, "mo", json!({})).await;
    let body = json!({"title": "T", "opens_at": app.at(0), "closes_at": app.at(60), "duration_s": 600,
                      "blueprint": [{"bank": "mot-cua", "count": 3}], "attempts_allowed": 3, "reveal": "after_submit"});
    let (_, r) = json_of(org.post(app.url("/api/v1/contests/mo/rounds")).json(&body).send().await.unwrap()).await;
    let id = r["id"].as_i64().unwrap();
    let (_, published) =
        json_of(org.post(app.url(&format!("/api/v1/rounds/{id}/publish"))).send().await.unwrap()).await;
    assert!(published["warnings"][0].as_str().unwrap().contains("trước lượt sau"), "{published}");
    // The page shows the warnings too.
    let _ = app.form_login("btc", "mat-khau-btc-1").await;
    let token = app.csrf(&format!("/admin/rounds/{id}")).await;
    let html = app.post_form(&format!("/admin/rounds/{id}/publish"), &[("csrf", &token)]).await.text().await.unwrap();
    assert!(html.contains("id=\"warnings\"") && html.contains("trước lượt sau"), "{html}");
}
