//! The admin's account pages: the list (searched, a page at a time, with
//! the create form) and one page per account, where it is changed, moved,
//! locked or given a new password, each asked about first (`data-confirm`).

use actix_web::{HttpRequest, HttpResponse, ResponseError, http::StatusCode, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{urlencode, with};
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::Admin;
use crate::db::units::{find_unit, list_units};
use crate::db::users::User;
use crate::domain::numbers::thousands;
use crate::domain::people::{AccountFields, NewAccount, Role};
use crate::domain::time::format_vn;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;

/// `?q=&page=` on the users page.
#[derive(Deserialize)]
pub struct UsersQuery {
    q: Option<String>,
    page: Option<i64>,
}

fn page_url(q: &str, page: i64) -> String {
    match q {
        "" => format!("/admin/users?page={page}"),
        q => format!("/admin/users?q={}&page={page}", urlencode(q)),
    }
}

async fn units_json(state: &AppState) -> AppResult<Vec<Value>> {
    let units = state.read(list_units).await?;
    Ok(units.iter().map(|u| json!({ "code": u.code, "name": u.name })).collect())
}

async fn list_context(state: &AppState, q: &str, page: i64) -> AppResult<Value> {
    let p = state.search_accounts(q, page).await?;
    let rows: Vec<Value> = p
        .items
        .into_iter()
        .map(|u| {
            json!({
                "id": u.user.id,
                "username": u.user.username,
                "full_name": u.user.full_name,
                "role_label": u.user.role.label(),
                "unit_name": u.unit.as_ref().map(|x| x.1.clone()).unwrap_or_default(),
                "email": u.user.email,
                "phone": u.user.phone,
                "disabled": u.user.disabled,
            })
        })
        .collect();
    let roles: Vec<Value> = Role::ALL.iter().map(|r| json!({ "value": r.as_str(), "label": r.label() })).collect();
    Ok(json!({
        "title": "Tài khoản",
        "users": rows,
        "all": thousands(p.all),
        "matching": thousands(p.matching),
        "q": q,
        "page": p.page,
        "pages": p.pages,
        "prev": (p.page > 1).then(|| page_url(q, p.page - 1)),
        "next": (p.page < p.pages).then(|| page_url(q, p.page + 1)),
        "roles": roles,
        "units": units_json(state).await?,
        "form": { "username": "", "full_name": "", "role": "official", "unit_code": "", "email": "", "phone": "" },
        "open_form": false,
    }))
}

/// `GET /admin/users`: a page of accounts (50), searched, and the create form.
pub async fn users_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    _user: Admin,
    q: web::Query<UsersQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let ctx = list_context(&state, q.q.as_deref().unwrap_or("").trim(), q.page.unwrap_or(1)).await?;
    render(&state, &req, StatusCode::OK, "admin/users", ctx)
}

/// `POST /admin/users`: creates an account from the form.
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
            let ctx = list_context(&state, "", 1).await?;
            render(&state, &req, StatusCode::OK, "admin/users", with(ctx, json!({ "flash": flash })))
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let form = json!({ "form": {
                "username": fields.username, "full_name": fields.full_name, "role": fields.role,
                "unit_code": fields.unit_code, "email": fields.email, "phone": fields.phone,
            }, "error": e.to_string(), "open_form": true });
            let ctx = list_context(&state, "", 1).await?;
            render(&state, &req, e.status_code(), "admin/users", with(ctx, form))
        }
        Err(e) => Err(e),
    }
}

/// One account's page with `extra` (a flash, an error, the typed form).
async fn account_page(
    state: &AppState,
    req: &HttpRequest,
    admin: &CurrentUser,
    target: &User,
    status: StatusCode,
    extra: Value,
) -> AppResult<HttpResponse> {
    let unit = match target.unit_id {
        Some(id) => state.read(move |c| find_unit(c, id)).await?,
        None => None,
    };
    let unit_code = unit.as_ref().map(|u| u.code.clone()).unwrap_or_default();
    let ctx = json!({
        "title": format!("Tài khoản {}", target.username),
        "user": {
            "id": target.id,
            "username": target.username,
            "full_name": target.full_name,
            "role_label": target.role.label(),
            "unit_name": unit.as_ref().map(|u| u.name.clone()),
            "unit_code": unit_code,
            "email": target.email,
            "phone": target.phone,
            "disabled": target.disabled,
            "created_at": format_vn(target.created_at),
            "is_self": target.id == admin.id,
        },
        "form": { "full_name": target.full_name, "email": target.email, "phone": target.phone },
        "units": units_json(state).await?,
    });
    render(state, req, status, "admin/user", with(ctx, extra))
}

/// `GET /admin/users/{id}`.
pub async fn user_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(admin): Admin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let target = state.account(*id).await?;
    account_page(&state, &req, &admin, &target, StatusCode::OK, json!({})).await
}

/// Shows the account again after an action: its message, or the error of
/// a refused one (with what was typed).
async fn after(
    state: &AppState,
    req: &HttpRequest,
    admin: &CurrentUser,
    id: i64,
    result: AppResult<String>,
    typed: Value,
) -> AppResult<HttpResponse> {
    let (status, extra) = match result {
        Ok(flash) => (StatusCode::OK, json!({ "flash": flash })),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            (e.status_code(), with(json!({ "error": e.to_string() }), typed))
        }
        Err(e) => return Err(e),
    };
    let target = state.account(id).await?;
    account_page(state, req, admin, &target, status, extra).await
}

/// `POST /admin/users/{id}`: changes the name, email and phone.
pub async fn update_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(admin): Admin,
    id: web::Path<i64>,
    f: CsrfForm,
) -> AppResult<HttpResponse> {
    let (full_name, email, phone) = (f.field("full_name"), f.field("email"), f.field("phone"));
    let result = state
        .update_account(&admin, *id, full_name, email, phone)
        .await
        .map(|t| format!("Đã lưu thông tin của {}.", t.username));
    let typed = json!({ "form": { "full_name": full_name, "email": email, "phone": phone } });
    after(&state, &req, &admin, *id, result, typed).await
}

/// `POST /admin/users/{id}/disable`: locks the account (its sessions end).
pub async fn disable_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(admin): Admin,
    id: web::Path<i64>,
    _f: CsrfForm,
) -> AppResult<HttpResponse> {
    let result = state.set_disabled(&admin, *id, true).await.map(|t| format!("Đã khóa tài khoản {}.", t.username));
    after(&state, &req, &admin, *id, result, json!({})).await
}

/// `POST /admin/users/{id}/enable`.
pub async fn enable_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(admin): Admin,
    id: web::Path<i64>,
    _f: CsrfForm,
) -> AppResult<HttpResponse> {
    let result = state.set_disabled(&admin, *id, false).await.map(|t| format!("Đã mở khóa tài khoản {}.", t.username));
    after(&state, &req, &admin, *id, result, json!({})).await
}

/// `POST /admin/users/{id}/reset-password`: a generated password, shown once.
pub async fn reset_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(admin): Admin,
    id: web::Path<i64>,
    _f: CsrfForm,
) -> AppResult<HttpResponse> {
    let result = state
        .reset_password(&admin, *id)
        .await
        .map(|(t, p)| format!("Mật khẩu mới của {} (chỉ hiện một lần): {p}", t.username));
    after(&state, &req, &admin, *id, result, json!({})).await
}

/// `POST /admin/users/{id}/move`: to another unit (recorded in the audit log).
pub async fn move_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(admin): Admin,
    id: web::Path<i64>,
    f: CsrfForm,
) -> AppResult<HttpResponse> {
    let result = state
        .move_account(&admin, *id, f.field("unit_code"))
        .await
        .map(|(t, unit)| format!("Đã chuyển {} sang {unit}.", t.username));
    after(&state, &req, &admin, *id, result, json!({})).await
}
