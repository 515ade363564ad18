//! The home page.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::auth::session::MaybeUser;
use crate::db::contests::list_published_rounds;
use crate::db::now;
use crate::domain::time::format_vn;
use crate::error::AppResult;
use crate::routes::api::play::{is_ranked, may_enter};
use crate::state::AppState;
use crate::templates::page;

/// Welcome; the rounds open to the user; every published round's boards.
pub async fn index(state: web::Data<AppState>, req: HttpRequest, user: MaybeUser) -> AppResult<HttpResponse> {
    let (banks, rounds) =
        state.read(|c| Ok((crate::db::banks::list_bank_summaries(c)?, list_published_rounds(c)?))).await?;
    let questions: i64 = banks.iter().map(|b| b.questions).sum();
    let t = now();
    let open: Vec<Value> = match &user.0 {
        Some(u) => rounds
            .iter()
            .filter(|(r, c)| r.is_open(t) && may_enter(u, c))
            .map(|(r, c)| {
                json!({
                    "id": r.id, "title": r.title, "contest": c.title, "contest_slug": c.slug,
                    "closes": format_vn(r.closes_at), "minutes": r.duration_s / 60,
                    "questions": r.blueprint_rows().iter().map(|b| b.count).sum::<u32>(),
                    "ranked": is_ranked(u) && !r.practice,
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let published: Vec<Value> = rounds
        .iter()
        .filter(|(r, _)| !r.practice)
        .map(|(r, c)| json!({ "id": r.id, "title": r.title, "contest": c.title, "contest_slug": c.slug, "phase": r.phase(t), "closes": format_vn(r.closes_at) }))
        .collect();
    page(
        &state,
        &req,
        "home",
        json!({ "title": "Trang chủ", "banks": banks, "question_total": questions, "open_rounds": open, "published": published }),
    )
}
