//! `POST /api/v1/session` (log in), `DELETE /api/v1/session` (log out), `GET /api/v1/me`.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::json_body;
use crate::auth::CurrentUser;
use crate::auth::login::authenticate;
use crate::auth::session::{clear_session_cookie, session_cookie};
use crate::db::units::find_unit;
use crate::error::{AppError, AppResult};
use crate::routes::client_ip;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
struct Credentials {
    username: String,
    password: String,
}

async fn describe(state: &AppState, user: &CurrentUser) -> AppResult<serde_json::Value> {
    let unit_id = user.unit_id;
    let unit_code = match unit_id {
        Some(id) => state.read(move |c| find_unit(c, id)).await?.map(|u| u.code),
        None => None,
    };
    Ok(json!({
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "unit_code": unit_code,
    }))
}

/// Logs in: 200 with the session cookie, 401 otherwise.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", summary = "Đăng nhập", request_body = Credentials, responses((status = 200, description = "Đăng nhập thành công; cookie phiên được đặt"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 429, description = "Sai quá nhiều lần", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody)))]
pub async fn create(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> AppResult<HttpResponse> {
    let creds: Credentials = json_body(&req, payload).await?;
    let ip = client_ip(&req, &state.settings.trusted_proxies);
    let user = authenticate(&state, &creds.username, &creds.password, &ip).await?;
    let cookie = session_cookie(&state, user.id, user.session_epoch, chrono::Utc::now().timestamp());
    let me = CurrentUser {
        id: user.id,
        role: user.role(),
        username: user.username,
        full_name: user.full_name,
        unit_id: user.unit_id,
    };
    let body = describe(&state, &me).await?;
    Ok(HttpResponse::Ok().cookie(cookie).json(body))
}

/// Logs out (always succeeds).
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", summary = "Đăng xuất", responses((status = 204, description = "Đã xóa cookie phiên")))]
pub async fn delete(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::NoContent().cookie(clear_session_cookie(&state)).finish())
}

/// Who the session belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", summary = "Người đang đăng nhập", responses((status = 200, description = "{username, full_name, role, unit_code}"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody)))]
pub async fn me(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let body = describe(&state, &user).await.map_err(|e| match e {
        AppError::NotFound(_) => AppError::Unauthorized,
        other => other,
    })?;
    Ok(HttpResponse::Ok().json(body))
}
