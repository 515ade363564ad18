//! Participants, attempts and their items. Finalizing an attempt updates
//! the round's entries, the unit statistics and the contest standings in
//! the same transaction (see [`super::entries`]), so boards are read,
//! never recomputed.

mod answer;
mod finalize;
mod paper;
mod participant;
mod save;

pub use answer::{AttemptShape, find_attempt_shape, store_answer_if_open};
pub use finalize::{
    Regraded, finalize, finalize_if_expired, grade_attempt, grade_items, regrade, regrade_detailed, rounds_to_regrade,
    sweep_batch,
};
pub use paper::{ItemFull, load_items, save_answer, save_prediction, start_attempt, submit};
pub use participant::{Participant, find_participant, find_participant_of_user, participant_for_user};
pub use save::{FormSaved, save_answers};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{attempts, participants};
use crate::domain::attempt::AttemptState;

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
    /// The RNG seed the paper was drawn with (its bits as a signed integer).
    pub seed: i64,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
    pub state: AttemptState,
    /// Started (UTC).
    pub started_at: NaiveDateTime,
    /// Must end by (UTC).
    pub deadline_at: NaiveDateTime,
    /// Ended (UTC).
    pub submitted_at: Option<NaiveDateTime>,
    /// Points on valid items.
    pub score: i32,
    /// Points possible on valid items.
    pub max_score: i32,
    /// Correct answers.
    pub correct: i32,
    /// Time taken (capped at the time allowed).
    pub duration_ms: Option<i64>,
    /// Answer to the prediction question.
    pub prediction: Option<i64>,
    /// The version of the drawing procedure ([`crate::domain::paper::DRAW_VERSION`]).
    pub draw_version: i32,
    /// JSON list of the question ids left out of the frozen pool when it started.
    pub excluded: String,
}

impl Attempt {
    /// Whether it has ended.
    pub fn is_final(&self) -> bool {
        self.state.is_final()
    }

    /// The questions left out of the frozen pool when it was drawn.
    pub fn excluded_ids(&self) -> QueryResult<Vec<i64>> {
        super::from_json(&self.excluded)
    }
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
    /// No paper without two questions of one exclusion group was found
    /// (questions voided since publication can cause it).
    Groups,
    /// The round's pool changed since it was read: read it again.
    PoolChanged,
}

/// One attempt.
pub fn find_attempt(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Attempt>> {
    attempts::table.find(id).select(Attempt::as_select()).first(conn).optional()
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

/// Whose attempts: an account's (in every contest) or a device's entries.
#[derive(Clone, Debug)]
pub enum Whose {
    /// An account.
    User(i64),
    /// Residents' entries.
    Participants(Vec<i64>),
}

/// Every attempt of an account or of some entries, newest first.
pub fn list_attempts_of(conn: &mut DbConnection, whose: &Whose) -> QueryResult<Vec<Attempt>> {
    let q = attempts::table.inner_join(participants::table).into_boxed();
    let q = match whose {
        Whose::User(id) => q.filter(participants::user_id.eq(*id)),
        Whose::Participants(ids) => q.filter(participants::id.eq_any(ids.clone())),
    };
    q.order(attempts::id.desc()).select(Attempt::as_select()).load(conn)
}

/// Every attempt of a round, by id (audits and tests).
pub fn list_round_attempts(conn: &mut DbConnection, round_id: i64) -> QueryResult<Vec<Attempt>> {
    attempts::table
        .filter(attempts::round_id.eq(round_id))
        .order(attempts::id.asc())
        .select(Attempt::as_select())
        .load(conn)
}

/// Attempts in progress: (in the round, or everywhere).
pub fn count_in_progress(conn: &mut DbConnection, round_id: Option<i64>) -> QueryResult<i64> {
    let mut q = attempts::table.filter(attempts::state.eq(AttemptState::InProgress.as_str())).into_boxed();
    if let Some(r) = round_id {
        q = q.filter(attempts::round_id.eq(r));
    }
    q.count().get_result(conn)
}

/// Attempts started in a round.
pub fn count_started(conn: &mut DbConnection, round_id: i64) -> QueryResult<i64> {
    attempts::table.filter(attempts::round_id.eq(round_id)).count().get_result(conn)
}
