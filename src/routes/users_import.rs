//! Accounts for a province from a file: upload a CSV, see every problem
//! (row, column, message) and the accounts it would create before anything
//! is saved, confirm to save them all or none, then download the generated
//! passwords once. The confirmation carries the file back and it is checked
//! again; nothing the browser sends is trusted.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde_json::{Value, json};

use super::passwords_csv;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::Admin;
use crate::domain::time::format_vn;
use crate::engine::account_import::{ImportPreview, ImportSource, SHEET_VALID_HOURS};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;

/// Accounts listed in a preview (the rest are counted).
const LISTED_ACCOUNTS: usize = 50;
/// Problems listed in a preview (the rest are counted; the API lists all).
const LISTED_PROBLEMS: usize = 500;

async fn page_with(state: &AppState, req: &HttpRequest, status: StatusCode, extra: Value) -> AppResult<HttpResponse> {
    let mut ctx = json!({
        "title": "Nhập tài khoản từ tệp",
        "max": crate::domain::numbers::thousands(state.settings.limits.accounts_per_import as i64),
        "hours": SHEET_VALID_HOURS,
        "preview": Value::Null,
        "done": Value::Null,
    });
    if let (Some(ctx), Value::Object(extra)) = (ctx.as_object_mut(), extra) {
        ctx.extend(extra);
    }
    render(state, req, status, "admin/users_import", ctx)
}

/// `GET /admin/users/import`: the upload form and what the file holds.
pub async fn page(state: web::Data<AppState>, req: HttpRequest, _user: Admin) -> AppResult<HttpResponse> {
    page_with(&state, &req, StatusCode::OK, json!({})).await
}

fn preview_json(p: &ImportPreview, filename: &str, bytes: &[u8]) -> Value {
    let accounts: Vec<Value> = p
        .plan
        .accounts
        .iter()
        .take(LISTED_ACCOUNTS)
        .map(|a| {
            json!({
                "row": a.row,
                "username": a.username.as_str(),
                "username_generated": a.username_generated,
                "full_name": a.full_name.as_str(),
                "role": a.role.label(),
                "unit": p.unit_of(a).map(|(code, name)| format!("{name} ({code})")),
                "email": a.email.as_ref().map(|e| e.as_str()),
                "phone": a.phone.as_ref().map(|x| x.as_str()),
                "password_generated": a.password.is_none(),
            })
        })
        .collect();
    let problems: Vec<Value> = p
        .plan
        .problems
        .iter()
        .take(LISTED_PROBLEMS)
        .map(|x| json!({ "row": (x.row > 0).then_some(x.row), "column": x.column, "message": x.message }))
        .collect();
    json!({
        "filename": filename,
        "content": hex::encode(bytes),
        "ok": p.ok(),
        "count": p.plan.accounts.len(),
        "generated": p.plan.accounts.iter().filter(|a| a.password.is_none()).count(),
        "accounts": accounts,
        "more_accounts": p.plan.accounts.len().saturating_sub(LISTED_ACCOUNTS),
        "problem_count": p.plan.problems.len(),
        "problems": problems,
        "more_problems": p.plan.problems.len().saturating_sub(LISTED_PROBLEMS),
        "ignored": p.ignored.join(", "),
    })
}

async fn show(
    state: &AppState,
    req: &HttpRequest,
    p: &ImportPreview,
    filename: &str,
    bytes: &[u8],
) -> AppResult<HttpResponse> {
    let status = if p.ok() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let extra = json!({ "title": "Xem trước: nhập tài khoản", "preview": preview_json(p, filename, bytes) });
    page_with(state, req, status, extra).await
}

fn no_file() -> Value {
    json!({ "error": "Hãy chọn một tệp danh sách tài khoản (.csv)." })
}

/// `POST /admin/users/import/preview` (multipart): every problem and the
/// accounts, nothing saved.
pub async fn preview(
    state: web::Data<AppState>,
    req: HttpRequest,
    _user: Admin,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let Some(file) = form.file("file").filter(|f| !f.filename.is_empty() && !f.bytes.is_empty()) else {
        return page_with(&state, &req, StatusCode::UNPROCESSABLE_ENTITY, no_file()).await;
    };
    let p = state.preview_accounts(ImportSource::File(file.bytes.clone())).await?;
    show(&state, &req, &p, &file.filename, &file.bytes).await
}

/// `POST /admin/users/import`: the previewed file again, checked again,
/// then every account saved in one transaction, or the preview again (422).
pub async fn import(
    state: web::Data<AppState>,
    req: HttpRequest,
    Admin(user): Admin,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let bytes =
        hex::decode(form.field("content")).map_err(|_| AppError::BadRequest("Nội dung tệp không hợp lệ.".into()))?;
    if bytes.is_empty() {
        return page_with(&state, &req, StatusCode::UNPROCESSABLE_ENTITY, no_file()).await;
    }
    let filename = form.field("filename");
    let label = format!("tệp {}", filename.chars().take(100).collect::<String>());
    let done = match state.import_accounts(&user, ImportSource::File(bytes.clone()), &label).await? {
        Ok(done) => done,
        Err(p) => return show(&state, &req, &p, filename, &bytes).await,
    };
    let extra = json!({
        "title": "Đã nhập tài khoản",
        "flash": format!("Đã tạo {} tài khoản từ tệp {filename}.", done.preview.plan.accounts.len()),
        "done": {
            "created": done.preview.plan.accounts.len(),
            "generated": done.generated,
            "download": done.sheet.map(|(id, _)| format!("/admin/users/import/{id}/passwords.csv")),
            "expires": done.sheet.map(|(_, until)| format_vn(until)),
        },
    });
    page_with(&state, &req, StatusCode::OK, extra).await
}

/// `GET /admin/users/import/{id}/passwords.csv`: the generated passwords,
/// once (then 410), to the admin who imported them (others 404).
pub async fn passwords(state: web::Data<AppState>, Admin(user): Admin, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let lines = state.take_password_sheet(&user, *id).await?;
    passwords_csv(*id, &lines)
}
