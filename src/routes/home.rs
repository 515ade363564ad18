//! The home page.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::auth::session::MaybeUser;
use crate::error::AppResult;
use crate::state::AppState;
use crate::templates::page;

/// Welcome, and where to go next for the user's role.
pub async fn index(state: web::Data<AppState>, req: HttpRequest, _user: MaybeUser) -> AppResult<HttpResponse> {
    let banks = state.read(crate::db::banks::list_bank_summaries).await?;
    let questions: i64 = banks.iter().map(|b| b.questions).sum();
    page(&state, &req, "home", json!({ "title": "Trang chủ", "banks": banks, "question_total": questions }))
}
