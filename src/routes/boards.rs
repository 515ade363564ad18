//! Public pages: a contest's rules and rounds, leaderboards, unit boards.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::auth::session::MaybeUser;
use crate::db::contests::{find_contest, list_rounds};
use crate::db::now;
use crate::db::units::list_units;
use crate::domain::time::format_vn;
use crate::error::{AppError, AppResult};
use crate::routes::api::boards::{BoardQuery, board_json, public_round, units_json};
use crate::state::AppState;
use crate::templates::page;

/// `GET /contests/{slug}`: description, rules and rounds.
pub async fn contest_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    _user: MaybeUser,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let slug = slug.into_inner();
    let contest = state
        .read(move |c| find_contest(c, &slug))
        .await?
        .ok_or_else(|| AppError::NotFound("Không có cuộc thi này.".into()))?;
    let cid = contest.id;
    let rounds = state.read(move |c| list_rounds(c, cid)).await?;
    let t = now();
    let rounds: Vec<Value> = rounds
        .iter()
        .filter(|r| r.status == "published")
        .map(|r| {
            json!({
                "id": r.id, "title": r.title, "opens": format_vn(r.opens_at), "closes": format_vn(r.closes_at),
                "minutes": r.duration_s / 60, "phase": r.phase(t), "open": r.is_open(t), "practice": r.practice,
            })
        })
        .collect();
    page(
        &state,
        &req,
        "contest",
        json!({
            "title": contest.title, "contest": { "slug": contest.slug, "title": contest.title, "description": contest.description },
            "rules_html": crate::markdown::to_html(&contest.rules), "rounds": rounds,
        }),
    )
}

/// `GET /rounds/{id}/leaderboard`: public, provisional until the round closes.
pub async fn leaderboard_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: MaybeUser,
    id: web::Path<i64>,
    q: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let (round, contest) = public_round(&state, *id).await?;
    let q = q.into_inner();
    let board = board_json(&state, &round, &contest, q, user.0.as_ref()).await?;
    let units = state.read(list_units).await?;
    let unit_options: Vec<Value> = units.iter().map(|u| json!({ "code": u.code, "name": u.name })).collect();
    let selected = req.query_string().split('&').find_map(|kv| kv.strip_prefix("unit=")).unwrap_or("").to_string();
    page(
        &state,
        &req,
        "leaderboard",
        json!({
            "title": format!("Xếp hạng {}", round.title), "round": { "id": round.id, "title": round.title },
            "contest": { "slug": contest.slug, "title": contest.title },
            "board": board, "units": unit_options, "selected": selected,
            "has_me": board.get("me").is_some(),
        }),
    )
}

/// `GET /rounds/{id}/units`: participation and results by unit, rolled up.
pub async fn units_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    _user: MaybeUser,
    id: web::Path<i64>,
    q: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let (round, contest) = public_round(&state, *id).await?;
    let data = units_json(&state, &round, q.sort.as_deref()).await?;
    let rows: Vec<Value> = data["units"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut u| {
            let rate = u["rate"].as_f64().unwrap_or(0.0);
            u["rate_pct"] = json!(format!("{:.1}%", rate * 100.0));
            u
        })
        .collect();
    page(
        &state,
        &req,
        "units_board",
        json!({
            "title": format!("Đơn vị – {}", round.title), "round": { "id": round.id, "title": round.title },
            "contest": { "slug": contest.slug, "title": contest.title },
            "provisional": data["provisional"], "units": rows,
        }),
    )
}
