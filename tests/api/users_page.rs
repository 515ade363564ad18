//! The login page's word on forgotten passwords.

use reqwest::StatusCode;

use crate::helpers::{ADMIN_PASSWORD, TestDb, spawn_app, spawn_app_with_settings};

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
