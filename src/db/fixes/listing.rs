//! The questions of a round's frozen pool as its organizer corrects them:
//! with the contest's corrections applied and how many papers hold each.

use std::collections::HashMap;

use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{attempt_items, attempts, banks, question_fixes, questions, round_pool};

/// One question of a round's pool, as the contest sees it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolQuestion {
    /// The question version.
    pub id: i64,
    /// Its bank's slug.
    pub bank: String,
    /// Its bank's title.
    pub bank_title: String,
    /// Its key in the bank.
    pub key: String,
    /// `single`, `multiple`, `true_false`.
    pub kind: String,
    /// The question.
    pub text: String,
    /// Option texts, file order (JSON).
    pub options: String,
    /// The key in this contest (JSON indexes, file order).
    pub answer: String,
    /// The explanation in this contest.
    pub explanation: String,
    /// Document and article (what entrants see, e.g. "MC-88 — …").
    pub source: String,
    /// Voided for every contest or in this one.
    pub voided: bool,
    /// Papers of this round that hold it.
    pub papers: i64,
}

type Row = (
    (i64, String, String, String, String, String, String),
    (String, String, String, bool),
    (Option<bool>, Option<String>, Option<String>),
);

/// The questions of a round's frozen pool, by bank and key.
pub fn list_pool_questions(conn: &mut DbConnection, round_id: i64, contest_id: i64) -> QueryResult<Vec<PoolQuestion>> {
    let rows: Vec<Row> =
        round_pool::table
            .inner_join(questions::table.inner_join(banks::table))
            .left_join(question_fixes::table.on(
                question_fixes::question_id.eq(round_pool::question_id).and(question_fixes::contest_id.eq(contest_id)),
            ))
            .filter(round_pool::round_id.eq(round_id))
            .order((banks::slug.asc(), questions::key.asc(), questions::id.asc()))
            .select((
                (
                    questions::id,
                    banks::slug,
                    banks::title,
                    questions::key,
                    questions::kind,
                    questions::text,
                    questions::options,
                ),
                (questions::answer, questions::explanation, questions::source, questions::voided),
                (
                    question_fixes::voided.nullable(),
                    question_fixes::answer.nullable(),
                    question_fixes::explanation.nullable(),
                ),
            ))
            .load(conn)?;
    let papers: HashMap<i64, i64> = attempt_items::table
        .inner_join(attempts::table)
        .filter(attempts::round_id.eq(round_id))
        .group_by(attempt_items::question_id)
        .select((attempt_items::question_id, count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let mut out: Vec<PoolQuestion> = rows
        .into_iter()
        .map(
            |(
                (id, bank, bank_title, key, kind, text, options),
                (answer, explanation, source, voided),
                (fix_voided, fix_answer, fix_explanation),
            )| PoolQuestion {
                id,
                bank,
                bank_title,
                key,
                kind,
                text,
                options,
                answer: fix_answer.unwrap_or(answer),
                explanation: fix_explanation.unwrap_or(explanation),
                source,
                voided: voided || fix_voided == Some(true),
                papers: papers.get(&id).copied().unwrap_or(0),
            },
        )
        .collect();
    // A question in two rows of the blueprint is listed once.
    out.dedup_by_key(|q| q.id);
    Ok(out)
}
