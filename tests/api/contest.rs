//! The contest flow over HTTP: organizers set up rounds, officials take
//! them, boards and exports follow; the promises of ARCHITECTURE.md.

use diesel::prelude::*;
use hoithi::db::schema::attempts;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// The current time at +07:00 shifted by `minutes`, RFC 3339.
pub fn at(minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(minutes))
        .with_timezone(&hoithi::domain::time::vietnam())
        .to_rfc3339()
}

/// Creates a contest and a published round as an organizer; returns (organizer client, round id).
pub async fn setup_round(app: &TestApp, round: Value) -> (reqwest::Client, i64) {
    app.create_user("btc", "organizer", None, "mat-khau-btc-1").await;
    let org = app.client_for("btc", "mat-khau-btc-1").await;
    let r = org
        .post(app.url("/api/v1/contests"))
        .json(&json!({"slug": "tuan-le", "title": "Tìm hiểu CCHC", "description": "Thử", "audience": "officials", "rules": "**Thể lệ**"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let mut body = json!({
        "title": "Tuần 1", "opens_at": at(-5), "closes_at": at(60), "duration_s": 600,
        "blueprint": [{"bank": "mot-cua", "count": 3}, {"bank": "van-hoa-cong-vu", "difficulty": "easy", "count": 2}],
        "attempts_allowed": 2, "prediction": true, "reveal": "after_submit",
    });
    if let (Value::Object(b), Value::Object(extra)) = (&mut body, round) {
        b.extend(extra);
    }
    let r = org.post(app.url("/api/v1/contests/tuan-le/rounds")).json(&body).send().await.unwrap();
    let status = r.status();
    let created: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let r = org.post(app.url(&format!("/api/v1/rounds/{id}/publish"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    (org, id)
}

/// An official of `unit`, logged in.
pub async fn official(app: &TestApp, name: &str, unit: &str) -> reqwest::Client {
    app.create_user(name, "official", Some(unit), "mat-khau-can-bo").await;
    app.client_for(name, "mat-khau-can-bo").await
}

/// The correct display choices of each item of an attempt (read from the database, as a grader would).
pub async fn key_of(app: &TestApp, attempt_id: i64) -> Vec<Vec<usize>> {
    let items = app.state.read(move |c| hoithi::db::attempts::load_items(c, attempt_id)).await.unwrap();
    items.into_iter().map(|i| i.answer_display).collect()
}

/// Field names that would leak the key.
const FORBIDDEN: [&str; 5] = ["answer", "correct", "is_correct", "key", "solution"];

fn assert_no_key_fields(v: &Value, context: &str) {
    match v {
        Value::Object(m) => {
            for (k, val) in m {
                assert!(
                    !FORBIDDEN.contains(&k.as_str()),
                    "{context}: field {k:?} in a participant-facing response: {v}"
                );
                assert_no_key_fields(val, context);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| assert_no_key_fields(x, context)),
        _ => {}
    }
}

async fn json_of(r: reqwest::Response) -> (StatusCode, Value) {
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[actix_web::test]
async fn an_official_takes_a_round_end_to_end() {
    let app = spawn_app().await;
    let (org, round) = setup_round(&app, json!({})).await;
    let me = official(&app, "canbo1", "QN-LELOI").await;

    let (s, open) = json_of(me.get(app.url("/api/v1/rounds")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(open.as_array().unwrap().len(), 1);
    assert_eq!(open[0]["contest"], "tuan-le");

    let (s, paper) = json_of(me.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{paper}");
    assert_eq!(paper["state"], "in_progress");
    let items = paper["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert!(paper["remaining_ms"].as_i64().unwrap() > 590_000);
    let id = paper["attempt_id"].as_i64().unwrap();

    // Reopening (here: starting again) resumes the same paper.
    let (s, again) = json_of(me.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["attempt_id"], id);
    assert_eq!(again["items"], paper["items"]);

    // Answer everything right but the first.
    let key = key_of(&app, id).await;
    for (i, k) in key.iter().enumerate() {
        let choice = if i == 0 { vec![(k[0] + 1) % items[0]["options"].as_array().unwrap().len()] } else { k.clone() };
        let r = me
            .put(app.url(&format!("/api/v1/attempts/{id}/items/{}", i + 1)))
            .json(&json!({"choices": choice}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let (_, saved) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    assert_eq!(saved["items"][1]["choices"], json!(key[1]));

    let (s, result) = json_of(
        me.post(app.url(&format!("/api/v1/attempts/{id}/submit")))
            .json(&json!({"prediction": 7}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{result}");
    assert_eq!(result["score"], 4);
    assert_eq!(result["max_score"], 5);
    assert_eq!(result["correct"], 4);
    assert_eq!(result["total"], 5);
    assert_eq!(result["rank"], 1);
    // A second submit returns the first result.
    let (s, again) = json_of(
        me.post(app.url(&format!("/api/v1/attempts/{id}/submit")))
            .json(&json!({"prediction": 99}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again, result);
    // Final: answers are refused.
    let (s, e) = json_of(
        me.put(app.url(&format!("/api/v1/attempts/{id}/items/1"))).json(&json!({"choices": [0]})).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(e["error"].as_str().unwrap().contains("đã nộp"));
    // The review is there (after_submit).
    let (_, view) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    assert_eq!(view["review"].as_array().unwrap().len(), 5);
    assert_eq!(view["review"][1]["correct_choices"], json!(key[1]));

    // Boards, public and without login.
    let anon = crate::helpers::new_client();
    let (s, board) =
        json_of(anon.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(board["total"], 1);
    assert_eq!(board["provisional"], true);
    assert_eq!(board["entries"][0]["name"], "Người dùng canbo1");
    assert_eq!(board["entries"][0]["score"], 4);
    let (_, units) = json_of(anon.get(app.url(&format!("/api/v1/rounds/{round}/units"))).send().await.unwrap()).await;
    let row = |code: &str| units["units"].as_array().unwrap().iter().find(|u| u["code"] == code).cloned().unwrap();
    assert_eq!(row("QN-LELOI")["participants"], 1);
    assert_eq!(row("QN")["participants"], 1, "rolled up to the city");
    assert_eq!(row("BD")["participants"], 1, "rolled up to the province");
    assert_eq!(row("SNV")["participants"], 0);
    assert_eq!(row("QN-LELOI")["avg_score"], 4.0);
    let (_, filtered) =
        json_of(anon.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard?unit=SNV"))).send().await.unwrap()).await;
    assert_eq!(filtered["total"], 0);
    let (_, filtered) =
        json_of(anon.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard?unit=QN"))).send().await.unwrap()).await;
    assert_eq!(filtered["total"], 1);

    // The organizer's export.
    let r = org.get(app.url(&format!("/api/v1/rounds/{round}/results.csv"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    assert!(csv.contains("Người dùng canbo1,Phường Lê Lợi,4,4,"), "{csv}");
    assert!(csv.trim_end().ends_with(",7,1"), "prediction then rank: {csv}");
    // Officials cannot export.
    assert_eq!(
        me.get(app.url(&format!("/api/v1/rounds/{round}/results.csv"))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // History page lists it.
    let html = me.get(app.url("/history")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Tuần 1") && html.contains("4 / 5"));
}

#[actix_web::test]
async fn before_final_no_participant_response_carries_the_key() {
    let app = spawn_app().await;
    let (_, round) = setup_round(&app, json!({"reveal": "after_close"})).await;
    let me = official(&app, "canbo2", "SNV").await;
    let mut seen: Vec<(String, Value)> = Vec::new();
    let (_, list) = json_of(me.get(app.url("/api/v1/rounds")).send().await.unwrap()).await;
    seen.push(("rounds".into(), list));
    let (_, paper) = json_of(me.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    let id = paper["attempt_id"].as_i64().unwrap();
    seen.push(("start".into(), paper));
    let (_, saved) = json_of(
        me.put(app.url(&format!("/api/v1/attempts/{id}/items/1"))).json(&json!({"choices": [0]})).send().await.unwrap(),
    )
    .await;
    seen.push(("answer".into(), saved));
    let (_, view) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    seen.push(("get".into(), view));
    for (ctx, v) in &seen {
        assert_no_key_fields(v, ctx);
    }
    // The page neither: no explanation or source text of any question on it.
    let html = me.get(app.url(&format!("/attempts/{id}"))).send().await.unwrap().text().await.unwrap();
    let items = app.state.read(move |c| hoithi::db::attempts::load_items(c, id)).await.unwrap();
    for i in &items {
        assert!(!html.contains(&i.explanation), "explanation of item {} on the page", i.position);
        assert!(!html.contains(&i.source), "source of item {} on the page", i.position);
        assert!(html.contains(&i.text));
    }
    // After submitting, an after_close round still keeps the key until it closes.
    let (s, _) = json_of(me.post(app.url(&format!("/api/v1/attempts/{id}/submit"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let (_, view) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    assert!(view.get("review").is_none(), "{view}");
    let html = me.get(app.url(&format!("/attempts/{id}/result"))).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains(&items[0].explanation));
    assert!(html.contains("sau khi vòng thi kết thúc"));
}

#[actix_web::test]
async fn bad_requests_get_clear_4xx_answers() {
    let app = spawn_app().await;
    let (org, round) = setup_round(&app, json!({"attempts_allowed": 1})).await;
    let me = official(&app, "canbo3", "SNV").await;
    let other = official(&app, "canbo4", "SNV").await;
    let (_, paper) = json_of(me.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    let id = paper["attempt_id"].as_i64().unwrap();
    let single = paper["items"].as_array().unwrap().iter().position(|i| i["kind"] != "multiple").unwrap() + 1;

    // Invalid choices: 422.
    for bad in [json!({"choices": [9]}), json!({"choices": [0, 1]}), json!({"choices": [0, 0]})] {
        let (s, e) =
            json_of(me.put(app.url(&format!("/api/v1/attempts/{id}/items/{single}"))).json(&bad).send().await.unwrap())
                .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
        assert!(e["error"].is_string());
    }
    let (s, _) = json_of(
        me.put(app.url(&format!("/api/v1/attempts/{id}/items/{single}")))
            .json(&json!({"choices": "A"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = json_of(
        me.put(app.url(&format!("/api/v1/attempts/{id}/items/99")))
            .json(&json!({"choices": [0]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Someone else's attempt: 404 to read, write and submit.
    assert_eq!(
        other.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .put(app.url(&format!("/api/v1/attempts/{id}/items/1")))
            .json(&json!({"choices": [0]}))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.post(app.url(&format!("/api/v1/attempts/{id}/submit"))).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(other.get(app.url(&format!("/attempts/{id}"))).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    // Nothing of the owner's attempt changed.
    let (_, view) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    assert!(view["items"].as_array().unwrap().iter().all(|i| i["choices"] == json!([])));

    // Attempts used up: 409.
    me.post(app.url(&format!("/api/v1/attempts/{id}/submit"))).send().await.unwrap();
    let (s, e) = json_of(me.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(e["error"].as_str().unwrap().contains("hết 1 lượt"), "{e}");
    // A round that is not open: 409; unknown: 404.
    org.post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap();
    let (s, _) = json_of(other.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(
        other.post(app.url("/api/v1/rounds/999/attempts")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // An edit after people started: 409.
    let (s, e) = json_of(
        org.patch(app.url(&format!("/api/v1/rounds/{round}"))).json(&json!({"title": "Khác"})).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
}

#[actix_web::test]
async fn organizers_get_clear_answers_and_only_manage_their_own_contests() {
    let app = spawn_app().await;
    let (org, round) = setup_round(&app, json!({})).await;
    // A blueprint the banks cannot satisfy.
    let (s, e) = json_of(
        org.post(app.url("/api/v1/contests/tuan-le/rounds"))
            .json(&json!({"title": "T2", "opens_at": at(0), "closes_at": at(60), "duration_s": 600, "blueprint": [{"bank": "mot-cua", "difficulty": "hard", "count": 150}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"].as_str().unwrap().contains("chỉ có"), "{e}");
    for (body, needle) in [
        (
            json!({"title": "T2", "opens_at": at(60), "closes_at": at(0), "duration_s": 600, "blueprint": [{"bank": "mot-cua", "count": 1}]}),
            "sau thời điểm bắt đầu",
        ),
        (
            json!({"title": "T2", "opens_at": "mai", "closes_at": at(60), "duration_s": 600, "blueprint": [{"bank": "mot-cua", "count": 1}]}),
            "RFC 3339",
        ),
        (
            json!({"title": "T2", "opens_at": at(0), "closes_at": at(60), "duration_s": 600, "blueprint": []}),
            "ít nhất một dòng",
        ),
        (
            json!({"title": "T2", "opens_at": at(0), "closes_at": at(60), "duration_s": 600, "blueprint": [{"bank": "khong-co", "count": 1}]}),
            "chỉ có 0",
        ),
        (
            json!({"title": "T2", "opens_at": at(0), "closes_at": at(60), "duration_s": 600, "reveal": "sometimes", "blueprint": [{"bank": "mot-cua", "count": 1}]}),
            "after_submit",
        ),
    ] {
        let (s, e) =
            json_of(org.post(app.url("/api/v1/contests/tuan-le/rounds")).json(&body).send().await.unwrap()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(e["error"].as_str().unwrap().contains(needle), "{e}");
    }
    let (s, _) = json_of(
        org.post(app.url("/api/v1/contests"))
            .json(&json!({"slug": "tuan-le", "title": "X", "audience": "officials"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = json_of(
        org.post(app.url("/api/v1/contests"))
            .json(&json!({"slug": "Có Dấu", "title": "X", "audience": "officials"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // Another organizer cannot touch this contest.
    app.create_user("btc2", "organizer", None, "mat-khau-btc-2").await;
    let other = app.client_for("btc2", "mat-khau-btc-2").await;
    assert_eq!(
        other.patch(app.url("/api/v1/contests/tuan-le")).json(&json!({"title": "X"})).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        other.post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        other.get(app.url(&format!("/api/v1/rounds/{round}/results.csv"))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // An admin can.
    app.login_admin().await;
    let r = app
        .client
        .patch(app.url("/api/v1/contests/tuan-le"))
        .json(&json!({"title": "Tìm hiểu CCHC 2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Organizers may try a round but are never ranked.
    let (s, paper) =
        json_of(org.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CREATED);
    let id = paper["attempt_id"].as_i64().unwrap();
    let (_, result) = json_of(org.post(app.url(&format!("/api/v1/attempts/{id}/submit"))).send().await.unwrap()).await;
    assert!(result["rank"].is_null());
    let (_, board) =
        json_of(org.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(board["total"], 0);
}

/// Moves an attempt into the past so that its deadline was `seconds_ago`
/// (time travel for the test: the whole 600 s window moves).
async fn expire(app: &TestApp, id: i64, seconds_ago: i64) {
    let deadline = hoithi::db::now() - chrono::Duration::seconds(seconds_ago);
    let started = deadline - chrono::Duration::seconds(600);
    app.state
        .write(move |c| {
            diesel::update(attempts::table.find(id))
                .set((attempts::deadline_at.eq(deadline), attempts::started_at.eq(started)))
                .execute(c)
        })
        .await
        .unwrap();
}

#[actix_web::test]
async fn late_answers_are_refused_and_finalize_with_what_was_saved() {
    let app = spawn_app().await;
    let (_, round) = setup_round(&app, json!({"grace_s": 5})).await;
    let me = official(&app, "canbo5", "SNV").await;
    let (_, paper) = json_of(me.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    let id = paper["attempt_id"].as_i64().unwrap();
    let key = key_of(&app, id).await;
    me.put(app.url(&format!("/api/v1/attempts/{id}/items/1"))).json(&json!({"choices": key[0]})).send().await.unwrap();
    // Past the deadline but within grace: still accepted.
    expire(&app, id, 2).await;
    let r = me
        .put(app.url(&format!("/api/v1/attempts/{id}/items/2")))
        .json(&json!({"choices": key[1]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Past deadline + grace: refused, and the attempt is final with the two saved answers.
    expire(&app, id, 6).await;
    let (s, e) = json_of(
        me.put(app.url(&format!("/api/v1/attempts/{id}/items/3")))
            .json(&json!({"choices": key[2]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(e["error"].as_str().unwrap().contains("hết thời gian"), "{e}");
    let (_, view) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    assert_eq!(view["state"], "expired");
    assert_eq!(view["result"]["score"], 2);
    assert_eq!(view["result"]["duration_ms"], 600_000, "an expired attempt used exactly the time allowed");
    let (s, _) = json_of(me.post(app.url(&format!("/api/v1/attempts/{id}/submit"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "a submit after finalization returns the result");
}

#[actix_web::test]
async fn the_sweeper_finalizes_expired_attempts_on_its_own() {
    let app = spawn_app().await;
    let (_, round) = setup_round(&app, json!({"grace_s": 0})).await;
    let me = official(&app, "canbo6", "SNV").await;
    let (_, paper) = json_of(me.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    let id = paper["attempt_id"].as_i64().unwrap();
    let key = key_of(&app, id).await;
    me.put(app.url(&format!("/api/v1/attempts/{id}/items/1"))).json(&json!({"choices": key[0]})).send().await.unwrap();
    expire(&app, id, 1).await;
    let mut state = String::new();
    for _ in 0..50 {
        let a = app.state.read(move |c| hoithi::db::attempts::find_attempt(c, id)).await.unwrap().unwrap();
        state = a.state.clone();
        if a.is_final() {
            assert_eq!(a.score, 1);
            assert_eq!(
                a.duration_ms,
                Some((a.deadline_at - a.started_at).num_milliseconds()),
                "duration never exceeds the limit"
            );
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(state, "expired", "the sweeper runs at least every 5 seconds");
    let (_, board) =
        json_of(me.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(board["entries"][0]["score"], 1);
}

#[actix_web::test]
async fn ties_rank_by_prediction_then_time_and_the_best_attempt_counts() {
    let app = spawn_app().await;
    let (org, round) = setup_round(&app, json!({"attempts_allowed": 2})).await;
    let a = official(&app, "canbo7", "SNV").await;
    let b = official(&app, "canbo8", "QN").await;
    let take = |c: reqwest::Client, right: usize, prediction: Option<i64>| {
        let app = &app;
        async move {
            let (_, paper) =
                json_of(c.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
            let id = paper["attempt_id"].as_i64().unwrap();
            let key = key_of(app, id).await;
            for (i, k) in key.iter().enumerate().take(right) {
                c.put(app.url(&format!("/api/v1/attempts/{id}/items/{}", i + 1)))
                    .json(&json!({"choices": k}))
                    .send()
                    .await
                    .unwrap();
            }
            let body = match prediction {
                Some(p) => json!({"prediction": p}),
                None => json!({}),
            };
            json_of(c.post(app.url(&format!("/api/v1/attempts/{id}/submit"))).json(&body).send().await.unwrap()).await.1
        }
    };
    // a: 5/5 without a prediction; b: 3/5, then 5/5 predicting 1.
    take(a.clone(), 5, None).await;
    take(b.clone(), 3, Some(1)).await;
    let (_, board) =
        json_of(a.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(board["entries"][0]["name"], "Người dùng canbo7");
    take(b.clone(), 5, Some(1)).await;
    let (_, board) =
        json_of(a.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    // Same score: the entry with a prediction ranks before the one without.
    assert_eq!(board["total"], 2);
    assert_eq!(board["entries"][0]["name"], "Người dùng canbo8");
    assert_eq!(board["entries"][0]["score"], 5);
    assert_eq!(board["entries"][1]["rank"], 2);
    assert_eq!(board["me"]["rank"], 2, "my position");
    let (_, units) = json_of(a.get(app.url(&format!("/api/v1/rounds/{round}/units"))).send().await.unwrap()).await;
    let qn = units["units"].as_array().unwrap().iter().find(|u| u["code"] == "QN").unwrap().clone();
    assert_eq!(qn["participants"], 1, "two attempts, one participant");
    assert_eq!(qn["full_marks"], 1);
    assert_eq!(qn["avg_score"], 5.0, "the best attempt counts");
    // Closing makes the board final.
    org.post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap();
    let (_, board) =
        json_of(a.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(board["provisional"], false);
}

#[actix_web::test]
async fn a_wrong_key_is_corrected_and_everyone_regraded() {
    let app = spawn_app().await;
    let (org, round) = setup_round(&app, json!({})).await;
    let me = official(&app, "canbo9", "SNV").await;
    let (_, paper) = json_of(me.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    let id = paper["attempt_id"].as_i64().unwrap();
    let key = key_of(&app, id).await;
    for (i, k) in key.iter().enumerate() {
        me.put(app.url(&format!("/api/v1/attempts/{id}/items/{}", i + 1)))
            .json(&json!({"choices": k}))
            .send()
            .await
            .unwrap();
    }
    let (_, r) = json_of(me.post(app.url(&format!("/api/v1/attempts/{id}/submit"))).send().await.unwrap()).await;
    assert_eq!(r["score"], 5);
    let items = app.state.read(move |c| hoithi::db::attempts::load_items(c, id)).await.unwrap();
    let (bank_q1, bank_q2) = (items[0].clone(), items[1].clone());
    let bank_of = |qid: i64| {
        let st = app.state.clone();
        async move {
            st.read(move |c| {
                use hoithi::db::schema::{banks, questions};
                questions::table
                    .inner_join(banks::table)
                    .filter(questions::id.eq(qid))
                    .select(banks::slug)
                    .first::<String>(c)
            })
            .await
            .unwrap()
        }
    };
    // Re-key item 1 to a wrong letter: the participant loses a point.
    let slug1 = bank_of(bank_q1.question_id).await;
    let file_answer = bank_q1.option_order[bank_q1.answer_display[0]];
    let other_letter = hoithi::domain::bank::letter((file_answer + 1) % bank_q1.options.len()).to_string();
    let rekey = |slug: String, key: String, body: Value| {
        org.post(app.url(&format!("/api/v1/questions/{slug}/{key}/rekey"))).json(&body).send()
    };
    let (s, e) = json_of(
        rekey(slug1.clone(), bank_q1.key.clone(), json!({"answer": other_letter, "reason": ""})).await.unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required: {e}");
    let (s, n) = json_of(
        rekey(slug1.clone(), bank_q1.key.clone(), json!({"answer": other_letter, "reason": "Đáp án gốc sai"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{n}");
    assert_eq!(n["regraded"], 1);
    let (_, view) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    assert_eq!(view["result"]["score"], 4);
    let (_, board) =
        json_of(me.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(board["entries"][0]["score"], 4);
    // Void item 2: it counts for nobody (max 4, score 3).
    let slug2 = bank_of(bank_q2.question_id).await;
    let (s, _) = json_of(
        org.post(app.url(&format!("/api/v1/questions/{slug2}/{}/void", bank_q2.key)))
            .json(&json!({"reason": "Câu hỏi gây tranh cãi"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, view) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    assert_eq!(
        (view["result"]["score"].clone(), view["result"]["max_score"].clone(), view["result"]["total"].clone()),
        (json!(3), json!(4), json!(4))
    );
    let (_, units) = json_of(me.get(app.url(&format!("/api/v1/rounds/{round}/units"))).send().await.unwrap()).await;
    let snv = units["units"].as_array().unwrap().iter().find(|u| u["code"] == "SNV").unwrap().clone();
    assert_eq!(snv["avg_score"], 3.0);
    // Both are in the audit log; officials cannot do it.
    let audit = app.state.read(|c| hoithi::db::audit::list_audit(c, 50)).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "question.rekey" && a.detail.contains("Đáp án gốc sai")));
    assert!(audit.iter().any(|a| a.action == "question.void"));
    assert_eq!(
        me.post(app.url(&format!("/api/v1/questions/{slug2}/{}/void", bank_q2.key)))
            .json(&json!({"reason": "x"}))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let (s, _) = json_of(
        org.post(app.url("/api/v1/questions/mot-cua/khong-co/void"))
            .json(&json!({"reason": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_attempt_page_works_without_javascript() {
    let app = spawn_app().await;
    let (_, round) = setup_round(&app, json!({})).await;
    app.create_user("canbo10", "official", Some("SNV"), "mat-khau-can-bo").await;
    app.form_login("canbo10", "mat-khau-can-bo").await;
    let home = app.get_text("/").await.1;
    assert!(home.contains("Vào thi"), "{home}");
    let token = crate::helpers::extract_csrf(&home).unwrap();
    let r = app.post_form(&format!("/rounds/{round}/start"), &[("csrf", &token)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let (s, html) = app.get_text(&location).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.len() < 50 * 1024, "page is {} bytes", html.len());
    assert!(html.contains("name=\"q1\"") && html.contains("Nộp bài"));
    let key = key_of(&app, id).await;
    let mut form: Vec<(String, String)> = vec![("csrf".into(), token.clone()), ("prediction".into(), "12".into())];
    for (i, k) in key.iter().enumerate() {
        for c in k {
            form.push((format!("q{}", i + 1), c.to_string()));
        }
    }
    let r = app.client.post(app.url(&location)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, result) = app.get_text(&format!("/attempts/{id}/result")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(result.contains("5 / 5"), "{result}");
    assert!(result.contains("Đáp án và giải thích"));
    let a = app.state.read(move |c| hoithi::db::attempts::find_attempt(c, id)).await.unwrap().unwrap();
    assert_eq!(a.prediction, Some(12));
}

#[actix_web::test]
async fn prediction_errors_become_final_when_the_round_closes() {
    let app = spawn_app().await;
    let (org, round) = setup_round(&app, json!({"grace_s": 0})).await;
    // Three officials with full marks; a predicts 9 and finishes first, b predicts 3 (the truth), c gives none.
    let mut ids = Vec::new();
    for (name, prediction) in [("cb-a", Some(9)), ("cb-b", Some(3)), ("cb-c", None)] {
        let c = official(&app, name, "SNV").await;
        let (_, paper) =
            json_of(c.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
        let id = paper["attempt_id"].as_i64().unwrap();
        for (i, k) in key_of(&app, id).await.iter().enumerate() {
            c.put(app.url(&format!("/api/v1/attempts/{id}/items/{}", i + 1)))
                .json(&json!({"choices": k}))
                .send()
                .await
                .unwrap();
        }
        let body = prediction.map(|p| json!({"prediction": p})).unwrap_or(json!({}));
        c.post(app.url(&format!("/api/v1/attempts/{id}/submit"))).json(&body).send().await.unwrap();
        ids.push(id);
    }
    let names = |board: &Value| {
        board["entries"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let (_, board) =
        json_of(org.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    // Provisional: every prediction counts the same; no prediction ranks last.
    assert_eq!(names(&board)[2], "Người dùng cb-c");
    org.post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap();
    let mut finalized = false;
    for _ in 0..50 {
        let r = app.state.read(move |c| hoithi::db::contests::find_round(c, round)).await.unwrap();
        if r.finalized_at.is_some() {
            finalized = true;
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(finalized, "the sweeper makes the prediction errors final after the close");
    let (_, board) =
        json_of(org.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(board["provisional"], false);
    assert_eq!(
        names(&board),
        ["Người dùng cb-b", "Người dùng cb-a", "Người dùng cb-c"],
        "3 full marks: b's error 0, a's 6"
    );
}
