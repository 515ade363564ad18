//! The paper in a real browser at 1280 × 800 and 360 × 740: with the
//! page's scripts off, answers saved with "Lưu bài" survive a reload and a
//! submit after the deadline keeps them (the app's clock is moved, not
//! waited for); the page promises no autosave it cannot give. With scripts
//! on, the question navigator follows the answers live and "Đã lưu tất cả"
//! appears only once something is saved. Both go through the page before
//! the clock, and see it again with no attempt left.
//!
//! With scripts off chromedriver's clicks stall, so that browser goes by
//! keyboard (Enter on links and buttons, Space on options).

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use hoithi::db::attempts::find_attempt;
use hoithi::domain::attempt::AttemptState;
use serde_json::json;

use crate::driver::{Browser, Chromedriver, INSTALL_HINT, Tools, find_tools};
use crate::helpers::{TestApp, spawn_app};

const SIZES: [(&str, (u32, u32)); 2] = [("1280", (1280, 800)), ("360", (360, 740))];
const PASSWORD: &str = "mat-khau-giay-thi";
/// Enter and Space, as keys (WebDriver's code points).
const ENTER: &str = "\u{E007}";
const SPACE: &str = " ";
/// Most the paper may weigh (document, styles, scripts).
const LIGHT: u64 = 50 * 1024;

pub fn tools_or_skip() -> Option<Tools> {
    let tools = find_tools();
    if tools.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("the browser test needs chromium and chromedriver (/usr/bin or PATH): {INSTALL_HINT}");
        }
        let _ = writeln!(std::io::stderr(), "\nSKIPPED: paper browser test needs {INSTALL_HINT}\n");
    }
    tools
}

pub fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts").join("browser");
    std::fs::create_dir_all(&dir).expect("artifacts/browser");
    dir
}

/// A round of three questions, five minutes, 5 s of grace, one attempt.
async fn setup(app: &TestApp, user: &str, prediction: bool) -> i64 {
    let org = app.organizer("btc").await;
    app.contest(&org, "giay-thi", json!({"rules": "Thi **trung thực**, tự làm bài."})).await;
    let round = app
        .round(
            &org,
            "giay-thi",
            json!({"title": "Vòng giấy", "duration_s": 300, "grace_s": 5, "blueprint": [{"bank": "mot-cua", "count": 3}],
                   "attempts_allowed": 1, "prediction": prediction, "reveal": "after_submit"}),
        )
        .await;
    app.create_user(user, "official", Some("SNV"), PASSWORD).await;
    round
}

async fn weight(b: &Browser) -> u64 {
    let script = "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))\
                  .reduce(function (a, e) { return a + (e.encodedBodySize || 0); }, 0);";
    b.client.execute(script, vec![]).await.expect("resource timing").as_u64().expect("a number")
}

async fn visible(b: &Browser, css: &str) -> bool {
    b.find(css).await.is_displayed().await.unwrap_or(false)
}

async fn press(b: &Browser, css: &str, javascript: bool) {
    let e = b.find(css).await;
    if javascript {
        e.click().await.unwrap_or_else(|err| panic!("click {css}: {err}"));
    } else {
        e.send_keys(ENTER).await.unwrap_or_else(|err| panic!("Enter on {css}: {err}"));
    }
}

async fn wait_path(b: &Browser, what: &str, pred: impl Fn(&str) -> bool) -> String {
    b.wait_for(what, Duration::from_secs(10), async || b.path().await.filter(|p| pred(p))).await
}

/// Logs in through the form, opens the round's page from the home page and
/// checks what it says; returns with the browser on it.
async fn to_intro(b: &Browser, app: &TestApp, user: &str, round: i64, javascript: bool, shot: &str) {
    b.goto(&app.url("/login")).await;
    b.find("input[name='username']").await.send_keys(user).await.expect("username");
    let password = b.find("input[name='password']").await;
    password.send_keys(PASSWORD).await.expect("password");
    if javascript {
        press(b, "form[action='/login'] button[type='submit']", true).await;
    } else {
        password.send_keys(ENTER).await.expect("submit login");
    }
    wait_path(b, "the home page", |p| p == "/").await;
    press(b, &format!("a[href='/rounds/{round}/start']"), javascript).await;
    wait_path(b, "the page before the clock", |p| p == format!("/rounds/{round}/start")).await;
    let text = b.text_of("main").await.unwrap_or_default();
    for expected in ["3 câu", "5 phút", "Còn 1 trong 1 lượt", "ngay sau khi nộp bài", "trung thực"] {
        assert!(text.contains(expected), "the intro says {expected}: {text}");
    }
    b.screenshot(&format!("{shot}-01-intro")).await;
}

async fn attempt_of(b: &Browser) -> i64 {
    wait_path(b, "the paper", |p| p.starts_with("/attempts/") && !p.ends_with("/result")).await["/attempts/".len()..]
        .parse()
        .expect("an attempt id")
}

/// With no attempt left the page says so, links the result and offers no start.
async fn used_up(b: &Browser, app: &TestApp, round: i64, attempt: i64, shot: &str) {
    b.goto(&app.url(&format!("/rounds/{round}/start"))).await;
    let text = b.text_of("#no-attempts").await.unwrap_or_default();
    assert!(text.contains("Bạn đã dùng hết 1 lượt thi"), "{text}");
    b.find(&format!("a[href='/attempts/{attempt}/result']")).await;
    assert!(b.client.find(fantoccini::Locator::Css("#start")).await.is_err(), "no start offered");
    b.screenshot(&format!("{shot}-09-no-attempt-left")).await;
}

#[actix_web::test]
async fn without_javascript_saved_answers_survive_a_reload_and_a_late_submit_keeps_them() {
    let Some(tools) = tools_or_skip() else { return };
    let shots = shots();
    let driver = Chromedriver::start(&tools.chromedriver, &shots.join("chromedriver-paper-nojs.log")).await;
    for (tag, size) in SIZES {
        let shot = format!("30-nojs-{tag}");
        let app = spawn_app().await;
        let user = format!("canbo-giay-{tag}");
        let round = setup(&app, &user, false).await;
        let b = if tag == "360" {
            driver.open_phone(&tools.chromium, shots.clone(), size, false).await
        } else {
            driver.open_desktop(&tools.chromium, shots.clone(), size, false).await
        };
        to_intro(&b, &app, &user, round, false, &shot).await;
        press(&b, "#start", false).await;
        let attempt = attempt_of(&b).await;
        let paper = weight(&b).await;
        assert!(paper < LIGHT, "the paper weighs {paper} bytes");

        // What the page says is true without scripts: a deadline, no clock, no autosave.
        let deadline = b.text_of("#deadline").await.expect("the deadline in the bar");
        assert!(deadline.len() == 5 && deadline.contains(':'), "a clock time: {deadline}");
        let notice = b.text_of("#nojs-notice").await.unwrap_or_default();
        assert!(
            notice.contains(&format!("Hạn nộp: {deadline} (giờ Việt Nam)")) && notice.contains("Lưu bài"),
            "{notice}"
        );
        let body = b.text_of("body").await.unwrap_or_default();
        for promise in ["--:--", "được lưu ngay khi chọn", "Bài tự nộp khi hết giờ", "Đã lưu tất cả"]
        {
            assert!(!body.contains(promise), "without scripts the page must not show “{promise}”");
        }
        assert!(visible(&b, "#save").await && visible(&b, "#reminder").await);
        assert_eq!(b.text_of("#answered-count").await.as_deref(), Some("Đã trả lời 0/3"));

        // Question 1 right, question 2 wrong, by keyboard; then "Lưu bài".
        let items = app.items(attempt).await;
        let right1 = items[0].answer_display.clone();
        let wrong2 = (0..items[1].options.len()).find(|k| !items[1].answer_display.contains(k)).unwrap();
        for k in &right1 {
            b.find(&format!("input[name='q1'][value='{k}']")).await.send_keys(SPACE).await.expect("choose");
        }
        b.find(&format!("input[name='q2'][value='{wrong2}']")).await.send_keys(SPACE).await.expect("choose");
        b.screenshot(&format!("{shot}-02-chosen")).await;
        press(&b, "#save", false).await;
        let saved = b
            .wait_for("“Đã lưu lúc …”", Duration::from_secs(10), async || {
                b.text_of("#saved-at").await.filter(|t| t.starts_with("Đã lưu lúc"))
            })
            .await;
        assert!(saved.contains("2/3"), "{saved}");
        b.screenshot(&format!("{shot}-03-saved")).await;
        let stored = app.items(attempt).await;
        assert_eq!((stored[0].choices.clone(), stored[1].choices.clone()), (right1.clone(), vec![wrong2]));

        // A reload shows them checked, counted and marked in the navigator.
        b.client.refresh().await.expect("reload");
        b.find("#paper").await;
        for (pos, k) in right1.iter().map(|k| (1, *k)).chain([(2, wrong2)]) {
            let input = b.find(&format!("input[name='q{pos}'][value='{k}']")).await;
            assert!(input.is_selected().await.unwrap(), "q{pos} option {k} checked after the reload");
        }
        assert_eq!(b.text_of("#answered-count").await.as_deref(), Some("Đã trả lời 2/3"));
        for (pos, done) in [(1, true), (2, true), (3, false)] {
            let class = b.find(&format!("#qnav a[data-position='{pos}']")).await.attr("class").await.unwrap();
            assert_eq!(class.as_deref() == Some("done"), done, "navigator link {pos}");
        }
        b.screenshot(&format!("{shot}-04-after-reload")).await;

        // Question 3 answered but never saved; the clock passes deadline + grace; then "Nộp bài".
        let right3 = items[2].answer_display.clone();
        for k in &right3 {
            b.find(&format!("input[name='q3'][value='{k}']")).await.send_keys(SPACE).await.expect("choose");
        }
        app.advance(chrono::Duration::seconds(300 + 6));
        press(&b, "#submit", false).await;
        wait_path(&b, "the result", |p| p.ends_with("/result")).await;
        assert_eq!(b.text_of("#score").await.as_deref(), Some("1 / 3"), "question 1 counts, question 3 came late");
        assert!(b.text_of("#expired-note").await.unwrap_or_default().contains("đã lưu trước hạn"));
        b.screenshot(&format!("{shot}-05-result")).await;
        let a = app.state.read(move |c| find_attempt(c, attempt)).await.unwrap().unwrap();
        assert_eq!((a.state, a.correct), (AttemptState::Expired, 1));
        assert!(app.items(attempt).await[2].choices.is_empty(), "the late answer was not stored");
        assert_eq!(app.items(attempt).await[0].choices, right1, "the saved one was kept");

        used_up(&b, &app, round, attempt, &shot).await;
        b.close().await;
    }
}

#[actix_web::test]
async fn with_javascript_the_navigator_follows_the_answers_and_the_prediction_is_kept() {
    let Some(tools) = tools_or_skip() else { return };
    let shots = shots();
    let driver = Chromedriver::start(&tools.chromedriver, &shots.join("chromedriver-paper-js.log")).await;
    for (tag, size) in SIZES {
        let shot = format!("40-js-{tag}");
        let app = spawn_app().await;
        let user = format!("canbo-js-{tag}");
        let round = setup(&app, &user, true).await;
        let b = if tag == "360" {
            driver.open_phone(&tools.chromium, shots.clone(), size, true).await
        } else {
            driver.open_desktop(&tools.chromium, shots.clone(), size, true).await
        };
        to_intro(&b, &app, &user, round, true, &shot).await;
        press(&b, "#start", true).await;
        let attempt = attempt_of(&b).await;
        b.wait_for("the countdown", Duration::from_secs(10), async || {
            b.text_of("#clock").await.filter(|t| t.len() == 5 && t != "--:--")
        })
        .await;
        // The script says what it does and hides what only the plain form needs.
        assert!(visible(&b, "#js-notice").await && !visible(&b, "#nojs-notice").await);
        assert!(!visible(&b, "#save").await && !visible(&b, "#reminder").await);
        assert_eq!(b.text_of("#sync").await.as_deref(), Some(""), "nothing saved yet, nothing claimed");
        assert_eq!(b.text_of("#answered-count").await.as_deref(), Some("Đã trả lời 0/3"));
        b.screenshot(&format!("{shot}-02-paper")).await;

        let key = app.key_of(attempt).await;
        for (i, k) in key.iter().enumerate().take(2) {
            for option in k {
                b.find_xpath(&format!("//li[@id='q{}']//input[@value='{option}']/parent::label", i + 1))
                    .await
                    .click()
                    .await
                    .expect("choose");
            }
            let count = format!("Đã trả lời {}/3", i + 1);
            b.wait_for(&count, Duration::from_secs(5), async || {
                (b.text_of("#answered-count").await? == count).then_some(())
            })
            .await;
        }
        for (pos, done) in [(1, true), (2, true), (3, false)] {
            let class = b.find(&format!("#qnav a[data-position='{pos}']")).await.attr("class").await.unwrap();
            assert_eq!(class.is_some_and(|c| c.contains("done")), done, "navigator link {pos}");
        }
        b.wait_for("“Đã lưu tất cả câu trả lời”", Duration::from_secs(10), async || {
            b.text_of("#sync").await?.contains("Đã lưu tất cả").then_some(())
        })
        .await;
        // The count in the sticky bar leads to the navigator, whose links go to their question.
        b.find("#answered-count").await.click().await.expect("go to the navigator");
        b.wait_for("the address to name the navigator", Duration::from_secs(5), async || {
            b.client.current_url().await.ok()?.fragment().filter(|f| *f == "qnav").map(|_| ())
        })
        .await;
        b.find("#qnav a[data-position='3']").await.click().await.expect("go to question 3");
        b.wait_for("the address to name question 3", Duration::from_secs(5), async || {
            b.client.current_url().await.ok()?.fragment().filter(|f| *f == "q3").map(|_| ())
        })
        .await;
        b.screenshot(&format!("{shot}-03-navigator")).await;

        // The prediction is saved a moment after typing stops (no need to leave the box).
        b.find("input[name='prediction']").await.send_keys("250").await.expect("type the prediction");
        b.wait_for("the prediction to be saved", Duration::from_secs(10), async || {
            let a = app.state.read(move |c| find_attempt(c, attempt)).await.ok()??;
            (a.prediction == Some(250)).then_some(())
        })
        .await;
        b.client.refresh().await.expect("reload");
        b.wait_for("the prediction after a reload", Duration::from_secs(10), async || {
            let v = b.find("input[name='prediction']").await.prop("value").await.ok()??;
            (v == "250").then_some(())
        })
        .await;
        assert_eq!(b.text_of("#answered-count").await.as_deref(), Some("Đã trả lời 2/3"));
        for option in &key[2] {
            b.find_xpath(&format!("//li[@id='q3']//input[@value='{option}']/parent::label"))
                .await
                .click()
                .await
                .expect("choose");
        }
        b.wait_for("all three saved", Duration::from_secs(10), async || {
            let items = app.items(attempt).await;
            items.iter().all(|i| !i.choices.is_empty()).then_some(())
        })
        .await;
        b.find("#submit").await.click().await.expect("Nộp bài");
        wait_path(&b, "the result", |p| p.ends_with("/result")).await;
        assert_eq!(b.text_of("#score").await.as_deref(), Some("3 / 3"));
        let a = app.state.read(move |c| find_attempt(c, attempt)).await.unwrap().unwrap();
        assert_eq!((a.state, a.prediction), (AttemptState::Submitted, Some(250)));
        used_up(&b, &app, round, attempt, &shot).await;
        b.close().await;
    }
}
