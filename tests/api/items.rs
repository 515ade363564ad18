//! Item analysis catches a wrong key: sixty officials of known ability
//! answer a round that draws a small bank whole, the strong ones choosing
//! the planted question's true answer while its key says another option.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixes::import_bank;
use crate::helpers::{ADMIN_PASSWORD, TestApp, full_name, json_of, new_client, spawn_app};

/// Entrants, by ability: entrant `i` (0–59) answers a question right when
/// `i` reaches its threshold.
const ENTRANTS: usize = 60;

/// The thresholds of the eight honest questions `pk-1` … `pk-8`: facilities
/// 0.9, 0.8, … 0.23, inside the "too easy" and "too hard" bounds.
const THRESHOLDS: [usize; 8] = [6, 12, 18, 24, 30, 36, 42, 46];

/// The planted question: its key says A, its true answer is B. Entrants
/// 30–59 choose B, 5–29 choose A, and 0–4 leave it blank.
const PLANTED: &str = "pk-9";

/// What entrant `i` chooses on question `key`, in the bank's order.
fn choice(i: usize, key: &str) -> Option<usize> {
    if key == PLANTED {
        return match i {
            30.. => Some(1),
            5.. => Some(0),
            _ => None,
        };
    }
    let j: usize = key.trim_start_matches("pk-").parse().expect("key");
    // Key A; a wrong answer is one of the distractors B, C, D.
    Some(if i >= THRESHOLDS[j - 1] { 0 } else { 1 + i % 3 })
}

/// Creates the officials, then each takes the round as their ability says.
async fn take(app: &TestApp, round: i64) {
    let admin = app.client_for("admin", ADMIN_PASSWORD).await;
    for i in 0..ENTRANTS {
        let name = format!("ts{i:02}");
        let body = json!({"username": name, "full_name": full_name(&name), "role": "official", "unit_code": "SNV", "password": "mat-khau-can-bo"});
        let r = admin.post(app.url("/api/v1/users")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    for i in 0..ENTRANTS {
        let c = new_client();
        let r = c
            .post(app.url("/api/v1/session"))
            .json(&json!({"username": format!("ts{i:02}"), "password": "mat-khau-can-bo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let attempt = app.start(&c, round).await["attempt_id"].as_i64().unwrap();
        for item in app.items(attempt).await {
            let Some(file) = choice(i, &item.key) else { continue };
            let shown = item.option_order.iter().position(|&f| f == file).expect("option on the paper");
            let r = c
                .put(app.url(&format!("/api/v1/attempts/{attempt}/items/{}", item.position)))
                .json(&json!({"choices": [shown]}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        app.submit(&c, attempt, None).await;
    }
}

/// The statistics of `path` as `who` sees them.
async fn stats(app: &TestApp, who: &reqwest::Client, path: &str) -> Value {
    let (s, v) = json_of(who.get(app.url(path)).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

fn question<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["questions"].as_array().unwrap().iter().find(|q| q["key"] == key).unwrap_or_else(|| panic!("{key} in {v}"))
}

fn flagged(v: &Value) -> Vec<(String, Vec<String>)> {
    v["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| !q["flags"].as_array().unwrap().is_empty())
        .map(|q| {
            let flags = q["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect();
            (q["key"].as_str().unwrap().to_string(), flags)
        })
        .collect()
}

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-9)
}

#[actix_web::test]
async fn a_planted_wrong_key_is_suspect_alone_and_clears_after_the_rekey() {
    let app = spawn_app().await;
    let keys: Vec<String> = (1..=9).map(|k| format!("pk-{k}")).collect();
    import_bank(&app, "pk", &keys.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let org = app.organizer("btc").await;
    app.contest(&org, "khoa-sai", json!({})).await;
    let round = app
        .round(
            &org,
            "khoa-sai",
            json!({"blueprint": [{"bank": "pk", "count": 9}], "attempts_allowed": 1, "prediction": false}),
        )
        .await;
    take(&app, round).await;

    let before = stats(&app, &org, &format!("/api/v1/rounds/{round}/item-stats")).await;
    assert_eq!(before["questions"].as_array().unwrap().len(), 9, "{before}");
    assert_eq!(
        flagged(&before),
        [(PLANTED.to_string(), vec!["suspect_key".to_string(), "negative_discrimination".to_string()])],
        "only the planted question is flagged: {before}"
    );
    assert_eq!(before["questions"][0]["key"], PLANTED, "flagged questions come first");
    let p = question(&before, PLANTED);
    assert_eq!(p["bank"], "pk");
    assert_eq!(p["drawn"], 60);
    // Right by the wrong key: entrants 5–29, 25 of 60. Shares in the bank's
    // order: A 25, B 30, C and D none; 5 blank.
    assert!(close(&p["facility"], 25.0 / 60.0), "{p}");
    assert!(close(&p["options"][0], 25.0 / 60.0) && close(&p["options"][1], 0.5) && close(&p["options"][2], 0.0));
    assert!(close(&p["blank"], 5.0 / 60.0));
    assert!(p["discrimination"].as_f64().unwrap() < 0.0 && p["upper_lower"].as_f64().unwrap() < 0.0, "{p}");
    // An honest question: pk-5 is right for entrants 30–59.
    let q5 = question(&before, "pk-5");
    assert!(
        close(&q5["facility"], 0.5) && q5["discrimination"].as_f64().unwrap() > 0.3 && close(&q5["upper_lower"], 1.0)
    );

    // The contest's view and the bank's view (the shipped bank's owner is the operator: an admin) agree.
    let contest = stats(&app, &org, "/api/v1/contests/khoa-sai/item-stats").await;
    assert_eq!(flagged(&contest), flagged(&before));
    let admin = app.client_for("admin", ADMIN_PASSWORD).await;
    assert_eq!(flagged(&stats(&app, &admin, "/api/v1/banks/pk/item-stats").await), flagged(&before));

    // The organizer's page shows the flag as a way to the question's re-key form, flagged first.
    let html = org.get(app.url(&format!("/admin/rounds/{round}/items"))).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("data-flag=\"suspect_key\"") && html.contains("/admin/contests/khoa-sai/questions"),
        "{html}"
    );
    assert!(html.find("pk/pk-9<").unwrap() < html.find("pk/pk-1<").unwrap(), "flagged first");
    let sorted = org.get(app.url(&format!("/admin/rounds/{round}/items?sort=facility"))).send().await.unwrap();
    assert_eq!(sorted.status(), StatusCode::OK);
    let html = sorted.text().await.unwrap();
    assert!(html.find("pk/pk-8<").unwrap() < html.find("pk/pk-1<").unwrap(), "hardest first when sorted by facility");
    let bad = org.get(app.url(&format!("/admin/rounds/{round}/items?sort=abc"))).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("Không sắp xếp được theo"));
    let csv = org
        .get(app.url(&format!("/api/v1/rounds/{round}/item-stats/export?format=csv")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.lines().nth(1).is_some_and(|l| l.contains("pk-9") && l.contains("Nghi sai đáp án")), "{csv}");

    // The re-key through the existing API re-grades, and the flag clears.
    let (s, r) = json_of(
        org.post(app.url(&format!("/api/v1/contests/khoa-sai/questions/pk/{PLANTED}/rekey")))
            .json(&json!({"answer": "B", "reason": "Đáp án đúng là B theo văn bản gốc"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["regraded"], 60);
    let after = stats(&app, &org, &format!("/api/v1/rounds/{round}/item-stats")).await;
    assert!(flagged(&after).is_empty(), "no flag after the re-key: {after}");
    let p = question(&after, PLANTED);
    assert!(close(&p["facility"], 0.5) && p["discrimination"].as_f64().unwrap() > 0.5 && close(&p["upper_lower"], 1.0));
    assert!(close(&p["options"][1], 0.5), "choices stay as made: {p}");
    assert!(flagged(&stats(&app, &org, "/api/v1/contests/khoa-sai/item-stats").await).is_empty());
    // The bank's own key is still A: across contests, the bank's owner still sees it suspect.
    let bank = stats(&app, &admin, "/api/v1/banks/pk/item-stats").await;
    assert_eq!(flagged(&bank).first().map(|f| f.0.as_str()), Some(PLANTED), "{bank}");

    // A voided question leaves the statistics; the others stay as they were drawn.
    let r = org
        .post(app.url("/api/v1/contests/khoa-sai/questions/pk/pk-8/void"))
        .json(&json!({"reason": "Câu hỏi có hai cách hiểu"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let voided = stats(&app, &org, &format!("/api/v1/rounds/{round}/item-stats")).await;
    let keys: Vec<&str> = voided["questions"].as_array().unwrap().iter().map(|q| q["key"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), 8, "{keys:?}");
    assert!(!keys.contains(&"pk-8") && question(&voided, "pk-1")["drawn"] == 60);
}

#[actix_web::test]
async fn item_stats_are_for_owners_and_bad_input_gets_a_vietnamese_4xx() {
    let app = spawn_app().await;
    let (org, round) = app.setup_round(json!({})).await;
    let empty = stats(&app, &org, &format!("/api/v1/rounds/{round}/item-stats")).await;
    assert_eq!(empty, json!({"questions": []}));
    let other = app.organizer("btc-khac").await;
    for path in [format!("/api/v1/rounds/{round}/item-stats"), "/api/v1/contests/tuan-le/item-stats".into()] {
        let (s, e) = json_of(other.get(app.url(&path)).send().await.unwrap()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path} {e}");
    }
    // The shipped banks belong to the operator: an organizer may not read them.
    let (s, _) = json_of(org.get(app.url("/api/v1/banks/mot-cua/item-stats")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for (path, want) in [
        ("/api/v1/rounds/999999/item-stats", StatusCode::NOT_FOUND),
        ("/api/v1/rounds/abc/item-stats", StatusCode::NOT_FOUND),
        ("/api/v1/contests/khong-co/item-stats", StatusCode::NOT_FOUND),
    ] {
        let (s, e) = json_of(org.get(app.url(path)).send().await.unwrap()).await;
        assert_eq!(s, want, "{path} {e}");
        assert!(e["error"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
    }
    let admin = app.client_for("admin", ADMIN_PASSWORD).await;
    let (s, e) = json_of(admin.get(app.url("/api/v1/banks/khong-co/item-stats")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(e["error"].as_str().unwrap().contains("Không có ngân hàng"), "{e}");
    let (s, e) = json_of(
        org.get(app.url(&format!("/api/v1/rounds/{round}/item-stats/export?format=pdf"))).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"].as_str().unwrap().contains("không hỗ trợ"), "{e}");
    let xlsx = org.get(app.url(&format!("/api/v1/rounds/{round}/item-stats/export?format=xlsx"))).send().await.unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"), "an xlsx is a zip");
}

#[actix_web::test]
async fn attempts_finalized_before_item_analysis_get_their_rows_at_start() {
    let app = spawn_app().await;
    let (org, round) = app.setup_round(json!({"prediction": false})).await;
    let me = app.official("canbo", "SNV").await;
    let attempt = app.start(&me, round).await["attempt_id"].as_i64().unwrap();
    app.answer_all(&me, attempt, &[2]).await;
    app.submit(&me, attempt, None).await;
    let path = format!("/api/v1/rounds/{round}/item-stats");
    let first = stats(&app, &org, &path).await;
    assert_eq!(first["questions"].as_array().unwrap().len(), 5);
    let right = first["questions"].as_array().unwrap().iter().filter(|q| close(&q["facility"], 1.0)).count();
    assert_eq!(right, 4, "one wrong answer of five: {first}");
    // As a database from before the item_results table holds it.
    app.state
        .write(|c| {
            use diesel::prelude::*;
            diesel::delete(hoithi::db::schema::item_results::table).execute(c)
        })
        .await
        .unwrap();
    assert_eq!(stats(&app, &org, &path).await, json!({"questions": []}));
    let n = app.state.write(hoithi::db::item_stats::backfill_item_results).await.unwrap();
    assert_eq!(n, 1);
    assert_eq!(stats(&app, &org, &path).await, first);
}
