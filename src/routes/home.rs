//! The home page.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::auth::participant::MaybeEntrant;
use crate::db::contests::list_contests;
use crate::db::rounds::list_published_rounds;
use crate::domain::time::format_vn;
use crate::error::AppResult;
use crate::state::AppState;
use crate::templates::page;

/// Welcome; the rounds open to the user; every published round's boards.
pub async fn index(state: web::Data<AppState>, req: HttpRequest, who: MaybeEntrant) -> AppResult<HttpResponse> {
    let banks = state.bank_summaries().await?;
    let (rounds, contests) = state.read(|c| Ok((list_published_rounds(c)?, list_contests(c)?))).await?;
    let questions: i64 = banks.iter().map(|b| b.questions).sum();
    let t = state.now();
    let me = who.0;
    let with_contest = rounds.iter().filter_map(|r| contests.iter().find(|c| c.id == r.contest_id).map(|c| (r, c)));
    let open: Vec<Value> = match &me {
        Some(who) => {
            let mine = state.attempts_by_round(who).await?;
            with_contest
                .clone()
                .filter(|(r, c)| r.is_open(t) && who.may_enter(c))
                .map(|(r, c)| {
                    let card = json!({
                        "id": r.id, "title": r.settings.title, "contest": c.title, "contest_slug": c.slug,
                        "closes": format_vn(r.settings.closes_at), "minutes": r.settings.duration_s / 60,
                        "questions": r.settings.questions(),
                        "ranked": who.is_ranked() && !r.settings.practice,
                    });
                    let status = super::attempt_status(r, mine.get(&r.id).map(Vec::as_slice).unwrap_or(&[]), t);
                    super::with(card, status)
                })
                .collect()
        }
        None => Vec::new(),
    };
    let published: Vec<Value> = with_contest
        .filter(|(r, _)| !r.settings.practice)
        .map(|(r, c)| json!({ "id": r.id, "title": r.settings.title, "contest": c.title, "contest_slug": c.slug, "phase": r.phase(t).as_str(), "closes": format_vn(r.settings.closes_at) }))
        .collect();
    page(
        &state,
        &req,
        "home",
        json!({ "title": "Trang chủ", "banks": banks, "question_total": questions, "open_rounds": open, "published": published }),
    )
}
