//! Fixing a wrong key: void a question or correct its answer (and maybe its
//! explanation), for every contest (the bank's owner) or inside one contest
//! (its owner); every affected attempt, entry, unit statistic and standing
//! is re-graded at once. `dry_run: true` reports the same without changing
//! anything: how many attempts change and the top of each board before and
//! after.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{QuestionPath, json_body};
use crate::auth::CurrentUser;
use crate::engine::fixes::{Asked, FixReport, Request};
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct VoidBody {
    /// Why (for the audit log, and shown to entrants whose score changes
    /// once the question's key may be shown to them).
    #[schema(min_length = 1, max_length = 500)]
    reason: String,
    /// Only report what voiding would do (attempts changed, the top of each
    /// board before and after); nothing is changed.
    #[serde(default)]
    dry_run: bool,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
enum Letters {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RekeyBody {
    /// The correct option letter ("B"), or letters (["A", "C"]) for a
    /// multiple-answer question, in the bank's order of options.
    answer: Letters,
    /// Why (for the audit log, and shown to entrants whose score changes
    /// once the question's key may be shown to them).
    #[schema(min_length = 1, max_length = 500)]
    reason: String,
    /// A corrected explanation, changed in the same step.
    #[schema(min_length = 1, max_length = 5000)]
    explanation: Option<String>,
    /// Only report what the new key would do; nothing is changed.
    #[serde(default)]
    dry_run: bool,
}

fn letters(l: Letters) -> Vec<String> {
    match l {
        Letters::One(s) => vec![s],
        Letters::Many(v) => v,
    }
}

impl VoidBody {
    fn request(self) -> Request {
        Request { asked: Asked::Void, reason: self.reason, explanation: None, dry_run: self.dry_run }
    }
}

impl RekeyBody {
    fn request(self) -> Request {
        Request {
            asked: Asked::Rekey(letters(self.answer)),
            reason: self.reason,
            explanation: self.explanation,
            dry_run: self.dry_run,
        }
    }
}

/// `POST /api/v1/questions/{bank}/{key}/void` `{reason, dry_run?}`: for every contest.
#[utoipa::path(post, path = "/api/v1/questions/{bank}/{key}/void", tag = "questions", summary = "Hủy câu hỏi cho mọi cuộc thi và chấm lại, hoặc xem trước với dry_run (chủ ngân hàng hoặc quản trị viên)", request_body = VoidBody, params(("bank" = String, Path, description = "Mã ngân hàng"), ("key" = String, Path, description = "Mã câu hỏi")), responses((status = 200, description = "Đã sửa và chấm lại (với dry_run: chưa thay đổi gì): số bài chấm lại, số bài đổi điểm, nhóm đầu bảng xếp hạng trước và sau", body = FixReport), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không phải chủ ngân hàng", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Đã hủy trước đó", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn void(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<QuestionPath>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    crate::engine::access::require_staff(user.role)?;
    state.owned_bank(&user, &path.bank).await?;
    let body: VoidBody = json_body(&req, payload).await?;
    let report = state.correct_everywhere(&user, &path.bank, &path.key, &body.request()).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `POST /api/v1/questions/{bank}/{key}/rekey` `{answer, reason, explanation?, dry_run?}`: for every contest.
#[utoipa::path(post, path = "/api/v1/questions/{bank}/{key}/rekey", tag = "questions", summary = "Sửa đáp án (và lời giải thích) cho mọi cuộc thi và chấm lại, hoặc xem trước với dry_run (chủ ngân hàng hoặc quản trị viên)", request_body = RekeyBody, params(("bank" = String, Path, description = "Mã ngân hàng"), ("key" = String, Path, description = "Mã câu hỏi")), responses((status = 200, description = "Đã sửa và chấm lại (với dry_run: chưa thay đổi gì): số bài chấm lại, số bài đổi điểm, nhóm đầu bảng xếp hạng trước và sau", body = FixReport), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không phải chủ ngân hàng", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn rekey(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<QuestionPath>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    crate::engine::access::require_staff(user.role)?;
    state.owned_bank(&user, &path.bank).await?;
    let body: RekeyBody = json_body(&req, payload).await?;
    let report = state.correct_everywhere(&user, &path.bank, &path.key, &body.request()).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `/api/v1/contests/{slug}/questions/{bank}/{key}/…`.
#[derive(Deserialize)]
pub struct ContestQuestionPath {
    slug: String,
    bank: String,
    key: String,
}

/// `POST /api/v1/contests/{slug}/questions/{bank}/{key}/void` `{reason, dry_run?}`: in this contest only.
#[utoipa::path(post, path = "/api/v1/contests/{slug}/questions/{bank}/{key}/void", tag = "questions", summary = "Hủy câu hỏi trong một cuộc thi và chấm lại các vòng của cuộc thi đó, hoặc xem trước với dry_run (ban tổ chức của cuộc thi)", request_body = VoidBody, params(("slug" = String, Path, description = "Mã cuộc thi"), ("bank" = String, Path, description = "Mã ngân hàng"), ("key" = String, Path, description = "Mã câu hỏi")), responses((status = 200, description = "Đã sửa và chấm lại (với dry_run: chưa thay đổi gì): số bài chấm lại, số bài đổi điểm, nhóm đầu bảng xếp hạng trước và sau", body = FixReport), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Đã hủy trước đó", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn void_in_contest(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ContestQuestionPath>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    state.owned_contest(&user, &path.slug).await?;
    let body: VoidBody = json_body(&req, payload).await?;
    let report = state.correct_in_contest(&user, &path.slug, &path.bank, &path.key, &body.request()).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `POST /api/v1/contests/{slug}/questions/{bank}/{key}/rekey` `{answer, reason, explanation?, dry_run?}`: in this contest only.
#[utoipa::path(post, path = "/api/v1/contests/{slug}/questions/{bank}/{key}/rekey", tag = "questions", summary = "Sửa đáp án (và lời giải thích) trong một cuộc thi và chấm lại các vòng của cuộc thi đó, hoặc xem trước với dry_run (ban tổ chức của cuộc thi)", request_body = RekeyBody, params(("slug" = String, Path, description = "Mã cuộc thi"), ("bank" = String, Path, description = "Mã ngân hàng"), ("key" = String, Path, description = "Mã câu hỏi")), responses((status = 200, description = "Đã sửa và chấm lại (với dry_run: chưa thay đổi gì): số bài chấm lại, số bài đổi điểm, nhóm đầu bảng xếp hạng trước và sau", body = FixReport), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn rekey_in_contest(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ContestQuestionPath>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    state.owned_contest(&user, &path.slug).await?;
    let body: RekeyBody = json_body(&req, payload).await?;
    let report = state.correct_in_contest(&user, &path.slug, &path.bank, &path.key, &body.request()).await?;
    Ok(HttpResponse::Ok().json(report))
}
