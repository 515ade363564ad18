//! Saving a whole paper at once: the "Lưu bài" button of the page without
//! JavaScript, and the answers a posted "Nộp bài" carries.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::AttemptError;
use super::paper::claim_in_time;
use crate::db::rounds::Round;
use crate::db::schema::{attempt_items, attempts, questions};
use crate::db::{DbConnection, from_json, to_json};
use crate::domain::attempt::Choice;
use crate::domain::bank::Kind;

/// What a saved form changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormSaved {
    /// When it was committed.
    pub at: NaiveDateTime,
    /// Items whose stored answer changed.
    pub changed: usize,
}

/// Saves every answer a form carries, and the prediction when given, in one
/// transaction (promise 3: committed before it returns). `answers` holds
/// each position the form carried with its choices (display indexes; empty
/// clears the answer). Everything is checked before anything is written, so
/// a form with one invalid answer stores nothing. Items whose answer did not
/// change keep their stored time. A form received past deadline + grace
/// stores nothing and finalizes the attempt with what it held (promise 2).
pub fn save_answers(
    conn: &mut DbConnection,
    attempt_id: i64,
    round: &Round,
    answers: &[(i32, Vec<usize>)],
    prediction: Option<i64>,
    at: NaiveDateTime,
) -> QueryResult<Result<FormSaved, AttemptError>> {
    conn.transaction(|conn| {
        if let Err(e) = claim_in_time(conn, attempt_id, round, at)? {
            return Ok(Err(e));
        }
        let items: Vec<(i32, String, String, Option<String>)> = attempt_items::table
            .inner_join(questions::table)
            .filter(attempt_items::attempt_id.eq(attempt_id))
            .select((attempt_items::position, questions::kind, attempt_items::option_order, attempt_items::choices))
            .load(conn)?;
        let mut writes: Vec<(i32, Choice)> = Vec::new();
        for (position, raw) in answers {
            let Some((_, kind, order, stored)) = items.iter().find(|(p, ..)| p == position) else {
                return Ok(Err(AttemptError::Invalid(format!("Bài thi không có câu {position}."))));
            };
            let n = from_json::<Vec<usize>>(order)?.len();
            let kind = Kind::parse(kind).unwrap_or(Kind::Single);
            let choice = match Choice::parse(raw, kind, n, *position) {
                Ok(c) => c,
                Err(m) => return Ok(Err(AttemptError::Invalid(m))),
            };
            let before: Vec<usize> = match stored {
                Some(s) => from_json(s)?,
                None => Vec::new(),
            };
            if before.as_slice() != choice.indexes() {
                writes.push((*position, choice));
            }
        }
        for (position, choice) in &writes {
            diesel::update(attempt_items::table.find((attempt_id, *position)))
                .set((attempt_items::choices.eq(to_json(choice)?), attempt_items::answered_at.eq(at)))
                .execute(conn)?;
        }
        if let Some(p) = prediction {
            diesel::update(attempts::table.find(attempt_id)).set(attempts::prediction.eq(p)).execute(conn)?;
        }
        Ok(Ok(FormSaved { at, changed: writes.len() }))
    })
}
