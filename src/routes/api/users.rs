//! `POST /api/v1/users` (admin): create an account.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::json_body;
use crate::auth::CurrentUser;
use crate::domain::people::{NewAccount, Role};
use crate::error::{AppError, AppResult};
use crate::routes::admin::create_account;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
struct NewUserBody {
    username: String,
    full_name: String,
    role: String,
    #[serde(default)]
    unit_code: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// 201 with the account (and the generated password when none was given).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", summary = "Tạo tài khoản (quản trị viên)", request_body = NewUserBody, responses((status = 201, description = "{id, username, full_name, role, unit_code, generated_password}"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 409, description = "Tên đăng nhập đã có", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    user.require(&[Role::Admin])?;
    let body: NewUserBody = json_body(&req, payload).await?;
    let account = NewAccount::parse(
        &body.username,
        &body.full_name,
        &body.role,
        body.unit_code.as_deref().unwrap_or(""),
        body.password.as_deref().unwrap_or(""),
    )
    .map_err(AppError::Invalid)?;
    let (created, generated, unit_code) = create_account(&state, account, user.actor()).await?;
    Ok(HttpResponse::Created().json(json!({
        "id": created.id,
        "username": created.username,
        "full_name": created.full_name,
        "role": created.role,
        "unit_code": unit_code,
        "generated_password": generated,
    })))
}
