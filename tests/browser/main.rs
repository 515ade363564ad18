//! The participant's side in a real browser: headless Chromium through
//! chromedriver, against the real application on its own database.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test is
//! skipped with a loud message, except under `CI=true`, where it fails.
//! Screenshots of each step go to `artifacts/browser/` (git-ignored).
//! axe-core checks every page visited (see `axe.rs`; `HOITHI_AXE_JS` names
//! its `axe.min.js`, and under `CI=true` it must be there).

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod accounts;
mod axe;
mod driver;
mod paper;
mod rekey;
mod resident;
mod ui;
mod walk;

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use hoithi::db::attempts::{ItemFull, find_attempt};
use hoithi::domain::attempt::AttemptState;
use serde_json::json;

use crate::driver::{Browser, Chromedriver, INSTALL_HINT, find_tools};
use crate::helpers::{TestApp, spawn_app};

const USERNAME: &str = "canbo-web";
const PASSWORD: &str = "mat-khau-can-bo-web";
/// The shortest round the API accepts.
const DURATION_S: i64 = 30;

/// A contest with one published 30-second round of three questions; returns the round id.
async fn setup_short_round(app: &TestApp) -> i64 {
    let org = app.organizer("btc").await;
    app.contest(&org, "thu-trinh-duyet", json!({})).await;
    app.round(
        &org,
        "thu-trinh-duyet",
        json!({
            "title": "Vòng nhanh", "duration_s": DURATION_S, "grace_s": 5,
            "blueprint": [{"bank": "mot-cua", "count": 3}],
            "attempts_allowed": 1, "prediction": false, "reveal": "after_submit",
        }),
    )
    .await
}

fn sorted(mut v: Vec<usize>) -> Vec<usize> {
    v.sort_unstable();
    v
}

/// Clicks the label of option `index` of question `position`, as a finger would.
async fn choose(b: &Browser, position: i32, index: usize) {
    b.find_xpath(&format!("//li[@id='q{position}']//input[@value='{index}']/parent::label"))
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click option {index} of question {position}: {e}"));
}

/// Which options of each question are checked on the page.
async fn checked(b: &Browser, items: &[ItemFull]) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for item in items {
        let mut chosen = Vec::new();
        for k in 0..item.options.len() {
            let input = b.find(&format!("input[name='q{}'][value='{k}']", item.position)).await;
            if input.is_selected().await.expect("is_selected") {
                chosen.push(k);
            }
        }
        out.push(chosen);
    }
    out
}

#[actix_web::test]
async fn official_takes_a_round_in_a_real_browser() {
    let Some(tools) = find_tools() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("the browser test needs chromium and chromedriver (/usr/bin or PATH): {INSTALL_HINT}");
        }
        // Straight to stderr: the test harness captures `eprintln!` of passing tests.
        let bar = "!".repeat(78);
        let _ = writeln!(
            std::io::stderr(),
            "\n{bar}\nSKIPPED: browser test needs chromium and chromium-driver ({INSTALL_HINT})\n{bar}\n"
        );
        return;
    };
    let began = Instant::now();
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts").join("browser");
    std::fs::create_dir_all(&shots).expect("artifacts/browser");
    let _ = std::fs::remove_file(shots.join("failure.png"));
    let driver = Chromedriver::start(&tools.chromedriver, &shots.join("chromedriver.log")).await;

    let app = spawn_app().await;
    setup_short_round(&app).await;
    app.create_user(USERNAME, "official", Some("SNV"), PASSWORD).await;
    let b = driver.open_browser(&tools.chromium, shots.clone()).await;

    // Log in through the form.
    b.goto(&app.url("/login")).await;
    b.find("input[name='username']").await.send_keys(USERNAME).await.expect("type username");
    b.find("input[name='password']").await.send_keys(PASSWORD).await.expect("type password");
    b.screenshot("01-login").await;
    b.find("form[action='/login'] button[type='submit']").await.click().await.expect("submit login");

    // The home page lists the open round.
    b.wait_for("the home page after login", Duration::from_secs(10), async || (b.path().await? == "/").then_some(()))
        .await;
    b.find_xpath("//a[normalize-space()='Vào thi']").await.click().await.expect("click Vào thi");
    // The page before the clock, then the start.
    b.find("#start").await.click().await.expect("click Bắt đầu làm bài");
    let attempt_id: i64 = b
        .wait_for("the attempt page", Duration::from_secs(10), async || {
            b.path().await?.strip_prefix("/attempts/")?.parse().ok()
        })
        .await;
    let on_paper = Instant::now();
    // attempt.js has run once the clock shows mm:ss.
    let clock = b
        .wait_for("the countdown", Duration::from_secs(10), async || {
            b.text_of("#clock").await.filter(|t| t.len() == 5 && t != "--:--")
        })
        .await;
    assert!(clock.as_str() <= "00:30" && clock.as_str() >= "00:20", "a 30-second round shows {clock}");

    // Question 1 answered right (every correct option), question 2 wrong, question 3 left blank.
    let items: Vec<ItemFull> = app.items(attempt_id).await;
    assert_eq!(items.len(), 3, "the blueprint asks for 3 questions");
    let right = sorted(items[0].answer_display.clone());
    let wrong = (0..items[1].options.len()).find(|k| !items[1].answer_display.contains(k)).expect("a wrong option");
    for &k in &right {
        choose(&b, 1, k).await;
    }
    choose(&b, 2, wrong).await;
    for position in [1, 2] {
        b.wait_for(&format!("question {position} to show “Đã lưu”"), Duration::from_secs(10), async || {
            let state = b.text_of(&format!("#q{position} .state")).await?;
            (state == "Đã lưu").then_some(())
        })
        .await;
    }
    b.wait_for("#sync to say every answer is saved", Duration::from_secs(10), async || {
        b.text_of("#sync").await?.contains("Đã lưu tất cả").then_some(())
    })
    .await;
    b.screenshot("02-paper").await;

    // Autosave reached the server.
    let saved = app.items(attempt_id).await;
    assert_eq!(sorted(saved[0].choices.clone()), right, "question 1 saved");
    assert_eq!(saved[1].choices, vec![wrong], "question 2 saved");
    assert!(saved[2].choices.is_empty(), "question 3 untouched");

    // A reload shows the same paper with the saved answers.
    assert!(on_paper.elapsed() < Duration::from_secs(DURATION_S as u64 - 5), "too slow to test a reload in time");
    b.client.refresh().await.expect("reload");
    b.wait_for("the countdown after reload", Duration::from_secs(10), async || {
        b.text_of("#clock").await.filter(|t| t.len() == 5 && t != "--:--")
    })
    .await;
    assert_eq!(b.path().await.as_deref(), Some(format!("/attempts/{attempt_id}").as_str()));
    assert_eq!(checked(&b, &items).await, vec![right.clone(), vec![wrong], vec![]], "answers restored after reload");
    assert_eq!(b.text_of("#q1 .state").await.as_deref(), Some("Đã lưu"));
    b.screenshot("03-after-reload").await;

    // At zero the page submits itself and lands on the result.
    b.wait_for("the automatic submission at zero to show the result page", Duration::from_secs(45), async || {
        let path = b.path().await?;
        let h1 = b.text_of("h1").await?;
        (path.ends_with("/result") && h1.starts_with("Kết quả")).then_some(())
    })
    .await;
    let submitted_after = on_paper.elapsed();
    assert_eq!(b.path().await.unwrap(), format!("/attempts/{attempt_id}/result"));
    b.screenshot("04-result").await;

    let attempt = app.state.read(move |c| find_attempt(c, attempt_id)).await.unwrap().expect("the attempt");
    assert!(attempt.is_final(), "final after the automatic submission: {attempt:?}");
    assert_eq!(
        attempt.state,
        AttemptState::Submitted,
        "submitted by the page within the grace period, not swept as expired"
    );
    let graded = app.items(attempt_id).await;
    let expected = graded
        .iter()
        .filter(|i| !i.voided && !i.choices.is_empty() && sorted(i.choices.clone()) == sorted(i.answer_display.clone()))
        .count() as i32;
    assert_eq!(expected, 1, "question 1 right, question 2 wrong, question 3 blank");
    assert_eq!((attempt.score, attempt.correct, attempt.max_score), (expected, expected, 3));
    assert_eq!(b.text_of("#score").await.as_deref(), Some("1 / 3"));

    b.close().await;
    drop(driver);
    eprintln!(
        "browser test: automatic submission {:.1} s after the paper opened; {:.1} s in all; screenshots in {}",
        submitted_after.as_secs_f64(),
        began.elapsed().as_secs_f64(),
        shots.display()
    );
}
