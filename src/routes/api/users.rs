//! `POST /api/v1/users` (admin): create an account.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::json_body;
use crate::auth::session::Admin;
use crate::domain::people::NewAccount;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewUserBody {
    /// 3–32 of a–z 0–9 . _ -
    #[schema(min_length = 3, max_length = 32)]
    username: String,
    #[schema(min_length = 1, max_length = 100)]
    full_name: String,
    /// `admin`, `organizer`, `unit_manager` or `official`.
    role: String,
    /// Required for officials and unit managers.
    #[serde(default)]
    unit_code: Option<String>,
    /// 8–128 characters; generated when left out.
    #[serde(default)]
    #[schema(min_length = 8, max_length = 128)]
    password: Option<String>,
}

/// The created account.
#[derive(Serialize, utoipa::ToSchema)]
struct CreatedUser {
    id: i64,
    username: String,
    full_name: String,
    role: String,
    unit_code: Option<String>,
    /// Only when no password was given: shown once.
    generated_password: Option<String>,
}

/// 201 with the account (and the generated password when none was given).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", summary = "Tạo tài khoản (quản trị viên)", request_body = NewUserBody, responses((status = 201, description = "Tài khoản đã tạo", body = CreatedUser), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 409, description = "Tên đăng nhập đã có", body = ErrorBody), (status = 413, description = "Quá lớn", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(user): Admin,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let body: NewUserBody = json_body(&req, payload).await?;
    let account = NewAccount::parse(
        &body.username,
        &body.full_name,
        &body.role,
        body.unit_code.as_deref().unwrap_or(""),
        body.password.as_deref().unwrap_or(""),
    )
    .map_err(AppError::Invalid)?;
    let (created, generated, unit_code) = state.create_account(account, user.actor()).await?;
    Ok(HttpResponse::Created().json(CreatedUser {
        id: created.id,
        username: created.username,
        full_name: created.full_name,
        role: created.role.as_str().into(),
        unit_code,
        generated_password: generated,
    }))
}
