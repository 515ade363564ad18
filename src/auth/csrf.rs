//! CSRF for HTML forms: a random token in a signed cookie, repeated in a
//! hidden field. Every form handler takes a [`CsrfForm`], the one extractor
//! that reads a posted form (url-encoded or multipart) and refuses it when
//! the token is missing or wrong, so no handler can forget the check.
//! (JSON API writes are guarded by `routes::api_csrf` instead.)

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use futures_util::StreamExt;

use super::session::{sign, verified_value};
use crate::error::AppError;
use crate::state::AppState;

/// The CSRF cookie's name.
pub const CSRF_COOKIE: &str = "hoithi_csrf";
/// The form field carrying the token.
pub const CSRF_FIELD: &str = "csrf";
/// Largest file a multipart form may carry.
pub const MAX_FILE: usize = 5 * 1024 * 1024;

/// The request's token, or a new one with the cookie to set.
pub fn token(state: &AppState, req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
    if let Some(t) = verified_value(state, req, CSRF_COOKIE).filter(|t| t.len() == 32) {
        return (t, None);
    }
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    let t = hex::encode(bytes);
    let cookie = Cookie::build(CSRF_COOKIE, t.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .finish();
    (t, Some(sign(state, cookie)))
}

/// Compares secrets without leaking where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A file sent with a multipart form.
#[derive(Clone, Debug, Default)]
pub struct UploadedFile {
    /// The name the browser gave it.
    pub filename: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A posted form whose CSRF token matched: its text fields (repeated keys
/// kept, as checkboxes send them) and, for multipart forms, its files.
#[derive(Clone, Debug, Default)]
pub struct CsrfForm {
    fields: Vec<(String, String)>,
    files: Vec<(String, UploadedFile)>,
}

impl CsrfForm {
    /// The first value of a field, or "".
    pub fn field(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    /// Every value of a field.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.field(name) == "on"
    }

    /// Every field name.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(k, _)| k.as_str())
    }

    /// A file field.
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files.iter().find(|(k, _)| k == name).map(|(_, f)| f)
    }

    /// A form built in code (tests of handlers' parsing).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self { fields: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), files: Vec::new() }
    }
}

fn bad_form() -> AppError {
    AppError::BadRequest("Không đọc được biểu mẫu gửi lên. Vui lòng tải lại trang và gửi lại.".into())
}

async fn read_multipart(req: &HttpRequest, payload: Payload) -> Result<CsrfForm, AppError> {
    let mut mp = actix_multipart::Multipart::new(req.headers(), payload);
    let mut form = CsrfForm::default();
    while let Some(part) = mp.next().await {
        let mut part = part.map_err(|_| bad_form())?;
        let name = part.name().unwrap_or("").to_string();
        let filename = part.content_disposition().and_then(|cd| cd.get_filename()).map(str::to_string);
        let mut data = Vec::new();
        while let Some(chunk) = part.next().await {
            data.extend_from_slice(&chunk.map_err(|_| bad_form())?);
            if data.len() > MAX_FILE {
                return Err(AppError::PayloadTooLarge);
            }
        }
        match filename {
            Some(filename) => form.files.push((name, UploadedFile { filename, bytes: data })),
            None => form.fields.push((name, String::from_utf8(data).map_err(|_| bad_form())?)),
        }
    }
    Ok(form)
}

impl FromRequest for CsrfForm {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        let body = if multipart { None } else { Some(web::Bytes::from_request(&req, payload)) };
        let payload = payload.take();
        Box::pin(async move {
            let form = match body {
                Some(body) => {
                    let bytes = body.await.map_err(|e| match e.as_response_error().status_code().as_u16() {
                        413 => AppError::PayloadTooLarge,
                        _ => bad_form(),
                    })?;
                    let fields =
                        form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
                    CsrfForm { fields, files: Vec::new() }
                }
                None => read_multipart(&req, payload).await?,
            };
            if form.fields.iter().any(|(k, v)| k.contains('\0') || v.contains('\0')) {
                return Err(AppError::BadRequest("Biểu mẫu chứa ký tự không hợp lệ.".into()));
            }
            let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| anyhow::anyhow!("AppState missing"))?;
            let expected = verified_value(state, &req, CSRF_COOKIE).unwrap_or_default();
            let submitted = form.field(CSRF_FIELD);
            if expected.is_empty() || !constant_time_eq(expected.as_bytes(), submitted.as_bytes()) {
                return Err(AppError::Csrf);
            }
            Ok(form)
        })
    }
}
