//! Pages, health and metrics.

use reqwest::StatusCode;

use crate::helpers::{ADMIN_PASSWORD, TestDb, bare_client, spawn_app, spawn_app_with_settings};

#[actix_web::test]
async fn health_is_ok_once_started() {
    let app = spawn_app().await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    // The start-up work is really there.
    let (units, banks, admins) = app
        .state
        .read(|c| {
            Ok((
                hoithi::db::units::count_units(c)?,
                hoithi::db::banks::count_banks(c)?,
                hoithi::db::users::count_users_with_role(c, hoithi::domain::people::Role::Admin)?,
            ))
        })
        .await
        .unwrap();
    assert!(units > 20 && banks >= 1 && admins == 1);
}

#[actix_web::test]
async fn health_is_unavailable_until_ready() {
    let app = spawn_app().await;
    app.state.ready.store(false, std::sync::atomic::Ordering::Release);
    assert_eq!(app.get("/healthz").await.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[actix_web::test]
async fn metrics_are_off_without_a_token_and_need_it_when_set() {
    let app = spawn_app().await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
    let app = spawn_app_with_settings(TestDb::new(), |s| {
        s.metrics_token = Some(hoithi::configuration::Secret::new("metrics-token-0123456789"))
    })
    .await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::UNAUTHORIZED);
    let r = app.client.get(app.url("/metrics")).bearer_auth("metrics-token-wrong-6789").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn metrics_count_requests_by_route_and_show_the_pool() {
    let app = spawn_app_with_settings(TestDb::new(), |s| {
        s.metrics_token = Some(hoithi::configuration::Secret::new("metrics-token-0123456789"))
    })
    .await;
    app.get("/").await;
    app.get("/api/v1/units").await;
    let r = app.client.get(app.url("/metrics")).bearer_auth("metrics-token-0123456789").send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains("hoithi_http_requests_total{method=\"GET\",route=\"/api/v1/units\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(text.contains("hoithi_http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains("hoithi_db_pool_connections{pool=\"write\"}"), "{text}");
    assert!(text.contains("hoithi_attempts_in_progress"), "{text}");
}

#[actix_web::test]
async fn every_page_carries_security_headers_and_no_inline_script() {
    let app = spawn_app().await;
    app.login_admin().await;
    for path in ["/", "/login", "/admin/contests", "/rounds/999/leaderboard", "/api/v1/units", "/static/site.js"] {
        let r = app.get(path).await;
        let h = r.headers();
        assert_eq!(h["content-security-policy"], hoithi::routes::CSP, "{path}");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        let body = r.text().await.unwrap();
        for inline in [" onsubmit=", " onclick=", " onload=", " style=\"", "<script>", "<style"] {
            assert!(!body.contains(inline), "{path} has {inline:?}");
        }
    }
}

#[actix_web::test]
async fn a_nul_byte_anywhere_is_a_4xx_never_a_500() {
    let app = spawn_app().await;
    let anon = bare_client();
    for path in [
        "/api/v1/rounds/1/leaderboard?unit=%00",
        "/contests/a%00b",
        "/api/v1/contests/x%00/standings",
        "/login?next=%00",
    ] {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
    }
    app.login_admin().await;
    let r = app
        .post_json("/api/v1/contests", &serde_json::json!({"slug": "a", "title": "x\u{0}y", "audience": "officials"}))
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("NUL"));
    let token = app.csrf("/admin/contests").await;
    let r = app
        .post_form("/admin/contests", &[("csrf", &token), ("slug", "a"), ("title", "x\0y"), ("audience", "officials")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let r = app.get("/").await;
    assert_eq!(r.headers()["x-request-id"].len(), 16);
}

#[actix_web::test]
async fn home_page_is_vietnamese_and_small() {
    let app = spawn_app().await;
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html lang=\"vi\">"));
    assert!(html.contains("Đăng nhập"));
    assert!(html.len() < 50 * 1024);
    let r = app.get("/static/style.css").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
}

#[actix_web::test]
async fn unknown_page_gets_a_vietnamese_404_page() {
    let app = spawn_app().await;
    let (status, html) = app.get_text("/khong-co-trang-nay").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Không tìm thấy trang"), "{html}");
    assert!(html.contains("<html lang=\"vi\">"));
}

#[actix_web::test]
async fn user_data_is_escaped_in_pages() {
    let app = spawn_app().await;
    app.login_admin().await;
    let token = app.csrf("/admin/users").await;
    let r = app
        .post_form(
            "/admin/users",
            &[
                ("csrf", &token),
                ("username", "xss01"),
                ("full_name", "<script>alert(1)</script>"),
                ("role", "organizer"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;"));
}

#[actix_web::test]
async fn admin_moves_an_official_and_the_audit_log_says_so() {
    let app = spawn_app().await;
    let created = app.create_user("canbo20", "official", Some("SNV"), "mat-khau-can-bo").await;
    let id = created["id"].as_i64().unwrap();
    app.form_login("admin", ADMIN_PASSWORD).await;
    let token = app.csrf("/admin/users").await;
    let r = app.post_form(&format!("/admin/users/{id}/move"), &[("csrf", &token), ("unit_code", "QN")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Đã chuyển canbo20 sang Thành phố Quy Nhơn"));
    let r = app.post_form(&format!("/admin/users/{id}/move"), &[("csrf", &token), ("unit_code", "KHONGCO")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, audit) = app.get_text("/admin/audit").await;
    assert!(audit.contains("Chuyển tài khoản sang đơn vị khác") && audit.contains("SNV → QN"), "{audit}");
    let user = app.state.read(move |c| hoithi::db::users::find_user(c, id)).await.unwrap().unwrap();
    let qn = app.state.read(|c| hoithi::db::units::find_unit_by_code(c, "QN")).await.unwrap().unwrap();
    assert_eq!(user.unit_id, Some(qn.id));
}

#[actix_web::test]
async fn admin_resets_a_password_shown_once() {
    let app = spawn_app().await;
    let created = app.create_user("canbo21", "official", Some("SNV"), "mat-khau-can-bo").await;
    let id = created["id"].as_i64().unwrap();
    app.form_login("admin", ADMIN_PASSWORD).await;
    let token = app.csrf("/admin/users").await;
    let html =
        app.post_form(&format!("/admin/users/{id}/reset-password"), &[("csrf", &token)]).await.text().await.unwrap();
    let marker = "Mật khẩu mới của canbo21 (chỉ hiện một lần): ";
    let i = html.find(marker).expect("new password shown") + marker.len();
    let password: String = html[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    assert_eq!(password.len(), 14, "three groups of four: {password}");
    assert_eq!(app.api_login("canbo21", "mat-khau-can-bo").await.status(), StatusCode::UNAUTHORIZED);
    let c = crate::helpers::new_client();
    let r = c
        .post(app.url("/api/v1/session"))
        .json(&serde_json::json!({"username": "canbo21", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[actix_web::test]
async fn admin_overview_lists_units_and_banks() {
    let app = spawn_app().await;
    app.form_login("admin", ADMIN_PASSWORD).await;
    let (status, html) = app.get_text("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Thành phố Quy Nhơn") && html.contains("Ngân hàng câu hỏi"));
}
