//! The users page (a page at a time, searched), one page per account with
//! email and phone, confirmations on what cannot be undone, and the login
//! page's word on forgotten passwords.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_PASSWORD, TestApp, TestDb, json_of, spawn_app, spawn_app_with_settings};
use crate::users_import::unescape;

async fn admin_id(app: &TestApp) -> i64 {
    app.state.read(|c| hoithi::db::users::find_user_by_username(c, "admin")).await.unwrap().unwrap().id
}

/// The rows of the users table on a page.
fn listed(html: &str) -> Vec<String> {
    html.match_indices("<td data-label=\"Tên đăng nhập\"><a href=\"/admin/users/")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            let start = rest.find("\">").unwrap() + 2;
            rest[start..start + rest[start..].find('<').unwrap()].to_string()
        })
        .collect()
}

#[actix_web::test]
async fn the_users_page_shows_fifty_at_a_time_and_searches_every_field() {
    let app = spawn_app().await;
    app.login_admin().await;
    let mut users: Vec<Value> = (0..118)
        .map(|i| json!({"full_name": format!("Cán bộ Số {i:03}"), "unit_code": "SNV", "username": format!("cb{i:03}")}))
        .collect();
    users.push(json!({"full_name": "Nguyễn Thị Hồng", "unit_code": "QN-LELOI", "email": "hongnt@quynhon.gov.vn", "phone": "0912 345 678"}));
    let (s, v) = json_of(app.post_json("/api/v1/users/import", &json!({"users": users})).await).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // 119 imported + the admin: three pages.
    let (s, html) = app.get_text("/admin/users").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("120 tài khoản.") && html.contains("Trang 1/3"), "{html}");
    let first = listed(&html);
    assert_eq!(first.len(), 50);
    assert_eq!(first[0], "admin");
    assert!(unescape(&html).contains("href=\"/admin/users?page=2\""), "a next link");
    let (_, last) = app.get_text("/admin/users?page=3").await;
    assert_eq!(listed(&last).len(), 20);
    let (_, past) = app.get_text("/admin/users?page=99").await;
    assert!(past.contains("Trang 3/3"), "a page past the end shows the last");
    // The unit list is on the page once (the create form), not in every row.
    assert_eq!(html.matches("name=\"unit_code\"").count(), 1);
    assert!(html.len() < 60 * 1024, "the page weighs {} bytes", html.len());

    for q in ["nguyen thi hong", "Hồng", "hongnt@quynhon", "0912 345 678", "0912.345", "Lê Lợi", "quy nhon hong"] {
        let (s, html) = app.get_text(&format!("/admin/users?q={}", urlencode(q))).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(listed(&html), ["hongnt"], "search {q:?}");
        assert!(unescape(&html).contains("1 trong 120 tài khoản khớp"), "{q}");
    }
    // By unit, including the units under it: SNV has 118 of them.
    let (_, html) = app.get_text("/admin/users?q=SNV&page=2").await;
    assert!(html.contains("Trang 2/3") && listed(&html).len() == 50, "{html}");
    let (_, html) = app.get_text("/admin/users?q=cb1%25").await;
    assert!(listed(&html).is_empty(), "% is a character, not a wildcard");
    let (s, _) = app.get_text("/admin/users?page=abc").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[actix_web::test]
async fn email_and_phone_are_checked_everywhere_in_vietnamese() {
    let app = spawn_app().await;
    app.login_admin().await;
    let body = |email: &str, phone: &str| {
        json!({"username": "canbo-lh", "full_name": "Cán bộ Liên Hệ", "role": "official", "unit_code": "SNV",
               "password": "mat-khau-lien-he", "email": email, "phone": phone})
    };
    for (email, phone, message) in [
        ("annv.binhdinh.gov.vn", "", "thiếu dấu @"),
        ("annv@localhost", "", "dấu chấm"),
        ("", "090 512 345", "10 chữ số"),
        ("", "1905123456", "bắt đầu bằng 03, 05, 07, 08 hoặc 09"),
    ] {
        let (s, v) = json_of(app.post_json("/api/v1/users", &body(email, phone)).await).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{email} {phone}");
        assert!(v["error"].as_str().unwrap().contains(message), "{v}");
    }
    let (s, v) = json_of(app.post_json("/api/v1/users", &body("LH@SoNoiVu.gov.vn", "+84 905 000 111")).await).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((v["email"].as_str(), v["phone"].as_str()), (Some("LH@sonoivu.gov.vn"), Some("0905000111")));
    let id = v["id"].as_i64().unwrap();

    // The account's page keeps what was typed when it refuses it.
    let token = app.csrf(&format!("/admin/users/{id}")).await;
    let form = |email: &'static str, phone: &'static str| {
        vec![
            ("csrf", token.clone()),
            ("full_name", "Cán bộ Liên Hệ".into()),
            ("email", email.into()),
            ("phone", phone.into()),
        ]
    };
    let r = app.post_form(&format!("/admin/users/{id}"), &as_refs(&form("sai@@email", "0905000111"))).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&r.text().await.unwrap());
    assert!(html.contains("chỉ được có một dấu @") && html.contains("value=\"sai@@email\""), "{html}");
    let r = app.post_form(&format!("/admin/users/{id}"), &as_refs(&form("moi@binhdinh.gov.vn", ""))).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Đã lưu thông tin của canbo-lh."));
    let u = app.state.read(move |c| hoithi::db::users::find_user(c, id)).await.unwrap().unwrap();
    assert_eq!((u.email.as_deref(), u.phone.as_deref()), (Some("moi@binhdinh.gov.vn"), None));
    let (_, list) = app.get_text("/admin/users?q=moi%40binhdinh").await;
    assert_eq!(listed(&list), ["canbo-lh"], "the search follows the change");
    let audit = app.state.read(|c| hoithi::db::audit::list_audit(c, 5)).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "user.update" && e.detail == "email, số điện thoại"), "{audit:?}");

    // The create form takes them too, and keeps them when it refuses.
    let token = app.csrf("/admin/users").await;
    let fields = [
        ("csrf", token.as_str()),
        ("username", "canbo-form"),
        ("full_name", "Cán bộ Biểu Mẫu"),
        ("role", "official"),
        ("unit_code", "SNV"),
        ("email", "bm@binhdinh.gov.vn"),
        ("phone", "0905"),
    ];
    let r = app.post_form("/admin/users", &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("10 chữ số") && html.contains("value=\"bm@binhdinh.gov.vn\""), "{html}");
}

fn as_refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The `data-confirm` question on the submit button of the form posting to `action`.
fn confirm_of(html: &str, action: &str) -> Option<String> {
    let at = html.find(&format!("action=\"{action}\""))?;
    let form = &html[at..at + html[at..].find("</form>")?];
    let i = form.find("<button type=\"submit\" data-confirm=\"")? + "<button type=\"submit\" data-confirm=\"".len();
    Some(unescape(&form[i..i + form[i..].find('"')?]))
}

#[actix_web::test]
async fn what_cannot_be_undone_asks_first_without_inline_script() {
    let app = spawn_app().await;
    app.login_admin().await;
    let created = app.create_user("canbo-xn", "official", Some("SNV"), "mat-khau-xac-nhan").await;
    let id = created["id"].as_i64().unwrap();
    let (_, html) = app.get_text(&format!("/admin/users/{id}")).await;
    let disable = confirm_of(&html, &format!("/admin/users/{id}/disable")).expect("disable asks");
    assert!(disable.contains("Khóa tài khoản canbo-xn Văn Thử (canbo-xn)?"), "{disable}");
    let reset = confirm_of(&html, &format!("/admin/users/{id}/reset-password")).expect("reset asks");
    assert!(reset.contains("Mật khẩu cũ không dùng được nữa"), "{reset}");
    let moving = confirm_of(&html, &format!("/admin/users/{id}/move")).expect("move asks");
    assert!(moving.starts_with("Chuyển canbo-xn Văn Thử"), "{moving}");
    assert!(!html.contains("<script>") && !html.contains("onclick") && !html.contains("onsubmit"));

    // The admin's own page: move and reset ask too (and say whose it is); no lock.
    let me = admin_id(&app).await;
    let (_, own) = app.get_text(&format!("/admin/users/{me}")).await;
    assert!(confirm_of(&own, &format!("/admin/users/{me}/move")).unwrap().contains("chính tài khoản của bạn"));
    assert!(confirm_of(&own, &format!("/admin/users/{me}/reset-password")).unwrap().contains("kể cả thiết bị này"));
    assert!(!own.contains(&format!("/admin/users/{me}/disable")));

    // A round: publishing and closing early ask.
    let (s, _) = json_of(
        app.post_json("/api/v1/contests", &json!({"slug": "xac-nhan", "title": "Xác nhận", "audience": "officials"}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let round = json!({"title": "Tuần 1", "opens_at": app.at(-5), "closes_at": app.at(60), "duration_s": 600,
                       "blueprint": [{"bank": "mot-cua", "count": 3}]});
    let (s, r) = json_of(app.post_json("/api/v1/contests/xac-nhan/rounds", &round).await).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_i64().unwrap();
    let (_, page) = app.get_text(&format!("/admin/rounds/{rid}")).await;
    assert!(
        confirm_of(&page, &format!("/admin/rounds/{rid}/publish")).unwrap().starts_with("Công bố vòng thi “Tuần 1”?")
    );
    let r = app.client.post(app.url(&format!("/api/v1/rounds/{rid}/publish"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, page) = app.get_text(&format!("/admin/rounds/{rid}")).await;
    assert!(confirm_of(&page, &format!("/admin/rounds/{rid}/close")).unwrap().contains("Không thể hoàn tác."));

    // The answer to a confirmed action says what was done.
    let token = app.csrf(&format!("/admin/users/{id}")).await;
    let r = app.post_form(&format!("/admin/users/{id}/move"), &[("csrf", &token), ("unit_code", "STTTT")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Đã chuyển canbo-xn sang Sở Thông tin và Truyền thông."));
    let r = app.post_form(&format!("/admin/users/{id}/move"), &[("csrf", &token), ("unit_code", "KHONGCO")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.post_form(&format!("/admin/users/{me}/disable"), &[("csrf", &token)]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("Bạn không thể tự khóa tài khoản của mình."));
    assert_eq!(app.get(&format!("/admin/users/{}", id + 1000)).await.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_login_page_says_whom_to_ask_for_a_forgotten_password() {
    let app = spawn_app().await;
    let (_, html) = app.get_text("/login").await;
    assert!(html.contains("Quên mật khẩu? Hãy báo cán bộ đầu mối của đơn vị mình hoặc ban tổ chức"), "{html}");
    assert!(!html.contains("liên hệ hỗ trợ"));
    let app = spawn_app_with_settings(TestDb::new(), |s| {
        s.support_contact = Some("Phòng CCHC, Sở Nội vụ: 0256 3822 123".into())
    })
    .await;
    let (_, html) = app.get_text("/login").await;
    assert!(html.contains("liên hệ hỗ trợ: Phòng CCHC, Sở Nội vụ: 0256 3822 123."), "{html}");
    // Also when the form is shown again after a wrong password.
    let r = app.form_login("admin", "sai-mat-khau").await;
    assert!(r.text().await.unwrap().contains("Phòng CCHC"));
    assert_eq!(app.form_login("admin", ADMIN_PASSWORD).await.status(), StatusCode::SEE_OTHER);
}
