//! Leaderboards and standings (public), results export and live figures (organizers).

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpResponse, web};

use crate::auth::CurrentUser;
use crate::auth::participant::MaybeEntrant;
use crate::engine::views::{BoardView, LiveView, StandingsView, UnitsView};
use crate::error::AppResult;
use crate::routes::BoardQuery;
use crate::state::AppState;

/// `GET /api/v1/rounds/{id}/leaderboard` (public).
#[utoipa::path(get, path = "/api/v1/rounds/{id}/leaderboard", tag = "boards", summary = "Bảng xếp hạng (công khai; tên được che trừ cán bộ khi ban tổ chức chọn hiện tên)", params(("id" = i64, Path, description = "Mã vòng thi"), ("unit" = Option<String>, Query, description = "Mã đơn vị (gồm cả đơn vị trực thuộc)"), ("limit" = Option<i64>, Query, description = "1–500, mặc định 50", minimum = 1, maximum = 500), ("offset" = Option<i64>, Query, description = "Bỏ qua", minimum = 0)), responses((status = 200, description = "Một trang bảng xếp hạng", body = BoardView), (status = 400, description = "Tham số không hợp lệ", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn leaderboard(
    state: web::Data<AppState>,
    who: MaybeEntrant,
    id: web::Path<i64>,
    q: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let (round, contest) = state.public_round(*id).await?;
    let me = who.0;
    let view = state
        .board(&round, &contest, q.unit.as_deref(), q.limit.unwrap_or(50), q.offset.unwrap_or(0), me.as_ref())
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// `GET /api/v1/rounds/{id}/units` (public): rolled up through the hierarchy.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/units", tag = "boards", summary = "Tham gia theo đơn vị (công khai, cộng dồn theo cấp)", params(("id" = i64, Path, description = "Mã vòng thi"), ("sort" = Option<String>, Query, description = "rate | participants | avg_score | full_marks | code")), responses((status = 200, description = "Các đơn vị", body = UnitsView), (status = 400, description = "Tham số không hợp lệ", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 422, description = "Cách sắp xếp không có", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn units(
    state: web::Data<AppState>,
    id: web::Path<i64>,
    q: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let (round, _) = state.public_round(*id).await?;
    Ok(HttpResponse::Ok().json(state.units_board(&round, q.sort.as_deref()).await?))
}

/// `GET /api/v1/contests/{slug}/standings` (public).
#[utoipa::path(get, path = "/api/v1/contests/{slug}/standings", tag = "boards", summary = "Xếp hạng chung qua các vòng (công khai): tổng điểm, rồi dự đoán (thiếu dự đoán xếp sau), rồi tổng thời gian, rồi lần nộp cuối sớm hơn", params(("slug" = String, Path, description = "Mã cuộc thi"), ("limit" = Option<i64>, Query, description = "1–500, mặc định 100", minimum = 1, maximum = 500), ("offset" = Option<i64>, Query, description = "Bỏ qua", minimum = 0)), responses((status = 200, description = "Một trang xếp hạng chung", body = StandingsView), (status = 400, description = "Tham số không hợp lệ", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn standings(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    q: web::Query<BoardQuery>,
) -> AppResult<HttpResponse> {
    let contest = state.contest(&slug).await?;
    Ok(HttpResponse::Ok().json(state.standings(&contest, q.limit.unwrap_or(100), q.offset.unwrap_or(0)).await?))
}

/// `GET /api/v1/rounds/{id}/results.csv[?format=xlsx]` (the contest's owner or an admin).
#[utoipa::path(get, path = "/api/v1/rounds/{id}/results.csv", tag = "boards", summary = "Xuất kết quả CSV hoặc Excel (?format=xlsx) (ban tổ chức)", params(("id" = i64, Path, description = "Mã vòng thi"), ("format" = Option<String>, Query, description = "csv (mặc định) hoặc xlsx")), responses((status = 200, description = "Xếp hạng, tên đăng nhập, họ tên, đơn vị, đơn vị đầy đủ, điểm, điểm tối đa, số câu đúng, thời gian, dự đoán", content_type = "text/csv"), (status = 400, description = "Tham số không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 422, description = "Định dạng không hỗ trợ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn results_csv(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<i64>,
    q: web::Query<crate::routes::ExportQuery>,
) -> AppResult<HttpResponse> {
    let (round, contest) = state.owned_round(&user, *id).await?;
    let rows: Vec<Vec<String>> = state
        .results_export(&round)
        .await?
        .into_iter()
        .map(|l| {
            let e = &l.row.entry;
            vec![
                l.row.rank.to_string(),
                l.username.unwrap_or_default(),
                l.row.person.full_name,
                l.unit.unwrap_or_default(),
                l.unit_path.unwrap_or_default(),
                e.score.to_string(),
                e.max_score.to_string(),
                e.correct.to_string(),
                crate::domain::numbers::one_decimal(e.duration_ms as f64 / 1000.0),
                e.prediction.map(|p| p.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let header = [
        "Xếp hạng",
        "Tên đăng nhập",
        "Họ và tên",
        "Đơn vị",
        "Đơn vị (đầy đủ)",
        "Điểm",
        "Điểm tối đa",
        "Số câu đúng",
        "Thời gian (giây)",
        "Dự đoán",
    ];
    let base = format!("ket-qua-{}-vong-{}", contest.slug, round.number);
    crate::routes::table_for_people(q.format.as_deref(), &base, "Kết quả", &header, &rows)
}

/// `GET /api/v1/rounds/{id}/live` (owner or admin): attempts and participation now.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/live", tag = "boards", summary = "Theo dõi trực tiếp (ban tổ chức)", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Số liệu lúc này", body = LiveView), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn live(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (round, _) = state.owned_round(&user, *id).await?;
    Ok(HttpResponse::Ok().json(state.live(&round).await?))
}
