//! The answer save of the surge: one statement that holds its own
//! conditions, over what an attempt keeps while it runs.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};

use crate::db::schema::{attempt_items, attempts, participants, questions, rounds};
use crate::db::{DbConnection, from_json, to_json};
use crate::domain::attempt::{AttemptState, Choice};
use crate::domain::bank::Kind;

/// What cannot change while an attempt runs: whose it is, its round's
/// grace period (a round with attempts cannot be edited), and each item's
/// kind and number of options. Its deadline and state can change (closing a
/// round early moves deadlines), so they are not here: the save checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptShape {
    /// The attempt.
    pub attempt_id: i64,
    /// Its participant.
    pub participant_id: i64,
    /// The participant's account (officials).
    pub user_id: Option<i64>,
    /// Its round.
    pub round_id: i64,
    /// The round's grace period after a deadline, in seconds.
    pub grace_s: i32,
    /// Per position (1-based, in order): the question's kind and options.
    pub items: Vec<(Kind, usize)>,
}

impl AttemptShape {
    /// The item at a position, when the paper has one.
    pub fn item(&self, position: i32) -> Option<(Kind, usize)> {
        usize::try_from(position).ok().and_then(|p| p.checked_sub(1)).and_then(|i| self.items.get(i)).copied()
    }
}

/// The shape of an attempt, `None` when there is no such attempt.
pub fn find_attempt_shape(conn: &mut DbConnection, attempt_id: i64) -> QueryResult<Option<AttemptShape>> {
    let head: Option<(i64, Option<i64>, i64, i32)> = attempts::table
        .inner_join(participants::table)
        .inner_join(rounds::table)
        .filter(attempts::id.eq(attempt_id))
        .select((attempts::participant_id, participants::user_id, attempts::round_id, rounds::grace_s))
        .first(conn)
        .optional()?;
    let Some((participant_id, user_id, round_id, grace_s)) = head else {
        return Ok(None);
    };
    let rows: Vec<(i32, String, String)> = attempt_items::table
        .inner_join(questions::table)
        .filter(attempt_items::attempt_id.eq(attempt_id))
        .order(attempt_items::position)
        .select((attempt_items::position, questions::kind, attempt_items::option_order))
        .load(conn)?;
    let mut items = Vec::with_capacity(rows.len());
    for (i, (position, kind, order)) in rows.into_iter().enumerate() {
        // Positions are 1..=n as the draw stores them; a gap would shift
        // every later item, so it is an error rather than a guess.
        if usize::try_from(position).ok() != Some(i + 1) {
            return Err(diesel::result::Error::DeserializationError(
                format!("attempt {attempt_id}: item positions are not 1..n").into(),
            ));
        }
        let options = from_json::<Vec<usize>>(&order)?.len();
        items.push((Kind::parse(&kind).unwrap_or(Kind::Single), options));
    }
    Ok(Some(AttemptShape { attempt_id, participant_id, user_id, round_id, grace_s, items }))
}

/// Stores one answer, checked already against the item's kind and options,
/// in one statement that writes only when the attempt is still in progress
/// and `at` is within its deadline + grace (both read from the attempt row
/// in the same statement; its participant is checked there too). Nothing else is written to the attempt row.
/// `true` when it was stored; `false` tells the caller to find out why
/// (final, late, or no such item) on the slow path.
///
/// On PostgreSQL the statement takes a share lock on the attempt row, the
/// row finalizing locks first: a save that holds it commits before the
/// finalize reads the items (so the grade sees it), and a save that waits
/// for it sees the attempt final and stores nothing. On SQLite writes are
/// serial, so the same holds.
pub fn store_answer_if_open(
    conn: &mut DbConnection,
    shape: &AttemptShape,
    position: i32,
    choice: &Choice,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let (attempt_id, participant_id) = (shape.attempt_id, shape.participant_id);
    let choices = to_json(choice)?;
    // deadline + grace >= at, written as deadline >= at - grace.
    let latest_deadline = at - chrono::Duration::seconds(i64::from(shape.grace_s.max(0)));
    let open = AttemptState::InProgress.as_str();
    let n = match conn {
        DbConnection::Pg(c) => diesel::sql_query(
            "WITH a AS (SELECT id FROM attempts \
               WHERE id = $1 AND participant_id = $7 AND state = $2 AND deadline_at >= $3 FOR SHARE) \
             UPDATE attempt_items SET choices = $4, answered_at = $5 FROM a \
             WHERE attempt_items.attempt_id = a.id AND attempt_items.position = $6",
        )
        .bind::<BigInt, _>(attempt_id)
        .bind::<Text, _>(open)
        .bind::<Timestamp, _>(latest_deadline)
        .bind::<Text, _>(&choices)
        .bind::<Timestamp, _>(at)
        .bind::<Integer, _>(position)
        .bind::<BigInt, _>(participant_id)
        .execute(c)?,
        DbConnection::Sqlite(c) => {
            let still_open = attempts::table
                .filter(attempts::id.eq(attempt_id))
                .filter(attempts::participant_id.eq(participant_id))
                .filter(attempts::state.eq(open))
                .filter(attempts::deadline_at.ge(latest_deadline));
            diesel::update(
                attempt_items::table
                    .filter(attempt_items::attempt_id.eq(attempt_id))
                    .filter(attempt_items::position.eq(position))
                    .filter(diesel::dsl::exists(still_open)),
            )
            .set((attempt_items::choices.eq(&choices), attempt_items::answered_at.eq(at)))
            .execute(c)?
        }
    };
    Ok(n == 1)
}
