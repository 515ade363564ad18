//! Accounts for a province: importing officials from a CSV on the page and
//! through `POST /api/v1/users/import`, every problem before anything is
//! saved, all rows or none, and the generated passwords downloadable once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDb, hidden, json_of, spawn_app, spawn_app_with_settings};

/// Handlebars' escapes, undone, to read messages in a page.
pub fn unescape(html: &str) -> String {
    html.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x3D;", "=")
        .replace("&#x60;", "`")
        .replace("&amp;", "&")
}

/// Uploads `bytes` as `name` to the preview as the logged-in admin.
pub async fn upload(app: &TestApp, bytes: &[u8], name: &str) -> (StatusCode, String) {
    let token = app.csrf("/admin/users/import").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", token)
        .part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()));
    let r = app.client.post(app.url("/admin/users/import/preview")).multipart(form).send().await.unwrap();
    (r.status(), unescape(&r.text().await.unwrap()))
}

async fn usernames(app: &TestApp) -> Vec<String> {
    app.state.read(hoithi::db::users::list_usernames).await.unwrap()
}

/// Logs `username` in with `password` on a fresh client; the status.
async fn login_status(app: &TestApp, username: &str, password: &str) -> StatusCode {
    let c = crate::helpers::new_client();
    c.post(app.url("/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

/// The rows of a downloaded passwords CSV (BOM and header dropped).
fn sheet_rows(body: &str) -> Vec<Vec<String>> {
    let body = body.trim_start_matches('\u{feff}');
    let mut r = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["Tên đăng nhập", "Họ và tên", "Đơn vị", "Mật khẩu"],
        "the sheet's header"
    );
    r.records().map(|x| x.unwrap().iter().map(str::to_string).collect()).collect()
}

const GOOD: &str = "Họ và tên,Đơn vị,Email,Số điện thoại,Vai trò\n\
                    Nguyễn Văn An,SNV,annv@binhdinh.gov.vn,0905 123 456,\n\
                    Trần Thị Bình,Phường Lê Lợi,,,Cán bộ đầu mối\n\
                    Lê Văn Cường,STTTT,,,\n";

#[actix_web::test]
async fn the_preview_lists_every_problem_with_row_and_column_and_saves_nothing() {
    let app = spawn_app().await;
    app.login_admin().await;
    let before = usernames(&app).await;
    let csv = "Họ và tên,Đơn vị,Tên đăng nhập,Email,Số điện thoại\n\
               Nguyễn Văn An,SNV,,an@@x.vn,0905123456\n\
               ,KHONGCO,,,\n\
               Phạm Dũng,SNV,admin,,12345\n\
               Võ Thị Hoa,SNV,,,\n";
    let (status, html) = upload(&app, csv.as_bytes(), "can-bo.csv").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Có 5 vấn đề"), "{html}");
    for (row, column, message) in [
        ("2", "Email", "chỉ được có một dấu @"),
        ("3", "Họ và tên", "Họ và tên không được để trống."),
        ("3", "Đơn vị", "Không có đơn vị mã \"KHONGCO\""),
        ("4", "Số điện thoại", "10 chữ số"),
        ("4", "Tên đăng nhập", "Tên đăng nhập \"admin\" đã có tài khoản."),
    ] {
        let cells = format!(
            "<td class=\"num\" data-label=\"Dòng\">{row}</td><td data-label=\"Cột\">{column}</td><td data-label=\"Vấn đề\">"
        );
        let at = html.find(&cells).unwrap_or_else(|| panic!("row {row}, column {column} listed: {html}"));
        let line = &html[at..at + html[at..].find("</tr>").unwrap()];
        assert!(line.contains(message), "{line}");
    }
    assert!(!html.contains("id=\"confirm\""), "no confirmation while the file has problems");
    assert_eq!(usernames(&app).await, before, "nothing saved");
}

#[actix_web::test]
async fn confirming_saves_every_account_and_the_passwords_download_once() {
    let app = spawn_app().await;
    app.login_admin().await;
    let (status, html) = upload(&app, GOOD.as_bytes(), "can-bo.csv").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("sẽ tạo <strong>3</strong> tài khoản"), "{html}");
    assert!(html.contains("annv (tạo từ họ tên)") && html.contains("Phường Lê Lợi (QN-LELOI)"), "{html}");
    assert!(usernames(&app).await.iter().all(|u| u != "annv"), "a preview saves nothing");
    let token = app.csrf("/admin/users/import").await;
    let r = app
        .post_form(
            "/admin/users/import",
            &[("csrf", &token), ("filename", "can-bo.csv"), ("content", &hidden(&html, "content"))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let done = unescape(&r.text().await.unwrap());
    assert!(done.contains("Đã tạo <strong>3</strong> tài khoản"), "{done}");
    let i = done.find("href=\"/admin/users/import/").expect("a download link") + "href=\"".len();
    let link = done[i..i + done[i..].find('"').unwrap()].to_string();

    // Stored with their contact fields, unit and role.
    let an = app.state.read(|c| hoithi::db::users::find_user_by_username(c, "annv")).await.unwrap().unwrap();
    assert_eq!((an.email.as_deref(), an.phone.as_deref()), (Some("annv@binhdinh.gov.vn"), Some("0905123456")));
    let binh = app.state.read(|c| hoithi::db::users::find_user_by_username(c, "binhtt")).await.unwrap().unwrap();
    assert_eq!(binh.role, hoithi::domain::people::Role::UnitManager);

    // The sheet, once: each password logs its account in.
    let r = app.get(&link).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert_eq!(r.headers()["cache-control"], "no-store");
    let rows = sheet_rows(&r.text().await.unwrap());
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][..3], ["annv".to_string(), "Nguyễn Văn An".into(), "Sở Nội vụ".into()]);
    for row in &rows {
        let p = &row[3];
        assert!(p.len() == 14 && p.split('-').all(|g| g.len() == 4), "{p}");
        assert_eq!(login_status(&app, &row[0], p).await, StatusCode::OK, "{}", row[0]);
    }
    let again = app.get(&link).await;
    assert_eq!(again.status(), StatusCode::GONE);
    assert!(again.text().await.unwrap().contains("đã được tải về một lần"));
    // Nor is it anywhere else: not in the audit log, nor in the database.
    let audit = app.state.read(|c| hoithi::db::audit::list_audit(c, 50)).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "users.import" && e.detail == "3 tài khoản"));
    for p in rows.iter().map(|r| &r[3]) {
        assert!(audit.iter().all(|e| !e.detail.contains(p.as_str()) && !e.subject.contains(p.as_str())));
    }
}

#[actix_web::test]
async fn a_file_that_went_bad_after_its_preview_creates_no_account_at_all() {
    let app = spawn_app().await;
    app.login_admin().await;
    let csv = "Họ và tên,Đơn vị,Tên đăng nhập\nNguyễn Văn An,SNV,\nTrần Bình,SNV,binh.tran\nLê Cường,SNV,\n";
    let (status, html) = upload(&app, csv.as_bytes(), "ba.csv").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    // Meanwhile someone takes the second row's username.
    app.create_user("binh.tran", "official", Some("SNV"), "mat-khau-khac-1").await;
    let token = app.csrf("/admin/users/import").await;
    let r = app
        .post_form(
            "/admin/users/import",
            &[("csrf", &token), ("filename", "ba.csv"), ("content", &hidden(&html, "content"))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&r.text().await.unwrap());
    assert!(html.contains("Tên đăng nhập \"binh.tran\" đã có tài khoản."), "{html}");
    let names = usernames(&app).await;
    assert!(!names.contains(&"annv".to_string()) && !names.contains(&"cuonglv".to_string()), "all or none: {names:?}");
}

/// An Excel list as a unit sends it: a title row, the header below it, a
/// phone typed as a number (Excel drops its 0).
fn workbook() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write(0, 0, "DANH SÁCH CÁN BỘ SỞ NỘI VỤ").unwrap();
    for (c, h) in ["STT", "Họ và tên", "Mã đơn vị", "Số điện thoại"].iter().enumerate() {
        sheet.write(1, c as u16, *h).unwrap();
    }
    for (r, (name, unit)) in [("Nguyễn Văn An", "SNV"), ("Trần Thị Bình", "QN-LELOI")].iter().enumerate() {
        let r = r as u32 + 2;
        sheet.write(r, 0, r - 1).unwrap();
        sheet.write(r, 1, *name).unwrap();
        sheet.write(r, 2, *unit).unwrap();
    }
    sheet.write(2, 3, 905123456).unwrap();
    book.save_to_buffer().unwrap()
}

#[actix_web::test]
async fn an_excel_list_previews_and_imports_like_a_csv() {
    let app = spawn_app().await;
    app.login_admin().await;
    let (status, html) = upload(&app, &workbook(), "can-bo.xlsx").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("sẽ tạo <strong>2</strong> tài khoản"), "{html}");
    let token = app.csrf("/admin/users/import").await;
    let form = [("csrf", token.as_str()), ("filename", "can-bo.xlsx"), ("content", &hidden(&html, "content"))];
    let r = app.post_form("/admin/users/import", &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(unescape(&r.text().await.unwrap()).contains("Đã tạo <strong>2</strong> tài khoản"));
    let an = app.state.read(|c| hoithi::db::users::find_user_by_username(c, "annv")).await.unwrap().unwrap();
    assert_eq!(an.phone.as_deref(), Some("0905123456"), "the 0 Excel dropped is given back");
}

#[actix_web::test]
async fn a_broken_workbook_a_legacy_encoding_and_too_many_rows_get_a_clear_answer() {
    let app = spawn_app_with_settings(TestDb::new(), |s| s.limits.accounts_per_import = 2).await;
    app.login_admin().await;
    let (status, html) = upload(&app, b"PK\x03\x04\x14\x00\x06\x00", "can-bo.xlsx").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Không đọc được tệp Excel (.xlsx)"), "{html}");
    let (status, html) = upload(&app, b"H\xe4 t\xean,\xd0\xf4n v\xec\nA,SNV\n", "cu.csv").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("không phải văn bản UTF-8"), "{html}");
    let (status, html) = upload(&app, GOOD.as_bytes(), "ba.csv").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("mỗi lần nhập tối đa 2"), "{html}");
    // An empty upload, and a confirmation without a file.
    let (status, _) = upload(&app, b"", "trong.csv").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let token = app.csrf("/admin/users/import").await;
    let r = app.post_form("/admin/users/import", &[("csrf", &token), ("content", "zz")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

async fn api_import(app: &TestApp, body: Value) -> (StatusCode, Value) {
    json_of(app.post_json("/api/v1/users/import", &body).await).await
}

#[actix_web::test]
async fn the_api_checks_first_then_saves_all_or_none() {
    let app = spawn_app().await;
    app.login_admin().await;
    let users = json!([
        {"full_name": "Nguyễn Văn An", "unit_code": "SNV", "email": "annv@binhdinh.gov.vn", "phone": "0905.123.456"},
        {"full_name": "Trần Thị Bình", "unit_code": "QN-LELOI", "username": "binhtt", "role": "unit_manager", "password": "mat-khau-rieng-1"},
        {"full_name": "", "unit_code": "KHONGCO", "email": "x@y"},
    ]);
    let (s, v) = api_import(&app, json!({"dry_run": true, "users": users})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["created"], 0);
    assert_eq!(
        v["problems"],
        json!([
            {"row": 3, "column": "full_name", "message": "Họ và tên không được để trống."},
            {"row": 3, "column": "unit_code", "message": "Không có đơn vị mã \"KHONGCO\" (ghi mã đơn vị như trang Quản trị liệt kê, ví dụ SNV, hoặc đúng tên đơn vị)."},
            {"row": 3, "column": "email", "message": "Tên miền của email (phần sau @) phải có dấu chấm (ví dụ: annv@binhdinh.gov.vn)."},
        ])
    );
    assert_eq!(v["users"][0]["username"], "annv");
    assert_eq!(v["users"][0]["phone"], "0905123456");
    let (s, v) = api_import(&app, json!({"users": users})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"], "Có 3 vấn đề: không tạo tài khoản nào.");
    assert_eq!(v["problems"].as_array().unwrap().len(), 3);
    assert!(!usernames(&app).await.contains(&"annv".to_string()), "none saved");

    let good = json!([users[0], users[1]]);
    let (s, v) = api_import(&app, json!({"users": good})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["created"], 2);
    assert_eq!(v["problems"], json!([]));
    assert_eq!(
        v["users"][1],
        json!({"row": 2, "username": "binhtt", "username_generated": false, "full_name": "Trần Thị Bình",
               "role": "unit_manager", "unit_code": "QN-LELOI", "email": null, "phone": null, "password_generated": false})
    );
    assert_eq!(v["users"][0]["password_generated"], true);
    assert!(v["passwords_expire_at"].as_str().unwrap().ends_with("+07:00"));
    let url = v["passwords_url"].as_str().unwrap().to_string();
    assert!(url.starts_with("/api/v1/users/imports/") && url.ends_with("/passwords.csv"), "{url}");
    assert_eq!(login_status(&app, "binhtt", "mat-khau-rieng-1").await, StatusCode::OK, "a given password is kept");

    // Another admin gets nothing; the importing admin gets the sheet once.
    app.create_user("admin2", "admin", None, "mat-khau-quan-tri-2").await;
    let other = app.client_for("admin2", "mat-khau-quan-tri-2").await;
    assert_eq!(other.get(app.url(&url)).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let r = app.get(&url).await;
    assert_eq!(r.status(), StatusCode::OK);
    let rows = sheet_rows(&r.text().await.unwrap());
    assert_eq!(rows.len(), 1, "only generated passwords: {rows:?}");
    assert_eq!(login_status(&app, "annv", &rows[0][3]).await, StatusCode::OK);
    let (s, v) = json_of(app.get(&url).await).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(v["error"].as_str().unwrap().contains("đã được tải về một lần"), "{v}");

    // Importing the same people again: every username is taken now.
    let (s, v) = api_import(&app, json!({"users": [users[1]]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["problems"][0]["column"], "username");
    let (s, v) = api_import(&app, json!({"users": []})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["error"].as_str().unwrap().contains("trống"));
    let (s, _) = api_import(&app, json!({"users": [{"full_name": "A", "nickname": "x"}]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");
}

#[actix_web::test]
async fn an_unclaimed_sheet_expires_after_its_hour_and_is_then_forgotten() {
    let app = spawn_app().await;
    app.login_admin().await;
    let (s, v) = api_import(&app, json!({"users": [{"full_name": "Đỗ Văn Em", "unit_code": "SNV"}]})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let url = v["passwords_url"].as_str().unwrap().to_string();
    app.advance(chrono::Duration::minutes(61));
    let (s, v) = json_of(app.get(&url).await).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(v["error"].as_str().unwrap().contains("hết hạn"), "{v}");
    let report = app.sweep().await;
    assert_eq!(report.password_sheets, 1);
    assert_eq!(app.get(&url).await.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn admins_only_import_and_the_body_is_read_after_the_role() {
    let app = spawn_app().await;
    let org = app.organizer("btc").await;
    let r = org.post(app.url("/api/v1/users/import")).body("not json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let anon = crate::helpers::new_client();
    let r = anon.post(app.url("/api/v1/users/import")).json(&json!({"users": []})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = org.get(app.url("/admin/users/import")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
