//! An organizer fixes a wrong key at desktop (1280 × 800) and phone
//! (360 × 740) size: searches the round's questions by the source code
//! entrants see ("MC-88"), opens the re-key form, sees the preview with its
//! counts and the top of the board before and after, confirms; then an
//! entrant's result page says their score changed, and why.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hoithi::db::audit::Actor;
use serde_json::json;

use crate::driver::{Browser, Chromedriver, INSTALL_HINT, find_tools};
use crate::helpers::{TestApp, spawn_app};
use crate::ui::{SIZES, click, fill, overflows, wait_text};

const PASSWORD: &str = "mat-khau-sua-dap-an";

async fn log_in(app: &TestApp, b: &Browser, username: &str) {
    b.goto(&app.url("/login")).await;
    fill(b, "input[name='username']", username).await;
    fill(b, "input[name='password']", PASSWORD).await;
    click(b, "form[action='/login'] button[type='submit']").await;
    b.wait_for("the home page", Duration::from_secs(10), async || (b.path().await? == "/").then_some(())).await;
}

/// Bank `r` (four questions, A right, sources "MC-88 — …" to "MC-91 — …"),
/// a round on it, and two entrants who took it: `cb-a` answered A
/// everywhere (4/4), `cb-b` B on r-1 (3/4). Returns the round and cb-a's attempt.
async fn setup(app: &TestApp) -> (i64, i64) {
    let mut toml = "[bank]\nslug = \"r\"\ntitle = \"Một cửa thử\"\ntopic = \"thu\"\n".to_string();
    for (k, code) in [("r-1", "MC-88"), ("r-2", "MC-89"), ("r-3", "MC-90"), ("r-4", "MC-91")] {
        toml.push_str(&format!(
            "\n[[question]]\nkey = \"{k}\"\nkind = \"single\"\ndifficulty = \"easy\"\ntext = \"Hồ sơ {k} nộp ở đâu?\"\noptions = [\"Bộ phận Một cửa\", \"Phòng chuyên môn\", \"Văn thư\", \"Nơi nào cũng được\"]\nanswer = \"A\"\nexplanation = \"Giải thích {k}.\"\nsource = \"{code} — Nghị định 61/2018/NĐ-CP\"\n"
        ));
    }
    let (bank, problems) = hoithi::domain::bank::parse_toml("r.toml", &toml);
    let bank = bank.unwrap_or_else(|| panic!("{problems:?}"));
    app.state.write(move |c| hoithi::db::banks::import_banks(c, &[bank], &Actor::cli())).await.unwrap();
    app.create_user("btc-sua", "organizer", None, PASSWORD).await;
    let org = app.client_for("btc-sua", PASSWORD).await;
    app.contest(&org, "sua-dap-an", json!({})).await;
    let round = app
        .round(
            &org,
            "sua-dap-an",
            json!({"blueprint": [{"bank": "r", "count": 4}], "prediction": false, "attempts_allowed": 1}),
        )
        .await;
    let mut first = 0;
    for (name, on_r1) in [("cb-a", 0usize), ("cb-b", 1)] {
        app.create_user(name, "official", Some("SNV"), PASSWORD).await;
        let c = app.client_for(name, PASSWORD).await;
        let id = app.start(&c, round).await["attempt_id"].as_i64().unwrap();
        for item in app.items(id).await {
            let file = if item.key == "r-1" { on_r1 } else { 0 };
            let shown = item.option_order.iter().position(|&f| f == file).unwrap();
            let url = app.url(&format!("/api/v1/attempts/{id}/items/{}", item.position));
            c.put(url).json(&json!({"choices": [shown]})).send().await.unwrap();
        }
        app.submit(&c, id, None).await;
        if first == 0 {
            first = id;
        }
    }
    (round, first)
}

async fn fix_at(
    app: &TestApp,
    driver: &Chromedriver,
    tools: &crate::driver::Tools,
    shots: &Path,
    size: (u32, u32),
    tag: &str,
) {
    let (round, attempt) = setup(app).await;
    let b = if tag == "phone" {
        driver.open_phone(&tools.chromium, shots.to_path_buf(), size, true).await
    } else {
        driver.open_desktop(&tools.chromium, shots.to_path_buf(), size, true).await
    };
    log_in(app, &b, "btc-sua").await;

    // From the round's page, search by the code entrants see.
    b.goto(&app.url(&format!("/admin/rounds/{round}"))).await;
    fill(&b, "#round-question-search input[name='q']", "MC-88").await;
    b.screenshot(&format!("rekey-{tag}-01-round-search")).await;
    click(&b, "#round-question-search button[type='submit']").await;
    wait_text(&b, "#found", "Tìm thấy 1 câu.").await;
    let list = b.text_of(".question-list").await.unwrap_or_default();
    assert!(list.contains("MC-88") && list.contains("r-1") && !list.contains("MC-89"), "{list}");
    assert!(!overflows(&b).await, "{tag}: the question list fits the width");
    b.screenshot(&format!("rekey-{tag}-02-found")).await;

    // The re-key form: B, a reason.
    click(&b, ".question-list a.button").await;
    wait_text(&b, "h1", "Sửa câu r-1").await;
    b.find_xpath("//form[@id='fix-form']//input[@name='answer'][@value='B']/parent::label")
        .await
        .click()
        .await
        .expect("choose B");
    fill(&b, "#fix-reason", "Đáp án đúng là Phòng chuyên môn").await;
    assert!(!overflows(&b).await, "{tag}: the form fits the width");
    b.screenshot(&format!("rekey-{tag}-03-form")).await;
    click(&b, "#preview-rekey").await;

    // The preview: counts and the top before and after; nothing changed yet.
    let counts = wait_text(&b, "#fix-counts", "bài đổi điểm").await;
    assert_eq!(counts, "Sẽ chấm lại 2 bài đã nộp; 2 bài đổi điểm.");
    assert_eq!(b.text_of("#fix-what").await.as_deref(), Some("Đổi đáp án câu r-1 từ A sang B."));
    let before = b.text_of(".top-before").await.unwrap_or_default();
    let after = b.text_of(".top-after").await.unwrap_or_default();
    assert!(before.starts_with("1. cb-a") && before.contains("4/4"), "{before}");
    assert!(after.starts_with("1. cb-b") && after.contains("↑ từ hạng 2"), "{after}");
    assert!(!overflows(&b).await, "{tag}: the preview fits the width");
    b.screenshot(&format!("rekey-{tag}-04-preview")).await;
    let score = |id: i64| async move {
        app.state.read(move |c| hoithi::db::attempts::find_attempt(c, id)).await.unwrap().unwrap().score
    };
    assert_eq!(score(attempt).await, 4, "a preview changes nothing");

    // Confirmed.
    click(&b, "#confirm").await;
    wait_text(&b, ".flash", "Đã lưu và chấm lại 2 bài thi; 2 bài đổi điểm.").await;
    b.screenshot(&format!("rekey-{tag}-05-done")).await;
    assert_eq!(score(attempt).await, 3);
    b.close().await;

    // The entrant's result page says so, with the reason (the key may be shown after submit).
    let e = if tag == "phone" {
        driver.open_phone(&tools.chromium, shots.to_path_buf(), size, true).await
    } else {
        driver.open_desktop(&tools.chromium, shots.to_path_buf(), size, true).await
    };
    log_in(app, &e, "cb-a").await;
    e.goto(&app.url(&format!("/attempts/{attempt}/result"))).await;
    let notice = wait_text(&e, "#score-changed", "4/4 thành 3/4").await;
    assert!(notice.contains("Lý do: Đáp án đúng là Phòng chuyên môn"), "{notice}");
    assert_eq!(e.text_of("#score").await.as_deref(), Some("3 / 4"));
    assert!(!overflows(&e).await, "{tag}: the result page fits the width");
    e.screenshot(&format!("rekey-{tag}-06-result")).await;
    e.close().await;
}

#[actix_web::test]
async fn an_organizer_previews_and_confirms_a_new_key_and_the_entrant_sees_the_change() {
    let Some(tools) = find_tools() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("the browser test needs chromium and chromedriver (/usr/bin or PATH): {INSTALL_HINT}");
        }
        let _ = writeln!(std::io::stderr(), "\nSKIPPED: re-key browser test needs {INSTALL_HINT}\n");
        return;
    };
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts").join("browser");
    std::fs::create_dir_all(&shots).expect("artifacts/browser");
    let driver = Chromedriver::start(&tools.chromedriver, &shots.join("chromedriver-rekey.log")).await;
    for (size, tag) in SIZES {
        // A database of its own at each size: the correction is made once in each.
        let app = spawn_app().await;
        fix_at(&app, &driver, &tools, &shots, size, tag).await;
    }
}
