//! Starting an attempt (drawing and storing its paper), its items, saving
//! answers and submitting.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Attempt, AttemptError, StartError, finalize, list_attempts};
use crate::db::rounds::{DrawPool, Round};
use crate::db::schema::{attempt_items, attempts, question_fixes, questions, rounds};
use crate::db::{DbConnection, from_json, lock_round, to_json, transaction_retrying};
use crate::domain::attempt::{AttemptState, Choice};
use crate::domain::bank::Kind;
use crate::domain::paper::{DRAW_VERSION, DrawError, draw_current, without};
use crate::domain::timing;

/// Starts an attempt, or resumes the one in progress. Returns it and
/// whether it is new. The paper is drawn with `seed` from `pool` (the
/// round's frozen pools minus the questions excluded now) and stored with
/// the draw's version and the exclusions. Two devices starting at once get
/// the same attempt: the second insert loses the race on the unique index,
/// and the transaction runs again and resumes the first.
#[allow(clippy::too_many_arguments)]
pub fn start_attempt(
    conn: &mut DbConnection,
    round: &Round,
    pool: &DrawPool,
    participant_id: i64,
    ranked: bool,
    seed: u64,
    at: NaiveDateTime,
) -> QueryResult<Result<(Attempt, bool), StartError>> {
    transaction_retrying(conn, |conn| {
        lock_round(conn, round.id, false)?;
        let version: i32 = rounds::table.find(round.id).select(rounds::pool_version).first(conn)?;
        if version != pool.version {
            return Ok(Err(StartError::PoolChanged));
        }
        let s = &round.settings;
        let existing = list_attempts(conn, round.id, participant_id)?;
        if let Some(open) = existing.iter().find(|a| !a.is_final()) {
            if at < open.deadline_at {
                return Ok(Ok((open.clone(), false)));
            }
            finalize(conn, open, round, at, None)?;
        }
        if !round.is_open(at) {
            return Ok(Err(StartError::NotOpen));
        }
        if !s.practice && existing.len() as i32 >= s.attempts_allowed {
            return Ok(Err(StartError::NoAttemptsLeft(s.attempts_allowed)));
        }
        let paper = match draw_current(s.blueprint.rows(), &without(&pool.frozen, &pool.excluded), seed) {
            Ok(paper) => paper,
            Err(DrawError::Short(_)) => return Ok(Err(StartError::ShortPool)),
            Err(DrawError::Unsatisfiable(_) | DrawError::TooManyClashes) => return Ok(Err(StartError::Groups)),
        };
        let deadline = timing::deadline(at, s.duration_s, s.closes_at);
        let id: i64 = diesel::insert_into(attempts::table)
            .values((
                attempts::round_id.eq(round.id),
                attempts::participant_id.eq(participant_id),
                attempts::number.eq(existing.len() as i32 + 1),
                attempts::ranked.eq(ranked && !s.practice),
                // The seed's bits, stored as a signed 64-bit integer.
                attempts::seed.eq(seed as i64),
                attempts::state.eq(AttemptState::InProgress.as_str()),
                attempts::started_at.eq(at),
                attempts::deadline_at.eq(deadline),
                attempts::score.eq(0),
                attempts::max_score.eq(0),
                attempts::correct.eq(0),
                attempts::draw_version.eq(DRAW_VERSION),
                attempts::excluded.eq(to_json(&pool.excluded)?),
            ))
            .returning(attempts::id)
            .get_result(conn)?;
        let mut rows = Vec::with_capacity(paper.len());
        for (i, item) in paper.iter().enumerate() {
            rows.push((
                attempt_items::attempt_id.eq(id),
                attempt_items::position.eq(i as i32 + 1),
                attempt_items::question_id.eq(item.question_id),
                attempt_items::option_order.eq(to_json(&item.option_order)?),
            ));
        }
        // Multi-row inserts do not compile through the enum: one arm each.
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(attempt_items::table).values(&rows).execute(c)?,
            DbConnection::Pg(c) => diesel::insert_into(attempt_items::table).values(&rows).execute(c)?,
        };
        let attempt = attempts::table.find(id).select(Attempt::as_select()).first(conn)?;
        Ok(Ok((attempt, true)))
    })
}

/// An item with everything about its question, the contest's corrections
/// applied; the engine chooses what a participant may see (promise 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFull {
    /// 1-based position on the paper.
    pub position: i32,
    /// The question version.
    pub question_id: i64,
    /// Key in its bank (for organizers).
    pub key: String,
    /// `single`, `multiple`, `true_false`.
    pub kind: Kind,
    /// The question.
    pub text: String,
    /// Options in display order.
    pub options: Vec<String>,
    /// Display order → file order.
    pub option_order: Vec<usize>,
    /// Chosen options, as displayed.
    pub choices: Vec<usize>,
    /// Saved (UTC).
    pub answered_at: Option<NaiveDateTime>,
    /// Correct options, as displayed. Never sent before the reveal.
    pub answer_display: Vec<usize>,
    /// Why. Never sent before the reveal.
    pub explanation: String,
    /// Document and article.
    pub source: String,
    /// Counts for nobody (voided for every contest or in this one).
    pub voided: bool,
}

type ItemRow = (
    (i32, i64, String, String, String, String),
    (String, Option<String>, Option<NaiveDateTime>, String, String, String, bool),
    (Option<bool>, Option<String>, Option<String>),
);

/// The items of an attempt of a round of `contest_id`, by position, with
/// the contest's corrections (void, new key, new explanation) applied.
pub fn load_items(conn: &mut DbConnection, attempt_id: i64, contest_id: i64) -> QueryResult<Vec<ItemFull>> {
    let rows: Vec<ItemRow> = attempt_items::table
        .inner_join(questions::table)
        .left_join(question_fixes::table.on(
            question_fixes::question_id.eq(attempt_items::question_id).and(question_fixes::contest_id.eq(contest_id)),
        ))
        .filter(attempt_items::attempt_id.eq(attempt_id))
        .order(attempt_items::position.asc())
        .select((
            (
                attempt_items::position,
                questions::id,
                questions::key,
                questions::kind,
                questions::text,
                questions::options,
            ),
            (
                attempt_items::option_order,
                attempt_items::choices,
                attempt_items::answered_at,
                questions::answer,
                questions::explanation,
                questions::source,
                questions::voided,
            ),
            (
                question_fixes::voided.nullable(),
                question_fixes::answer.nullable(),
                question_fixes::explanation.nullable(),
            ),
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(
                (position, qid, key, kind, text, options),
                (order, choices, answered_at, answer, explanation, source, voided),
                (fix_voided, fix_answer, fix_explanation),
            )| {
                let file_options: Vec<String> = from_json(&options)?;
                let order: Vec<usize> = from_json(&order)?;
                let answer: Vec<usize> = from_json(fix_answer.as_deref().unwrap_or(&answer))?;
                let choices: Vec<usize> = match choices {
                    Some(c) => from_json(&c)?,
                    None => Vec::new(),
                };
                let mut answer_display: Vec<usize> =
                    order.iter().enumerate().filter(|(_, f)| answer.contains(f)).map(|(d, _)| d).collect();
                answer_display.sort_unstable();
                let kind = Kind::parse(&kind).ok_or_else(|| {
                    diesel::result::Error::DeserializationError(format!("question kind {kind:?}").into())
                })?;
                Ok(ItemFull {
                    position,
                    question_id: qid,
                    key,
                    kind,
                    text,
                    options: order.iter().map(|&i| file_options.get(i).cloned().unwrap_or_default()).collect(),
                    option_order: order,
                    choices,
                    answered_at,
                    answer_display,
                    explanation: fix_explanation.unwrap_or(explanation),
                    source,
                    voided: voided || fix_voided == Some(true),
                })
            },
        )
        .collect()
}

/// Claims an attempt in progress for this transaction (on PostgreSQL the
/// row lock makes a finalizing node or a second answer wait); `false` when
/// it is final already.
pub(super) fn claim_open(conn: &mut DbConnection, attempt_id: i64) -> QueryResult<bool> {
    let n = diesel::update(
        attempts::table
            .filter(attempts::id.eq(attempt_id))
            .filter(attempts::state.eq(AttemptState::InProgress.as_str())),
    )
    .set(attempts::state.eq(AttemptState::InProgress.as_str()))
    .execute(conn)?;
    Ok(n > 0)
}

/// The start of every write of answers in a transaction: claims the attempt
/// ([`claim_open`]; `Final` when it is final already) and, when `at` is
/// past deadline + grace, finalizes it with what it holds (`Late`).
pub(super) fn claim_in_time(
    conn: &mut DbConnection,
    attempt_id: i64,
    round: &Round,
    at: NaiveDateTime,
) -> QueryResult<Result<(), AttemptError>> {
    if !claim_open(conn, attempt_id)? {
        return Ok(Err(AttemptError::Final));
    }
    let attempt = attempts::table.find(attempt_id).select(Attempt::as_select()).first(conn)?;
    if !timing::accepts(at, attempt.deadline_at, round.settings.grace_s) {
        finalize(conn, &attempt, round, at, None)?;
        return Ok(Err(AttemptError::Late));
    }
    Ok(Ok(()))
}

/// Saves one answer (display indexes) to an attempt of `round`. Committed
/// before it returns (promise 3). A request past deadline + grace
/// finalizes the attempt instead.
pub fn save_answer(
    conn: &mut DbConnection,
    attempt_id: i64,
    round: &Round,
    position: i32,
    choices: &[usize],
    at: NaiveDateTime,
) -> QueryResult<Result<NaiveDateTime, AttemptError>> {
    conn.transaction(|conn| {
        if let Err(e) = claim_in_time(conn, attempt_id, round, at)? {
            return Ok(Err(e));
        }
        let item: Option<(String, String)> = attempt_items::table
            .inner_join(questions::table)
            .filter(attempt_items::attempt_id.eq(attempt_id))
            .filter(attempt_items::position.eq(position))
            .select((questions::kind, attempt_items::option_order))
            .first(conn)
            .optional()?;
        let Some((kind, order)) = item else {
            return Ok(Err(AttemptError::NoItem));
        };
        let n = from_json::<Vec<usize>>(&order)?.len();
        let kind = Kind::parse(&kind).unwrap_or(Kind::Single);
        let choice = match Choice::parse(choices, kind, n, position) {
            Ok(c) => c,
            Err(m) => return Ok(Err(AttemptError::Invalid(m))),
        };
        diesel::update(attempt_items::table.find((attempt_id, position)))
            .set((attempt_items::choices.eq(to_json(&choice)?), attempt_items::answered_at.eq(at)))
            .execute(conn)?;
        Ok(Ok(at))
    })
}

/// Saves the prediction of an attempt in progress, like an answer: committed
/// before it returns; past deadline + grace the attempt is finalized instead.
pub fn save_prediction(
    conn: &mut DbConnection,
    attempt_id: i64,
    round: &Round,
    prediction: i64,
    at: NaiveDateTime,
) -> QueryResult<Result<NaiveDateTime, AttemptError>> {
    conn.transaction(|conn| {
        if let Err(e) = claim_in_time(conn, attempt_id, round, at)? {
            return Ok(Err(e));
        }
        diesel::update(attempts::table.find(attempt_id)).set(attempts::prediction.eq(prediction)).execute(conn)?;
        Ok(Ok(at))
    })
}

/// Submits: the first submit finalizes, later ones return the same result.
/// A submit past deadline + grace finalizes with the saved answers and is refused.
pub fn submit(
    conn: &mut DbConnection,
    attempt_id: i64,
    round: &Round,
    prediction: Option<i64>,
    at: NaiveDateTime,
) -> QueryResult<Result<Attempt, AttemptError>> {
    conn.transaction(|conn| {
        let attempt = attempts::table.find(attempt_id).select(Attempt::as_select()).first(conn)?;
        if attempt.is_final() {
            return Ok(Ok(attempt));
        }
        if !timing::accepts(at, attempt.deadline_at, round.settings.grace_s) {
            finalize(conn, &attempt, round, at, None)?;
            return Ok(Err(AttemptError::Late));
        }
        Ok(Ok(finalize(conn, &attempt, round, at, Some(prediction))?))
    })
}
