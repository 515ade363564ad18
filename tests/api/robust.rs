//! Clear errors, never a 500: races on unique indexes, a busy or locked
//! database, a database that cannot write, chunked bodies, API writes
//! without a JSON body, spreadsheet formulas in names.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, bare_client, json_of, new_client, spawn_app};

#[actix_web::test]
async fn starting_from_two_devices_at_once_gives_both_the_same_attempt() {
    let app = spawn_app().await;
    let (_, round) = app.setup_round(json!({"attempts_allowed": 20})).await;
    app.create_user("canbo", "official", Some("SNV"), "mat-khau-can-bo").await;
    let phone = app.client_for("canbo", "mat-khau-can-bo").await;
    let laptop = app.client_for("canbo", "mat-khau-can-bo").await;
    for i in 0..10 {
        let url = app.url(&format!("/api/v1/rounds/{round}/attempts"));
        let (a, b) = tokio::join!(phone.post(&url).send(), laptop.post(&url).send());
        let ((sa, va), (sb, vb)) = (json_of(a.unwrap()).await, json_of(b.unwrap()).await);
        assert!(sa.is_success() && sb.is_success(), "try {i}: {sa} {va} / {sb} {vb}");
        assert_eq!(va["attempt_id"], vb["attempt_id"], "try {i}: one attempt for both devices");
        app.submit(&phone, va["attempt_id"].as_i64().unwrap(), Some(0)).await;
    }
}

#[actix_web::test]
async fn rounds_created_in_parallel_all_get_a_number() {
    let app = spawn_app().await;
    let org = app.organizer("btc").await;
    app.contest(&org, "song-song", json!({})).await;
    let body = |i: usize| {
        json!({"title": format!("Vòng {i}"), "opens_at": app.at(0), "closes_at": app.at(60), "duration_s": 600,
               "blueprint": [{"bank": "mot-cua", "count": 1}]})
    };
    let url = app.url("/api/v1/contests/song-song/rounds");
    let sends: Vec<_> = (0..6).map(|i| actix_web::rt::spawn(org.post(&url).json(&body(i)).send())).collect();
    let mut numbers = Vec::new();
    for r in sends {
        let (s, v) = json_of(r.await.unwrap().unwrap()).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        numbers.push(v["number"].as_i64().unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
}

/// Holds the database's write lock (SQLite) or the attempt's row lock
/// (PostgreSQL) from another connection for `for_s` seconds.
fn hold_lock(app: &TestApp, attempt: i64, for_s: u64) -> std::thread::JoinHandle<()> {
    let url = app.db.url.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || match url {
        hoithi::configuration::DatabaseUrl::Sqlite(p) => {
            let mut c = SqliteConnection::establish(&p.to_string_lossy()).unwrap();
            diesel::sql_query("BEGIN EXCLUSIVE").execute(&mut c).unwrap();
            tx.send(()).unwrap();
            std::thread::sleep(Duration::from_secs(for_s));
            diesel::sql_query("ROLLBACK").execute(&mut c).unwrap();
        }
        hoithi::configuration::DatabaseUrl::Postgres(u) => {
            let mut c = PgConnection::establish(&u).unwrap();
            diesel::sql_query("BEGIN").execute(&mut c).unwrap();
            diesel::sql_query(format!("SELECT id FROM attempts WHERE id = {attempt} FOR UPDATE"))
                .execute(&mut c)
                .unwrap();
            tx.send(()).unwrap();
            std::thread::sleep(Duration::from_secs(for_s));
            diesel::sql_query("ROLLBACK").execute(&mut c).unwrap();
        }
    });
    rx.recv().unwrap();
    handle
}

#[actix_web::test]
async fn a_locked_database_answers_503_with_retry_after_and_reads_go_on() {
    let app = spawn_app().await;
    let (_, round) = app.setup_round(json!({"duration_s": 3600})).await;
    let me = app.official("canbo", "SNV").await;
    let id = app.start(&me, round).await["attempt_id"].as_i64().unwrap();
    let lock = hold_lock(&app, id, 8);
    let anon = bare_client();
    let t = Instant::now();
    let board = anon.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap();
    assert_eq!(board.status(), StatusCode::OK);
    assert!(t.elapsed() < Duration::from_secs(2), "reads do not queue behind a lock: {:?}", t.elapsed());
    let t = Instant::now();
    let r =
        me.put(app.url(&format!("/api/v1/attempts/{id}/items/1"))).json(&json!({"choices": [0]})).send().await.unwrap();
    let waited = t.elapsed();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "{}", r.text().await.unwrap_or_default());
    assert!(waited < Duration::from_secs(8), "a bounded wait: {waited:?}");
    lock.join().unwrap();
    // Once the lock is gone the same answer is taken, and nothing was harmed.
    let r =
        me.put(app.url(&format!("/api/v1/attempts/{id}/items/1"))).json(&json!({"choices": [0]})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[actix_web::test]
async fn the_busy_answer_says_when_to_come_back() {
    let app = spawn_app().await;
    let (_, round) = app.setup_round(json!({"duration_s": 3600})).await;
    let me = app.official("canbo", "SNV").await;
    let id = app.start(&me, round).await["attempt_id"].as_i64().unwrap();
    let lock = hold_lock(&app, id, 8);
    let r = me
        .post(app.url(&format!("/api/v1/attempts/{id}/submit")))
        .json(&json!({"prediction": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "2");
    assert!(r.text().await.unwrap().contains("bận"));
    lock.join().unwrap();
}

#[actix_web::test]
async fn a_database_that_cannot_write_fails_the_health_check_and_saves_get_503() {
    let app = spawn_app().await;
    let (_, round) = app.setup_round(json!({"duration_s": 3600})).await;
    let me = app.official("canbo", "SNV").await;
    let id = app.start(&me, round).await["attempt_id"].as_i64().unwrap();
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let read_only = |on: bool| match app.db.postgres() {
        Some((base, name)) => {
            let mut admin = PgConnection::establish(base).unwrap();
            let v = if on { "on" } else { "off" };
            diesel::sql_query(format!("ALTER DATABASE {name} SET default_transaction_read_only = {v}"))
                .execute(&mut admin)
                .unwrap();
            // The pools' connections reconnect with the new default.
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            ))
            .execute(&mut admin)
            .unwrap();
        }
        None => {
            let mut w = app.state.db.writer().unwrap();
            diesel::sql_query(format!("PRAGMA query_only = {}", if on { "ON" } else { "OFF" }))
                .execute(&mut *w)
                .unwrap();
        }
    };
    read_only(true);
    let mut health = StatusCode::OK;
    for _ in 0..3 {
        // A connection killed under the pool may fail once before it is replaced.
        health = app.get("/healthz").await.status();
        if health == StatusCode::SERVICE_UNAVAILABLE {
            break;
        }
    }
    assert_eq!(health, StatusCode::SERVICE_UNAVAILABLE);
    let r =
        me.put(app.url(&format!("/api/v1/attempts/{id}/items/1"))).json(&json!({"choices": [0]})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "a save on a read-only database is a 503, not a 500");
    read_only(false);
    let mut health = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..3 {
        health = app.get("/healthz").await.status();
        if health == StatusCode::OK {
            break;
        }
    }
    assert_eq!(health, StatusCode::OK);
}

/// Sends a raw HTTP/1.1 request with a chunked body; returns the status line.
fn chunked(address: &str, path: &str, cookie: &str, body: &str) -> String {
    let host = address.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(host).unwrap();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.lines().next().unwrap_or("").to_string()
}

#[actix_web::test]
async fn a_submit_sent_chunked_keeps_its_prediction() {
    let app = spawn_app().await;
    let (_, round) = app.setup_round(json!({})).await;
    app.create_user("canbo", "official", Some("SNV"), "mat-khau-can-bo").await;
    let r = bare_client()
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "canbo", "password": "mat-khau-can-bo"}))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let me = app.client_for("canbo", "mat-khau-can-bo").await;
    let id = app.start(&me, round).await["attempt_id"].as_i64().unwrap();
    let (address, path) = (app.address.clone(), format!("/api/v1/attempts/{id}/submit"));
    let line = actix_web::web::block(move || chunked(&address, &path, &cookie, r#"{"prediction": 42}"#)).await.unwrap();
    assert!(line.contains("200"), "{line}");
    let a = app.state.read(move |c| hoithi::db::attempts::find_attempt(c, id)).await.unwrap().unwrap();
    assert_eq!(a.prediction, Some(42));
}

#[actix_web::test]
async fn an_api_write_without_a_json_body_or_header_is_refused_for_a_session() {
    let app = spawn_app().await;
    let (_, round) = app.setup_round(json!({})).await;
    // A browser session, as a form on a sibling site would use it: no header, an empty form body.
    let browser = bare_client();
    let r = browser
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "btc", "password": "mat-khau-btc-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    for path in [format!("/api/v1/rounds/{round}/close"), format!("/api/v1/rounds/{round}/attempts")] {
        let r = browser
            .post(app.url(&path))
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(r.text().await.unwrap().contains("X-Requested-With"));
    }
    let (_, view) =
        json_of(new_client().get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(view["provisional"], true, "the round was not closed");
    // With the header (a script of this site) it goes through.
    let r = browser
        .post(app.url(&format!("/api/v1/rounds/{round}/close")))
        .header("x-requested-with", "fetch")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Anonymous: still the 401 of the handler.
    let r = bare_client().post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn spreadsheet_formulas_in_names_are_neutralized_in_exports_for_people() {
    let app = spawn_app().await;
    let (org, round) = app.setup_round(json!({})).await;
    app.login_admin().await;
    let r = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "congthuc", "full_name": "=HYPERLINK(\"http://x\",\"Bấm\")", "role": "official", "unit_code": "SNV", "password": "mat-khau-can-bo"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    app.create_user("daumoi", "unit_manager", Some("SNV"), "mat-khau-dau-moi").await;
    let manager = app.client_for("daumoi", "mat-khau-dau-moi").await;
    let missing = manager
        .get(app.url(&format!("/unit/rounds/{round}/missing?format=csv")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(missing.contains("\"'=HYPERLINK("), "{missing}");
    let me = app.client_for("congthuc", "mat-khau-can-bo").await;
    let id = app.start(&me, round).await["attempt_id"].as_i64().unwrap();
    app.submit(&me, id, Some(0)).await;
    let csv =
        org.get(app.url(&format!("/api/v1/rounds/{round}/results.csv"))).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("\"'=HYPERLINK(") && !csv.contains(",=HYPERLINK") && !csv.contains("\"=HYPERLINK"), "{csv}");
}

#[actix_web::test]
async fn full_names_on_a_public_board_are_an_organizers_choice() {
    let app = spawn_app().await;
    let org = app.organizer("btc").await;
    app.contest(&org, "an-ten", json!({})).await;
    app.contest(&org, "hien-ten", json!({"show_names": true})).await;
    let me = app.official("canbo", "SNV").await;
    for slug in ["an-ten", "hien-ten"] {
        let round = app.round(&org, slug, json!({})).await;
        let id = app.start(&me, round).await["attempt_id"].as_i64().unwrap();
        app.submit(&me, id, Some(0)).await;
        let (_, board) =
            json_of(bare_client().get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap())
                .await;
        let expected = if slug == "an-ten" { "canbo V. T." } else { "canbo Văn Thử" };
        assert_eq!(board["entries"][0]["name"], expected, "{slug}");
        let html = bare_client()
            .get(app.url(&format!("/rounds/{round}/leaderboard")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(expected));
    }
    // The default of the API is masked names, and the document says so.
    let (_, c) = json_of(org.get(app.url("/api/v1/contests")).send().await.unwrap()).await;
    assert!(c.as_array().unwrap().iter().any(|c| c["slug"] == "an-ten" && c["show_names"] == false));
    let doc: serde_json::Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(
        doc["components"]["schemas"]["NewContest"]["properties"]["show_names"]["description"]
            .as_str()
            .unwrap()
            .contains("Off by default")
    );
}
