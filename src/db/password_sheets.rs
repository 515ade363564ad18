//! The generated passwords of an account import: sealed (see
//! `auth::keys::Keys::seal`), served once to the admin who imported them,
//! forgotten after that or once expired.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{DbConnection, schema::password_sheets};

/// What asking for a sheet's content found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// The sealed content, now forgotten by the database.
    Sealed(String),
    /// Downloaded before.
    Downloaded,
    /// Past its time (not downloaded).
    Expired,
    /// No such sheet of this user.
    NotFound,
}

/// Stores a sealed sheet (inside the import's transaction); returns its id.
pub fn insert_sheet(
    conn: &mut DbConnection,
    created_by: i64,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    accounts: i32,
    sealed: &str,
) -> QueryResult<i64> {
    diesel::insert_into(password_sheets::table)
        .values((
            password_sheets::created_by.eq(created_by),
            password_sheets::created_at.eq(created_at),
            password_sheets::expires_at.eq(expires_at),
            password_sheets::accounts.eq(accounts),
            password_sheets::sealed.eq(Some(sealed)),
        ))
        .returning(password_sheets::id)
        .get_result(conn)
}

/// Takes the content of sheet `id` of user `user_id` once: the first call
/// gets it and clears it in the same transaction; a concurrent second call
/// finds it gone.
pub fn take_sheet(conn: &mut DbConnection, id: i64, user_id: i64, now: NaiveDateTime) -> QueryResult<Taken> {
    conn.transaction(|conn| {
        let row: Option<(NaiveDateTime, Option<String>)> = password_sheets::table
            .filter(password_sheets::id.eq(id).and(password_sheets::created_by.eq(user_id)))
            .select((password_sheets::expires_at, password_sheets::sealed))
            .first(conn)
            .optional()?;
        let (expires_at, sealed) = match row {
            None => return Ok(Taken::NotFound),
            Some((_, None)) => return Ok(Taken::Downloaded),
            Some((e, Some(s))) => (e, s),
        };
        if expires_at <= now {
            return Ok(Taken::Expired);
        }
        let cleared = diesel::update(password_sheets::table.find(id).filter(password_sheets::sealed.is_not_null()))
            .set((password_sheets::sealed.eq(None::<String>), password_sheets::downloaded_at.eq(Some(now))))
            .execute(conn)?;
        Ok(if cleared == 1 { Taken::Sealed(sealed) } else { Taken::Downloaded })
    })
}

/// Forgets sheets past their time, downloaded or not; returns how many.
pub fn delete_expired_sheets(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(password_sheets::table.filter(password_sheets::expires_at.le(now))).execute(conn)
}
