//! `POST /api/v1/session` (log in), `DELETE /api/v1/session` (log out), `GET /api/v1/me`.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::json_body;
use crate::auth::CurrentUser;
use crate::auth::session::{MaybeUser, clear_session_cookie, session_cookie};
use crate::db::units::find_unit;
use crate::error::AppResult;
use crate::routes::client_ip;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
struct Credentials {
    /// 3–32 characters.
    #[schema(max_length = 64)]
    username: String,
    #[schema(max_length = 128)]
    password: String,
}

/// Who is logged in.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    username: String,
    full_name: String,
    /// `admin`, `organizer`, `unit_manager` or `official`.
    role: String,
    unit_code: Option<String>,
}

async fn describe(
    state: &AppState,
    username: String,
    full_name: String,
    role: &str,
    unit_id: Option<i64>,
) -> AppResult<Me> {
    let unit_code = match unit_id {
        Some(u) => state.read(move |c| find_unit(c, u)).await?.map(|u| u.code),
        None => None,
    };
    Ok(Me { username, full_name, role: role.to_string(), unit_code })
}

/// Logs in: 200 with the session cookie, 401 otherwise.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", summary = "Đăng nhập", request_body = Credentials, responses((status = 200, description = "Đăng nhập thành công; cookie phiên được đặt", body = Me), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Sai tên đăng nhập hoặc mật khẩu", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 429, description = "Sai nhiều lần: chờ theo Retry-After", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn create(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> AppResult<HttpResponse> {
    let creds: Credentials = json_body(&req, payload).await?;
    let ip = client_ip(&req, &state.settings.trusted_proxies);
    let (user, sid) = state.log_in(&creds.username, &creds.password, &ip).await?;
    let body = describe(&state, user.username, user.full_name, user.role.as_str(), user.unit_id).await?;
    Ok(HttpResponse::Ok().cookie(session_cookie(&state, &sid)).json(body))
}

/// Logs out this device (its session ends on the server; other devices keep theirs).
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", summary = "Đăng xuất thiết bị này", responses((status = 204, description = "Phiên của thiết bị này đã kết thúc"), (status = 403, description = "Thiếu Content-Type: application/json hoặc X-Requested-With", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn delete(state: web::Data<AppState>, user: MaybeUser) -> AppResult<HttpResponse> {
    if let Some(u) = user.0 {
        state.log_out(&u.session_id).await?;
    }
    Ok(HttpResponse::NoContent().cookie(clear_session_cookie(&state)).finish())
}

/// Who the session belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", summary = "Người đang đăng nhập", responses((status = 200, description = "Tài khoản", body = Me), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn me(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let body = describe(&state, user.username, user.full_name, user.role.as_str(), user.unit_id).await?;
    Ok(HttpResponse::Ok().json(body))
}
