//! Rounds and the frozen question pool of a published round.
//!
//! Promise 1: the pool is frozen at the first publish and never changes
//! once an attempt exists; both rules are checked inside the transaction
//! that would change it, with the round's row locked (see [`lock_round`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit::{Actor, insert_audit};
use super::schema::{attempts, rounds};
use super::{DbConnection, lock_round, now, to_json};
use crate::domain::attempt::AttemptState;
use crate::domain::paper::{Blueprint, GroupsError};
use crate::domain::reveal::Secrecy;
use crate::domain::round::{Phase, RevealPolicy, RoundSettings, RoundStatus};

mod pool;

use pool::freeze_pool;
pub use pool::{
    DrawPool, bump_pool_versions, load_draw_pool, overlapping_rounds, pool_sizes, rounds_holding, row_pools,
};

#[derive(Queryable, Selectable)]
#[diesel(table_name = rounds)]
struct RoundRow {
    id: i64,
    contest_id: i64,
    number: i32,
    title: String,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
    duration_s: i32,
    blueprint: String,
    attempts_allowed: i32,
    grace_s: i32,
    points_per_question: i32,
    prediction: bool,
    #[diesel(deserialize_as = String)]
    reveal_policy: RevealPolicy,
    practice: bool,
    #[diesel(deserialize_as = String)]
    status: RoundStatus,
    finalized_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    pool_version: i32,
}

/// A stored round, its settings parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    /// Row id.
    pub id: i64,
    /// The contest.
    pub contest_id: i64,
    /// 1, 2, … within the contest.
    pub number: i32,
    /// Draft or published.
    pub status: RoundStatus,
    /// What the organizer set.
    pub settings: RoundSettings,
    /// Bumped whenever what a new paper draws from changes (publication,
    /// an edit before anyone started, a void).
    pub pool_version: i32,
    /// When prediction errors were made final (after close).
    pub finalized_at: Option<NaiveDateTime>,
    /// Created (UTC).
    pub created_at: NaiveDateTime,
    /// Changed (UTC).
    pub updated_at: NaiveDateTime,
}

impl TryFrom<RoundRow> for Round {
    type Error = diesel::result::Error;
    fn try_from(r: RoundRow) -> QueryResult<Self> {
        // A stored blueprint that does not parse is corruption: fail loudly
        // rather than draw an empty paper.
        let blueprint = Blueprint::from_json(&r.blueprint)
            .map_err(|e| diesel::result::Error::DeserializationError(format!("round {}: {e}", r.id).into()))?;
        Ok(Round {
            id: r.id,
            contest_id: r.contest_id,
            number: r.number,
            status: r.status,
            settings: RoundSettings {
                title: r.title,
                opens_at: r.opens_at,
                closes_at: r.closes_at,
                duration_s: r.duration_s,
                blueprint,
                attempts_allowed: r.attempts_allowed,
                grace_s: r.grace_s,
                points_per_question: r.points_per_question,
                prediction: r.prediction,
                reveal: r.reveal_policy,
                practice: r.practice,
            },
            pool_version: r.pool_version,
            finalized_at: r.finalized_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl Round {
    /// Whether people can start it at `t`.
    pub fn is_open(&self, t: NaiveDateTime) -> bool {
        self.phase(t) == Phase::Open
    }

    /// Whether it has closed at `t` (no new starts; boards final once predictions are).
    pub fn is_closed(&self, t: NaiveDateTime) -> bool {
        self.phase(t) == Phase::Closed
    }

    /// Where it stands at `t`.
    pub fn phase(&self, t: NaiveDateTime) -> Phase {
        self.settings.phase(self.status, t)
    }

    /// Whether it is published.
    pub fn is_published(&self) -> bool {
        self.status == RoundStatus::Published
    }

    /// What key secrecy needs to know of it.
    pub fn secrecy(&self) -> Secrecy {
        Secrecy { policy: self.settings.reveal, last_answer_at: self.settings.last_answer_at() }
    }
}

fn load(conn: &mut DbConnection, q: rounds::BoxedQuery<'_, super::MultiBackend>) -> QueryResult<Vec<Round>> {
    q.select(RoundRow::as_select()).load::<RoundRow>(conn)?.into_iter().map(Round::try_from).collect()
}

/// The columns a round's settings fill, for both insert and update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = rounds)]
struct RoundForm<'a> {
    title: &'a str,
    opens_at: NaiveDateTime,
    closes_at: NaiveDateTime,
    duration_s: i32,
    blueprint: String,
    attempts_allowed: i32,
    grace_s: i32,
    points_per_question: i32,
    prediction: bool,
    reveal_policy: &'static str,
    practice: bool,
    updated_at: NaiveDateTime,
}

impl<'a> RoundForm<'a> {
    fn of(s: &'a RoundSettings) -> QueryResult<Self> {
        Ok(Self {
            title: &s.title,
            opens_at: s.opens_at,
            closes_at: s.closes_at,
            duration_s: s.duration_s,
            blueprint: to_json(&s.blueprint)?,
            attempts_allowed: s.attempts_allowed,
            grace_s: s.grace_s,
            points_per_question: s.points_per_question,
            prediction: s.prediction,
            reveal_policy: s.reveal.as_str(),
            practice: s.practice,
            updated_at: now(),
        })
    }
}

/// One round.
pub fn find_round(conn: &mut DbConnection, id: i64) -> QueryResult<Round> {
    load(conn, rounds::table.filter(rounds::id.eq(id)).into_boxed())?.pop().ok_or(diesel::result::Error::NotFound)
}

/// A contest's rounds by number.
pub fn list_rounds(conn: &mut DbConnection, contest_id: i64) -> QueryResult<Vec<Round>> {
    load(conn, rounds::table.filter(rounds::contest_id.eq(contest_id)).order(rounds::number.asc()).into_boxed())
}

/// Published rounds, by opening time.
pub fn list_published_rounds(conn: &mut DbConnection) -> QueryResult<Vec<Round>> {
    load(
        conn,
        rounds::table
            .filter(rounds::status.eq(RoundStatus::Published.as_str()))
            .order((rounds::opens_at.asc(), rounds::id.asc()))
            .into_boxed(),
    )
}

/// Inserts a draft round, numbered after the contest's last, in the
/// caller's transaction. The contest's row is locked first (PostgreSQL), so
/// rounds created at once take their numbers in turn.
pub fn insert_round(conn: &mut DbConnection, contest_id: i64, s: &RoundSettings, actor: &Actor) -> QueryResult<Round> {
    if let DbConnection::Pg(c) = conn {
        use super::schema::contests;
        let _: i64 = contests::table.find(contest_id).select(contests::id).for_update().first(c)?;
    }
    let last: Option<i32> =
        rounds::table.filter(rounds::contest_id.eq(contest_id)).select(diesel::dsl::max(rounds::number)).first(conn)?;
    let id: i64 = diesel::insert_into(rounds::table)
        .values((
            RoundForm::of(s)?,
            rounds::contest_id.eq(contest_id),
            rounds::number.eq(last.unwrap_or(0) + 1),
            rounds::status.eq(RoundStatus::Draft.as_str()),
            rounds::created_at.eq(now()),
            rounds::pool_version.eq(0),
        ))
        .returning(rounds::id)
        .get_result(conn)?;
    insert_audit(conn, actor, "round.create", &format!("round:{id}"), &s.title)?;
    find_round(conn, id)
}

/// Whether anyone has started the round.
pub fn round_has_attempts(conn: &mut DbConnection, round_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(attempts::table.filter(attempts::round_id.eq(round_id)))).get_result(conn)
}

/// Why a round's settings or pool could not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FreezeError {
    /// Someone has started the round: its pool and settings stay as they are.
    Started,
    /// A blueprint row cannot be filled from the banks as they are now.
    ShortPool {
        /// The row (0-based).
        row: usize,
        /// Questions wanted.
        wanted: u32,
        /// Questions available.
        available: i64,
    },
    /// The exclusion groups leave no paper that fills the blueprint.
    Groups(GroupsError),
}

/// Changes a round's settings, only while nobody has started it (checked
/// here, the round locked). A published round gets its pool frozen again.
pub fn update_round(
    conn: &mut DbConnection,
    id: i64,
    s: &RoundSettings,
    actor: &Actor,
) -> QueryResult<Result<Round, FreezeError>> {
    let outcome = conn.transaction(|conn| {
        lock_round(conn, id, true)?;
        if round_has_attempts(conn, id)? {
            return Ok(Err(FreezeError::Started));
        }
        diesel::update(rounds::table.find(id)).set(RoundForm::of(s)?).execute(conn)?;
        let round = find_round(conn, id)?;
        // A pool that cannot be filled undoes the whole change.
        if round.is_published()
            && let Err(e) = freeze_pool(conn, &round)?
        {
            return Err(RolledBack(e).into());
        }
        insert_audit(conn, actor, "round.update", &format!("round:{id}"), &s.title)?;
        find_round(conn, id).map(Ok)
    });
    RolledBack::recover(outcome)
}

/// Publishes a round, freezing its pool from the banks as they are now.
/// Publishing a published round again changes nothing: its pool was frozen
/// the first time.
pub fn publish_round(conn: &mut DbConnection, id: i64, actor: &Actor) -> QueryResult<Result<Round, FreezeError>> {
    let outcome = conn.transaction(|conn| {
        lock_round(conn, id, true)?;
        let round = find_round(conn, id)?;
        if round.is_published() {
            return Ok(Ok(round));
        }
        diesel::update(rounds::table.find(id))
            .set((rounds::status.eq(RoundStatus::Published.as_str()), rounds::updated_at.eq(now())))
            .execute(conn)?;
        let round = find_round(conn, id)?;
        if let Err(e) = freeze_pool(conn, &round)? {
            return Err(RolledBack(e).into());
        }
        insert_audit(conn, actor, "round.publish", &format!("round:{id}"), "")?;
        find_round(conn, id).map(Ok)
    });
    RolledBack::recover(outcome)
}

/// A refusal that must also undo the transaction's writes: carried out of
/// the closure as an error (so diesel rolls back), then turned back into a
/// value.
#[derive(Debug)]
struct RolledBack(FreezeError);

impl std::fmt::Display for RolledBack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::error::Error for RolledBack {}

impl From<RolledBack> for diesel::result::Error {
    fn from(r: RolledBack) -> Self {
        diesel::result::Error::QueryBuilderError(Box::new(r))
    }
}

impl RolledBack {
    fn recover<T>(r: QueryResult<Result<T, FreezeError>>) -> QueryResult<Result<T, FreezeError>> {
        match r {
            Err(diesel::result::Error::QueryBuilderError(e)) if e.is::<RolledBack>() => {
                match e.downcast::<RolledBack>() {
                    Ok(rb) => Ok(Err(rb.0)),
                    Err(e) => Err(diesel::result::Error::QueryBuilderError(e)),
                }
            }
            other => other,
        }
    }
}

/// Closes a round at `at`: no new starts, and attempts in progress end then.
pub fn close_round(conn: &mut DbConnection, id: i64, at: NaiveDateTime, actor: &Actor) -> QueryResult<Round> {
    conn.transaction(|conn| {
        lock_round(conn, id, true)?;
        let round = find_round(conn, id)?;
        if round.settings.closes_at > at {
            diesel::update(rounds::table.find(id))
                .set((rounds::closes_at.eq(at), rounds::updated_at.eq(now())))
                .execute(conn)?;
            diesel::update(
                attempts::table
                    .filter(attempts::round_id.eq(id))
                    .filter(attempts::state.eq(AttemptState::InProgress.as_str()))
                    .filter(attempts::deadline_at.gt(at)),
            )
            .set(attempts::deadline_at.eq(at))
            .execute(conn)?;
            if round.settings.opens_at > at {
                diesel::update(rounds::table.find(id)).set(rounds::opens_at.eq(at)).execute(conn)?;
            }
        }
        insert_audit(conn, actor, "round.close", &format!("round:{id}"), "")?;
        find_round(conn, id)
    })
}
