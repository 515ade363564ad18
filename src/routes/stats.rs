//! A round's statistics page for its organizer, with its charts as SVG.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, web};
use serde_json::json;

use crate::auth::CurrentUser;
use crate::charts::bar_chart;
use crate::domain::numbers::{percent, thousands};
use crate::engine::stats::StatsView;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;

/// Most units the participation chart shows (the table lists them all).
const CHART_UNITS: usize = 15;

/// `GET /admin/rounds/{id}/stats`.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (round, contest) = state.owned_round(&user, *id).await?;
    let s = state.round_stats(&user, *id).await?;
    let units: Vec<_> = s
        .units
        .iter()
        .filter(|u| u.participants > 0)
        .map(|u| {
            json!({ "name": u.name, "kind": u.kind, "participants": thousands(u.participants),
                    "staff": thousands(u.staff_count), "rate": format!("{}%", percent(u.rate)), "full_marks": u.full_marks })
        })
        .collect();
    let ctx = json!({
        "title": format!("Thống kê – {}", round.settings.title),
        "round": { "id": round.id, "title": round.settings.title },
        "contest": { "slug": contest.slug, "title": contest.title },
        "provisional": s.provisional,
        "entrants": thousands(s.entrants), "officials": thousands(s.officials), "residents": thousands(s.residents),
        "attempts": thousands(s.attempts), "full_marks": thousands(s.full_marks), "questions": s.questions,
        "distribution": s.distribution.iter().map(|b| json!({"correct": b.correct, "entrants": thousands(b.entrants)})).collect::<Vec<_>>(),
        "units": units,
    });
    render(&state, &req, StatusCode::OK, "admin/stats", ctx)
}

fn chart_of(s: &StatsView, name: &str) -> AppResult<String> {
    let svg = match name {
        "correct.svg" => {
            let bars: Vec<(String, i64)> = s.distribution.iter().map(|b| (b.correct.to_string(), b.entrants)).collect();
            bar_chart("Phân bố số câu trả lời đúng", "Số câu đúng", "Người dự thi", &bars)
        }
        "units.svg" => {
            let bars: Vec<(String, i64)> = s
                .units
                .iter()
                .filter(|u| u.participants > 0 && u.parent_code.is_some())
                .take(CHART_UNITS)
                .map(|u| (u.code.clone(), u.participants))
                .collect();
            bar_chart("Người dự thi theo đơn vị (nhiều nhất)", "Mã đơn vị", "Người dự thi", &bars)
        }
        _ => return Err(AppError::NotFound("Không có biểu đồ này.".into())),
    };
    svg.map_err(|e| AppError::Unexpected(anyhow::anyhow!(e)))
}

/// `GET /admin/rounds/{id}/stats/{chart}`: `correct.svg` or `units.svg`.
pub async fn chart(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, String)>,
) -> AppResult<HttpResponse> {
    let (id, name) = path.into_inner();
    let s = state.round_stats(&user, id).await?;
    let svg = chart_of(&s, &name)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .insert_header((header::CACHE_CONTROL, "private, max-age=30"))
        .body(svg))
}
