//! Administration pages: accounts and the audit log.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::password::generate_password;
use crate::auth::{CurrentUser, csrf};
use crate::db::audit::list_audit;
use crate::db::banks::list_bank_summaries;
use crate::db::units::{find_unit_by_code, list_units};
use crate::db::users::{NewUser, find_user, insert_user, list_users, move_to_unit, set_disabled, set_password};
use crate::domain::people::{NewAccount, Role};
use crate::domain::time::format_vn;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::{page, render};

const ADMIN: &[Role] = &[Role::Admin];
const STAFF: &[Role] = &[Role::Admin, Role::Organizer];

/// The administration overview: units and banks.
pub async fn overview(state: web::Data<AppState>, req: HttpRequest, user: CurrentUser) -> AppResult<HttpResponse> {
    user.require(STAFF)?;
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
                "role": u.user.role,
                "role_label": u.user.role().label(),
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

fn with(mut ctx: Value, extra: Value) -> Value {
    if let (Value::Object(a), Value::Object(b)) = (&mut ctx, extra) {
        a.extend(b);
    }
    ctx
}

/// The account list with the create form.
pub async fn users_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    q: web::Query<UsersQuery>,
) -> AppResult<HttpResponse> {
    user.require(ADMIN)?;
    let ctx = users_context(&state, q.into_inner().q).await?;
    page(&state, &req, "admin/users", ctx)
}

/// The create-account form.
#[derive(Deserialize)]
pub struct CreateUserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    password: String,
}

/// Creates a checked account; returns the user and the generated password, if any.
pub async fn create_account(
    state: &AppState,
    v: NewAccount,
    actor: crate::db::audit::Actor,
) -> AppResult<(crate::db::users::User, Option<String>, Option<String>)> {
    let unit = match v.unit_code.clone() {
        Some(code) => {
            let lookup = code.clone();
            let unit = state.read(move |c| find_unit_by_code(c, &lookup)).await?;
            Some(unit.ok_or_else(|| AppError::Invalid(format!("Không có đơn vị mã \"{code}\".")))?)
        }
        None => None,
    };
    let (password, generated) = match v.password {
        Some(p) => (p.expose().to_string(), None),
        None => {
            let p = generate_password();
            (p.clone(), Some(p))
        }
    };
    let hash = state.hasher.hash(password).await?;
    let username = v.username.as_str().to_string();
    let full_name = v.full_name.as_str().to_string();
    let role = v.role;
    let unit_id = unit.as_ref().map(|u| u.id);
    let created = state
        .write(move |c| {
            insert_user(
                c,
                &NewUser { username: &username, password_hash: &hash, full_name: &full_name, role, unit_id },
                &actor,
            )
        })
        .await?
        .ok_or_else(|| AppError::Conflict(format!("Tên đăng nhập \"{}\" đã có người dùng.", v.username.as_str())))?;
    Ok((created, generated, unit.map(|u| u.code)))
}

/// Creates an account from the form.
pub async fn create_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    form: web::Form<CreateUserForm>,
) -> AppResult<HttpResponse> {
    user.require(ADMIN)?;
    csrf::verify(&state, &req, &form.csrf)?;
    let f = form.into_inner();
    let form_back = json!({ "form": { "username": f.username, "full_name": f.full_name, "role": f.role, "unit_code": f.unit_code } });
    let result = match NewAccount::parse(&f.username, &f.full_name, &f.role, &f.unit_code, &f.password) {
        Ok(v) => create_account(&state, v, user.actor()).await,
        Err(m) => Err(AppError::Invalid(m)),
    };
    match result {
        Ok((created, generated, _)) => {
            let flash = match generated {
                Some(p) => format!("Đã tạo tài khoản {}. Mật khẩu (chỉ hiện một lần): {p}", created.username),
                None => format!("Đã tạo tài khoản {}.", created.username),
            };
            let ctx = users_context(&state, None).await?;
            page(&state, &req, "admin/users", with(ctx, json!({ "flash": flash })))
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

async fn target(state: &AppState, id: i64) -> AppResult<crate::db::users::User> {
    state.read(move |c| find_user(c, id)).await?.ok_or_else(|| AppError::NotFound("Không tìm thấy tài khoản.".into()))
}

/// A form with only the CSRF token.
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Disables an account (its sessions end).
pub async fn disable_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> AppResult<HttpResponse> {
    user.require(ADMIN)?;
    csrf::verify(&state, &req, &form.csrf)?;
    let t = target(&state, *id).await?;
    if t.id == user.id {
        return Err(AppError::Conflict("Bạn không thể tự khóa tài khoản của mình.".into()));
    }
    let (tid, actor) = (t.id, user.actor());
    state.write(move |c| set_disabled(c, tid, true, &actor)).await?;
    after_action(&state, &req, format!("Đã khóa tài khoản {}.", t.username)).await
}

/// Re-enables an account.
pub async fn enable_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> AppResult<HttpResponse> {
    user.require(ADMIN)?;
    csrf::verify(&state, &req, &form.csrf)?;
    let t = target(&state, *id).await?;
    let (tid, actor) = (t.id, user.actor());
    state.write(move |c| set_disabled(c, tid, false, &actor)).await?;
    after_action(&state, &req, format!("Đã mở khóa tài khoản {}.", t.username)).await
}

/// Sets a generated password, shown once.
pub async fn reset_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> AppResult<HttpResponse> {
    user.require(ADMIN)?;
    csrf::verify(&state, &req, &form.csrf)?;
    let t = target(&state, *id).await?;
    let password = generate_password();
    let hash = state.hasher.hash(password.clone()).await?;
    let (tid, actor) = (t.id, user.actor());
    state.write(move |c| set_password(c, tid, &hash, &actor, "user.password_reset")).await?;
    after_action(&state, &req, format!("Mật khẩu mới của {} (chỉ hiện một lần): {password}", t.username)).await
}

/// The move form.
#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit_code: String,
}

/// Moves an account to another unit (recorded in the audit log).
pub async fn move_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    form: web::Form<MoveForm>,
) -> AppResult<HttpResponse> {
    user.require(ADMIN)?;
    csrf::verify(&state, &req, &form.csrf)?;
    let t = target(&state, *id).await?;
    let code = form.unit_code.trim().to_string();
    let lookup = code.clone();
    let unit = state
        .read(move |c| find_unit_by_code(c, &lookup))
        .await?
        .ok_or_else(|| AppError::Invalid(format!("Không có đơn vị mã \"{code}\".")))?;
    let (tid, uid, actor) = (t.id, unit.id, user.actor());
    state.write(move |c| move_to_unit(c, tid, uid, &actor)).await?;
    after_action(&state, &req, format!("Đã chuyển {} sang {}.", t.username, unit.name)).await
}

/// The newest audit entries.
pub async fn audit_page(state: web::Data<AppState>, req: HttpRequest, user: CurrentUser) -> AppResult<HttpResponse> {
    user.require(ADMIN)?;
    let entries = state.read(|c| list_audit(c, 500)).await?;
    let rows: Vec<Value> = entries
        .into_iter()
        .map(|e| json!({ "at": format_vn(e.at), "actor": e.actor, "action": e.action, "subject": e.subject, "detail": e.detail }))
        .collect();
    page(&state, &req, "admin/audit", json!({ "title": "Nhật ký thao tác", "entries": rows }))
}
