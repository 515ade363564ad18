//! Residents through the API: registering, continuing with phone + code,
//! and the organizer's lookup and new codes.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::json_body;
use crate::auth::CurrentUser;
use crate::auth::participant::{device_entries, participant_cookie};
use crate::db::attempts::Participant;
use crate::domain::resident::{FieldError, RegistrationForm, summary};
use crate::domain::time::rfc3339_vn;
use crate::engine::residents::RegisterError;
use crate::error::AppResult;
use crate::routes::client_ip;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    /// 2–80 characters.
    #[schema(max_length = 200)]
    full_name: String,
    /// 1900 to this year.
    birth_year: i32,
    /// A Vietnamese mobile number (`0…`, `+84…` or `84…`).
    #[schema(max_length = 32)]
    phone: String,
    /// The code of the chosen unit (`GET /api/v1/units`).
    #[schema(max_length = 64)]
    unit_code: String,
    /// Consent to the processing of personal data (must be true).
    consent: bool,
    /// The 12 digits of the CCCD (required when the contest says so).
    #[schema(max_length = 32)]
    id_number: Option<String>,
}

/// A new entry and its code (shown once).
#[derive(Serialize, utoipa::ToSchema)]
struct Registered {
    participant_id: i64,
    /// The participant code (mã dự thi) to continue on another device.
    code: String,
}

/// A registration refused field by field.
#[derive(Serialize, utoipa::ToSchema)]
struct FieldErrors {
    /// Every message, in one sentence each.
    error: String,
    /// `[{field, message}]`.
    #[schema(value_type = Vec<Object>)]
    fields: Vec<FieldError>,
}

/// `POST /api/v1/contests/{slug}/participants`: 201 with the participant cookie.
#[utoipa::path(post, path = "/api/v1/contests/{slug}/participants", tag = "participants", summary = "Người dân đăng ký dự thi (không cần mật khẩu)", request_body = RegisterBody, params(("slug" = String, Path, description = "Mã cuộc thi")), responses((status = 201, description = "Đã đăng ký; cookie hoithi_participant được đặt", body = Registered), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 403, description = "Thiếu Content-Type: application/json hoặc X-Requested-With", body = ErrorBody), (status = 404, description = "Không có cuộc thi cho người dân này", body = ErrorBody), (status = 409, description = "Số điện thoại đã đăng ký cuộc thi này", body = ErrorBody), (status = 413, description = "Quá lớn", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Thông tin chưa hợp lệ", body = FieldErrors), (status = 429, description = "Quá nhiều lượt đăng ký từ một địa chỉ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let contest = state.contest(&slug).await?;
    let b: RegisterBody = json_body(&req, payload).await?;
    let form = RegistrationForm {
        full_name: b.full_name,
        birth_year: b.birth_year.to_string(),
        phone: b.phone,
        unit_code: b.unit_code,
        id_number: b.id_number.unwrap_or_default(),
        consent: b.consent,
    };
    let ip = client_ip(&req, &state.settings.trusted_proxies);
    match state.register(&contest, &form, device_entries(&state, &req), &ip).await {
        Ok(done) => {
            let lifetime = state.entry_lifetime(&contest).await?;
            Ok(HttpResponse::Created()
                .cookie(participant_cookie(&state, &done.device, lifetime))
                .json(Registered { participant_id: done.participant.id, code: done.code }))
        }
        Err(RegisterError::Fields(fields)) => {
            let error = summary(&fields);
            let mut res = HttpResponse::UnprocessableEntity().json(FieldErrors { error: error.clone(), fields });
            // The body already says what to fix: the error middleware keeps it.
            res.extensions_mut().insert(crate::error::ErrorMessage(error));
            Ok(res)
        }
        Err(RegisterError::Other(e)) => Err(e),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ContinueBody {
    #[schema(max_length = 32)]
    phone: String,
    /// The 6-character participant code.
    #[schema(max_length = 32)]
    code: String,
}

/// The entry a device continues.
#[derive(Serialize, utoipa::ToSchema)]
struct Continued {
    participant_id: i64,
}

/// `POST /api/v1/contests/{slug}/participants/session`: phone + code → cookie.
#[utoipa::path(post, path = "/api/v1/contests/{slug}/participants/session", tag = "participants", summary = "Tiếp tục dự thi trên thiết bị khác bằng số điện thoại và mã dự thi", request_body = ContinueBody, params(("slug" = String, Path, description = "Mã cuộc thi")), responses((status = 200, description = "Cookie hoithi_participant được đặt", body = Continued), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Sai số điện thoại hoặc mã dự thi", body = ErrorBody), (status = 403, description = "Thiếu Content-Type: application/json hoặc X-Requested-With", body = ErrorBody), (status = 404, description = "Không có cuộc thi cho người dân này", body = ErrorBody), (status = 413, description = "Quá lớn", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Số điện thoại không hợp lệ", body = ErrorBody), (status = 429, description = "Sai nhiều lần: chờ theo Retry-After", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn continue_entry(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let contest = state.contest(&slug).await?;
    let b: ContinueBody = json_body(&req, payload).await?;
    let ip = client_ip(&req, &state.settings.trusted_proxies);
    let p = state.continue_entry(&contest, &b.phone, &b.code, &ip).await?;
    let device =
        device_entries(&state, &req).unwrap_or_else(crate::auth::participant::DeviceEntries::new_device).with(p.id);
    let lifetime = state.entry_lifetime(&contest).await?;
    Ok(HttpResponse::Ok()
        .cookie(participant_cookie(&state, &device, lifetime))
        .json(Continued { participant_id: p.id }))
}

/// `?q=`: part of a name, a phone or an id.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct Search {
    /// Part of a name, a phone number or a participant id.
    #[param(max_length = 80)]
    q: Option<String>,
}

/// A resident as the organizer sees them (in full).
#[derive(Serialize, utoipa::ToSchema)]
struct ResidentRow {
    participant_id: i64,
    full_name: String,
    phone: Option<String>,
    birth_year: Option<i32>,
    unit_id: Option<i64>,
    /// Last 4 digits of the CCCD, if given.
    id_last4: Option<String>,
    /// RFC 3339, +07:00.
    registered_at: String,
}

impl From<Participant> for ResidentRow {
    fn from(p: Participant) -> Self {
        Self {
            participant_id: p.id,
            full_name: p.full_name,
            phone: p.phone,
            birth_year: p.birth_year,
            unit_id: p.unit_id,
            id_last4: p.id_last4,
            registered_at: rfc3339_vn(p.created_at),
        }
    }
}

/// `GET /api/v1/contests/{slug}/participants?q=`: the owner's lookup (at most 50).
#[utoipa::path(get, path = "/api/v1/contests/{slug}/participants", tag = "participants", summary = "Tìm người dự thi (ban tổ chức của cuộc thi)", params(("slug" = String, Path, description = "Mã cuộc thi"), Search), responses((status = 200, description = "Tối đa 50 người, mới nhất trước", body = Vec<ResidentRow>), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không có cuộc thi này", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn search(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
    q: web::Query<Search>,
) -> AppResult<HttpResponse> {
    let contest = state.owned_contest(&user, &slug).await?;
    let rows = state.find_residents(&user, &contest, q.q.as_deref().unwrap_or("")).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(ResidentRow::from).collect::<Vec<_>>()))
}

/// A new code.
#[derive(Serialize, utoipa::ToSchema)]
struct NewCode {
    code: String,
}

/// `POST /api/v1/contests/{slug}/participants/{id}/code`: a new code; the old one stops working.
#[utoipa::path(post, path = "/api/v1/contests/{slug}/participants/{id}/code", tag = "participants", summary = "Cấp lại mã dự thi (ban tổ chức của cuộc thi)", params(("slug" = String, Path, description = "Mã cuộc thi"), ("id" = i64, Path, description = "Mã người dự thi")), responses((status = 200, description = "Mã mới", body = NewCode), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn reissue(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let contest = state.owned_contest(&user, &slug).await?;
    let code = state.reissue_code(&user, &contest, id).await?;
    Ok(HttpResponse::Ok().json(NewCode { code }))
}

/// How many entries were purged.
#[derive(Serialize, utoipa::ToSchema)]
struct Purged {
    purged: usize,
}

/// `POST /api/v1/contests/{slug}/personal-data/purge`: once every round is over.
#[utoipa::path(post, path = "/api/v1/contests/{slug}/personal-data/purge", tag = "participants", summary = "Xóa dữ liệu cá nhân của người dự thi khi cuộc thi đã kết thúc (ban tổ chức của cuộc thi)", params(("slug" = String, Path, description = "Mã cuộc thi")), responses((status = 200, description = "Số người đã xóa dữ liệu", body = Purged), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không có cuộc thi này", body = ErrorBody), (status = 409, description = "Còn vòng thi chưa kết thúc, hoặc đã xóa", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn purge(state: web::Data<AppState>, user: CurrentUser, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let contest = state.owned_contest(&user, &slug).await?;
    let purged = state.purge_personal_data(&user, &contest).await?;
    Ok(HttpResponse::Ok().json(Purged { purged }))
}
