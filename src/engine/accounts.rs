//! Accounts: logging in and out (a session per device), passwords, and the
//! admin's account actions.

use chrono::Duration;

use super::Engine;
use crate::auth::CurrentUser;
use crate::auth::password::generate_password;
use crate::auth::ratelimit::UNKNOWN_PER_WINDOW;
use crate::auth::session::SESSION_HOURS;
use crate::db::audit::Actor;
use crate::db::sessions::{delete_expired_sessions, delete_session, find_session_user, insert_session};
use crate::db::units::{find_unit_by_code, list_units};
use crate::db::users::{
    NewUser, SearchWord, User, UserListItem, count_matching_users, count_users, find_user, find_user_by_username,
    insert_user, move_to_unit, search_users, set_disabled, set_password, update_contact,
};
use crate::domain::contact::{Email, Phone, search_words};
use crate::domain::people::{FullName, NewAccount, NewPassword, Username};
use crate::domain::text::fold_ascii;
use crate::error::{AppError, AppResult};

/// Accounts per page of the users page.
pub const ACCOUNTS_PER_PAGE: i64 = 50;

/// One page of a search over accounts.
#[derive(Debug, Clone)]
pub struct AccountPage {
    /// Accounts in all.
    pub all: i64,
    /// Accounts matching the search.
    pub matching: i64,
    /// This page (1-based) and the number of pages (at least 1).
    pub page: i64,
    /// Pages.
    pub pages: i64,
    /// The accounts of this page, by username.
    pub items: Vec<UserListItem>,
}

/// Logs a failed login. Debug formatting escapes what the user typed, so
/// a newline in a login name cannot forge a log line.
fn log_login_failed(username: &str, client_ip: &str) {
    tracing::info!(username = ?username, client_ip = ?client_ip, "login failed");
}

fn bad_credentials() -> AppError {
    AppError::BadCredentials("Tên đăng nhập hoặc mật khẩu không đúng.".into())
}

fn slow_down(wait: Duration) -> AppError {
    let s = wait.num_seconds().max(1) as u64;
    AppError::TooManyRequests(format!("Bạn đã nhập sai nhiều lần. Vui lòng thử lại sau {s} giây."), s)
}

/// A new random session id (128 bits, hex).
fn new_session_id() -> String {
    let mut b = [0u8; 16];
    rand::fill(&mut b);
    hex::encode(b)
}

impl Engine {
    /// The user of a live session, as this request sees them.
    pub async fn session_user(&self, session_id: &str) -> AppResult<Option<CurrentUser>> {
        let (id, t) = (session_id.to_string(), self.now());
        let user = self.read(move |c| find_session_user(c, &id, t)).await?;
        Ok(user.filter(|u| !u.disabled).map(|u| CurrentUser {
            id: u.id,
            role: u.role,
            username: u.username,
            full_name: u.full_name,
            unit_id: u.unit_id,
            session_id: session_id.to_string(),
        }))
    }

    /// Checks a username and password within the login limits (see
    /// `auth::ratelimit`) and opens a session; returns the user and the
    /// session id. Unknown usernames cost a dummy hash.
    pub async fn log_in(&self, username: &str, password: &str, client_ip: &str) -> AppResult<(User, String)> {
        let now = self.now();
        let name = Username::parse(username).map(|u| u.as_str().to_string()).ok();
        let shown = name.clone().unwrap_or_else(|| username.trim().to_lowercase());
        let pair = format!("{shown}|{client_ip}");
        let limits = &self.login_limits;
        if let Some(wait) = limits.per_pair.wait(&pair, now) {
            return Err(slow_down(wait));
        }
        let user = match name.clone() {
            Some(n) => self.read(move |c| find_user_by_username(c, &n)).await?,
            None => None,
        };
        if user.is_none() && limits.unknown_per_address.is_full(client_ip, UNKNOWN_PER_WINDOW, now) {
            tracing::info!(username = ?shown, client_ip = ?client_ip, "login refused: too many unknown usernames from this address");
            return Err(slow_down(Duration::minutes(1)));
        }
        let verified = self.hasher.verify(user.as_ref().map(|u| u.password_hash.clone()), password.to_string()).await?;
        match user {
            Some(u) if verified => {
                if u.disabled {
                    tracing::info!(username = ?u.username, "login refused: account disabled");
                    return Err(AppError::BadCredentials(
                        "Tài khoản này đã bị khóa. Vui lòng liên hệ quản trị viên.".into(),
                    ));
                }
                limits.per_pair.reset(&pair);
                let (sid, uid, expires) = (new_session_id(), u.id, now + Duration::hours(SESSION_HOURS));
                let s2 = sid.clone();
                self.write(move |c| insert_session(c, &s2, uid, now, expires)).await?;
                tracing::info!(username = ?u.username, "login");
                Ok((u, sid))
            }
            found => {
                limits.per_pair.record_failure(&pair, now);
                if found.is_none() {
                    limits.unknown_per_address.record(client_ip, UNKNOWN_PER_WINDOW, now);
                }
                log_login_failed(&shown, client_ip);
                Err(bad_credentials())
            }
        }
    }

    /// Ends one device's session.
    pub async fn log_out(&self, session_id: &str) -> AppResult<()> {
        let id = session_id.to_string();
        self.write(move |c| delete_session(c, &id)).await?;
        Ok(())
    }

    /// Forgets expired sessions (the sweeper calls it).
    pub async fn expire_sessions(&self) -> AppResult<usize> {
        let t = self.now();
        self.write(move |c| delete_expired_sessions(c, t)).await
    }

    /// Changes the user's own password; their other devices' sessions end.
    pub async fn change_password(&self, user: &CurrentUser, current: &str, new: &str, confirm: &str) -> AppResult<()> {
        let new = NewPassword::parse(new, &user.username).map_err(AppError::Invalid)?;
        if new.expose() != confirm {
            return Err(AppError::Invalid("Mật khẩu nhập lại không khớp.".into()));
        }
        let id = user.id;
        let stored = self.read(move |c| find_user(c, id)).await?.ok_or(AppError::Unauthorized)?;
        if !self.hasher.verify(Some(stored.password_hash), current.to_string()).await? {
            return Err(AppError::Invalid("Mật khẩu hiện tại không đúng.".into()));
        }
        let hash = self.hasher.hash(new.expose().to_string()).await?;
        let (actor, keep) = (user.actor(), user.session_id.clone());
        self.write(move |c| set_password(c, id, &hash, &actor, "user.password_change", Some(&keep))).await?;
        Ok(())
    }

    /// Creates a checked account; returns it, the generated password (if
    /// none was given) and the unit's code.
    pub async fn create_account(
        &self,
        v: NewAccount,
        actor: Actor,
    ) -> AppResult<(User, Option<String>, Option<String>)> {
        let unit = match v.unit_code.clone() {
            Some(code) => {
                let lookup = code.clone();
                let unit = self.read(move |c| find_unit_by_code(c, &lookup)).await?;
                Some(unit.ok_or_else(|| AppError::Invalid(format!("Không có đơn vị mã \"{code}\".")))?)
            }
            None => None,
        };
        let (password, generated) = match v.password {
            Some(p) => (p.expose().to_string(), None),
            None => {
                let p = generate_password();
                (p.clone(), Some(p))
            }
        };
        let hash = self.hasher.hash(password).await?;
        let (username, full_name, role) = (v.username.as_str().to_string(), v.full_name.as_str().to_string(), v.role);
        let email = v.email.as_ref().map(|e| e.as_str().to_string());
        let phone = v.phone.as_ref().map(|p| p.as_str().to_string());
        let unit_id = unit.as_ref().map(|u| u.id);
        let created = self
            .write(move |c| {
                let new = NewUser {
                    username: &username,
                    password_hash: &hash,
                    full_name: &full_name,
                    role,
                    unit_id,
                    email: email.as_deref(),
                    phone: phone.as_deref(),
                };
                insert_user(c, &new, &actor)
            })
            .await?
            .ok_or_else(|| {
                AppError::Conflict(format!("Tên đăng nhập \"{}\" đã có người dùng.", v.username.as_str()))
            })?;
        Ok((created, generated, unit.map(|u| u.code)))
    }

    /// An account by id (admins' pages).
    pub async fn account(&self, id: i64) -> AppResult<User> {
        self.read(move |c| find_user(c, id))
            .await?
            .ok_or_else(|| AppError::NotFound("Không tìm thấy tài khoản.".into()))
    }

    /// Page `page` (1-based; past the end: the last) of the accounts whose
    /// username, name, email or phone holds every word of `q`, or whose unit
    /// (or a unit above theirs) does, by code or name; diacritics ignored.
    pub async fn search_accounts(&self, q: &str, page: i64) -> AppResult<AccountPage> {
        let words = search_words(q);
        self.read(move |c| {
            let units = if words.is_empty() { Vec::new() } else { list_units(c)? };
            let nodes = super::boards::nodes(&units);
            let words: Vec<SearchWord> = words
                .into_iter()
                .map(|word| {
                    let mut ids: Vec<i64> = units
                        .iter()
                        .filter(|u| fold_ascii(&u.code).contains(&word) || fold_ascii(&u.name).contains(&word))
                        .flat_map(|u| crate::domain::rollup::subtree(&nodes, u.id))
                        .collect();
                    ids.sort_unstable();
                    ids.dedup();
                    SearchWord { word, units: ids }
                })
                .collect();
            let all = count_users(c)?;
            let matching = count_matching_users(c, &words)?;
            let pages = ((matching + ACCOUNTS_PER_PAGE - 1) / ACCOUNTS_PER_PAGE).max(1);
            let page = page.clamp(1, pages);
            let items = search_users(c, &words, (page - 1) * ACCOUNTS_PER_PAGE, ACCOUNTS_PER_PAGE)?;
            Ok(AccountPage { all, matching, page, pages, items })
        })
        .await
    }

    /// Changes an account's name, email and phone, checked.
    pub async fn update_account(
        &self,
        admin: &CurrentUser,
        id: i64,
        full_name: &str,
        email: &str,
        phone: &str,
    ) -> AppResult<User> {
        let target = self.account(id).await?;
        let name = FullName::parse(full_name).map_err(AppError::Invalid)?;
        let email = Email::parse_optional(email).map_err(AppError::Invalid)?;
        let phone = Phone::parse_optional(phone).map_err(AppError::Invalid)?;
        let actor = admin.actor();
        self.write(move |c| {
            update_contact(
                c,
                id,
                name.as_str(),
                email.as_ref().map(Email::as_str),
                phone.as_ref().map(Phone::as_str),
                &actor,
            )
        })
        .await?;
        Ok(target)
    }

    /// Disables (ending every session) or re-enables an account.
    pub async fn set_disabled(&self, admin: &CurrentUser, id: i64, disabled: bool) -> AppResult<User> {
        let target = self.account(id).await?;
        if disabled && target.id == admin.id {
            return Err(AppError::Conflict("Bạn không thể tự khóa tài khoản của mình.".into()));
        }
        let actor = admin.actor();
        self.write(move |c| set_disabled(c, id, disabled, &actor)).await?;
        Ok(target)
    }

    /// Sets a generated password (shown once); the account's sessions end.
    pub async fn reset_password(&self, admin: &CurrentUser, id: i64) -> AppResult<(User, String)> {
        let target = self.account(id).await?;
        let password = generate_password();
        let hash = self.hasher.hash(password.clone()).await?;
        let actor = admin.actor();
        self.write(move |c| set_password(c, id, &hash, &actor, "user.password_reset", None)).await?;
        Ok((target, password))
    }

    /// Moves an account to another unit; returns it and the unit's name.
    pub async fn move_account(&self, admin: &CurrentUser, id: i64, unit_code: &str) -> AppResult<(User, String)> {
        let target = self.account(id).await?;
        let code = unit_code.trim().to_string();
        let lookup = code.clone();
        let unit = self
            .read(move |c| find_unit_by_code(c, &lookup))
            .await?
            .ok_or_else(|| AppError::Invalid(format!("Không có đơn vị mã \"{code}\".")))?;
        let (uid, actor) = (unit.id, admin.actor());
        self.write(move |c| move_to_unit(c, id, uid, &actor)).await?;
        Ok((target, unit.name))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// Collects what the log subscriber writes.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn logged(format: &str, username: &str) -> String {
        let sink = Sink::default();
        let writer = sink.clone();
        let dispatch = crate::telemetry::log_dispatch(
            format,
            tracing_subscriber::EnvFilter::new("info"),
            move || writer.clone(),
            false,
        );
        tracing::dispatcher::with_default(&dispatch, || super::log_login_failed(username, "10.0.0.1\r\nx"));
        String::from_utf8(sink.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn a_newline_in_a_login_name_does_not_forge_a_log_line() {
        let forged = "ai\n2026-12-02T08:00:00Z  INFO login username=\"admin\"\u{1b}[2K";
        for format in ["text", "json"] {
            let out = logged(format, forged);
            assert_eq!(out.lines().count(), 1, "{format}: {out:?}");
            assert!(out.ends_with('\n'), "{format}: {out:?}");
            assert!(!out.contains('\r') && !out.contains('\u{1b}'), "{format}: {out:?}");
            assert!(out.contains("login failed"), "{format}: {out:?}");
        }
    }
}
