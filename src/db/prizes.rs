//! A round's prizes: the organizer's plan and the list as published.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::audit::{Actor, insert_audit};
use super::boards::{BoardRow, Person};
use super::entries::Entry;
use super::schema::{contest_entries, participants, round_entries, round_prizes};
use super::{DbConnection, from_json, lock_round, now, to_json};
use crate::domain::prizes::{Award, PrizePlan, UnitStanding};

/// The list as it was published: later changes of the entries (a re-key)
/// do not rewrite it; the organizer publishes again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Published {
    /// The plan it was published under.
    pub plan: PrizePlan,
    /// Individual prizes.
    pub awards: Vec<Award>,
    /// Units by participation rate.
    pub by_rate: Vec<UnitStanding>,
    /// Units by average score.
    pub by_score: Vec<UnitStanding>,
}

/// A round's stored prizes.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPrizes {
    /// What the organizer last saved.
    pub plan: PrizePlan,
    /// What is published, if anything.
    pub published: Option<(Published, NaiveDateTime)>,
}

/// The round's prizes, if an organizer saved any.
pub fn load_prizes(conn: &mut DbConnection, round_id: i64) -> QueryResult<Option<StoredPrizes>> {
    let row: Option<(String, Option<String>, Option<NaiveDateTime>)> = round_prizes::table
        .find(round_id)
        .select((round_prizes::plan, round_prizes::published, round_prizes::published_at))
        .first(conn)
        .optional()?;
    let Some((plan, published, at)) = row else { return Ok(None) };
    let published = match (published, at) {
        (Some(p), Some(at)) => Some((from_json(&p)?, at)),
        _ => None,
    };
    Ok(Some(StoredPrizes { plan: from_json(&plan)?, published }))
}

/// Saves the plan and publishes (`Some`) or withdraws (`None`) the list, in
/// one transaction, with every exclusion and its reason in the audit log.
pub fn save_prizes(
    conn: &mut DbConnection,
    round_id: i64,
    plan: &PrizePlan,
    published: Option<&Published>,
    actor: &Actor,
) -> QueryResult<StoredPrizes> {
    conn.transaction(|c| {
        lock_round(c, round_id, true)?;
        let before = load_prizes(c, round_id)?;
        let t = now();
        let (plan_json, published_json) = (to_json(plan)?, published.map(to_json).transpose()?);
        let at = published.map(|_| t);
        let changed = diesel::update(round_prizes::table.find(round_id))
            .set((
                round_prizes::plan.eq(&plan_json),
                round_prizes::published.eq(&published_json),
                round_prizes::published_at.eq(at),
                round_prizes::updated_at.eq(t),
            ))
            .execute(c)?;
        if changed == 0 {
            diesel::insert_into(round_prizes::table)
                .values((
                    round_prizes::round_id.eq(round_id),
                    round_prizes::plan.eq(&plan_json),
                    round_prizes::published.eq(&published_json),
                    round_prizes::published_at.eq(at),
                    round_prizes::updated_at.eq(t),
                ))
                .execute(c)?;
        }
        let subject = format!("round:{round_id}");
        let old = before.as_ref().map(|b| b.plan.exclusions.as_slice()).unwrap_or_default();
        for e in &plan.exclusions {
            if !old.iter().any(|o| o == e) {
                insert_audit(
                    c,
                    actor,
                    "prizes.exclude",
                    &subject,
                    &format!("người dự thi số hiệu {}: {}", e.participant_id, e.reason),
                )?;
            }
        }
        for o in old.iter().filter(|o| !plan.exclusions.iter().any(|e| e.participant_id == o.participant_id)) {
            insert_audit(c, actor, "prizes.include", &subject, &format!("người dự thi số hiệu {}", o.participant_id))?;
        }
        let tiers: Vec<String> =
            plan.tiers.iter().map(|t| format!("{} × {} ({})", t.name, t.count, t.audience.label())).collect();
        insert_audit(c, actor, "prizes.save", &subject, &tiers.join("; "))?;
        match published {
            Some(p) => insert_audit(c, actor, "prizes.publish", &subject, &format!("{} giải cá nhân", p.awards.len()))?,
            None if before.is_some_and(|b| b.published.is_some()) => {
                insert_audit(c, actor, "prizes.withdraw", &subject, "")?
            }
            None => {}
        }
        Ok(StoredPrizes { plan: plan.clone(), published: published.map(|p| (p.clone(), t)) })
    })
}

/// Which of `ids` have an entry in the round.
pub fn entered(conn: &mut DbConnection, round_id: i64, ids: &[i64]) -> QueryResult<Vec<i64>> {
    round_entries::table
        .filter(round_entries::round_id.eq(round_id))
        .filter(round_entries::participant_id.eq_any(ids))
        .select(round_entries::participant_id)
        .load(conn)
}

/// Rounds of `round_ids` whose prizes are published.
pub fn published_rounds(conn: &mut DbConnection, round_ids: &[i64]) -> QueryResult<Vec<i64>> {
    round_prizes::table
        .filter(round_prizes::round_id.eq_any(round_ids))
        .filter(round_prizes::published_at.is_not_null())
        .select(round_prizes::round_id)
        .load(conn)
}

/// A contest's standings by unit: (unit, participant's total score), one
/// row per participant (summed by unit in the caller).
pub fn contest_scores_by_unit(conn: &mut DbConnection, contest_id: i64) -> QueryResult<Vec<(Option<i64>, i64)>> {
    contest_entries::table
        .filter(contest_entries::contest_id.eq(contest_id))
        .select((contest_entries::unit_id, contest_entries::score))
        .load(conn)
}

/// The entries of `ids` in the round, with whose they are (ranks left at 0:
/// a published list keeps the ranks it was published with).
pub fn entries_of(conn: &mut DbConnection, round_id: i64, ids: &[i64]) -> QueryResult<Vec<BoardRow>> {
    let rows: Vec<(Entry, String, Option<i64>)> = round_entries::table
        .inner_join(participants::table)
        .filter(round_entries::round_id.eq(round_id))
        .filter(round_entries::participant_id.eq_any(ids))
        .select((Entry::as_select(), participants::full_name, participants::user_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(entry, full_name, user_id)| BoardRow {
            rank: 0,
            entry,
            person: Person { full_name, official: user_id.is_some(), user_id },
        })
        .collect())
}

/// A round's entries counted: (entrants, of whom officials, with full marks).
pub fn entry_counts(conn: &mut DbConnection, round_id: i64) -> QueryResult<(i64, i64, i64)> {
    let of_round = || round_entries::table.filter(round_entries::round_id.eq(round_id));
    let entrants = of_round().count().get_result(conn)?;
    let officials = of_round()
        .inner_join(participants::table)
        .filter(participants::user_id.is_not_null())
        .count()
        .get_result(conn)?;
    let full_marks = of_round().filter(round_entries::full_marks.eq(true)).count().get_result(conn)?;
    Ok((entrants, officials, full_marks))
}

/// How many entries of the round got each number of answers right.
pub fn correct_distribution(conn: &mut DbConnection, round_id: i64) -> QueryResult<Vec<(i32, i64)>> {
    round_entries::table
        .filter(round_entries::round_id.eq(round_id))
        .group_by(round_entries::correct)
        .select((round_entries::correct, diesel::dsl::count_star()))
        .order(round_entries::correct.asc())
        .load(conn)
}

/// What the organizer's flags read for each entry of a round: (participant,
/// duration, submitted at, device) and the items of the attempt that counts
/// as (participant, question, options chosen in the bank's order).
pub type FlagRows = (Vec<(i64, i64, NaiveDateTime, Option<String>)>, Vec<(i64, i64, Vec<usize>)>);

/// See [`FlagRows`].
pub fn flag_rows(conn: &mut DbConnection, round_id: i64) -> QueryResult<FlagRows> {
    use super::schema::attempt_items;
    let entries = round_entries::table
        .inner_join(participants::table)
        .filter(round_entries::round_id.eq(round_id))
        .select((
            round_entries::participant_id,
            round_entries::duration_ms,
            round_entries::submitted_at,
            participants::device_id,
        ))
        .load(conn)?;
    let items: Vec<(i64, i64, String, Option<String>)> = round_entries::table
        .inner_join(attempt_items::table.on(attempt_items::attempt_id.eq(round_entries::best_attempt_id)))
        .filter(round_entries::round_id.eq(round_id))
        .select((
            round_entries::participant_id,
            attempt_items::question_id,
            attempt_items::option_order,
            attempt_items::choices,
        ))
        .load(conn)?;
    let items = items
        .into_iter()
        .map(|(pid, qid, order, choices)| {
            let order: Vec<usize> = from_json(&order)?;
            let shown: Vec<usize> = choices.as_deref().map(from_json).transpose()?.unwrap_or_default();
            let mut bank: Vec<usize> = shown.iter().filter_map(|d| order.get(*d).copied()).collect();
            bank.sort_unstable();
            Ok((pid, qid, bank))
        })
        .collect::<QueryResult<_>>()?;
    Ok((entries, items))
}

/// How many entrants each device registered in the contest.
pub fn device_counts(conn: &mut DbConnection, contest_id: i64) -> QueryResult<Vec<(Option<String>, i64)>> {
    participants::table
        .filter(participants::contest_id.eq(contest_id))
        .filter(participants::device_id.is_not_null())
        .group_by(participants::device_id)
        .select((participants::device_id, diesel::dsl::count_star()))
        .load(conn)
}
