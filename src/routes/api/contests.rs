//! Contests for organizers: create, list, edit.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::json_body;
use crate::auth::CurrentUser;
use crate::auth::session::Staff;
use crate::domain::contest::ContestSettings;
use crate::domain::resident::RegistrationRules;
use crate::engine::views::ContestView;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewContest {
    /// Lower-case letters without diacritics, digits and '-'.
    #[schema(min_length = 1, max_length = 64, pattern = "^[a-z0-9][a-z0-9-]*$")]
    slug: String,
    #[schema(min_length = 1, max_length = 200)]
    title: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    description: String,
    /// `officials`, `public` or `both`.
    audience: String,
    /// Markdown.
    #[serde(default)]
    #[schema(max_length = 20000)]
    rules: String,
    /// Show officials' full names on public boards. Off by default: boards
    /// show the family name and initials; residents are always masked.
    #[serde(default)]
    show_names: bool,
    /// Residents must give their CCCD number.
    #[serde(default)]
    requires_id_number: bool,
    /// Residents' minimum age by birth year (1–120; absent: none).
    #[schema(minimum = 1, maximum = 120)]
    min_age: Option<i32>,
    /// Unit kinds residents may choose (empty: every unit).
    #[serde(default)]
    #[schema(max_items = 50)]
    unit_kinds: Vec<String>,
}

fn registration(requires_id_number: bool, min_age: Option<i32>, kinds: &[String]) -> AppResult<RegistrationRules> {
    let age = min_age.map(|a| a.to_string()).unwrap_or_default();
    RegistrationRules::parse(requires_id_number, &age, &kinds.join(",")).map_err(AppError::Invalid)
}

/// `POST /api/v1/contests`.
#[utoipa::path(post, path = "/api/v1/contests", tag = "contests", summary = "Tạo cuộc thi (mặc định che tên trên bảng xếp hạng: show_names = false)", request_body = NewContest, responses((status = 201, description = "Cuộc thi đã tạo", body = ContestView), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 409, description = "Mã cuộc thi đã dùng", body = ErrorBody), (status = 413, description = "Quá lớn", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    Staff(user): Staff,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let b: NewContest = json_body(&req, payload).await?;
    let mut s = ContestSettings::parse(&b.slug, &b.title, &b.description, &b.rules, &b.audience, b.show_names)
        .map_err(AppError::Invalid)?;
    s.registration = registration(b.requires_id_number, b.min_age, &b.unit_kinds)?;
    let c = state.create_contest(&user, s).await?;
    Ok(HttpResponse::Created().json(ContestView::of(&c)))
}

/// `GET /api/v1/contests`.
#[utoipa::path(get, path = "/api/v1/contests", tag = "contests", summary = "Danh sách cuộc thi", responses((status = 200, description = "Các cuộc thi", body = Vec<ContestView>), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn list(state: web::Data<AppState>, _user: CurrentUser) -> AppResult<HttpResponse> {
    let all = state.contests().await?;
    Ok(HttpResponse::Ok().json(all.iter().map(ContestView::of).collect::<Vec<_>>()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ContestPatch {
    #[schema(min_length = 1, max_length = 200)]
    title: Option<String>,
    #[schema(max_length = 2000)]
    description: Option<String>,
    audience: Option<String>,
    #[schema(max_length = 20000)]
    rules: Option<String>,
    show_names: Option<bool>,
    requires_id_number: Option<bool>,
    /// 1–120, or 0 to remove the minimum.
    #[schema(minimum = 0, maximum = 120)]
    min_age: Option<i32>,
    #[schema(max_items = 50)]
    unit_kinds: Option<Vec<String>>,
}

/// `PATCH /api/v1/contests/{slug}`.
#[utoipa::path(patch, path = "/api/v1/contests/{slug}", tag = "contests", summary = "Sửa cuộc thi", request_body = ContestPatch, params(("slug" = String, Path, description = "Mã cuộc thi")), responses((status = 200, description = "Cuộc thi sau khi sửa", body = ContestView), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 413, description = "Quá lớn", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn patch(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let c = state.owned_contest(&user, &slug).await?;
    let p: ContestPatch = json_body(&req, payload).await?;
    let mut s = ContestSettings::parse(
        &c.slug,
        p.title.as_deref().unwrap_or(&c.title),
        p.description.as_deref().unwrap_or(&c.description),
        p.rules.as_deref().unwrap_or(&c.rules),
        p.audience.as_deref().unwrap_or(c.audience.as_str()),
        p.show_names.unwrap_or(c.show_names),
    )
    .map_err(AppError::Invalid)?;
    let old = c.registration.rules();
    s.registration = registration(
        p.requires_id_number.unwrap_or(old.requires_id_number),
        p.min_age.or(old.min_age),
        p.unit_kinds.as_deref().unwrap_or(&old.unit_kinds),
    )?;
    let c = state.update_contest(&user, &slug, s).await?;
    Ok(HttpResponse::Ok().json(ContestView::of(&c)))
}
