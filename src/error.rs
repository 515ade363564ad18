//! One error type for handlers. The user sees a clear message in Vietnamese;
//! the log gets the cause chain; a 500 says nothing internal.
//!
//! `AppError` answers JSON (`{"error": "…"}`); the `error_pages` middleware
//! turns error responses of HTML pages into a page (or a redirect to the
//! login page for 401), so handlers never care which they serve.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

/// What went wrong, as the client should hear it.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 401: not logged in (or the session ended).
    #[error("Bạn cần đăng nhập.")]
    Unauthorized,
    /// 401 with a message (wrong username or password).
    #[error("{0}")]
    BadCredentials(String),
    /// 403: logged in, but not allowed.
    #[error("Bạn không có quyền thực hiện thao tác này.")]
    Forbidden,
    /// 403 with the reason.
    #[error("{0}")]
    Denied(String),
    /// 403: a form post without its CSRF token.
    #[error("Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và gửi lại.")]
    Csrf,
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 409: the state does not allow it (message says why).
    #[error("{0}")]
    Conflict(String),
    /// 410: it existed and is gone for good (a one-time download taken).
    #[error("{0}")]
    Gone(String),
    /// 400: the request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// 422: well-formed but invalid input (message says what to fix).
    #[error("{0}")]
    Invalid(String),
    /// 415: the API takes JSON only.
    #[error("Yêu cầu phải có Content-Type: application/json.")]
    UnsupportedMediaType,
    /// 413: the body is larger than the API reads.
    #[error("Dữ liệu gửi lên quá lớn.")]
    PayloadTooLarge,
    /// 429: too many failed attempts; come back after this many seconds.
    #[error("{0}")]
    TooManyRequests(String, u64),
    /// 503: not ready or overloaded.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a bug or an outage; details go to the log only.
    #[error("Đã có lỗi ở máy chủ. Vui lòng thử lại sau.")]
    Unexpected(#[from] anyhow::Error),
}

/// Seconds a client is told to wait after a 503 or 429 (`Retry-After`).
pub const RETRY_AFTER_S: u32 = 2;

/// The message shown to the client, attached to error responses so that
/// middleware can render it in a page.
#[derive(Clone, Debug)]
pub struct ErrorMessage(pub String);

impl AppError {
    /// 404 with the default message.
    pub fn not_found() -> Self {
        AppError::NotFound("Không tìm thấy trang hoặc dữ liệu yêu cầu.".into())
    }
}

/// The message of a 503 when the database is busy or cannot take writes.
pub const BUSY: &str = "Máy chủ đang bận, vui lòng thử lại sau giây lát.";

/// Whether a database error means "busy, locked, read-only or gone for now"
/// rather than a bug: SQLite's busy and read-only errors, PostgreSQL's lock
/// and statement timeouts, a read-only transaction, a closed connection.
pub fn is_transient(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind as K, Error};
    match e {
        Error::DatabaseError(K::ReadOnlyTransaction | K::ClosedConnection | K::SerializationFailure, _) => true,
        Error::DatabaseError(_, info) => {
            let m = info.message().to_ascii_lowercase();
            [
                "database is locked",
                "database is busy",
                "readonly database",
                "lock timeout",
                "statement timeout",
                "disk",
                "terminating connection",
                "server closed",
            ]
            .iter()
            .any(|needle| m.contains(needle))
        }
        _ => false,
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::not_found(),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => AppError::Conflict(
                "Dữ liệu vừa được thay đổi bởi một yêu cầu khác cùng lúc. Vui lòng tải lại và thử lại.".into(),
            ),
            ref other if is_transient(other) => {
                tracing::warn!(error = %other, "database busy or unavailable");
                AppError::Unavailable(BUSY.into())
            }
            other => AppError::Unexpected(anyhow::Error::new(other).context("database query")),
        }
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        tracing::warn!(error = %e, "no database connection in time");
        AppError::Unavailable(BUSY.into())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Unexpected(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Unauthorized | AppError::BadCredentials(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Denied(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let message = self.to_string();
        if let AppError::Unexpected(e) = self {
            tracing::error!(error = ?format!("{e:#}"), "request failed");
        }
        let mut b = HttpResponse::build(self.status_code());
        // Clients (the attempt page's retry queue, load balancers) come back later.
        match self {
            AppError::Unavailable(_) => {
                b.insert_header((actix_web::http::header::RETRY_AFTER, RETRY_AFTER_S.to_string()));
            }
            AppError::TooManyRequests(_, s) => {
                b.insert_header((actix_web::http::header::RETRY_AFTER, s.max(&1).to_string()));
            }
            _ => {}
        }
        let mut res = b.json(serde_json::json!({ "error": message }));
        res.extensions_mut().insert(ErrorMessage(message));
        res
    }
}

/// The Vietnamese message for an error status that came from outside
/// `AppError` (actix's own 404, 405, 413, payload errors…).
pub fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Yêu cầu không hợp lệ.",
        401 => "Bạn cần đăng nhập.",
        403 => "Bạn không có quyền thực hiện thao tác này.",
        404 => "Không tìm thấy trang hoặc dữ liệu yêu cầu.",
        405 => "Phương thức không được hỗ trợ cho địa chỉ này.",
        408 => "Yêu cầu quá thời gian chờ.",
        410 => "Dữ liệu này không còn nữa.",
        413 => "Dữ liệu gửi lên quá lớn.",
        415 => "Yêu cầu phải có Content-Type: application/json.",
        422 => "Dữ liệu không hợp lệ.",
        429 => "Bạn thao tác quá nhiều lần. Vui lòng thử lại sau.",
        503 => "Máy chủ tạm thời không sẵn sàng. Vui lòng thử lại sau.",
        s if s >= 500 => "Đã có lỗi ở máy chủ. Vui lòng thử lại sau.",
        _ => "Yêu cầu không thực hiện được.",
    }
}

/// The heading of an error page and what to do next, in words: the page
/// says what happened, never a status number.
pub fn page_heading(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 | 405 | 415 => {
            ("Yêu cầu không đúng", "Hãy quay lại trang trước và làm lại từ các nút, liên kết trên trang.")
        }
        403 => (
            "Bạn không được xem hoặc làm việc này",
            "Nếu cần quyền này, hãy báo ban tổ chức hoặc quản trị viên; nếu biểu mẫu đã hết hạn, hãy tải lại trang.",
        ),
        404 => ("Không tìm thấy", "Địa chỉ có thể đã sai hoặc mục này đã bị xóa. Hãy về trang chủ và tìm lại."),
        409 => ("Chưa làm được việc này lúc này", "Hãy đọc lý do bên dưới, tải lại trang rồi thử lại nếu cần."),
        410 => ("Mục này không còn nữa", "Nếu vẫn cần, hãy làm lại từ đầu."),
        413 => ("Tệp hoặc dữ liệu gửi lên quá lớn", "Hãy chia nhỏ rồi gửi lại."),
        422 => ("Thông tin chưa hợp lệ", "Hãy quay lại trang trước, sửa theo hướng dẫn bên dưới và gửi lại."),
        429 => ("Bạn đã thử quá nhiều lần", "Hãy chờ một lát rồi thử lại."),
        503 => ("Máy chủ đang bận", "Hãy chờ vài giây rồi tải lại trang."),
        s if s >= 500 => ("Máy chủ đang gặp sự cố", "Hãy thử lại sau ít phút; nếu vẫn lỗi, hãy báo ban tổ chức."),
        _ => ("Chưa làm được việc này", "Hãy quay lại trang trước và thử lại."),
    }
}

/// Handler result.
pub type AppResult<T> = Result<T, AppError>;
