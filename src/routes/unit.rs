//! Unit managers (cán bộ đầu mối): their unit and the units under it —
//! participation, scores, and the staff who have not yet taken a round.
//! Nothing outside their subtree.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{ExportQuery, table_for_people};
use crate::auth::session::UnitManager;
use crate::db::boards::MissingStaff;
use crate::db::rounds::list_published_rounds;
use crate::domain::numbers::thousands;
use crate::domain::time::format_vn;
use crate::error::AppResult;
use crate::state::AppState;
use crate::templates::page;

/// `GET /unit`: every officials' round, with the unit's participation.
pub async fn overview(
    state: web::Data<AppState>,
    req: HttpRequest,
    UnitManager(user): UnitManager,
) -> AppResult<HttpResponse> {
    let (unit, _) = state.managed_units(&user).await?;
    let rounds = state.read(list_published_rounds).await?;
    let t = state.now();
    let mut out = Vec::new();
    for r in rounds.iter().filter(|r| !r.settings.practice) {
        let contest = state.round_and_contest(r.id).await?.1;
        if !contest.audience.admits_officials() {
            continue;
        }
        let rows = state.unit_rows(r).await?;
        let mine = rows.into_iter().find(|x| x.code == unit.code);
        out.push(json!({
            "id": r.id, "title": r.settings.title, "contest": contest.title, "phase": r.phase(t).label(),
            "closes": format_vn(r.settings.closes_at),
            "participants": mine.as_ref().map(|m| m.participants).unwrap_or(0),
            "staff": mine.as_ref().map(|m| m.staff_count).unwrap_or(0),
            "rate": mine.as_ref().map(|m| format!("{}%", crate::domain::numbers::percent(m.rate))).unwrap_or_default(),
        }));
    }
    page(
        &state,
        &req,
        "unit/overview",
        json!({ "title": unit.name, "unit": { "code": unit.code, "name": unit.name }, "rounds": out }),
    )
}

/// `GET /unit/rounds/{id}`: the subtree's units, participants and missing staff.
pub async fn round(
    state: web::Data<AppState>,
    req: HttpRequest,
    UnitManager(user): UnitManager,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (unit, ids) = state.managed_units(&user).await?;
    let (round, _) = state.public_round(*id).await?;
    let rows = state.unit_rows(&round).await?;
    let all = state.read(crate::db::units::list_units).await?;
    let in_scope = |code: &str| all.iter().find(|u| u.code == code).is_some_and(|u| ids.contains(&u.id));
    let units: Vec<Value> = rows
        .iter()
        .filter(|r| in_scope(&r.code))
        .map(|r| {
            json!({ "code": r.code, "name": r.name, "participants": r.participants, "staff_count": r.staff_count,
                    "rate": format!("{}%", crate::domain::numbers::percent(r.rate)), "avg_score": crate::domain::numbers::decimal(r.avg_score, 2), "full_marks": r.full_marks })
        })
        .collect();
    let unit_name =
        |id: Option<i64>| id.and_then(|i| all.iter().find(|u| u.id == i)).map(|u| u.name.clone()).unwrap_or_default();
    let board = state.board_of_units(&round, ids.clone()).await?;
    let people: Vec<Value> = board
        .iter()
        .map(|b| json!({ "rank": b.rank, "name": b.person.full_name, "unit": unit_name(b.entry.unit_id), "score": b.entry.score, "max_score": b.entry.max_score, "time": crate::domain::numbers::duration(b.entry.duration_ms) }))
        .collect();
    let staff = rows.iter().find(|r| r.code == unit.code).map_or(0, |r| r.staff_count);
    let (missing, accounts) = state.not_yet_taken(&round, ids).await?;
    page(
        &state,
        &req,
        "unit/round",
        json!({
            "title": round.settings.title, "unit": { "code": unit.code, "name": unit.name },
            "round": { "id": round.id, "title": round.settings.title, "provisional": round.finalized_at.is_none() },
            "units": units, "people": people, "missing": missing_rows(&missing),
            "coverage": coverage(accounts, staff),
        }),
    )
}

/// The missing staff as the page and the printed list show them.
fn missing_rows(missing: &[MissingStaff]) -> Vec<Value> {
    missing
        .iter()
        .enumerate()
        .map(|(i, m)| {
            json!({ "n": i + 1, "username": m.username, "name": m.full_name, "unit": m.unit_name,
                    "email": m.email.as_deref().unwrap_or(""), "phone": m.phone.as_deref().unwrap_or("") })
        })
        .collect()
}

/// What the list of staff who have not taken a round covers, said plainly:
/// only people with accounts, beside the headcount the units file gives.
fn coverage(accounts: usize, staff: i64) -> String {
    let (a, s) = (thousands(accounts as i64), thousands(staff));
    let mut text = format!("Danh sách chỉ gồm những người đã có tài khoản: {a} tài khoản trên {s} biên chế.");
    if (accounts as i64) < staff {
        let gap = thousands(staff - accounts as i64);
        text.push_str(&format!(
            " {gap} người chưa có tài khoản không có trong danh sách; hãy đề nghị quản trị viên tạo tài khoản cho họ."
        ));
    }
    text
}

/// `GET /unit/rounds/{id}/missing`: the staff who have not taken the round,
/// as CSV, XLSX or (`format=print`) a page to print.
pub async fn missing_export(
    state: web::Data<AppState>,
    req: HttpRequest,
    UnitManager(user): UnitManager,
    id: web::Path<i64>,
    q: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let (unit, ids) = state.managed_units(&user).await?;
    let (round, _) = state.public_round(*id).await?;
    let (missing, accounts) = state.not_yet_taken(&round, ids).await?;
    if q.format.as_deref() == Some("print") {
        let rows = state.unit_rows(&round).await?;
        let staff = rows.iter().find(|r| r.code == unit.code).map_or(0, |r| r.staff_count);
        let ctx = json!({
            "title": format!("Cán bộ chưa thi – {}", round.settings.title),
            "unit": { "code": unit.code, "name": unit.name },
            "round": { "id": round.id, "title": round.settings.title },
            "printed": format_vn(state.now()), "missing": missing_rows(&missing), "coverage": coverage(accounts, staff),
        });
        return page(&state, &req, "unit/missing_print", ctx);
    }
    let header_row = ["Tên đăng nhập", "Họ và tên", "Mã đơn vị", "Đơn vị", "Email", "Số điện thoại"];
    let base = format!("chua-thi-{}-vong-{}", unit.code.to_lowercase(), round.number);
    let rows: Vec<Vec<String>> = missing
        .into_iter()
        .map(|m| {
            vec![
                m.username,
                m.full_name,
                m.unit_code,
                m.unit_name,
                m.email.unwrap_or_default(),
                m.phone.unwrap_or_default(),
            ]
        })
        .collect();
    table_for_people(q.format.as_deref(), &base, "Chưa thi", &header_row, &rows)
}
