//! Sessions as signed cookies (HttpOnly, SameSite=Lax, Secure over https).
//!
//! The cookie holds `user id : session epoch : issued (unix seconds)`. Each
//! request reloads the user, so a disabled account or a changed password
//! (which bumps the epoch) ends every older session at once, on every node.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, CookieJar, SameSite, time::Duration as CookieDuration};
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};

use crate::db::users::find_user;
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
}

impl CurrentUser {
    /// Forbidden unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// For the audit log.
    pub fn actor(&self) -> crate::db::audit::Actor {
        crate::db::audit::Actor { id: Some(self.id), name: self.username.clone() }
    }
}

/// A signed session cookie for `user_id` at `epoch`, issued at `now_unix`.
pub fn session_cookie(state: &AppState, user_id: i64, epoch: i32, now_unix: i64) -> Cookie<'static> {
    let cookie = Cookie::build(SESSION_COOKIE, format!("{user_id}:{epoch}:{now_unix}"))
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

fn parse_session(value: &str) -> Option<(i64, i32, i64)> {
    let mut parts = value.split(':');
    let id = parts.next()?.parse().ok()?;
    let epoch = parts.next()?.parse().ok()?;
    let issued = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((id, epoch, issued))
}

/// Loads the session's user, if the cookie is valid and the account usable.
async fn load(req: &HttpRequest) -> Result<Option<CurrentUser>, AppError> {
    if let Some(cached) = req.extensions().get::<Option<CurrentUser>>() {
        return Ok(cached.clone());
    }
    let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| anyhow::anyhow!("AppState missing"))?;
    let session = verified_value(state, req, SESSION_COOKIE).as_deref().and_then(parse_session);
    let user = match session {
        None => None,
        Some((id, epoch, issued)) => {
            let now = chrono::Utc::now().timestamp();
            let fresh = issued <= now + 60 && now - issued < SESSION_HOURS * 3600;
            if !fresh {
                None
            } else {
                state.read(move |c| find_user(c, id)).await?.filter(|u| !u.disabled && u.session_epoch == epoch).map(
                    |u| CurrentUser {
                        id: u.id,
                        role: u.role(),
                        username: u.username,
                        full_name: u.full_name,
                        unit_id: u.unit_id,
                    },
                )
            }
        }
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

#[cfg(test)]
mod tests {
    use super::parse_session;

    #[test]
    fn session_values_parse_strictly() {
        assert_eq!(parse_session("5:2:1700000000"), Some((5, 2, 1_700_000_000)));
        assert_eq!(parse_session("5:2"), None);
        assert_eq!(parse_session("5:2:1:9"), None);
        assert_eq!(parse_session("x:2:1"), None);
    }
}
