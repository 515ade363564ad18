//! Question banks organizers bring: check a file (every problem and the
//! counts, nothing saved), then import it. A bank belongs to the organizer
//! who imported it first: only they or an admin overwrite or retire it.

use super::Engine;
use super::access::manages_bank;
use crate::auth::CurrentUser;
use crate::db::banks::{BankImportReport, BankSummary, find_bank, import_banks_as, list_bank_summaries};
use crate::domain::bank::{Bank, BankMeta, Problem, Severity, check_letter_balance, is_slug};
use crate::domain::formats::{ReadRequest, parse_bank};
use crate::error::{AppError, AppResult};

/// What checking an uploaded file found.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The bank, when the file could be read.
    pub bank: Option<Bank>,
    /// Every problem, errors and warnings.
    pub problems: Vec<Problem>,
}

impl Checked {
    /// Errors (warnings do not stop an import).
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| p.severity == Severity::Error).count()
    }
}

impl Engine {
    /// Every bank with its active question counts.
    pub async fn bank_summaries(&self) -> AppResult<Vec<BankSummary>> {
        self.read(list_bank_summaries).await
    }

    /// The bank a format without one goes into: the stored bank, or a new one.
    async fn target_meta(&self, slug: &str) -> AppResult<Option<BankMeta>> {
        if slug.is_empty() {
            return Ok(None);
        }
        if !is_slug(slug) {
            return Err(AppError::Invalid(format!(
                "Mã ngân hàng \"{slug}\" chỉ gồm chữ thường không dấu, chữ số và dấu '-'."
            )));
        }
        let s = slug.to_string();
        let stored = self.read(move |c| find_bank(c, &s)).await?;
        Ok(Some(match stored {
            Some(b) => BankMeta {
                replaced_documents: serde_json::from_str(&b.replaced_documents).unwrap_or_default(),
                slug: b.slug,
                title: b.title,
                topic: b.topic,
            },
            None => {
                BankMeta { slug: slug.into(), title: slug.into(), topic: slug.into(), replaced_documents: Vec::new() }
            }
        }))
    }

    /// Checks an uploaded bank file; nothing is saved.
    pub async fn check_bank_file(&self, filename: &str, bytes: &[u8], bank: &str) -> AppResult<Checked> {
        let meta = self.target_meta(bank).await?;
        let (bank, mut problems) = parse_bank(&ReadRequest::new(filename, meta.as_ref()), bytes);
        if let Some(b) = &bank {
            problems.extend(check_letter_balance(filename, b));
        }
        Ok(Checked { bank, problems })
    }

    /// Checks a file again and imports it in one transaction. `Ok(Err)`
    /// when the check finds errors (nothing saved).
    pub async fn import_bank_file(
        &self,
        user: &CurrentUser,
        filename: &str,
        bytes: &[u8],
        bank: &str,
    ) -> AppResult<Result<Vec<BankImportReport>, Checked>> {
        let checked = self.check_bank_file(filename, bytes, bank).await?;
        let Some(b) = checked.bank.clone().filter(|_| checked.errors() == 0) else { return Ok(Err(checked)) };
        let (actor, who) = (user.actor(), user.clone());
        let outcome = self.write(move |c| import_banks_as(c, &[b], &actor, &|row| manages_bank(&who, row))).await?;
        outcome.map(Ok).map_err(|slug| {
            AppError::Denied(format!(
                "Ngân hàng \"{slug}\" do người khác nhập: chỉ người đó hoặc quản trị viên được ghi đè hay ngừng dùng câu hỏi của nó."
            ))
        })
    }
}
