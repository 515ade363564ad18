//! A round's statistics for its organizer: entrants, attempts, full
//! marks, the distribution of correct answers, and participation by unit.

use serde::Serialize;
use utoipa::ToSchema;

use super::Engine;
use super::views::UnitRow;
use crate::auth::CurrentUser;
use crate::db::attempts::count_started;
use crate::db::boards::BoardRow;
use crate::db::prizes::{correct_distribution, entry_counts};
use crate::db::residents::participants_by_ids as residents_by_ids;
use crate::error::AppResult;

/// How many entrants got `correct` answers right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Bucket {
    /// Correct answers.
    pub correct: i32,
    /// Entrants.
    pub entrants: i64,
}

/// A round's figures.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StatsView {
    /// The round.
    pub round_id: i64,
    /// Whether figures may still change (the round has not closed and been swept).
    pub provisional: bool,
    /// Entrants with a final attempt.
    pub entrants: i64,
    /// Of whom officials.
    pub officials: i64,
    /// Of whom residents.
    pub residents: i64,
    /// Attempts started.
    pub attempts: i64,
    /// Entrants with full marks.
    pub full_marks: i64,
    /// Questions per paper.
    pub questions: i32,
    /// Entrants by correct answers, from 0 to every question.
    pub distribution: Vec<Bucket>,
    /// Every unit, by participants.
    pub units: Vec<UnitRow>,
}

/// One entrant as an export lists them, with personal data in full.
#[derive(Debug, Clone)]
pub struct ExportRow {
    /// The board row.
    pub row: BoardRow,
    /// Unit name.
    pub unit: Option<String>,
    /// Phone (residents).
    pub phone: Option<String>,
    /// Birth year (residents).
    pub birth_year: Option<i32>,
}

impl Engine {
    /// The round's statistics (its contest's owner or an admin).
    pub async fn round_stats(&self, user: &CurrentUser, round_id: i64) -> AppResult<StatsView> {
        let (round, _) = self.owned_round(user, round_id).await?;
        let (dist, attempts, (entrants, officials, full_marks)) = self
            .read(move |c| {
                Ok((correct_distribution(c, round_id)?, count_started(c, round_id)?, entry_counts(c, round_id)?))
            })
            .await?;
        let questions = round.settings.blueprint.total() as i32;
        let distribution = (0..=questions)
            .map(|k| Bucket { correct: k, entrants: dist.iter().find(|d| d.0 == k).map(|d| d.1).unwrap_or(0) })
            .collect();
        let mut units = self.unit_rows(&round).await?;
        units.sort_by(|a, b| b.participants.cmp(&a.participants).then(a.code.cmp(&b.code)));
        Ok(StatsView {
            round_id,
            provisional: round.finalized_at.is_none(),
            entrants,
            officials,
            residents: entrants - officials,
            attempts,
            full_marks,
            questions,
            distribution,
            units,
        })
    }

    /// Every entrant of the round in rank order with their personal data
    /// (the organizer's export).
    pub async fn export_rows(&self, user: &CurrentUser, round_id: i64) -> AppResult<Vec<ExportRow>> {
        let (round, _) = self.owned_round(user, round_id).await?;
        let rows = self.results(&round).await?;
        let ids: Vec<i64> = rows.iter().map(|(r, _)| r.entry.participant_id).collect();
        let people = self.read(move |c| residents_by_ids(c, &ids)).await?;
        let by_id: std::collections::HashMap<i64, _> = people.into_iter().map(|p| (p.id, p)).collect();
        Ok(rows
            .into_iter()
            .map(|(row, unit)| {
                let p = by_id.get(&row.entry.participant_id);
                ExportRow {
                    phone: p.and_then(|p| p.phone.clone()),
                    birth_year: p.and_then(|p| p.birth_year),
                    row,
                    unit,
                }
            })
            .collect())
    }
}

/// An entrant the organizer should look at, and why (never excluded
/// automatically).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FlagView {
    /// Who.
    pub participant_id: i64,
    /// Full name.
    pub name: String,
    /// Unit or locality.
    pub unit: Option<String>,
    /// Rank on the board.
    pub rank: i64,
    /// Why, in Vietnamese.
    pub reasons: Vec<String>,
}

impl Engine {
    /// The round's flagged entrants, in rank order (its contest's owner or an admin).
    pub async fn round_flags(&self, user: &CurrentUser, round_id: i64) -> AppResult<Vec<FlagView>> {
        use crate::domain::flags::{Facts, Thresholds, flags};
        let (round, contest) = self.owned_round(user, round_id).await?;
        let cid = contest.id;
        let ((entries, items), devices) = self
            .read(move |c| Ok((crate::db::prizes::flag_rows(c, round_id)?, crate::db::prizes::device_counts(c, cid)?)))
            .await?;
        let mut patterns: std::collections::HashMap<i64, Vec<(i64, Vec<usize>)>> = Default::default();
        for (pid, qid, bank) in items {
            patterns.entry(pid).or_default().push((qid, bank));
        }
        let facts: Vec<Facts> = entries
            .into_iter()
            .map(|(pid, duration_ms, submitted_at, device_id)| {
                let mut pattern = patterns.remove(&pid).unwrap_or_default();
                pattern.sort();
                // A paper left blank is not a pattern two people share by collusion.
                if pattern.iter().all(|(_, c)| c.is_empty()) {
                    pattern.clear();
                }
                Facts { participant_id: pid, duration_ms, submitted_at, device_id, pattern }
            })
            .collect();
        let counts = devices.into_iter().filter_map(|(d, n)| Some((d?, n as usize))).collect();
        let l = &self.settings.limits;
        let t = Thresholds {
            fast_percent: l.flag_fast_percent,
            per_device: l.flag_registrations_per_device,
            same_answers: l.flag_same_answers,
            window_s: l.flag_same_answers_window_s,
        };
        let found = flags(&facts, round.settings.duration_s, &counts, &t);
        if found.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .results(&round)
            .await?
            .into_iter()
            .filter_map(|(r, unit)| {
                let why = found.get(&r.entry.participant_id)?;
                Some(FlagView {
                    participant_id: r.entry.participant_id,
                    name: r.person.full_name.clone(),
                    unit,
                    rank: r.rank,
                    reasons: why.iter().map(|f| f.describe(&t)).collect(),
                })
            })
            .collect())
    }
}
