//! The one route table, and what every route shares.

pub mod admin;
pub mod api;
pub mod auth;
pub mod bank_upload;
pub mod boards;
pub mod health;
pub mod home;
pub mod organize;
pub mod play;
pub mod static_files;
pub mod unit;

use std::net::IpAddr;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::error::{ErrorMessage, default_message};
use crate::state::AppState;

/// Every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::index))
        .route("/healthz", web::get().to(health::healthz))
        .route("/metrics", web::get().to(health::metrics))
        .route("/static/{path:.*}", web::get().to(static_files::serve))
        .route("/login", web::get().to(auth::login_page))
        .route("/login", web::post().to(auth::login_submit))
        .route("/logout", web::post().to(auth::logout))
        .route("/account/password", web::get().to(auth::password_page))
        .route("/account/password", web::post().to(auth::password_submit))
        .route("/admin", web::get().to(admin::overview))
        .route("/admin/users", web::get().to(admin::users_page))
        .route("/admin/users", web::post().to(admin::create_user))
        .route("/admin/users/{id}/disable", web::post().to(admin::disable_user))
        .route("/admin/users/{id}/enable", web::post().to(admin::enable_user))
        .route("/admin/users/{id}/reset-password", web::post().to(admin::reset_password))
        .route("/admin/users/{id}/move", web::post().to(admin::move_user))
        .route("/admin/audit", web::get().to(admin::audit_page))
        .route("/history", web::get().to(play::history))
        .route("/unit", web::get().to(unit::overview))
        .route("/unit/rounds/{id}", web::get().to(unit::round))
        .route("/unit/rounds/{id}/missing", web::get().to(unit::missing_export))
        .route("/admin/contests", web::get().to(organize::contests_page))
        .route("/admin/contests", web::post().to(organize::create_contest))
        .route("/admin/contests/{slug}", web::get().to(organize::contest_page))
        .route("/admin/contests/{slug}", web::post().to(organize::update_contest_form))
        .route("/admin/contests/{slug}/rounds", web::post().to(organize::create_round_form))
        .route("/admin/rounds/{id}", web::get().to(organize::round_page))
        .route("/admin/rounds/{id}", web::post().to(organize::update_round_form))
        .route("/admin/rounds/{id}/publish", web::post().to(organize::publish_form))
        .route("/admin/rounds/{id}/close", web::post().to(organize::close_form))
        .route("/admin/banks", web::get().to(bank_upload::page))
        .route("/admin/banks/preview", web::post().to(bank_upload::upload))
        .service(
            web::resource("/admin/banks/import")
                .app_data(web::PayloadConfig::new(4 * bank_upload::MAX_UPLOAD))
                .route(web::post().to(bank_upload::import)),
        )
        .route("/admin/questions", web::get().to(organize::questions_page))
        .route("/admin/questions", web::post().to(organize::questions_submit))
        .route("/contests/{slug}", web::get().to(boards::contest_page))
        .route("/rounds/{id}/start", web::post().to(play::start))
        .route("/rounds/{id}/leaderboard", web::get().to(boards::leaderboard_page))
        .route("/rounds/{id}/units", web::get().to(boards::units_page))
        .route("/attempts/{id}", web::get().to(play::attempt_page))
        .route("/attempts/{id}", web::post().to(play::submit_form))
        .route("/attempts/{id}/result", web::get().to(play::result_page))
        .service(api::scope());
}

/// The client's address: the peer, or — when the peer is a trusted proxy —
/// the nearest untrusted address in `X-Forwarded-For`.
pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let Some(peer) = peer else { return "unknown".into() };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    forwarded.iter().rev().find(|ip| !trusted.contains(ip)).unwrap_or(&peer).to_string()
}

/// A 303 redirect.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}

/// Only local paths may be a redirect target (no open redirects).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_string(),
        _ => "/".into(),
    }
}

#[derive(PartialEq, Eq)]
enum Audience {
    Api,
    Page,
    Plain,
}

fn audience(path: &str) -> Audience {
    if path.starts_with("/api/") || path == "/api" {
        Audience::Api
    } else if path == "/healthz" || path == "/metrics" || path.starts_with("/static/") {
        Audience::Plain
    } else {
        Audience::Page
    }
}

/// Middleware: error responses become `{"error": …}` under `/api` and a
/// Vietnamese error page elsewhere; an HTML page that needs a login
/// redirects to the login page (the API never redirects).
pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let kind = audience(req.path());
    let res = next.call(req).await?;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || kind == Audience::Plain {
        return Ok(res.map_into_left_body());
    }
    // A page rendered with an error status (a form shown again with its
    // message) is already what the user should see.
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if kind == Audience::Page && is_html {
        return Ok(res.map_into_left_body());
    }
    let from_app = res.response().extensions().get::<ErrorMessage>().map(|m| m.0.clone());
    if kind == Audience::Api && from_app.is_some() {
        return Ok(res.map_into_left_body());
    }
    let message = from_app.unwrap_or_else(|| default_message(status).to_string());
    let (req, _old) = res.into_parts();
    let new = match kind {
        Audience::Api => HttpResponse::build(status).json(json!({ "error": message })),
        _ if status == StatusCode::UNAUTHORIZED => {
            let back = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let target = if req.method() == actix_web::http::Method::GET { back } else { "/" };
            see_other(&format!("/login?next={}", urlencode(target)))
        }
        _ => match req.app_data::<web::Data<AppState>>() {
            Some(state) => crate::templates::render(
                state,
                &req,
                status,
                "error",
                json!({ "title": "Có lỗi", "status": status.as_u16(), "message": message }),
            )
            .unwrap_or_else(|_| HttpResponse::build(status).body(message)),
            None => HttpResponse::build(status).body(message),
        },
    };
    Ok(ServiceResponse::new(req, new).map_into_right_body())
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_be_a_local_path() {
        assert_eq!(safe_next(Some("/admin")), "/admin");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn urlencode_keeps_paths_readable() {
        assert_eq!(urlencode("/admin/users?q=a b"), "/admin/users%3Fq%3Da%20b");
    }
}
