//! `GET /api/v1/banks`: banks with active question counts (organizers and admins).

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpResponse, web};

use crate::auth::session::Staff;
use crate::error::AppResult;
use crate::state::AppState;

/// Every bank.
#[utoipa::path(get, path = "/api/v1/banks", tag = "banks", summary = "Ngân hàng câu hỏi", responses((status = 200, description = "[{slug, title, topic, questions, by_difficulty: {easy, medium, hard}}]"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn list(state: web::Data<AppState>, _user: Staff) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(state.bank_summaries().await?))
}
