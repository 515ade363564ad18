//! Fixing a wrong question: void it (it counts for nobody and is never
//! drawn again) or give it a new key (and maybe a new explanation), then
//! re-grade.
//!
//! A bank's owner (or an admin) corrects the question itself, for every
//! contest that uses it. A contest's owner corrects it inside that contest
//! only: the correction is a row of `question_fixes` that grading and the
//! draw of that contest read, and only that contest's rounds are re-graded.
//!
//! A dry run does exactly the same work in the same transaction and rolls
//! it back: what it reports (attempts changed, the top of each board before
//! and after) is what applying would do, by construction.

mod changes;
mod listing;

use chrono::NaiveDateTime;
use diesel::prelude::*;

pub use changes::{BoardMove, ScoreChange, TOP, list_score_changes};
pub use listing::{PoolQuestion, list_pool_questions};

use super::attempts::{regrade_detailed, rounds_to_regrade};
use super::audit::{Actor, insert_audit};
use super::banks::QuestionRow;
use super::rounds::bump_pool_versions;
use super::schema::{banks, question_fixes, questions, round_pool, rounds};
use super::{DbConnection, from_json, to_json};
use crate::domain::correction::{Change, Reach, audit_sentence};

/// What to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Correction {
    /// The question counts for nobody and is never drawn again.
    Void,
    /// The correct options (file order).
    Rekey(Vec<usize>),
}

/// A correction as it is to be applied and recorded.
#[derive(Debug, Clone)]
pub struct Plan {
    /// What to change.
    pub correction: Correction,
    /// A corrected explanation (with a new key only).
    pub explanation: Option<String>,
    /// Why (checked), for the audit log and the entrants' notice.
    pub reason: String,
    /// Who.
    pub actor: Actor,
    /// When (UTC).
    pub at: NaiveDateTime,
    /// Report only: change nothing.
    pub dry_run: bool,
}

/// What a correction did (or, in a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Final attempts re-graded.
    pub regraded: usize,
    /// Of those, attempts whose score or maximum changed.
    pub changed: usize,
    /// The top of each re-graded round's board before and after.
    pub boards: Vec<BoardMove>,
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
    /// The explanation in this contest, when corrected.
    pub explanation: Option<String>,
}

fn what(c: &Correction) -> &'static str {
    match c {
        Correction::Void => "void",
        Correction::Rekey(_) => "rekey",
    }
}

/// Runs `f` in one transaction; a dry run rolls it back and keeps its report.
fn run(
    conn: &mut DbConnection,
    dry_run: bool,
    f: impl FnOnce(&mut DbConnection) -> QueryResult<Outcome>,
) -> QueryResult<Outcome> {
    let mut kept = None;
    let done = conn.transaction(|conn| {
        let o = f(conn)?;
        if dry_run {
            kept = Some(o);
            return Err(diesel::result::Error::RollbackTransaction);
        }
        Ok(o)
    });
    match (done, kept) {
        (Err(diesel::result::Error::RollbackTransaction), Some(o)) => Ok(o),
        (done, _) => done,
    }
}

/// Re-grades after the change `apply` makes, recording every score it
/// changed and the boards before and after.
fn regrade_around(
    conn: &mut DbConnection,
    ids: &[i64],
    contest: Option<i64>,
    plan: &Plan,
    apply: impl FnOnce(&mut DbConnection) -> QueryResult<()>,
) -> QueryResult<Outcome> {
    let rounds = rounds_to_regrade(conn, ids, contest)?;
    let before = changes::tops(conn, &rounds)?;
    apply(conn)?;
    let regraded = regrade_detailed(conn, ids, contest)?;
    let changed = changes::record(conn, &regraded, ids, matches!(plan.correction, Correction::Void), plan)?;
    let after = changes::tops(conn, &rounds)?;
    let boards = rounds
        .iter()
        .zip(before.into_iter().zip(after))
        .map(|(&round_id, (before, after))| BoardMove { round_id, before, after })
        .collect();
    Ok(Outcome { regraded: regraded.len(), changed, boards })
}

fn key_of(json: &str) -> QueryResult<Vec<usize>> {
    from_json(json)
}

/// Corrects questions for every contest that uses them, re-grading every
/// affected attempt, in one transaction (rolled back in a dry run).
pub fn correct_everywhere(conn: &mut DbConnection, qs: &[QuestionRow], plan: &Plan) -> QueryResult<Outcome> {
    run(conn, plan.dry_run, |conn| {
        let ids: Vec<i64> = qs.iter().map(|q| q.id).collect();
        let outcome = regrade_around(conn, &ids, None, plan, |conn| {
            let these = questions::table.filter(questions::id.eq_any(&ids));
            match &plan.correction {
                Correction::Void => {
                    diesel::update(these).set(questions::voided.eq(true)).execute(conn)?;
                    bump_pool_versions(conn, &ids, None)?;
                }
                Correction::Rekey(a) => {
                    diesel::update(these).set(questions::answer.eq(to_json(a)?)).execute(conn)?;
                    if let Some(e) = &plan.explanation {
                        diesel::update(questions::table.filter(questions::id.eq_any(&ids)))
                            .set(questions::explanation.eq(e))
                            .execute(conn)?;
                    }
                }
            }
            Ok(())
        })?;
        for q in qs {
            let (bank, old) = (bank_slug(conn, q.bank_id)?, key_of(&q.answer)?);
            let change = change_of(&plan.correction, &old, plan.explanation.is_some());
            let detail = audit_sentence(
                &bank,
                &q.key,
                &change,
                &plan.reason,
                Reach::Everywhere,
                outcome.regraded,
                outcome.changed,
            );
            let subject = format!("question:{}#{}", q.id, q.key);
            insert_audit(conn, &plan.actor, &format!("question.{}", what(&plan.correction)), &subject, &detail)?;
        }
        Ok(outcome)
    })
}

fn change_of<'a>(c: &'a Correction, old: &'a [usize], explanation: bool) -> Change<'a> {
    match c {
        Correction::Void => Change::Void,
        Correction::Rekey(new) => Change::Rekey { old, new, explanation },
    }
}

fn bank_slug(conn: &mut DbConnection, bank_id: i64) -> QueryResult<String> {
    banks::table.find(bank_id).select(banks::slug).first(conn)
}

/// Corrects questions inside one contest only (its draw and its grading),
/// re-grading that contest's affected attempts, in one transaction (rolled
/// back in a dry run). `title` names the contest in the audit log.
pub fn correct_in_contest(
    conn: &mut DbConnection,
    contest_id: i64,
    title: &str,
    qs: &[QuestionRow],
    plan: &Plan,
) -> QueryResult<Outcome> {
    run(conn, plan.dry_run, |conn| {
        let ids: Vec<i64> = qs.iter().map(|q| q.id).collect();
        // The key each version had in this contest, for the audit log.
        let mut old_keys = Vec::new();
        let outcome = regrade_around(conn, &ids, Some(contest_id), plan, |conn| {
            for q in qs {
                let existing: Option<Fix> =
                    question_fixes::table.find((contest_id, q.id)).select(Fix::as_select()).first(conn).optional()?;
                old_keys.push(key_of(existing.as_ref().and_then(|f| f.answer.as_deref()).unwrap_or(&q.answer))?);
                let voided = matches!(plan.correction, Correction::Void) || existing.as_ref().is_some_and(|f| f.voided);
                let key = match &plan.correction {
                    Correction::Rekey(a) => Some(to_json(a)?),
                    Correction::Void => existing.as_ref().and_then(|f| f.answer.clone()),
                };
                let explanation =
                    plan.explanation.clone().or_else(|| existing.as_ref().and_then(|f| f.explanation.clone()));
                let values = (
                    question_fixes::voided.eq(voided),
                    question_fixes::answer.eq(key),
                    question_fixes::reason.eq(&plan.reason),
                    question_fixes::actor.eq(&plan.actor.name),
                    question_fixes::at.eq(plan.at),
                    question_fixes::explanation.eq(explanation),
                );
                if existing.is_some() {
                    diesel::update(question_fixes::table.find((contest_id, q.id))).set(values).execute(conn)?;
                } else {
                    diesel::insert_into(question_fixes::table)
                        .values((
                            question_fixes::contest_id.eq(contest_id),
                            question_fixes::question_id.eq(q.id),
                            values,
                        ))
                        .execute(conn)?;
                }
            }
            if matches!(plan.correction, Correction::Void) {
                bump_pool_versions(conn, &ids, Some(contest_id))?;
            }
            Ok(())
        })?;
        for (q, old) in qs.iter().zip(&old_keys) {
            let bank = bank_slug(conn, q.bank_id)?;
            let change = change_of(&plan.correction, old, plan.explanation.is_some());
            let detail = audit_sentence(
                &bank,
                &q.key,
                &change,
                &plan.reason,
                Reach::Contest(title),
                outcome.regraded,
                outcome.changed,
            );
            insert_audit(
                conn,
                &plan.actor,
                &format!("contest.question.{}", what(&plan.correction)),
                &format!("contest:{contest_id} question:{}#{}", q.id, q.key),
                &detail,
            )?;
        }
        Ok(outcome)
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
