//! `/static/…` from the files compiled into the binary.

use actix_web::{HttpResponse, http::header, web};

use crate::assets::Static;
use crate::error::{AppError, AppResult};

/// Serves one embedded file with a long cache life (names change with content only by release).
pub async fn serve(path: web::Path<String>) -> AppResult<HttpResponse> {
    let path = path.into_inner();
    let file = Static::get(&path).ok_or_else(AppError::not_found)?;
    let mime = match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("csv") => "text/csv; charset=utf-8",
        _ => "application/octet-stream",
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, mime))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::ETAG, format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..8]))))
        .body(file.data.into_owned()))
}
