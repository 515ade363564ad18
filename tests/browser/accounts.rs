//! An admin imports officials from a CSV at desktop (1280 × 800) and phone
//! (360 × 740) size: logs in (showing the typed password once), uploads a
//! file with problems and sees each one, uploads the corrected file, sees
//! the accounts, confirms, and downloads the generated passwords once.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use crate::driver::{Browser, Chromedriver, INSTALL_HINT, find_tools};
use crate::helpers::{ADMIN_PASSWORD, TestApp, spawn_app};
use crate::ui::{SIZES, click, fill, overflows, wait_text};

/// Fetches `href` from the page, with its cookies, as the download link would: (status, body).
async fn fetch(b: &Browser, href: &str) -> (u64, String) {
    let script = "var done = arguments[arguments.length - 1];\
                  fetch(arguments[0], { credentials: 'same-origin' })\
                  .then(function (r) { return r.text().then(function (t) { done([r.status, t]); }); })\
                  .catch(function (e) { done([0, String(e)]); });";
    let v = b.client.execute_async(script, vec![json!(href)]).await.expect("fetch in the page");
    (v[0].as_u64().unwrap_or(0), v[1].as_str().unwrap_or("").to_string())
}

async fn upload(b: &Browser, file: &std::path::Path) {
    b.find("input[type='file'][name='file']")
        .await
        .send_keys(&file.display().to_string())
        .await
        .expect("choose the file");
    click(b, "form[action='/admin/users/import/preview'] button[type='submit']").await;
}

async fn logs_in(app: &TestApp, username: &str, password: &str) -> bool {
    let r = crate::helpers::new_client()
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login");
    r.status().is_success()
}

async fn import_at(app: &TestApp, b: &Browser, tag: &str, people: &[(&str, &str)]) {
    // Log in; the typed password can be shown and hidden again.
    b.goto(&app.url("/login")).await;
    fill(b, "input[name='username']", "admin").await;
    fill(b, "input[name='password']", ADMIN_PASSWORD).await;
    assert!(b.text_of("#forgot").await.unwrap_or_default().starts_with("Quên mật khẩu?"));
    click(b, "button.reveal-toggle").await;
    let password = b.find("input[name='password']").await;
    assert_eq!(password.attr("type").await.unwrap().as_deref(), Some("text"), "shown");
    assert_eq!(password.prop("value").await.unwrap().as_deref(), Some(ADMIN_PASSWORD));
    b.screenshot(&format!("acc-{tag}-01-login")).await;
    click(b, "button.reveal-toggle").await;
    assert_eq!(password.attr("type").await.unwrap().as_deref(), Some("password"), "hidden again");
    click(b, "form[action='/login'] button[type='submit']").await;
    b.wait_for("the home page", Duration::from_secs(10), async || (b.path().await? == "/").then_some(())).await;
    b.goto(&app.url("/account/password")).await;
    b.find("button.reveal-toggle").await;
    let toggles = b.client.find_all(fantoccini::Locator::Css("button.reveal-toggle")).await.expect("toggles");
    assert_eq!(toggles.len(), 3, "one for each password box of the password page");

    // A file with problems: each is listed by row and column, nothing is offered to save.
    let dir = app.db.dir.path();
    let bad = dir.join(format!("{tag}-loi.csv"));
    std::fs::write(&bad, "Họ và tên,Đơn vị,Số điện thoại\nNgô Văn Bảy,SNV,0905\n,KHONGCO,\n").unwrap();
    b.goto(&app.url("/admin/users/import")).await;
    upload(b, &bad).await;
    wait_text(b, "#summary", "Có 3 vấn đề").await;
    let problems = b.text_of("#problems").await.unwrap_or_default();
    for needle in ["Số điện thoại", "10 chữ số", "Họ và tên không được để trống.", "KHONGCO"] {
        assert!(problems.contains(needle), "{needle} in {problems}");
    }
    assert!(b.client.find(fantoccini::Locator::Css("#confirm")).await.is_err(), "no confirmation");
    assert!(!overflows(b).await, "{tag}: the preview of problems fits the width");
    b.screenshot(&format!("acc-{tag}-02-problems")).await;

    // The corrected file: the accounts, then the confirmation.
    let good = dir.join(format!("{tag}.csv"));
    let mut csv = String::from("\u{feff}Họ và tên,Đơn vị,Email,Số điện thoại\n");
    for (name, unit) in people {
        csv.push_str(&format!("{name},{unit},,\n"));
    }
    std::fs::write(&good, csv).unwrap();
    upload(b, &good).await;
    wait_text(b, "#summary", &format!("sẽ tạo {} tài khoản", people.len())).await;
    let accounts = b.text_of("#accounts").await.unwrap_or_default();
    assert!(people.iter().all(|(name, _)| accounts.contains(name)), "{accounts}");
    assert!(!overflows(b).await, "{tag}: the preview fits the width");
    b.screenshot(&format!("acc-{tag}-03-preview")).await;
    click(b, "#confirm").await;
    wait_text(b, "#done", &format!("Đã tạo {} tài khoản", people.len())).await;
    b.screenshot(&format!("acc-{tag}-04-done")).await;

    // The passwords, once.
    let href = b.find("#passwords").await.attr("href").await.unwrap().expect("a download link");
    let (status, body) = fetch(b, &href).await;
    assert_eq!(status, 200, "{body}");
    let mut reader = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), people.len());
    for row in &rows {
        assert!(logs_in(app, &row[0], &row[3]).await, "{} logs in with the downloaded password", &row[0]);
    }
    let (status, body) = fetch(b, &href).await;
    assert_eq!(status, 410, "never twice: {body}");
}

#[actix_web::test]
async fn an_admin_imports_officials_from_a_csv_at_desktop_and_phone_size() {
    let Some(tools) = find_tools() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("the browser test needs chromium and chromedriver (/usr/bin or PATH): {INSTALL_HINT}");
        }
        let _ = writeln!(std::io::stderr(), "\nSKIPPED: account import browser test needs {INSTALL_HINT}\n");
        return;
    };
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts").join("browser");
    std::fs::create_dir_all(&shots).expect("artifacts/browser");
    let driver = Chromedriver::start(&tools.chromedriver, &shots.join("chromedriver-accounts.log")).await;
    let app = spawn_app().await;
    let people: [&[(&str, &str)]; 2] = [
        &[("Nguyễn Văn An", "SNV"), ("Trần Thị Bình", "Phường Lê Lợi"), ("Lê Văn Cường", "STTTT")],
        &[("Phạm Thị Dung", "SNV"), ("Hồ Văn Em", "QN-LELOI")],
    ];
    for ((size, tag), people) in SIZES.into_iter().zip(people) {
        let b = driver.open_phone(&tools.chromium, shots.clone(), size, true).await;
        import_at(&app, &b, tag, people).await;
        b.close().await;
    }
}
