//! Boards: a round's leaderboard and unit board (public), a contest's
//! standings (public), the results export and live figures (organizers),
//! and a unit manager's view of their units.

use std::collections::HashMap;

use super::Engine;
use super::access::Entrant;
use super::views::{
    BoardEntry, BoardView, LiveView, MyPosition, StandingEntry, StandingsView, UnitRow, UnitsView, shown_name,
};
use crate::auth::CurrentUser;
use crate::db::attempts::{count_in_progress, count_started};
use crate::db::boards::{BoardRow, board_page, count_entries, not_yet_taken, position, standings_page, unit_figures};
use crate::db::contests::Contest;
use crate::db::rounds::Round;
use crate::db::units::{Unit, find_unit_by_code, list_units};
use crate::domain::rollup::{UnitNode, roll_up, subtree};
use crate::error::{AppError, AppResult};

/// Most rows one page of a board holds.
pub const MAX_PAGE: i64 = 500;

/// Nodes of the unit tree for the roll-up.
pub fn nodes(units: &[Unit]) -> Vec<UnitNode> {
    units.iter().map(|u| UnitNode { id: u.id, parent_id: u.parent_id, staff_count: i64::from(u.staff_count) }).collect()
}

/// Sorts unit rows for a board: `rate` (default), `participants`, `avg_score`, `full_marks`, `code`.
pub fn sort_units(rows: &mut [UnitRow], by: Option<&str>) -> AppResult<()> {
    match by.unwrap_or("rate") {
        "participants" => rows.sort_by_key(|u| std::cmp::Reverse(u.participants)),
        "avg_score" => rows.sort_by(|a, b| b.avg_score.total_cmp(&a.avg_score)),
        "full_marks" => rows.sort_by_key(|u| std::cmp::Reverse(u.full_marks)),
        "code" => rows.sort_by(|a, b| a.code.cmp(&b.code)),
        "rate" => rows.sort_by(|a, b| b.rate.total_cmp(&a.rate).then(b.participants.cmp(&a.participants))),
        other => {
            return Err(AppError::Invalid(format!(
                "Cách sắp xếp \"{other}\" không có: dùng rate, participants, avg_score, full_marks hoặc code."
            )));
        }
    }
    Ok(())
}

impl Engine {
    /// A published, ranked round and its contest (public boards).
    pub async fn public_round(&self, id: i64) -> AppResult<(Round, Contest)> {
        match self.round_and_contest(id).await {
            Ok((r, c)) if r.is_published() && !r.settings.practice => Ok((r, c)),
            Ok(_) | Err(AppError::NotFound(_)) => {
                Err(AppError::NotFound("Không có bảng xếp hạng của vòng thi này.".into()))
            }
            Err(e) => Err(e),
        }
    }

    /// The ids a `unit=` filter covers (the unit and every unit under it).
    pub async fn unit_filter(&self, code: Option<&str>) -> AppResult<Option<Vec<i64>>> {
        let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else { return Ok(None) };
        let lookup = code.to_string();
        let (unit, all) = self.read(move |c| Ok((find_unit_by_code(c, &lookup)?, list_units(c)?))).await?;
        let unit = unit.ok_or_else(|| AppError::NotFound(format!("Không có đơn vị mã \"{code}\".")))?;
        Ok(Some(subtree(&nodes(&all), unit.id)))
    }

    /// The unit names by id.
    pub async fn unit_names(&self) -> AppResult<HashMap<i64, String>> {
        Ok(self.read(list_units).await?.into_iter().map(|u| (u.id, u.name)).collect())
    }

    pub(super) fn entries(
        &self,
        contest: &Contest,
        rows: Vec<BoardRow>,
        names: &HashMap<i64, String>,
    ) -> Vec<BoardEntry> {
        rows.into_iter()
            .map(|r| BoardEntry {
                rank: r.rank,
                name: shown_name(contest, &r.person),
                unit: r.entry.unit_id.and_then(|u| names.get(&u).cloned()),
                score: r.entry.score,
                max_score: r.entry.max_score,
                correct: r.entry.correct,
                duration_ms: r.entry.duration_ms,
            })
            .collect()
    }

    /// A page of a round's board, with the caller's own place.
    pub async fn board(
        &self,
        round: &Round,
        contest: &Contest,
        unit: Option<&str>,
        limit: i64,
        offset: i64,
        me: Option<&Entrant>,
    ) -> AppResult<BoardView> {
        let units = self.unit_filter(unit).await?;
        let (limit, offset) = (limit.clamp(1, MAX_PAGE), offset.max(0));
        let (rid, filter) = (round.id, units.clone());
        let (total, rows) = self
            .read(move |c| {
                Ok((count_entries(c, rid, filter.as_deref())?, board_page(c, rid, filter.as_deref(), limit, offset)?))
            })
            .await?;
        let names = self.unit_names().await?;
        let mut view = BoardView {
            total,
            provisional: round.finalized_at.is_none(),
            entries: self.entries(contest, rows, &names),
            me: None,
        };
        if let Some(who) = me
            && let Some(pid) = self.participant_in(who, contest).await?
            && let Some((e, rank)) = self.read(move |c| position(c, rid, pid, units.as_deref())).await?
        {
            view.me = Some(MyPosition { rank, score: e.score, max_score: e.max_score, duration_ms: e.duration_ms });
        }
        Ok(view)
    }

    /// Every unit's figures for a round, rolled up through the hierarchy.
    pub async fn unit_rows(&self, round: &Round) -> AppResult<Vec<UnitRow>> {
        let rid = round.id;
        let (all, own) = self.read(move |c| Ok((list_units(c)?, unit_figures(c, rid)?))).await?;
        let rolled = roll_up(&nodes(&all), &own);
        let by_id: HashMap<i64, (&str, &str)> =
            all.iter().map(|u| (u.id, (u.code.as_str(), u.name.as_str()))).collect();
        let parent = |u: &crate::db::units::Unit| u.parent_id.and_then(|p| by_id.get(&p).copied());
        Ok(all
            .iter()
            .map(|u| {
                let r = rolled.get(&u.id).copied().unwrap_or_default();
                UnitRow {
                    code: u.code.clone(),
                    name: u.name.clone(),
                    kind: u.kind.clone(),
                    parent_code: parent(u).map(|(code, _)| code.to_string()),
                    parent_name: parent(u).map(|(_, name)| name.to_string()),
                    participants: r.figures.participants,
                    staff_count: r.staff_count,
                    rate: (r.rate * 10000.0).round() / 10000.0,
                    avg_score: (r.avg_score * 100.0).round() / 100.0,
                    full_marks: r.figures.full_marks,
                    attempts: r.figures.attempts,
                }
            })
            .collect())
    }

    /// A round's unit board, sorted.
    pub async fn units_board(&self, round: &Round, sort: Option<&str>) -> AppResult<UnitsView> {
        let mut units = self.unit_rows(round).await?;
        sort_units(&mut units, sort)?;
        Ok(UnitsView { provisional: round.finalized_at.is_none(), units })
    }

    /// A page of a contest's standings over its ranked rounds.
    pub async fn standings(&self, contest: &Contest, limit: i64, offset: i64) -> AppResult<StandingsView> {
        let (cid, limit, offset) = (contest.id, limit.clamp(1, MAX_PAGE), offset.max(0));
        let (total, rows) = self.read(move |c| standings_page(c, cid, limit, offset)).await?;
        let names = self.unit_names().await?;
        let entries = rows
            .into_iter()
            .map(|r| StandingEntry {
                rank: r.rank,
                name: shown_name(contest, &r.person),
                unit: r.standing.unit_id.and_then(|u| names.get(&u).cloned()),
                score: r.standing.score,
                rounds: r.standing.rounds,
                prediction_gaps: r.standing.prediction_gaps,
                prediction_error: r.standing.prediction_error,
                duration_ms: r.standing.duration_ms,
            })
            .collect();
        Ok(StandingsView { contest: contest.slug.clone(), total, entries })
    }

    /// Every entry of a round in rank order, with full names and units (the
    /// organizer's export).
    pub async fn results(&self, round: &Round) -> AppResult<Vec<(BoardRow, Option<String>)>> {
        let rid = round.id;
        let rows = self
            .read(move |c| {
                let n = count_entries(c, rid, None)?;
                board_page(c, rid, None, n.max(1), 0)
            })
            .await?;
        let names = self.unit_names().await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let unit = r.entry.unit_id.and_then(|u| names.get(&u).cloned());
                (r, unit)
            })
            .collect())
    }

    /// Every entry of a round in rank order for the organizer's export:
    /// with the account's username and the unit's full path ("Tỉnh … ›
    /// Thành phố … › Phường …").
    pub async fn results_export(&self, round: &Round) -> AppResult<Vec<ResultLine>> {
        let rows = self.results(round).await?;
        let ids: Vec<i64> = rows.iter().filter_map(|(r, _)| r.person.user_id).collect();
        let (units, usernames) =
            self.read(move |c| Ok((list_units(c)?, crate::db::users::usernames(c, &ids)?))).await?;
        let paths = unit_paths(&units);
        Ok(rows
            .into_iter()
            .map(|(row, unit)| ResultLine {
                username: row.person.user_id.and_then(|id| usernames.get(&id).cloned()),
                unit_path: row.entry.unit_id.and_then(|u| paths.get(&u).cloned()),
                unit,
                row,
            })
            .collect())
    }

    /// A round's figures now.
    pub async fn live(&self, round: &Round) -> AppResult<LiveView> {
        let rid = round.id;
        let (started, in_progress) =
            self.read(move |c| Ok((count_started(c, rid)?, count_in_progress(c, Some(rid))?))).await?;
        let mut units = self.unit_rows(round).await?;
        sort_units(&mut units, Some("rate"))?;
        Ok(LiveView {
            round_id: round.id,
            phase: round.phase(self.now()).as_str().into(),
            started,
            in_progress,
            submitted: started - in_progress,
            units,
        })
    }

    /// A unit manager's unit and the ids of every unit under it.
    pub async fn managed_units(&self, user: &CurrentUser) -> AppResult<(Unit, Vec<i64>)> {
        let unit_id = user.unit_id.ok_or(AppError::Forbidden)?;
        self.unit_and_subtree(unit_id).await.map_err(|_| AppError::Forbidden)
    }

    /// A unit and the ids of every unit under it.
    pub async fn unit_and_subtree(&self, unit_id: i64) -> AppResult<(Unit, Vec<i64>)> {
        let all = self.read(list_units).await?;
        let unit = all.iter().find(|u| u.id == unit_id).cloned().ok_or_else(AppError::not_found)?;
        Ok((unit, subtree(&nodes(&all), unit_id)))
    }

    /// The officials of `unit_ids` who have not taken the round:
    /// (username, full name, unit code, unit name).
    pub async fn not_yet_taken(
        &self,
        round: &Round,
        unit_ids: Vec<i64>,
    ) -> AppResult<Vec<(String, String, String, String)>> {
        let rid = round.id;
        self.read(move |c| not_yet_taken(c, rid, &unit_ids)).await
    }

    /// The board of a set of units, full names (a unit manager's own staff).
    pub async fn board_of_units(&self, round: &Round, unit_ids: Vec<i64>) -> AppResult<Vec<BoardRow>> {
        let rid = round.id;
        self.read(move |c| board_page(c, rid, Some(&unit_ids), MAX_PAGE, 0)).await
    }
}

/// One line of a round's results export.
#[derive(Debug, Clone)]
pub struct ResultLine {
    /// The entry, its rank and whose it is.
    pub row: BoardRow,
    /// The account's username (officials).
    pub username: Option<String>,
    /// The unit's name.
    pub unit: Option<String>,
    /// The unit's names from the top of the tree down, joined by " › ".
    pub unit_path: Option<String>,
}

/// Every unit's path of names from its root (a cycle, which the import
/// refuses, would stop at the first repeat).
fn unit_paths(units: &[crate::db::units::Unit]) -> HashMap<i64, String> {
    let by_id: HashMap<i64, &crate::db::units::Unit> = units.iter().map(|u| (u.id, u)).collect();
    units
        .iter()
        .map(|u| {
            let mut names = vec![u.name.as_str()];
            let mut seen = vec![u.id];
            let mut at = u.parent_id;
            while let Some(p) = at.and_then(|id| by_id.get(&id)).filter(|p| !seen.contains(&p.id)) {
                names.push(&p.name);
                seen.push(p.id);
                at = p.parent_id;
            }
            names.reverse();
            (u.id, names.join(" › "))
        })
        .collect()
}
