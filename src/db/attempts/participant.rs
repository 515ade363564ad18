//! A person taking part in one contest: an official through their account,
//! or (public rounds) a resident who registered.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::participants;

/// A person taking part in one contest.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = participants)]
pub struct Participant {
    /// Row id.
    pub id: i64,
    /// The contest.
    pub contest_id: i64,
    /// The account (officials).
    pub user_id: Option<i64>,
    /// Participant code (residents).
    pub code: Option<String>,
    /// Name.
    pub full_name: String,
    /// Birth year (residents).
    pub birth_year: Option<i32>,
    /// Phone (residents).
    pub phone: Option<String>,
    /// HMAC of the personal number.
    pub id_number_hmac: Option<String>,
    /// Its last 4 digits.
    pub id_last4: Option<String>,
    /// Unit (for unit boards).
    pub unit_id: Option<i64>,
    /// Registered (UTC).
    pub created_at: NaiveDateTime,
}

/// One participant.
pub fn find_participant(conn: &mut DbConnection, id: i64) -> QueryResult<Participant> {
    participants::table.find(id).select(Participant::as_select()).first(conn)
}

/// The participant of an account in a contest, if it has taken part.
pub fn find_participant_of_user(
    conn: &mut DbConnection,
    contest_id: i64,
    user_id: i64,
) -> QueryResult<Option<Participant>> {
    participants::table
        .filter(participants::contest_id.eq(contest_id))
        .filter(participants::user_id.eq(user_id))
        .select(Participant::as_select())
        .first(conn)
        .optional()
}

/// The participant of an account in a contest, created on first use. Two
/// devices starting at once race on the unique (contest, user) index: the
/// loser's insert fails inside a savepoint and it reads the winner's row.
pub fn participant_for_user(
    conn: &mut DbConnection,
    contest_id: i64,
    user_id: i64,
    full_name: &str,
    unit_id: Option<i64>,
    at: NaiveDateTime,
) -> QueryResult<Participant> {
    if let Some(p) = find_participant_of_user(conn, contest_id, user_id)? {
        return Ok(p);
    }
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(participants::table)
            .values((
                participants::contest_id.eq(contest_id),
                participants::user_id.eq(user_id),
                participants::full_name.eq(full_name),
                participants::unit_id.eq(unit_id),
                participants::created_at.eq(at),
            ))
            .returning(participants::id)
            .get_result::<i64>(conn)
    });
    match inserted {
        Ok(id) => find_participant(conn, id),
        Err(e) if crate::db::is_retryable(&e) => {
            find_participant_of_user(conn, contest_id, user_id)?.ok_or(diesel::result::Error::NotFound)
        }
        Err(e) => Err(e),
    }
}
