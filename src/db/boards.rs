//! Leaderboards, read from `round_entries` and `unit_round_stats` by index
//! in the one ranking order (promise 5), never recomputed from attempts.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use super::DbConnection;
use super::attempts::Entry;
use super::schema::{attempts, participants, round_entries, rounds, unit_round_stats, units, users};
use super::units::{Unit, list_units, subtree_ids};
use crate::domain::ranking::RankKey;

/// One row of a leaderboard.
#[derive(Debug, Clone)]
pub struct BoardRow {
    /// Competition rank (1, 2, 2, 4).
    pub rank: i64,
    /// The entry.
    pub entry: Entry,
    /// The participant's name.
    pub name: String,
}

/// Entries strictly better than `k` in the round (and units, if given).
fn count_better(conn: &mut DbConnection, round_id: i64, unit_ids: Option<&[i64]>, k: &RankKey) -> QueryResult<i64> {
    use round_entries as e;
    let better = e::score
        .gt(k.score)
        .or(e::score.eq(k.score).and(e::prediction_error.lt(k.prediction_error)))
        .or(e::score.eq(k.score).and(e::prediction_error.eq(k.prediction_error)).and(e::duration_ms.lt(k.duration_ms)))
        .or(e::score
            .eq(k.score)
            .and(e::prediction_error.eq(k.prediction_error))
            .and(e::duration_ms.eq(k.duration_ms))
            .and(e::submitted_at.lt(k.submitted_at)));
    let mut q = e::table.filter(e::round_id.eq(round_id)).filter(better).into_boxed();
    if let Some(ids) = unit_ids {
        q = q.filter(e::unit_id.eq_any(ids.to_vec()));
    }
    q.count().get_result(conn)
}

/// A page of a round's board, optionally only the given units; returns the
/// number of entries and the rows.
pub fn board_page(
    conn: &mut DbConnection,
    round_id: i64,
    unit_ids: Option<&[i64]>,
    limit: i64,
    offset: i64,
) -> QueryResult<(i64, Vec<BoardRow>)> {
    use round_entries as e;
    let mut total_q = e::table.filter(e::round_id.eq(round_id)).into_boxed();
    let mut page_q = e::table
        .inner_join(participants::table)
        .filter(e::round_id.eq(round_id))
        .order((
            e::score.desc(),
            e::prediction_error.asc(),
            e::duration_ms.asc(),
            e::submitted_at.asc(),
            e::participant_id.asc(),
        ))
        .limit(limit)
        .offset(offset)
        .select((Entry::as_select(), participants::full_name))
        .into_boxed();
    if let Some(ids) = unit_ids {
        total_q = total_q.filter(e::unit_id.eq_any(ids.to_vec()));
        page_q = page_q.filter(e::unit_id.eq_any(ids.to_vec()));
    }
    let total: i64 = total_q.count().get_result(conn)?;
    let rows: Vec<(Entry, String)> = page_q.load(conn)?;
    let mut out: Vec<BoardRow> = Vec::with_capacity(rows.len());
    for (entry, name) in rows {
        // Sorted: an entry unlike the one before it has every earlier entry above it.
        let rank = match out.last() {
            Some(prev) if prev.entry.key() == entry.key() => prev.rank,
            Some(_) => offset + out.len() as i64 + 1,
            None => count_better(conn, round_id, unit_ids, &entry.key())? + 1,
        };
        out.push(BoardRow { rank, entry, name });
    }
    Ok((total, out))
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
            let better = count_better(conn, round_id, unit_ids, &e.key())?;
            Ok(Some((e, better + 1)))
        }
        None => Ok(None),
    }
}

/// A unit's figures for a round, its own and rolled up from units under it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnitRow {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Parent's code.
    pub parent_code: Option<String>,
    /// Participants (this unit and every unit under it).
    pub participants: i64,
    /// Staff (this unit and every unit under it).
    pub staff_count: i64,
    /// participants / staff_count, 0 when no staff.
    pub rate: f64,
    /// Average best score.
    pub avg_score: f64,
    /// Participants with full marks.
    pub full_marks: i64,
    /// Final attempts.
    pub attempts: i64,
}

/// Every unit's figures for a round, rolled up through the hierarchy.
pub fn unit_rows(conn: &mut DbConnection, round_id: i64) -> QueryResult<Vec<UnitRow>> {
    let all = list_units(conn)?;
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
    Ok(roll_up(&all, &stats))
}

/// Sums each unit's own figures with those of every unit under it.
pub fn roll_up(all: &[Unit], stats: &[(i64, i32, i32, i64, i32)]) -> Vec<UnitRow> {
    let own: HashMap<i64, &(i64, i32, i32, i64, i32)> = stats.iter().map(|s| (s.0, s)).collect();
    let code_of: HashMap<i64, &str> = all.iter().map(|u| (u.id, u.code.as_str())).collect();
    let staff_of: HashMap<i64, i32> = all.iter().map(|u| (u.id, u.staff_count)).collect();
    all.iter()
        .map(|u| {
            let (mut p, mut a, mut sum, mut fm, mut staff) = (0i64, 0i64, 0i64, 0i64, 0i64);
            for id in subtree_ids(all, u.id) {
                if let Some(s) = own.get(&id) {
                    p += i64::from(s.1);
                    a += i64::from(s.2);
                    sum += s.3;
                    fm += i64::from(s.4);
                }
                staff += i64::from(staff_of.get(&id).copied().unwrap_or(0));
            }
            UnitRow {
                code: u.code.clone(),
                name: u.name.clone(),
                kind: u.kind.clone(),
                parent_code: u.parent_id.and_then(|p| code_of.get(&p).map(|c| c.to_string())),
                participants: p,
                staff_count: staff,
                rate: if staff > 0 { p as f64 / staff as f64 } else { 0.0 },
                avg_score: if p > 0 { sum as f64 / p as f64 } else { 0.0 },
                full_marks: fm,
                attempts: a,
            }
        })
        .collect()
}

/// One participant's standing in a contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// Name.
    pub name: String,
    /// Unit id.
    pub unit_id: Option<i64>,
    /// Sum of best scores.
    pub score: i64,
    /// Sum of times.
    pub duration_ms: i64,
    /// Rounds taken.
    pub rounds: i64,
}

/// Contest standings: each participant's sum of best scores over the
/// contest's rounds, with the total time as tiebreak.
pub fn standings(conn: &mut DbConnection, contest_id: i64, limit: i64) -> QueryResult<Vec<Standing>> {
    let rows: Vec<(i64, String, Option<i64>, i32, i64)> = round_entries::table
        .inner_join(rounds::table)
        .inner_join(participants::table)
        .filter(rounds::contest_id.eq(contest_id))
        .filter(rounds::practice.eq(false))
        .select((
            round_entries::participant_id,
            participants::full_name,
            round_entries::unit_id,
            round_entries::score,
            round_entries::duration_ms,
        ))
        .load(conn)?;
    let mut by: HashMap<i64, Standing> = HashMap::new();
    for (pid, name, unit_id, score, dur) in rows {
        let e = by.entry(pid).or_insert(Standing { name, unit_id, score: 0, duration_ms: 0, rounds: 0 });
        e.score += i64::from(score);
        e.duration_ms += dur;
        e.rounds += 1;
    }
    let mut v: Vec<Standing> = by.into_values().collect();
    v.sort_by(|a, b| b.score.cmp(&a.score).then(a.duration_ms.cmp(&b.duration_ms)).then(a.name.cmp(&b.name)));
    v.truncate(limit.max(0) as usize);
    Ok(v)
}

/// Everything the results export needs, in rank order.
pub fn all_entries(conn: &mut DbConnection, round_id: i64) -> QueryResult<Vec<(Entry, String, Option<String>)>> {
    use round_entries as e;
    e::table
        .inner_join(participants::table)
        .left_join(units::table.on(units::id.nullable().eq(e::unit_id)))
        .filter(e::round_id.eq(round_id))
        .order((
            e::score.desc(),
            e::prediction_error.asc(),
            e::duration_ms.asc(),
            e::submitted_at.asc(),
            e::participant_id.asc(),
        ))
        .select((Entry::as_select(), participants::full_name, units::name.nullable()))
        .load(conn)
}

/// Officials of the given units (not disabled) who have no final attempt in the round:
/// (username, full name, unit code, unit name).
pub fn not_yet_taken(
    conn: &mut DbConnection,
    round_id: i64,
    unit_ids: &[i64],
) -> QueryResult<Vec<(String, String, String, String)>> {
    let done: HashSet<i64> = attempts::table
        .inner_join(participants::table)
        .filter(attempts::round_id.eq(round_id))
        .filter(attempts::state.ne("in_progress"))
        .select(participants::user_id)
        .load::<Option<i64>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    let staff: Vec<(i64, String, String, String, String)> = users::table
        .inner_join(units::table)
        .filter(users::role.eq("official"))
        .filter(users::disabled.eq(false))
        .filter(users::unit_id.eq_any(unit_ids.to_vec()))
        .order((units::code.asc(), users::username.asc()))
        .select((users::id, users::username, users::full_name, units::code, units::name))
        .load(conn)?;
    Ok(staff.into_iter().filter(|s| !done.contains(&s.0)).map(|s| (s.1, s.2, s.3, s.4)).collect())
}
