//! Pages for fixing a wrong key: a bank's owner for every contest
//! (`/admin/questions`), a contest's owner inside it
//! (`/admin/contests/{slug}/questions`, and from a round's page, its
//! questions searched by text, source or key: `/admin/rounds/{id}/questions`).
//! Every void or re-key is previewed first and applied once confirmed.

mod fix_form;
mod round;

pub use round::{round_form, round_list, round_submit};

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::Staff;
use crate::db::banks::BankSummary;
use crate::db::fixes::list_fixes;
use crate::domain::correction::letters;
use crate::domain::time::format_vn;
use crate::engine::access::manages_bank_of;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;
use fix_form::{
    QuestionParts, Scope, apply, done_line, preview, question_json, refilled, request_of, shown_on_form, typed,
};

impl Scope {
    fn action(&self) -> String {
        match self {
            Scope::Everywhere => "/admin/questions".into(),
            Scope::Contest(s) => format!("/admin/contests/{s}/questions"),
        }
    }

    fn note(&self) -> String {
        match self {
            Scope::Everywhere => {
                "Sửa cho mọi cuộc thi dùng câu hỏi (chỉ với ngân hàng do bạn nhập, hoặc quản trị viên).".into()
            }
            Scope::Contest(s) => {
                format!("Chỉ sửa trong cuộc thi \"{s}\": các cuộc thi khác dùng cùng ngân hàng không bị ảnh hưởng.")
            }
        }
    }
}

async fn ctx(state: &AppState, user: &CurrentUser, scope: &Scope) -> AppResult<Value> {
    let banks: Vec<BankSummary> = state.bank_summaries().await?;
    let banks: Vec<BankSummary> = match scope {
        Scope::Everywhere => banks.into_iter().filter(|b| manages_bank_of(user, b.owner_id)).collect(),
        Scope::Contest(_) => banks,
    };
    let fixes: Vec<Value> = match scope {
        Scope::Contest(slug) => {
            let cid = state.contest(slug).await?.id;
            state
                .read(move |c| list_fixes(c, cid))
                .await?
                .into_iter()
                .map(|(f, bank, key)| {
                    let change = match (f.voided, f.answer) {
                        (true, _) => "hủy câu hỏi".to_string(),
                        (false, Some(a)) => {
                            format!("đáp án mới {}", letters(&serde_json::from_str::<Vec<usize>>(&a).unwrap_or_default()))
                        }
                        (false, None) => "sửa lời giải thích".to_string(),
                    };
                    json!({ "bank": bank, "key": key, "change": change, "reason": f.reason, "actor": f.actor, "at": format_vn(f.at) })
                })
                .collect()
        }
        Scope::Everywhere => Vec::new(),
    };
    Ok(
        json!({ "title": "Sửa đáp án", "banks": banks, "question": Value::Null, "action": scope.action(), "scope_note": scope.note(), "fixes": fixes }),
    )
}

async fn submit(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    scope: Scope,
    form: &CsrfForm,
) -> AppResult<HttpResponse> {
    let base = ctx(state, user, &scope).await?;
    let show = |status: StatusCode, extra: Value| {
        render(state, req, status, "admin/questions", crate::routes::with(base.clone(), extra))
    };
    let (bank, key) = (form.field("bank").trim(), form.field("key").trim());
    let q = match state.question(bank, key).await {
        Ok(q) => q,
        Err(e @ AppError::NotFound(_)) => return show(StatusCode::NOT_FOUND, json!({ "error": e.to_string() })),
        Err(e) => return Err(e),
    };
    // Inside a contest, the question as the contest sees it (its own corrections applied).
    let fix = match &scope {
        Scope::Contest(slug) => {
            let (cid, qid) = (state.contest(slug).await?.id, q.id);
            state.read(move |c| list_fixes(c, cid)).await?.into_iter().map(|(f, _, _)| f).find(|f| f.question_id == qid)
        }
        Scope::Everywhere => None,
    };
    let parts = QuestionParts {
        text: &q.text,
        kind: &q.kind,
        options: &q.options,
        answer: fix.as_ref().and_then(|f| f.answer.as_deref()).unwrap_or(&q.answer),
        explanation: fix.as_ref().and_then(|f| f.explanation.as_deref()).unwrap_or(&q.explanation),
        source: &q.source,
        voided: q.voided || fix.as_ref().is_some_and(|f| f.voided),
    };
    let shown = question_json(bank, &q.key, &parts);
    if form.field("action") == "show" {
        return show(StatusCode::OK, json!({ "question": shown }));
    }
    let Some(asked) = request_of(form) else { return Err(AppError::BadRequest("Thao tác không hợp lệ.".into())) };
    match apply(state, user, &scope, bank, key, &asked).await {
        Ok(report) if report.dry_run => {
            let action = scope.action();
            preview(state, req, &report, &asked, &shown, &action, &action, typed(form))
        }
        Ok(report) => show(
            StatusCode::OK,
            json!({ "flash": done_line(&report), "fixes": ctx(state, user, &scope).await?["fixes"] }),
        ),
        Err(e) if shown_on_form(&e) => {
            let status = actix_web::ResponseError::status_code(&e);
            show(status, json!({ "question": refilled(&shown, form), "error": e.to_string() }))
        }
        Err(e) => Err(e),
    }
}

/// `GET /admin/questions`: the banks the user may correct for every contest.
pub async fn bank_page(state: web::Data<AppState>, req: HttpRequest, Staff(user): Staff) -> AppResult<HttpResponse> {
    let c = ctx(&state, &user, &Scope::Everywhere).await?;
    render(&state, &req, StatusCode::OK, "admin/questions", c)
}

/// `POST /admin/questions`: look up, void or re-key a question for every contest.
pub async fn bank_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    Staff(user): Staff,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    submit(&state, &req, &user, Scope::Everywhere, &form).await
}

/// `GET /admin/contests/{slug}/questions`: corrections inside one contest.
pub async fn contest_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let contest = state.owned_contest(&user, &slug).await?;
    let c = ctx(&state, &user, &Scope::Contest(contest.slug)).await?;
    render(&state, &req, StatusCode::OK, "admin/questions", c)
}

/// `POST /admin/contests/{slug}/questions`: look up, void or re-key inside the contest.
pub async fn contest_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let contest = state.owned_contest(&user, &slug).await?;
    submit(&state, &req, &user, Scope::Contest(contest.slug), &form).await
}
