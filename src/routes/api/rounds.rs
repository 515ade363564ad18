//! Rounds for organizers: create, list, edit, publish, close.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDateTime};
use serde::Deserialize;

use super::json_body;
use crate::auth::CurrentUser;
use crate::domain::paper::BlueprintRow;
use crate::domain::round::RoundDraft;
use crate::engine::views::{PublishView, RoundView};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A round's fields as JSON (all optional for PATCH).
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundBody {
    #[schema(min_length = 1, max_length = 200)]
    title: Option<String>,
    /// RFC 3339, e.g. 2026-12-01T08:00:00+07:00.
    opens_at: Option<String>,
    /// RFC 3339, after `opens_at`.
    closes_at: Option<String>,
    /// 30 to 10 800 seconds.
    #[schema(minimum = 30, maximum = 10800)]
    duration_s: Option<i32>,
    /// 1–20 rows of `{bank, difficulty?, count}`; difficulty is easy, medium or hard; 200 questions at most.
    #[schema(value_type = Option<Vec<Object>>)]
    blueprint: Option<Vec<BlueprintRow>>,
    #[schema(minimum = 1, maximum = 100)]
    attempts_allowed: Option<i32>,
    #[schema(minimum = 0, maximum = 300)]
    grace_s: Option<i32>,
    #[schema(minimum = 1, maximum = 100)]
    points_per_question: Option<i32>,
    prediction: Option<bool>,
    /// `after_submit`, `after_close` (default) or `never`.
    reveal: Option<String>,
    practice: Option<bool>,
}

fn parse_time(field: &str, s: &str) -> AppResult<NaiveDateTime> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|d| crate::clock::to_micros(d.naive_utc()))
        .map_err(|_| AppError::Invalid(format!("{field} phải là thời điểm RFC 3339, ví dụ 2026-12-01T08:00:00+07:00.")))
}

impl RoundBody {
    /// The fields given, over `d`.
    fn apply(self, mut d: RoundDraft) -> AppResult<RoundDraft> {
        if let Some(v) = self.title {
            d.title = v;
        }
        if let Some(v) = self.opens_at {
            d.opens_at = parse_time("opens_at", &v)?;
        }
        if let Some(v) = self.closes_at {
            d.closes_at = parse_time("closes_at", &v)?;
        }
        if let Some(v) = self.duration_s {
            d.duration_s = v;
        }
        if let Some(v) = self.blueprint {
            d.blueprint = v;
        }
        if let Some(v) = self.attempts_allowed {
            d.attempts_allowed = v;
        }
        if let Some(v) = self.grace_s {
            d.grace_s = v;
        }
        if let Some(v) = self.points_per_question {
            d.points_per_question = v;
        }
        if let Some(v) = self.prediction {
            d.prediction = v;
        }
        if let Some(v) = self.reveal {
            d.reveal = v;
        }
        if let Some(v) = self.practice {
            d.practice = v;
        }
        Ok(d)
    }
}

/// `POST /api/v1/contests/{slug}/rounds`.
#[utoipa::path(post, path = "/api/v1/contests/{slug}/rounds", tag = "rounds", summary = "Tạo vòng thi (bản nháp)", request_body = RoundBody, params(("slug" = String, Path, description = "Mã cuộc thi")), responses((status = 201, description = "Vòng thi đã tạo", body = RoundView), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 413, description = "Quá lớn", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    state.owned_contest(&user, &slug).await?;
    let b: RoundBody = json_body(&req, payload).await?;
    let missing = |f: &str| AppError::Invalid(format!("Thiếu trường {f}."));
    let t = state.now();
    let base = RoundDraft {
        title: b.title.clone().ok_or_else(|| missing("title"))?,
        opens_at: t,
        closes_at: t,
        duration_s: b.duration_s.ok_or_else(|| missing("duration_s"))?,
        blueprint: b.blueprint.clone().ok_or_else(|| missing("blueprint"))?,
        attempts_allowed: 1,
        grace_s: 10,
        points_per_question: 1,
        prediction: false,
        reveal: crate::domain::round::RevealPolicy::AfterClose.as_str().into(),
        practice: false,
    };
    if b.opens_at.is_none() {
        return Err(missing("opens_at"));
    }
    if b.closes_at.is_none() {
        return Err(missing("closes_at"));
    }
    let (r, c) = state.create_round(&user, &slug, b.apply(base)?).await?;
    Ok(HttpResponse::Created().json(RoundView::of(&r, &c.slug, state.now())))
}

/// `GET /api/v1/contests/{slug}/rounds`.
#[utoipa::path(get, path = "/api/v1/contests/{slug}/rounds", tag = "rounds", summary = "Các vòng thi của cuộc thi (bản nháp chỉ hiện với ban tổ chức của cuộc thi)", params(("slug" = String, Path, description = "Mã cuộc thi")), responses((status = 200, description = "Các vòng thi", body = Vec<RoundView>), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn list(state: web::Data<AppState>, user: CurrentUser, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let contest = state.contest(&slug).await?;
    let rounds = state.visible_rounds(Some(&user), &contest).await?;
    let t = state.now();
    Ok(HttpResponse::Ok().json(rounds.iter().map(|r| RoundView::of(r, &contest.slug, t)).collect::<Vec<_>>()))
}

/// `PATCH /api/v1/rounds/{id}`: only while nobody has started it.
#[utoipa::path(patch, path = "/api/v1/rounds/{id}", tag = "rounds", summary = "Sửa vòng thi (khi chưa ai làm bài)", request_body = RoundBody, params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Vòng thi sau khi sửa", body = RoundView), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Đã có người làm bài", body = ErrorBody), (status = 413, description = "Quá lớn", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn patch(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let (r, _) = state.owned_round(&user, *id).await?;
    let b: RoundBody = json_body(&req, payload).await?;
    let draft = b.apply(r.settings.to_draft())?;
    let (r, c) = state.update_round(&user, *id, draft).await?;
    Ok(HttpResponse::Ok().json(RoundView::of(&r, &c.slug, state.now())))
}

/// `POST /api/v1/rounds/{id}/publish`.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/publish", tag = "rounds", summary = "Công bố vòng thi (không có nội dung); bộ câu hỏi được cố định ở lần công bố đầu", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Vòng thi đã công bố, kèm cảnh báo (warnings) nếu có", body = PublishView), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 422, description = "Ngân hàng không đủ câu", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn publish(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (r, c, warnings) = state.publish(&user, *id).await?;
    Ok(HttpResponse::Ok().json(PublishView { round: RoundView::of(&r, &c.slug, state.now()), warnings }))
}

/// `POST /api/v1/rounds/{id}/close`: closes now (no new starts; attempts in progress end now).
#[utoipa::path(post, path = "/api/v1/rounds/{id}/close", tag = "rounds", summary = "Đóng vòng thi ngay (không có nội dung)", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Vòng thi đã đóng; bài đang làm kết thúc", body = RoundView), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Chưa công bố", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn close(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (r, c) = state.close(&user, *id).await?;
    Ok(HttpResponse::Ok().json(RoundView::of(&r, &c.slug, state.now())))
}

/// A sample paper: `{questions:[{bank,key,kind,difficulty,text,options,answer,explanation,source}]}`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SampleView {
    /// In paper order; options in the bank's order, `answer` as letters.
    questions: Vec<crate::engine::round_tools::SampleQuestion>,
}

/// `POST /api/v1/rounds/{id}/copy`: next week's round, as a draft.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/copy", tag = "rounds", summary = "Sao chép vòng thi sang tuần sau (bản nháp cùng cài đặt, mọi mốc thời gian lùi 7 ngày)", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 201, description = "Vòng thi mới (bản nháp)", body = RoundView), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Trùng", body = ErrorBody), (status = 422, description = "Ngân hàng không còn đủ câu cho cơ cấu đề", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn copy(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (r, c) = state.copy_round(&user, *id).await?;
    Ok(HttpResponse::Created().json(RoundView::of(&r, &c.slug, state.now())))
}

/// `GET /api/v1/rounds/{id}/sample`: a paper drawn now from the blueprint, with the keys; nothing stored.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/sample", tag = "rounds", summary = "Đề mẫu rút từ cơ cấu đề, kèm đáp án (không lưu gì)", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Đề mẫu", body = SampleView), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 422, description = "Ngân hàng không đủ câu", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn sample(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (_, questions) = state.sample_paper(&user, *id).await?;
    Ok(HttpResponse::Ok().json(SampleView { questions }))
}
