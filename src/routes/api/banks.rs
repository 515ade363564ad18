//! `GET /api/v1/banks`: banks with active question counts (organizers and admins).

use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::db::banks::list_bank_summaries;
use crate::domain::people::Role;
use crate::error::AppResult;
use crate::state::AppState;

/// Every bank.
pub async fn list(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    user.require(&[Role::Admin, Role::Organizer])?;
    let banks = state.read(list_bank_summaries).await?;
    Ok(HttpResponse::Ok().json(banks))
}
