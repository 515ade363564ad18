//! CSRF tokens for HTML forms: a random token in a signed cookie, repeated
//! in a hidden field; a post whose field does not match is refused. (The
//! JSON API needs none: it takes `application/json` only, which a
//! cross-site form cannot send, and cookies are SameSite=Lax.)

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};

use super::session::{sign, verified_value};
use crate::error::AppError;
use crate::state::AppState;

/// The CSRF cookie's name.
pub const CSRF_COOKIE: &str = "hoithi_csrf";

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

/// Refuses a form post whose token is missing or wrong.
pub fn verify(state: &AppState, req: &HttpRequest, submitted: &str) -> Result<(), AppError> {
    let expected = verified_value(state, req, CSRF_COOKIE).unwrap_or_default();
    let ok = !expected.is_empty() && constant_time_eq(expected.as_bytes(), submitted.as_bytes());
    if ok { Ok(()) } else { Err(AppError::Csrf) }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
