//! Question banks organizers bring: check a file (every problem, the counts
//! and what the import would change, nothing saved), then import it. A bank
//! belongs to the organizer who imported it first: only they or an admin
//! overwrite or retire it. Files are parsed in a capped child process
//! (`crate::sandbox`), off the HTTP workers.

use super::Engine;
use super::access::manages_bank;
use crate::auth::CurrentUser;
use crate::db::banks::{
    BankImportReport, BankSummary, ImportMode, ImportPlan, ImportRefusal, find_bank, import_bank_as,
    list_bank_summaries, load_bank, plan_import,
};
use crate::domain::bank::lint::{lint, render_lint};
use crate::domain::bank::{Bank, BankMeta, Problem, Severity, check_letter_balance, is_slug};
use crate::domain::formats::{Parsed, ReadRequest};
use crate::error::{AppError, AppResult};

/// What an organizer chose on the upload form.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    /// The file's name (its extension chooses the format).
    pub filename: String,
    /// The bank for formats that name none; empty: the one the file names.
    pub bank: String,
    /// A new bank's title and topic (empty: its slug).
    pub title: String,
    /// See `title`.
    pub topic: String,
    /// The worksheet of an .xlsx; empty: the first that holds a header.
    pub sheet: String,
    /// Add and update only, retiring nothing.
    pub mode: ImportMode,
}

/// What checking an uploaded file found.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The bank, when the file could be read.
    pub bank: Option<Bank>,
    /// Every problem, errors and warnings.
    pub problems: Vec<Problem>,
    /// Questions of the file skipped (each also a problem).
    pub skipped: usize,
    /// What the import would change, when the file could be read.
    pub plan: Option<ImportPlan>,
    /// What `banks lint` says of the file's bank among the stored ones.
    pub lint: Option<Linted>,
}

/// The lint of an uploaded bank: whether it passes, and the report.
#[derive(Debug, Clone)]
pub struct Linted {
    /// No longest-option share above the bound, no leak outside a group.
    pub passes: bool,
    /// The report as `banks lint` prints it, for this bank.
    pub text: String,
}

impl Checked {
    /// Errors (warnings do not stop an import).
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| p.severity == Severity::Error).count()
    }
}

/// Why an import wrote nothing.
#[derive(Debug, Clone)]
pub enum NotImported {
    /// The file has errors.
    Invalid(Checked),
    /// The import would retire many questions and was not confirmed.
    Unconfirmed(Checked),
}

/// The lint of `bank` among the `others` stored.
fn linted(bank: &Bank, mut others: Vec<Bank>) -> Linted {
    others.insert(0, bank.clone());
    let report = lint(&others).about(&bank.meta.slug);
    Linted { passes: report.passes(), text: render_lint(&report) }
}

impl Engine {
    /// Every bank with its active question counts.
    pub async fn bank_summaries(&self) -> AppResult<Vec<BankSummary>> {
        self.read(list_bank_summaries).await
    }

    /// The stored bank with this slug, if any.
    async fn stored_meta(&self, slug: &str) -> AppResult<Option<BankMeta>> {
        let s = slug.to_string();
        let stored = self.read(move |c| find_bank(c, &s)).await?;
        Ok(stored.map(|b| BankMeta {
            replaced_documents: serde_json::from_str(&b.replaced_documents).unwrap_or_default(),
            slug: b.slug,
            title: b.title,
            topic: b.topic,
        }))
    }

    /// The bank a format without one goes into: the stored bank, or a new
    /// one with the title and topic given (its slug when empty).
    async fn target_meta(&self, upload: &Upload) -> AppResult<Option<BankMeta>> {
        let slug = upload.bank.as_str();
        if slug.is_empty() {
            return Ok(None);
        }
        if !is_slug(slug) {
            return Err(AppError::Invalid(format!(
                "Mã ngân hàng \"{slug}\" chỉ gồm chữ thường không dấu, chữ số và dấu '-'."
            )));
        }
        let or_slug = |s: &str| if s.trim().is_empty() { slug.to_string() } else { s.trim().to_string() };
        Ok(Some(self.stored_meta(slug).await?.unwrap_or_else(|| BankMeta {
            slug: slug.into(),
            title: or_slug(&upload.title),
            topic: or_slug(&upload.topic),
            replaced_documents: Vec::new(),
        })))
    }

    /// Checks an uploaded bank file and plans its import; nothing is saved.
    pub async fn check_bank_file(&self, upload: &Upload, bytes: &[u8]) -> AppResult<Checked> {
        let req = ReadRequest {
            name: upload.filename.clone(),
            bank: self.target_meta(upload).await?,
            sheet: Some(upload.sheet.trim().to_string()).filter(|s| !s.is_empty()),
            budget: self.settings.limits.bank.clone(),
        };
        let (sandbox, input) = (self.sandbox.clone(), bytes.to_vec());
        let named = req.bank.is_none();
        let Parsed { mut bank, mut problems, skipped } =
            actix_web::web::block(move || sandbox.parse(&req, &input)).await?;
        // A file that names a stored bank (hoithi's GIFT export) goes into it as stored.
        if let Some(b) = bank.as_mut().filter(|_| named)
            && let Some(stored) = self.stored_meta(&b.meta.slug).await?
        {
            b.meta = stored;
        }
        if let Some(b) = &bank {
            problems.extend(check_letter_balance(&upload.filename, b));
        }
        let (plan, lint) = match bank.clone() {
            Some(b) => {
                let mode = upload.mode;
                let (plan, others) = self
                    .read(move |c| {
                        let plan = plan_import(c, &b, mode)?;
                        let mut others = Vec::new();
                        for s in list_bank_summaries(c)?.into_iter().filter(|s| s.slug != b.meta.slug) {
                            others.extend(load_bank(c, &s.slug)?);
                        }
                        Ok((plan, others))
                    })
                    .await?;
                (Some(plan), bank.as_ref().map(|b| linted(b, others)))
            }
            None => (None, None),
        };
        Ok(Checked { bank, problems, skipped, plan, lint })
    }

    /// Checks a file again and imports it in one transaction: what was
    /// imported, and how many questions of the file were skipped. `Ok(Err)`
    /// when the check finds errors, or when the import would retire many
    /// questions and `confirmed` is false (nothing saved).
    pub async fn import_bank_file(
        &self,
        user: &CurrentUser,
        upload: &Upload,
        bytes: &[u8],
        confirmed: bool,
    ) -> AppResult<Result<(BankImportReport, usize), NotImported>> {
        let checked = self.check_bank_file(upload, bytes).await?;
        let Some(b) = checked.bank.clone().filter(|_| checked.errors() == 0) else {
            return Ok(Err(NotImported::Invalid(checked)));
        };
        let (actor, who, mode) = (user.actor(), user.clone(), upload.mode);
        let outcome =
            self.write(move |c| import_bank_as(c, &b, &actor, mode, confirmed, &|row| manages_bank(&who, row))).await?;
        match outcome {
            Ok(report) => Ok(Ok((report, checked.skipped))),
            Err(ImportRefusal::Unconfirmed(plan)) => {
                Ok(Err(NotImported::Unconfirmed(Checked { plan: Some(plan), ..checked })))
            }
            Err(ImportRefusal::NotOwner(slug)) => Err(AppError::Denied(format!(
                "Ngân hàng \"{slug}\" do người khác nhập: chỉ người đó hoặc quản trị viên được ghi đè hay ngừng dùng câu hỏi của nó."
            ))),
        }
    }
}
