//! Leaderboards, read from `round_entries`, `contest_entries` and
//! `unit_round_stats` in the one ranking order (promise 5): every board,
//! rank, export and "my position" orders by the stored rank key, and a rank
//! is one more than the number of strictly smaller keys, counted through
//! the index (O(rank), never a scan of the round).

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::DbConnection;
use super::entries::{Entry, StandingRow};
use super::schema::{attempts, contest_entries, participants, round_entries, unit_round_stats, units, users};
use crate::domain::attempt::AttemptState;
use crate::domain::people::Role;
use crate::domain::ranking::competition_ranks;
use crate::domain::rollup::UnitFigures;

/// Who an entry belongs to, as boards need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Name as registered.
    pub full_name: String,
    /// Whether it is an official's account (their full name may be shown).
    pub official: bool,
    /// The official's account, if it is one.
    pub user_id: Option<i64>,
}

/// One row of a round's board.
#[derive(Debug, Clone)]
pub struct BoardRow {
    /// Competition rank (1, 2, 2, 4).
    pub rank: i64,
    /// The entry.
    pub entry: Entry,
    /// Whose.
    pub person: Person,
}

/// Entries of the round (and units, if given) whose key is strictly smaller.
fn count_better(conn: &mut DbConnection, round_id: i64, unit_ids: Option<&[i64]>, key: &str) -> QueryResult<i64> {
    let mut q = round_entries::table
        .filter(round_entries::round_id.eq(round_id))
        .filter(round_entries::rank_key.lt(key))
        .into_boxed();
    if let Some(ids) = unit_ids {
        q = q.filter(round_entries::unit_id.eq_any(ids.to_vec()));
    }
    q.count().get_result(conn)
}

/// How many entries a round has (in the given units).
pub fn count_entries(conn: &mut DbConnection, round_id: i64, unit_ids: Option<&[i64]>) -> QueryResult<i64> {
    let mut q = round_entries::table.filter(round_entries::round_id.eq(round_id)).into_boxed();
    if let Some(ids) = unit_ids {
        q = q.filter(round_entries::unit_id.eq_any(ids.to_vec()));
    }
    q.count().get_result(conn)
}

/// A page of a round's board in rank order, optionally only the given units.
pub fn board_page(
    conn: &mut DbConnection,
    round_id: i64,
    unit_ids: Option<&[i64]>,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<BoardRow>> {
    let mut q = round_entries::table
        .inner_join(participants::table)
        .filter(round_entries::round_id.eq(round_id))
        .order((round_entries::rank_key.asc(), round_entries::participant_id.asc()))
        .limit(limit)
        .offset(offset)
        .select((Entry::as_select(), participants::full_name, participants::user_id))
        .into_boxed();
    if let Some(ids) = unit_ids {
        q = q.filter(round_entries::unit_id.eq_any(ids.to_vec()));
    }
    let rows: Vec<(Entry, String, Option<i64>)> = q.load(conn)?;
    let first = match rows.first() {
        Some((e, _, _)) => count_better(conn, round_id, unit_ids, &e.rank_key)? + 1,
        None => return Ok(Vec::new()),
    };
    let keys: Vec<&str> = rows.iter().map(|(e, _, _)| e.rank_key.as_str()).collect();
    let ranks = competition_ranks(first, offset, &keys);
    Ok(rows
        .into_iter()
        .zip(ranks)
        .map(|((entry, full_name, user_id), rank)| BoardRow {
            rank,
            entry,
            person: Person { full_name, official: user_id.is_some(), user_id },
        })
        .collect())
}

/// A participant's entry and rank in the round, and in a set of units.
pub fn position(
    conn: &mut DbConnection,
    round_id: i64,
    participant_id: i64,
    unit_ids: Option<&[i64]>,
) -> QueryResult<Option<(Entry, i64)>> {
    let entry: Option<Entry> =
        round_entries::table.find((round_id, participant_id)).select(Entry::as_select()).first(conn).optional()?;
    match entry {
        Some(e) => {
            let better = count_better(conn, round_id, unit_ids, &e.rank_key)?;
            Ok(Some((e, better + 1)))
        }
        None => Ok(None),
    }
}

/// Every unit's own figures for a round (roll them up with
/// [`crate::domain::rollup::roll_up`]).
pub fn unit_figures(conn: &mut DbConnection, round_id: i64) -> QueryResult<HashMap<i64, UnitFigures>> {
    let stats: Vec<(i64, i32, i32, i64, i32)> = unit_round_stats::table
        .filter(unit_round_stats::round_id.eq(round_id))
        .select((
            unit_round_stats::unit_id,
            unit_round_stats::participants,
            unit_round_stats::attempts,
            unit_round_stats::score_sum,
            unit_round_stats::full_marks,
        ))
        .load(conn)?;
    Ok(stats
        .into_iter()
        .map(|(id, p, a, s, f)| {
            (
                id,
                UnitFigures {
                    participants: i64::from(p),
                    attempts: i64::from(a),
                    score_sum: s,
                    full_marks: i64::from(f),
                },
            )
        })
        .collect())
}

/// One row of a contest's standings.
#[derive(Debug, Clone)]
pub struct StandingBoardRow {
    /// Competition rank.
    pub rank: i64,
    /// The standing.
    pub standing: StandingRow,
    /// Whose.
    pub person: Person,
}

/// A page of a contest's standings in rank order, and how many there are.
pub fn standings_page(
    conn: &mut DbConnection,
    contest_id: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<(i64, Vec<StandingBoardRow>)> {
    use contest_entries as ce;
    let total: i64 = ce::table.filter(ce::contest_id.eq(contest_id)).count().get_result(conn)?;
    let rows: Vec<(StandingRow, String, Option<i64>)> = ce::table
        .inner_join(participants::table)
        .filter(ce::contest_id.eq(contest_id))
        .order((ce::rank_key.asc(), ce::participant_id.asc()))
        .limit(limit)
        .offset(offset)
        .select((StandingRow::as_select(), participants::full_name, participants::user_id))
        .load(conn)?;
    let first = match rows.first() {
        Some((s, _, _)) => {
            ce::table
                .filter(ce::contest_id.eq(contest_id))
                .filter(ce::rank_key.lt(&s.rank_key))
                .count()
                .get_result::<i64>(conn)?
                + 1
        }
        None => return Ok((total, Vec::new())),
    };
    let keys: Vec<&str> = rows.iter().map(|(s, _, _)| s.rank_key.as_str()).collect();
    let ranks = competition_ranks(first, offset, &keys);
    let out = rows
        .into_iter()
        .zip(ranks)
        .map(|((standing, full_name, user_id), rank)| StandingBoardRow {
            rank,
            standing,
            person: Person { full_name, official: user_id.is_some(), user_id },
        })
        .collect();
    Ok((total, out))
}

/// An official with an account who has not taken a round yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingStaff {
    /// Username.
    pub username: String,
    /// Full name.
    pub full_name: String,
    /// The unit's code.
    pub unit_code: String,
    /// The unit's name.
    pub unit_name: String,
    /// Email, when the account has one.
    pub email: Option<String>,
    /// Phone, when the account has one.
    pub phone: Option<String>,
}

/// The officials' accounts of `unit_ids` (active ones) that have no final
/// attempt in the round, by unit then username, and how many such accounts
/// there are in all: the list knows only people with an account.
pub fn not_yet_taken(
    conn: &mut DbConnection,
    round_id: i64,
    unit_ids: &[i64],
) -> QueryResult<(Vec<MissingStaff>, usize)> {
    let done: HashSet<i64> = attempts::table
        .inner_join(participants::table)
        .filter(attempts::round_id.eq(round_id))
        .filter(attempts::state.ne(AttemptState::InProgress.as_str()))
        .select(participants::user_id)
        .load::<Option<i64>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    #[allow(clippy::type_complexity)]
    let staff: Vec<(i64, String, String, String, String, Option<String>, Option<String>)> = users::table
        .inner_join(units::table)
        .filter(users::role.eq(Role::Official.as_str()))
        .filter(users::disabled.eq(false))
        .filter(users::unit_id.eq_any(unit_ids.to_vec()))
        .order((units::code.asc(), users::username.asc()))
        .select((users::id, users::username, users::full_name, units::code, units::name, users::email, users::phone))
        .load(conn)?;
    let accounts = staff.len();
    let missing = staff
        .into_iter()
        .filter(|s| !done.contains(&s.0))
        .map(|(_, username, full_name, unit_code, unit_name, email, phone)| MissingStaff {
            username,
            full_name,
            unit_code,
            unit_name,
            email,
            phone,
        })
        .collect();
    Ok((missing, accounts))
}
