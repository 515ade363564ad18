//! The JSON API under `/api/v1`: JSON bodies only, `{"error": …}` errors in
//! Vietnamese, 401 for anonymous callers, authorization before the body is
//! read. The OpenAPI document is generated from the handlers.

pub mod banks;
pub mod boards;
pub mod contests;
pub mod items;
pub mod participants;
pub mod play;
pub mod prizes;
pub mod questions;
pub mod reports;
pub mod rounds;
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
/// request and response types themselves.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "hoithi API", description = "JSON API của hoithi: chỉ nhận application/json; lỗi trả về {\"error\": …} bằng tiếng Việt; người chưa đăng nhập nhận 401, sai vai trò nhận 403 trước khi nội dung được đọc. Mọi yêu cầu ghi (POST, PUT, PATCH, DELETE) của người đã đăng nhập phải có Content-Type: application/json hoặc tiêu đề X-Requested-With (chống CSRF), nếu không nhận 403. Máy chủ bận trả 503 kèm Retry-After. Thời điểm theo RFC 3339, hiển thị ở +07:00. Lựa chọn là chỉ số (từ 0) của phương án theo thứ tự hiển thị của bài thi. Tên trên bảng xếp hạng công khai được che (họ và chữ cái đầu) trừ khi ban tổ chức chọn show_names, và chỉ với cán bộ."),
    paths(
        openapi,
        session::create, session::delete, session::me, units::list, banks::list, users::create, users::import, users::passwords,
        contests::create, contests::list, contests::patch,
        participants::register, participants::continue_entry, participants::search, participants::reissue, participants::purge,
        rounds::create, rounds::list, rounds::patch, rounds::publish, rounds::close, rounds::copy, rounds::sample,
        play::open_rounds, play::start, play::get, play::answer, play::prediction, play::submit,
        boards::leaderboard, boards::units, boards::standings, boards::results_csv, boards::live,
        prizes::get, prizes::set, prizes::winners, prizes::unit_prizes,
        reports::stats, reports::entrants, reports::winners_export, reports::flags,
        questions::void, questions::rekey, questions::void_in_contest, questions::rekey_in_contest,
        items::round, items::contest, items::bank, items::round_export,
    ),
    components(schemas(ErrorBody, crate::domain::items::ItemFlag)),
    tags(
        (name = "session", description = "Đăng nhập"), (name = "users", description = "Tài khoản"),
        (name = "units", description = "Đơn vị"), (name = "banks", description = "Ngân hàng câu hỏi"),
        (name = "contests", description = "Cuộc thi"), (name = "participants", description = "Người dân dự thi"), (name = "rounds", description = "Vòng thi"),
        (name = "play", description = "Làm bài"), (name = "boards", description = "Bảng xếp hạng và kết quả"), (name = "prizes", description = "Giải thưởng"),
        (name = "questions", description = "Sửa đáp án và phân tích câu hỏi"),
    )
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "session", summary = "Tài liệu OpenAPI này", responses((status = 200, description = "OpenAPI 3")))]
pub async fn openapi() -> actix_web::HttpResponse {
    use utoipa::OpenApi;
    actix_web::HttpResponse::Ok().json(ApiDoc::openapi())
}

/// Largest JSON body the API reads.
pub const MAX_JSON_BYTES: usize = 256 * 1024;

/// serde_json's message, said in Vietnamese (the field names stay as sent).
pub fn vietnamese(msg: &str) -> String {
    let quoted = |s: &str| s.split('`').nth(1).unwrap_or("").to_string();
    let at = msg.find(" at line ").map(|i| &msg[i..]).unwrap_or("");
    let position = at
        .strip_prefix(" at line ")
        .and_then(|r| r.split_once(" column "))
        .map(|(l, c)| format!(" (dòng {l}, cột {c})"))
        .unwrap_or_default();
    let what = if msg.starts_with("missing field") {
        format!("thiếu trường \"{}\"", quoted(msg))
    } else if msg.starts_with("unknown field") {
        format!("không có trường \"{}\"", quoted(msg))
    } else if msg.starts_with("duplicate field") {
        format!("trường \"{}\" xuất hiện hai lần", quoted(msg))
    } else if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let rest = rest.split(" at line ").next().unwrap_or(rest);
        let (got, want) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        format!("sai kiểu dữ liệu: nhận {got}, cần {want}")
    } else if let Some(rest) = msg.strip_prefix("invalid value: ") {
        let rest = rest.split(" at line ").next().unwrap_or(rest);
        let (got, want) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        format!("giá trị không hợp lệ: {got}, cần {want}")
    } else if msg.starts_with("EOF while parsing") {
        "nội dung JSON bị cắt ngang".to_string()
    } else if msg.starts_with("expected") || msg.starts_with("trailing") || msg.starts_with("key must be") {
        "sai cú pháp JSON".to_string()
    } else if msg.contains("out of range") || msg.contains("number too large") {
        "số nằm ngoài phạm vi cho phép".to_string()
    } else {
        "dữ liệu không đúng định dạng".to_string()
    };
    format!("{what}{position}")
}

fn has_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(has_nul),
        serde_json::Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

async fn read_body(mut payload: web::Payload, max: usize) -> AppResult<web::BytesMut> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest("Không đọc được nội dung yêu cầu.".into()))?;
        if body.len() + chunk.len() > max {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn parse_json<T: DeserializeOwned>(req: &HttpRequest, body: &[u8]) -> AppResult<T> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(AppError::UnsupportedMediaType);
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("JSON không hợp lệ: {}.", vietnamese(&e.to_string()))))?;
    if has_nul(&value) {
        return Err(AppError::BadRequest("Nội dung chứa ký tự không hợp lệ (NUL).".into()));
    }
    serde_json::from_value(value)
        .map_err(|e| AppError::Invalid(format!("Dữ liệu không hợp lệ: {}.", vietnamese(&e.to_string()))))
}

/// Reads and parses a JSON body (chunked or not). Call it only after
/// authorizing: until then the body is left unread.
pub async fn json_body<T: DeserializeOwned>(req: &HttpRequest, payload: web::Payload) -> AppResult<T> {
    json_body_up_to(req, payload, MAX_JSON_BYTES).await
}

/// [`json_body`] for a body that may be larger than [`MAX_JSON_BYTES`], up to `max`.
pub async fn json_body_up_to<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    max: usize,
) -> AppResult<T> {
    let body = read_body(payload, max).await?;
    parse_json(req, &body)
}

/// [`json_body`] for a body that may be left out: an empty body (with or
/// without a length, chunked too) reads as `T::default()`.
pub async fn optional_json_body<T: DeserializeOwned + Default>(
    req: &HttpRequest,
    payload: web::Payload,
) -> AppResult<T> {
    let body = read_body(payload, MAX_JSON_BYTES).await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    parse_json(req, &body)
}

/// A bank/key path of an API route.
#[derive(serde::Deserialize)]
pub struct QuestionPath {
    /// Bank slug.
    pub bank: String,
    /// Question key.
    pub key: String,
}

#[cfg(test)]
mod tests {
    use super::vietnamese;

    fn err<T: serde::de::DeserializeOwned + std::fmt::Debug>(s: &str) -> String {
        vietnamese(&serde_json::from_str::<T>(s).unwrap_err().to_string())
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        choices: Vec<usize>,
    }

    #[test]
    fn decoder_errors_are_said_in_vietnamese() {
        assert_eq!(err::<Body>("{}"), "thiếu trường \"choices\" (dòng 1, cột 2)");
        assert!(err::<Body>(r#"{"choices":[],"x":1}"#).starts_with("không có trường \"x\""));
        assert!(err::<Body>(r#"{"choices":"a"}"#).starts_with("sai kiểu dữ liệu: nhận string \"a\", cần a sequence"));
        assert!(err::<Body>(r#"{"choices":[-1]}"#).starts_with("giá trị không hợp lệ"));
        assert!(err::<Body>(r#"{"choices":["#).starts_with("nội dung JSON bị cắt ngang"));
        assert!(err::<serde_json::Value>("{x}").starts_with("sai cú pháp JSON"));
    }
}
