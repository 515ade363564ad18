//! A round's statistics and the organizer's exports of entrants and of
//! winners (CSV or Excel, personal data in full).

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::domain::numbers::one_decimal;
use crate::domain::time::format_vn;
use crate::engine::stats::{ExportRow, FlagView, StatsView};
use crate::error::AppResult;
use crate::routes::{ExportQuery, table_for_people};
use crate::state::AppState;

/// `GET /api/v1/rounds/{id}/stats`.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/stats", tag = "prizes", summary = "Thống kê vòng thi (ban tổ chức): người dự thi, lượt làm, phân bố số câu đúng, tham gia theo đơn vị", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Thống kê", body = StatsView), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn stats(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(state.round_stats(&user, *id).await?))
}

/// `GET /api/v1/rounds/{id}/flags`.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/flags", tag = "prizes", summary = "Người dự thi cần xem xét (ban tổ chức): làm bài quá nhanh, nhiều đăng ký từ một thiết bị, câu trả lời giống hệt nhau nộp cùng lúc; không tự động loại ai", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Theo thứ hạng", body = Vec<FlagView>), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn flags(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(state.round_flags(&user, *id).await?))
}

fn person_cells(r: &ExportRow) -> Vec<String> {
    let e = &r.row.entry;
    vec![
        r.row.person.full_name.clone(),
        if r.row.person.official { "Cán bộ".into() } else { "Người dân".into() },
        r.unit.clone().unwrap_or_default(),
        r.phone.clone().unwrap_or_default(),
        r.birth_year.map(|y| y.to_string()).unwrap_or_default(),
        e.score.to_string(),
        e.max_score.to_string(),
        e.correct.to_string(),
        one_decimal(e.duration_ms as f64 / 1000.0),
        e.prediction.map(|p| p.to_string()).unwrap_or_default(),
        format_vn(e.submitted_at),
    ]
}

const PERSON: [&str; 11] = [
    "Họ và tên",
    "Đối tượng",
    "Đơn vị",
    "Số điện thoại",
    "Năm sinh",
    "Điểm",
    "Điểm tối đa",
    "Số câu đúng",
    "Thời gian (giây)",
    "Dự đoán",
    "Nộp lúc",
];

/// `GET /api/v1/rounds/{id}/entrants?format=csv|xlsx`.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/entrants", tag = "prizes", summary = "Xuất danh sách người dự thi theo thứ hạng, đủ thông tin cá nhân (ban tổ chức)", params(("id" = i64, Path, description = "Mã vòng thi"), ("format" = Option<String>, Query, description = "csv (mặc định) hoặc xlsx")), responses((status = 200, description = "CSV hoặc Excel", content_type = "text/csv"), (status = 400, description = "Tham số không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 422, description = "Định dạng không hỗ trợ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn entrants(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    q: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let rows: Vec<Vec<String>> = state
        .export_rows(&user, *id)
        .await?
        .iter()
        .map(|r| std::iter::once(r.row.rank.to_string()).chain(person_cells(r)).collect())
        .collect();
    let header: Vec<&str> = std::iter::once("Xếp hạng").chain(PERSON).collect();
    table_for_people(q.format.as_deref(), &format!("nguoi-du-thi-vong-{id}"), "Người dự thi", &header, &rows)
}

/// `GET /api/v1/rounds/{id}/prizes/export?format=csv|xlsx`.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/prizes/export", tag = "prizes", summary = "Xuất danh sách đoạt giải (đề xuất hoặc đã công bố), đủ thông tin cá nhân để liên hệ trao giải (ban tổ chức)", params(("id" = i64, Path, description = "Mã vòng thi"), ("format" = Option<String>, Query, description = "csv (mặc định) hoặc xlsx")), responses((status = 200, description = "CSV hoặc Excel", content_type = "text/csv"), (status = 400, description = "Tham số không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 422, description = "Định dạng không hỗ trợ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn winners_export(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    q: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let (view, _) = state.prizes(&user, *id).await?;
    let people = state.export_rows(&user, *id).await?;
    let by_id: std::collections::HashMap<i64, &ExportRow> =
        people.iter().map(|r| (r.row.entry.participant_id, r)).collect();
    let rows: Vec<Vec<String>> = view
        .winners
        .iter()
        .filter_map(|w| {
            let r = by_id.get(&w.participant_id?)?;
            Some([w.tier.clone(), w.rank.to_string()].into_iter().chain(person_cells(r)).collect())
        })
        .collect();
    let header: Vec<&str> = ["Giải", "Xếp hạng"].into_iter().chain(PERSON).collect();
    table_for_people(q.format.as_deref(), &format!("doat-giai-vong-{id}"), "Đoạt giải", &header, &rows)
}
