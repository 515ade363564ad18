//! Prizes: the organizer's proposal, exclusions and publication, the
//! public list, and a contest's collective prizes.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::json_body;
use crate::auth::CurrentUser;
use crate::domain::prizes::{CollectiveRule, Exclusion, Tier};
use crate::engine::prizes::{CollectiveView, PrizesView};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// What to set; a field left out keeps what was saved.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrizesBody {
    /// Tiers, best first (12 at most): `{name, count, audience?: all|officials|residents}`.
    #[schema(max_items = 12)]
    tiers: Option<Vec<Tier>>,
    /// Entrants left out, each with a reason (kept in the audit log).
    #[schema(max_items = 500)]
    exclusions: Option<Vec<Exclusion>>,
    /// `{min_rate, count, kinds?}` for the units' prizes.
    collective: Option<CollectiveRule>,
    /// true: publish the list (only once the round's ranking is final); false: save without publishing (a published list is withdrawn).
    #[serde(default)]
    publish: bool,
}

/// `GET /api/v1/rounds/{id}/prizes` (the contest's owner or an admin).
#[utoipa::path(get, path = "/api/v1/rounds/{id}/prizes", tag = "prizes", summary = "Giải của vòng thi: đề xuất theo xếp hạng cuối cùng, hoặc danh sách đã công bố (ban tổ chức, họ tên đầy đủ)", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Đề xuất hoặc danh sách đã công bố", body = PrizesView), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn get(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(state.prizes(&user, *id).await?.0))
}

/// `POST /api/v1/rounds/{id}/prizes`.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/prizes", tag = "prizes", summary = "Đặt cơ cấu giải, loại người dự thi kèm lý do, công bố", request_body = PrizesBody, params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Giải sau khi lưu", body = PrizesView), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Kết quả còn tạm thời, hoặc vòng luyện tập", body = ErrorBody), (status = 413, description = "Quá lớn", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn set(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let (_, mut plan) = state.prizes(&user, *id).await?;
    let b: PrizesBody = json_body(&req, payload).await?;
    if let Some(t) = b.tiers {
        plan.tiers = t;
    }
    if let Some(e) = b.exclusions {
        plan.exclusions = e;
    }
    if let Some(c) = b.collective {
        plan.collective = c;
    }
    Ok(HttpResponse::Ok().json(state.set_prizes(&user, *id, plan, b.publish).await?))
}

/// `GET /api/v1/rounds/{id}/winners` (public, once published).
#[utoipa::path(get, path = "/api/v1/rounds/{id}/winners", tag = "prizes", summary = "Danh sách đoạt giải đã công bố (công khai; tên người dân được che)", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Danh sách đã công bố", body = PrizesView), (status = 404, description = "Chưa công bố hoặc không có vòng thi", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn winners(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(state.published_prizes(*id).await?.0))
}

/// `?min_rate=&count=&kinds=`.
#[derive(Deserialize)]
pub struct CollectiveQuery {
    min_rate: Option<f64>,
    count: Option<u32>,
    kinds: Option<String>,
}

impl CollectiveQuery {
    /// The rule asked for, over the defaults.
    pub fn rule(&self) -> AppResult<CollectiveRule> {
        let d = CollectiveRule::default();
        let min_rate = self.min_rate.unwrap_or(d.min_rate);
        if !min_rate.is_finite() {
            return Err(AppError::Invalid("Tỷ lệ tham gia tối thiểu phải từ 0 đến 1.".into()));
        }
        let kinds = self.kinds.as_deref().unwrap_or("").split(',').map(|k| k.trim().to_string()).collect();
        Ok(CollectiveRule { min_rate, count: self.count.unwrap_or(d.count), kinds })
    }
}

/// `GET /api/v1/contests/{slug}/unit-prizes` (the contest's owner or an admin).
#[utoipa::path(get, path = "/api/v1/contests/{slug}/unit-prizes", tag = "prizes", summary = "Giải tập thể của cả cuộc thi: đơn vị theo tỷ lệ tham gia và theo điểm trung bình, trong số đơn vị đạt tỷ lệ tối thiểu", params(("slug" = String, Path, description = "Mã cuộc thi"), ("min_rate" = Option<f64>, Query, description = "Tỷ lệ tối thiểu 0–1 (mặc định 0,5)", minimum = 0, maximum = 1), ("count" = Option<u32>, Query, description = "Số đơn vị mỗi danh sách (mặc định 3)", minimum = 0, maximum = 100), ("kinds" = Option<String>, Query, description = "Các loại đơn vị, cách nhau bởi dấu phẩy")), responses((status = 200, description = "Hai danh sách và quy tắc", body = CollectiveView), (status = 400, description = "Tham số không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 422, description = "Quy tắc không hợp lệ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn unit_prizes(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    q: web::Query<CollectiveQuery>,
) -> AppResult<HttpResponse> {
    let contest = state.owned_contest(&user, &slug).await?;
    Ok(HttpResponse::Ok().json(state.contest_collective(&user, &contest, q.rule()?).await?))
}
