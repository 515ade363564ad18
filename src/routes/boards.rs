//! Public pages: a contest's rules and rounds, its standings, a round's
//! leaderboard and unit board.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::BoardQuery;
use crate::auth::participant::MaybeEntrant;
use crate::db::units::list_units;
use crate::error::AppResult;
use crate::state::AppState;
use crate::templates::page;

use crate::domain::numbers::{decimal, duration, percent, thousands};

/// `GET /contests/{slug}`: description, rules and rounds.
pub async fn contest_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: MaybeEntrant,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let contest = state.contest(&slug).await?;
    let me = who.0;
    let may_enter = me.as_ref().is_some_and(|m| m.may_enter(&contest));
    let visible = state.visible_rounds(None, &contest).await?;
    let rounds = super::round_cards(&state, &visible, me.as_ref(), may_enter).await?;
    page(
        &state,
        &req,
        "contest",
        json!({
            "title": contest.title, "contest": { "slug": contest.slug, "title": contest.title, "description": contest.description },
            "rules_html": crate::markdown::to_html(&contest.rules), "rounds": rounds,
            "join": contest.audience.admits_public() && !may_enter,
            "og": super::open_graph(&state, &contest),
        }),
    )
}

/// `GET /contests/{slug}/standings`: the contest's standings over its ranked rounds.
pub async fn standings_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    q: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let contest = state.contest(&slug).await?;
    let view = state.standings(&contest, q.limit.unwrap_or(100), q.offset.unwrap_or(0)).await?;
    let rows: Vec<Value> = view
        .entries
        .iter()
        .map(|e| {
            json!({ "rank": e.rank, "name": e.name, "unit": e.unit, "score": e.score, "rounds": e.rounds,
                          "gaps": e.prediction_gaps, "error": e.prediction_error, "time": duration(e.duration_ms) })
        })
        .collect();
    page(
        &state,
        &req,
        "standings",
        json!({ "title": format!("Xếp hạng chung – {}", contest.title), "contest": { "slug": contest.slug, "title": contest.title },
                "total": view.total, "total_text": thousands(view.total), "entries": rows }),
    )
}

/// `GET /rounds/{id}/leaderboard`: public, provisional until the round's results are final.
pub async fn leaderboard_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: MaybeEntrant,
    id: web::Path<i64>,
    q: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let (round, contest) = state.public_round(*id).await?;
    let me = who.0;
    let board = state
        .board(&round, &contest, q.unit.as_deref(), q.limit.unwrap_or(50), q.offset.unwrap_or(0), me.as_ref())
        .await?;
    let units = state.read(list_units).await?;
    let unit_options: Vec<Value> = units.iter().map(|u| json!({ "code": u.code, "name": u.name })).collect();
    let entries: Vec<Value> = board
        .entries
        .iter()
        .map(|e| json!({ "rank": e.rank, "name": e.name, "unit": e.unit, "score": e.score, "max_score": e.max_score, "time": duration(e.duration_ms) }))
        .collect();
    page(
        &state,
        &req,
        "leaderboard",
        json!({
            "title": format!("Xếp hạng {}", round.settings.title), "round": { "id": round.id, "title": round.settings.title },
            "contest": { "slug": contest.slug, "title": contest.title },
            "provisional": board.provisional, "total": board.total, "total_text": thousands(board.total), "entries": entries, "mine": board.me,
            "units": unit_options, "selected": q.unit.clone().unwrap_or_default(),
        }),
    )
}

/// `GET /rounds/{id}/units`: participation and results by unit, rolled up.
pub async fn units_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i64>,
    q: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let (round, contest) = state.public_round(*id).await?;
    let data = state.units_board(&round, q.sort.as_deref()).await?;
    let rows: Vec<Value> = data
        .units
        .iter()
        .map(|u| {
            let mut v = json!(u);
            v["rate_pct"] = json!(format!("{}%", percent(u.rate)));
            v["participants_text"] = json!(thousands(u.participants));
            v["staff_text"] = json!(thousands(u.staff_count));
            v["avg_text"] = json!(decimal(u.avg_score, 2));
            v["full_marks_text"] = json!(thousands(u.full_marks));
            v
        })
        .collect();
    page(
        &state,
        &req,
        "units_board",
        json!({
            "title": format!("Đơn vị – {}", round.settings.title), "round": { "id": round.id, "title": round.settings.title },
            "contest": { "slug": contest.slug, "title": contest.title },
            "provisional": data.provisional, "units": rows,
        }),
    )
}
