//! The prediction question ("how many will answer every question
//! right?"): its errors become final when the round closes, and a saved
//! prediction survives a reload and the end of time.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{json_of, spawn_app};

#[actix_web::test]
async fn prediction_errors_become_final_when_the_round_closes() {
    let app = spawn_app().await;
    let (org, round) = app.setup_round(json!({"grace_s": 0})).await;
    // Three officials with full marks; a predicts 9 and is fastest, b predicts 3 (the truth), c gives none.
    app.clock.freeze_at(hoithi::clock::Clock::now(&*app.clock));
    for (name, prediction, seconds) in [("cb-a", Some(9), 10), ("cb-b", Some(3), 20), ("cb-c", None, 5)] {
        let c = app.official(name, "SNV").await;
        let id = app.start(&c, round).await["attempt_id"].as_i64().unwrap();
        app.answer_all(&c, id, &[]).await;
        app.advance(Duration::seconds(seconds));
        match prediction {
            Some(_) => {
                app.submit(&c, id, prediction).await;
            }
            // No prediction: the submit is refused before the deadline, and
            // the paper ends when its time is up with the answers it holds.
            None => {
                let r =
                    c.post(app.url(&format!("/api/v1/attempts/{id}/submit"))).json(&json!({})).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
                app.advance(Duration::seconds(600));
                assert_eq!(app.sweep().await.attempts, 1);
            }
        }
    }
    let names = |board: &Value| {
        board["entries"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let (_, board) =
        json_of(org.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    // Provisional: every prediction counts the same; no prediction ranks last.
    assert_eq!(names(&board), ["cb-a V. T.", "cb-b V. T.", "cb-c V. T."]);
    org.post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap();
    assert_eq!(app.sweep().await.rounds, 0, "not before the grace has passed");
    app.advance(Duration::seconds(1));
    assert_eq!(app.sweep().await.rounds, 1, "the sweep makes the prediction errors final after the close");
    let (_, board) =
        json_of(org.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(board["provisional"], false);
    assert_eq!(names(&board), ["cb-b V. T.", "cb-a V. T.", "cb-c V. T."], "3 full marks: b's error 0, a's 6");
}

#[actix_web::test]
async fn a_saved_prediction_survives_a_reload_and_the_end_of_time() {
    let app = spawn_app().await;
    let (org, round) = app.setup_round(json!({})).await;
    let me = app.official("canbo30", "SNV").await;
    let id = app.start(&me, round).await["attempt_id"].as_i64().unwrap();
    let put = |body: Value| {
        let (me, url) = (me.clone(), app.url(&format!("/api/v1/attempts/{id}/prediction")));
        async move { json_of(me.put(url).json(&body).send().await.unwrap()).await }
    };
    for bad in [json!({"prediction": -1}), json!({"prediction": 100_000_001}), json!({"prediction": "ba"}), json!({})] {
        let (s, body) = put(bad.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{body}");
    }
    let (s, saved) = put(json!({"prediction": 42})).await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    // A reload (the paper again) carries it, on the page and in the API.
    let (_, paper) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    assert_eq!(paper["prediction"], 42);
    let html = me.get(app.url(&format!("/attempts/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"name="prediction" min="0" max="100000000" inputmode="numeric" value="42""#), "{html}");
    // Someone else cannot set it.
    let other = app.official("canbo31", "SNV").await;
    let r = other.put(app.url(&format!("/api/v1/attempts/{id}/prediction"))).json(&json!({"prediction": 1})).send();
    assert_eq!(r.await.unwrap().status(), StatusCode::NOT_FOUND);
    // Time runs out: the sweep ends the paper with the saved prediction.
    app.advance(Duration::seconds(700));
    assert_eq!(app.sweep().await.attempts, 1);
    let a = app.state.read(move |c| hoithi::db::attempts::find_attempt(c, id)).await.unwrap().unwrap();
    assert_eq!(a.prediction, Some(42));
    let (s, _) = put(json!({"prediction": 7})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // A round without the question takes no prediction.
    let plain =
        app.round(&org, "tuan-le", json!({"prediction": false, "opens_at": app.at(-1), "closes_at": app.at(60)})).await;
    let id2 = app.start(&me, plain).await["attempt_id"].as_i64().unwrap();
    let r = me.put(app.url(&format!("/api/v1/attempts/{id2}/prediction"))).json(&json!({"prediction": 3})).send();
    let (s, body) = json_of(r.await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"].as_str().unwrap().contains("không có câu dự đoán"), "{body}");
    // …and submits without one.
    app.submit(&me, id2, None).await;
}
