//! `POST /api/v1/users` (admin): create an account; `POST
//! /api/v1/users/import`: many at once, checked whole first, saved all or
//! none; `GET /api/v1/users/imports/{id}/passwords.csv`: their generated
//! passwords, once.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::{json_body, json_body_up_to};
use crate::auth::session::Admin;
use crate::domain::account_import::{Field, RawAccount};
use crate::domain::people::{AccountFields, NewAccount};
use crate::engine::account_import::{ImportPreview, ImportSource};
use crate::error::{AppError, AppResult};
use crate::routes::passwords_csv;
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
    /// Contact email (one @, a dot in the domain).
    #[serde(default)]
    email: Option<String>,
    /// Contact phone: a Vietnamese mobile number, 10 digits from 0 (spaces, dots, +84 accepted).
    #[serde(default)]
    phone: Option<String>,
}

/// The created account.
#[derive(Serialize, utoipa::ToSchema)]
struct CreatedUser {
    id: i64,
    username: String,
    full_name: String,
    role: String,
    unit_code: Option<String>,
    email: Option<String>,
    /// As stored: `0xxxxxxxxx`.
    phone: Option<String>,
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
    let account = NewAccount::parse(&AccountFields {
        username: &body.username,
        full_name: &body.full_name,
        role: &body.role,
        unit_code: body.unit_code.as_deref().unwrap_or(""),
        email: body.email.as_deref().unwrap_or(""),
        phone: body.phone.as_deref().unwrap_or(""),
        password: body.password.as_deref().unwrap_or(""),
    })
    .map_err(AppError::Invalid)?;
    let (created, generated, unit_code) = state.create_account(account, user.actor()).await?;
    Ok(HttpResponse::Created().json(CreatedUser {
        id: created.id,
        username: created.username,
        full_name: created.full_name,
        role: created.role.as_str().into(),
        unit_code,
        email: created.email,
        phone: created.phone,
        generated_password: generated,
    }))
}

/// Largest body of an import (thousands of rows).
const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;

/// One account to import: what a row of the import file holds.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ImportUser {
    /// Required.
    full_name: String,
    /// The unit's code (or its exact name); required for officials and unit managers.
    #[serde(default)]
    unit_code: Option<String>,
    /// Left out: made from the name ("Nguyễn Văn An" → `annv`, then `annv2`…).
    #[serde(default)]
    username: Option<String>,
    /// Left out: `official`. The stored name or the Vietnamese words ("Cán bộ đầu mối").
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    email: Option<String>,
    /// A Vietnamese mobile number.
    #[serde(default)]
    phone: Option<String>,
    /// Left out: generated, and downloadable once from `passwords_url`.
    #[serde(default)]
    password: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ImportBody {
    /// Only check: every problem and what would be created; nothing is saved.
    #[serde(default)]
    dry_run: bool,
    /// The accounts; row 1 is the first. At most `HOITHI_LIMIT_ACCOUNTS_PER_IMPORT` (2000).
    users: Vec<ImportUser>,
}

/// A problem of the import.
#[derive(Serialize, utoipa::ToSchema)]
struct ImportProblem {
    /// 1-based position in `users`; 0 for the whole list.
    row: usize,
    /// The field; empty for the whole row.
    column: String,
    /// What to fix.
    message: String,
}

/// An account as the import creates (or would create) it.
#[derive(Serialize, utoipa::ToSchema)]
struct ImportedUser {
    row: usize,
    username: String,
    /// Made from the name.
    username_generated: bool,
    full_name: String,
    role: String,
    unit_code: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    /// Generated (in the passwords sheet), not given.
    password_generated: bool,
}

/// What the import did, or would do.
#[derive(Serialize, utoipa::ToSchema)]
struct ImportReport {
    dry_run: bool,
    /// Accounts created (0 on a dry run or with problems).
    created: usize,
    /// Every problem; nothing is saved while there is one.
    problems: Vec<ImportProblem>,
    users: Vec<ImportedUser>,
    /// The generated passwords as CSV, downloadable once by this admin.
    passwords_url: Option<String>,
    /// Until when (RFC 3339).
    passwords_expire_at: Option<String>,
}

/// Refused for its problems.
#[derive(Serialize, utoipa::ToSchema)]
struct ImportRefused {
    error: String,
    problems: Vec<ImportProblem>,
}

fn problems_of(p: &ImportPreview) -> Vec<ImportProblem> {
    p.plan
        .problems
        .iter()
        .map(|x| ImportProblem { row: x.row, column: x.column.clone(), message: x.message.clone() })
        .collect()
}

fn users_of(p: &ImportPreview) -> Vec<ImportedUser> {
    p.plan
        .accounts
        .iter()
        .map(|a| ImportedUser {
            row: a.row,
            username: a.username.as_str().into(),
            username_generated: a.username_generated,
            full_name: a.full_name.as_str().into(),
            role: a.role.as_str().into(),
            unit_code: p.unit_of(a).map(|(code, _)| code.to_string()),
            email: a.email.as_ref().map(|e| e.as_str().into()),
            phone: a.phone.as_ref().map(|x| x.as_str().into()),
            password_generated: a.password.is_none(),
        })
        .collect()
}

fn rows_of(users: Vec<ImportUser>) -> Vec<RawAccount> {
    users
        .into_iter()
        .enumerate()
        .map(|(i, u)| {
            let cells = [
                (Field::FullName, Some(u.full_name)),
                (Field::Unit, u.unit_code),
                (Field::Username, u.username),
                (Field::Role, u.role),
                (Field::Email, u.email),
                (Field::Phone, u.phone),
                (Field::Password, u.password),
            ];
            let cells = cells.into_iter().map(|(f, v)| (f, v.unwrap_or_default().trim().to_string())).collect();
            RawAccount { row: i + 1, cells }
        })
        .collect()
}

/// `POST /api/v1/users/import`.
#[utoipa::path(post, path = "/api/v1/users/import", tag = "users", summary = "Nhập nhiều tài khoản (quản trị viên): kiểm tra tất cả trước, lưu tất cả hoặc không lưu gì", request_body = ImportBody, responses((status = 200, description = "dry_run: mọi vấn đề và các tài khoản sẽ tạo; không lưu gì", body = ImportReport), (status = 201, description = "Đã tạo mọi tài khoản; mật khẩu được tạo tải một lần tại passwords_url", body = ImportReport), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 409, description = "Tên đăng nhập vừa được dùng trong lúc nhập: không tạo gì, hãy gửi lại", body = ErrorBody), (status = 413, description = "Quá lớn", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Có vấn đề: không tạo tài khoản nào", body = ImportRefused), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn import(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(user): Admin,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let body: ImportBody = json_body_up_to(&req, payload, MAX_IMPORT_BYTES).await?;
    if body.users.is_empty() {
        return Err(AppError::Invalid("Danh sách \"users\" trống: gửi ít nhất một tài khoản.".into()));
    }
    let source = ImportSource::Rows(rows_of(body.users));
    let refused = |p: &ImportPreview| {
        let error = format!("Có {} vấn đề: không tạo tài khoản nào.", p.plan.problems.len());
        let mut res =
            HttpResponse::UnprocessableEntity().json(ImportRefused { error: error.clone(), problems: problems_of(p) });
        res.extensions_mut().insert(crate::error::ErrorMessage(error));
        res
    };
    if body.dry_run {
        let p = state.preview_accounts(source).await?;
        return Ok(HttpResponse::Ok().json(ImportReport {
            dry_run: true,
            created: 0,
            problems: problems_of(&p),
            users: users_of(&p),
            passwords_url: None,
            passwords_expire_at: None,
        }));
    }
    match state.import_accounts(&user, source, "api").await? {
        Err(p) => Ok(refused(&p)),
        Ok(done) => Ok(HttpResponse::Created().json(ImportReport {
            dry_run: false,
            created: done.preview.plan.accounts.len(),
            problems: Vec::new(),
            users: users_of(&done.preview),
            passwords_url: done.sheet.map(|(id, _)| format!("/api/v1/users/imports/{id}/passwords.csv")),
            passwords_expire_at: done.sheet.map(|(_, until)| crate::domain::time::rfc3339_vn(until)),
        })),
    }
}

/// `GET /api/v1/users/imports/{id}/passwords.csv`.
#[utoipa::path(get, path = "/api/v1/users/imports/{id}/passwords.csv", tag = "users", summary = "Tải một lần mật khẩu được tạo của một lần nhập (quản trị viên đã nhập)", params(("id" = i64, Path, description = "Số của lần nhập (passwords_url)")), responses((status = 200, description = "CSV: tên đăng nhập, họ và tên, đơn vị, mật khẩu", content_type = "text/csv"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không có (hoặc của quản trị viên khác)", body = ErrorBody), (status = 410, description = "Đã tải về một lần, hoặc đã hết hạn", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn passwords(state: web::Data<AppState>, Admin(user): Admin, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let lines = state.take_password_sheet(&user, *id).await?;
    passwords_csv(*id, &lines)
}
