//! Pages for fixing a wrong key: a bank's owner for every contest
//! (`/admin/questions`), a contest's owner inside it
//! (`/admin/contests/{slug}/questions`).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::Staff;
use crate::db::banks::BankSummary;
use crate::db::fixes::list_fixes;
use crate::domain::bank::letter;
use crate::domain::time::format_vn;
use crate::engine::access::manages_bank_of;
use crate::engine::fixes::Asked;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;

/// Where a correction applies.
enum Scope {
    /// Every contest (the bank's owner).
    Everywhere,
    /// One contest, by slug.
    Contest(String),
}

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
                    let change = if f.voided { "hủy câu hỏi".to_string() } else { format!("đáp án mới {}", f.answer.unwrap_or_default()) };
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
    let options: Vec<String> = serde_json::from_str(&q.options).unwrap_or_default();
    let answer: Vec<usize> = serde_json::from_str(&q.answer).unwrap_or_default();
    let shown = json!({
        "bank": bank, "key": q.key, "text": q.text, "voided": q.voided, "source": q.source,
        "options": options.iter().enumerate().map(|(i, o)| json!({ "letter": letter(i).to_string(), "text": o, "right": answer.contains(&i) })).collect::<Vec<_>>(),
    });
    let asked = match form.field("action") {
        "show" => return show(StatusCode::OK, json!({ "question": shown })),
        "void" => Asked::Void,
        "rekey" => {
            Asked::Rekey(form.field("answer").split([',', ' ']).filter(|s| !s.is_empty()).map(str::to_string).collect())
        }
        _ => return Err(AppError::BadRequest("Thao tác không hợp lệ.".into())),
    };
    let reason = form.field("reason");
    let done = match &scope {
        Scope::Everywhere => state.correct_everywhere(user, bank, key, asked, reason).await,
        Scope::Contest(slug) => state.correct_in_contest(user, slug, bank, key, asked, reason).await,
    };
    match done {
        Ok(n) => show(
            StatusCode::OK,
            json!({ "flash": format!("Đã lưu và chấm lại {n} bài thi."), "fixes": ctx(state, user, &scope).await?["fixes"] }),
        ),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_) | AppError::Denied(_))) => {
            let status = actix_web::ResponseError::status_code(&e);
            show(status, json!({ "question": shown, "error": e.to_string() }))
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
