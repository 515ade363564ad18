//! Login, logout and password change pages.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde::Deserialize;
use serde_json::json;

use super::{client_ip, safe_next, see_other};
use crate::auth::login::authenticate;
use crate::auth::session::{MaybeUser, clear_session_cookie, session_cookie};
use crate::auth::{CurrentUser, csrf};
use crate::db::users::{find_user, set_password};
use crate::domain::people::NewPassword;
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
    page(&state, &req, "login", json!({ "title": "Đăng nhập", "next": next, "username": "" }))
}

/// The login form's fields.
#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Checks the form; on success sets the session cookie and goes on.
pub async fn login_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> AppResult<HttpResponse> {
    csrf::verify(&state, &req, &form.csrf)?;
    let next = safe_next(form.next.as_deref());
    let ip = client_ip(&req, &state.settings.trusted_proxies);
    match authenticate(&state, &form.username, &form.password, &ip).await {
        Ok(user) => {
            let cookie = session_cookie(&state, user.id, user.session_epoch, chrono::Utc::now().timestamp());
            let mut res = see_other(&next);
            res.add_cookie(&cookie).map_err(|e| AppError::Unexpected(e.into()))?;
            Ok(res)
        }
        Err(e @ (AppError::BadCredentials(_) | AppError::TooManyRequests(_))) => {
            let status = actix_web::ResponseError::status_code(&e);
            render(
                &state,
                &req,
                status,
                "login",
                json!({ "title": "Đăng nhập", "next": next, "username": form.username, "error": e.to_string() }),
            )
        }
        Err(e) => Err(e),
    }
}

/// The logout form's fields.
#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// Ends the session.
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<CsrfOnly>,
) -> AppResult<HttpResponse> {
    csrf::verify(&state, &req, &form.csrf)?;
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

/// The password change form's fields.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// Changes the password; other sessions of the user end, this one goes on.
pub async fn password_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    form: web::Form<PasswordForm>,
) -> AppResult<HttpResponse> {
    csrf::verify(&state, &req, &form.csrf)?;
    let form = form.into_inner();
    let fail = |msg: &str| {
        render(
            &state,
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            "password",
            json!({ "title": "Đổi mật khẩu", "error": msg }),
        )
    };
    let new = match NewPassword::parse(&form.new, &user.username) {
        Ok(p) => p,
        Err(m) => return fail(&m),
    };
    if form.new != form.confirm {
        return fail("Mật khẩu nhập lại không khớp.");
    }
    let id = user.id;
    let stored = state.read(move |c| find_user(c, id)).await?.ok_or(AppError::Unauthorized)?;
    let current_ok = state.hasher.verify(Some(stored.password_hash), form.current.clone()).await?;
    if !current_ok {
        return fail("Mật khẩu hiện tại không đúng.");
    }
    let hash = state.hasher.hash(new.expose().to_string()).await?;
    let actor = user.actor();
    let epoch = state.write(move |c| set_password(c, id, &hash, &actor, "user.password_change")).await?;
    let mut res = render(
        &state,
        &req,
        StatusCode::OK,
        "password",
        json!({ "title": "Đổi mật khẩu", "flash": "Đã đổi mật khẩu." }),
    )?;
    res.add_cookie(&session_cookie(&state, id, epoch, chrono::Utc::now().timestamp()))
        .map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(res)
}
