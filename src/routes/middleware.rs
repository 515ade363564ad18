//! Middleware every request passes through.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};
use serde_json::json;

use super::{see_other, urlencode};
use crate::error::{AppError, ErrorMessage, default_message, page_heading};
use crate::state::AppState;

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

/// A NUL byte (`%00`) in a path or query is refused with a 400 before any
/// handler sees it: PostgreSQL cannot store one, and no text needs it.
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let raw = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("");
    if raw.to_ascii_lowercase().contains("%00") || raw.contains('\0') {
        return Err(AppError::BadRequest("Địa chỉ yêu cầu chứa ký tự không hợp lệ (NUL).".into()).into());
    }
    next.call(req).await
}

/// The header a script adds to a JSON API write that has no JSON body.
pub const REQUESTED_WITH: &str = "x-requested-with";

/// A write to the JSON API (POST, PUT, PATCH, DELETE) by a logged-in
/// browser must carry `Content-Type: application/json` or an
/// `X-Requested-With` header: a form on another site (a sibling subdomain
/// shares SameSite cookies) can send neither without the browser asking
/// first. An empty form-encoded POST once published, closed, started and
/// submitted.
pub async fn api_csrf(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let writes = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    if writes && audience(req.path()) == Audience::Api {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
        let scripted = req.headers().contains_key(REQUESTED_WITH);
        if !json && !scripted {
            // Only an ambient credential (an account session or a resident's
            // participant cookie) can be abused; anonymous calls get their
            // 401 from the handler.
            let carries_one = crate::auth::participant::load_entrant(req.request()).await?.is_some();
            if carries_one {
                return Err(AppError::Denied(
                    "Yêu cầu ghi vào API cần Content-Type: application/json hoặc tiêu đề X-Requested-With.".into(),
                )
                .into());
            }
        }
    }
    next.call(req).await
}

/// The Content-Security-Policy of every page: nothing inline, nothing from
/// elsewhere, never framed.
pub const CSP: &str =
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Security headers on every response.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, header::HeaderValue::from_static(CSP));
    h.insert(header::X_FRAME_OPTIONS, header::HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("same-origin"));
    Ok(res)
}

/// Error responses become `{"error": …}` under `/api` and a Vietnamese
/// error page elsewhere; an HTML page that needs a login redirects to the
/// login page (the API never redirects).
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
    let retry_after = res.headers().get(header::RETRY_AFTER).cloned();
    let (req, _old) = res.into_parts();
    let mut new = match kind {
        Audience::Api => HttpResponse::build(status).json(json!({ "error": message })),
        _ if status == StatusCode::UNAUTHORIZED => {
            let back = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            let target = if req.method() == Method::GET { back } else { "/" };
            see_other(&format!("/login?next={}", urlencode(target)))
        }
        _ => match req.app_data::<web::Data<AppState>>() {
            Some(state) => crate::templates::render(state, &req, status, "error", {
                let (heading, advice) = page_heading(status);
                json!({ "title": heading, "heading": heading, "advice": advice, "message": message })
            })
            .unwrap_or_else(|_| HttpResponse::build(status).body(message)),
            None => HttpResponse::build(status).body(message),
        },
    };
    if let Some(v) = retry_after {
        new.headers_mut().insert(header::RETRY_AFTER, v);
    }
    Ok(ServiceResponse::new(req, new).map_into_right_body())
}
