//! Sessions: a signed cookie (HttpOnly, SameSite=Lax, Secure over https)
//! carrying the random id of a row of `sessions`. Each request loads the
//! session's user in one query, so logging out, disabling the account or a
//! password change ends a session at once, on every node.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, CookieJar, SameSite, time::Duration as CookieDuration};
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};

use crate::domain::people::Role;
use crate::error::AppError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "hoithi_session";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

/// The logged-in user, loaded fresh for this request.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CurrentUser {
    /// User id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Unit id.
    pub unit_id: Option<i64>,
    /// This device's session.
    #[serde(skip)]
    pub session_id: String,
}

impl CurrentUser {
    /// For the audit log.
    pub fn actor(&self) -> crate::db::audit::Actor {
        crate::db::audit::Actor { id: Some(self.id), name: self.username.clone() }
    }
}

/// A signed session cookie carrying `session_id`.
pub fn session_cookie(state: &AppState, session_id: &str) -> Cookie<'static> {
    let cookie = Cookie::build(SESSION_COOKIE, session_id.to_string())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .max_age(CookieDuration::hours(SESSION_HOURS))
        .finish();
    sign(state, cookie)
}

/// A cookie that removes the session.
pub fn clear_session_cookie(state: &AppState) -> Cookie<'static> {
    let mut c = Cookie::build(SESSION_COOKIE, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .finish();
    c.make_removal();
    c
}

/// Signs a cookie with the cookie key.
pub fn sign(state: &AppState, cookie: Cookie<'static>) -> Cookie<'static> {
    let name = cookie.name().to_string();
    let mut jar = CookieJar::new();
    jar.signed_mut(&state.keys.cookie).add(cookie);
    jar.get(&name).cloned().unwrap_or_else(|| Cookie::new(name, ""))
}

/// The value of a signed cookie, if present and genuine.
pub fn verified_value(state: &AppState, req: &HttpRequest, name: &str) -> Option<String> {
    let cookie = req.cookie(name)?;
    let mut jar = CookieJar::new();
    jar.add_original(cookie.into_owned());
    jar.signed(&state.keys.cookie).get(name).map(|c| c.value().to_string())
}

/// Whether a cookie value has the shape of a session id (32 hex digits).
fn is_session_id(v: &str) -> bool {
    v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The session's user, if the cookie is genuine, the session live and the
/// account usable (cached for the rest of the request).
pub async fn load(req: &HttpRequest) -> Result<Option<CurrentUser>, AppError> {
    if let Some(cached) = req.extensions().get::<Option<CurrentUser>>() {
        return Ok(cached.clone());
    }
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| anyhow::anyhow!("AppState missing"))?;
    let user = match verified_value(state, req, SESSION_COOKIE).filter(|v| is_session_id(v)) {
        None => None,
        Some(id) => state.session_user(&id).await?,
    };
    req.extensions_mut().insert(user.clone());
    Ok(user)
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { load(&req).await?.ok_or(AppError::Unauthorized) })
    }
}

/// The user if logged in; never fails for a missing or stale session.
#[derive(Clone, Debug)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeUser(load(&req).await?)) })
    }
}

/// Role guards: a handler that takes one of these is reached only by a user
/// whose role [`crate::engine::access`] admits (else 401 or 403).
macro_rules! guard {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name(pub CurrentUser);

        impl FromRequest for $name {
            type Error = AppError;
            type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let req = req.clone();
                Box::pin(async move {
                    let user = load(&req).await?.ok_or(AppError::Unauthorized)?;
                    $check(user.role)?;
                    Ok($name(user))
                })
            }
        }
    };
}

guard!(
    /// An organizer or an admin.
    Staff,
    crate::engine::access::require_staff
);
guard!(
    /// An admin.
    Admin,
    crate::engine::access::require_admin
);
guard!(
    /// A unit manager.
    UnitManager,
    crate::engine::access::require_unit_manager
);

#[cfg(test)]
mod tests {
    use super::is_session_id;

    #[test]
    fn session_ids_are_32_hex_digits() {
        assert!(is_session_id("0123456789abcdef0123456789abcdef"));
        assert!(!is_session_id("5:2:1700000000"));
        assert!(!is_session_id("0123456789abcdef0123456789abcde"));
        assert!(!is_session_id("0123456789abcdef0123456789abcdeg"));
    }
}
