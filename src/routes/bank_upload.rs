//! Organizers bring their own question banks: upload a file (TOML, Excel,
//! CSV, GIFT, Aiken), see every problem and the counts before anything is
//! saved, then confirm. The confirmation carries the file back and it is
//! checked again; nothing the browser sends is trusted.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde_json::{Value, json};

use crate::auth::csrf::CsrfForm;
use crate::auth::session::Staff;
use crate::domain::bank::{Bank, Problem, Severity, Stats, letter};
use crate::engine::banks::Checked;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;

async fn banks_ctx(state: &AppState) -> AppResult<Value> {
    Ok(json!(state.bank_summaries().await?))
}

/// `GET /admin/banks`: the banks and the upload form.
pub async fn page(state: web::Data<AppState>, req: HttpRequest, _user: Staff) -> AppResult<HttpResponse> {
    let banks = banks_ctx(&state).await?;
    render(
        &state,
        &req,
        StatusCode::OK,
        "admin/banks",
        json!({ "title": "Ngân hàng câu hỏi", "banks": banks, "preview": Value::Null }),
    )
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

async fn show(
    state: &AppState,
    req: &HttpRequest,
    filename: &str,
    bank: &str,
    bytes: &[u8],
    checked: Result<Checked, AppError>,
) -> AppResult<HttpResponse> {
    let banks = banks_ctx(state).await?;
    let checked = match checked {
        Ok(c) => c,
        Err(AppError::Invalid(m)) => {
            return render(
                state,
                req,
                StatusCode::UNPROCESSABLE_ENTITY,
                "admin/banks",
                json!({ "title": "Ngân hàng câu hỏi", "banks": banks, "preview": Value::Null, "error": m }),
            );
        }
        Err(e) => return Err(e),
    };
    let errors = checked.errors();
    let status = if errors > 0 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render(
        state,
        req,
        status,
        "admin/banks",
        json!({
            "title": "Xem trước ngân hàng câu hỏi",
            "banks": banks,
            "preview": {
                "filename": filename, "bank": bank, "errors": errors, "warnings": checked.problems.len() - errors,
                "problems": checked.problems.iter().map(problem_json).collect::<Vec<_>>(),
                "summary": checked.bank.as_ref().map(bank_summary),
                "content": hex::encode(bytes),
                "ok": checked.bank.is_some() && errors == 0,
            },
        }),
    )
}

/// `POST /admin/banks/preview` (multipart): every problem, nothing saved.
pub async fn preview(
    state: web::Data<AppState>,
    req: HttpRequest,
    _user: Staff,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let bank = form.field("bank").trim().to_string();
    let Some(file) = form.file("file").filter(|f| !f.filename.is_empty() && !f.bytes.is_empty()) else {
        let banks = banks_ctx(&state).await?;
        return render(
            &state,
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            "admin/banks",
            json!({ "title": "Ngân hàng câu hỏi", "banks": banks, "preview": Value::Null, "error": "Hãy chọn một tệp câu hỏi." }),
        );
    };
    let checked = state.check_bank_file(&file.filename, &file.bytes, &bank).await;
    show(&state, &req, &file.filename, &bank, &file.bytes, checked).await
}

/// `POST /admin/banks/import`: the previewed file again, checked again, then
/// saved in one transaction (a bank another organizer imported: 403).
pub async fn import(
    state: web::Data<AppState>,
    req: HttpRequest,
    Staff(user): Staff,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let bytes =
        hex::decode(form.field("content")).map_err(|_| AppError::BadRequest("Nội dung tệp không hợp lệ.".into()))?;
    let (filename, bank) = (form.field("filename").to_string(), form.field("bank").trim().to_string());
    let reports = match state.import_bank_file(&user, &filename, &bytes, &bank).await {
        Ok(Ok(r)) => r,
        Ok(Err(checked)) => return show(&state, &req, &filename, &bank, &bytes, Ok(checked)).await,
        Err(AppError::Denied(m)) => {
            let banks = banks_ctx(&state).await?;
            return render(
                &state,
                &req,
                StatusCode::FORBIDDEN,
                "admin/banks",
                json!({ "title": "Ngân hàng câu hỏi", "banks": banks, "preview": Value::Null, "error": m }),
            );
        }
        Err(e) => return Err(e),
    };
    let flash = reports.iter().map(|r| format!("Đã nhập ngân hàng {r}.")).collect::<Vec<_>>().join(" ");
    let banks = banks_ctx(&state).await?;
    render(
        &state,
        &req,
        StatusCode::OK,
        "admin/banks",
        json!({ "title": "Ngân hàng câu hỏi", "banks": banks, "preview": Value::Null, "flash": flash }),
    )
}
