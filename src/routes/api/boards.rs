//! Leaderboards (public), results export and live figures (organizers).

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpResponse, http::header, web};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::auth::session::MaybeUser;
use crate::db::boards::{all_entries, board_page, position, standings, unit_rows};
use crate::db::contests::{Contest, Round, find_contest, find_contest_by_id, find_round};
use crate::db::now;
use crate::db::units::{find_unit_by_code, list_units, subtree_ids};
use crate::domain::people::mask_name;
use crate::error::{AppError, AppResult};
use crate::routes::api::contests::owned_round;
use crate::state::AppState;

/// `?unit=&limit=&offset=`.
#[derive(Deserialize)]
pub struct BoardQuery {
    /// Only this unit and the units under it.
    pub unit: Option<String>,
    /// Rows per page (1–500, default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
    /// Unit board order: rate, participants, avg_score, full_marks, code.
    pub sort: Option<String>,
}

/// A published round and its contest (public).
pub async fn public_round(state: &AppState, id: i64) -> AppResult<(Round, Contest)> {
    let found = state
        .read(move |c| {
            let r = find_round(c, id)?;
            let contest = find_contest_by_id(c, r.contest_id)?;
            Ok((r, contest))
        })
        .await;
    match found {
        Ok((r, c)) if r.status == "published" && !r.practice => Ok((r, c)),
        Ok(_) | Err(AppError::NotFound(_)) => {
            Err(AppError::NotFound("Không có bảng xếp hạng của vòng thi này.".into()))
        }
        Err(e) => Err(e),
    }
}

/// The units a `unit=` filter covers (the unit and all under it).
pub async fn unit_filter(state: &AppState, code: Option<String>) -> AppResult<Option<Vec<i64>>> {
    let Some(code) = code.filter(|c| !c.trim().is_empty()) else { return Ok(None) };
    let lookup = code.clone();
    let (unit, all) = state.read(move |c| Ok((find_unit_by_code(c, &lookup)?, list_units(c)?))).await?;
    let unit = unit.ok_or_else(|| AppError::NotFound(format!("Không có đơn vị mã \"{code}\".")))?;
    Ok(Some(subtree_ids(&all, unit.id)))
}

/// The name shown on a public board.
pub fn shown_name(contest: &Contest, name: &str) -> String {
    if contest.show_names { name.to_string() } else { mask_name(name) }
}

/// The board as JSON (shared by the API and the page).
pub async fn board_json(
    state: &AppState,
    round: &Round,
    contest: &Contest,
    q: BoardQuery,
    me: Option<&CurrentUser>,
) -> AppResult<Value> {
    let units = unit_filter(state, q.unit.clone()).await?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let offset = q.offset.unwrap_or(0).max(0);
    let rid = round.id;
    let filter = units.clone();
    let (total, rows, all_units) = state
        .read(move |c| {
            let (t, r) = board_page(c, rid, filter.as_deref(), limit, offset)?;
            Ok((t, r, list_units(c)?))
        })
        .await?;
    let unit_name = |id: Option<i64>| id.and_then(|i| all_units.iter().find(|u| u.id == i)).map(|u| u.name.clone());
    let entries: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "rank": r.rank, "name": shown_name(contest, &r.name), "unit": unit_name(r.entry.unit_id),
                "score": r.entry.score, "correct": r.entry.correct, "duration_ms": r.entry.duration_ms,
            })
        })
        .collect();
    let mut out = json!({ "total": total, "provisional": !round.is_closed(now()), "entries": entries });
    if let Some(user) = me {
        let (cid, uid) = (contest.id, user.id);
        let participant = state
            .read(move |c| {
                use crate::db::schema::participants;
                use diesel::prelude::*;
                participants::table
                    .filter(participants::contest_id.eq(cid))
                    .filter(participants::user_id.eq(uid))
                    .select(participants::id)
                    .first::<i64>(c)
                    .optional()
            })
            .await?;
        if let Some(pid) = participant {
            let filter = units.clone();
            if let Some((e, rank)) = state.read(move |c| position(c, rid, pid, filter.as_deref())).await? {
                out["me"] = json!({ "rank": rank, "score": e.score, "duration_ms": e.duration_ms });
            }
        }
    }
    Ok(out)
}

/// `GET /api/v1/rounds/{id}/leaderboard` (public).
#[utoipa::path(get, path = "/api/v1/rounds/{id}/leaderboard", tag = "boards", summary = "Bảng xếp hạng (công khai)", params(("id" = i64, Path, description = "Mã vòng thi"), ("unit" = Option<String>, Query, description = "Mã đơn vị (gồm cả đơn vị trực thuộc)"), ("limit" = Option<i64>, Query, description = "1–500, mặc định 50"), ("offset" = Option<i64>, Query, description = "Bỏ qua")), responses((status = 200, description = "{total, provisional, entries: [{rank, name, unit, score, duration_ms}], me?}"), (status = 404, description = "Không tìm thấy", body = ErrorBody)))]
pub async fn leaderboard(
    state: web::Data<AppState>,
    user: MaybeUser,
    id: web::Path<i64>,
    q: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let (round, contest) = public_round(&state, *id).await?;
    Ok(HttpResponse::Ok().json(board_json(&state, &round, &contest, q.into_inner(), user.0.as_ref()).await?))
}

/// The unit board rows as JSON, sorted (shared by the API and the page).
pub async fn units_json(state: &AppState, round: &Round, sort: Option<&str>) -> AppResult<Value> {
    let rid = round.id;
    let mut rows = state.read(move |c| unit_rows(c, rid)).await?;
    match sort.unwrap_or("rate") {
        "participants" => rows.sort_by_key(|u| std::cmp::Reverse(u.participants)),
        "avg_score" => rows.sort_by(|a, b| b.avg_score.total_cmp(&a.avg_score)),
        "full_marks" => rows.sort_by_key(|u| std::cmp::Reverse(u.full_marks)),
        "code" => rows.sort_by(|a, b| a.code.cmp(&b.code)),
        _ => rows.sort_by(|a, b| b.rate.total_cmp(&a.rate).then(b.participants.cmp(&a.participants))),
    }
    let units: Vec<Value> = rows
        .iter()
        .map(|u| {
            json!({
                "code": u.code, "name": u.name, "kind": u.kind, "parent_code": u.parent_code,
                "participants": u.participants, "staff_count": u.staff_count,
                "rate": (u.rate * 10000.0).round() / 10000.0, "avg_score": (u.avg_score * 100.0).round() / 100.0,
                "full_marks": u.full_marks,
            })
        })
        .collect();
    Ok(json!({ "provisional": !round.is_closed(now()), "units": units }))
}

/// `GET /api/v1/rounds/{id}/units` (public): rolled up through the hierarchy.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/units", tag = "boards", summary = "Tham gia theo đơn vị (công khai, cộng dồn theo cấp)", params(("id" = i64, Path, description = "Mã vòng thi"), ("sort" = Option<String>, Query, description = "rate | participants | avg_score | full_marks | code")), responses((status = 200, description = "{provisional, units: [{code, name, participants, staff_count, rate, avg_score, full_marks}]}"), (status = 404, description = "Không tìm thấy", body = ErrorBody)))]
pub async fn units(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    q: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let (round, _) = public_round(&state, *id).await?;
    Ok(HttpResponse::Ok().json(units_json(&state, &round, q.sort.as_deref()).await?))
}

/// `GET /api/v1/contests/{slug}/standings` (public): sum of best per round.
#[utoipa::path(get, path = "/api/v1/contests/{slug}/standings", tag = "boards", summary = "Tổng điểm qua các vòng (công khai)", params(("slug" = String, Path, description = "Mã cuộc thi")), responses((status = 200, description = "{contest, entries: [{rank, name, unit, score, duration_ms, rounds}]}"), (status = 404, description = "Không tìm thấy", body = ErrorBody)))]
pub async fn contest_standings(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    q: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let slug = slug.into_inner();
    let contest = state
        .read(move |c| find_contest(c, &slug))
        .await?
        .ok_or_else(|| AppError::NotFound("Không có cuộc thi này.".into()))?;
    let (cid, limit) = (contest.id, q.limit.unwrap_or(100).clamp(1, 1000));
    let (rows, all_units) = state.read(move |c| Ok((standings(c, cid, limit)?, list_units(c)?))).await?;
    let entries: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({
                "rank": i + 1, "name": shown_name(&contest, &s.name),
                "unit": s.unit_id.and_then(|u| all_units.iter().find(|x| x.id == u)).map(|u| u.name.clone()),
                "score": s.score, "duration_ms": s.duration_ms, "rounds": s.rounds,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "contest": contest.slug, "entries": entries })))
}

/// The results as CSV rows (person, unit, score, correct, duration, prediction, rank).
pub async fn results_rows(state: &AppState, round_id: i64) -> AppResult<Vec<[String; 7]>> {
    let rows = state.read(move |c| all_entries(c, round_id)).await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut prev: Option<(crate::domain::ranking::RankKey, usize)> = None;
    for (i, (e, name, unit)) in rows.iter().enumerate() {
        let rank = match prev {
            Some((k, r)) if k == e.key() => r,
            _ => i + 1,
        };
        prev = Some((e.key(), rank));
        out.push([
            name.clone(),
            unit.clone().unwrap_or_default(),
            e.score.to_string(),
            e.correct.to_string(),
            format!("{:.1}", e.duration_ms as f64 / 1000.0),
            e.prediction.map(|p| p.to_string()).unwrap_or_default(),
            rank.to_string(),
        ]);
    }
    Ok(out)
}

/// `GET /api/v1/rounds/{id}/results.csv` (the contest's owner or an admin).
#[utoipa::path(get, path = "/api/v1/rounds/{id}/results.csv", tag = "boards", summary = "Xuất kết quả CSV (ban tổ chức)", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "CSV: họ tên, đơn vị, điểm, số câu đúng, thời gian, dự đoán, xếp hạng", content_type = "text/csv"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody)))]
pub async fn results_csv(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (round, contest) = owned_round(&state, &user, *id).await?;
    let rows = results_rows(&state, round.id).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = ["Họ và tên", "Đơn vị", "Điểm", "Số câu đúng", "Thời gian (giây)", "Dự đoán", "Xếp hạng"];
    let to_err = |e: csv::Error| AppError::Unexpected(e.into());
    w.write_record(header).map_err(to_err)?;
    for r in &rows {
        w.write_record(r).map_err(to_err)?;
    }
    let mut body = vec![0xEF, 0xBB, 0xBF]; // BOM: Excel opens UTF-8 Vietnamese correctly.
    body.extend(w.into_inner().map_err(|e| AppError::Unexpected(anyhow::anyhow!("{e}")))?);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"ket-qua-{}-vong-{}.csv\"", contest.slug, round.number),
        ))
        .body(body))
}

/// `GET /api/v1/rounds/{id}/live` (owner or admin): attempts and participation now.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/live", tag = "boards", summary = "Theo dõi trực tiếp (ban tổ chức)", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "{started, in_progress, submitted, units}"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody)))]
pub async fn live(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (round, _) = owned_round(&state, &user, *id).await?;
    Ok(HttpResponse::Ok().json(live_json(&state, &round).await?))
}

/// Live figures of a round.
pub async fn live_json(state: &AppState, round: &Round) -> AppResult<Value> {
    let rid = round.id;
    let (started, in_progress) = state
        .read(move |c| {
            use crate::db::schema::attempts;
            use diesel::prelude::*;
            let started: i64 = attempts::table.filter(attempts::round_id.eq(rid)).count().get_result(c)?;
            let open: i64 = attempts::table
                .filter(attempts::round_id.eq(rid))
                .filter(attempts::state.eq("in_progress"))
                .count()
                .get_result(c)?;
            Ok((started, open))
        })
        .await?;
    let units = units_json(state, round, Some("rate")).await?;
    Ok(json!({
        "round_id": round.id, "phase": round.phase(now()),
        "started": started, "in_progress": in_progress, "submitted": started - in_progress,
        "units": units["units"],
    }))
}
