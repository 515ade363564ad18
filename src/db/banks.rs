//! Question banks and their versioned questions.
//!
//! A question that any attempt may have used is never edited in place: a
//! change makes a new version (the old one becomes `superseded`), a question
//! removed from its file becomes `retired`. Only `active` questions are drawn.

use diesel::prelude::*;

use super::audit::{Actor, insert_audit};
use super::bank_plan::latest_versions;
pub use super::bank_plan::{ImportMode, ImportPlan, PlannedQuestion, plan_import};
use super::{DbConnection, now, schema::banks, schema::questions};
use crate::domain::bank::{Bank, Difficulty, Question, QuestionState};

/// A stored bank.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = banks)]
pub struct BankRow {
    /// Row id.
    pub id: i64,
    /// Stable identifier.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Topic.
    pub topic: String,
    /// JSON list of replaced documents.
    pub replaced_documents: String,
    /// Created (UTC).
    pub created_at: chrono::NaiveDateTime,
    /// Last imported (UTC).
    pub updated_at: chrono::NaiveDateTime,
    /// The organizer who imported it first (`None`: shipped, or the operator's CLI).
    pub owner_id: Option<i64>,
}

/// A stored question version.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = questions)]
pub struct QuestionRow {
    /// Row id (what attempts reference).
    pub id: i64,
    /// The bank.
    pub bank_id: i64,
    /// Stable key in the bank.
    pub key: String,
    /// 1, 2, …
    pub version: i32,
    /// Active, superseded or retired.
    #[diesel(deserialize_as = String)]
    pub state: QuestionState,
    /// `single`, `multiple`, `true_false`.
    pub kind: String,
    /// `easy`, `medium`, `hard`.
    pub difficulty: String,
    /// The question.
    pub text: String,
    /// JSON list of option texts, file order.
    pub options: String,
    /// JSON list of correct option indexes.
    pub answer: String,
    /// Why.
    pub explanation: String,
    /// Document and article.
    pub source: String,
    /// Options shown in file order.
    pub fixed_order: bool,
    /// Date the facts are stated at.
    pub as_of: Option<chrono::NaiveDate>,
    /// Counts for nobody (a wrong question, voided by an organizer).
    pub voided: bool,
    /// Digest of the content.
    pub content_hash: String,
    /// Created (UTC).
    pub created_at: chrono::NaiveDateTime,
    /// The exclusion group (a paper holds at most one question of it).
    pub exclusion_group: Option<String>,
}

/// What importing one bank did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BankImportReport {
    /// The bank's slug.
    pub slug: String,
    /// The bank did not exist before.
    pub created: bool,
    /// Questions with a new key.
    pub added: usize,
    /// Changed questions (a new version each).
    pub new_versions: usize,
    /// Questions as before.
    pub unchanged: usize,
    /// Questions no longer in the file.
    pub retired: usize,
    /// Retired questions back in the file unchanged.
    pub restored: usize,
}

impl std::fmt::Display for BankImportReport {
    /// The one-line summary the CLI prints and the upload page shows.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}: thêm {}, phiên bản mới {}, giữ nguyên {}, ngừng dùng {}, dùng lại {}",
            self.slug,
            if self.created { " (mới)" } else { "" },
            self.added,
            self.new_versions,
            self.unchanged,
            self.retired,
            self.restored
        )
    }
}

fn insert_question(conn: &mut DbConnection, bank_id: i64, q: &Question, version: i32) -> QueryResult<()> {
    let options =
        serde_json::to_string(&q.options).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let answer =
        serde_json::to_string(&q.answer).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    diesel::insert_into(questions::table)
        .values((
            questions::bank_id.eq(bank_id),
            questions::key.eq(&q.key),
            questions::version.eq(version),
            questions::state.eq(QuestionState::Active.as_str()),
            questions::kind.eq(q.kind.as_str()),
            questions::difficulty.eq(q.difficulty.as_str()),
            questions::text.eq(&q.text),
            questions::options.eq(options),
            questions::answer.eq(answer),
            questions::explanation.eq(&q.explanation),
            questions::source.eq(&q.source),
            questions::fixed_order.eq(q.fixed_order),
            questions::as_of.eq(q.as_of),
            questions::exclusion_group.eq(q.group.as_deref()),
            questions::content_hash.eq(q.content_hash()),
            questions::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

fn set_state(conn: &mut DbConnection, id: i64, state: QuestionState) -> QueryResult<()> {
    diesel::update(questions::table.find(id)).set(questions::state.eq(state.as_str())).execute(conn)?;
    Ok(())
}

/// What a bank file sets on its bank row, on insert and on update alike.
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = banks)]
struct BankForm<'a> {
    title: &'a str,
    topic: &'a str,
    replaced_documents: &'a str,
}

impl<'a> BankForm<'a> {
    fn of(bank: &'a Bank, replaced: &'a str) -> Self {
        BankForm { title: &bank.meta.title, topic: &bank.meta.topic, replaced_documents: replaced }
    }
}

/// Imports one parsed bank (inside the caller's transaction, so several
/// files load all-or-nothing) as the bank's whole content.
pub fn import_bank(conn: &mut DbConnection, bank: &Bank, actor: &Actor) -> QueryResult<BankImportReport> {
    import_bank_in(conn, bank, actor, ImportMode::Replace)
}

/// Imports one parsed bank; in merge mode questions not in the file stay.
pub fn import_bank_in(
    conn: &mut DbConnection,
    bank: &Bank,
    actor: &Actor,
    mode: ImportMode,
) -> QueryResult<BankImportReport> {
    let mut report = BankImportReport { slug: bank.meta.slug.clone(), ..Default::default() };
    let replaced = serde_json::to_string(&bank.meta.replaced_documents)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    let t = now();
    let existing: Option<BankRow> =
        banks::table.filter(banks::slug.eq(&bank.meta.slug)).select(BankRow::as_select()).first(conn).optional()?;
    let bank_id = match existing {
        Some(b) => {
            diesel::update(banks::table.find(b.id))
                .set((BankForm::of(bank, &replaced), banks::updated_at.eq(t)))
                .execute(conn)?;
            b.id
        }
        None => {
            report.created = true;
            diesel::insert_into(banks::table)
                .values((
                    BankForm::of(bank, &replaced),
                    banks::slug.eq(&bank.meta.slug),
                    banks::created_at.eq(t),
                    banks::updated_at.eq(t),
                    banks::owner_id.eq(actor.id),
                ))
                .returning(banks::id)
                .get_result(conn)?
        }
    };
    let mut latest = latest_versions(conn, bank_id)?;
    for q in &bank.questions {
        match latest.remove(&q.key) {
            None => {
                insert_question(conn, bank_id, q, 1)?;
                report.added += 1;
            }
            Some(old) if old.content_hash == q.content_hash() => {
                if old.state == QuestionState::Active {
                    report.unchanged += 1;
                } else {
                    set_state(conn, old.id, QuestionState::Active)?;
                    report.restored += 1;
                }
            }
            Some(old) => {
                set_state(conn, old.id, QuestionState::Superseded)?;
                insert_question(conn, bank_id, q, old.version + 1)?;
                report.new_versions += 1;
            }
        }
    }
    for old in latest.into_values().filter(|r| r.state == QuestionState::Active && mode == ImportMode::Replace) {
        set_state(conn, old.id, QuestionState::Retired)?;
        report.retired += 1;
    }
    insert_audit(
        conn,
        actor,
        if mode == ImportMode::Merge { "bank.merge" } else { "bank.import" },
        &format!("bank:{}", bank.meta.slug),
        &format!(
            "thêm {}, phiên bản mới {}, giữ nguyên {}, ngừng dùng {}, dùng lại {}",
            report.added, report.new_versions, report.unchanged, report.retired, report.restored
        ),
    )?;
    Ok(report)
}

/// Imports several banks in one transaction, as the operator (who may
/// overwrite any bank).
pub fn import_banks(conn: &mut DbConnection, banks: &[Bank], actor: &Actor) -> QueryResult<Vec<BankImportReport>> {
    conn.transaction(|conn| banks.iter().map(|b| import_bank(conn, b, actor)).collect())
}

/// Why an import for an organizer wrote nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportRefusal {
    /// The bank exists and the actor may not change it (its slug).
    NotOwner(String),
    /// The import would retire many questions and was not confirmed.
    Unconfirmed(ImportPlan),
}

/// Imports one bank in one transaction for `actor`, refusing before anything
/// is written a bank that exists and that `may_overwrite` says the actor may
/// not change, or an import that would retire many questions unless
/// `confirmed` (see [`ImportPlan::needs_confirmation`]).
pub fn import_bank_as(
    conn: &mut DbConnection,
    bank: &Bank,
    actor: &Actor,
    mode: ImportMode,
    confirmed: bool,
    may_overwrite: &dyn Fn(&BankRow) -> bool,
) -> QueryResult<Result<BankImportReport, ImportRefusal>> {
    conn.transaction(|conn| {
        if let Some(existing) = find_bank(conn, &bank.meta.slug)?
            && !may_overwrite(&existing)
        {
            return Ok(Err(ImportRefusal::NotOwner(existing.slug)));
        }
        let plan = plan_import(conn, bank, mode)?;
        if plan.needs_confirmation() && !confirmed {
            return Ok(Err(ImportRefusal::Unconfirmed(plan)));
        }
        import_bank_in(conn, bank, actor, mode).map(Ok)
    })
}

/// A bank with its active question counts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BankSummary {
    /// Slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Topic.
    pub topic: String,
    /// Active questions.
    pub questions: i64,
    /// Active questions per difficulty.
    pub by_difficulty: ByDifficulty,
    /// Who may overwrite it (with admins).
    #[serde(skip)]
    pub owner_id: Option<i64>,
}

/// Counts per difficulty.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ByDifficulty {
    /// Easy.
    pub easy: i64,
    /// Medium.
    pub medium: i64,
    /// Hard.
    pub hard: i64,
}

/// Every bank with its active question counts, by slug.
pub fn list_bank_summaries(conn: &mut DbConnection) -> QueryResult<Vec<BankSummary>> {
    let all: Vec<BankRow> = banks::table.order(banks::slug.asc()).select(BankRow::as_select()).load(conn)?;
    let counts: Vec<(i64, String, i64)> = questions::table
        .filter(questions::state.eq(QuestionState::Active.as_str()))
        .group_by((questions::bank_id, questions::difficulty))
        .select((questions::bank_id, questions::difficulty, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(all
        .into_iter()
        .map(|b| {
            let mut by = ByDifficulty::default();
            for (_, d, n) in counts.iter().filter(|(id, _, _)| *id == b.id) {
                match Difficulty::parse(d) {
                    Some(Difficulty::Easy) => by.easy += n,
                    Some(Difficulty::Medium) => by.medium += n,
                    Some(Difficulty::Hard) => by.hard += n,
                    None => {}
                }
            }
            BankSummary {
                owner_id: b.owner_id,
                slug: b.slug,
                title: b.title,
                topic: b.topic,
                questions: by.easy + by.medium + by.hard,
                by_difficulty: by,
            }
        })
        .collect())
}

/// Every version of one question key, oldest first.
pub fn list_question_versions(conn: &mut DbConnection, slug: &str, key: &str) -> QueryResult<Vec<QuestionRow>> {
    questions::table
        .inner_join(banks::table)
        .filter(banks::slug.eq(slug))
        .filter(questions::key.eq(key))
        .order(questions::version.asc())
        .select(QuestionRow::as_select())
        .load(conn)
}

/// A stored bank's identity, by slug.
pub fn find_bank(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<BankRow>> {
    banks::table.filter(banks::slug.eq(slug)).select(BankRow::as_select()).first(conn).optional()
}

/// A stored bank as a file would state it: its active questions, by key.
pub fn load_bank(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Bank>> {
    use crate::domain::bank::{BankMeta, Kind};
    let Some(row) = find_bank(conn, slug)? else { return Ok(None) };
    let rows: Vec<QuestionRow> = questions::table
        .filter(questions::bank_id.eq(row.id))
        .filter(questions::state.eq(QuestionState::Active.as_str()))
        .order(questions::key.asc())
        .select(QuestionRow::as_select())
        .load(conn)?;
    let de = |e: serde_json::Error| diesel::result::Error::DeserializationError(Box::new(e));
    let questions = rows
        .into_iter()
        .map(|r| {
            Ok(Question {
                kind: Kind::parse(&r.kind).unwrap_or(Kind::Single),
                difficulty: Difficulty::parse(&r.difficulty).unwrap_or(Difficulty::Medium),
                options: serde_json::from_str(&r.options).map_err(de)?,
                answer: serde_json::from_str(&r.answer).map_err(de)?,
                key: r.key,
                text: r.text,
                explanation: r.explanation,
                source: r.source,
                fixed_order: r.fixed_order,
                as_of: r.as_of,
                group: r.exclusion_group,
            })
        })
        .collect::<QueryResult<Vec<_>>>()?;
    let meta = BankMeta {
        replaced_documents: serde_json::from_str(&row.replaced_documents).map_err(de)?,
        slug: row.slug,
        title: row.title,
        topic: row.topic,
    };
    Ok(Some(Bank { meta, questions }))
}

/// How many banks are stored.
pub fn count_banks(conn: &mut DbConnection) -> QueryResult<i64> {
    banks::table.count().get_result(conn)
}

/// The latest version of a question, by bank slug and key.
pub fn find_latest_question(conn: &mut DbConnection, slug: &str, key: &str) -> QueryResult<Option<QuestionRow>> {
    Ok(list_question_versions(conn, slug, key)?.pop())
}

/// Question versions by id with their bank's slug, in the order of `ids`.
pub fn questions_with_banks(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(String, QuestionRow)>> {
    let rows: Vec<(String, QuestionRow)> = questions::table
        .inner_join(banks::table)
        .filter(questions::id.eq_any(ids))
        .select((banks::slug, QuestionRow::as_select()))
        .load(conn)?;
    let mut by_id: std::collections::HashMap<i64, (String, QuestionRow)> =
        rows.into_iter().map(|(s, q)| (q.id, (s, q))).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}
