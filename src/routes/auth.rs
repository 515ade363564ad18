//! Login, logout and password change pages.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde::Deserialize;
use serde_json::json;

use super::{client_ip, safe_next, see_other};
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::{MaybeUser, clear_session_cookie, session_cookie};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::{page, render};

/// `?next=` on the login page.
#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login form.
pub async fn login_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: MaybeUser,
    q: web::Query<NextQuery>,
) -> AppResult<HttpResponse> {
    let next = safe_next(q.next.as_deref());
    if user.0.is_some() {
        return Ok(see_other(&next));
    }
    let support = &state.settings.support_contact;
    page(&state, &req, "login", json!({ "title": "Đăng nhập", "next": next, "username": "", "support": support }))
}

/// Checks the form; on success sets the session cookie and goes on.
pub async fn login_submit(state: web::Data<AppState>, req: HttpRequest, form: CsrfForm) -> AppResult<HttpResponse> {
    let next = safe_next(Some(form.field("next")));
    let ip = client_ip(&req, &state.settings.trusted_proxies);
    match state.log_in(form.field("username"), form.field("password"), &ip).await {
        Ok((_, sid)) => {
            let mut res = see_other(&next);
            res.add_cookie(&session_cookie(&state, &sid)).map_err(|e| AppError::Unexpected(e.into()))?;
            Ok(res)
        }
        Err(e @ (AppError::BadCredentials(_) | AppError::TooManyRequests(..))) => {
            let status = actix_web::ResponseError::status_code(&e);
            let mut res = render(
                &state,
                &req,
                status,
                "login",
                json!({
                    "title": "Đăng nhập", "next": next, "username": form.field("username"), "error": e.to_string(),
                    "support": state.settings.support_contact,
                }),
            )?;
            if let AppError::TooManyRequests(_, s) = e {
                res.headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, actix_web::http::header::HeaderValue::from(s.max(1)));
            }
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

/// Ends this device's session (other devices keep theirs).
pub async fn logout(state: web::Data<AppState>, user: CurrentUser, _form: CsrfForm) -> AppResult<HttpResponse> {
    state.log_out(&user.session_id).await?;
    let mut res = see_other("/login");
    res.add_cookie(&clear_session_cookie(&state)).map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(res)
}

/// The password change form.
pub async fn password_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    _user: CurrentUser,
) -> AppResult<HttpResponse> {
    page(&state, &req, "password", json!({ "title": "Đổi mật khẩu" }))
}

/// Changes the password; other devices' sessions end, this one goes on.
pub async fn password_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    match state.change_password(&user, form.field("current"), form.field("new"), form.field("confirm")).await {
        Ok(()) => render(
            &state,
            &req,
            StatusCode::OK,
            "password",
            json!({ "title": "Đổi mật khẩu", "flash": "Đã đổi mật khẩu." }),
        ),
        Err(AppError::Invalid(m)) => render(
            &state,
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            "password",
            json!({ "title": "Đổi mật khẩu", "error": m }),
        ),
        Err(e) => Err(e),
    }
}
