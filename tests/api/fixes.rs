//! Promise 1 and the corrections: a started round's pool never changes, a
//! voided question is never drawn again and is fair to whoever drew it,
//! every stored paper re-derives from its seed, and a contest's owner
//! corrects a question inside that contest only.

use chrono::Duration;
use diesel::prelude::*;
use hoithi::db::audit::Actor;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, json_of, spawn_app};

/// (key, text, bank slug) of the first item of an attempt.
pub async fn first_item(app: &TestApp, attempt: i64) -> (String, String, String) {
    app.state
        .read(move |c| {
            use hoithi::db::schema::{attempt_items, banks, questions};
            attempt_items::table
                .inner_join(questions::table.inner_join(banks::table))
                .filter(attempt_items::attempt_id.eq(attempt))
                .filter(attempt_items::position.eq(1))
                .select((questions::key, questions::text, banks::slug))
                .first(c)
        })
        .await
        .unwrap()
}

/// A bank `slug` of questions `keys` (single choice, A right), imported as the operator.
pub async fn import_bank(app: &TestApp, slug: &str, keys: &[&str]) {
    let mut toml = format!("[bank]\nslug = \"{slug}\"\ntitle = \"Thử {slug}\"\ntopic = \"thu\"\n");
    for k in keys {
        toml.push_str(&format!(
            "\n[[question]]\nkey = \"{k}\"\nkind = \"single\"\ndifficulty = \"easy\"\ntext = \"Câu thử {k}?\"\noptions = [\"Đúng {k}\", \"Sai một {k}\", \"Sai hai {k}\", \"Sai ba {k}\"]\nanswer = \"A\"\nexplanation = \"Vì {k}.\"\nsource = \"Bộ câu hỏi thử\"\n"
        ));
    }
    let (bank, problems) = hoithi::domain::bank::parse_toml("thu.toml", &toml);
    let bank = bank.unwrap_or_else(|| panic!("{problems:?}"));
    app.state.write(move |c| hoithi::db::banks::import_banks(c, &[bank], &Actor::cli())).await.unwrap();
}

/// The keys of a round's frozen pool, sorted.
async fn pool_keys(app: &TestApp, round: i64) -> Vec<String> {
    let mut keys: Vec<String> = app
        .state
        .read(move |c| {
            use hoithi::db::schema::{questions, round_pool};
            round_pool::table
                .inner_join(questions::table)
                .filter(round_pool::round_id.eq(round))
                .select(questions::key)
                .load(c)
        })
        .await
        .unwrap();
    keys.sort();
    keys
}

#[actix_web::test]
async fn a_started_rounds_pool_never_changes_not_by_publishing_again_nor_by_editing() {
    let app = spawn_app().await;
    import_bank(&app, "x", &["x-001", "x-002", "x-003"]).await;
    let org = app.organizer("btc").await;
    app.contest(&org, "thu", json!({})).await;
    let round = app.round(&org, "thu", json!({"blueprint": [{"bank": "x", "count": 2}], "attempts_allowed": 3})).await;
    assert_eq!(pool_keys(&app, round).await, ["x-001", "x-002", "x-003"]);
    for name in ["cb1", "cb2"] {
        let c = app.official(name, "SNV").await;
        app.start(&c, round).await;
    }
    // The bank changes: x-003 retired, x-004 and x-005 added.
    import_bank(&app, "x", &["x-001", "x-002", "x-004", "x-005"]).await;
    let (s, again) = json_of(org.post(app.url(&format!("/api/v1/rounds/{round}/publish"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(pool_keys(&app, round).await, ["x-001", "x-002", "x-003"], "publishing again keeps the frozen pool");
    let (s, e) = json_of(
        org.patch(app.url(&format!("/api/v1/rounds/{round}")))
            .json(&json!({"blueprint": [{"bank": "x", "count": 3}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(pool_keys(&app, round).await, ["x-001", "x-002", "x-003"]);
    // Before anyone starts, a published round may still be edited, and its pool follows the banks.
    let fresh = app.round(&org, "thu", json!({"blueprint": [{"bank": "x", "count": 2}]})).await;
    assert_eq!(pool_keys(&app, fresh).await, ["x-001", "x-002", "x-004", "x-005"]);
    import_bank(&app, "x", &["x-001", "x-002", "x-004"]).await;
    let (s, _) = json_of(
        org.patch(app.url(&format!("/api/v1/rounds/{fresh}"))).json(&json!({"title": "Tuần 2"})).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(pool_keys(&app, fresh).await, ["x-001", "x-002", "x-004"]);
}

#[actix_web::test]
async fn a_voided_question_is_never_drawn_again_and_every_paper_redraws_from_its_seed() {
    let app = spawn_app().await;
    import_bank(&app, "v", &["v-1", "v-2", "v-3", "v-4", "v-5"]).await;
    let org = app.organizer("btc").await;
    app.contest(&org, "thu", json!({})).await;
    let round = app
        .round(
            &org,
            "thu",
            json!({"blueprint": [{"bank": "v", "count": 3}], "attempts_allowed": 40, "reveal": "after_close"}),
        )
        .await;
    let me = app.official("canbo", "SNV").await;
    let take = |n: usize| {
        let (app, me) = (&app, &me);
        async move {
            for _ in 0..n {
                let id = app.start(me, round).await["attempt_id"].as_i64().unwrap();
                app.submit(me, id, Some(0)).await;
            }
        }
    };
    take(15).await;
    let (s, _) = json_of(
        org.post(app.url("/api/v1/contests/thu/questions/v/v-2/void"))
            .json(&json!({"reason": "Sai"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    take(15).await;
    // Every stored paper, before and after the void, is what its seed and the
    // round's frozen pool give (minus what it recorded as excluded).
    let (papers, frozen, rows, v2) = app
        .state
        .read(move |c| {
            use hoithi::db::schema::{attempt_items, questions};
            let r = hoithi::db::rounds::find_round(c, round)?;
            let frozen = hoithi::db::rounds::load_draw_pool(c, &r)?.frozen;
            let v2: i64 = questions::table.filter(questions::key.eq("v-2")).select(questions::id).first(c)?;
            let mut papers = Vec::new();
            for a in hoithi::db::attempts::list_round_attempts(c, round)? {
                let items: Vec<(i64, String)> = attempt_items::table
                    .filter(attempt_items::attempt_id.eq(a.id))
                    .order(attempt_items::position.asc())
                    .select((attempt_items::question_id, attempt_items::option_order))
                    .load(c)?;
                papers.push((a, items));
            }
            Ok((papers, frozen, r.settings.blueprint.rows().to_vec(), v2))
        })
        .await
        .unwrap();
    assert_eq!(papers.len(), 30);
    let mut before_with_v2 = 0;
    for (i, (a, items)) in papers.iter().enumerate() {
        let excluded = a.excluded_ids().unwrap();
        let redrawn = hoithi::domain::paper::redraw(a.draw_version, &rows, &frozen, &excluded, a.seed as u64).unwrap();
        let stored: Vec<(i64, Vec<usize>)> =
            items.iter().map(|(q, o)| (*q, serde_json::from_str(o).unwrap())).collect();
        let derived: Vec<(i64, Vec<usize>)> = redrawn.into_iter().map(|p| (p.question_id, p.option_order)).collect();
        assert_eq!(stored, derived, "attempt {} re-derives from its seed", a.id);
        let holds_v2 = items.iter().any(|(q, _)| *q == v2);
        if i < 15 {
            assert!(excluded.is_empty());
            before_with_v2 += usize::from(holds_v2);
        } else {
            assert_eq!(excluded, vec![v2], "the exclusion is recorded");
            assert!(!holds_v2, "a voided question is never drawn again");
        }
    }
    assert!(before_with_v2 > 0, "3 of 5 questions a paper: some of the first 15 held v-2");
    // Those who drew it are graded over the valid items only.
    let holder = papers.iter().take(15).find(|(_, items)| items.iter().any(|(q, _)| *q == v2)).unwrap().0.id;
    let (_, view) = json_of(me.get(app.url(&format!("/api/v1/attempts/{holder}"))).send().await.unwrap()).await;
    assert_eq!((view["result"]["max_score"].clone(), view["result"]["voided"].clone()), (json!(2), json!(1)));
}

#[actix_web::test]
async fn nine_of_nine_valid_items_tie_ten_of_ten_and_the_result_page_says_why() {
    let app = spawn_app().await;
    let keys: Vec<String> = (1..=11).map(|i| format!("t-{i:02}")).collect();
    import_bank(&app, "t", &keys.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let org = app.organizer("btc").await;
    app.contest(&org, "thu", json!({})).await;
    let round = app
        .round(
            &org,
            "thu",
            json!({"blueprint": [{"bank": "t", "count": 10}], "prediction": false, "attempts_allowed": 1}),
        )
        .await;
    // Both start and submit at the same instants: only the fraction can tell them apart.
    app.clock.freeze_at(hoithi::clock::Clock::now(&*app.clock));
    let a = app.official("cb-a", "SNV").await;
    let ida = app.start(&a, round).await["attempt_id"].as_i64().unwrap();
    let paper_of = |id: i64| {
        let st = app.state.clone();
        async move {
            st.read(move |c| {
                use hoithi::db::schema::{attempt_items, questions};
                attempt_items::table
                    .inner_join(questions::table)
                    .filter(attempt_items::attempt_id.eq(id))
                    .order(attempt_items::position.asc())
                    .select(questions::key)
                    .load::<String>(c)
            })
            .await
            .unwrap()
        }
    };
    let on_a = paper_of(ida).await;
    // An entrant whose paper holds a question that a's does not (each paper leaves one out).
    let mut b = None;
    for i in 0..30 {
        let c = app.official(&format!("cb-b{i}"), "SNV").await;
        let id = app.start(&c, round).await["attempt_id"].as_i64().unwrap();
        let on_b = paper_of(id).await;
        if let Some(pos) = on_b.iter().position(|k| !on_a.contains(k)) {
            b = Some((c, id, pos + 1, on_b[pos].clone()));
            break;
        }
        app.submit(&c, id, Some(0)).await;
    }
    let (b, idb, wrong_pos, voided_key) = b.expect("a paper unlike a's");
    app.answer_all(&a, ida, &[]).await;
    app.answer_all(&b, idb, &[wrong_pos]).await;
    app.advance(Duration::seconds(60));
    app.submit(&a, ida, Some(0)).await;
    app.submit(&b, idb, Some(0)).await;
    let rank_of = |id: i64, who: &reqwest::Client| {
        let (app, who) = (&app, who.clone());
        async move {
            json_of(who.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await.1["result"].clone()
        }
    };
    assert_eq!(rank_of(ida, &a).await["rank"], 1);
    assert_eq!(rank_of(idb, &b).await["rank"], 2, "9/10 before the void");
    let (s, _) = json_of(
        org.post(app.url(&format!("/api/v1/contests/thu/questions/t/{voided_key}/void")))
            .json(&json!({"reason": "Câu sai"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let ra = rank_of(ida, &a).await;
    let rb = rank_of(idb, &b).await;
    assert_eq!((ra["score"].clone(), ra["max_score"].clone()), (json!(10), json!(10)));
    assert_eq!((rb["score"].clone(), rb["max_score"].clone()), (json!(9), json!(9)));
    assert_eq!((ra["rank"].clone(), rb["rank"].clone()), (json!(1), json!(1)), "9 of 9 valid ties 10 of 10");
    let (_, board) =
        json_of(a.get(app.url(&format!("/api/v1/rounds/{round}/leaderboard"))).send().await.unwrap()).await;
    assert_eq!((board["entries"][0]["rank"].clone(), board["entries"][1]["rank"].clone()), (json!(1), json!(1)));
    let html = b.get(app.url(&format!("/attempts/{idb}/result"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"voided-note\"") && html.contains("9/9 bằng 10/10"), "{html}");
}

#[actix_web::test]
async fn a_contest_owner_corrects_a_question_in_their_contest_only() {
    let app = spawn_app().await;
    import_bank(&app, "c", &["c-1", "c-2", "c-3"]).await;
    let mine = app.organizer("btc-a").await;
    let theirs = app.organizer("btc-b").await;
    app.contest(&mine, "mine", json!({})).await;
    app.contest(&theirs, "theirs", json!({})).await;
    let bp = json!({"blueprint": [{"bank": "c", "count": 3}], "reveal": "after_close", "prediction": false});
    let r1 = app.round(&mine, "mine", bp.clone()).await;
    let r2 = app.round(&theirs, "theirs", bp).await;
    let me = app.official("canbo", "SNV").await;
    let mut ids = Vec::new();
    for r in [r1, r2] {
        let id = app.start(&me, r).await["attempt_id"].as_i64().unwrap();
        app.answer_all(&me, id, &[]).await;
        app.submit(&me, id, Some(0)).await;
        ids.push(id);
    }
    let score = |id: i64| {
        let (app, me) = (&app, me.clone());
        async move {
            json_of(me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await.1["result"]["score"]
                .clone()
        }
    };
    // The other contest's organizer cannot touch mine, nor the bank for everyone.
    let r = theirs
        .post(app.url("/api/v1/contests/mine/questions/c/c-1/rekey"))
        .json(&json!({"answer": "B", "reason": "x"}))
        .send()
        .await;
    assert_eq!(r.unwrap().status(), StatusCode::FORBIDDEN);
    let r =
        mine.post(app.url("/api/v1/questions/c/c-1/rekey")).json(&json!({"answer": "B", "reason": "x"})).send().await;
    assert_eq!(r.unwrap().status(), StatusCode::FORBIDDEN, "the bank is not theirs");
    // Re-keyed in my contest: my round is re-graded, theirs is not.
    let (s, n) = json_of(
        mine.post(app.url("/api/v1/contests/mine/questions/c/c-1/rekey"))
            .json(&json!({"answer": "B", "reason": "Đáp án đúng là B"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{n}");
    assert_eq!(n["regraded"], 1);
    assert_eq!((score(ids[0]).await, score(ids[1]).await), (json!(2), json!(3)));
    // A question the contest does not use: 404; letters it does not have: 422.
    let (s, _) = json_of(
        mine.post(app.url("/api/v1/contests/mine/questions/mot-cua/mc-001/void"))
            .json(&json!({"reason": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = json_of(
        mine.post(app.url("/api/v1/contests/mine/questions/c/c-2/rekey"))
            .json(&json!({"answer": "Z", "reason": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The bank's owner (here the operator's bank: an admin) corrects it for every contest.
    app.login_admin().await;
    let (s, n) = json_of(app.post_json("/api/v1/questions/c/c-2/void", &json!({"reason": "Câu hỏi sai"})).await).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(n["regraded"], 2);
    let (_, view) = json_of(me.get(app.url(&format!("/api/v1/attempts/{}", ids[1]))).send().await.unwrap()).await;
    assert_eq!((view["result"]["score"].clone(), view["result"]["max_score"].clone()), (json!(2), json!(2)));
    let audit = app.state.read(|c| hoithi::db::audit::list_audit(c, 50)).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "contest.question.rekey" && a.detail.contains("Đáp án đúng là B")));
    assert!(audit.iter().any(|a| a.action == "question.void"));
}
