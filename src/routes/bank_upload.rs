//! Organizers bring their own question banks: upload a file (TOML, Excel,
//! CSV, GIFT, Aiken), see every problem, the counts and which questions the
//! import adds, changes and retires before anything is saved, then confirm.
//! The confirmation carries the file back and it is checked again; nothing
//! the browser sends is trusted.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde_json::{Value, json};

use crate::auth::csrf::CsrfForm;
use crate::auth::session::Staff;
use crate::db::banks::{ImportMode, ImportPlan, PlannedQuestion};
use crate::domain::bank::{Bank, Problem, Severity, Stats, letter};
use crate::engine::banks::{Checked, NotImported, Upload};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;

/// Questions listed per group of a plan (the rest are counted).
const LISTED: usize = 50;

/// Renders the banks page with `extra` (a preview, an error, a flash).
async fn page_with(state: &AppState, req: &HttpRequest, status: StatusCode, extra: Value) -> AppResult<HttpResponse> {
    let mut ctx =
        json!({ "title": "Ngân hàng câu hỏi", "banks": state.bank_summaries().await?, "preview": Value::Null });
    if let (Some(ctx), Value::Object(extra)) = (ctx.as_object_mut(), extra) {
        ctx.extend(extra);
    }
    render(state, req, status, "admin/banks", ctx)
}

/// `GET /admin/banks`: the banks and the upload form.
pub async fn page(state: web::Data<AppState>, req: HttpRequest, _user: Staff) -> AppResult<HttpResponse> {
    page_with(&state, &req, StatusCode::OK, json!({})).await
}

fn problem_json(p: &Problem) -> Value {
    json!({ "error": p.severity == Severity::Error, "line": p.line, "key": p.key, "message": p.message })
}

fn bank_summary(b: &Bank) -> Value {
    let s = Stats::of(b);
    let total: usize = s.letters.iter().sum();
    json!({
        "slug": b.meta.slug, "title": b.meta.title, "questions": b.questions.len(),
        "easy": s.difficulty[0], "medium": s.difficulty[1], "hard": s.difficulty[2],
        "single": s.kind[0], "multiple": s.kind[1], "true_false": s.kind[2],
        "letters": s.letters.iter().enumerate().take(4).map(|(i, n)| format!("{} {}", letter(i), n)).collect::<Vec<_>>().join(", "),
        "letter_total": total,
    })
}

fn listed(questions: &[PlannedQuestion]) -> Value {
    json!({
        "count": questions.len(),
        "shown": &questions[..questions.len().min(LISTED)],
        "more": questions.len().saturating_sub(LISTED),
    })
}

fn plan_json(plan: &ImportPlan) -> Value {
    json!({
        "created": plan.created, "active_before": plan.active_before, "unchanged": plan.unchanged,
        "added": listed(&plan.added), "changed": listed(&plan.changed),
        "restored": listed(&plan.restored), "retired": listed(&plan.retired),
        "needs_confirmation": plan.needs_confirmation(),
    })
}

/// The upload form's choices, from a preview or an import form.
fn upload_of(form: &CsrfForm, filename: &str) -> Upload {
    let field = |name: &str| form.field(name).trim().to_string();
    Upload {
        filename: filename.to_string(),
        bank: field("bank"),
        title: field("title"),
        topic: field("topic"),
        sheet: field("sheet"),
        mode: if form.field("mode") == "merge" { ImportMode::Merge } else { ImportMode::Replace },
    }
}

async fn show(
    state: &AppState,
    req: &HttpRequest,
    upload: &Upload,
    bytes: &[u8],
    checked: Result<Checked, AppError>,
    unconfirmed: bool,
) -> AppResult<HttpResponse> {
    let checked = match checked {
        Ok(c) => c,
        Err(AppError::Invalid(m)) => {
            return page_with(state, req, StatusCode::UNPROCESSABLE_ENTITY, json!({ "error": m })).await;
        }
        Err(e) => return Err(e),
    };
    let errors = checked.errors();
    let status = if errors > 0 || unconfirmed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let preview = json!({
        "filename": upload.filename, "bank": upload.bank, "title": upload.title, "topic": upload.topic,
        "sheet": upload.sheet, "merge": upload.mode == ImportMode::Merge,
        "errors": errors, "warnings": checked.problems.len() - errors, "skipped": checked.skipped,
        "problems": checked.problems.iter().map(problem_json).collect::<Vec<_>>(),
        "summary": checked.bank.as_ref().map(bank_summary),
        "plan": checked.plan.as_ref().map(plan_json),
        "lint": checked.lint.as_ref().map(|l| json!({ "passes": l.passes, "text": l.text })),
        "unconfirmed": unconfirmed,
        "content": hex::encode(bytes),
        "ok": checked.bank.is_some() && errors == 0,
    });
    page_with(state, req, status, json!({ "title": "Xem trước ngân hàng câu hỏi", "preview": preview })).await
}

/// `POST /admin/banks/preview` (multipart): every problem and the plan, nothing saved.
pub async fn preview(
    state: web::Data<AppState>,
    req: HttpRequest,
    _user: Staff,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let Some(file) = form.file("file").filter(|f| !f.filename.is_empty() && !f.bytes.is_empty()) else {
        let error = json!({ "error": "Hãy chọn một tệp câu hỏi." });
        return page_with(&state, &req, StatusCode::UNPROCESSABLE_ENTITY, error).await;
    };
    let upload = upload_of(&form, &file.filename);
    let checked = state.check_bank_file(&upload, &file.bytes).await;
    show(&state, &req, &upload, &file.bytes, checked, false).await
}

/// `POST /admin/banks/import`: the previewed file again, checked again, then
/// saved in one transaction (a bank another organizer imported: 403; many
/// questions retired without the confirmation box: the preview again, 422).
pub async fn import(
    state: web::Data<AppState>,
    req: HttpRequest,
    Staff(user): Staff,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let bytes =
        hex::decode(form.field("content")).map_err(|_| AppError::BadRequest("Nội dung tệp không hợp lệ.".into()))?;
    let upload = upload_of(&form, form.field("filename"));
    let confirmed = form.field("confirm_retire") == "1";
    let (report, skipped) = match state.import_bank_file(&user, &upload, &bytes, confirmed).await {
        Ok(Ok(r)) => r,
        Ok(Err(NotImported::Invalid(checked))) => return show(&state, &req, &upload, &bytes, Ok(checked), false).await,
        Ok(Err(NotImported::Unconfirmed(checked))) => {
            return show(&state, &req, &upload, &bytes, Ok(checked), true).await;
        }
        Err(AppError::Denied(m)) => return page_with(&state, &req, StatusCode::FORBIDDEN, json!({ "error": m })).await,
        Err(e) => return Err(e),
    };
    let skipped = if skipped > 0 {
        format!(" Bỏ qua {skipped} câu của tệp không nhập được (xem danh sách khi xem trước).")
    } else {
        String::new()
    };
    page_with(&state, &req, StatusCode::OK, json!({ "flash": format!("Đã nhập ngân hàng {report}.{skipped}") })).await
}
