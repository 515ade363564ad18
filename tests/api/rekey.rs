//! Fixing a wrong key, as an organizer does it: found by the source code
//! entrants see, previewed (a dry run that changes nothing and reports the
//! attempts changed and the top of the board before and after), confirmed,
//! told to the entrants whose score changed (the reason and the key only
//! where the key may be shown), the explanation corrected in the same step,
//! the audit log in sentences, and bad input answered in Vietnamese.

use chrono::Duration;
use diesel::prelude::*;
use hoithi::db::audit::Actor;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of, spawn_app};

/// Bank `r`: four single-choice questions, A right, each with a source
/// code as entrants see it ("MC-88 — …").
pub async fn import_sourced_bank(app: &TestApp) {
    let mut toml = "[bank]\nslug = \"r\"\ntitle = \"Một cửa thử\"\ntopic = \"thu\"\n".to_string();
    for (k, code) in [("r-1", "MC-88"), ("r-2", "MC-89"), ("r-3", "MC-90"), ("r-4", "MC-91")] {
        toml.push_str(&format!(
            "\n[[question]]\nkey = \"{k}\"\nkind = \"single\"\ndifficulty = \"easy\"\ntext = \"Bộ phận tiếp nhận hồ sơ {k}?\"\noptions = [\"Một {k}\", \"Hai {k}\", \"Ba {k}\", \"Bốn {k}\"]\nanswer = \"A\"\nexplanation = \"Giải thích cũ {k}.\"\nsource = \"{code} — Nghị định 61/2018/NĐ-CP\"\n"
        ));
    }
    let (bank, problems) = hoithi::domain::bank::parse_toml("r.toml", &toml);
    let bank = bank.unwrap_or_else(|| panic!("{problems:?}"));
    app.state.write(move |c| hoithi::db::banks::import_banks(c, &[bank], &Actor::cli())).await.unwrap();
}

/// Answers every item of `attempt`: the option (file order) `pick` gives for its key.
pub async fn answer_by_key(app: &TestApp, who: &Client, attempt: i64, pick: impl Fn(&str) -> usize) {
    for item in app.items(attempt).await {
        let shown = item.option_order.iter().position(|&f| f == pick(&item.key)).unwrap();
        let r = who
            .put(app.url(&format!("/api/v1/attempts/{attempt}/items/{}", item.position)))
            .json(&json!({"choices": [shown]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
}

/// A round of contest `thu` over r-1..r-4 (all four on every paper), and
/// three entrants who submitted 30 seconds apart: `p1` all A (4/4), `p2` B
/// on r-1 and A elsewhere (3/4), `p3` B on r-1 and C elsewhere (0/4).
pub struct World {
    pub app: TestApp,
    pub org: Client,
    pub round: i64,
    pub people: Vec<(Client, i64)>,
}

pub async fn world(reveal: &str) -> World {
    let app = spawn_app().await;
    import_sourced_bank(&app).await;
    app.clock.freeze_at(hoithi::clock::Clock::now(&*app.clock));
    let org = app.organizer("btc").await;
    app.contest(&org, "thu", json!({})).await;
    let round = app
        .round(
            &org,
            "thu",
            json!({"blueprint": [{"bank": "r", "count": 4}], "prediction": false, "attempts_allowed": 1, "reveal": reveal}),
        )
        .await;
    let mut people = Vec::new();
    for (name, pick) in [("cb-p1", [0, 0]), ("cb-p2", [1, 0]), ("cb-p3", [1, 2])] {
        let c = app.official(name, "SNV").await;
        let id = app.start(&c, round).await["attempt_id"].as_i64().unwrap();
        answer_by_key(&app, &c, id, |k| if k == "r-1" { pick[0] } else { pick[1] }).await;
        app.advance(Duration::seconds(30));
        app.submit(&c, id, None).await;
        people.push((c, id));
    }
    World { app, org, round, people }
}

impl World {
    pub async fn result(&self, who: usize) -> Value {
        let (c, id) = &self.people[who];
        json_of(c.get(self.app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await.1
    }

    pub async fn board(&self) -> Value {
        json_of(self.app.get(&format!("/api/v1/rounds/{}/leaderboard", self.round)).await).await.1
    }

    /// What a correction could change, read straight from the database.
    pub async fn stored(&self) -> Value {
        let round = self.round;
        let (scores, fixes, changes, audit, version, answer) = self
            .app
            .state
            .read(move |c| {
                use hoithi::db::schema::{attempts, audit_log, question_fixes, questions, rounds, score_changes};
                let scores: Vec<(i64, i32, i32)> = attempts::table
                    .order(attempts::id)
                    .select((attempts::id, attempts::score, attempts::max_score))
                    .load(c)?;
                let fixes: i64 = question_fixes::table.count().get_result(c)?;
                let changes: i64 = score_changes::table.count().get_result(c)?;
                let audit: i64 = audit_log::table.count().get_result(c)?;
                let version: i32 = rounds::table.find(round).select(rounds::pool_version).first(c)?;
                let answer: Vec<String> = questions::table
                    .filter(questions::key.like("r-%"))
                    .order(questions::key)
                    .select(questions::answer)
                    .load(c)?;
                Ok((scores, fixes, changes, audit, version, answer))
            })
            .await
            .unwrap();
        json!({"scores": scores, "fixes": fixes, "changes": changes, "audit": audit, "version": version, "answer": answer})
    }

    pub async fn post(&self, who: &Client, path: &str, body: Value) -> (StatusCode, Value) {
        json_of(who.post(self.app.url(path)).json(&body).send().await.unwrap()).await
    }
}

fn names(top: &Value) -> Vec<(String, i64, i64)> {
    top["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().to_string(), e["rank"].as_i64().unwrap(), e["score"].as_i64().unwrap()))
        .collect()
}

#[actix_web::test]
async fn a_dry_run_changes_nothing_and_reports_what_applying_then_does() {
    let w = world("after_submit").await;
    let (scores, board) = (w.stored().await, w.board().await);
    let before: Vec<(String, i64, i64)> = board["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().to_string(), e["rank"].as_i64().unwrap(), e["score"].as_i64().unwrap()))
        .collect();
    assert_eq!(before.iter().map(|b| b.2).collect::<Vec<_>>(), [4, 3, 0], "{board}");
    let rekey = "/api/v1/contests/thu/questions/r/r-1/rekey";
    let (s, dry) = w.post(&w.org, rekey, json!({"answer": "B", "reason": "Đáp án đúng là B", "dry_run": true})).await;
    assert_eq!(s, StatusCode::OK, "{dry}");
    assert_eq!(dry["dry_run"], true);
    assert_eq!((dry["regraded"].clone(), dry["attempts_changed"].clone()), (json!(3), json!(3)), "{dry}");
    assert_eq!(dry["top_before"].as_array().unwrap().len(), 1, "one round re-graded");
    assert_eq!(dry["top_before"][0]["round_id"], w.round);
    assert_eq!(names(&dry["top_before"][0]), before, "the top before is the board as it is");
    // p2 now leads with 4/4, p1 falls to 3/4, p3 gains r-1.
    let after = names(&dry["top_after"][0]);
    assert_eq!(after.iter().map(|a| (a.1, a.2)).collect::<Vec<_>>(), [(1, 4), (2, 3), (3, 1)], "{dry}");
    assert_eq!(after[0].0, before[1].0);
    assert_eq!(dry["top_after"][0]["entries"][0]["rank_before"], 2);
    assert_eq!(dry["top_before"][0]["entries"][0]["rank_after"], 2);
    // Nothing changed: scores, boards, corrections, score notices, the audit log, the key.
    assert_eq!(w.stored().await, scores);
    assert_eq!(w.board().await, board);
    assert_eq!(w.result(0).await["result"]["score"], 4);
    // A dry void changes nothing either, and counts every paper that holds it.
    let (s, v) =
        w.post(&w.org, "/api/v1/contests/thu/questions/r/r-1/void", json!({"reason": "Sai", "dry_run": true})).await;
    assert_eq!((s, v["attempts_changed"].clone()), (StatusCode::OK, json!(3)), "{v}");
    w.app.login_admin().await;
    let (s, v) =
        json_of(w.app.post_json("/api/v1/questions/r/r-1/void", &json!({"reason": "Sai", "dry_run": true})).await)
            .await;
    assert_eq!((s, v["dry_run"].clone(), v["regraded"].clone()), (StatusCode::OK, json!(true), json!(3)), "{v}");
    assert_eq!(w.stored().await, scores, "a void's dry run leaves the pool version and the question alone");
    // Applied: exactly what the dry run said.
    let (s, done) = w.post(&w.org, rekey, json!({"answer": "B", "reason": "Đáp án đúng là B"})).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["dry_run"], false);
    assert_eq!(
        (done["top_before"].clone(), done["top_after"].clone()),
        (dry["top_before"].clone(), dry["top_after"].clone())
    );
    assert_eq!(done["attempts_changed"], dry["attempts_changed"]);
    let board = w.board().await;
    assert_eq!(board["entries"][0]["name"].as_str().unwrap(), after[0].0);
    assert_eq!(w.result(0).await["result"]["score"], 3);
}

#[actix_web::test]
async fn the_result_page_says_the_score_changed_and_gives_the_reason_and_key_only_once_the_key_may_be_shown() {
    let w = world("after_close").await;
    let (s, _) = w
        .post(
            &w.org,
            "/api/v1/contests/thu/questions/r/r-1/rekey",
            json!({"answer": "B", "reason": "Theo Nghị định 118/2025"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = |who: usize| {
        let (c, id) = w.people[who].clone();
        let url = w.app.url(&format!("/attempts/{id}/result"));
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    // Before the round closes the key is secret: the change is told, not why nor the key.
    let html = page(0).await;
    assert!(html.contains("id=\"score-changed\""), "{html}");
    assert!(html.contains("<strong>4/4</strong> thành <strong>3/4</strong>"), "{html}");
    assert!(!html.contains("Theo Nghị định 118/2025") && !html.contains("đáp án đúng là"), "{html}");
    assert!(html.contains("chỉ hiện khi đáp án của câu đó được công bố"));
    // Once closed (and past grace), the reason and the corrected key, lettered as this paper shows it.
    w.app.advance(Duration::hours(2));
    let html = page(0).await;
    let item = w.app.items(w.people[0].1).await.into_iter().find(|i| i.key == "r-1").unwrap();
    let letter = hoithi::domain::bank::letter(item.answer_display[0]);
    assert!(html.contains("Lý do: Theo Nghị định 118/2025"), "{html}");
    assert!(html.contains(&format!("Câu {} được sửa đáp án: đáp án đúng là {letter}.", item.position)), "{html}");
    assert!(page(1).await.contains("<strong>3/4</strong> thành <strong>4/4</strong>"));
}

#[actix_web::test]
async fn an_entrant_whose_score_did_not_change_sees_no_notice() {
    let w = world("after_submit").await;
    // r-4 is on every paper, but p3 answered it C: re-keyed from A to D, p3 stays wrong.
    let (s, r) =
        w.post(&w.org, "/api/v1/contests/thu/questions/r/r-4/rekey", json!({"answer": "D", "reason": "Sửa"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!((r["regraded"].clone(), r["attempts_changed"].clone()), (json!(3), json!(2)));
    let (c, id) = &w.people[2];
    let html = c.get(w.app.url(&format!("/attempts/{id}/result"))).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("score-changed"), "{html}");
    let (c, id) = &w.people[0];
    let html = c.get(w.app.url(&format!("/attempts/{id}/result"))).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("id=\"score-changed\"") && html.contains("Lý do: Sửa"),
        "after submit the key may be shown: {html}"
    );
}
