//! Prizes: the proposal from the final ranking, the organizer's exclusions
//! and publication, the public list, and the collective prizes of units
//! per round and per contest.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::Engine;
use super::access::require_contest_owner;
use super::boards::nodes;
use super::views::shown_name;
use crate::auth::CurrentUser;
use crate::db::boards::{BoardRow, unit_figures};
use crate::db::contests::Contest;
use crate::db::prizes::{
    Published, StoredPrizes, contest_scores_by_unit, entered, entries_of, load_prizes, published_rounds, save_prizes,
};
use crate::db::rounds::Round;
use crate::db::units::{Unit, list_units};
use crate::domain::prizes::{
    Candidate, CollectiveRule, PrizeAudience, PrizePlan, Tier, UnitStanding, collective, collective_rule_text, propose,
};
use crate::domain::rollup::{UnitFigures, roll_up};
use crate::domain::time::rfc3339_vn;
use crate::error::{AppError, AppResult};

/// One prize winner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WinnerView {
    /// The tier's name.
    pub tier: String,
    /// Whom the tier is for.
    pub audience: PrizeAudience,
    /// Rank on the round's board.
    pub rank: i64,
    /// The entrant (organizers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<i64>,
    /// Full name for organizers; as boards show it for everyone else.
    pub name: String,
    /// Unit or locality.
    pub unit: Option<String>,
    /// An official (account) or a resident.
    pub official: bool,
    /// Points on valid items.
    pub score: i32,
    /// Points possible.
    pub max_score: i32,
    /// Distance of the prediction from the true count (absent without one).
    pub prediction_error: Option<i64>,
    /// Time taken.
    pub duration_ms: i64,
}

/// An entrant the organizer left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ExcludedView {
    /// Who.
    pub participant_id: i64,
    /// Full name.
    pub name: String,
    /// Rank on the board.
    pub rank: Option<i64>,
    /// Why (also in the audit log).
    pub reason: String,
}

/// The collective prizes and the rule that made them.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CollectiveView {
    /// The rule, in Vietnamese.
    pub rule: String,
    /// What was set.
    pub settings: CollectiveRule,
    /// Units by participation rate.
    pub by_rate: Vec<UnitStanding>,
    /// Units by average score.
    pub by_score: Vec<UnitStanding>,
}

/// A round's prizes: the proposal, or the list as published.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PrizesView {
    /// The round.
    pub round_id: i64,
    /// `provisional` (ranking not final yet), `final` (may be published) or `published`.
    pub status: &'static str,
    /// When it was published.
    pub published_at: Option<String>,
    /// The tiers, best first.
    pub tiers: Vec<Tier>,
    /// Individual prizes.
    pub winners: Vec<WinnerView>,
    /// Entrants left out, with the reason (organizers only).
    pub excluded: Vec<ExcludedView>,
    /// What the organizer should look at before publishing.
    pub warnings: Vec<String>,
    /// Collective prizes.
    pub collective: CollectiveView,
}

/// Which units a collective rule ranks, and what each one's rate divides by.
pub fn unit_standings(
    units: &[Unit],
    own: &HashMap<i64, UnitFigures>,
    residents: bool,
    rule: &CollectiveRule,
) -> Vec<UnitStanding> {
    let rolled = roll_up(&nodes(units), own);
    units
        .iter()
        .filter(|u| if rule.kinds.is_empty() { u.parent_id.is_some() } else { rule.kinds.contains(&u.kind) })
        .map(|u| {
            let r = rolled.get(&u.id).copied().unwrap_or_default();
            let base = match u.population.filter(|p| residents && *p > 0) {
                Some(p) => (i64::from(p), "population"),
                None => (r.staff_count, "staff"),
            };
            UnitStanding::new(
                u.code.clone(),
                u.name.clone(),
                u.kind.clone(),
                r.figures.participants,
                r.figures.score_sum,
                base,
            )
        })
        .collect()
}

impl CollectiveView {
    /// The two lists with the rule that made them, said in Vietnamese.
    fn of(rule: &CollectiveRule, residents: bool, (by_rate, by_score): (Vec<UnitStanding>, Vec<UnitStanding>)) -> Self {
        CollectiveView { rule: collective_rule_text(rule, residents), settings: rule.clone(), by_rate, by_score }
    }
}

/// A round's entries in rank order, as the proposal sees them.
fn candidates(rows: &[(BoardRow, Option<String>)]) -> impl Iterator<Item = Candidate> + '_ {
    rows.iter().map(|(r, _)| Candidate {
        participant_id: r.entry.participant_id,
        rank: r.rank,
        official: r.person.official,
    })
}

/// Who reads the list: the organizer sees full names and exclusions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reader {
    Organizer,
    Public,
}

impl Engine {
    /// The round's units as the collective prizes compare them.
    async fn round_units(
        &self,
        round: &Round,
        contest: &Contest,
        rule: &CollectiveRule,
    ) -> AppResult<Vec<UnitStanding>> {
        let rid = round.id;
        let (all, own) = self.read(move |c| Ok((list_units(c)?, unit_figures(c, rid)?))).await?;
        Ok(unit_standings(&all, &own, contest.audience.admits_public(), rule))
    }

    /// The contest's collective prizes over all its ranked rounds: a unit's
    /// participants are its distinct entrants, its score their totals.
    pub async fn contest_collective(
        &self,
        user: &CurrentUser,
        contest: &Contest,
        rule: CollectiveRule,
    ) -> AppResult<CollectiveView> {
        require_contest_owner(user, contest)?;
        let rule =
            PrizePlan { collective: rule, ..PrizePlan::default() }.checked().map_err(AppError::Invalid)?.collective;
        let cid = contest.id;
        let (all, rows) = self.read(move |c| Ok((list_units(c)?, contest_scores_by_unit(c, cid)?))).await?;
        let mut own: HashMap<i64, UnitFigures> = HashMap::new();
        for (unit, score) in rows {
            if let Some(u) = unit {
                let f = own.entry(u).or_default();
                f.participants += 1;
                f.attempts += 1;
                f.score_sum += score;
            }
        }
        let residents = contest.audience.admits_public();
        Ok(CollectiveView::of(&rule, residents, collective(&unit_standings(&all, &own, residents, &rule), &rule)))
    }

    async fn stored_prizes(&self, round_id: i64) -> AppResult<Option<StoredPrizes>> {
        self.read(move |c| load_prizes(c, round_id)).await
    }

    /// The proposal under `plan` from the round's ranking (`rows`, from
    /// [`Engine::results`]), and the exact ties at a tier's last place.
    async fn proposal(
        &self,
        round: &Round,
        contest: &Contest,
        plan: &PrizePlan,
        rows: &[(BoardRow, Option<String>)],
    ) -> AppResult<(Published, Vec<(usize, i64)>)> {
        let p = propose(plan, candidates(rows));
        let units = self.round_units(round, contest, &plan.collective).await?;
        let (by_rate, by_score) = collective(&units, &plan.collective);
        Ok((Published { plan: plan.clone(), awards: p.awards, by_rate, by_score }, p.ties))
    }

    fn view(
        round: &Round,
        contest: &Contest,
        list: &Published,
        published_at: Option<chrono::NaiveDateTime>,
        rows: &[(BoardRow, Option<String>)],
        ties: &[(usize, i64)],
        reader: Reader,
    ) -> PrizesView {
        let by_id: HashMap<i64, &(BoardRow, Option<String>)> =
            rows.iter().map(|r| (r.0.entry.participant_id, r)).collect();
        let plan = &list.plan;
        let winners = list
            .awards
            .iter()
            .filter_map(|a| {
                let (row, unit) = by_id.get(&a.participant_id)?;
                let tier = plan.tiers.get(a.tier)?;
                let e = &row.entry;
                Some(WinnerView {
                    tier: tier.name.clone(),
                    audience: tier.audience,
                    rank: a.rank,
                    participant_id: (reader == Reader::Organizer).then_some(a.participant_id),
                    name: match reader {
                        Reader::Organizer => row.person.full_name.clone(),
                        Reader::Public => shown_name(contest, &row.person),
                    },
                    unit: unit.clone(),
                    official: row.person.official,
                    score: e.score,
                    max_score: e.max_score,
                    prediction_error: (round.settings.prediction && e.prediction.is_some())
                        .then_some(e.prediction_error),
                    duration_ms: e.duration_ms,
                })
            })
            .collect::<Vec<_>>();
        let excluded = match reader {
            Reader::Public => Vec::new(),
            Reader::Organizer => plan
                .exclusions
                .iter()
                .map(|x| {
                    let row = by_id.get(&x.participant_id);
                    ExcludedView {
                        participant_id: x.participant_id,
                        name: row.map(|r| r.0.person.full_name.clone()).unwrap_or_default(),
                        rank: row.map(|r| r.0.rank),
                        reason: x.reason.clone(),
                    }
                })
                .collect(),
        };
        let status = match (published_at, round.finalized_at) {
            (Some(_), _) => "published",
            (None, Some(_)) => "final",
            (None, None) => "provisional",
        };
        let mut warnings = Vec::new();
        if reader == Reader::Organizer {
            if status == "provisional" {
                warnings.push(
                    "Kết quả còn tạm thời: công bố được khi vòng thi đã đóng và sai số dự đoán đã được chốt."
                        .to_string(),
                );
            }
            for (i, t) in plan.tiers.iter().enumerate() {
                let given = list.awards.iter().filter(|a| a.tier == i).count();
                if given < t.count as usize {
                    warnings
                        .push(format!("{}: chỉ trao được {given}/{} giải (không đủ người dự thi).", t.name, t.count));
                }
            }
            for &(tier, rank) in ties {
                warnings.push(format!(
                    "{}: có người dự thi bằng nhau hoàn toàn ở hạng {rank} (cùng điểm, sai số dự đoán, thời gian và lúc nộp bài), \
                     nhưng giải chỉ còn một suất. Hãy xem xét và loại kèm lý do nếu cần.",
                    plan.tiers[tier].name
                ));
            }
        }
        let residents = contest.audience.admits_public();
        PrizesView {
            round_id: round.id,
            status,
            published_at: published_at.map(rfc3339_vn),
            tiers: plan.tiers.clone(),
            winners,
            excluded,
            warnings,
            collective: CollectiveView::of(&plan.collective, residents, (list.by_rate.clone(), list.by_score.clone())),
        }
    }

    /// The organizer's view: the published list, or the proposal under the
    /// saved plan (the default plan before one is saved).
    pub async fn prizes(&self, user: &CurrentUser, round_id: i64) -> AppResult<(PrizesView, PrizePlan)> {
        let (round, contest) = self.owned_round(user, round_id).await?;
        let stored = self.stored_prizes(round_id).await?;
        let plan = stored.as_ref().map(|s| s.plan.clone()).unwrap_or_default();
        let rows = self.results(&round).await?;
        let view = match stored.and_then(|s| s.published) {
            Some((list, at)) => {
                let mut v = Self::view(&round, &contest, &list, Some(at), &rows, &[], Reader::Organizer);
                // A key fixed after publication re-ranks the entries, never
                // the published list: say so, so the organizer publishes again.
                let now = propose(&list.plan, candidates(&rows));
                if now
                    .awards
                    .iter()
                    .map(|a| (a.tier, a.participant_id))
                    .ne(list.awards.iter().map(|a| (a.tier, a.participant_id)))
                {
                    v.warnings.push(
                        "Xếp hạng hiện tại khác danh sách đã công bố (có thể do sửa đáp án sau khi công bố). \
                         Hãy xem lại và công bố lại nếu cần."
                            .to_string(),
                    );
                }
                v
            }
            None => {
                let (list, ties) = self.proposal(&round, &contest, &plan, &rows).await?;
                Self::view(&round, &contest, &list, None, &rows, &ties, Reader::Organizer)
            }
        };
        Ok((view, plan))
    }

    /// Saves the plan; publishes the proposal under it (only once the
    /// ranking is final), or withdraws a published list.
    pub async fn set_prizes(
        &self,
        user: &CurrentUser,
        round_id: i64,
        plan: PrizePlan,
        publish: bool,
    ) -> AppResult<PrizesView> {
        let (round, contest) = self.owned_round(user, round_id).await?;
        if round.settings.practice {
            return Err(AppError::Conflict("Vòng luyện tập không có giải.".into()));
        }
        let plan = plan.checked().map_err(AppError::Invalid)?;
        let ids: Vec<i64> = plan.exclusions.iter().map(|e| e.participant_id).collect();
        let found = self.read(move |c| entered(c, round_id, &ids)).await?;
        if let Some(e) = plan.exclusions.iter().find(|e| !found.contains(&e.participant_id)) {
            return Err(AppError::Invalid(format!(
                "Người dự thi {} không có bài trong vòng thi này.",
                e.participant_id
            )));
        }
        if publish && round.finalized_at.is_none() {
            return Err(AppError::Conflict(
                "Chưa công bố được: kết quả vòng thi còn tạm thời (chờ vòng thi đóng và sai số dự đoán được chốt)."
                    .into(),
            ));
        }
        let rows = self.results(&round).await?;
        let (list, ties) = self.proposal(&round, &contest, &plan, &rows).await?;
        let actor = user.actor();
        let to_publish = publish.then(|| list.clone());
        let saved = self.write(move |c| save_prizes(c, round_id, &plan, to_publish.as_ref(), &actor)).await?;
        let at = saved.published.as_ref().map(|p| p.1);
        let ties = if at.is_some() { Vec::new() } else { ties };
        Ok(Self::view(&round, &contest, &list, at, &rows, &ties, Reader::Organizer))
    }

    /// Which of these rounds have a published list of winners.
    pub async fn rounds_with_prizes(&self, round_ids: Vec<i64>) -> AppResult<Vec<i64>> {
        self.read(move |c| published_rounds(c, &round_ids)).await
    }

    /// The published list as everyone may read it (names as boards show
    /// them), with its round, contest and when it was published.
    pub async fn published_prizes(
        &self,
        round_id: i64,
    ) -> AppResult<(PrizesView, Round, Contest, chrono::NaiveDateTime)> {
        let (round, contest) = self.public_round(round_id).await?;
        let Some((list, at)) = self.stored_prizes(round_id).await?.and_then(|s| s.published) else {
            return Err(AppError::NotFound("Vòng thi này chưa công bố danh sách đoạt giải.".into()));
        };
        // Only the winners' entries: a public page never reads the whole round.
        let (rid, ids) = (round.id, list.awards.iter().map(|a| a.participant_id).collect::<Vec<_>>());
        let found = self.read(move |c| entries_of(c, rid, &ids)).await?;
        let names = self.unit_names().await?;
        let rows: Vec<(BoardRow, Option<String>)> = found
            .into_iter()
            .map(|r| {
                let unit = r.entry.unit_id.and_then(|u| names.get(&u).cloned());
                (r, unit)
            })
            .collect();
        let view = Self::view(&round, &contest, &list, Some(at), &rows, &[], Reader::Public);
        Ok((view, round, contest, at))
    }
}
