//! Checking a username and password, with the failed-login limits.

use std::time::Instant;

use crate::db::users::{User, find_user_by_username};
use crate::domain::people::Username;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Logs a user in, or says why not. Unknown usernames cost a dummy hash;
/// only failures count against the limits.
pub async fn authenticate(state: &AppState, username: &str, password: &str, client_ip: &str) -> AppResult<User> {
    let now = Instant::now();
    let name =
        Username::parse(username).map(|u| u.as_str().to_string()).unwrap_or_else(|_| username.trim().to_lowercase());
    let user_key = format!("user:{name}");
    let ip_key = format!("ip:{client_ip}");
    let limits = &state.login_limits;
    if let Some(wait) = limits.per_user.blocked(&user_key, now).or_else(|| limits.per_ip.blocked(&ip_key, now)) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        return Err(AppError::TooManyRequests(format!(
            "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
        )));
    }
    let lookup = name.clone();
    let user = if Username::parse(&name).is_ok() {
        state.read(move |c| find_user_by_username(c, &lookup)).await?
    } else {
        None
    };
    let verified = state.hasher.verify(user.as_ref().map(|u| u.password_hash.clone()), password.to_string()).await?;
    match user {
        Some(u) if verified => {
            if u.disabled {
                tracing::info!(username = %u.username, "login refused: account disabled");
                return Err(AppError::BadCredentials(
                    "Tài khoản này đã bị khóa. Vui lòng liên hệ quản trị viên.".into(),
                ));
            }
            limits.per_user.reset(&user_key);
            tracing::info!(username = %u.username, "login");
            Ok(u)
        }
        _ => {
            limits.per_user.record_failure(&user_key, now);
            limits.per_ip.record_failure(&ip_key, now);
            tracing::info!(username = %name, client_ip, "login failed");
            Err(AppError::BadCredentials("Tên đăng nhập hoặc mật khẩu không đúng.".into()))
        }
    }
}
