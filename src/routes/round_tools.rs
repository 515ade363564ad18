//! An organizer's tools on a round's page: copy it for next week, and look
//! at a sample paper with its keys.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde_json::json;

use super::see_other;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;

/// `POST /admin/rounds/{id}/copy`: next week's round as a draft, then its page.
pub async fn copy_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    _form: CsrfForm,
) -> AppResult<HttpResponse> {
    match state.copy_round(&user, *id).await {
        Ok((r, _)) => Ok(see_other(&format!("/admin/rounds/{}", r.id))),
        Err(AppError::Invalid(m)) => sample_or_error(&state, &req, &user, *id, m).await,
        Err(e) => Err(e),
    }
}

/// The round's sample page, with why the copy was refused.
async fn sample_or_error(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    id: i64,
    error: String,
) -> AppResult<HttpResponse> {
    let (round, _) = state.owned_round(user, id).await?;
    let ctx = json!({
        "title": format!("Sao chép vòng thi – {}", round.settings.title),
        "round": { "id": round.id, "title": round.settings.title }, "questions": [], "error": error,
    });
    render(state, req, StatusCode::UNPROCESSABLE_ENTITY, "admin/sample", ctx)
}

/// `GET /admin/rounds/{id}/sample`: a paper drawn now from the blueprint, with its keys.
pub async fn sample_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (round, questions) = match state.sample_paper(&user, *id).await {
        Ok(s) => s,
        Err(AppError::Invalid(m)) => return sample_or_error(&state, &req, &user, *id, m).await,
        Err(e) => return Err(e),
    };
    let questions: Vec<_> = questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let options: Vec<_> = q
                .options
                .iter()
                .enumerate()
                .map(|(j, o)| {
                    let l = crate::domain::bank::letter(j).to_string();
                    json!({ "letter": l, "text": o, "right": q.answer.contains(&l) })
                })
                .collect();
            json!({ "n": i + 1, "bank": q.bank, "key": q.key, "text": q.text, "options": options,
                    "kind": q.kind_label(), "difficulty": q.difficulty_label(),
                    "answer": q.answer.join(", "), "explanation": q.explanation, "source": q.source })
        })
        .collect();
    let ctx = json!({
        "title": format!("Đề mẫu – {}", round.settings.title),
        "round": { "id": round.id, "title": round.settings.title }, "questions": questions,
    });
    render(&state, &req, StatusCode::OK, "admin/sample", ctx)
}
