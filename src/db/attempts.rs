//! Participants, attempts and their items; finalizing an attempt updates
//! the round's entries and unit statistics in the same transaction
//! (promise 6), so boards are read, never recomputed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::contests::{Round, find_round};
use super::schema::{attempt_items, attempts, participants, questions, round_entries, unit_round_stats};
use super::{DbConnection, now};
use crate::domain::bank::Kind;
use crate::domain::grading::{self, Grade, GradeItem};
use crate::domain::paper::{PoolQuestion, draw};
use crate::domain::ranking::{self, RankKey};
use crate::domain::timing;

/// A person taking part in one contest.
#[derive(Debug, Clone, Queryable, Selectable)]
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

/// A stored attempt.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = attempts)]
pub struct Attempt {
    /// Row id.
    pub id: i64,
    /// The round.
    pub round_id: i64,
    /// Who.
    pub participant_id: i64,
    /// 1, 2, … for this participant in this round.
    pub number: i32,
    /// Counts for the boards (not for organizers, admins or practice rounds).
    pub ranked: bool,
    /// The RNG seed the paper was drawn with.
    pub seed: i64,
    /// `in_progress`, `submitted` or `expired`.
    pub state: String,
    /// Started (UTC).
    pub started_at: NaiveDateTime,
    /// Must end by (UTC).
    pub deadline_at: NaiveDateTime,
    /// Ended (UTC).
    pub submitted_at: Option<NaiveDateTime>,
    /// Points.
    pub score: i32,
    /// Points possible.
    pub max_score: i32,
    /// Correct answers.
    pub correct: i32,
    /// Time taken (capped at the time allowed).
    pub duration_ms: Option<i64>,
    /// Answer to the prediction question.
    pub prediction: Option<i64>,
}

impl Attempt {
    /// Whether it has ended.
    pub fn is_final(&self) -> bool {
        self.state != "in_progress"
    }
}

/// An item with everything about its question; routes choose what a
/// participant may see (promise 4).
#[derive(Debug, Clone)]
pub struct ItemFull {
    /// 1-based position on the paper.
    pub position: i32,
    /// The question version.
    pub question_id: i64,
    /// Bank slug and key (for organizers).
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
    /// Counts for nobody.
    pub voided: bool,
}

/// Why an answer or submit was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptError {
    /// The attempt has ended.
    Final,
    /// Received after deadline + grace; the attempt is now final.
    Late,
    /// The choice is not valid for the item (message says why).
    Invalid(String),
    /// No such item.
    NoItem,
}

/// Why an attempt could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    /// Not open now.
    NotOpen,
    /// Attempts used up.
    NoAttemptsLeft(i32),
    /// A blueprint row cannot be filled.
    ShortPool,
}

fn json<T: serde::Serialize>(v: &T) -> QueryResult<String> {
    serde_json::to_string(v).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
}

fn parse<T: serde::de::DeserializeOwned>(s: &str) -> QueryResult<T> {
    serde_json::from_str(s).map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
}

/// The participant of an account in a contest, created on first use.
pub fn participant_for_user(
    conn: &mut DbConnection,
    contest_id: i64,
    user_id: i64,
    full_name: &str,
    unit_id: Option<i64>,
) -> QueryResult<Participant> {
    let found = participants::table
        .filter(participants::contest_id.eq(contest_id))
        .filter(participants::user_id.eq(user_id))
        .select(Participant::as_select())
        .first(conn)
        .optional()?;
    if let Some(p) = found {
        return Ok(p);
    }
    let id: i64 = diesel::insert_into(participants::table)
        .values((
            participants::contest_id.eq(contest_id),
            participants::user_id.eq(user_id),
            participants::full_name.eq(full_name),
            participants::unit_id.eq(unit_id),
            participants::created_at.eq(now()),
        ))
        .returning(participants::id)
        .get_result(conn)?;
    participants::table.find(id).select(Participant::as_select()).first(conn)
}

/// One attempt.
pub fn find_attempt(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Attempt>> {
    attempts::table.find(id).select(Attempt::as_select()).first(conn).optional()
}

/// One participant.
pub fn find_participant(conn: &mut DbConnection, id: i64) -> QueryResult<Participant> {
    participants::table.find(id).select(Participant::as_select()).first(conn)
}

/// A participant's attempts in a round, first first.
pub fn list_attempts(conn: &mut DbConnection, round_id: i64, participant_id: i64) -> QueryResult<Vec<Attempt>> {
    attempts::table
        .filter(attempts::round_id.eq(round_id))
        .filter(attempts::participant_id.eq(participant_id))
        .order(attempts::number.asc())
        .select(Attempt::as_select())
        .load(conn)
}

/// Every attempt of an account, newest first, with the round.
pub fn list_user_attempts(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<(Attempt, Round)>> {
    use super::schema::rounds;
    attempts::table
        .inner_join(participants::table)
        .inner_join(rounds::table)
        .filter(participants::user_id.eq(user_id))
        .order(attempts::id.desc())
        .select((Attempt::as_select(), Round::as_select()))
        .load(conn)
}

/// Starts an attempt, or resumes the one in progress. Returns the attempt id
/// and whether it is new. The paper is drawn from `pools` with `seed` and
/// stored with the attempt.
pub fn start_attempt(
    conn: &mut DbConnection,
    round: &Round,
    participant_id: i64,
    ranked: bool,
    pools: &[Vec<PoolQuestion>],
    seed: u64,
    at: NaiveDateTime,
) -> QueryResult<Result<(i64, bool), StartError>> {
    conn.transaction(|conn| {
        let existing = list_attempts(conn, round.id, participant_id)?;
        if let Some(open) = existing.iter().find(|a| !a.is_final()) {
            if timing::accepts(at, open.deadline_at, round.grace_s) && at < open.deadline_at {
                return Ok(Ok((open.id, false)));
            }
            finalize(conn, open, round, at, None)?;
        }
        if !round.is_open(at) {
            return Ok(Err(StartError::NotOpen));
        }
        if !round.practice && existing.len() as i32 >= round.attempts_allowed {
            return Ok(Err(StartError::NoAttemptsLeft(round.attempts_allowed)));
        }
        let Ok(paper) = draw(&round.blueprint_rows(), pools, seed) else {
            return Ok(Err(StartError::ShortPool));
        };
        let deadline = timing::deadline(at, round.duration_s, round.closes_at);
        let id: i64 = diesel::insert_into(attempts::table)
            .values((
                attempts::round_id.eq(round.id),
                attempts::participant_id.eq(participant_id),
                attempts::number.eq(existing.len() as i32 + 1),
                attempts::ranked.eq(ranked && !round.practice),
                // The seed's bits, stored as a signed 64-bit integer.
                attempts::seed.eq(seed as i64),
                attempts::state.eq("in_progress"),
                attempts::started_at.eq(at),
                attempts::deadline_at.eq(deadline),
                attempts::score.eq(0),
                attempts::max_score.eq(0),
                attempts::correct.eq(0),
            ))
            .returning(attempts::id)
            .get_result(conn)?;
        let mut rows = Vec::with_capacity(paper.len());
        for (i, item) in paper.iter().enumerate() {
            rows.push((
                attempt_items::attempt_id.eq(id),
                attempt_items::position.eq(i as i32 + 1),
                attempt_items::question_id.eq(item.question_id),
                attempt_items::option_order.eq(json(&item.option_order)?),
            ));
        }
        // Multi-row inserts do not compile through the enum: one arm each.
        match conn {
            DbConnection::Sqlite(c) => diesel::insert_into(attempt_items::table).values(&rows).execute(c)?,
            DbConnection::Pg(c) => diesel::insert_into(attempt_items::table).values(&rows).execute(c)?,
        };
        Ok(Ok((id, true)))
    })
}

type ItemRow = (
    i32,
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<NaiveDateTime>,
    String,
    String,
    String,
    bool,
);

/// The items of an attempt with their questions, by position.
pub fn load_items(conn: &mut DbConnection, attempt_id: i64) -> QueryResult<Vec<ItemFull>> {
    let rows: Vec<ItemRow> = attempt_items::table
        .inner_join(questions::table)
        .filter(attempt_items::attempt_id.eq(attempt_id))
        .order(attempt_items::position.asc())
        .select((
            attempt_items::position,
            questions::id,
            questions::key,
            questions::kind,
            questions::text,
            questions::options,
            attempt_items::option_order,
            attempt_items::choices,
            attempt_items::answered_at,
            questions::answer,
            questions::explanation,
            questions::source,
            questions::voided,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(
            |(
                position,
                qid,
                key,
                kind,
                text,
                options,
                order,
                choices,
                answered_at,
                answer,
                explanation,
                source,
                voided,
            )| {
                let file_options: Vec<String> = parse(&options)?;
                let order: Vec<usize> = parse(&order)?;
                let answer: Vec<usize> = parse(&answer)?;
                let choices: Vec<usize> = match choices {
                    Some(c) => parse(&c)?,
                    None => Vec::new(),
                };
                let mut answer_display: Vec<usize> =
                    order.iter().enumerate().filter(|(_, f)| answer.contains(f)).map(|(d, _)| d).collect();
                answer_display.sort_unstable();
                Ok(ItemFull {
                    position,
                    question_id: qid,
                    key,
                    kind: Kind::parse(&kind).unwrap_or(Kind::Single),
                    text,
                    options: order.iter().map(|&i| file_options.get(i).cloned().unwrap_or_default()).collect(),
                    option_order: order,
                    choices,
                    answered_at,
                    answer_display,
                    explanation,
                    source,
                    voided,
                })
            },
        )
        .collect()
}

/// Saves one answer (display indexes). Committed before it returns
/// (promise 3). A request past deadline + grace finalizes the attempt.
pub fn save_answer(
    conn: &mut DbConnection,
    attempt_id: i64,
    position: i32,
    choices: &[usize],
    at: NaiveDateTime,
) -> QueryResult<Result<NaiveDateTime, AttemptError>> {
    conn.transaction(|conn| {
        // Lock the attempt while it is in progress (see `finalize`).
        let open = diesel::update(
            attempts::table.filter(attempts::id.eq(attempt_id)).filter(attempts::state.eq("in_progress")),
        )
        .set(attempts::state.eq("in_progress"))
        .execute(conn)?;
        if open == 0 {
            return Ok(Err(AttemptError::Final));
        }
        let attempt = attempts::table.find(attempt_id).select(Attempt::as_select()).first(conn)?;
        let round = find_round(conn, attempt.round_id)?;
        if !timing::accepts(at, attempt.deadline_at, round.grace_s) {
            finalize(conn, &attempt, &round, at, None)?;
            return Ok(Err(AttemptError::Late));
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
        let n = parse::<Vec<usize>>(&order)?.len();
        let mut sorted = choices.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != choices.len() {
            return Ok(Err(AttemptError::Invalid("Một phương án được chọn hai lần.".into())));
        }
        if let Some(bad) = sorted.iter().find(|&&c| c >= n) {
            return Ok(Err(AttemptError::Invalid(format!(
                "Câu {position} không có phương án số {bad} (0–{}).",
                n - 1
            ))));
        }
        if Kind::parse(&kind) != Some(Kind::Multiple) && sorted.len() > 1 {
            return Ok(Err(AttemptError::Invalid(format!("Câu {position} chỉ được chọn một phương án."))));
        }
        diesel::update(attempt_items::table.find((attempt_id, position)))
            .set((attempt_items::choices.eq(json(&sorted)?), attempt_items::answered_at.eq(at)))
            .execute(conn)?;
        Ok(Ok(at))
    })
}

/// Submits: the first submit finalizes, later ones return the same result.
/// A submit past deadline + grace finalizes with the saved answers and is refused.
pub fn submit(
    conn: &mut DbConnection,
    attempt_id: i64,
    prediction: Option<i64>,
    at: NaiveDateTime,
) -> QueryResult<Result<Attempt, AttemptError>> {
    conn.transaction(|conn| {
        let attempt = attempts::table.find(attempt_id).select(Attempt::as_select()).first(conn)?;
        if attempt.is_final() {
            return Ok(Ok(attempt));
        }
        let round = find_round(conn, attempt.round_id)?;
        if !timing::accepts(at, attempt.deadline_at, round.grace_s) {
            finalize(conn, &attempt, &round, at, None)?;
            return Ok(Err(AttemptError::Late));
        }
        Ok(Ok(finalize(conn, &attempt, &round, at, Some(prediction))?))
    })
}

/// The grade of an attempt from its stored items and the questions' current keys.
pub fn grade_attempt(conn: &mut DbConnection, attempt_id: i64, points: i32) -> QueryResult<Grade> {
    let items = load_items(conn, attempt_id)?;
    let grade_items: Vec<GradeItem> = items
        .iter()
        .map(|i| GradeItem {
            answer: i.answer_display.clone(),
            chosen: (!i.choices.is_empty()).then(|| i.choices.clone()),
            voided: i.voided,
        })
        .collect();
    Ok(grading::grade(&grade_items, points))
}

/// Ends an attempt: `submitted` when `submitted` is `Some(prediction)`,
/// else `expired` (ended at its deadline). Updates the round's entry and
/// unit statistics in the caller's transaction.
pub fn finalize(
    conn: &mut DbConnection,
    attempt: &Attempt,
    round: &Round,
    at: NaiveDateTime,
    submitted: Option<Option<i64>>,
) -> QueryResult<Attempt> {
    // A submit within the grace period ends at the deadline; an expired
    // attempt ends at its deadline.
    let (state, ended, prediction) = match submitted {
        Some(p) => ("submitted", at.min(attempt.deadline_at).max(attempt.started_at), p),
        None => ("expired", attempt.deadline_at, None),
    };
    // Claim the attempt first: on PostgreSQL this row lock makes a second
    // node (or a concurrent answer) wait, then see that it is final.
    let claimed =
        diesel::update(attempts::table.filter(attempts::id.eq(attempt.id)).filter(attempts::state.eq("in_progress")))
            .set(attempts::state.eq(state))
            .execute(conn)?;
    if claimed == 0 {
        return attempts::table.find(attempt.id).select(Attempt::as_select()).first(conn);
    }
    let grade = grade_attempt(conn, attempt.id, round.points_per_question)?;
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
        apply_entry(conn, round, &done)?;
    }
    Ok(done)
}

/// A round entry: the best final attempt of one participant.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = round_entries)]
pub struct Entry {
    /// The round.
    pub round_id: i64,
    /// Who.
    pub participant_id: i64,
    /// The attempt that counts.
    pub best_attempt_id: i64,
    /// The participant's unit.
    pub unit_id: Option<i64>,
    /// Points.
    pub score: i32,
    /// Correct answers.
    pub correct: i32,
    /// Scored the maximum.
    pub full_marks: bool,
    /// Prediction given with the best attempt.
    pub prediction: Option<i64>,
    /// See [`ranking::prediction_error`].
    pub prediction_error: i64,
    /// Time taken.
    pub duration_ms: i64,
    /// When submitted.
    pub submitted_at: NaiveDateTime,
}

impl Entry {
    /// Its ranking key.
    pub fn key(&self) -> RankKey {
        RankKey {
            score: self.score,
            prediction_error: self.prediction_error,
            duration_ms: self.duration_ms,
            submitted_at: self.submitted_at,
        }
    }
}

fn attempt_key(a: &Attempt, round: &Round) -> RankKey {
    RankKey {
        score: a.score,
        prediction_error: ranking::prediction_error(round.prediction, a.prediction, None),
        duration_ms: a.duration_ms.unwrap_or(0),
        submitted_at: a.submitted_at.unwrap_or(a.deadline_at),
    }
}

fn apply_entry(conn: &mut DbConnection, round: &Round, a: &Attempt) -> QueryResult<()> {
    let full_marks = a.max_score > 0 && a.score == a.max_score;
    let unit_id: Option<i64> = participants::table.find(a.participant_id).select(participants::unit_id).first(conn)?;
    let existing: Option<Entry> =
        round_entries::table.find((round.id, a.participant_id)).select(Entry::as_select()).first(conn).optional()?;
    let key = attempt_key(a, round);
    let fm = i32::from(full_marks);
    match existing {
        None => {
            diesel::insert_into(round_entries::table)
                .values((
                    round_entries::round_id.eq(round.id),
                    round_entries::participant_id.eq(a.participant_id),
                    round_entries::best_attempt_id.eq(a.id),
                    round_entries::unit_id.eq(unit_id),
                    round_entries::score.eq(a.score),
                    round_entries::correct.eq(a.correct),
                    round_entries::full_marks.eq(full_marks),
                    round_entries::prediction.eq(a.prediction),
                    round_entries::prediction_error.eq(key.prediction_error),
                    round_entries::duration_ms.eq(key.duration_ms),
                    round_entries::submitted_at.eq(key.submitted_at),
                ))
                .execute(conn)?;
            bump_stats(
                conn,
                round.id,
                unit_id,
                StatsDelta { participants: 1, attempts: 1, score_sum: i64::from(a.score), full_marks: fm },
            )
        }
        Some(old) => {
            let mut delta = StatsDelta { participants: 0, attempts: 1, score_sum: 0, full_marks: 0 };
            if ranking::better_attempt(&key, &old.key()) {
                diesel::update(round_entries::table.find((round.id, a.participant_id)))
                    .set((
                        round_entries::best_attempt_id.eq(a.id),
                        round_entries::score.eq(a.score),
                        round_entries::correct.eq(a.correct),
                        round_entries::full_marks.eq(full_marks),
                        round_entries::prediction.eq(a.prediction),
                        round_entries::prediction_error.eq(key.prediction_error),
                        round_entries::duration_ms.eq(key.duration_ms),
                        round_entries::submitted_at.eq(key.submitted_at),
                    ))
                    .execute(conn)?;
                delta.score_sum = i64::from(a.score - old.score);
                delta.full_marks = fm - i32::from(old.full_marks);
            }
            bump_stats(conn, round.id, old.unit_id, delta)
        }
    }
}

/// A change to one unit's statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsDelta {
    /// Participants.
    pub participants: i32,
    /// Final attempts.
    pub attempts: i32,
    /// Sum of best scores.
    pub score_sum: i64,
    /// Participants with full marks.
    pub full_marks: i32,
}

/// Adds `d` to a unit's statistics for a round (an upsert: the one place
/// where SQLite and PostgreSQL need their own arm).
pub fn bump_stats(conn: &mut DbConnection, round_id: i64, unit_id: Option<i64>, d: StatsDelta) -> QueryResult<()> {
    use unit_round_stats as s;
    let Some(unit_id) = unit_id else { return Ok(()) };
    if d == StatsDelta::default() {
        return Ok(());
    }
    let values = (
        s::round_id.eq(round_id),
        s::unit_id.eq(unit_id),
        s::participants.eq(d.participants),
        s::attempts.eq(d.attempts),
        s::score_sum.eq(d.score_sum),
        s::full_marks.eq(d.full_marks),
    );
    let changes = (
        s::participants.eq(s::participants + d.participants),
        s::attempts.eq(s::attempts + d.attempts),
        s::score_sum.eq(s::score_sum + d.score_sum),
        s::full_marks.eq(s::full_marks + d.full_marks),
    );
    match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(s::table)
            .values(values)
            .on_conflict((s::round_id, s::unit_id))
            .do_update()
            .set(changes)
            .execute(c)?,
        DbConnection::Pg(c) => diesel::insert_into(s::table)
            .values(values)
            .on_conflict((s::round_id, s::unit_id))
            .do_update()
            .set(changes)
            .execute(c)?,
    };
    Ok(())
}

/// Finalizes attempts past deadline + grace with the answers they hold;
/// returns how many. Each is its own short transaction.
pub fn sweep_expired(conn: &mut DbConnection, at: NaiveDateTime) -> QueryResult<usize> {
    let candidates: Vec<i64> = attempts::table
        .filter(attempts::state.eq("in_progress"))
        .filter(attempts::deadline_at.lt(at))
        .select(attempts::id)
        .limit(1000)
        .load(conn)?;
    let mut done = 0;
    for id in candidates {
        let finalized = conn.transaction(|conn| {
            let a = attempts::table.find(id).select(Attempt::as_select()).first(conn)?;
            if a.is_final() {
                return Ok::<bool, diesel::result::Error>(false);
            }
            let round = find_round(conn, a.round_id)?;
            if timing::accepts(at, a.deadline_at, round.grace_s) {
                return Ok(false);
            }
            finalize(conn, &a, &round, at, None)?;
            Ok(true)
        })?;
        done += usize::from(finalized);
    }
    Ok(done)
}

/// Makes prediction errors final for rounds that have closed and have no
/// attempt left in progress; returns how many rounds.
pub fn finalize_closed_rounds(conn: &mut DbConnection, at: NaiveDateTime) -> QueryResult<usize> {
    use super::schema::rounds;
    let due: Vec<Round> = rounds::table
        .filter(rounds::status.eq("published"))
        .filter(rounds::finalized_at.is_null())
        .filter(rounds::closes_at.lt(at))
        .select(Round::as_select())
        .load(conn)?;
    let mut n = 0;
    for round in due {
        if at < round.closes_at + chrono::Duration::seconds(i64::from(round.grace_s)) {
            continue;
        }
        let open: i64 = attempts::table
            .filter(attempts::round_id.eq(round.id))
            .filter(attempts::state.eq("in_progress"))
            .count()
            .get_result(conn)?;
        if open > 0 {
            continue;
        }
        conn.transaction(|conn| finalize_predictions(conn, &round))?;
        n += 1;
    }
    Ok(n)
}

/// Makes a closed round's prediction errors final: `|prediction − number of
/// full marks|` (in the caller's transaction).
fn finalize_predictions(conn: &mut DbConnection, round: &Round) -> QueryResult<()> {
    use super::schema::rounds;
    if round.prediction {
        let entries: Vec<Entry> =
            round_entries::table.filter(round_entries::round_id.eq(round.id)).select(Entry::as_select()).load(conn)?;
        let full = entries.iter().filter(|e| e.full_marks).count() as i64;
        for e in entries {
            let err = ranking::prediction_error(true, e.prediction, Some(full));
            if err != e.prediction_error {
                diesel::update(round_entries::table.find((e.round_id, e.participant_id)))
                    .set(round_entries::prediction_error.eq(err))
                    .execute(conn)?;
            }
        }
    }
    diesel::update(rounds::table.find(round.id)).set(rounds::finalized_at.eq(now())).execute(conn)?;
    Ok(())
}

/// Recomputes a round's entries and unit statistics by replaying its final
/// ranked attempts in the order they were finalized (used after a re-grade).
pub fn rebuild_round(conn: &mut DbConnection, round: &Round) -> QueryResult<()> {
    diesel::delete(round_entries::table.filter(round_entries::round_id.eq(round.id))).execute(conn)?;
    diesel::delete(unit_round_stats::table.filter(unit_round_stats::round_id.eq(round.id))).execute(conn)?;
    let done: Vec<Attempt> = attempts::table
        .filter(attempts::round_id.eq(round.id))
        .filter(attempts::state.ne("in_progress"))
        .filter(attempts::ranked.eq(true))
        .order((attempts::participant_id.asc(), attempts::number.asc()))
        .select(Attempt::as_select())
        .load(conn)?;
    for a in &done {
        apply_entry(conn, round, a)?;
    }
    if round.finalized_at.is_some() {
        finalize_predictions(conn, round)?;
    }
    Ok(())
}

/// Re-grades every final attempt that holds one of `question_ids` and
/// rebuilds the affected rounds (in the caller's transaction). Returns how
/// many attempts were re-graded.
pub fn regrade(conn: &mut DbConnection, question_ids: &[i64]) -> QueryResult<usize> {
    let affected: Vec<Attempt> = attempts::table
        .filter(attempts::state.ne("in_progress"))
        .filter(
            attempts::id.eq_any(
                attempt_items::table
                    .filter(attempt_items::question_id.eq_any(question_ids))
                    .select(attempt_items::attempt_id),
            ),
        )
        .select(Attempt::as_select())
        .load(conn)?;
    let mut rounds: Vec<i64> = affected.iter().map(|a| a.round_id).collect();
    rounds.sort_unstable();
    rounds.dedup();
    for round_id in &rounds {
        let round = find_round(conn, *round_id)?;
        for a in affected.iter().filter(|a| a.round_id == *round_id) {
            let g = grade_attempt(conn, a.id, round.points_per_question)?;
            diesel::update(attempts::table.find(a.id))
                .set((
                    attempts::score.eq(g.score),
                    attempts::max_score.eq(g.max_score),
                    attempts::correct.eq(g.correct),
                ))
                .execute(conn)?;
        }
        rebuild_round(conn, &round)?;
    }
    Ok(affected.len())
}

/// Attempts in progress (for `/metrics`).
pub fn count_in_progress(conn: &mut DbConnection) -> QueryResult<i64> {
    attempts::table.filter(attempts::state.eq("in_progress")).count().get_result(conn)
}
