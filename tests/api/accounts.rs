//! Logging in and out, CSRF, roles, disabled accounts, passwords, limits.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{ADMIN_PASSWORD, extract_csrf, new_client, spawn_app};

#[actix_web::test]
async fn login_form_with_right_password_starts_a_session() {
    let app = spawn_app().await;
    let r = app.form_login("admin", ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("hoithi_session="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http must not set Secure: {cookie}");
    let (status, home) = app.get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Quản trị viên"), "home shows the user");
}

#[actix_web::test]
async fn login_form_with_wrong_password_is_refused_in_vietnamese() {
    let app = spawn_app().await;
    let r = app.form_login("admin", "sai-mat-khau").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body = r.text().await.unwrap();
    assert!(body.contains("Tên đăng nhập hoặc mật khẩu không đúng."), "{body}");
    assert!(body.contains("value=\"admin\""), "the username is kept in the form");
    let r = app.get("/admin").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "still anonymous");
}

#[actix_web::test]
async fn unknown_user_gets_the_same_answer_as_a_wrong_password() {
    let app = spawn_app().await;
    let a = app.api_login("admin", "sai-mat-khau").await;
    let b = app.api_login("khong-ton-tai", "sai-mat-khau").await;
    assert_eq!(a.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(b.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(a.text().await.unwrap(), b.text().await.unwrap());
}

#[actix_web::test]
async fn form_post_without_csrf_token_is_rejected() {
    let app = spawn_app().await;
    // Without any token.
    let r = app.post_form("/login", &[("username", "admin"), ("password", ADMIN_PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("Biểu mẫu đã hết hạn"));
    // With a made-up token that does not match the cookie.
    let _ = app.csrf("/login").await;
    let r = app
        .post_form(
            "/login",
            &[("csrf", "0123456789abcdef0123456789abcdef"), ("username", "admin"), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A logged-in admin's form post without the token changes nothing.
    app.login_admin().await;
    let r = app.post_form("/admin/users", &[("username", "canbo9"), ("full_name", "X"), ("role", "admin")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let users = app.state.read(hoithi::db::users::list_users).await.unwrap();
    assert!(users.iter().all(|u| u.user.username != "canbo9"));
}

#[actix_web::test]
async fn official_gets_403_on_admin_pages_and_api() {
    let app = spawn_app().await;
    app.create_user("canbo01", "official", Some("SNV"), "mat-khau-can-bo").await;
    let official = app.client_for("canbo01", "mat-khau-can-bo").await;
    for path in ["/admin", "/admin/users", "/admin/audit"] {
        let r = official.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(r.text().await.unwrap().contains("không có quyền"), "{path}");
    }
    let r = official.post(app.url("/api/v1/users")).json(&json!({"username": "x"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"], "Bạn không có quyền thực hiện thao tác này.");
    // Whatever the body: not JSON, or malformed.
    let r = official.post(app.url("/api/v1/users")).body("not json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = official.get(app.url("/api/v1/banks")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn disabled_user_cannot_log_in_and_loses_open_sessions() {
    let app = spawn_app().await;
    let created = app.create_user("canbo02", "official", Some("SNV"), "mat-khau-can-bo").await;
    let id = created["id"].as_i64().unwrap();
    let official = app.client_for("canbo02", "mat-khau-can-bo").await;
    assert_eq!(official.get(app.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::OK);

    app.login_admin().await;
    let token = app.csrf("/admin/users").await;
    let r = app.post_form(&format!("/admin/users/{id}/disable"), &[("csrf", &token)]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Đã khóa tài khoản canbo02"));

    assert_eq!(official.get(app.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let again = new_client();
    let r = again
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "canbo02", "password": "mat-khau-can-bo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("đã bị khóa"));

    // Re-enabled, they log in again.
    let r = app.post_form(&format!("/admin/users/{id}/enable"), &[("csrf", &token)]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = again
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "canbo02", "password": "mat-khau-can-bo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[actix_web::test]
async fn password_change_needs_the_current_password_and_ends_other_sessions() {
    let app = spawn_app().await;
    app.create_user("canbo03", "official", Some("SNV"), "mat-khau-cu-123").await;
    let other_device = app.client_for("canbo03", "mat-khau-cu-123").await;
    let r = app.form_login("canbo03", "mat-khau-cu-123").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let token = app.csrf("/account/password").await;
    let r = app
        .post_form(
            "/account/password",
            &[("csrf", &token), ("current", "sai"), ("new", "mat-khau-moi-456"), ("confirm", "mat-khau-moi-456")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Mật khẩu hiện tại không đúng."));
    let r = app
        .post_form(
            "/account/password",
            &[("csrf", &token), ("current", "mat-khau-cu-123"), ("new", "ngan"), ("confirm", "ngan")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("ít nhất 8 ký tự"));
    let r = app
        .post_form(
            "/account/password",
            &[
                ("csrf", &token),
                ("current", "mat-khau-cu-123"),
                ("new", "mat-khau-moi-456"),
                ("confirm", "khac-nhau-456"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let r = app
        .post_form(
            "/account/password",
            &[
                ("csrf", &token),
                ("current", "mat-khau-cu-123"),
                ("new", "mat-khau-moi-456"),
                ("confirm", "mat-khau-moi-456"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Đã đổi mật khẩu."));
    // This session goes on; the other device's ends.
    assert_eq!(app.get("/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(other_device.get(app.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    // Old password refused, new accepted.
    let c = new_client();
    let r = c
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "canbo03", "password": "mat-khau-cu-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "canbo03", "password": "mat-khau-moi-456"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[actix_web::test]
async fn failed_logins_are_limited_per_username_not_per_office() {
    let app = spawn_app().await;
    app.create_user("canbo04", "official", Some("SNV"), "mat-khau-dung-1").await;
    app.create_user("canbo05", "official", Some("SNV"), "mat-khau-dung-2").await;
    for _ in 0..5 {
        assert_eq!(app.api_login("canbo04", "sai-mat-khau").await.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now.
    let r = app.api_login("canbo04", "mat-khau-dung-1").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().await.unwrap().contains("thử lại sau"));
    // A colleague behind the same address logs in freely.
    assert_eq!(app.api_login("canbo05", "mat-khau-dung-2").await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    app.form_login("admin", ADMIN_PASSWORD).await;
    let (_, home) = app.get_text("/").await;
    let token = extract_csrf(&home).unwrap();
    let r = app.post_form("/logout", &[("csrf", &token)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_forged_session_cookie_is_ignored() {
    let app = spawn_app().await;
    let r =
        app.client.get(app.url("/api/v1/me")).header("cookie", "hoithi_session=1:0:1999999999").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
