//! What a correction changed: the scores it changed (kept for the
//! entrants' result pages) and the top of each board before and after.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Plan;
use crate::db::DbConnection;
use crate::db::attempts::Regraded;
use crate::db::boards::{BoardRow, board_page};
use crate::db::schema::{attempt_items, score_changes};

/// How many places of a board a correction reports before and after.
pub const TOP: i64 = 10;

/// The top of one round's board before and after a correction.
#[derive(Debug, Clone)]
pub struct BoardMove {
    /// The round.
    pub round_id: i64,
    /// The first [`TOP`] places before.
    pub before: Vec<BoardRow>,
    /// The first [`TOP`] places after.
    pub after: Vec<BoardRow>,
}

/// The top of each round's board, in the order given.
pub(super) fn tops(conn: &mut DbConnection, rounds: &[i64]) -> QueryResult<Vec<Vec<BoardRow>>> {
    rounds.iter().map(|&r| board_page(conn, r, None, TOP, 0)).collect()
}

/// One correction's change of one attempt's score.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = score_changes)]
pub struct ScoreChange {
    /// Row id.
    pub id: i64,
    /// The attempt.
    pub attempt_id: i64,
    /// The question version the attempt holds.
    pub question_id: i64,
    /// Voided (else re-keyed).
    pub voided: bool,
    /// Score before.
    pub old_score: i32,
    /// Maximum before.
    pub old_max_score: i32,
    /// Score after.
    pub new_score: i32,
    /// Maximum after.
    pub new_max_score: i32,
    /// The organizer's reason.
    pub reason: String,
    /// When (UTC).
    pub at: NaiveDateTime,
}

/// Records the attempts whose score (or maximum) changed; returns how many.
pub(super) fn record(
    conn: &mut DbConnection,
    regraded: &[Regraded],
    question_ids: &[i64],
    voided: bool,
    plan: &Plan,
) -> QueryResult<usize> {
    let changed: Vec<&Regraded> = regraded.iter().filter(|r| r.score_changed()).collect();
    if plan.dry_run || changed.is_empty() {
        return Ok(changed.len());
    }
    for chunk in changed.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|r| r.attempt_id).collect();
        let held: Vec<(i64, i64)> = attempt_items::table
            .filter(attempt_items::attempt_id.eq_any(&ids))
            .filter(attempt_items::question_id.eq_any(question_ids))
            .select((attempt_items::attempt_id, attempt_items::question_id))
            .load(conn)?;
        for r in chunk {
            let Some(&(_, question_id)) = held.iter().find(|(a, _)| *a == r.attempt_id) else { continue };
            diesel::insert_into(score_changes::table)
                .values((
                    score_changes::attempt_id.eq(r.attempt_id),
                    score_changes::question_id.eq(question_id),
                    score_changes::voided.eq(voided),
                    score_changes::old_score.eq(r.before.0),
                    score_changes::old_max_score.eq(r.before.1),
                    score_changes::new_score.eq(r.after.0),
                    score_changes::new_max_score.eq(r.after.1),
                    score_changes::reason.eq(&plan.reason),
                    score_changes::at.eq(plan.at),
                ))
                .execute(conn)?;
        }
    }
    Ok(changed.len())
}

/// The score changes of an attempt, oldest first.
pub fn list_score_changes(conn: &mut DbConnection, attempt_id: i64) -> QueryResult<Vec<ScoreChange>> {
    score_changes::table
        .filter(score_changes::attempt_id.eq(attempt_id))
        .order(score_changes::id.asc())
        .select(ScoreChange::as_select())
        .load(conn)
}
