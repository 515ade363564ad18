//! Promise 3 against the real binary: a process killed with SIGKILL loses no
//! acknowledged answer, and the attempt resumes on restart with the same
//! paper and the true remaining time (the timer is a timestamp in the
//! database, so the time the server was down counts).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_PASSWORD, TestDb, at, free_port, json_of, new_client};

/// The binary, serving on its own port and database; killed with SIGKILL
/// when dropped if the test did not do it (so a failing test leaves no
/// server behind).
struct Server {
    child: Option<Child>,
    log: PathBuf,
}

impl Server {
    fn start(db: &TestDb, port: u16, secret: &str, n: u32) -> Self {
        let s = db.settings();
        let url = match &s.database {
            hoithi::configuration::DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            hoithi::configuration::DatabaseUrl::Postgres(u) => u.clone(),
        };
        let config = db.dir.path().join("hoithi.toml");
        std::fs::write(&config, format!("bind = \"127.0.0.1:{port}\"\n")).unwrap();
        let log = db.dir.path().join(format!("server-{n}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_hoithi"))
            .env_clear()
            .env("DATABASE_URL", &url)
            .env("HOITHI_DATA_DIR", &s.data_dir)
            .env("HOITHI_SECRET_KEY", secret)
            .env("HOITHI_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("HOITHI_DEMO", "0")
            .env("HOITHI_CONFIG", &config)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Server { child: Some(child), log }
    }

    /// Waits for `/healthz`; on failure shows the server's log.
    async fn wait_healthy(&mut self, base: &str) {
        let client = reqwest::Client::new();
        let t = Instant::now();
        loop {
            if let Ok(r) = client.get(format!("{base}/healthz")).send().await
                && r.status() == 200
            {
                return;
            }
            if let Some(code) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("the server exited with {code:?}:\n{}", std::fs::read_to_string(&self.log).unwrap_or_default());
            }
            assert!(t.elapsed() < Duration::from_secs(60), "never healthy");
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `kill -KILL pid`: no shutdown hook, no flush, no graceful anything.
    fn kill_9(&mut self) {
        let mut child = self.child.take().unwrap();
        let status = Command::new("kill").arg("-KILL").arg(child.id().to_string()).status().unwrap();
        assert!(status.success());
        let code = child.wait().unwrap();
        assert!(!code.success(), "killed by a signal, got {code:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

async fn login(base: &str, username: &str, password: &str) -> reqwest::Client {
    let c = new_client();
    let r = c
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "login {username}");
    c
}

/// GETs the attempt; returns the view and the instant the server most
/// likely computed `remaining_ms` (midway through the request).
async fn view_at(c: &reqwest::Client, base: &str, id: i64) -> (StatusCode, Value, Instant) {
    let sent = Instant::now();
    let r = c.get(format!("{base}/api/v1/attempts/{id}")).send().await.unwrap();
    let received = Instant::now();
    let (s, v) = json_of(r).await;
    (s, v, sent + (received - sent) / 2)
}

#[actix_web::test]
async fn sigkill_loses_no_acknowledged_answer_and_the_attempt_resumes_with_the_true_remaining_time() {
    let db = TestDb::new();
    let secret = crate::helpers::random_hex(32);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");

    let mut first = Server::start(&db, port, &secret, 1);
    first.wait_healthy(&base).await;

    // Set up through the JSON API: an organizer, a contest, a published round of 600 s, an official.
    let admin = login(&base, "admin", ADMIN_PASSWORD).await;
    for (username, role, unit, password) in
        [("btc", "organizer", None, "mat-khau-btc-1"), ("canbo", "official", Some("SNV"), "mat-khau-can-bo")]
    {
        let (s, body) = json_of(
            admin
                .post(format!("{base}/api/v1/users"))
                .json(&json!({"username": username, "full_name": crate::helpers::full_name(username),
                    "role": role, "unit_code": unit, "password": password}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    let org = login(&base, "btc", "mat-khau-btc-1").await;
    let (s, body) = json_of(
        org.post(format!("{base}/api/v1/contests"))
            .json(&json!({"slug": "tuan-le", "title": "Tìm hiểu CCHC", "audience": "officials"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, round) = json_of(
        org.post(format!("{base}/api/v1/contests/tuan-le/rounds"))
            .json(&json!({
                "title": "Tuần 1", "opens_at": at(-5), "closes_at": at(60), "duration_s": 600,
                "blueprint": [{"bank": "mot-cua", "count": 4}, {"bank": "cai-cach-hanh-chinh", "count": 3}],
                "attempts_allowed": 1, "prediction": true, "reveal": "after_submit",
            }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{round}");
    let round = round["id"].as_i64().unwrap();
    let r = org.post(format!("{base}/api/v1/rounds/{round}/publish")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // The official starts and answers all but the last item, each acknowledged with a 200.
    let me = login(&base, "canbo", "mat-khau-can-bo").await;
    let (s, paper) = json_of(me.post(format!("{base}/api/v1/rounds/{round}/attempts")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{paper}");
    let id = paper["attempt_id"].as_i64().unwrap();
    let items = paper["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 7);
    let mut acknowledged: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, item) in items.iter().enumerate().take(items.len() - 1) {
        let n = item["options"].as_array().unwrap().len();
        let choices = if item["kind"] == "multiple" { vec![0, n - 1] } else { vec![(i * 7 + 1) % n] };
        // Changing an answer: only the last one acknowledged counts.
        if i == 1 {
            let r = me
                .put(format!("{base}/api/v1/attempts/{id}/items/{}", i + 1))
                .json(&json!({"choices": [(choices[0] + 1) % n]}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        let r = me
            .put(format!("{base}/api/v1/attempts/{id}/items/{}", i + 1))
            .json(&json!({"choices": choices}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "answer {}", i + 1);
        acknowledged.insert(i + 1, choices);
    }
    let (s, before, before_at) = view_at(&me, &base, id).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(before["state"], "in_progress");
    let remaining_before = before["remaining_ms"].as_i64().unwrap();
    assert!(remaining_before > 500_000 && remaining_before <= 600_000, "{remaining_before}");

    // One more answer, acknowledged, then SIGKILL at once: nothing gets a chance to flush.
    let last = items.len();
    let n_last = items[last - 1]["options"].as_array().unwrap().len();
    let r = me
        .put(format!("{base}/api/v1/attempts/{id}/items/{last}"))
        .json(&json!({"choices": [n_last - 1]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    acknowledged.insert(last, vec![n_last - 1]);
    first.kill_9();

    // Down for a while: the clock keeps running for the participant.
    actix_web::rt::time::sleep(Duration::from_secs(4)).await;
    let mut second = Server::start(&db, port, &secret, 2);
    second.wait_healthy(&base).await;

    // The old session cookie still works (signed with the same key, no server-side session).
    let (s, old_cookie_view, _) = view_at(&me, &base, id).await;
    assert_eq!(s, StatusCode::OK, "the session survives a restart: {old_cookie_view}");
    // And so does a fresh login; this view is the one measured.
    let again = login(&base, "canbo", "mat-khau-can-bo").await;
    let (s, after, after_at) = view_at(&again, &base, id).await;
    assert_eq!(s, StatusCode::OK, "{after}");

    assert_eq!(after["state"], "in_progress", "{after}");
    for field in ["attempt_id", "round_id", "started_at", "deadline_at"] {
        assert_eq!(after[field], before[field], "{field}");
    }
    // The same paper: items, texts, kinds, options in the same order.
    let paper_of = |v: &Value| -> Vec<Value> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| json!([i["position"], i["kind"], i["text"], i["options"]]))
            .collect()
    };
    assert_eq!(paper_of(&after), paper_of(&paper), "the paper changed across the crash");
    // Every acknowledged answer, including the one just before the kill.
    let saved: BTreeMap<usize, Vec<usize>> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let pos = i["position"].as_u64().unwrap() as usize;
            let choices = i["choices"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap() as usize).collect();
            (pos, choices)
        })
        .collect();
    assert_eq!(saved, acknowledged, "acknowledged answers lost or changed");
    assert_eq!(old_cookie_view["items"], after["items"]);
    // The true remaining time: what was left, less the wall time since (the downtime included).
    let remaining_after = after["remaining_ms"].as_i64().unwrap();
    let elapsed = (after_at - before_at).as_millis() as i64;
    let expected = remaining_before - elapsed;
    assert!(elapsed >= 4_000, "{elapsed}");
    assert!(
        (remaining_after - expected).abs() <= 2_000,
        "remaining {remaining_after} ms after the restart; expected about {expected} ms \
         ({remaining_before} ms before, {elapsed} ms since)"
    );
    assert!(remaining_after < 600_000 - 4_000, "the timer was reset: {remaining_after}");

    // Resuming through start gives the same attempt, not a new one.
    let (s, resumed) =
        json_of(again.post(format!("{base}/api/v1/rounds/{round}/attempts")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{resumed}");
    assert_eq!(resumed["attempt_id"], id);

    // Submit works, and grades exactly the acknowledged answers.
    let (s, result) = json_of(
        again.post(format!("{base}/api/v1/attempts/{id}/submit")).json(&json!({"prediction": 3})).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{result}");
    let (_, done, _) = view_at(&again, &base, id).await;
    assert_eq!(done["state"], "submitted");
    let review = done["review"].as_array().expect("review after submit");
    let expected_score = review
        .iter()
        .filter(|r| {
            let pos = r["position"].as_u64().unwrap() as usize;
            let mut key: Vec<usize> =
                r["correct_choices"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap() as usize).collect();
            key.sort_unstable();
            let mut chosen = acknowledged.get(&pos).cloned().unwrap_or_default();
            chosen.sort_unstable();
            r["voided"] == false && !chosen.is_empty() && chosen == key
        })
        .count();
    assert_eq!(result["score"], expected_score as i64, "{result}");
    assert_eq!(result["max_score"], 7);
    let duration = result["duration_ms"].as_i64().unwrap();
    assert!(
        duration >= 4_000 && duration <= 600_000 - remaining_after + 2_000,
        "the downtime counts in the duration: {duration}"
    );
    drop(second);
}
