//! Logging in and out, CSRF, roles, disabled accounts, passwords, limits.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{ADMIN_PASSWORD, TestDb, extract_csrf, new_client, spawn_app, spawn_app_with_settings};

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

/// Logs in through the API from `address` (behind the trusted proxy).
async fn login_from(app: &crate::helpers::TestApp, address: &str, username: &str, password: &str) -> reqwest::Response {
    new_client()
        .post(app.url("/api/v1/session"))
        .header("x-forwarded-for", address)
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn login_limits_slow_a_guessing_pair_down_and_never_lock_anyone_out() {
    let app = spawn_app_with_settings(TestDb::new(), |s| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let office = "203.0.113.7";
    for i in 0..10 {
        app.create_user(&format!("dongnghiep{i}"), "official", Some("SNV"), "mat-khau-dung-1").await;
    }
    for i in 0..20 {
        app.create_user(&format!("go-nham-{i}"), "official", Some("SNV"), "mat-khau-dung-2").await;
    }
    app.create_user("canbo04", "official", Some("SNV"), "mat-khau-dung-4").await;
    // 100 typos from one office address by others, over many usernames, known and unknown.
    for i in 0..100 {
        let name = if i % 2 == 0 { format!("go-nham-{}", i % 20) } else { format!("khong-co-{i}") };
        let r = login_from(&app, office, &name, "go-nham").await;
        assert!(matches!(r.status(), StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS), "{}", r.status());
    }
    // Ten colleagues with their right passwords still get in from that address,
    // and so do those who mistyped a few times.
    for i in 0..10 {
        let r = login_from(&app, office, &format!("dongnghiep{i}"), "mat-khau-dung-1").await;
        assert_eq!(r.status(), StatusCode::OK, "colleague {i}");
    }
    assert_eq!(login_from(&app, office, "go-nham-3", "mat-khau-dung-2").await.status(), StatusCode::OK);
    // A rival elsewhere fails 20 times on canbo04's name: canbo04 gets in from the office.
    let mut refused = Vec::new();
    for _ in 0..20 {
        refused.push(login_from(&app, "198.51.100.9", "canbo04", "doan-bua").await.status());
    }
    assert_eq!(&refused[..5], &[StatusCode::UNAUTHORIZED; 5]);
    assert!(refused[5..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{refused:?}");
    assert_eq!(login_from(&app, office, "canbo04", "mat-khau-dung-4").await.status(), StatusCode::OK);
    // The guessing pair itself: after its 5 free failures each try waits, the right password too …
    let r = login_from(&app, "198.51.100.9", "canbo04", "mat-khau-dung-4").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&wait), "slowed down, not locked out: {wait} s");
    assert!(r.text().await.unwrap().contains("thử lại sau"));
    // … only until the delay has passed.
    app.advance(chrono::Duration::seconds(wait));
    assert_eq!(login_from(&app, "198.51.100.9", "canbo04", "mat-khau-dung-4").await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn unknown_usernames_from_one_address_are_limited_without_touching_known_ones() {
    let app = spawn_app_with_settings(TestDb::new(), |s| s.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    app.create_user("canbo06", "official", Some("SNV"), "mat-khau-dung-6").await;
    let mut limited = false;
    for i in 0..40 {
        let r = login_from(&app, "192.0.2.1", &format!("doan-ten-{i}"), "x-x-x-x-x").await;
        limited |= r.status() == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(limited, "unknown usernames are refused after the window fills");
    assert_eq!(login_from(&app, "192.0.2.1", "canbo06", "mat-khau-dung-6").await.status(), StatusCode::OK);
    assert_eq!(login_from(&app, "192.0.2.2", "doan-ten-x", "x-x-x-x-x").await.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn logout_ends_that_devices_session_on_the_server_only() {
    let app = spawn_app().await;
    let phone = app.client_for("admin", ADMIN_PASSWORD).await;
    let r = app.form_login("admin", ADMIN_PASSWORD).await;
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("hoithi_session="))
        .unwrap();
    let pair = cookie.split(';').next().unwrap().to_string();
    let (_, home) = app.get_text("/").await;
    let token = extract_csrf(&home).unwrap();
    let r = app.post_form("/logout", &[("csrf", &token)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
    // The old cookie, replayed after logout, is refused …
    let replay = crate::helpers::bare_client().get(app.url("/api/v1/me")).header("cookie", &pair).send().await.unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    // … while the same user's other device keeps its session.
    assert_eq!(phone.get(app.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::OK);
    // The API logs out one device the same way.
    assert_eq!(phone.delete(app.url("/api/v1/session")).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(phone.get(app.url("/api/v1/me")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn only_a_genuine_cookie_of_a_live_session_is_a_session() {
    use hoithi::auth::session::session_cookie;
    let app = spawn_app().await;
    let me = |cookie: String| {
        let url = app.url("/api/v1/me");
        async move { crate::helpers::bare_client().get(url).header("cookie", cookie).send().await.unwrap().status() }
    };
    let (_, sid) = app.state.log_in("admin", ADMIN_PASSWORD, "127.0.0.1").await.unwrap();
    // Signed by the server for a live session: accepted (so the refusals below are not an accident).
    let genuine = session_cookie(&app.state, &sid);
    assert_eq!(me(format!("hoithi_session={}", genuine.value())).await, StatusCode::OK);
    // The bare session id without the signature: refused.
    assert_eq!(me(format!("hoithi_session={sid}")).await, StatusCode::UNAUTHORIZED);
    // The signature of another session id with this one's id: refused.
    let other = session_cookie(&app.state, "0123456789abcdef0123456789abcdef");
    let forged = format!("{}{sid}", &other.value()[..other.value().len() - sid.len()]);
    assert_eq!(me(format!("hoithi_session={forged}")).await, StatusCode::UNAUTHORIZED);
    // Genuinely signed, but no such session: refused.
    assert_eq!(me(format!("hoithi_session={}", other.value())).await, StatusCode::UNAUTHORIZED);
    // A session past its 12 hours: refused.
    app.advance(chrono::Duration::hours(12) + chrono::Duration::seconds(1));
    assert_eq!(me(format!("hoithi_session={}", genuine.value())).await, StatusCode::UNAUTHORIZED);
}
