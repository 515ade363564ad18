//! The JSON API under `/api/v1`: JSON bodies only, `{"error": …}` errors,
//! 401 for anonymous callers, authorization before the body is read.

pub mod banks;
pub mod boards;
pub mod contests;
pub mod play;
pub mod questions;
pub mod session;
pub mod units;
pub mod users;

use actix_web::{HttpRequest, http::header, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{AppError, AppResult};

/// Every error answer: `{"error": "…"}` in Vietnamese.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong and what to do.
    pub error: String,
}

/// The OpenAPI document, generated from the handlers' annotations and the
/// request types themselves.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "hoithi API", description = "JSON API của hoithi: chỉ nhận application/json; lỗi trả về {\"error\": …} bằng tiếng Việt; người chưa đăng nhập nhận 401, sai vai trò nhận 403 trước khi nội dung được đọc. Thời điểm theo RFC 3339, hiển thị ở +07:00. Lựa chọn là chỉ số (từ 0) của phương án theo thứ tự hiển thị của bài thi."),
    paths(
        session::create, session::delete, session::me, units::list, banks::list, users::create,
        contests::create, contests::list, contests::patch, contests::create_round, contests::list_rounds_of,
        contests::patch_round, contests::publish, contests::close,
        play::open_rounds, play::start, play::get, play::answer, play::submit,
        boards::leaderboard, boards::units, boards::contest_standings, boards::results_csv, boards::live,
        questions::void, questions::rekey,
    ),
    components(schemas(ErrorBody)),
    tags(
        (name = "session", description = "Đăng nhập"), (name = "users", description = "Tài khoản"),
        (name = "units", description = "Đơn vị"), (name = "banks", description = "Ngân hàng câu hỏi"),
        (name = "contests", description = "Cuộc thi"), (name = "rounds", description = "Vòng thi"),
        (name = "play", description = "Làm bài"), (name = "boards", description = "Bảng xếp hạng và kết quả"),
        (name = "questions", description = "Sửa đáp án"),
    )
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> actix_web::HttpResponse {
    use utoipa::OpenApi;
    actix_web::HttpResponse::Ok().json(ApiDoc::openapi())
}

/// Largest JSON body the API reads.
pub const MAX_JSON_BYTES: usize = 256 * 1024;

/// The `/api/v1` scope.
pub fn scope() -> actix_web::Scope {
    web::scope("/api/v1")
        .route("/openapi.json", web::get().to(openapi))
        .route("/session", web::post().to(session::create))
        .route("/session", web::delete().to(session::delete))
        .route("/me", web::get().to(session::me))
        .route("/units", web::get().to(units::list))
        .route("/banks", web::get().to(banks::list))
        .route("/users", web::post().to(users::create))
        .route("/contests", web::post().to(contests::create))
        .route("/contests", web::get().to(contests::list))
        .route("/contests/{slug}", web::patch().to(contests::patch))
        .route("/contests/{slug}/rounds", web::post().to(contests::create_round))
        .route("/contests/{slug}/rounds", web::get().to(contests::list_rounds_of))
        .route("/contests/{slug}/standings", web::get().to(boards::contest_standings))
        .route("/rounds", web::get().to(play::open_rounds))
        .route("/rounds/{id}", web::patch().to(contests::patch_round))
        .route("/rounds/{id}/publish", web::post().to(contests::publish))
        .route("/rounds/{id}/close", web::post().to(contests::close))
        .route("/rounds/{id}/attempts", web::post().to(play::start))
        .route("/rounds/{id}/leaderboard", web::get().to(boards::leaderboard))
        .route("/rounds/{id}/units", web::get().to(boards::units))
        .route("/rounds/{id}/results.csv", web::get().to(boards::results_csv))
        .route("/rounds/{id}/live", web::get().to(boards::live))
        .route("/attempts/{id}", web::get().to(play::get))
        .route("/attempts/{id}/items/{position}", web::put().to(play::answer))
        .route("/attempts/{id}/submit", web::post().to(play::submit))
        .route("/questions/{bank}/{key}/void", web::post().to(questions::void))
        .route("/questions/{bank}/{key}/rekey", web::post().to(questions::rekey))
}

/// Reads and parses a JSON body. Call it only after authorizing: until then
/// the body is left unread.
pub async fn json_body<T: DeserializeOwned>(req: &HttpRequest, mut payload: web::Payload) -> AppResult<T> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(AppError::UnsupportedMediaType);
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest("Không đọc được nội dung yêu cầu.".into()))?;
        if body.len() + chunk.len() > MAX_JSON_BYTES {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => AppError::Invalid(format!("Dữ liệu không hợp lệ: {e}")),
        _ => AppError::BadRequest(format!("JSON không hợp lệ: {e}")),
    })
}
