//! The participant cookie of residents: signed, HttpOnly, carrying a random
//! device id and the participant ids registered or continued on this
//! device (one per contest). It lasts until the last round of those
//! contests closes. A request with an account session acts for the account.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};

use super::session::{load, sign, verified_value};
use crate::engine::access::Entrant;
use crate::error::AppError;
use crate::state::AppState;

/// The cookie's name.
pub const PARTICIPANT_COOKIE: &str = "hoithi_participant";
/// Entries one device keeps (the oldest go first).
const MAX_IDS: usize = 20;

/// What the cookie carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceEntries {
    /// A random id for this device (16 hex digits).
    pub device: String,
    /// Participant ids, oldest first.
    pub ids: Vec<i64>,
}

impl DeviceEntries {
    /// A new device with no entry yet.
    pub fn new_device() -> Self {
        let mut b = [0u8; 8];
        rand::fill(&mut b);
        Self { device: hex::encode(b), ids: Vec::new() }
    }

    /// `device.id-id-id`, as the cookie stores it.
    fn encode(&self) -> String {
        let ids: Vec<String> = self.ids.iter().map(i64::to_string).collect();
        format!("{}.{}", self.device, ids.join("-"))
    }

    fn decode(v: &str) -> Option<Self> {
        let (device, ids) = v.split_once('.')?;
        if device.len() != 16 || !device.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let ids = ids.split('-').filter(|s| !s.is_empty()).map(str::parse).collect::<Result<Vec<i64>, _>>().ok()?;
        Some(Self { device: device.to_string(), ids })
    }

    /// Adds an entry (kept once, most recent last).
    pub fn with(mut self, id: i64) -> Self {
        self.ids.retain(|i| *i != id);
        self.ids.push(id);
        if self.ids.len() > MAX_IDS {
            self.ids.remove(0);
        }
        self
    }
}

/// The device's entries, if its cookie is genuine.
pub fn device_entries(state: &AppState, req: &HttpRequest) -> Option<DeviceEntries> {
    verified_value(state, req, PARTICIPANT_COOKIE).and_then(|v| DeviceEntries::decode(&v))
}

/// The signed cookie for `entries`, valid for `max_age`.
pub fn participant_cookie(state: &AppState, entries: &DeviceEntries, max_age: chrono::Duration) -> Cookie<'static> {
    let cookie = Cookie::build(PARTICIPANT_COOKIE, entries.encode())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .max_age(CookieDuration::seconds(max_age.num_seconds().max(60)))
        .finish();
    sign(state, cookie)
}

/// The entrant of a request: the account when logged in, else the
/// resident entries of the device; `None` for neither.
pub async fn load_entrant(req: &HttpRequest) -> Result<Option<Entrant>, AppError> {
    if let Some(cached) = req.extensions().get::<Option<Entrant>>() {
        return Ok(cached.clone());
    }
    let who = match load(req).await? {
        Some(user) => Some(Entrant::Account(user)),
        None => {
            let state = req.app_data::<web::Data<AppState>>().ok_or_else(|| anyhow::anyhow!("AppState missing"))?;
            match device_entries(state, req) {
                Some(d) if !d.ids.is_empty() => {
                    let mut found = state.participants_by_ids(d.ids.clone()).await?;
                    // In the cookie's order: the person who registered or
                    // continued last on this device comes last.
                    found.sort_by_key(|p| d.ids.iter().position(|i| *i == p.id));
                    (!found.is_empty()).then_some(Entrant::Resident(found))
                }
                _ => None,
            }
        }
    };
    req.extensions_mut().insert(who.clone());
    Ok(who)
}

impl FromRequest for Entrant {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { load_entrant(&req).await?.ok_or(AppError::Unauthorized) })
    }
}

/// The entrant if there is one; never fails for a missing cookie.
#[derive(Clone, Debug)]
pub struct MaybeEntrant(pub Option<Entrant>);

impl FromRequest for MaybeEntrant {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeEntrant(load_entrant(&req).await?)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_value_round_trips_and_refuses_junk() {
        let d = DeviceEntries { device: "0123456789abcdef".into(), ids: vec![] }.with(3).with(9).with(3);
        assert_eq!(d.ids, [9, 3]);
        assert_eq!(DeviceEntries::decode(&d.encode()), Some(d));
        assert_eq!(DeviceEntries::decode("0123456789abcdef.").unwrap().ids, Vec::<i64>::new());
        for bad in ["", "x.1", "0123456789abcdef", "0123456789abcdef.1-x", "0123456789abcdeg.1"] {
            assert_eq!(DeviceEntries::decode(bad), None, "{bad}");
        }
        let mut many = DeviceEntries::new_device();
        for i in 0..30 {
            many = many.with(i);
        }
        assert_eq!(many.ids.len(), MAX_IDS);
        assert_eq!(many.ids[0], 10);
    }
}
