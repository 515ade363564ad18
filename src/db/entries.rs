//! What the boards read, kept up to date in the transaction that changes it:
//! a round's entries (the best final ranked attempt of each participant,
//! with its rank key), the unit statistics, and the contest standings.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::attempts::Attempt;
use super::rounds::{Round, find_round};
use super::schema::{attempts, contest_entries, participants, round_entries, rounds, unit_round_stats};
use super::{DbConnection, now};
use crate::domain::attempt::AttemptState;
use crate::domain::ranking::{self, RankKey, RoundResult, Standing};

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
    /// Points on valid items.
    pub score: i32,
    /// Points possible on valid items.
    pub max_score: i32,
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
    /// [`RankKey::encode`] of the above: the one order of every board.
    pub rank_key: String,
}

impl Entry {
    /// Its ranking key.
    pub fn key(&self) -> RankKey {
        RankKey {
            score: self.score,
            max_score: self.max_score,
            prediction_error: self.prediction_error,
            duration_ms: self.duration_ms,
            submitted_at: self.submitted_at,
        }
    }
}

/// The columns an entry takes from its best attempt, for insert and update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = round_entries)]
#[diesel(treat_none_as_null = true)]
struct EntryForm {
    best_attempt_id: i64,
    score: i32,
    max_score: i32,
    correct: i32,
    full_marks: bool,
    prediction: Option<i64>,
    prediction_error: i64,
    duration_ms: i64,
    submitted_at: NaiveDateTime,
    rank_key: String,
}

impl EntryForm {
    fn of(round: &Round, a: &Attempt) -> Self {
        let key = attempt_key(round, a);
        EntryForm {
            best_attempt_id: a.id,
            score: a.score,
            max_score: a.max_score,
            correct: a.correct,
            full_marks: a.max_score > 0 && a.score == a.max_score,
            prediction: a.prediction,
            prediction_error: key.prediction_error,
            duration_ms: key.duration_ms,
            submitted_at: key.submitted_at,
            rank_key: key.encode(),
        }
    }
}

fn attempt_key(round: &Round, a: &Attempt) -> RankKey {
    RankKey {
        score: a.score,
        max_score: a.max_score,
        prediction_error: ranking::prediction_error(round.settings.prediction, a.prediction, None),
        duration_ms: a.duration_ms.unwrap_or(0),
        submitted_at: a.submitted_at.unwrap_or(a.deadline_at),
    }
}

/// Counts a final ranked attempt: the participant's entry if it is their
/// best, the unit statistics, the standing (in the caller's transaction).
pub fn apply_attempt(conn: &mut DbConnection, round: &Round, a: &Attempt) -> QueryResult<()> {
    let form = EntryForm::of(round, a);
    let fm = i32::from(form.full_marks);
    let existing: Option<Entry> =
        round_entries::table.find((round.id, a.participant_id)).select(Entry::as_select()).first(conn).optional()?;
    match existing {
        None => {
            let unit_id: Option<i64> =
                participants::table.find(a.participant_id).select(participants::unit_id).first(conn)?;
            let delta = StatsDelta { participants: 1, attempts: 1, score_sum: i64::from(a.score), full_marks: fm };
            diesel::insert_into(round_entries::table)
                .values((
                    form,
                    round_entries::round_id.eq(round.id),
                    round_entries::participant_id.eq(a.participant_id),
                    round_entries::unit_id.eq(unit_id),
                ))
                .execute(conn)?;
            bump_stats(conn, round.id, unit_id, delta)?;
        }
        Some(old) => {
            let mut delta = StatsDelta { attempts: 1, ..StatsDelta::default() };
            if ranking::better_attempt(&attempt_key(round, a), &old.key()) {
                delta.score_sum = i64::from(a.score - old.score);
                delta.full_marks = fm - i32::from(old.full_marks);
                diesel::update(round_entries::table.find((round.id, a.participant_id))).set(form).execute(conn)?;
            }
            bump_stats(conn, round.id, old.unit_id, delta)?;
        }
    }
    refresh_standing(conn, round.contest_id, a.participant_id)
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

/// Adds `d` to a unit's statistics for a round (an upsert: SQLite and
/// PostgreSQL each need their own arm).
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

/// A participant's standing in a contest, with its rank key.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = contest_entries)]
pub struct StandingRow {
    /// The contest.
    pub contest_id: i64,
    /// Who.
    pub participant_id: i64,
    /// The participant's unit.
    pub unit_id: Option<i64>,
    /// Rounds taken.
    pub rounds: i32,
    /// Sum of best scores.
    pub score: i64,
    /// Rounds with the prediction question and no prediction.
    pub prediction_gaps: i32,
    /// Sum of the other rounds' prediction errors.
    pub prediction_error: i64,
    /// Sum of durations.
    pub duration_ms: i64,
    /// The latest submission.
    pub last_submitted_at: NaiveDateTime,
    /// [`Standing::encode`].
    pub rank_key: String,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = contest_entries)]
struct StandingForm {
    unit_id: Option<i64>,
    rounds: i32,
    score: i64,
    prediction_gaps: i32,
    prediction_error: i64,
    duration_ms: i64,
    last_submitted_at: NaiveDateTime,
    rank_key: String,
}

/// Recomputes one participant's standing in a contest from their round
/// entries (a handful of rows) and stores it (in the caller's transaction).
pub fn refresh_standing(conn: &mut DbConnection, contest_id: i64, participant_id: i64) -> QueryResult<()> {
    use contest_entries as ce;
    let rows: Vec<(Option<i64>, i32, i64, i64, NaiveDateTime)> = round_entries::table
        .inner_join(rounds::table)
        .filter(rounds::contest_id.eq(contest_id))
        .filter(round_entries::participant_id.eq(participant_id))
        .select((
            round_entries::unit_id,
            round_entries::score,
            round_entries::prediction_error,
            round_entries::duration_ms,
            round_entries::submitted_at,
        ))
        .load(conn)?;
    let results: Vec<RoundResult> = rows
        .iter()
        .map(|r| RoundResult { score: r.1, prediction_error: r.2, duration_ms: r.3, submitted_at: r.4 })
        .collect();
    let Some(s) = Standing::of(&results) else {
        diesel::delete(ce::table.find((contest_id, participant_id))).execute(conn)?;
        return Ok(());
    };
    let form = StandingForm {
        unit_id: rows.iter().find_map(|r| r.0),
        rounds: s.rounds as i32,
        score: s.score,
        prediction_gaps: s.prediction_gaps as i32,
        prediction_error: s.prediction_error,
        duration_ms: s.duration_ms,
        last_submitted_at: s.last_submitted_at,
        rank_key: s.encode(),
    };
    let key = (ce::contest_id.eq(contest_id), ce::participant_id.eq(participant_id));
    // An upsert: two rounds of one participant can end at once on two nodes.
    match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(ce::table)
            .values((&form, key))
            .on_conflict((ce::contest_id, ce::participant_id))
            .do_update()
            .set(&form)
            .execute(c)?,
        DbConnection::Pg(c) => diesel::insert_into(ce::table)
            .values((&form, key))
            .on_conflict((ce::contest_id, ce::participant_id))
            .do_update()
            .set(&form)
            .execute(c)?,
    };
    Ok(())
}

fn participants_of(conn: &mut DbConnection, round_id: i64) -> QueryResult<Vec<i64>> {
    round_entries::table.filter(round_entries::round_id.eq(round_id)).select(round_entries::participant_id).load(conn)
}

/// Makes a closed round's prediction errors final (`|prediction − number
/// of full marks|`), with the rank keys and standings that depend on them,
/// and marks the round finalized (in the caller's transaction).
pub fn finalize_predictions(conn: &mut DbConnection, round: &Round) -> QueryResult<()> {
    if round.settings.prediction {
        let entries: Vec<Entry> =
            round_entries::table.filter(round_entries::round_id.eq(round.id)).select(Entry::as_select()).load(conn)?;
        let full = entries.iter().filter(|e| e.full_marks).count() as i64;
        for e in entries {
            let err = ranking::prediction_error(true, e.prediction, Some(full));
            if err != e.prediction_error {
                let key = RankKey { prediction_error: err, ..e.key() };
                diesel::update(round_entries::table.find((e.round_id, e.participant_id)))
                    .set((round_entries::prediction_error.eq(err), round_entries::rank_key.eq(key.encode())))
                    .execute(conn)?;
                refresh_standing(conn, round.contest_id, e.participant_id)?;
            }
        }
    }
    diesel::update(rounds::table.find(round.id)).set(rounds::finalized_at.eq(now())).execute(conn)?;
    Ok(())
}

/// Makes prediction errors final for rounds that have closed (and whose
/// grace has passed) with no attempt left in progress; returns how many.
pub fn finalize_closed_rounds(conn: &mut DbConnection, at: NaiveDateTime) -> QueryResult<usize> {
    use crate::domain::round::RoundStatus;
    let due: Vec<i64> = rounds::table
        .filter(rounds::status.eq(RoundStatus::Published.as_str()))
        .filter(rounds::finalized_at.is_null())
        .filter(rounds::closes_at.lt(at))
        .select(rounds::id)
        .load(conn)?;
    let mut n = 0;
    for id in due {
        let round = find_round(conn, id)?;
        if at <= round.settings.last_answer_at() {
            continue;
        }
        let open: i64 = attempts::table
            .filter(attempts::round_id.eq(round.id))
            .filter(attempts::state.eq(AttemptState::InProgress.as_str()))
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

/// Recomputes a round's entries, unit statistics and its participants'
/// standings by replaying its final ranked attempts (after a re-grade).
pub fn rebuild_round(conn: &mut DbConnection, round: &Round) -> QueryResult<()> {
    let mut people: BTreeSet<i64> = participants_of(conn, round.id)?.into_iter().collect();
    diesel::delete(round_entries::table.filter(round_entries::round_id.eq(round.id))).execute(conn)?;
    diesel::delete(unit_round_stats::table.filter(unit_round_stats::round_id.eq(round.id))).execute(conn)?;
    let done: Vec<Attempt> = attempts::table
        .filter(attempts::round_id.eq(round.id))
        .filter(attempts::state.ne(AttemptState::InProgress.as_str()))
        .filter(attempts::ranked.eq(true))
        .order((attempts::participant_id.asc(), attempts::number.asc()))
        .select(Attempt::as_select())
        .load(conn)?;
    for a in &done {
        apply_attempt(conn, round, a)?;
        people.remove(&a.participant_id);
    }
    // Those with no entry left lose this round from their standing.
    for p in people {
        refresh_standing(conn, round.contest_id, p)?;
    }
    if round.finalized_at.is_some() {
        finalize_predictions(conn, round)?;
    }
    Ok(())
}

/// Rebuilds the rounds whose entries were stored before rank keys existed
/// (a database from an older version); returns how many. Run at start.
pub fn repair_stale_entries(conn: &mut DbConnection) -> QueryResult<usize> {
    let stale: Vec<i64> = round_entries::table
        .filter(round_entries::rank_key.eq(""))
        .select(round_entries::round_id)
        .distinct()
        .load(conn)?;
    for id in &stale {
        let round = find_round(conn, *id)?;
        conn.transaction(|conn| rebuild_round(conn, &round))?;
    }
    Ok(stale.len())
}
