//! What importing a bank file would change, shown before anything is saved:
//! the questions added, changed and retired. A file that would retire many
//! questions (more than [`RETIRE_FREELY`] or a tenth of the bank) needs an
//! explicit confirmation, since a file meant to add a few questions can
//! otherwise silently retire a whole bank; merge mode retires nothing.

use std::collections::HashMap;

use diesel::prelude::*;
use serde::Serialize;

use super::banks::{BankRow, QuestionRow, find_bank};
use super::{DbConnection, schema::questions};
use crate::domain::bank::{Bank, QuestionState};

/// Questions a file may retire without a confirmation.
pub const RETIRE_FREELY: usize = 5;

/// How a file's questions meet the bank's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// The file is the bank's whole content: questions not in it are retired.
    #[default]
    Replace,
    /// The file adds and updates questions; the others stay as they are.
    Merge,
}

/// A question named in a plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlannedQuestion {
    /// Its key.
    pub key: String,
    /// Its text (the stored one for a retired question).
    pub text: String,
}

/// What importing one bank would do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportPlan {
    /// The bank.
    pub slug: String,
    /// The bank does not exist yet.
    pub created: bool,
    /// Active questions before.
    pub active_before: usize,
    /// New keys.
    pub added: Vec<PlannedQuestion>,
    /// Changed questions: each gets a new version.
    pub changed: Vec<PlannedQuestion>,
    /// Questions as before.
    pub unchanged: usize,
    /// Retired questions back unchanged.
    pub restored: Vec<PlannedQuestion>,
    /// Active questions the file no longer holds (none in merge mode).
    pub retired: Vec<PlannedQuestion>,
}

impl ImportPlan {
    /// Whether the import must be confirmed: it retires more than
    /// [`RETIRE_FREELY`] questions or more than a tenth of the bank.
    pub fn needs_confirmation(&self) -> bool {
        self.retired.len() > RETIRE_FREELY || self.retired.len() * 10 > self.active_before
    }
}

/// The latest version of every key of a bank.
pub(super) fn latest_versions(conn: &mut DbConnection, bank_id: i64) -> QueryResult<HashMap<String, QuestionRow>> {
    let rows: Vec<QuestionRow> = questions::table
        .filter(questions::bank_id.eq(bank_id))
        .order((questions::key.asc(), questions::version.asc()))
        .select(QuestionRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.key.clone(), r)).collect())
}

/// What importing `bank` in `mode` would do; nothing is written.
pub fn plan_import(conn: &mut DbConnection, bank: &Bank, mode: ImportMode) -> QueryResult<ImportPlan> {
    let existing: Option<BankRow> = find_bank(conn, &bank.meta.slug)?;
    let mut plan = ImportPlan { slug: bank.meta.slug.clone(), created: existing.is_none(), ..ImportPlan::default() };
    let mut latest = match &existing {
        Some(b) => latest_versions(conn, b.id)?,
        None => HashMap::new(),
    };
    plan.active_before = latest.values().filter(|r| r.state == QuestionState::Active).count();
    for q in &bank.questions {
        let named = || PlannedQuestion { key: q.key.clone(), text: q.text.clone() };
        match latest.remove(&q.key) {
            None => plan.added.push(named()),
            Some(old) if old.content_hash == q.content_hash() => {
                if old.state == QuestionState::Active {
                    plan.unchanged += 1;
                } else {
                    plan.restored.push(named());
                }
            }
            Some(_) => plan.changed.push(named()),
        }
    }
    if mode == ImportMode::Replace {
        let mut retired: Vec<PlannedQuestion> = latest
            .into_values()
            .filter(|r| r.state == QuestionState::Active)
            .map(|r| PlannedQuestion { key: r.key, text: r.text })
            .collect();
        retired.sort_by(|a, b| a.key.cmp(&b.key));
        plan.retired = retired;
    }
    Ok(plan)
}
