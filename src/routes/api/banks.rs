//! `GET /api/v1/banks`: banks with active question counts (organizers and admins).

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::db::banks::list_bank_summaries;
use crate::domain::people::Role;
use crate::error::AppResult;
use crate::state::AppState;

/// Every bank.
#[utoipa::path(get, path = "/api/v1/banks", tag = "banks", summary = "Ngân hàng câu hỏi", responses((status = 200, description = "[{slug, title, topic, questions, by_difficulty: {easy, medium, hard}}]"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody)))]
pub async fn list(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    user.require(&[Role::Admin, Role::Organizer])?;
    let banks = state.read(list_bank_summaries).await?;
    Ok(HttpResponse::Ok().json(banks))
}
