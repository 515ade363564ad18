//! A resident on a small phone (360 × 740): from the shared link through
//! registration, the paper and the prediction to the result, with
//! JavaScript; and registration again with JavaScript off. Page weights
//! come from the browser's own resource timing.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use crate::driver::{Browser, Chromedriver, INSTALL_HINT, find_tools};
use crate::helpers::{TestApp, spawn_app};

const PHONE: (u32, u32) = (360, 740);
/// Most a join or registration page may weigh (document, styles, scripts).
const LIGHT: u64 = 50 * 1024;

async fn setup(app: &TestApp) -> i64 {
    let org = app.organizer("btc").await;
    app.contest(&org, "nguoi-dan", json!({"audience": "public", "title": "Tìm hiểu cải cách hành chính"})).await;
    app.round(
        &org,
        "nguoi-dan",
        json!({"title": "Tuần 1", "duration_s": 300, "blueprint": [{"bank": "mot-cua", "count": 3}],
               "attempts_allowed": 1, "prediction": true, "reveal": "after_submit"}),
    )
    .await
}

/// Bytes the page and what it loaded came to, by the browser's resource timing.
async fn weight(b: &Browser) -> u64 {
    let script = "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))\
                  .reduce(function (a, e) { return a + (e.encodedBodySize || 0); }, 0);";
    b.client.execute(script, vec![]).await.expect("resource timing").as_u64().expect("a number")
}

async fn fill(b: &Browser, name: &str, value: &str) {
    let input = b.find(&format!("[name='{name}']")).await;
    input.clear().await.ok();
    input.send_keys(value).await.unwrap_or_else(|e| panic!("type into {name}: {e}"));
}

/// Enter, as a key (WebDriver's code point for it).
const ENTER: &str = "\u{E007}";

/// Registers through the form; returns the code the page shows. With the
/// page's scripts off, chromedriver's clicks stall (they wait on a promise
/// the page cannot run), so that browser goes by keyboard, as a person
/// with a keyboard would.
async fn register(b: &Browser, app: &TestApp, phone: &str, javascript: bool, shot: &str) -> String {
    b.goto(&app.url("/c/nguoi-dan")).await;
    let join = weight(b).await;
    assert!(join < LIGHT, "the join page weighs {join} bytes");
    let link = b.find("a[href='/c/nguoi-dan/register']").await;
    if javascript {
        link.click().await.expect("click Đăng ký dự thi");
    } else {
        link.send_keys(ENTER).await.expect("follow Đăng ký dự thi");
    }
    b.wait_for("the registration form", Duration::from_secs(10), async || {
        b.path().await?.starts_with("/c/nguoi-dan/register").then_some(())
    })
    .await;
    let form = weight(b).await;
    assert!(form < LIGHT, "the registration page weighs {form} bytes");
    fill(b, "full_name", "Phạm Thị Mai").await;
    fill(b, "birth_year", "1972").await;
    fill(b, "phone", phone).await;
    let select = b.find("select[name='unit_code']").await;
    if javascript {
        // The filter box narrows the long list to the ward.
        b.find("input[type='search']").await.send_keys("le loi").await.expect("filter the units");
        select.select_by_value("QN-LELOI").await.expect("choose the ward");
        b.find("input[name='consent']").await.click().await.expect("tick consent");
    } else {
        select.send_keys("Phường Lê Lợi").await.expect("choose the ward");
        b.find("input[name='consent']").await.send_keys(" ").await.expect("tick consent");
    }
    b.screenshot(&format!("{shot}-register")).await;
    let submit = b.find("form[action^='/c/nguoi-dan/register'] button[type='submit']").await;
    if javascript {
        submit.click().await.expect("submit");
    } else {
        submit.send_keys(ENTER).await.expect("submit");
    }
    let code = b
        .wait_for("the code after registering", Duration::from_secs(10), async || {
            b.text_of(".code").await.filter(|c| c.len() == 6)
        })
        .await;
    b.screenshot(&format!("{shot}-code")).await;
    code
}

#[actix_web::test]
async fn a_resident_joins_from_the_link_and_takes_the_round_on_a_small_phone() {
    let Some(tools) = find_tools() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("the browser test needs chromium and chromedriver (/usr/bin or PATH): {INSTALL_HINT}");
        }
        let _ = writeln!(std::io::stderr(), "\nSKIPPED: resident browser test needs {INSTALL_HINT}\n");
        return;
    };
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts").join("browser");
    std::fs::create_dir_all(&shots).expect("artifacts/browser");
    let driver = Chromedriver::start(&tools.chromedriver, &shots.join("chromedriver-resident.log")).await;
    let app = spawn_app().await;
    let round = setup(&app).await;

    // Without JavaScript: the join and registration pages work as they are.
    let plain = driver.open_phone(&tools.chromium, shots.clone(), PHONE, false).await;
    let code = register(&plain, &app, "0912 000 111", false, "10-nojs").await;
    assert!(code.chars().all(|c| c.is_ascii_alphanumeric()), "{code}");
    plain.find(&format!("a[href='/rounds/{round}/start']")).await;
    plain.close().await;

    // With JavaScript, a second resident goes all the way.
    let b = driver.open_phone(&tools.chromium, shots.clone(), PHONE, true).await;
    register(&b, &app, "0987 000 222", true, "20-js").await;
    b.find(&format!("a[href='/rounds/{round}/start']")).await.click().await.expect("Vào thi");
    b.find("#start").await.click().await.expect("Bắt đầu làm bài");
    let attempt: i64 = b
        .wait_for("the paper", Duration::from_secs(10), async || {
            b.path().await?.strip_prefix("/attempts/")?.parse().ok()
        })
        .await;
    b.wait_for("the countdown", Duration::from_secs(10), async || {
        b.text_of("#clock").await.filter(|t| t.len() == 5 && t != "--:--")
    })
    .await;
    let key = app.key_of(attempt).await;
    for (i, k) in key.iter().enumerate() {
        for option in k {
            b.find_xpath(&format!("//li[@id='q{}']//input[@value='{option}']/parent::label", i + 1))
                .await
                .click()
                .await
                .expect("choose");
        }
    }
    // The prediction is saved on change, like an answer: Tab leaves the box.
    fill(&b, "prediction", "120\u{E004}").await;
    b.wait_for("the prediction to be saved", Duration::from_secs(10), async || {
        let a = app.state.read(move |c| hoithi::db::attempts::find_attempt(c, attempt)).await.ok()??;
        (a.prediction == Some(120)).then_some(())
    })
    .await;
    b.screenshot("21-paper").await;
    b.client.refresh().await.expect("reload");
    b.wait_for("the prediction after a reload", Duration::from_secs(10), async || {
        let v = b.find("input[name='prediction']").await.prop("value").await.ok()??;
        (v == "120").then_some(())
    })
    .await;
    b.find("#submit").await.click().await.expect("Nộp bài");
    b.wait_for("the result", Duration::from_secs(10), async || b.path().await?.ends_with("/result").then_some(()))
        .await;
    assert_eq!(b.text_of("#score").await.as_deref(), Some("3 / 3"));
    b.screenshot("22-result").await;
    let a = app.state.read(move |c| hoithi::db::attempts::find_attempt(c, attempt)).await.unwrap().unwrap();
    assert_eq!((a.score, a.prediction), (3, Some(120)));
    b.close().await;
}
