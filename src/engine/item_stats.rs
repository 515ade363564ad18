//! Item analysis for a round, a contest or a bank: the sums the database
//! adds up and the groups of each question, turned into statistics and
//! flags by `domain::items`. For the contest's owner, the bank's owner, or
//! an admin.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::Engine;
use super::access::manages_bank;
use crate::auth::CurrentUser;
use crate::db::banks::find_bank;
use crate::db::item_stats::{ItemScope, item_questions, item_responses, item_sums};
use crate::domain::items::{Groups, ItemFlag, Response, analyse};
use crate::error::{AppError, AppResult};

/// One question's statistics.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ItemRow {
    /// The bank's slug.
    pub bank: String,
    /// The question's key in its bank.
    pub key: String,
    /// The question's version (a changed question is a new version, counted apart).
    pub version: i32,
    /// The question.
    pub text: String,
    /// Times drawn (counted attempts only).
    pub drawn: i64,
    /// Share answering right (0–1).
    pub facility: Option<f64>,
    /// Point-biserial against the fraction right on the rest of the paper
    /// (-1–1); null when nothing varies.
    pub discrimination: Option<f64>,
    /// Upper–lower 27% index (-1–1).
    pub upper_lower: Option<f64>,
    /// Share choosing each option, in the bank's order (A, B, …).
    pub options: Vec<f64>,
    /// Share leaving it blank.
    pub blank: f64,
    /// What to look at: `suspect_key`, `negative_discrimination`,
    /// `too_easy`, `too_hard` (only once drawn often enough).
    pub flags: Vec<ItemFlag>,
    /// The correct options in force, in the bank's order.
    #[serde(skip)]
    pub key_in_force: Vec<usize>,
}

/// The statistics of every question drawn, flagged ones first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ItemStatsView {
    /// The questions.
    pub questions: Vec<ItemRow>,
}

/// How the table is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// Flagged first (most serious flag first), then by bank and key.
    Flags,
    /// Bank and key.
    Key,
    /// Most drawn first.
    Drawn,
    /// Hardest first.
    Facility,
    /// Weakest first.
    Discrimination,
    /// Weakest first.
    UpperLower,
    /// Most left blank first.
    Blank,
}

impl SortBy {
    /// The names the page and the API take.
    pub const NAMES: [&'static str; 7] =
        ["flags", "key", "drawn", "facility", "discrimination", "upper_lower", "blank"];

    /// Parses `?sort=`; a Vietnamese message otherwise.
    pub fn parse(s: Option<&str>) -> AppResult<SortBy> {
        Ok(match s.unwrap_or("flags") {
            "flags" => SortBy::Flags,
            "key" => SortBy::Key,
            "drawn" => SortBy::Drawn,
            "facility" => SortBy::Facility,
            "discrimination" => SortBy::Discrimination,
            "upper_lower" => SortBy::UpperLower,
            "blank" => SortBy::Blank,
            other => {
                return Err(AppError::Invalid(format!(
                    "Không sắp xếp được theo \"{other}\": dùng một trong {}.",
                    Self::NAMES.join(", ")
                )));
            }
        })
    }

    /// Sorts rows; ties (and missing figures, last) by bank, key, version.
    pub fn sort(self, rows: &mut [ItemRow]) {
        let num = |v: Option<f64>| v.unwrap_or(f64::INFINITY);
        rows.sort_by(|a, b| {
            let by = match self {
                SortBy::Flags => {
                    let first = |r: &ItemRow| r.flags.first().copied().map_or(u8::MAX, |f| f as u8);
                    first(a).cmp(&first(b))
                }
                SortBy::Key => std::cmp::Ordering::Equal,
                SortBy::Drawn => b.drawn.cmp(&a.drawn),
                SortBy::Facility => num(a.facility).total_cmp(&num(b.facility)),
                SortBy::Discrimination => num(a.discrimination).total_cmp(&num(b.discrimination)),
                SortBy::UpperLower => num(a.upper_lower).total_cmp(&num(b.upper_lower)),
                SortBy::Blank => b.blank.total_cmp(&a.blank),
            };
            by.then_with(|| (&a.bank, &a.key, a.version).cmp(&(&b.bank, &b.key, b.version)))
        });
    }
}

impl Engine {
    /// Statistics of a scope; `contest` gives the key in force.
    async fn item_stats(&self, scope: ItemScope, contest: Option<i64>) -> AppResult<ItemStatsView> {
        let (sums, responses, questions) = self
            .read(move |c| {
                let sums = item_sums(c, scope)?;
                let responses = item_responses(c, scope)?;
                let ids: Vec<i64> = sums.iter().map(|s| s.0).collect();
                let questions = item_questions(c, &ids, contest)?;
                Ok((sums, responses, questions))
            })
            .await?;
        let mut by_question: HashMap<i64, Vec<Response>> = HashMap::new();
        for (qid, r) in responses {
            by_question.entry(qid).or_default().push(r);
        }
        let t = self.settings.limits.item_thresholds();
        let mut rows: Vec<ItemRow> = sums
            .into_iter()
            .filter_map(|(qid, mut sums)| {
                let q = questions.iter().find(|q| q.id == qid)?;
                sums.options.truncate(q.options.len());
                let groups = Groups::of(
                    by_question.get_mut(&qid).map_or(&mut [][..], |v| &mut v[..]),
                    q.options.len(),
                    &q.key_in_force,
                );
                let s = analyse(&sums, &groups, &q.key_in_force, &t);
                Some(ItemRow {
                    bank: q.bank.clone(),
                    key: q.key.clone(),
                    version: q.version,
                    text: q.text.clone(),
                    drawn: s.drawn,
                    facility: s.facility,
                    discrimination: s.discrimination,
                    upper_lower: s.upper_lower,
                    options: s.options,
                    blank: s.blank,
                    flags: s.flags,
                    key_in_force: q.key_in_force.clone(),
                })
            })
            .collect();
        SortBy::Flags.sort(&mut rows);
        Ok(ItemStatsView { questions: rows })
    }

    /// A round's item statistics (its contest's owner or an admin).
    pub async fn round_item_stats(&self, user: &CurrentUser, round_id: i64) -> AppResult<ItemStatsView> {
        let (round, _) = self.owned_round(user, round_id).await?;
        self.item_stats(ItemScope::Round(round.id), Some(round.contest_id)).await
    }

    /// A contest's item statistics over its rounds (its owner or an admin).
    pub async fn contest_item_stats(&self, user: &CurrentUser, slug: &str) -> AppResult<ItemStatsView> {
        let contest = self.owned_contest(user, slug).await?;
        self.item_stats(ItemScope::Contest(contest.id), Some(contest.id)).await
    }

    /// A bank's item statistics over every round that drew it (its owner or
    /// an admin), graded with each contest's key in force and flagged
    /// against the bank's own key.
    pub async fn bank_item_stats(&self, user: &CurrentUser, slug: &str) -> AppResult<ItemStatsView> {
        let s = slug.to_string();
        let bank = self
            .read(move |c| find_bank(c, &s))
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không có ngân hàng \"{slug}\".")))?;
        if !manages_bank(user, &bank) {
            return Err(AppError::Denied(format!(
                "Chỉ người đã nhập ngân hàng \"{slug}\" hoặc quản trị viên được xem thống kê câu hỏi của nó."
            )));
        }
        self.item_stats(ItemScope::Bank(bank.id), None).await
    }
}
