//! Fixing a wrong question: void it (it counts for nobody and is never
//! drawn again) or give it a new key, then re-grade.
//!
//! A bank's owner (or an admin) corrects the question itself, for every
//! contest that uses it. A contest's owner corrects it inside that contest
//! only: the correction is a row of `question_fixes` that grading and the
//! draw of that contest read, and only that contest's rounds are re-graded.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::attempts::regrade;
use super::audit::{Actor, insert_audit};
use super::banks::QuestionRow;
use super::rounds::bump_pool_versions;
use super::schema::{banks, question_fixes, questions, round_pool, rounds};
use super::{DbConnection, now, to_json};

/// What to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Correction {
    /// The question counts for nobody and is never drawn again.
    Void,
    /// The correct options (file order).
    Rekey(Vec<usize>),
}

/// A contest's correction of one question.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = question_fixes)]
pub struct Fix {
    /// The contest.
    pub contest_id: i64,
    /// The question version.
    pub question_id: i64,
    /// Voided in this contest.
    pub voided: bool,
    /// The key in this contest (JSON indexes, file order), when changed.
    pub answer: Option<String>,
    /// Why.
    pub reason: String,
    /// Who.
    pub actor: String,
    /// When (UTC).
    pub at: NaiveDateTime,
}

fn describe(c: &Correction) -> QueryResult<(&'static str, String)> {
    Ok(match c {
        Correction::Void => ("void", String::new()),
        Correction::Rekey(a) => ("rekey", to_json(a)?),
    })
}

/// Corrects questions for every contest that uses them, re-grading every
/// affected attempt, in one transaction. Returns how many were re-graded.
pub fn correct_everywhere(
    conn: &mut DbConnection,
    qs: &[QuestionRow],
    c: &Correction,
    reason: &str,
    actor: &Actor,
) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let ids: Vec<i64> = qs.iter().map(|q| q.id).collect();
        let (what, answer) = describe(c)?;
        match c {
            Correction::Void => {
                diesel::update(questions::table.filter(questions::id.eq_any(&ids)))
                    .set(questions::voided.eq(true))
                    .execute(conn)?;
                bump_pool_versions(conn, &ids, None)?;
            }
            Correction::Rekey(_) => {
                diesel::update(questions::table.filter(questions::id.eq_any(&ids)))
                    .set(questions::answer.eq(&answer))
                    .execute(conn)?;
            }
        }
        let n = regrade(conn, &ids, None)?;
        for q in qs {
            let detail = match c {
                Correction::Void => format!("{reason} (chấm lại {n} bài)"),
                Correction::Rekey(_) => format!("{} → {answer}: {reason} (chấm lại {n} bài)", q.answer),
            };
            insert_audit(conn, actor, &format!("question.{what}"), &format!("question:{}#{}", q.id, q.key), &detail)?;
        }
        Ok(n)
    })
}

/// Corrects questions inside one contest only (its draw and its grading),
/// re-grading that contest's affected attempts, in one transaction.
pub fn correct_in_contest(
    conn: &mut DbConnection,
    contest_id: i64,
    qs: &[QuestionRow],
    c: &Correction,
    reason: &str,
    actor: &Actor,
) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let ids: Vec<i64> = qs.iter().map(|q| q.id).collect();
        let (what, answer) = describe(c)?;
        for q in qs {
            let existing: Option<Fix> =
                question_fixes::table.find((contest_id, q.id)).select(Fix::as_select()).first(conn).optional()?;
            let voided = matches!(c, Correction::Void) || existing.as_ref().is_some_and(|f| f.voided);
            let key = match c {
                Correction::Rekey(_) => Some(answer.clone()),
                Correction::Void => existing.as_ref().and_then(|f| f.answer.clone()),
            };
            let values = (
                question_fixes::voided.eq(voided),
                question_fixes::answer.eq(key),
                question_fixes::reason.eq(reason),
                question_fixes::actor.eq(&actor.name),
                question_fixes::at.eq(now()),
            );
            if existing.is_some() {
                diesel::update(question_fixes::table.find((contest_id, q.id))).set(values).execute(conn)?;
            } else {
                diesel::insert_into(question_fixes::table)
                    .values((question_fixes::contest_id.eq(contest_id), question_fixes::question_id.eq(q.id), values))
                    .execute(conn)?;
            }
        }
        if matches!(c, Correction::Void) {
            bump_pool_versions(conn, &ids, Some(contest_id))?;
        }
        let n = regrade(conn, &ids, Some(contest_id))?;
        for q in qs {
            insert_audit(
                conn,
                actor,
                &format!("contest.question.{what}"),
                &format!("contest:{contest_id} question:{}#{}", q.id, q.key),
                format!("{answer} {reason} (chấm lại {n} bài)").trim(),
            )?;
        }
        Ok(n)
    })
}

/// The versions of a question (by bank slug and key) that the frozen pools
/// of a contest's rounds hold, oldest first.
pub fn versions_in_contest(
    conn: &mut DbConnection,
    contest_id: i64,
    slug: &str,
    key: &str,
) -> QueryResult<Vec<QuestionRow>> {
    let held = round_pool::table
        .inner_join(rounds::table)
        .filter(rounds::contest_id.eq(contest_id))
        .select(round_pool::question_id);
    questions::table
        .inner_join(banks::table)
        .filter(banks::slug.eq(slug))
        .filter(questions::key.eq(key))
        .filter(questions::id.eq_any(held))
        .order(questions::version.asc())
        .select(QuestionRow::as_select())
        .load(conn)
}

/// A contest's corrections, newest first.
pub fn list_fixes(conn: &mut DbConnection, contest_id: i64) -> QueryResult<Vec<(Fix, String, String)>> {
    question_fixes::table
        .inner_join(questions::table.inner_join(banks::table))
        .filter(question_fixes::contest_id.eq(contest_id))
        .order(question_fixes::at.desc())
        .select((Fix::as_select(), banks::slug, questions::key))
        .load(conn)
}
