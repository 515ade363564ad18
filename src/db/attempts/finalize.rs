//! Ending attempts: grading, the round's entry, the sweeper's batches, and
//! re-grading after a correction.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Attempt, ItemFull, load_items};
use crate::db::entries::{apply_attempt, rebuild_round};
use crate::db::item_stats::{replace_item_results, store_item_results};
use crate::db::rounds::{Round, find_round};
use crate::db::schema::{attempt_items, attempts, rounds};
use crate::db::{DbConnection, attempts::find_attempt};
use crate::domain::attempt::AttemptState;
use crate::domain::grading::{self, Grade, GradeItem};
use crate::domain::timing;

/// The grade of an attempt of a round of `contest_id`, from its stored
/// items and the keys as they are now (the contest's corrections applied).
pub fn grade_attempt(conn: &mut DbConnection, attempt_id: i64, contest_id: i64, points: i32) -> QueryResult<Grade> {
    Ok(grade_items(&load_items(conn, attempt_id, contest_id)?, points))
}

/// The grade of loaded items.
pub fn grade_items(items: &[ItemFull], points: i32) -> Grade {
    let grade_items: Vec<GradeItem> = items
        .iter()
        .map(|i| GradeItem {
            answer: i.answer_display.clone(),
            chosen: (!i.choices.is_empty()).then(|| i.choices.clone()),
            voided: i.voided,
        })
        .collect();
    grading::grade(&grade_items, points)
}

/// Ends an attempt: `submitted` when `submitted` is `Some(prediction)`,
/// else `expired` (ended at its deadline). Updates the round's entry, the
/// unit statistics and the standing in the caller's transaction. Ending an
/// attempt that is already final changes nothing and returns it as stored.
pub fn finalize(
    conn: &mut DbConnection,
    attempt: &Attempt,
    round: &Round,
    at: NaiveDateTime,
    submitted: Option<Option<i64>>,
) -> QueryResult<Attempt> {
    // A submit within the grace period ends at the deadline; an expired
    // attempt ends at its deadline.
    // The prediction given with the submit, else the one saved before (an
    // attempt that expires keeps what was saved).
    let (state, ended, prediction) = match submitted {
        Some(p) => {
            (AttemptState::Submitted, at.min(attempt.deadline_at).max(attempt.started_at), p.or(attempt.prediction))
        }
        None => (AttemptState::Expired, attempt.deadline_at, attempt.prediction),
    };
    // Claim the attempt first: on PostgreSQL this row lock makes a second
    // node (or a concurrent answer) wait, then see that it is final.
    let claimed = diesel::update(
        attempts::table
            .filter(attempts::id.eq(attempt.id))
            .filter(attempts::state.eq(AttemptState::InProgress.as_str())),
    )
    .set(attempts::state.eq(state.as_str()))
    .execute(conn)?;
    if claimed == 0 {
        return attempts::table.find(attempt.id).select(Attempt::as_select()).first(conn);
    }
    let items = load_items(conn, attempt.id, round.contest_id)?;
    let grade = grade_items(&items, round.settings.points_per_question);
    let duration = timing::duration_ms(attempt.started_at, ended, attempt.deadline_at);
    diesel::update(attempts::table.find(attempt.id))
        .set((
            attempts::submitted_at.eq(ended),
            attempts::score.eq(grade.score),
            attempts::max_score.eq(grade.max_score),
            attempts::correct.eq(grade.correct),
            attempts::duration_ms.eq(duration),
            attempts::prediction.eq(prediction),
        ))
        .execute(conn)?;
    let done = attempts::table.find(attempt.id).select(Attempt::as_select()).first(conn)?;
    if done.ranked {
        apply_attempt(conn, round, &done)?;
        store_item_results(conn, &done, &items, &grade)?;
    }
    Ok(done)
}

/// Reading an attempt past deadline + grace finalizes it (with the answers
/// it holds); returns the attempt as it is now.
pub fn finalize_if_expired(
    conn: &mut DbConnection,
    attempt_id: i64,
    round: &Round,
    at: NaiveDateTime,
) -> QueryResult<Option<Attempt>> {
    conn.transaction(|conn| {
        let Some(a) = find_attempt(conn, attempt_id)? else { return Ok(None) };
        if a.is_final() || timing::accepts(at, a.deadline_at, round.settings.grace_s) {
            return Ok(Some(a));
        }
        finalize(conn, &a, round, at, None).map(Some)
    })
}

/// What one sweep batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    /// Attempts past their deadline looked at.
    pub seen: usize,
    /// Of those, finalized (past deadline + grace).
    pub finalized: usize,
}

/// Finalizes, in one short transaction, up to `limit` attempts past their
/// deadline (oldest first) that are also past their grace. On PostgreSQL
/// each node claims its batch with `FOR UPDATE SKIP LOCKED`, so sweepers on
/// several nodes share the work instead of queueing on the same rows.
pub fn sweep_batch(conn: &mut DbConnection, at: NaiveDateTime, limit: i64) -> QueryResult<Sweep> {
    conn.transaction(|conn| {
        macro_rules! due {
            () => {
                attempts::table
                    .filter(attempts::state.eq(AttemptState::InProgress.as_str()))
                    .filter(attempts::deadline_at.lt(at))
                    .order(attempts::deadline_at.asc())
                    .limit(limit)
                    .select(Attempt::as_select())
            };
        }
        // The same query; PostgreSQL skips rows another node has claimed.
        let candidates: Vec<Attempt> = match conn {
            DbConnection::Pg(c) => due!().for_update().skip_locked().load(c)?,
            DbConnection::Sqlite(c) => due!().load(c)?,
        };
        let mut sweep = Sweep { seen: candidates.len(), finalized: 0 };
        let mut rounds: HashMap<i64, Round> = HashMap::new();
        for a in candidates {
            let round = match rounds.entry(a.round_id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(find_round(conn, a.round_id)?),
            };
            if timing::accepts(at, a.deadline_at, round.settings.grace_s) {
                continue;
            }
            finalize(conn, &a, round, at, None)?;
            sweep.finalized += 1;
        }
        Ok(sweep)
    })
}

/// One attempt re-graded after a correction: its grade before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Regraded {
    /// The attempt.
    pub attempt_id: i64,
    /// Its round.
    pub round_id: i64,
    /// (score, max score, correct) before.
    pub before: (i32, i32, i32),
    /// (score, max score, correct) after.
    pub after: (i32, i32, i32),
}

impl Regraded {
    /// Whether the participant's score (or the maximum) changed.
    pub fn score_changed(&self) -> bool {
        (self.before.0, self.before.1) != (self.after.0, self.after.1)
    }
}

/// Re-grades every final attempt that holds one of `question_ids` (only in
/// the rounds of `contest`, when given) and rebuilds the affected rounds'
/// entries, statistics and standings, in the caller's transaction. Returns
/// how many attempts were re-graded.
pub fn regrade(conn: &mut DbConnection, question_ids: &[i64], contest: Option<i64>) -> QueryResult<usize> {
    regrade_detailed(conn, question_ids, contest).map(|r| r.len())
}

/// The rounds whose final attempts hold one of `question_ids` (only the
/// rounds of `contest`, when given): those a correction re-grades.
pub fn rounds_to_regrade(conn: &mut DbConnection, question_ids: &[i64], contest: Option<i64>) -> QueryResult<Vec<i64>> {
    let holding =
        attempt_items::table.filter(attempt_items::question_id.eq_any(question_ids)).select(attempt_items::attempt_id);
    let mut q = attempts::table
        .inner_join(rounds::table)
        .filter(attempts::state.ne(AttemptState::InProgress.as_str()))
        .filter(attempts::id.eq_any(holding))
        .select(attempts::round_id)
        .distinct()
        .into_boxed();
    if let Some(c) = contest {
        q = q.filter(rounds::contest_id.eq(c));
    }
    let mut ids: Vec<i64> = q.load(conn)?;
    ids.sort_unstable();
    Ok(ids)
}

/// [`regrade`], telling each attempt's grade before and after.
pub fn regrade_detailed(
    conn: &mut DbConnection,
    question_ids: &[i64],
    contest: Option<i64>,
) -> QueryResult<Vec<Regraded>> {
    let holding =
        attempt_items::table.filter(attempt_items::question_id.eq_any(question_ids)).select(attempt_items::attempt_id);
    let mut q = attempts::table
        .inner_join(rounds::table)
        .filter(attempts::state.ne(AttemptState::InProgress.as_str()))
        .filter(attempts::id.eq_any(holding))
        .order(attempts::id.asc())
        .select(Attempt::as_select())
        .into_boxed();
    if let Some(c) = contest {
        q = q.filter(rounds::contest_id.eq(c));
    }
    let affected: Vec<Attempt> = q.load(conn)?;
    let mut round_ids: Vec<i64> = affected.iter().map(|a| a.round_id).collect();
    round_ids.sort_unstable();
    round_ids.dedup();
    let mut out = Vec::with_capacity(affected.len());
    for round_id in &round_ids {
        let round = find_round(conn, *round_id)?;
        for a in affected.iter().filter(|a| a.round_id == *round_id) {
            let items = load_items(conn, a.id, round.contest_id)?;
            let g = grade_items(&items, round.settings.points_per_question);
            // The item rows follow the new key; a voided item loses its row.
            replace_item_results(conn, a, &items, &g)?;
            diesel::update(attempts::table.find(a.id))
                .set((
                    attempts::score.eq(g.score),
                    attempts::max_score.eq(g.max_score),
                    attempts::correct.eq(g.correct),
                ))
                .execute(conn)?;
            out.push(Regraded {
                attempt_id: a.id,
                round_id: a.round_id,
                before: (a.score, a.max_score, a.correct),
                after: (g.score, g.max_score, g.correct),
            });
        }
        rebuild_round(conn, &round)?;
    }
    Ok(out)
}
