//! A round's question pool: what each blueprint row can draw from now,
//! frozen at publication, and what a new paper draws from the frozen pool.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{FreezeError, Round, find_round};
use crate::db::schema::{banks, question_fixes, questions, round_pool, rounds};
use crate::db::{DbConnection, from_json};
use crate::domain::bank::QuestionState;
use crate::domain::paper::{BlueprintRow, GroupsError, PoolQuestion, satisfiable};
use crate::domain::reveal::Secrecy;
use crate::domain::round::{RevealPolicy, RoundStatus};

/// The active, non-voided questions of a blueprint row, by id.
fn row_candidates(conn: &mut DbConnection, r: &BlueprintRow) -> QueryResult<Vec<PoolQuestion>> {
    let mut q = questions::table
        .inner_join(banks::table)
        .filter(banks::slug.eq(&r.bank))
        .filter(questions::state.eq(QuestionState::Active.as_str()))
        .filter(questions::voided.eq(false))
        .select((questions::id, questions::options, questions::fixed_order, questions::exclusion_group))
        .order(questions::id.asc())
        .into_boxed();
    if let Some(d) = r.difficulty {
        q = q.filter(questions::difficulty.eq(d.as_str()));
    }
    let rows: Vec<(i64, String, bool, Option<String>)> = q.load(conn)?;
    rows.into_iter().map(|(id, options, fixed, group)| pool_question(id, &options, fixed, group)).collect()
}

fn pool_question(id: i64, options: &str, fixed_order: bool, group: Option<String>) -> QueryResult<PoolQuestion> {
    Ok(PoolQuestion { id, options: from_json::<Vec<String>>(options)?.len(), fixed_order, group })
}

/// What each blueprint row can draw from now: its bank's active,
/// non-voided questions (of its difficulty), with their exclusion groups.
pub fn row_pools(conn: &mut DbConnection, rows: &[BlueprintRow]) -> QueryResult<Vec<Vec<PoolQuestion>>> {
    rows.iter().map(|r| row_candidates(conn, r)).collect()
}

/// How many active, non-voided questions each blueprint row can draw from.
pub fn pool_sizes(conn: &mut DbConnection, rows: &[BlueprintRow]) -> QueryResult<Vec<i64>> {
    Ok(row_pools(conn, rows)?.iter().map(|p| p.len() as i64).collect())
}

/// Replaces the round's frozen pool with the banks' questions as they are
/// now (in the caller's transaction, the round locked, nobody started).
/// Refused when a row is short or the exclusion groups leave no paper.
pub(super) fn freeze_pool(conn: &mut DbConnection, round: &Round) -> QueryResult<Result<(), FreezeError>> {
    diesel::delete(round_pool::table.filter(round_pool::round_id.eq(round.id))).execute(conn)?;
    let blueprint = round.settings.blueprint.rows();
    let pools = row_pools(conn, blueprint)?;
    for (i, (r, pool)) in blueprint.iter().zip(&pools).enumerate() {
        if (pool.len() as i64) < i64::from(r.count) {
            return Ok(Err(FreezeError::ShortPool { row: i, wanted: r.count, available: pool.len() as i64 }));
        }
    }
    if let Err(u) = satisfiable(blueprint, &pools) {
        return Ok(Err(FreezeError::Groups(GroupsError::Unsatisfiable(u))));
    }
    for (i, pool) in pools.iter().enumerate() {
        let rows: Vec<_> = pool
            .iter()
            .map(|q| {
                (
                    round_pool::round_id.eq(round.id),
                    round_pool::row_index.eq(i as i32),
                    round_pool::question_id.eq(q.id),
                )
            })
            .collect();
        // Multi-row inserts do not compile through the enum: one arm each.
        for chunk in rows.chunks(200) {
            match conn {
                DbConnection::Sqlite(c) => diesel::insert_into(round_pool::table).values(chunk).execute(c)?,
                DbConnection::Pg(c) => diesel::insert_into(round_pool::table).values(chunk).execute(c)?,
            };
        }
    }
    diesel::update(rounds::table.find(round.id))
        .set(rounds::pool_version.eq(rounds::pool_version + 1))
        .execute(conn)?;
    Ok(Ok(()))
}

/// What a new paper of a round draws from: the frozen pools, one per
/// blueprint row, and the questions voided since (globally or in the
/// round's contest), which new papers leave out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawPool {
    /// The round's `pool_version` these were read at.
    pub version: i32,
    /// The frozen pools, one per blueprint row, by question id.
    pub frozen: Vec<Vec<PoolQuestion>>,
    /// Question ids to leave out, sorted.
    pub excluded: Vec<i64>,
}

/// (row index, question id, options, fixed order, group, voided, voided in the contest).
type FrozenRow = (i32, i64, String, bool, Option<String>, bool, Option<bool>);

/// The frozen pools of a round and what is excluded from them now.
pub fn load_draw_pool(conn: &mut DbConnection, round: &Round) -> QueryResult<DrawPool> {
    let rows: Vec<FrozenRow> = round_pool::table
        .inner_join(questions::table)
        .left_join(
            question_fixes::table.on(question_fixes::question_id
                .eq(round_pool::question_id)
                .and(question_fixes::contest_id.eq(round.contest_id))),
        )
        .filter(round_pool::round_id.eq(round.id))
        .order((round_pool::row_index.asc(), round_pool::question_id.asc()))
        .select((
            round_pool::row_index,
            questions::id,
            questions::options,
            questions::fixed_order,
            questions::exclusion_group,
            questions::voided,
            question_fixes::voided.nullable(),
        ))
        .load(conn)?;
    let mut frozen: Vec<Vec<PoolQuestion>> = vec![Vec::new(); round.settings.blueprint.rows().len()];
    let mut excluded = Vec::new();
    for (row, id, options, fixed, group, voided, fix_voided) in rows {
        let pool = frozen.get_mut(row as usize).ok_or_else(|| {
            diesel::result::Error::DeserializationError(
                format!("round {}: pool row {row} not in blueprint", round.id).into(),
            )
        })?;
        pool.push(pool_question(id, &options, fixed, group)?);
        if voided || fix_voided == Some(true) {
            excluded.push(id);
        }
    }
    excluded.sort_unstable();
    Ok(DrawPool { version: round.pool_version, frozen, excluded })
}

/// The published rounds other than `except` whose frozen pools hold any of
/// `question_ids`: (question id, what its secrecy needs).
pub fn rounds_holding(conn: &mut DbConnection, question_ids: &[i64], except: i64) -> QueryResult<Vec<(i64, Secrecy)>> {
    let rows: Vec<(i64, i64, NaiveDateTime, i32, String)> = round_pool::table
        .inner_join(rounds::table)
        .filter(round_pool::question_id.eq_any(question_ids))
        .filter(rounds::id.ne(except))
        .filter(rounds::status.eq(RoundStatus::Published.as_str()))
        .select((round_pool::question_id, rounds::id, rounds::closes_at, rounds::grace_s, rounds::reveal_policy))
        .load(conn)?;
    rows.into_iter()
        .map(|(q, _, closes_at, grace_s, policy)| {
            let policy =
                RevealPolicy::try_from(policy).map_err(|e| diesel::result::Error::DeserializationError(e.into()))?;
            let last_answer_at = closes_at + chrono::Duration::seconds(i64::from(grace_s));
            Ok((q, Secrecy { policy, last_answer_at }))
        })
        .collect()
}

/// Published rounds other than `round` whose pools share questions with
/// it: (round, how many questions shared).
pub fn overlapping_rounds(conn: &mut DbConnection, round: &Round) -> QueryResult<Vec<(Round, i64)>> {
    let mine: Vec<i64> =
        round_pool::table.filter(round_pool::round_id.eq(round.id)).select(round_pool::question_id).load(conn)?;
    let shared: Vec<(i64, i64)> = round_pool::table
        .filter(round_pool::question_id.eq_any(mine))
        .filter(round_pool::round_id.ne(round.id))
        .group_by(round_pool::round_id)
        .select((round_pool::round_id, diesel::dsl::count_star()))
        .load(conn)?;
    let mut out = Vec::new();
    for (id, n) in shared {
        let r = find_round(conn, id)?;
        if r.is_published() {
            out.push((r, n));
        }
    }
    Ok(out)
}

/// Marks the rounds whose pools hold any of `question_ids` (only those of
/// `contest`, when given) as drawing from a changed pool: their next papers
/// read it again and leave the voided questions out.
pub fn bump_pool_versions(conn: &mut DbConnection, question_ids: &[i64], contest: Option<i64>) -> QueryResult<usize> {
    let holding = round_pool::table.filter(round_pool::question_id.eq_any(question_ids)).select(round_pool::round_id);
    let mut q = diesel::update(rounds::table.filter(rounds::id.eq_any(holding))).into_boxed();
    if let Some(c) = contest {
        q = q.filter(rounds::contest_id.eq(c));
    }
    q.set(rounds::pool_version.eq(rounds::pool_version + 1)).execute(conn)
}
