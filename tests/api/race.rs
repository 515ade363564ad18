//! Answers racing a submit (promise 3 under load): every save acknowledged
//! is in the grade, and every save that is not is refused with 409. On
//! PostgreSQL the save and the finalize contend for the attempt's row lock
//! (see `db::attempts::store_answer_if_open`); on SQLite writes are serial.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn saves_racing_a_submit_are_either_graded_or_refused() {
    let app = spawn_app().await;
    let blueprint = json!([{"bank": "mot-cua", "count": 12}]);
    let (_, round) =
        app.setup_round(json!({"blueprint": blueprint, "attempts_allowed": 30, "prediction": false})).await;
    let me = app.official("cb-dua", "SNV").await;
    let (mut acknowledged_total, mut refused_total) = (0, 0);
    for n in 0..25u64 {
        let paper = app.start(&me, round).await;
        let id = paper["attempt_id"].as_i64().expect("attempt id");
        let key = app.key_of(id).await;
        // Each of 12 positions is saved once, with its right answer, while a
        // submit goes in among them, a little later on each paper (so that
        // over the papers it overtakes none, some and all of the saves).
        let saves = key.iter().enumerate().map(|(i, k)| {
            let (me, url) = (me.clone(), app.url(&format!("/api/v1/attempts/{id}/items/{}", i + 1)));
            let body = json!({"choices": k});
            async move { me.put(url).json(&body).send().await.expect("PUT").status() }
        });
        let submit = {
            let (me, url) = (me.clone(), app.url(&format!("/api/v1/attempts/{id}/submit")));
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(n / 2)).await;
                me.post(url).json(&json!({})).send().await.expect("submit").status()
            }
        };
        let (statuses, submitted) = futures_util::future::join(futures_util::future::join_all(saves), submit).await;
        assert_eq!(submitted, StatusCode::OK);
        let acknowledged: Vec<usize> =
            statuses.iter().enumerate().filter(|(_, s)| **s == StatusCode::OK).map(|(i, _)| i + 1).collect();
        for s in &statuses {
            assert!(*s == StatusCode::OK || *s == StatusCode::CONFLICT, "a save got {s}");
        }
        let items = app.items(id).await;
        for item in &items {
            let stored = !item.choices.is_empty();
            let acked = acknowledged.contains(&(item.position as usize));
            assert_eq!(stored, acked, "position {}: stored {stored}, acknowledged {acked}", item.position);
        }
        let a = app.state.read(move |c| hoithi::db::attempts::find_attempt(c, id)).await.unwrap().unwrap();
        assert!(a.is_final());
        assert_eq!(a.correct as usize, acknowledged.len(), "every acknowledged (right) answer is graded");
        acknowledged_total += acknowledged.len();
        refused_total += statuses.len() - acknowledged.len();
    }
    // The race was real: over 25 papers some saves landed and some came too late.
    assert!(acknowledged_total > 0, "no save was acknowledged");
    assert!(refused_total > 0, "no save was refused: the submit never overtook a save");
}
