//! Unit managers (cán bộ đầu mối): their unit and the units under it —
//! participation, scores, and the staff who have not yet taken a round.
//! Nothing outside their subtree.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::db::boards::{board_page, not_yet_taken, unit_rows};
use crate::db::contests::{Round, list_published_rounds};
use crate::db::now;
use crate::db::units::{Unit, list_units, subtree_ids};
use crate::domain::people::Role;
use crate::domain::time::format_vn;
use crate::error::{AppError, AppResult};
use crate::routes::api::boards::public_round;
use crate::state::AppState;
use crate::templates::page;

/// The manager's unit and the ids under it.
async fn scope(state: &AppState, user: &CurrentUser) -> AppResult<(Unit, Vec<i64>)> {
    user.require(&[Role::UnitManager])?;
    let unit_id = user.unit_id.ok_or(AppError::Forbidden)?;
    let all = state.read(list_units).await?;
    let unit = all.iter().find(|u| u.id == unit_id).cloned().ok_or(AppError::Forbidden)?;
    Ok((unit, subtree_ids(&all, unit_id)))
}

/// `GET /unit`: every round, with the unit's participation.
pub async fn overview(state: web::Data<AppState>, req: HttpRequest, user: CurrentUser) -> AppResult<HttpResponse> {
    let (unit, _) = scope(&state, &user).await?;
    let rounds = state.read(list_published_rounds).await?;
    let t = now();
    let mut out = Vec::new();
    for (r, c) in rounds.iter().filter(|(r, c)| !r.practice && c.audience != "public") {
        let rid = r.id;
        let rows = state.read(move |conn| unit_rows(conn, rid)).await?;
        let mine = rows.into_iter().find(|x| x.code == unit.code);
        out.push(json!({
            "id": r.id, "title": r.title, "contest": c.title, "phase": r.phase(t), "closes": format_vn(r.closes_at),
            "participants": mine.as_ref().map(|m| m.participants).unwrap_or(0),
            "staff": mine.as_ref().map(|m| m.staff_count).unwrap_or(0),
            "rate": mine.as_ref().map(|m| format!("{:.1}%", m.rate * 100.0)).unwrap_or_default(),
        }));
    }
    page(
        &state,
        &req,
        "unit/overview",
        json!({ "title": unit.name, "unit": { "code": unit.code, "name": unit.name }, "rounds": out }),
    )
}

async fn round_for_manager(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<(Unit, Vec<i64>, Round)> {
    let (unit, ids) = scope(state, user).await?;
    let (round, _) = public_round(state, id).await?;
    Ok((unit, ids, round))
}

/// `GET /unit/rounds/{id}`: the subtree's units, participants and missing staff.
pub async fn round(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (unit, ids, round) = round_for_manager(&state, &user, *id).await?;
    let rid = round.id;
    let ids2 = ids.clone();
    let (rows, (_, board), missing) = state
        .read(move |c| {
            Ok((unit_rows(c, rid)?, board_page(c, rid, Some(&ids2), 500, 0)?, not_yet_taken(c, rid, &ids2)?))
        })
        .await?;
    let all = state.read(list_units).await?;
    let in_scope = |code: &str| all.iter().find(|u| u.code == code).is_some_and(|u| ids.contains(&u.id));
    let units: Vec<Value> = rows
        .iter()
        .filter(|r| in_scope(&r.code))
        .map(|r| {
            json!({ "code": r.code, "name": r.name, "participants": r.participants, "staff_count": r.staff_count,
                    "rate": format!("{:.1}%", r.rate * 100.0), "avg_score": format!("{:.2}", r.avg_score), "full_marks": r.full_marks })
        })
        .collect();
    let unit_name =
        |id: Option<i64>| id.and_then(|i| all.iter().find(|u| u.id == i)).map(|u| u.name.clone()).unwrap_or_default();
    let people: Vec<Value> = board
        .iter()
        .map(|b| json!({ "rank": b.rank, "name": b.name, "unit": unit_name(b.entry.unit_id), "score": b.entry.score, "seconds": format!("{:.1}", b.entry.duration_ms as f64 / 1000.0) }))
        .collect();
    let missing: Vec<Value> = missing.iter().map(|m| json!({ "username": m.0, "name": m.1, "unit": m.3 })).collect();
    page(
        &state,
        &req,
        "unit/round",
        json!({
            "title": round.title, "unit": { "code": unit.code, "name": unit.name },
            "round": { "id": round.id, "title": round.title, "provisional": !round.is_closed(now()) },
            "units": units, "people": people, "missing": missing,
        }),
    )
}

/// `?format=csv|xlsx`.
#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

/// `GET /unit/rounds/{id}/missing`: the staff who have not taken the round, as CSV or XLSX.
pub async fn missing_export(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    q: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let (unit, ids, round) = round_for_manager(&state, &user, *id).await?;
    let rid = round.id;
    let missing = state.read(move |c| not_yet_taken(c, rid, &ids)).await?;
    let header_row = ["Tên đăng nhập", "Họ và tên", "Mã đơn vị", "Đơn vị"];
    let base = format!("chua-thi-{}-vong-{}", unit.code.to_lowercase(), round.number);
    match q.format.as_deref().unwrap_or("csv") {
        "xlsx" => {
            let bytes = xlsx(&header_row, &missing).map_err(|e| AppError::Unexpected(anyhow::anyhow!("xlsx: {e}")))?;
            Ok(HttpResponse::Ok()
                .insert_header((
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ))
                .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{base}.xlsx\"")))
                .body(bytes))
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
            let to_err = |e: csv::Error| AppError::Unexpected(e.into());
            w.write_record(header_row).map_err(to_err)?;
            for m in &missing {
                w.write_record([&m.0, &m.1, &m.2, &m.3]).map_err(to_err)?;
            }
            let body = w.into_inner().map_err(|e| AppError::Unexpected(anyhow::anyhow!("{e}")))?;
            Ok(HttpResponse::Ok()
                .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
                .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{base}.csv\"")))
                .body(body))
        }
        other => Err(AppError::Invalid(format!("Định dạng \"{other}\" không hỗ trợ: dùng csv hoặc xlsx."))),
    }
}

fn xlsx(
    header_row: &[&str; 4],
    rows: &[(String, String, String, String)],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Chưa thi")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in header_row.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, m) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, &m.0)?;
        sheet.write_string(r, 1, &m.1)?;
        sheet.write_string(r, 2, &m.2)?;
        sheet.write_string(r, 3, &m.3)?;
    }
    sheet.set_column_width(1, 30)?;
    sheet.set_column_width(3, 30)?;
    book.save_to_buffer()
}
