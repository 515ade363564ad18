//! A round's questions for its organizer: listed and searched by text,
//! source (what entrants see, e.g. "MC-88") or key, each with its void /
//! re-key form, inside the round's contest.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::fix_form::{
    QuestionParts, Scope, apply, done_line, preview, question_json, refilled, request_of, shown_on_form, typed,
};
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::db::fixes::PoolQuestion;
use crate::domain::correction::letters;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;

/// Most questions one list shows (a search narrows it).
const SHOWN: usize = 200;

/// `?q=`: what to look for.
#[derive(Deserialize)]
pub struct Search {
    q: Option<String>,
}

/// `/admin/rounds/{id}/questions/{question}`.
#[derive(Deserialize)]
pub struct RoundQuestionPath {
    id: i64,
    question: i64,
}

fn parts(q: &PoolQuestion) -> QuestionParts<'_> {
    QuestionParts {
        text: &q.text,
        kind: &q.kind,
        options: &q.options,
        answer: &q.answer,
        explanation: &q.explanation,
        source: &q.source,
        voided: q.voided,
    }
}

fn url(round: i64, question: i64) -> String {
    format!("/admin/rounds/{round}/questions/{question}")
}

/// `GET /admin/rounds/{id}/questions?q=`: the round's questions, searched.
pub async fn round_list(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    search: web::Query<Search>,
) -> AppResult<HttpResponse> {
    let q = search.q.as_deref().unwrap_or("").trim().to_string();
    if q.chars().count() > 200 {
        return Err(AppError::Invalid("Nội dung tìm kiếm dài quá 200 ký tự.".into()));
    }
    let (round, contest, found) = state.round_questions(&user, *id, &q).await?;
    let rows: Vec<Value> = found
        .iter()
        .take(SHOWN)
        .map(|p| {
            json!({
                "url": url(round.id, p.id), "bank": p.bank_title, "key": p.key, "source": p.source, "text": p.text,
                "key_letters": letters(&serde_json::from_str::<Vec<usize>>(&p.answer).unwrap_or_default()),
                "voided": p.voided, "papers": p.papers,
            })
        })
        .collect();
    let ctx = json!({
        "title": format!("Câu hỏi của {}", round.settings.title),
        "round": { "id": round.id, "title": round.settings.title, "published": round.is_published() },
        "contest": { "slug": contest.slug, "title": contest.title },
        "q": q, "questions": rows, "found": found.len(), "more": found.len() > SHOWN, "shown": SHOWN,
    });
    render(&state, &req, StatusCode::OK, "admin/round_questions", ctx)
}

async fn form_ctx(
    state: &AppState,
    user: &CurrentUser,
    path: &RoundQuestionPath,
) -> AppResult<(Value, String, String)> {
    let (round, contest, q) = state.round_question(user, path.id, path.question).await?;
    let ctx = json!({
        "title": format!("Sửa câu {}", q.key),
        "round": { "id": round.id, "title": round.settings.title },
        "contest": { "slug": contest.slug, "title": contest.title },
        "question": question_json(&q.bank, &q.key, &parts(&q)),
        "bank_title": q.bank_title, "papers": q.papers,
        "action": url(round.id, q.id),
    });
    Ok((ctx, q.bank, q.key))
}

/// `GET /admin/rounds/{id}/questions/{question}`: the void / re-key form of one question.
pub async fn round_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<RoundQuestionPath>,
) -> AppResult<HttpResponse> {
    let (ctx, _, _) = form_ctx(&state, &user, &path).await?;
    render(&state, &req, StatusCode::OK, "admin/round_question", ctx)
}

/// `POST /admin/rounds/{id}/questions/{question}`: previews the correction,
/// or applies it when the preview's confirmation says `confirm=1`.
pub async fn round_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<RoundQuestionPath>,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let (ctx, bank, key) = form_ctx(&state, &user, &path).await?;
    let Some(asked) = request_of(&form) else {
        return Err(AppError::BadRequest("Thao tác không hợp lệ.".into()));
    };
    let slug = ctx["contest"]["slug"].as_str().unwrap_or("").to_string();
    let action = ctx["action"].as_str().unwrap_or("").to_string();
    match apply(&state, &user, &Scope::Contest(slug), &bank, &key, &asked).await {
        Ok(report) if report.dry_run => {
            preview(&state, &req, &report, &asked, &ctx["question"], &action, &action, typed(&form))
        }
        Ok(report) => {
            let (fresh, _, _) = form_ctx(&state, &user, &path).await?;
            let flash = json!({ "flash": done_line(&report) });
            render(&state, &req, StatusCode::OK, "admin/round_question", crate::routes::with(fresh, flash))
        }
        Err(e) if shown_on_form(&e) => {
            let status = actix_web::ResponseError::status_code(&e);
            let extra = json!({ "error": e.to_string(), "question": refilled(&ctx["question"], &form) });
            render(&state, &req, status, "admin/round_question", crate::routes::with(ctx, extra))
        }
        Err(e) => Err(e),
    }
}
