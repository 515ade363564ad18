//! Who is asking: passwords, sessions, role guards, CSRF, login limits.
//! What each person may do is decided in `engine::access`.

pub mod csrf;
pub mod keys;
pub mod participant;
pub mod password;
pub mod ratelimit;
pub mod session;

pub use session::CurrentUser;
