//! Exclusion groups: questions that give each other away never share a
//! paper, and a blueprint that the groups make impossible is refused when
//! the round is saved and again when it is published, with the rows and
//! groups named.

use diesel::prelude::*;
use hoithi::db::audit::Actor;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, json_of, spawn_app};

/// Bank `nhom`: each `(key, group)` a single-choice question, imported as the operator.
async fn import_grouped(app: &TestApp, questions: &[(&str, Option<&str>)]) {
    let mut toml = "[bank]\nslug = \"nhom\"\ntitle = \"Thử nhóm\"\ntopic = \"thu\"\n".to_string();
    for (k, group) in questions {
        toml.push_str(&format!(
            "\n[[question]]\nkey = \"{k}\"\nkind = \"single\"\ndifficulty = \"easy\"\ntext = \"Câu thử {k}?\"\noptions = [\"Đúng {k}\", \"Sai một {k}\", \"Sai hai {k}\"]\nanswer = \"A\"\nexplanation = \"Vì {k}.\"\nsource = \"Bộ câu hỏi thử\"\n"
        ));
        if let Some(g) = group {
            toml.push_str(&format!("group = \"{g}\"\n"));
        }
    }
    let (bank, problems) = hoithi::domain::bank::parse_toml("nhom.toml", &toml);
    let bank = bank.unwrap_or_else(|| panic!("{problems:?}"));
    app.state.write(move |c| hoithi::db::banks::import_banks(c, &[bank], &Actor::cli())).await.unwrap();
}

fn round_body(app: &TestApp, count: u32) -> Value {
    json!({
        "title": "Tuần nhóm", "opens_at": app.at(-5), "closes_at": app.at(60), "duration_s": 600,
        "blueprint": [{"bank": "nhom", "count": count}], "attempts_allowed": 1, "reveal": "after_close",
    })
}

fn error_text(body: &Value) -> &str {
    body["error"].as_str().unwrap_or_else(|| panic!("an error message: {body}"))
}

#[actix_web::test]
async fn a_paper_never_holds_two_questions_of_a_group_and_an_impossible_blueprint_is_refused() {
    let app = spawn_app().await;
    // At most 3 per paper: n-1 and n-2 give each other away, so do n-3 and n-4; n-5 alone.
    let five = [("n-1", Some("nhom-a")), ("n-2", Some("nhom-a")), ("n-3", Some("nhom-b")), ("n-4", Some("nhom-b"))];
    let mut questions = five.to_vec();
    questions.push(("n-5", None));
    import_grouped(&app, &questions).await;
    let stored: Option<String> = app
        .state
        .read(|c| {
            use hoithi::db::schema::questions;
            questions::table.filter(questions::key.eq("n-2")).select(questions::exclusion_group).first(c)
        })
        .await
        .unwrap();
    assert_eq!(stored.as_deref(), Some("nhom-a"), "the group is stored with the version");
    let org = app.organizer("btc").await;
    app.contest(&org, "thu", json!({})).await;

    // Saving: 4 of 5 is refused, naming the row and the groups.
    let (s, e) =
        json_of(org.post(app.url("/api/v1/contests/thu/rounds")).json(&round_body(&app, 4)).send().await.unwrap())
            .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let m = error_text(&e);
    assert!(m.contains("nhóm loại trừ") && m.contains("dòng 1 (ngân hàng \"nhom\")"), "{m}");
    assert!(m.contains("cần 4 câu") && m.contains("tối đa 3 câu") && m.contains("\"nhom-a\", \"nhom-b\""), "{m}");

    // 3 of 5 is saved as a draft; every paper holds one of each group and n-5.
    let (s, draft) =
        json_of(org.post(app.url("/api/v1/contests/thu/rounds")).json(&round_body(&app, 3)).send().await.unwrap())
            .await;
    assert_eq!(s, StatusCode::CREATED, "{draft}");
    let draft_id = draft["id"].as_i64().unwrap();
    let round = app.round(&org, "thu", round_body(&app, 3)).await;
    for i in 0..6 {
        let who = app.official(&format!("cb{i}"), "SNV").await;
        let paper = app.start(&who, round).await;
        let attempt = paper["attempt_id"].as_i64().expect("attempt id");
        let mut keys: Vec<String> = app.items(attempt).await.into_iter().map(|i| i.key).collect();
        keys.sort();
        assert_eq!(keys.len(), 3);
        assert_eq!(keys[2], "n-5", "{keys:?}");
        assert!(["n-1", "n-2"].contains(&keys[0].as_str()) && ["n-3", "n-4"].contains(&keys[1].as_str()), "{keys:?}");
    }

    // Every paper re-derives from its seed with draw version 2 and the groups of the frozen pool.
    let redrawn = app
        .state
        .read(move |c| {
            use hoithi::db::schema::attempt_items;
            let r = hoithi::db::rounds::find_round(c, round)?;
            let frozen = hoithi::db::rounds::load_draw_pool(c, &r)?.frozen;
            let rows = r.settings.blueprint.rows().to_vec();
            let mut checked = Vec::new();
            for a in hoithi::db::attempts::list_round_attempts(c, round)? {
                let stored: Vec<i64> = attempt_items::table
                    .filter(attempt_items::attempt_id.eq(a.id))
                    .order(attempt_items::position.asc())
                    .select(attempt_items::question_id)
                    .load(c)?;
                let again =
                    hoithi::domain::paper::redraw(a.draw_version, &rows, &frozen, &[], a.seed as u64).expect("redraw");
                checked.push((a.draw_version, stored == again.iter().map(|p| p.question_id).collect::<Vec<_>>()));
            }
            Ok(checked)
        })
        .await
        .unwrap();
    assert_eq!(redrawn, vec![(2, true); 6]);

    // The bank changes: n-5 joins group nhom-a. Publishing the saved draft is refused now…
    questions[4].1 = Some("nhom-a");
    import_grouped(&app, &questions).await;
    let (s, e) = json_of(org.post(app.url(&format!("/api/v1/rounds/{draft_id}/publish"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let m = error_text(&e);
    assert!(m.contains("cần 3 câu") && m.contains("tối đa 2 câu") && m.contains("0 câu không thuộc nhóm nào"), "{m}");
    // … and so is editing it to another impossible count, while a possible one is saved.
    let (s, e) = json_of(
        org.patch(app.url(&format!("/api/v1/rounds/{draft_id}")))
            .json(&json!({"blueprint": [{"bank": "nhom", "count": 3}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // The check inside the publishing transaction refuses it too (the banks may change between).
    let actor = Actor::cli();
    let refused = app.state.write(move |c| hoithi::db::rounds::publish_round(c, draft_id, &actor)).await.unwrap();
    assert!(matches!(refused, Err(hoithi::db::rounds::FreezeError::Groups(_))), "{refused:?}");
    let status: String = app
        .state
        .read(move |c| {
            use hoithi::db::schema::rounds;
            rounds::table.find(draft_id).select(rounds::status).first(c)
        })
        .await
        .unwrap();
    assert_eq!(status, "draft", "a refused publication changes nothing");
    let (s, e) = json_of(
        org.patch(app.url(&format!("/api/v1/rounds/{draft_id}")))
            .json(&json!({"blueprint": [{"bank": "nhom", "count": 2}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let (s, e) = json_of(org.post(app.url(&format!("/api/v1/rounds/{draft_id}/publish"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{e}");
}
