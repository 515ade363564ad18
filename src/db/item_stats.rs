//! The per-item rows of item analysis (`item_results`) and the sums over
//! them. A row is written for every valid item of a ranked attempt when it
//! finalizes and rewritten when it is re-graded, in the same transaction;
//! the statistics read only the rows of counted attempts (each entry's
//! best attempt, `round_entries.best_attempt_id`).

use diesel::prelude::*;
use diesel::sql_types::Integer;

use super::attempts::{Attempt, ItemFull};
use super::schema::{banks, item_results, question_fixes, questions, round_entries, rounds};
use super::{DbConnection, from_json};
use crate::domain::grading::{Grade, is_correct};
use crate::domain::items::{Response, Sums, mask, rest_fraction};

diesel::infix_operator!(BitAnd, " & ", Integer);
// rest × correct (0 or 1): the rest fractions of those right, summed in
// the same pass (`*` between a double and an integer, on either backend).
diesel::infix_operator!(TimesRight, " * ", diesel::sql_types::Double);

/// Most options a question has (`domain::bank::check`: 2 to 6); the sums
/// count each of them.
pub const MAX_OPTIONS: usize = 6;

/// Whose statistics: one round's, every round of a contest, or every
/// round that drew a bank's questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemScope {
    /// A round, by id.
    Round(i64),
    /// A contest's rounds, by contest id.
    Contest(i64),
    /// Every round, for a bank's questions, by bank id.
    Bank(i64),
}

/// Rewrites the item rows of a re-graded attempt: [`store_item_results`]
/// after dropping the rows it had.
pub fn replace_item_results(
    conn: &mut DbConnection,
    attempt: &Attempt,
    items: &[ItemFull],
    grade: &Grade,
) -> QueryResult<()> {
    diesel::delete(item_results::table.filter(item_results::attempt_id.eq(attempt.id))).execute(conn)?;
    store_item_results(conn, attempt, items, grade)
}

/// Writes the item rows of an attempt that has none yet (it has just been
/// finalized) from its graded items (the contest's corrections applied):
/// none for a voided item, none at all for an unranked attempt, which
/// never counts.
pub fn store_item_results(
    conn: &mut DbConnection,
    attempt: &Attempt,
    items: &[ItemFull],
    grade: &Grade,
) -> QueryResult<()> {
    if !attempt.ranked {
        return Ok(());
    }
    let rows: Vec<_> = items
        .iter()
        .filter(|i| !i.voided)
        .map(|i| {
            let right = is_correct(&i.answer_display, (!i.choices.is_empty()).then_some(&i.choices[..]));
            let file: Vec<usize> = i.choices.iter().filter_map(|&d| i.option_order.get(d).copied()).collect();
            (
                item_results::attempt_id.eq(attempt.id),
                item_results::position.eq(i.position),
                item_results::round_id.eq(attempt.round_id),
                item_results::question_id.eq(i.question_id),
                item_results::correct.eq(i32::from(right)),
                item_results::chosen.eq(mask(&file)),
                item_results::rest.eq(rest_fraction(grade.correct, grade.total, right)),
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    // Multi-row inserts do not compile through the enum: one arm each.
    match conn {
        DbConnection::Sqlite(c) => diesel::insert_into(item_results::table).values(&rows).execute(c)?,
        DbConnection::Pg(c) => diesel::insert_into(item_results::table).values(&rows).execute(c)?,
    };
    Ok(())
}

fn bit(i: usize) -> BitAnd<item_results::chosen, diesel::dsl::AsExprOf<i32, Integer>> {
    BitAnd::new(item_results::chosen, (1i32 << i).into_sql::<Integer>())
}

/// The counted rows of a scope, joined as the scope needs, then `$then`.
macro_rules! scoped {
    ($scope:expr, $q:ident => $then:expr) => {{
        let counted = round_entries::table.on(round_entries::best_attempt_id.eq(item_results::attempt_id));
        match $scope {
            ItemScope::Round(id) => {
                let $q = item_results::table.inner_join(counted).filter(item_results::round_id.eq(id));
                $then
            }
            ItemScope::Contest(id) => {
                let $q = item_results::table
                    .inner_join(counted)
                    .inner_join(rounds::table.on(rounds::id.eq(item_results::round_id)))
                    .filter(rounds::contest_id.eq(id));
                $then
            }
            ItemScope::Bank(id) => {
                let $q = item_results::table
                    .inner_join(counted)
                    .inner_join(questions::table.on(questions::id.eq(item_results::question_id)))
                    .filter(questions::bank_id.eq(id));
                $then
            }
        }
    }};
}

type SumRow = (i64, i64, Option<i64>, Option<f64>, Option<f64>, Option<f64>, [Option<i64>; MAX_OPTIONS]);

/// The sums of every question drawn in a scope, by question id: times
/// drawn, right, blank, each option, and the rest-of-paper sums of the
/// point-biserial, each added up by the database.
pub fn item_sums(conn: &mut DbConnection, scope: ItemScope) -> QueryResult<Vec<(i64, Sums)>> {
    use diesel::dsl::{count_star, sum};
    let main = scoped!(scope, q => q
        .group_by(item_results::question_id)
        .select((
            item_results::question_id,
            count_star(),
            sum(item_results::correct),
            sum(item_results::rest),
            sum(item_results::rest * item_results::rest),
            sum(TimesRight::new(item_results::rest, item_results::correct)),
            sum(bit(0)),
            sum(bit(1)),
            sum(bit(2)),
            sum(bit(3)),
            sum(bit(4)),
            sum(bit(5)),
        ))
        .load::<(i64, i64, Option<i64>, Option<f64>, Option<f64>, Option<f64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>)>(conn)?);
    let blank: Vec<(i64, i64)> = scoped!(scope, q => q
        .filter(item_results::chosen.eq(0))
        .group_by(item_results::question_id)
        .select((item_results::question_id, count_star()))
        .load(conn)?);
    let rows: Vec<SumRow> = main
        .into_iter()
        .map(|(q, n, c, r, r2, ry, a, b, cc, d, e, f)| (q, n, c, r, r2, ry, [a, b, cc, d, e, f]))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(qid, drawn, correct, rest, rest_sq, rest_right, options)| {
            let sums = Sums {
                drawn,
                correct: correct.unwrap_or(0),
                blank: blank.iter().find(|b| b.0 == qid).map_or(0, |b| b.1),
                options: options.iter().enumerate().map(|(i, c)| c.unwrap_or(0) >> i).collect(),
                rest: rest.unwrap_or(0.0),
                rest_sq: rest_sq.unwrap_or(0.0),
                rest_right: rest_right.unwrap_or(0.0),
            };
            (qid, sums)
        })
        .collect())
}

/// Every counted response of a scope, by question id, for the upper and
/// lower groups (which need the entrants ranked, not summed).
pub fn item_responses(conn: &mut DbConnection, scope: ItemScope) -> QueryResult<Vec<(i64, Response)>> {
    let rows: Vec<(i64, f64, i32, i32, i64)> = scoped!(scope, q => q
        .select((item_results::question_id, item_results::rest, item_results::correct, item_results::chosen, item_results::attempt_id))
        .load(conn)?);
    Ok(rows
        .into_iter()
        .map(|(qid, rest, correct, chosen, tie)| (qid, Response { rest, correct: correct == 1, chosen, tie }))
        .collect())
}

/// A question as the item statistics show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemQuestion {
    /// The question version.
    pub id: i64,
    /// Its bank's slug.
    pub bank: String,
    /// Its key in the bank.
    pub key: String,
    /// Its version.
    pub version: i32,
    /// The question.
    pub text: String,
    /// Its options, in the bank's order.
    pub options: Vec<String>,
    /// The key in force (the bank's order): the contest's correction, when
    /// the scope is one contest and it has one, else the bank's.
    pub key_in_force: Vec<usize>,
}

type QuestionInfoRow = (i64, String, String, i32, String, String, String);

/// The questions `ids`, with the key in force in `contest` (when given).
pub fn item_questions(conn: &mut DbConnection, ids: &[i64], contest: Option<i64>) -> QueryResult<Vec<ItemQuestion>> {
    let rows: Vec<QuestionInfoRow> = questions::table
        .inner_join(banks::table)
        .filter(questions::id.eq_any(ids))
        .select((
            questions::id,
            banks::slug,
            questions::key,
            questions::version,
            questions::text,
            questions::options,
            questions::answer,
        ))
        .load(conn)?;
    let fixes: Vec<(i64, Option<String>)> = match contest {
        Some(c) => question_fixes::table
            .filter(question_fixes::contest_id.eq(c))
            .filter(question_fixes::question_id.eq_any(ids))
            .select((question_fixes::question_id, question_fixes::answer))
            .load(conn)?,
        None => Vec::new(),
    };
    rows.into_iter()
        .map(|(id, bank, key, version, text, options, answer)| {
            let fixed = fixes.iter().find(|f| f.0 == id).and_then(|f| f.1.clone());
            Ok(ItemQuestion {
                id,
                bank,
                key,
                version,
                text,
                options: from_json(&options)?,
                key_in_force: from_json(fixed.as_deref().unwrap_or(&answer))?,
            })
        })
        .collect()
}

/// Writes the item rows of ranked final attempts that have none (attempts
/// finalized before item analysis existed), a batch per transaction;
/// returns how many attempts were looked at. Run at start. An attempt
/// whose items are all voided keeps no row and is looked at again.
pub fn backfill_item_results(conn: &mut DbConnection) -> QueryResult<usize> {
    use super::attempts::{find_attempt, grade_items, load_items};
    use super::rounds::find_round;
    use super::schema::attempts;
    use diesel::dsl::{exists, not};
    let mut after = 0i64;
    let mut seen = 0;
    loop {
        let ids: Vec<i64> = attempts::table
            .filter(attempts::id.gt(after))
            .filter(attempts::ranked.eq(true))
            .filter(attempts::state.ne(crate::domain::attempt::AttemptState::InProgress.as_str()))
            .filter(not(exists(item_results::table.filter(item_results::attempt_id.eq(attempts::id)))))
            .order(attempts::id.asc())
            .limit(500)
            .select(attempts::id)
            .load(conn)?;
        let Some(&last) = ids.last() else { return Ok(seen) };
        conn.transaction(|conn| {
            for id in &ids {
                let Some(a) = find_attempt(conn, *id)? else { continue };
                let round = find_round(conn, a.round_id)?;
                let items = load_items(conn, a.id, round.contest_id)?;
                let grade = grade_items(&items, round.settings.points_per_question);
                store_item_results(conn, &a, &items, &grade)?;
            }
            QueryResult::Ok(())
        })?;
        seen += ids.len();
        after = last;
    }
}
