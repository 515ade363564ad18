//! Who is asking and what they may do: passwords, sessions, CSRF, limits.

pub mod csrf;
pub mod keys;
pub mod login;
pub mod password;
pub mod ratelimit;
pub mod session;

pub use session::CurrentUser;
