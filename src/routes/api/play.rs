//! Taking a round: open rounds, starting, answering, submitting.
//!
//! Promise 4: nothing here carries a key before the engine allows it.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::{json_body, optional_json_body};
use crate::domain::time::rfc3339_vn;
use crate::engine::access::Entrant;
use crate::engine::views::{AttemptView, ResultView, RoundView};
use crate::error::AppResult;
use crate::state::AppState;

/// `GET /api/v1/rounds`: rounds open to the caller.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "play", summary = "Các vòng thi đang mở cho người gọi", responses((status = 200, description = "Các vòng thi", body = Vec<RoundView>), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn open_rounds(state: web::Data<AppState>, who: Entrant) -> AppResult<HttpResponse> {
    let rounds = state.open_rounds_for(&who).await?;
    let t = state.now();
    Ok(HttpResponse::Ok().json(rounds.iter().map(|(r, c)| RoundView::of(r, &c.slug, t)).collect::<Vec<_>>()))
}

/// `POST /api/v1/rounds/{id}/attempts`: 201 with the paper (200 when resuming).
#[utoipa::path(post, path = "/api/v1/rounds/{id}/attempts", tag = "play", summary = "Bắt đầu (hoặc tiếp tục) làm bài (không có nội dung)", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 201, description = "Bài thi mới", body = AttemptView), (status = 200, description = "Tiếp tục bài đang làm", body = AttemptView), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Thiếu Content-Type: application/json hoặc X-Requested-With", body = ErrorBody), (status = 404, description = "Không có vòng thi này", body = ErrorBody), (status = 409, description = "Chưa mở, đã đóng hoặc hết lượt", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn start(state: web::Data<AppState>, who: Entrant, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (attempt, round, new) = state.start(&who, *id).await?;
    let contest = state.round_and_contest(round.id).await?.1;
    let view = state.attempt_view(&attempt, &round, &contest).await?;
    Ok(if new { HttpResponse::Created().json(view) } else { HttpResponse::Ok().json(view) })
}

/// `GET /api/v1/attempts/{id}`.
#[utoipa::path(get, path = "/api/v1/attempts/{id}", tag = "play", summary = "Bài thi của mình", params(("id" = i64, Path, description = "Mã bài thi")), responses((status = 200, description = "Bài thi; khi đã nộp thêm result và review", body = AttemptView), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn get(state: web::Data<AppState>, who: Entrant, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (attempt, round, contest) = state.own_attempt(&who, *id).await?;
    Ok(HttpResponse::Ok().json(state.attempt_view(&attempt, &round, &contest).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AnswerBody {
    /// Chosen options, 0-based in this paper's order; empty clears the answer.
    #[schema(max_items = 26)]
    choices: Vec<usize>,
}

/// When an answer was stored.
#[derive(Serialize, utoipa::ToSchema)]
struct Saved {
    /// RFC 3339, +07:00.
    saved_at: String,
}

/// `PUT /api/v1/attempts/{id}/items/{position}`: saved before the 200.
#[utoipa::path(put, path = "/api/v1/attempts/{id}/items/{position}", tag = "play", summary = "Lưu một câu trả lời", request_body = AnswerBody, params(("id" = i64, Path, description = "Mã bài thi"), ("position" = i32, Path, description = "Số thứ tự câu, từ 1")), responses((status = 200, description = "Đã ghi vào cơ sở dữ liệu", body = Saved), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Thiếu Content-Type: application/json hoặc X-Requested-With", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Bài đã nộp hoặc đã quá hạn + gia hạn", body = ErrorBody), (status = 413, description = "Quá lớn", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Entrant,
    path: web::Path<(i64, i32)>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let (id, pos) = path.into_inner();
    state.own_attempt_as_stored(&who, id).await?;
    let body: AnswerBody = json_body(&req, payload).await?;
    let saved = state.answer(&who, id, pos, body.choices).await?;
    Ok(HttpResponse::Ok().json(Saved { saved_at: rfc3339_vn(saved) }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PredictionBody {
    /// "How many people will answer everything right?" (0–100 000 000).
    #[schema(minimum = 0, maximum = 100000000)]
    prediction: i64,
}

/// `PUT /api/v1/attempts/{id}/prediction` `{prediction}`: saved like an answer.
#[utoipa::path(put, path = "/api/v1/attempts/{id}/prediction", tag = "play", summary = "Lưu câu trả lời cho câu dự đoán", request_body = PredictionBody, params(("id" = i64, Path, description = "Mã bài thi")), responses((status = 200, description = "Đã lưu", body = Saved), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập hoặc chưa đăng ký", body = ErrorBody), (status = 403, description = "Thiếu Content-Type: application/json hoặc X-Requested-With", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Bài đã nộp hoặc đã hết giờ", body = ErrorBody), (status = 413, description = "Quá lớn", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Số dự đoán không hợp lệ hoặc vòng thi không có câu dự đoán", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn prediction(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Entrant,
    id: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    state.own_attempt_as_stored(&who, *id).await?;
    let body: PredictionBody = json_body(&req, payload).await?;
    let saved = state.save_prediction(&who, *id, body.prediction).await?;
    Ok(HttpResponse::Ok().json(Saved { saved_at: rfc3339_vn(saved) }))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    /// "How many people will answer everything right?" (0–100 000 000).
    #[schema(minimum = 0, maximum = 100000000)]
    prediction: Option<i64>,
}

/// `POST /api/v1/attempts/{id}/submit` `{prediction?}` (the body may be left out).
#[utoipa::path(post, path = "/api/v1/attempts/{id}/submit", tag = "play", summary = "Nộp bài", request_body = SubmitBody, params(("id" = i64, Path, description = "Mã bài thi")), responses((status = 200, description = "Kết quả", body = ResultView), (status = 400, description = "JSON không hợp lệ", body = ErrorBody), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Thiếu Content-Type: application/json hoặc X-Requested-With", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Quá hạn + gia hạn: bài được nộp với câu trả lời đã lưu", body = ErrorBody), (status = 413, description = "Quá lớn", body = ErrorBody), (status = 415, description = "Không phải application/json", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody), (status = 503, description = "Máy chủ bận", body = ErrorBody)))]
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Entrant,
    id: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    state.own_attempt_as_stored(&who, *id).await?;
    let body: SubmitBody = optional_json_body(&req, payload).await?;
    let (done, round, contest) = state.submit(&who, *id, body.prediction).await?;
    let items = state.items(&done, &contest).await?;
    Ok(HttpResponse::Ok().json(state.result(&done, &round, &items, None).await?))
}
