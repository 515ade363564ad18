//! Administration pages: accounts and the audit log.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::with;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::{Admin, Staff};
use crate::db::audit::list_audit;
use crate::db::banks::list_bank_summaries;
use crate::db::units::list_units;
use crate::db::users::list_users;
use crate::domain::people::{AccountFields, NewAccount, Role};
use crate::domain::time::format_vn;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::{page, render};

/// The administration overview: units and banks.
pub async fn overview(state: web::Data<AppState>, req: HttpRequest, _user: Staff) -> AppResult<HttpResponse> {
    let (units, banks) = state.read(|c| Ok((list_units(c)?, list_bank_summaries(c)?))).await?;
    let code_of: std::collections::HashMap<i64, String> = units.iter().map(|u| (u.id, u.code.clone())).collect();
    let units: Vec<Value> = units
        .iter()
        .map(|u| {
            json!({
                "code": u.code, "name": u.name, "kind": u.kind,
                "parent": u.parent_id.and_then(|p| code_of.get(&p).cloned()).unwrap_or_default(),
                "staff_count": u.staff_count, "population": u.population,
            })
        })
        .collect();
    page(&state, &req, "admin/overview", json!({ "title": "Quản trị", "units": units, "banks": banks }))
}

/// `?q=` search on the users page.
#[derive(Deserialize)]
pub struct UsersQuery {
    q: Option<String>,
}

async fn users_context(state: &AppState, q: Option<String>) -> AppResult<Value> {
    let (users, units) = state.read(|c| Ok((list_users(c)?, list_units(c)?))).await?;
    let needle = q.as_deref().map(crate::domain::text::fold_for_compare).filter(|s| !s.is_empty());
    let total = users.len();
    let shown: Vec<Value> = users
        .into_iter()
        .filter(|u| match &needle {
            Some(n) => {
                u.user.username.contains(n.as_str())
                    || crate::domain::text::fold_for_compare(&u.user.full_name).contains(n.as_str())
            }
            None => true,
        })
        .take(500)
        .map(|u| {
            json!({
                "id": u.user.id,
                "username": u.user.username,
                "full_name": u.user.full_name,
                "role": u.user.role.as_str(),
                "role_label": u.user.role.label(),
                "unit_code": u.unit.as_ref().map(|x| x.0.clone()).unwrap_or_default(),
                "unit_name": u.unit.as_ref().map(|x| x.1.clone()).unwrap_or_default(),
                "disabled": u.user.disabled,
                "created_at": format_vn(u.user.created_at),
            })
        })
        .collect();
    let roles: Vec<Value> = Role::ALL.iter().map(|r| json!({ "value": r.as_str(), "label": r.label() })).collect();
    let units: Vec<Value> = units.iter().map(|u| json!({ "code": u.code, "name": u.name })).collect();
    Ok(json!({
        "title": "Tài khoản",
        "users": shown,
        "total": total,
        "q": q.unwrap_or_default(),
        "roles": roles,
        "units": units,
        "form": { "username": "", "full_name": "", "role": "official", "unit_code": "" },
    }))
}

/// The account list with the create form.
pub async fn users_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    _user: Admin,
    q: web::Query<UsersQuery>,
) -> AppResult<HttpResponse> {
    let ctx = users_context(&state, q.into_inner().q).await?;
    page(&state, &req, "admin/users", ctx)
}

/// Creates an account from the form.
pub async fn create_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(user): Admin,
    f: CsrfForm,
) -> AppResult<HttpResponse> {
    let fields = AccountFields {
        username: f.field("username"),
        full_name: f.field("full_name"),
        role: f.field("role"),
        unit_code: f.field("unit_code"),
        email: f.field("email"),
        phone: f.field("phone"),
        password: f.field("password"),
    };
    let (username, full_name, role, unit_code) = (fields.username, fields.full_name, fields.role, fields.unit_code);
    let form_back =
        json!({ "form": { "username": username, "full_name": full_name, "role": role, "unit_code": unit_code } });
    let result = match NewAccount::parse(&fields) {
        Ok(v) => state.create_account(v, user.actor()).await,
        Err(m) => Err(AppError::Invalid(m)),
    };
    match result {
        Ok((created, generated, _)) => {
            let flash = match generated {
                Some(p) => format!("Đã tạo tài khoản {}. Mật khẩu (chỉ hiện một lần): {p}", created.username),
                None => format!("Đã tạo tài khoản {}.", created.username),
            };
            after_action(&state, &req, flash).await
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = actix_web::ResponseError::status_code(&e);
            let ctx = users_context(&state, None).await?;
            render(&state, &req, status, "admin/users", with(with(ctx, form_back), json!({ "error": e.to_string() })))
        }
        Err(e) => Err(e),
    }
}

async fn after_action(state: &AppState, req: &HttpRequest, flash: String) -> AppResult<HttpResponse> {
    let ctx = users_context(state, None).await?;
    render(state, req, StatusCode::OK, "admin/users", with(ctx, json!({ "flash": flash })))
}

/// Disables an account (all its sessions end).
pub async fn disable_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(user): Admin,
    id: web::Path<i64>,
    _f: CsrfForm,
) -> AppResult<HttpResponse> {
    let t = state.set_disabled(&user, *id, true).await?;
    after_action(&state, &req, format!("Đã khóa tài khoản {}.", t.username)).await
}

/// Re-enables an account.
pub async fn enable_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(user): Admin,
    id: web::Path<i64>,
    _f: CsrfForm,
) -> AppResult<HttpResponse> {
    let t = state.set_disabled(&user, *id, false).await?;
    after_action(&state, &req, format!("Đã mở khóa tài khoản {}.", t.username)).await
}

/// Sets a generated password, shown once.
pub async fn reset_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(user): Admin,
    id: web::Path<i64>,
    _f: CsrfForm,
) -> AppResult<HttpResponse> {
    let (t, password) = state.reset_password(&user, *id).await?;
    after_action(&state, &req, format!("Mật khẩu mới của {} (chỉ hiện một lần): {password}", t.username)).await
}

/// Moves an account to another unit (recorded in the audit log).
pub async fn move_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(user): Admin,
    id: web::Path<i64>,
    f: CsrfForm,
) -> AppResult<HttpResponse> {
    let (t, unit) = state.move_account(&user, *id, f.field("unit_code")).await?;
    after_action(&state, &req, format!("Đã chuyển {} sang {unit}.", t.username)).await
}

/// The newest audit entries.
pub async fn audit_page(state: web::Data<AppState>, req: HttpRequest, _user: Admin) -> AppResult<HttpResponse> {
    let entries = state.read(|c| list_audit(c, 500)).await?;
    let rows: Vec<Value> = entries
        .into_iter()
        .map(|e| json!({ "at": format_vn(e.at), "actor": e.actor, "action": e.action, "subject": e.subject, "detail": e.detail }))
        .collect();
    page(&state, &req, "admin/audit", json!({ "title": "Nhật ký thao tác", "entries": rows }))
}
