//! A round's item analysis for its organizer: the table of the API, sorted
//! on the server (`?sort=`, flagged questions first by default), each flag
//! a button to the question's void / re-key form of the contest.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde_json::json;

use crate::auth::CurrentUser;
use crate::domain::bank::letter;
use crate::engine::item_stats::SortBy;
use crate::error::AppResult;
use crate::routes::{figure, share};
use crate::state::AppState;
use crate::templates::render;

/// `?sort=`.
#[derive(serde::Deserialize)]
pub struct SortQuery {
    /// One of [`SortBy::NAMES`].
    pub sort: Option<String>,
}

/// `GET /admin/rounds/{id}/items`.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    q: web::Query<SortQuery>,
) -> AppResult<HttpResponse> {
    let (round, contest) = state.owned_round(&user, *id).await?;
    let sort = SortBy::parse(q.sort.as_deref())?;
    let mut view = state.round_item_stats(&user, *id).await?;
    sort.sort(&mut view.questions);
    let options = view.questions.iter().map(|r| r.options.len()).max().unwrap_or(4);
    let min_drawn = state.settings.limits.item_min_drawn;
    let rows: Vec<_> = view
        .questions
        .iter()
        .map(|r| {
            json!({
                "bank": r.bank, "key": r.key, "version": r.version, "versioned": r.version > 1, "text": r.text, "drawn": r.drawn,
                "facility": r.facility.map(share).unwrap_or_default(),
                "discrimination": figure(r.discrimination), "upper_lower": figure(r.upper_lower),
                "options": (0..options).map(|i| {
                    json!({ "share": r.options.get(i).map(|&s| share(s)).unwrap_or_default(), "key": r.key_in_force.contains(&i) })
                }).collect::<Vec<_>>(),
                "blank": share(r.blank),
                "flags": r.flags.iter().map(|f| json!({ "name": f.as_str(), "label": f.label() })).collect::<Vec<_>>(),
                "flagged": !r.flags.is_empty(),
                "few": r.drawn < i64::from(min_drawn),
            })
        })
        .collect();
    let names = ["Câu hỏi", "Số lần ra", "Tỷ lệ đúng", "Độ phân biệt", "Nhóm trên–dưới", "Bỏ trống", "Cảnh báo"];
    let sorts = ["key", "drawn", "facility", "discrimination", "upper_lower", "blank", "flags"];
    let columns: Vec<_> = names
        .iter()
        .zip(sorts)
        .map(|(n, s)| json!({ "label": n, "sort": s, "current": SortBy::parse(Some(s)).ok() == Some(sort) }))
        .collect();
    let (first, rest) = columns.split_first().unwrap_or((&serde_json::Value::Null, &[]));
    let (last, middle) = rest.split_last().unwrap_or((&serde_json::Value::Null, &[]));
    let ctx = json!({
        "title": format!("Phân tích câu hỏi – {}", round.settings.title),
        "round": { "id": round.id, "title": round.settings.title },
        "contest": { "slug": contest.slug, "title": contest.title },
        "first": first, "middle": middle, "last": last,
        "letters": (0..options).map(|i| letter(i).to_string()).collect::<Vec<_>>(),
        "rows": rows,
        "min_drawn": min_drawn,
    });
    render(&state, &req, StatusCode::OK, "admin/items", ctx)
}
