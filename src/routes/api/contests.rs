//! Contests and rounds for organizers: create, list, edit, publish, close.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDateTime};
use serde::Deserialize;
use serde_json::{Value, json};

use super::json_body;
use crate::auth::CurrentUser;
use crate::db::contests::{
    Contest, ContestFields, Round, RoundFields, close_round, find_contest, find_contest_by_id, find_round,
    insert_contest, insert_round, list_contests, list_rounds, pool_sizes, publish_round, round_has_attempts,
    update_contest, update_round,
};
use crate::db::now;
use crate::domain::bank::is_slug;
use crate::domain::paper::{Blueprint, BlueprintRow};
use crate::domain::people::Role;
use crate::domain::time::rfc3339_vn;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Roles that run contests.
pub const ORGANIZERS: &[Role] = &[Role::Admin, Role::Organizer];

/// Forbidden unless the user owns the contest or is an admin.
pub fn require_owner(user: &CurrentUser, contest: &Contest) -> AppResult<()> {
    user.require(ORGANIZERS)?;
    if user.role == Role::Admin || contest.owner_id == Some(user.id) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// A contest as the API shows it.
pub fn contest_json(c: &Contest) -> Value {
    json!({
        "id": c.id, "slug": c.slug, "title": c.title, "description": c.description,
        "audience": c.audience, "rules": c.rules, "show_names": c.show_names,
    })
}

/// A round as the API shows it.
pub fn round_json(r: &Round, contest_slug: &str) -> Value {
    let t = now();
    json!({
        "id": r.id, "contest": contest_slug, "number": r.number, "title": r.title,
        "opens_at": rfc3339_vn(r.opens_at), "closes_at": rfc3339_vn(r.closes_at),
        "duration_s": r.duration_s, "blueprint": r.blueprint_rows(),
        "attempts_allowed": r.attempts_allowed, "grace_s": r.grace_s,
        "points_per_question": r.points_per_question, "prediction": r.prediction,
        "reveal": r.reveal_policy, "practice": r.practice,
        "status": r.status, "phase": r.phase(t),
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewContest {
    slug: String,
    title: String,
    #[serde(default)]
    description: String,
    audience: String,
    #[serde(default)]
    rules: String,
    #[serde(default = "yes")]
    show_names: bool,
}

fn yes() -> bool {
    true
}

/// Checks a contest's fields.
pub fn check_contest(slug: &str, title: &str, audience: &str) -> AppResult<()> {
    if !is_slug(slug) {
        return Err(AppError::Invalid("Mã cuộc thi chỉ gồm chữ thường không dấu, chữ số và dấu '-'.".into()));
    }
    if title.trim().is_empty() || title.chars().count() > 200 {
        return Err(AppError::Invalid("Tên cuộc thi không được để trống (tối đa 200 ký tự).".into()));
    }
    if !["officials", "public", "both"].contains(&audience) {
        return Err(AppError::Invalid("Đối tượng phải là officials, public hoặc both.".into()));
    }
    Ok(())
}

/// `POST /api/v1/contests`.
#[utoipa::path(post, path = "/api/v1/contests", tag = "contests", summary = "Tạo cuộc thi", request_body = NewContest, responses((status = 201, description = "{id, slug, title, description, audience, rules, show_names}"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 409, description = "Trạng thái không cho phép", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let b: NewContest = json_body(&req, payload).await?;
    check_contest(&b.slug, &b.title, &b.audience)?;
    let f = ContestFields {
        slug: b.slug.clone(),
        title: crate::domain::text::nfc(b.title.trim()),
        description: crate::domain::text::nfc(b.description.trim()),
        rules: crate::domain::text::nfc(&b.rules),
        audience: b.audience,
        show_names: b.show_names,
    };
    let actor = user.actor();
    let c = state
        .write(move |c| insert_contest(c, &f, &actor))
        .await?
        .ok_or_else(|| AppError::Conflict(format!("Mã cuộc thi \"{}\" đã được dùng.", b.slug)))?;
    Ok(HttpResponse::Created().json(contest_json(&c)))
}

/// `GET /api/v1/contests`.
#[utoipa::path(get, path = "/api/v1/contests", tag = "contests", summary = "Danh sách cuộc thi", responses((status = 200, description = "[{id, slug, title, …}]"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody)))]
pub async fn list(state: web::Data<AppState>, _user: CurrentUser) -> AppResult<HttpResponse> {
    let all = state.read(list_contests).await?;
    Ok(HttpResponse::Ok().json(all.iter().map(contest_json).collect::<Vec<_>>()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ContestPatch {
    title: Option<String>,
    description: Option<String>,
    audience: Option<String>,
    rules: Option<String>,
    show_names: Option<bool>,
}

/// A contest by slug, for its owner or an admin.
pub async fn owned_contest(state: &AppState, user: &CurrentUser, slug: String) -> AppResult<Contest> {
    let c = state
        .read(move |c| find_contest(c, &slug))
        .await?
        .ok_or_else(|| AppError::NotFound("Không có cuộc thi này.".into()))?;
    require_owner(user, &c)?;
    Ok(c)
}

/// `PATCH /api/v1/contests/{slug}`.
#[utoipa::path(patch, path = "/api/v1/contests/{slug}", tag = "contests", summary = "Sửa cuộc thi", request_body = ContestPatch, params(("slug" = String, Path, description = "Mã cuộc thi")), responses((status = 200, description = "Cuộc thi sau khi sửa"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody)))]
pub async fn patch(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let c = owned_contest(&state, &user, slug.into_inner()).await?;
    let p: ContestPatch = json_body(&req, payload).await?;
    let f = ContestFields {
        slug: c.slug.clone(),
        title: p.title.map(|t| crate::domain::text::nfc(t.trim())).unwrap_or(c.title),
        description: p.description.unwrap_or(c.description),
        rules: p.rules.unwrap_or(c.rules),
        audience: p.audience.unwrap_or(c.audience),
        show_names: p.show_names.unwrap_or(c.show_names),
    };
    check_contest(&f.slug, &f.title, &f.audience)?;
    let (id, actor) = (c.id, user.actor());
    let c = state.write(move |conn| update_contest(conn, id, &f, &actor)).await?;
    Ok(HttpResponse::Ok().json(contest_json(&c)))
}

/// A round's fields as JSON (all optional for PATCH).
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundBody {
    title: Option<String>,
    opens_at: Option<String>,
    closes_at: Option<String>,
    duration_s: Option<i32>,
    /// Rows of `{bank, difficulty?, count}`; difficulty is easy, medium or hard.
    #[schema(value_type = Option<Vec<Object>>)]
    blueprint: Option<Vec<BlueprintRow>>,
    attempts_allowed: Option<i32>,
    grace_s: Option<i32>,
    points_per_question: Option<i32>,
    prediction: Option<bool>,
    reveal: Option<String>,
    practice: Option<bool>,
}

fn parse_time(field: &str, s: &str) -> AppResult<NaiveDateTime> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|d| d.naive_utc())
        .map_err(|_| AppError::Invalid(format!("{field} phải là thời điểm RFC 3339, ví dụ 2026-12-01T08:00:00+07:00.")))
}

/// Checks a round's settings, including that the banks can fill the blueprint.
pub async fn check_round(state: &AppState, f: RoundDraft) -> AppResult<RoundFields> {
    let title = crate::domain::text::nfc(f.title.trim());
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::Invalid("Tên vòng thi không được để trống (tối đa 200 ký tự).".into()));
    }
    if f.closes_at <= f.opens_at {
        return Err(AppError::Invalid("Thời điểm kết thúc phải sau thời điểm bắt đầu.".into()));
    }
    if !(30..=3 * 3600).contains(&f.duration_s) {
        return Err(AppError::Invalid("Thời gian làm bài phải từ 30 giây đến 3 giờ.".into()));
    }
    if !(1..=100).contains(&f.attempts_allowed) {
        return Err(AppError::Invalid("Số lượt thi phải từ 1 đến 100.".into()));
    }
    if !(0..=300).contains(&f.grace_s) {
        return Err(AppError::Invalid("Thời gian gia hạn phải từ 0 đến 300 giây.".into()));
    }
    if !(1..=100).contains(&f.points_per_question) {
        return Err(AppError::Invalid("Điểm mỗi câu phải từ 1 đến 100.".into()));
    }
    if !["after_submit", "after_close", "never"].contains(&f.reveal.as_str()) {
        return Err(AppError::Invalid("Chế độ công bố đáp án phải là after_submit, after_close hoặc never.".into()));
    }
    let blueprint = Blueprint::parse(f.blueprint).map_err(AppError::Invalid)?;
    let rows = blueprint.rows().to_vec();
    let sizes = state.read(move |c| pool_sizes(c, &rows)).await?;
    for (i, (row, have)) in blueprint.rows().iter().zip(&sizes).enumerate() {
        if *have < i64::from(row.count) {
            let level = row.difficulty.map(|d| format!(" mức {}", d.as_str())).unwrap_or_default();
            return Err(AppError::Invalid(format!(
                "Dòng {} của cơ cấu đề cần {} câu từ ngân hàng \"{}\"{level} nhưng chỉ có {have} câu.",
                i + 1,
                row.count,
                row.bank
            )));
        }
    }
    Ok(RoundFields {
        title,
        opens_at: f.opens_at,
        closes_at: f.closes_at,
        duration_s: f.duration_s,
        blueprint,
        attempts_allowed: f.attempts_allowed,
        grace_s: f.grace_s,
        points_per_question: f.points_per_question,
        prediction: f.prediction,
        reveal_policy: f.reveal,
        practice: f.practice,
    })
}

/// A round's settings before checking (from JSON or a form).
#[derive(Debug, Clone)]
pub struct RoundDraft {
    /// Title.
    pub title: String,
    /// Opens (UTC).
    pub opens_at: NaiveDateTime,
    /// Closes (UTC).
    pub closes_at: NaiveDateTime,
    /// Seconds.
    pub duration_s: i32,
    /// Rows.
    pub blueprint: Vec<BlueprintRow>,
    /// Attempts.
    pub attempts_allowed: i32,
    /// Grace.
    pub grace_s: i32,
    /// Points.
    pub points_per_question: i32,
    /// Prediction.
    pub prediction: bool,
    /// Reveal policy.
    pub reveal: String,
    /// Practice.
    pub practice: bool,
}

impl RoundDraft {
    /// The draft of an existing round.
    pub fn of(r: &Round) -> Self {
        Self {
            title: r.title.clone(),
            opens_at: r.opens_at,
            closes_at: r.closes_at,
            duration_s: r.duration_s,
            blueprint: r.blueprint_rows(),
            attempts_allowed: r.attempts_allowed,
            grace_s: r.grace_s,
            points_per_question: r.points_per_question,
            prediction: r.prediction,
            reveal: r.reveal_policy.clone(),
            practice: r.practice,
        }
    }

    fn apply(mut self, b: RoundBody) -> AppResult<Self> {
        if let Some(v) = b.title {
            self.title = v;
        }
        if let Some(v) = b.opens_at {
            self.opens_at = parse_time("opens_at", &v)?;
        }
        if let Some(v) = b.closes_at {
            self.closes_at = parse_time("closes_at", &v)?;
        }
        if let Some(v) = b.duration_s {
            self.duration_s = v;
        }
        if let Some(v) = b.blueprint {
            self.blueprint = v;
        }
        if let Some(v) = b.attempts_allowed {
            self.attempts_allowed = v;
        }
        if let Some(v) = b.grace_s {
            self.grace_s = v;
        }
        if let Some(v) = b.points_per_question {
            self.points_per_question = v;
        }
        if let Some(v) = b.prediction {
            self.prediction = v;
        }
        if let Some(v) = b.reveal {
            self.reveal = v;
        }
        if let Some(v) = b.practice {
            self.practice = v;
        }
        Ok(self)
    }
}

/// `POST /api/v1/contests/{slug}/rounds`.
#[utoipa::path(post, path = "/api/v1/contests/{slug}/rounds", tag = "rounds", summary = "Tạo vòng thi (bản nháp)", request_body = RoundBody, params(("slug" = String, Path, description = "Mã cuộc thi")), responses((status = 201, description = "{id, contest, number, title, opens_at, closes_at, duration_s, blueprint, …}"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody)))]
pub async fn create_round(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let c = owned_contest(&state, &user, slug.into_inner()).await?;
    let b: RoundBody = json_body(&req, payload).await?;
    let missing = |f: &str| AppError::Invalid(format!("Thiếu trường {f}."));
    let draft = RoundDraft {
        title: b.title.clone().ok_or_else(|| missing("title"))?,
        opens_at: parse_time("opens_at", b.opens_at.as_deref().ok_or_else(|| missing("opens_at"))?)?,
        closes_at: parse_time("closes_at", b.closes_at.as_deref().ok_or_else(|| missing("closes_at"))?)?,
        duration_s: b.duration_s.ok_or_else(|| missing("duration_s"))?,
        blueprint: b.blueprint.clone().ok_or_else(|| missing("blueprint"))?,
        attempts_allowed: b.attempts_allowed.unwrap_or(1),
        grace_s: b.grace_s.unwrap_or(10),
        points_per_question: b.points_per_question.unwrap_or(1),
        prediction: b.prediction.unwrap_or(false),
        reveal: b.reveal.clone().unwrap_or_else(|| "after_close".into()),
        practice: b.practice.unwrap_or(false),
    };
    let f = check_round(&state, draft).await?;
    let (cid, actor) = (c.id, user.actor());
    let r = state.write(move |conn| insert_round(conn, cid, &f, &actor)).await?;
    Ok(HttpResponse::Created().json(round_json(&r, &c.slug)))
}

/// `GET /api/v1/contests/{slug}/rounds`.
#[utoipa::path(get, path = "/api/v1/contests/{slug}/rounds", tag = "rounds", summary = "Các vòng thi của cuộc thi", params(("slug" = String, Path, description = "Mã cuộc thi")), responses((status = 200, description = "[vòng thi]"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody)))]
pub async fn list_rounds_of(
    state: web::Data<AppState>,
    user: CurrentUser,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let slug = slug.into_inner();
    let lookup = slug.clone();
    let c = state
        .read(move |c| find_contest(c, &lookup))
        .await?
        .ok_or_else(|| AppError::NotFound("Không có cuộc thi này.".into()))?;
    let cid = c.id;
    let rounds = state.read(move |conn| list_rounds(conn, cid)).await?;
    let staff = ORGANIZERS.contains(&user.role);
    let out: Vec<Value> =
        rounds.iter().filter(|r| staff || r.status == "published").map(|r| round_json(r, &slug)).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// A round and its contest, for an owner.
pub async fn owned_round(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<(Round, Contest)> {
    let (r, c) = state
        .read(move |conn| {
            let r = find_round(conn, id)?;
            let c = find_contest_by_id(conn, r.contest_id)?;
            Ok((r, c))
        })
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound("Không có vòng thi này.".into()),
            other => other,
        })?;
    require_owner(user, &c)?;
    Ok((r, c))
}

/// `PATCH /api/v1/rounds/{id}`: only while nobody has started it.
#[utoipa::path(patch, path = "/api/v1/rounds/{id}", tag = "rounds", summary = "Sửa vòng thi (khi chưa ai làm bài)", request_body = RoundBody, params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Vòng thi sau khi sửa"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Trạng thái không cho phép", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody)))]
pub async fn patch_round(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let (r, c) = owned_round(&state, &user, *id).await?;
    let b: RoundBody = json_body(&req, payload).await?;
    let rid = r.id;
    if state.read(move |conn| round_has_attempts(conn, rid)).await? {
        return Err(AppError::Conflict("Vòng thi đã có người làm bài: không thể sửa nữa.".into()));
    }
    let f = check_round(&state, RoundDraft::of(&r).apply(b)?).await?;
    let actor = user.actor();
    let r = state.write(move |conn| update_round(conn, rid, &f, &actor)).await?;
    Ok(HttpResponse::Ok().json(round_json(&r, &c.slug)))
}

/// `POST /api/v1/rounds/{id}/publish`.
#[utoipa::path(post, path = "/api/v1/rounds/{id}/publish", tag = "rounds", summary = "Công bố vòng thi (không có nội dung)", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Vòng thi đã công bố; bộ câu hỏi được cố định"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody)))]
pub async fn publish(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let (r, c) = owned_round(&state, &user, *id).await?;
    // The banks may have changed since the round was saved.
    check_round(&state, RoundDraft::of(&r)).await?;
    let (rid, actor) = (r.id, user.actor());
    let r = state.write(move |conn| publish_round(conn, rid, &actor)).await?;
    Ok(HttpResponse::Ok().json(round_json(&r, &c.slug)))
}

/// `POST /api/v1/rounds/{id}/close`: closes now (no new starts; attempts in progress end now).
#[utoipa::path(post, path = "/api/v1/rounds/{id}/close", tag = "rounds", summary = "Đóng vòng thi ngay (không có nội dung)", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 200, description = "Vòng thi đã đóng; bài đang làm kết thúc"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Trạng thái không cho phép", body = ErrorBody)))]
pub async fn close(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let (r, c) = owned_round(&state, &user, *id).await?;
    if r.status != "published" {
        return Err(AppError::Conflict("Vòng thi chưa được công bố.".into()));
    }
    let (rid, actor) = (r.id, user.actor());
    let r = state.write(move |conn| close_round(conn, rid, now(), &actor)).await?;
    Ok(HttpResponse::Ok().json(round_json(&r, &c.slug)))
}
