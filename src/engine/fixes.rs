//! Fixing a wrong key: by a bank's owner for every contest, or by a
//! contest's owner inside that contest.

use super::Engine;
use super::access::{manages_bank, require_contest_owner};
use crate::auth::CurrentUser;
use crate::db::banks::{QuestionRow, find_bank, find_latest_question};
use crate::db::fixes::{Correction, correct_everywhere, correct_in_contest, versions_in_contest};
use crate::domain::bank::{Kind, letter_index};
use crate::error::{AppError, AppResult};

/// A correction as asked for: void, or a new key given as option letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// Void the question.
    Void,
    /// The letters of the correct options ("B", or "A", "C").
    Rekey(Vec<String>),
}

/// A checked reason for the audit log.
pub fn reason_of(r: &str) -> AppResult<String> {
    let r = crate::domain::text::nfc(r.trim());
    if r.is_empty() {
        return Err(AppError::Invalid("Cần ghi lý do (reason) để lưu vào nhật ký.".into()));
    }
    if r.chars().count() > 500 {
        return Err(AppError::Invalid("Lý do dài quá 500 ký tự.".into()));
    }
    crate::domain::text::check_line(&r)
        .map_err(|c| AppError::Invalid(format!("Lý do chứa ký tự không hợp lệ ({c}).")))?;
    Ok(r)
}

/// The correction for every version in `qs`, checked against each one.
fn correction(asked: &Asked, qs: &[QuestionRow]) -> AppResult<Correction> {
    match asked {
        Asked::Void => {
            if qs.iter().all(|q| q.voided) {
                return Err(AppError::Conflict("Câu hỏi này đã bị hủy trước đó.".into()));
            }
            Ok(Correction::Void)
        }
        Asked::Rekey(letters) => {
            let mut answer = Vec::new();
            for l in letters {
                answer.push(letter_index(l).ok_or_else(|| {
                    AppError::Invalid(format!("Đáp án \"{l}\" không ứng với phương án nào của câu hỏi."))
                })?);
            }
            answer.sort_unstable();
            answer.dedup();
            for q in qs {
                let n = serde_json::from_str::<Vec<String>>(&q.options).map(|o| o.len()).unwrap_or(0);
                if let Some(bad) = answer.iter().find(|&&i| i >= n) {
                    return Err(AppError::Invalid(format!(
                        "Đáp án \"{}\" không ứng với phương án nào của câu hỏi.",
                        crate::domain::bank::letter(*bad)
                    )));
                }
                let kind = Kind::parse(&q.kind).unwrap_or(Kind::Single);
                if answer.is_empty() || (kind != Kind::Multiple && answer.len() != 1) {
                    return Err(AppError::Invalid("Câu một lựa chọn cần đúng một đáp án, ví dụ \"B\".".into()));
                }
            }
            Ok(Correction::Rekey(answer))
        }
    }
}

impl Engine {
    /// A bank, for its owner or an admin (anyone else: 403).
    pub async fn owned_bank(&self, user: &CurrentUser, bank: &str) -> AppResult<crate::db::banks::BankRow> {
        let slug = bank.to_string();
        let b = self
            .read(move |c| find_bank(c, &slug))
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không có ngân hàng \"{bank}\".")))?;
        if !manages_bank(user, &b) {
            return Err(AppError::Denied(format!(
                "Chỉ người đã nhập ngân hàng \"{bank}\" hoặc quản trị viên được sửa câu hỏi cho mọi cuộc thi; ban tổ chức sửa trong cuộc thi của mình."
            )));
        }
        Ok(b)
    }

    /// The latest version of a question, by bank and key.
    pub async fn question(&self, bank: &str, key: &str) -> AppResult<QuestionRow> {
        let (b, k) = (bank.to_string(), key.to_string());
        self.read(move |c| find_latest_question(c, &b, &k))
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không có câu hỏi \"{key}\" trong ngân hàng \"{bank}\".")))
    }

    /// Corrects the latest version of a question for every contest (the
    /// bank's owner or an admin); returns how many attempts were re-graded.
    pub async fn correct_everywhere(
        &self,
        user: &CurrentUser,
        bank: &str,
        key: &str,
        asked: Asked,
        reason: &str,
    ) -> AppResult<usize> {
        self.owned_bank(user, bank).await?;
        let reason = reason_of(reason)?;
        let q = self.question(bank, key).await?;
        let c = correction(&asked, std::slice::from_ref(&q))?;
        let actor = user.actor();
        self.write(move |conn| correct_everywhere(conn, &[q], &c, &reason, &actor)).await
    }

    /// Corrects a question inside one contest (its owner or an admin): every
    /// version of it that the contest's rounds hold; returns how many of the
    /// contest's attempts were re-graded.
    pub async fn correct_in_contest(
        &self,
        user: &CurrentUser,
        slug: &str,
        bank: &str,
        key: &str,
        asked: Asked,
        reason: &str,
    ) -> AppResult<usize> {
        let contest = self.contest(slug).await?;
        require_contest_owner(user, &contest)?;
        let reason = reason_of(reason)?;
        let (cid, b, k) = (contest.id, bank.to_string(), key.to_string());
        let mut qs = self.read(move |c| versions_in_contest(c, cid, &b, &k)).await?;
        if qs.is_empty() {
            return Err(AppError::NotFound(format!(
                "Cuộc thi này không dùng câu hỏi \"{key}\" của ngân hàng \"{bank}\"."
            )));
        }
        if asked == Asked::Void {
            let cid2 = contest.id;
            let fixed = self.read(move |c| crate::db::fixes::list_fixes(c, cid2)).await?;
            qs.retain(|q| !q.voided && !fixed.iter().any(|(f, _, _)| f.question_id == q.id && f.voided));
            if qs.is_empty() {
                return Err(AppError::Conflict("Câu hỏi này đã bị hủy trước đó.".into()));
            }
        }
        let c = correction(&asked, &qs)?;
        let actor = user.actor();
        self.write(move |conn| correct_in_contest(conn, cid, &qs, &c, &reason, &actor)).await
    }
}
