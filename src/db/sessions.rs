//! Sessions: one row per logged-in device. The cookie carries the row's
//! random id; logging out deletes the row, so a copy of the cookie replayed
//! later is refused, while the user's other devices keep theirs.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{sessions, users};
use super::users::User;

/// Stores a new session of `user_id` valid until `expires_at`.
pub fn insert_session(
    conn: &mut DbConnection,
    id: &str,
    user_id: i64,
    at: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id),
            sessions::user_id.eq(user_id),
            sessions::created_at.eq(at),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The user of a live session (not expired at `at`), in one query.
pub fn find_session_user(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<Option<User>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(id))
        .filter(sessions::expires_at.gt(at))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Ends one session (logout).
pub fn delete_session(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(id)).execute(conn)
}

/// Ends every session of a user but `keep` (password change, disabling).
pub fn delete_user_sessions(conn: &mut DbConnection, user_id: i64, keep: Option<&str>) -> QueryResult<usize> {
    let mut q = diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).into_boxed();
    if let Some(k) = keep {
        q = q.filter(sessions::id.ne(k));
    }
    q.execute(conn)
}

/// Forgets sessions that expired before `at`; returns how many.
pub fn delete_expired_sessions(conn: &mut DbConnection, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(at))).execute(conn)
}
