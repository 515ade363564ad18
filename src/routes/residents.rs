//! The organizer's page for residents: look one up by name, phone or the
//! last digits of the CCCD, and give a new participant code to someone who
//! lost theirs (the old code stops working; the change is audited).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde_json::{Value, json};

use super::with;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::db::contests::Contest;
use crate::domain::time::format_vn;
use crate::error::AppResult;
use crate::state::AppState;
use crate::templates::render;

/// `?q=`.
#[derive(serde::Deserialize)]
pub struct Lookup {
    q: Option<String>,
}

async fn ctx(state: &AppState, user: &CurrentUser, contest: &Contest, q: &str) -> AppResult<Value> {
    let found: Vec<Value> = if q.trim().is_empty() {
        Vec::new()
    } else {
        let names = state.unit_names().await?;
        state
            .find_residents(user, contest, q)
            .await?
            .into_iter()
            .map(|p| {
                json!({
                    "id": p.id, "name": p.full_name, "phone": p.phone, "birth_year": p.birth_year,
                    "unit": p.unit_id.and_then(|u| names.get(&u).cloned()), "id_last4": p.id_last4,
                    "registered": format_vn(p.created_at),
                })
            })
            .collect()
    };
    Ok(json!({
        "title": format!("Người dự thi – {}", contest.title),
        "contest": { "slug": contest.slug, "title": contest.title },
        "q": q, "searched": !q.trim().is_empty(), "found": found,
    }))
}

/// `GET /admin/contests/{slug}/participants?q=`.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
    q: web::Query<Lookup>,
) -> AppResult<HttpResponse> {
    let contest = state.owned_contest(&user, &slug).await?;
    let ctx = ctx(&state, &user, &contest, q.q.as_deref().unwrap_or("")).await?;
    render(&state, &req, StatusCode::OK, "admin/participants", ctx)
}

/// `POST /admin/contests/{slug}/participants/{id}/code`: shows the new code once.
pub async fn new_code(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(String, i64)>,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let contest = state.owned_contest(&user, &slug).await?;
    let code = state.reissue_code(&user, &contest, id).await?;
    let ctx = ctx(&state, &user, &contest, form.field("q")).await?;
    let flash = format!("Mã dự thi mới của người dự thi số {id}: {code}. Mã cũ không còn dùng được.");
    render(&state, &req, StatusCode::OK, "admin/participants", with(ctx, json!({ "flash": flash, "new_code": code })))
}
