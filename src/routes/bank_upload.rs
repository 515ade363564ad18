//! Organizers bring their own question banks: upload a file (TOML, Excel,
//! CSV, GIFT, Aiken), see every problem and the counts before anything is
//! saved, then confirm. The confirmation carries the file back and it is
//! checked again; nothing the browser sends is trusted.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use futures_util::StreamExt;
use serde_json::{Value, json};

use super::play::{field, parse_form};
use crate::auth::{CurrentUser, csrf};
use crate::db::banks::{find_bank, import_banks, list_bank_summaries};
use crate::domain::bank::{Bank, BankMeta, Problem, Severity, Stats, check_letter_balance, is_slug, letter};
use crate::domain::formats::parse_bank;
use crate::error::{AppError, AppResult};
use crate::routes::api::contests::ORGANIZERS;
use crate::state::AppState;
use crate::templates::render;

/// Largest bank file accepted.
pub const MAX_UPLOAD: usize = 5 * 1024 * 1024;

async fn banks_ctx(state: &AppState) -> AppResult<Value> {
    Ok(json!(state.read(list_bank_summaries).await?))
}

/// `GET /admin/banks`: the banks and the upload form.
pub async fn page(state: web::Data<AppState>, req: HttpRequest, user: CurrentUser) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let banks = banks_ctx(&state).await?;
    render(
        &state,
        &req,
        StatusCode::OK,
        "admin/banks",
        json!({ "title": "Ngân hàng câu hỏi", "banks": banks, "preview": Value::Null }),
    )
}

struct Upload {
    csrf: String,
    bank: String,
    filename: String,
    bytes: Vec<u8>,
}

async fn read_upload(mut mp: Multipart) -> AppResult<Upload> {
    let bad = |_| AppError::BadRequest("Không đọc được tệp tải lên.".into());
    let mut up = Upload { csrf: String::new(), bank: String::new(), filename: String::new(), bytes: Vec::new() };
    while let Some(part) = mp.next().await {
        let mut part = part.map_err(bad)?;
        let name = part.name().unwrap_or("").to_string();
        if name == "file" {
            up.filename = part.content_disposition().and_then(|cd| cd.get_filename()).unwrap_or("").to_string();
        }
        let mut data = Vec::new();
        while let Some(chunk) = part.next().await {
            data.extend_from_slice(&chunk.map_err(bad)?);
            if data.len() > MAX_UPLOAD {
                return Err(AppError::PayloadTooLarge);
            }
        }
        match name.as_str() {
            "file" => up.bytes = data,
            "csrf" => up.csrf = String::from_utf8_lossy(&data).into_owned(),
            "bank" => up.bank = String::from_utf8_lossy(&data).trim().to_string(),
            _ => {}
        }
    }
    Ok(up)
}

/// The bank a format without one goes into: the stored bank, or a new one.
async fn target_meta(state: &AppState, slug: &str) -> AppResult<Option<BankMeta>> {
    if slug.is_empty() {
        return Ok(None);
    }
    if !is_slug(slug) {
        return Err(AppError::Invalid(format!(
            "Mã ngân hàng \"{slug}\" chỉ gồm chữ thường không dấu, chữ số và dấu '-'."
        )));
    }
    let s = slug.to_string();
    let stored = state.read(move |c| find_bank(c, &s)).await?;
    Ok(Some(match stored {
        Some(b) => BankMeta {
            replaced_documents: serde_json::from_str(&b.replaced_documents).unwrap_or_default(),
            slug: b.slug,
            title: b.title,
            topic: b.topic,
        },
        None => BankMeta { slug: slug.into(), title: slug.into(), topic: slug.into(), replaced_documents: Vec::new() },
    }))
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

async fn preview(state: &AppState, req: &HttpRequest, up: &Upload) -> AppResult<HttpResponse> {
    let banks = banks_ctx(state).await?;
    let fail = |status: StatusCode, m: String| {
        render(
            state,
            req,
            status,
            "admin/banks",
            json!({ "title": "Ngân hàng câu hỏi", "banks": banks.clone(), "preview": Value::Null, "error": m }),
        )
    };
    if up.filename.is_empty() || up.bytes.is_empty() {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, "Hãy chọn một tệp câu hỏi.".into());
    }
    let meta = match target_meta(state, &up.bank).await {
        Ok(m) => m,
        Err(AppError::Invalid(m)) => return fail(StatusCode::UNPROCESSABLE_ENTITY, m),
        Err(e) => return Err(e),
    };
    let (bank, mut problems) = parse_bank(&up.filename, &up.bytes, meta.as_ref());
    if let Some(b) = &bank {
        problems.extend(check_letter_balance(&up.filename, b));
    }
    let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
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
                "filename": up.filename, "bank": up.bank, "errors": errors, "warnings": problems.len() - errors,
                "problems": problems.iter().map(problem_json).collect::<Vec<_>>(),
                "summary": bank.as_ref().map(bank_summary),
                "content": hex::encode(&up.bytes),
                "ok": bank.is_some() && errors == 0,
            },
        }),
    )
}

/// `POST /admin/banks/preview` (multipart): every problem, nothing saved.
pub async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    mp: Multipart,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let up = read_upload(mp).await?;
    csrf::verify(&state, &req, &up.csrf)?;
    preview(&state, &req, &up).await
}

/// `POST /admin/banks/import`: the previewed file again, checked again, then saved in one transaction.
pub async fn import(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let form = parse_form(&body);
    csrf::verify(&state, &req, field(&form, "csrf"))?;
    let bytes =
        hex::decode(field(&form, "content")).map_err(|_| AppError::BadRequest("Nội dung tệp không hợp lệ.".into()))?;
    let up = Upload {
        csrf: String::new(),
        bank: field(&form, "bank").trim().to_string(),
        filename: field(&form, "filename").to_string(),
        bytes,
    };
    let meta = target_meta(&state, &up.bank).await?;
    let (bank, problems) = parse_bank(&up.filename, &up.bytes, meta.as_ref());
    let Some(bank) = bank.filter(|_| !problems.iter().any(|p| p.severity == Severity::Error)) else {
        return preview(&state, &req, &up).await;
    };
    let actor = user.actor();
    let reports = state.write(move |c| import_banks(c, &[bank], &actor)).await?;
    let flash = reports
        .iter()
        .map(|r| {
            format!(
                "Đã nhập ngân hàng {}{}: thêm {}, phiên bản mới {}, giữ nguyên {}, ngừng dùng {}, dùng lại {}.",
                r.slug,
                if r.created { " (mới)" } else { "" },
                r.added,
                r.new_versions,
                r.unchanged,
                r.retired,
                r.restored
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let banks = banks_ctx(&state).await?;
    render(
        &state,
        &req,
        StatusCode::OK,
        "admin/banks",
        json!({ "title": "Ngân hàng câu hỏi", "banks": banks, "preview": Value::Null, "flash": flash }),
    )
}
