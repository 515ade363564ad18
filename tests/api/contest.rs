//! The contest flow over HTTP: organizers set up rounds, officials take
//! them, boards and exports follow; the promises of ARCHITECTURE.md.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{extract_csrf, full_name, json_of, new_client, spawn_app};

#[actix_web::test]
async fn an_official_takes_a_round_end_to_end() {
    let app = spawn_app().await;
    let (org, round) = app.setup_round(json!({"reveal": "after_close"})).await;
    let me = app.official("canbo1", "QN-LELOI").await;

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

    // Starting again resumes the same paper.
    let (s, again) = json_of(me.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["attempt_id"], id);
    assert_eq!(again["items"], paper["items"]);

    // Answer everything right but the first.
    app.answer_all(&me, id, &[1]).await;
    let key = app.key_of(id).await;
    let (_, saved) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    assert_eq!(saved["items"][1]["choices"], json!(key[1]));

    let result = app.submit(&me, id, Some(7)).await;
    assert_eq!((result["score"].clone(), result["max_score"].clone()), (json!(4), json!(5)));
    assert_eq!((result["correct"].clone(), result["total"].clone()), (json!(4), json!(5)));
    assert_eq!(result["rank"], 1);
    // A second submit returns the first result.
    assert_eq!(app.submit(&me, id, Some(99)).await, result);
    // Final: answers are refused.
    let (s, e) = json_of(
        me.put(app.url(&format!("/api/v1/attempts/{id}/items/1"))).json(&json!({"choices": [0]})).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(e["error"].as_str().unwrap().contains("đã nộp"));
    // The key waits for the close (after_close).
    let (_, view) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    assert!(view["review"].as_array().unwrap().iter().all(|r| r["revealed"] == false), "{view}");
    org.post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap();
    app.advance(Duration::seconds(11));
    let (_, view) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    assert_eq!(view["review"].as_array().unwrap().len(), 5);
    assert_eq!(view["review"][1]["correct_choices"], json!(key[1]));
    assert_eq!(view["review"][0]["answered_right"], false);

    // Boards, public and without login; names masked by default.
    let anon = new_client();
    let (s, board) =
        json_of(anon.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(board["total"], 1);
    assert_eq!(board["entries"][0]["name"], "canbo1 V. T.");
    assert_eq!(board["entries"][0]["score"], 4);
    let (_, units) = json_of(anon.get(app.url(&format!("/api/v1/rounds/{round}/units"))).send().await.unwrap()).await;
    let row = |code: &str| units["units"].as_array().unwrap().iter().find(|u| u["code"] == code).cloned().unwrap();
    assert_eq!(row("QN-LELOI")["participants"], 1);
    assert_eq!(row("QN")["participants"], 1, "rolled up to the city");
    assert_eq!(row("BD")["participants"], 1, "rolled up to the province");
    assert_eq!(row("SNV")["participants"], 0);
    assert_eq!(row("QN-LELOI")["avg_score"], 4.0);
    // The pages read as people write numbers: a duration in words with a decimal comma,
    // rates with one decimal, the parent unit by name.
    let ms = board["entries"][0]["duration_ms"].as_i64().unwrap();
    let html = anon.get(app.url(&format!("/rounds/{round}/leaderboard"))).send().await.unwrap().text().await.unwrap();
    let time = hoithi::domain::numbers::duration(ms);
    assert!(time.ends_with("giây") && html.contains(&format!(">{time}<")), "{time}: {html}");
    assert!(!html.contains("(giây)"), "{html}");
    let html = anon.get(app.url(&format!("/rounds/{round}/units"))).send().await.unwrap().text().await.unwrap();
    let parent = row("QN")["name"].as_str().unwrap().to_string();
    assert_eq!(row("QN-LELOI")["parent_name"], parent.as_str());
    assert!(html.contains(&format!("<td data-label=\"Cấp trên\">{parent}</td>")), "{html}");
    let rate = row("QN-LELOI")["rate"].as_f64().unwrap();
    assert!(html.contains(&format!("{}%", hoithi::domain::numbers::percent(rate))), "{html}");
    assert!(
        !html.contains(&format!(
            "<td data-label=\"Cấp trên\">{}</td>",
            row("QN-LELOI")["parent_code"].as_str().unwrap()
        )),
        "codes, not names"
    );
    let (_, filtered) =
        json_of(anon.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard?unit=SNV"))).send().await.unwrap()).await;
    assert_eq!(filtered["total"], 0);
    let (_, filtered) =
        json_of(anon.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard?unit=QN"))).send().await.unwrap()).await;
    assert_eq!(filtered["total"], 1);

    // The organizer's export has the full name.
    let r = org.get(app.url(&format!("/api/v1/rounds/{round}/results.csv"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    // Rank, username, full name, unit, the unit's full path, score, max, correct, time, prediction.
    let line = csv.lines().nth(1).unwrap();
    assert!(line.starts_with(&format!("1,canbo1,{},Phường Lê Lợi,", full_name("canbo1"))), "{csv}");
    assert!(line.contains(" › Phường Lê Lợi,4,5,4,"), "{csv}");
    assert!(line.ends_with(",7"), "the prediction last: {csv}");
    let r = org.get(app.url(&format!("/api/v1/rounds/{round}/results.csv?format=xlsx"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    let r = org.get(app.url(&format!("/api/v1/rounds/{round}/results.csv?format=pdf"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
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
async fn bad_requests_get_clear_4xx_answers() {
    let app = spawn_app().await;
    let (org, round) = app.setup_round(json!({"attempts_allowed": 1})).await;
    let me = app.official("canbo3", "SNV").await;
    let other = app.official("canbo4", "SNV").await;
    let paper = app.start(&me, round).await;
    let id = paper["attempt_id"].as_i64().unwrap();
    let single = paper["items"].as_array().unwrap().iter().position(|i| i["kind"] != "multiple").unwrap() + 1;

    // Invalid choices: 422, in Vietnamese.
    for (bad, needle) in [
        (json!({"choices": [9]}), "không có phương án"),
        (json!({"choices": [0, 1]}), "một phương án"),
        (json!({"choices": [0, 0]}), "hai lần"),
        (json!({"choices": "A"}), "sai kiểu dữ liệu"),
        (json!({"choice": [0]}), "không có trường \"choice\""),
        (json!({}), "thiếu trường \"choices\""),
    ] {
        let (s, e) =
            json_of(me.put(app.url(&format!("/api/v1/attempts/{id}/items/{single}"))).json(&bad).send().await.unwrap())
                .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
        assert!(e["error"].as_str().unwrap().contains(needle), "{bad}: {e}");
    }
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
    let r = other.put(app.url(&format!("/api/v1/attempts/{id}/items/1"))).json(&json!({"choices": [0]})).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::NOT_FOUND);
    let r = other.post(app.url(&format!("/api/v1/attempts/{id}/submit"))).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(other.get(app.url(&format!("/attempts/{id}"))).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    // Nothing of the owner's attempt changed.
    let (_, view) = json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
    assert!(view["items"].as_array().unwrap().iter().all(|i| i["choices"] == json!([])));

    // Attempts used up: 409.
    app.submit(&me, id, Some(0)).await;
    let (s, e) = json_of(me.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(e["error"].as_str().unwrap().contains("hết 1 lượt"), "{e}");
    // A round that is not open: 409; unknown or not a number: 404.
    org.post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap();
    let (s, _) = json_of(other.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CONFLICT);
    for path in ["/api/v1/rounds/999/attempts", "/api/v1/rounds/abc/attempts"] {
        let (s, e) = json_of(other.post(app.url(path)).send().await.unwrap()).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        assert!(e["error"].is_string());
    }
    // An edit after people started: 409.
    let (s, e) = json_of(
        org.patch(app.url(&format!("/api/v1/rounds/{round}"))).json(&json!({"title": "Khác"})).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    // A query that does not parse: 400 in Vietnamese.
    let (s, e) =
        json_of(other.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard?limit=x"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["error"].as_str().unwrap().contains("không hợp lệ"), "{e}");
}

#[actix_web::test]
async fn organizers_get_clear_answers_and_only_manage_their_own_contests() {
    let app = spawn_app().await;
    let (org, round) = app.setup_round(json!({})).await;
    let ok = |extra: Value| {
        let mut b = json!({"title": "T2", "opens_at": app.at(0), "closes_at": app.at(60), "duration_s": 600, "blueprint": [{"bank": "mot-cua", "count": 1}]});
        crate::helpers::merge(&mut b, extra);
        b
    };
    for (body, needle) in [
        (ok(json!({"blueprint": [{"bank": "mot-cua", "difficulty": "hard", "count": 150}]})), "chỉ có"),
        (ok(json!({"opens_at": app.at(60), "closes_at": app.at(0)})), "sau thời điểm bắt đầu"),
        (ok(json!({"opens_at": "mai"})), "RFC 3339"),
        (ok(json!({"blueprint": []})), "ít nhất một dòng"),
        (ok(json!({"blueprint": [{"bank": "khong-co", "count": 1}]})), "chỉ có 0"),
        (ok(json!({"reveal": "sometimes"})), "after_submit"),
        (ok(json!({"duration_s": 29})), "30 giây"),
        (ok(json!({"title": "Tuần\u{202e}1"})), "ký tự không hợp lệ"),
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
    let other = app.organizer("btc2").await;
    let r = other.patch(app.url("/api/v1/contests/tuan-le")).json(&json!({"title": "X"})).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        other.post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let r = other.get(app.url(&format!("/api/v1/rounds/{round}/results.csv"))).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::FORBIDDEN);
    // An admin can.
    app.login_admin().await;
    let r = app
        .client
        .patch(app.url("/api/v1/contests/tuan-le"))
        .json(&json!({"title": "Tìm hiểu CCHC 2026"}))
        .send()
        .await;
    assert_eq!(r.unwrap().status(), StatusCode::OK);
    // Organizers may try a round but are never ranked.
    let paper = app.start(&org, round).await;
    let id = paper["attempt_id"].as_i64().unwrap();
    let result = app.submit(&org, id, Some(0)).await;
    assert!(result["rank"].is_null());
    let (_, board) =
        json_of(org.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(board["total"], 0);
}

#[actix_web::test]
async fn late_answers_are_refused_and_finalize_with_what_was_saved() {
    let app = spawn_app().await;
    let (_, round) = app.setup_round(json!({"grace_s": 5})).await;
    let me = app.official("canbo5", "SNV").await;
    let id = app.start(&me, round).await["attempt_id"].as_i64().unwrap();
    let key = app.key_of(id).await;
    let put = |pos: usize, choice: &Vec<usize>| {
        me.put(app.url(&format!("/api/v1/attempts/{id}/items/{pos}"))).json(&json!({"choices": choice})).send()
    };
    put(1, &key[0]).await.unwrap();
    // Past the deadline but within grace: still accepted.
    app.advance(Duration::seconds(602));
    assert_eq!(put(2, &key[1]).await.unwrap().status(), StatusCode::OK);
    // Past deadline + grace: refused, and the attempt is final with the two saved answers.
    app.advance(Duration::seconds(4));
    let (s, e) = json_of(put(3, &key[2]).await.unwrap()).await;
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
async fn the_sweeper_finalizes_expired_attempts_and_reading_one_finalizes_it_too() {
    let app = spawn_app().await;
    let (_, round) = app.setup_round(json!({"grace_s": 0})).await;
    let me = app.official("canbo6", "SNV").await;
    let reader = app.official("canbo6b", "SNV").await;
    let id = app.start(&me, round).await["attempt_id"].as_i64().unwrap();
    let other = app.start(&reader, round).await["attempt_id"].as_i64().unwrap();
    let key = app.key_of(id).await;
    me.put(app.url(&format!("/api/v1/attempts/{id}/items/1"))).json(&json!({"choices": key[0]})).send().await.unwrap();
    app.advance(Duration::seconds(601));
    // Nothing finalizes on its own in the tests until they sweep; reading
    // one expired attempt finalizes that one only.
    let (_, view) = json_of(reader.get(app.url(&format!("/api/v1/attempts/{other}"))).send().await.unwrap()).await;
    assert_eq!(view["state"], "expired");
    let find = |aid: i64| {
        let st = app.state.clone();
        async move { st.read(move |c| hoithi::db::attempts::find_attempt(c, aid)).await.unwrap().unwrap() }
    };
    assert!(!find(id).await.is_final(), "reading someone's attempt does not sweep the others");
    let report = app.sweep().await;
    assert_eq!(report.attempts, 1);
    let a = find(id).await;
    assert!(a.is_final());
    assert_eq!(a.score, 1);
    assert_eq!(
        a.duration_ms,
        Some((a.deadline_at - a.started_at).num_milliseconds()),
        "duration never exceeds the limit"
    );
    let (_, board) =
        json_of(me.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(board["entries"][0]["score"], 1);
    assert_eq!(app.sweep().await.attempts, 0, "finalized once");
}

#[actix_web::test]
async fn ties_rank_by_prediction_then_time_and_the_best_attempt_counts() {
    let app = spawn_app().await;
    let (org, round) = app.setup_round(json!({"attempts_allowed": 2, "reveal": "after_close"})).await;
    let a = app.official("canbo7", "SNV").await;
    let b = app.official("canbo8", "QN").await;
    let take = |c: reqwest::Client, wrong: Vec<usize>, prediction: Option<i64>| {
        let app = &app;
        async move {
            let id = app.start(&c, round).await["attempt_id"].as_i64().unwrap();
            app.answer_all(&c, id, &wrong).await;
            // Without a prediction a paper is submitted only once its time
            // is up (within the grace period); before, the submit is refused.
            app.advance(Duration::seconds(if prediction.is_some() { 30 } else { 601 }));
            app.submit(&c, id, prediction).await
        }
    };
    // a: 5/5 without a prediction; b: 3/5, then 5/5 predicting 1.
    take(a.clone(), vec![], None).await;
    take(b.clone(), vec![4, 5], Some(1)).await;
    let (_, board) =
        json_of(a.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(board["entries"][0]["name"], "canbo7 V. T.");
    take(b.clone(), vec![], Some(1)).await;
    let (_, board) =
        json_of(a.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    // Same score: the entry with a prediction ranks before the one without.
    assert_eq!(board["total"], 2);
    assert_eq!(board["entries"][0]["name"], "canbo8 V. T.");
    assert_eq!(board["entries"][0]["score"], 5);
    assert_eq!(board["entries"][1]["rank"], 2);
    assert_eq!(board["me"]["rank"], 2, "my position");
    let (_, units) = json_of(a.get(app.url(&format!("/api/v1/rounds/{round}/units"))).send().await.unwrap()).await;
    let qn = units["units"].as_array().unwrap().iter().find(|u| u["code"] == "QN").unwrap().clone();
    assert_eq!(qn["participants"], 1, "two attempts, one participant");
    assert_eq!(qn["full_marks"], 1);
    assert_eq!(qn["avg_score"], 5.0, "the best attempt counts");
    // Closing, then the sweep after the grace, makes the board final.
    org.post(app.url(&format!("/api/v1/rounds/{round}/close"))).send().await.unwrap();
    app.advance(Duration::seconds(11));
    assert_eq!(app.sweep().await.rounds, 1);
    let (_, board) =
        json_of(a.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!(board["provisional"], false);
}

#[actix_web::test]
async fn the_attempt_page_works_without_javascript() {
    let app = spawn_app().await;
    let (_, round) = app.setup_round(json!({})).await;
    app.create_user("canbo10", "official", Some("SNV"), "mat-khau-can-bo").await;
    app.form_login("canbo10", "mat-khau-can-bo").await;
    let home = app.get_text("/").await.1;
    assert!(home.contains("Vào thi"), "{home}");
    let token = extract_csrf(&home).unwrap();
    let r = app.post_form(&format!("/rounds/{round}/start"), &[("csrf", &token)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let (s, html) = app.get_text(&location).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.len() < 50 * 1024, "page is {} bytes", html.len());
    assert!(html.contains("name=\"q1\"") && html.contains("Nộp bài"));
    let key = app.key_of(id).await;
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
    // The time taken reads in words, on the result and in the history.
    let took = hoithi::domain::numbers::duration(a.duration_ms.unwrap());
    assert!(result.contains(&format!("<dd>{took}</dd>")), "{took}: {result}");
    let (_, history) = app.get_text("/history").await;
    assert!(history.contains(&format!(">{took}<")) && !history.contains("(giây)"), "{took}: {history}");
}
