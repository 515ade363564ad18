//! Fixing a wrong key: by a bank's owner for every contest, or by a
//! contest's owner inside that contest; previewed first (a dry run that
//! reports how many attempts change and how the top of each board moves).

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::Engine;
use super::access::{manages_bank, require_contest_owner};
use crate::auth::CurrentUser;
use crate::db::banks::{QuestionRow, find_bank, find_latest_question};
use crate::db::boards::BoardRow;
use crate::db::fixes::{Correction, Fix, Outcome, Plan, correct_everywhere, correct_in_contest, versions_in_contest};
use crate::domain::bank::{Kind, letter_index};
use crate::domain::correction::letters;
use crate::error::{AppError, AppResult};

/// A correction as asked for: void, or a new key given as option letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// Void the question.
    Void,
    /// The letters of the correct options ("B", or "A", "C").
    Rekey(Vec<String>),
}

/// A correction as asked for, with why, a corrected explanation (with a
/// new key only) and whether only to preview it.
#[derive(Debug, Clone)]
pub struct Request {
    /// What.
    pub asked: Asked,
    /// Why (for the audit log and the entrants whose score changes).
    pub reason: String,
    /// A corrected explanation; the same text as now counts as none.
    pub explanation: Option<String>,
    /// Only report what it would do.
    pub dry_run: bool,
}

/// One place at the top of a board, before or after a correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TopEntry {
    /// Competition rank on this list.
    pub rank: i64,
    /// The name as the public board shows it.
    pub name: String,
    /// The participant's unit.
    pub unit: Option<String>,
    /// Points on valid items.
    pub score: i32,
    /// Points possible on valid items.
    pub max_score: i32,
    /// Rank before the correction, when in the top before.
    pub rank_before: Option<i64>,
    /// Rank after the correction, when in the top after.
    pub rank_after: Option<i64>,
}

/// The top of one round's board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BoardTop {
    /// The round.
    pub round_id: i64,
    /// Its title.
    pub round_title: String,
    /// Its contest's title.
    pub contest_title: String,
    /// The first places (at most 10).
    pub entries: Vec<TopEntry>,
}

/// What a correction did, or in a dry run would do (nothing is changed then).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FixReport {
    /// True when nothing was changed.
    pub dry_run: bool,
    /// Final attempts re-graded.
    pub regraded: usize,
    /// Of those, attempts whose score or maximum changes.
    pub attempts_changed: usize,
    /// The top of each re-graded round's board before, in round order.
    pub top_before: Vec<BoardTop>,
    /// The same boards after.
    pub top_after: Vec<BoardTop>,
}

/// A checked reason for the audit log.
pub fn reason_of(r: &str) -> AppResult<String> {
    let r = crate::domain::text::nfc(r.trim());
    if r.is_empty() {
        return Err(AppError::Invalid("Cần ghi lý do sửa để lưu vào nhật ký và báo cho người dự thi.".into()));
    }
    if r.chars().count() > 500 {
        return Err(AppError::Invalid("Lý do dài quá 500 ký tự.".into()));
    }
    crate::domain::text::check_line(&r)
        .map_err(|c| AppError::Invalid(format!("Lý do chứa ký tự không hợp lệ ({c}).")))?;
    Ok(r)
}

/// A checked explanation (line ends as `\n`: a browser sends a box's as `\r\n`).
pub fn explanation_of(e: &str) -> AppResult<String> {
    let e = crate::domain::text::nfc(e.replace("\r\n", "\n").trim());
    if e.is_empty() {
        return Err(AppError::Invalid("Lời giải thích mới không được để trống.".into()));
    }
    if e.chars().count() > 5000 {
        return Err(AppError::Invalid("Lời giải thích dài quá 5000 ký tự.".into()));
    }
    crate::domain::text::check_text(&e)
        .map_err(|c| AppError::Invalid(format!("Lời giải thích chứa ký tự không hợp lệ ({c}).")))?;
    Ok(e)
}

/// A version as the scope sees it now: its key (file order) and explanation.
struct Current {
    answer: Vec<usize>,
    explanation: String,
}

fn current_of(q: &QuestionRow, fix: Option<&Fix>) -> Current {
    let answer = fix.and_then(|f| f.answer.as_deref()).unwrap_or(&q.answer);
    Current {
        answer: serde_json::from_str(answer).unwrap_or_default(),
        explanation: fix.and_then(|f| f.explanation.clone()).unwrap_or_else(|| q.explanation.clone()),
    }
}

/// The plan for every version in `qs` (seen now as `now`), checked against each one.
fn plan_of(
    req: &Request,
    qs: &[QuestionRow],
    now: &[Current],
    user: &CurrentUser,
    at: chrono::NaiveDateTime,
) -> AppResult<Plan> {
    let reason = reason_of(&req.reason)?;
    let explanation = match &req.explanation {
        Some(e) => Some(explanation_of(e)?).filter(|e| now.iter().any(|c| &c.explanation != e)),
        None => None,
    };
    let correction = match &req.asked {
        Asked::Void => {
            if req.explanation.is_some() {
                return Err(AppError::Invalid("Lời giải thích chỉ sửa được cùng với đáp án.".into()));
            }
            Correction::Void
        }
        Asked::Rekey(given) => {
            let mut answer = Vec::new();
            for l in given.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
                answer.push(letter_index(l).ok_or_else(|| {
                    AppError::Invalid(format!("Đáp án \"{l}\" không ứng với phương án nào của câu hỏi (A, B, C…)."))
                })?);
            }
            answer.sort_unstable();
            answer.dedup();
            for q in qs {
                let n = serde_json::from_str::<Vec<String>>(&q.options).map(|o| o.len()).unwrap_or(0);
                if let Some(bad) = answer.iter().find(|&&i| i >= n) {
                    return Err(AppError::Invalid(format!(
                        "Câu {} chỉ có phương án {}: không có phương án {}.",
                        q.key,
                        letters(&(0..n).collect::<Vec<_>>()),
                        crate::domain::bank::letter(*bad)
                    )));
                }
                let kind = Kind::parse(&q.kind).unwrap_or(Kind::Single);
                if answer.is_empty() {
                    return Err(AppError::Invalid("Cần ghi đáp án đúng mới, ví dụ \"B\" (hoặc \"A, C\").".into()));
                }
                if kind != Kind::Multiple && answer.len() != 1 {
                    return Err(AppError::Invalid("Câu một lựa chọn cần đúng một đáp án, ví dụ \"B\".".into()));
                }
            }
            if explanation.is_none() && now.iter().all(|c| c.answer == answer) {
                return Err(AppError::Invalid(format!(
                    "Đáp án của câu này đã là {}: không có gì thay đổi.",
                    letters(&answer)
                )));
            }
            Correction::Rekey(answer)
        }
    };
    Ok(Plan { correction, explanation, reason, actor: user.actor(), at, dry_run: req.dry_run })
}

fn already_voided() -> AppError {
    AppError::Conflict("Câu hỏi này đã bị hủy trước đó.".into())
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

    /// Corrects (or previews correcting) the latest version of a question
    /// for every contest: the bank's owner or an admin.
    pub async fn correct_everywhere(
        &self,
        user: &CurrentUser,
        bank: &str,
        key: &str,
        req: &Request,
    ) -> AppResult<FixReport> {
        self.owned_bank(user, bank).await?;
        let q = self.question(bank, key).await?;
        if req.asked == Asked::Void && q.voided {
            return Err(already_voided());
        }
        let plan = plan_of(req, std::slice::from_ref(&q), &[current_of(&q, None)], user, self.now())?;
        let outcome = self.write(move |conn| correct_everywhere(conn, &[q], &plan)).await?;
        self.report(req.dry_run, outcome).await
    }

    /// Corrects (or previews correcting) a question inside one contest: its
    /// owner or an admin; every version of it that the contest's rounds hold.
    pub async fn correct_in_contest(
        &self,
        user: &CurrentUser,
        slug: &str,
        bank: &str,
        key: &str,
        req: &Request,
    ) -> AppResult<FixReport> {
        let contest = self.contest(slug).await?;
        require_contest_owner(user, &contest)?;
        let (cid, b, k) = (contest.id, bank.to_string(), key.to_string());
        let (mut qs, fixes) = self
            .read(move |c| Ok((versions_in_contest(c, cid, &b, &k)?, crate::db::fixes::list_fixes(c, cid)?)))
            .await?;
        if qs.is_empty() {
            return Err(AppError::NotFound(format!(
                "Cuộc thi này không dùng câu hỏi \"{key}\" của ngân hàng \"{bank}\"."
            )));
        }
        let fix_of = |q: &QuestionRow| fixes.iter().map(|(f, _, _)| f).find(|f| f.question_id == q.id);
        if req.asked == Asked::Void {
            qs.retain(|q| !q.voided && !fix_of(q).is_some_and(|f| f.voided));
            if qs.is_empty() {
                return Err(already_voided());
            }
        }
        let now: Vec<Current> = qs.iter().map(|q| current_of(q, fix_of(q))).collect();
        let plan = plan_of(req, &qs, &now, user, self.now())?;
        let title = contest.title.clone();
        let outcome = self.write(move |conn| correct_in_contest(conn, cid, &title, &qs, &plan)).await?;
        self.report(req.dry_run, outcome).await
    }

    /// The score changes corrections made to an attempt, oldest first.
    pub async fn score_changes(&self, attempt_id: i64) -> AppResult<Vec<crate::db::fixes::ScoreChange>> {
        self.read(move |c| crate::db::fixes::list_score_changes(c, attempt_id)).await
    }

    /// The report of an outcome: the boards' tops named as the public boards name them.
    async fn report(&self, dry_run: bool, outcome: Outcome) -> AppResult<FixReport> {
        let names = self.unit_names().await?;
        let (mut top_before, mut top_after) = (Vec::new(), Vec::new());
        for b in outcome.boards {
            let (round, contest) = self.round_and_contest(b.round_id).await?;
            let ranks = |rows: &[BoardRow]| -> HashMap<i64, i64> {
                rows.iter().map(|r| (r.entry.participant_id, r.rank)).collect()
            };
            let (was, is) = (ranks(&b.before), ranks(&b.after));
            let top = |rows: Vec<BoardRow>| BoardTop {
                round_id: round.id,
                round_title: round.settings.title.clone(),
                contest_title: contest.title.clone(),
                entries: rows
                    .iter()
                    .zip(self.entries(&contest, rows.clone(), &names))
                    .map(|(r, e)| TopEntry {
                        rank: e.rank,
                        name: e.name,
                        unit: e.unit,
                        score: e.score,
                        max_score: e.max_score,
                        rank_before: was.get(&r.entry.participant_id).copied(),
                        rank_after: is.get(&r.entry.participant_id).copied(),
                    })
                    .collect(),
            };
            top_before.push(top(b.before));
            top_after.push(top(b.after));
        }
        Ok(FixReport { dry_run, regraded: outcome.regraded, attempts_changed: outcome.changed, top_before, top_after })
    }
}
