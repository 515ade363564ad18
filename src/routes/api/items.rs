//! Item analysis: per question, times drawn, facility, discrimination, the
//! upper–lower index, option and blank shares and flags, for a round, a
//! contest or a bank; and the round's table as CSV or Excel.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::domain::bank::letter;
use crate::engine::item_stats::{ItemRow, ItemStatsView};
use crate::error::AppResult;
use crate::routes::{ExportQuery, figure, share, table_for_people};
use crate::state::AppState;

/// `GET /api/v1/rounds/{id}/item-stats`.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/item-stats", tag = "questions", summary = "Phân tích câu hỏi của vòng thi (ban tổ chức): số lần ra, tỷ lệ đúng, độ phân biệt, chỉ số nhóm trên–dưới 27%, tỷ lệ chọn từng phương án theo thứ tự trong ngân hàng, bỏ trống, cảnh báo; câu có cảnh báo lên trước", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Theo câu hỏi", body = ItemStatsView), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn round(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(state.round_item_stats(&user, *id).await?))
}

/// `GET /api/v1/contests/{slug}/item-stats`.
#[utoipa::path(get, path = "/api/v1/contests/{slug}/item-stats", tag = "questions", summary = "Phân tích câu hỏi qua mọi vòng của cuộc thi (ban tổ chức)", params(("slug" = String, Path, description = "Mã cuộc thi")), responses((status = 200, description = "Theo câu hỏi", body = ItemStatsView), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn contest(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(state.contest_item_stats(&user, &slug).await?))
}

/// `GET /api/v1/banks/{bank}/item-stats`.
#[utoipa::path(get, path = "/api/v1/banks/{bank}/item-stats", tag = "questions", summary = "Phân tích câu hỏi của ngân hàng qua mọi vòng thi đã dùng nó (người nhập ngân hàng hoặc quản trị viên); cảnh báo so với đáp án của ngân hàng", params(("bank" = String, Path, description = "Mã ngân hàng")), responses((status = 200, description = "Theo câu hỏi", body = ItemStatsView), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn bank(state: web::Data<AppState>, user: CurrentUser, bank: web::Path<String>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(state.bank_item_stats(&user, &bank).await?))
}

/// The columns of the export.
pub fn export_header(options: usize) -> Vec<String> {
    let mut h: Vec<String> = [
        "Ngân hàng",
        "Mã câu hỏi",
        "Phiên bản",
        "Câu hỏi",
        "Đáp án đang dùng",
        "Số lần ra",
        "Tỷ lệ đúng",
        "Độ phân biệt (point-biserial)",
        "Chỉ số nhóm trên–dưới 27%",
    ]
    .map(String::from)
    .into();
    h.extend((0..options).map(|i| format!("Chọn {}", letter(i))));
    h.push("Bỏ trống".into());
    h.push("Cảnh báo".into());
    h
}

/// One row of the export.
pub fn export_row(r: &ItemRow, options: usize) -> Vec<String> {
    let key: Vec<String> = r.key_in_force.iter().map(|&i| letter(i).to_string()).collect();
    let mut row = vec![
        r.bank.clone(),
        r.key.clone(),
        r.version.to_string(),
        r.text.clone(),
        key.join(", "),
        r.drawn.to_string(),
        r.facility.map(share).unwrap_or_default(),
        figure(r.discrimination),
        figure(r.upper_lower),
    ];
    row.extend((0..options).map(|i| r.options.get(i).map(|&s| share(s)).unwrap_or_default()));
    row.push(share(r.blank));
    row.push(r.flags.iter().map(|f| f.label()).collect::<Vec<_>>().join("; "));
    row
}

/// `GET /api/v1/rounds/{id}/item-stats/export?format=csv|xlsx`.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/item-stats/export", tag = "questions", summary = "Xuất bảng phân tích câu hỏi của vòng thi (ban tổ chức)", params(("id" = i64, Path, description = "Mã vòng thi"), ("format" = Option<String>, Query, description = "csv (mặc định) hoặc xlsx")), responses((status = 200, description = "CSV hoặc Excel", content_type = "text/csv"), (status = 400, description = "Tham số không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 422, description = "Định dạng không hỗ trợ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn round_export(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    q: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let view = state.round_item_stats(&user, *id).await?;
    export(q.format.as_deref(), &format!("phan-tich-cau-hoi-vong-{id}"), &view)
}

/// The table of `view` as a CSV or Excel file named `{base}.csv|xlsx`.
pub fn export(format: Option<&str>, base: &str, view: &ItemStatsView) -> AppResult<HttpResponse> {
    let options = view.questions.iter().map(|r| r.options.len()).max().unwrap_or(4);
    let header = export_header(options);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = view.questions.iter().map(|r| export_row(r, options)).collect();
    table_for_people(format, base, "Phân tích câu hỏi", &header, &rows)
}
