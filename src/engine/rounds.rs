//! Contests and rounds for their organizers: create, edit, publish (with
//! the warnings an organizer should read), close.

use super::Engine;
use super::access::{manages_contest, require_contest_owner, sees_round};
use crate::auth::CurrentUser;
use crate::db::contests::{Contest, find_contest, find_contest_by_id, insert_contest, list_contests, update_contest};
use crate::db::rounds::{
    FreezeError, Round, close_round, insert_round, list_rounds, overlapping_rounds, publish_round, round_has_attempts,
    row_pools, update_round,
};
use crate::domain::contest::ContestSettings;
use crate::domain::paper::check_groups;
use crate::domain::round::{RevealPolicy, RoundDraft, RoundSettings};
use crate::domain::time::format_vn;
use crate::error::{AppError, AppResult};

fn no_contest() -> AppError {
    AppError::NotFound("Không có cuộc thi này.".into())
}

fn freeze_error(e: FreezeError, round: &RoundSettings) -> AppError {
    match e {
        FreezeError::Started => AppError::Conflict(
            "Vòng thi đã có người làm bài: không thể sửa nữa, bộ câu hỏi của vòng được giữ nguyên.".into(),
        ),
        FreezeError::ShortPool { row, wanted, available } => {
            let bank = round.blueprint.rows().get(row).map(|r| r.bank.as_str()).unwrap_or("");
            AppError::Invalid(format!(
                "Dòng {} của cơ cấu đề cần {wanted} câu từ ngân hàng \"{bank}\" nhưng chỉ có {available} câu.",
                row + 1
            ))
        }
        FreezeError::Groups(e) => AppError::Invalid(e.message(round.blueprint.rows())),
    }
}

impl Engine {
    /// A contest by slug.
    pub async fn contest(&self, slug: &str) -> AppResult<Contest> {
        let s = slug.to_string();
        self.read(move |c| find_contest(c, &s)).await?.ok_or_else(no_contest)
    }

    /// A contest by slug, for who manages it.
    pub async fn owned_contest(&self, user: &CurrentUser, slug: &str) -> AppResult<Contest> {
        let c = self.contest(slug).await?;
        require_contest_owner(user, &c)?;
        Ok(c)
    }

    /// Every contest.
    pub async fn contests(&self) -> AppResult<Vec<Contest>> {
        self.read(list_contests).await
    }

    /// The contests a user manages (all for an admin).
    pub async fn contests_managed_by(&self, user: &CurrentUser) -> AppResult<Vec<Contest>> {
        Ok(self.contests().await?.into_iter().filter(|c| manages_contest(user, c)).collect())
    }

    /// Creates a contest owned by `user` (an organizer or admin).
    pub async fn create_contest(&self, user: &CurrentUser, s: ContestSettings) -> AppResult<Contest> {
        let (actor, slug) = (user.actor(), s.slug.clone());
        self.write(move |c| insert_contest(c, &s, &actor))
            .await?
            .ok_or_else(|| AppError::Conflict(format!("Mã cuộc thi \"{slug}\" đã được dùng.")))
    }

    /// Changes a contest's settings (not its slug).
    pub async fn update_contest(&self, user: &CurrentUser, slug: &str, s: ContestSettings) -> AppResult<Contest> {
        let contest = self.owned_contest(user, slug).await?;
        let (id, actor) = (contest.id, user.actor());
        self.write(move |c| update_contest(c, id, &s, &actor)).await
    }

    /// Checks a round's draft, including that the banks can fill its
    /// blueprint now and that their exclusion groups leave valid papers.
    pub async fn check_round(&self, draft: RoundDraft) -> AppResult<RoundSettings> {
        let s = RoundSettings::parse(draft).map_err(AppError::Invalid)?;
        let rows = s.blueprint.rows().to_vec();
        // The groups' check draws trial papers: on the blocking pool, with the read.
        let (sizes, groups) = self
            .read(move |c| {
                let pools = row_pools(c, &rows)?;
                let short = rows.iter().zip(&pools).any(|(r, p)| p.len() < r.count as usize);
                let groups = if short { Ok(()) } else { check_groups(&rows, &pools) };
                Ok((pools.iter().map(|p| p.len() as i64).collect::<Vec<_>>(), groups))
            })
            .await?;
        for (i, (row, have)) in s.blueprint.rows().iter().zip(&sizes).enumerate() {
            if *have < i64::from(row.count) {
                let level = row.difficulty.map(|d| format!(" mức {}", d.label())).unwrap_or_default();
                return Err(AppError::Invalid(format!(
                    "Dòng {} của cơ cấu đề cần {} câu từ ngân hàng \"{}\"{level} nhưng chỉ có {have} câu.",
                    i + 1,
                    row.count,
                    row.bank
                )));
            }
        }
        groups.map_err(|e| AppError::Invalid(e.message(s.blueprint.rows())))?;
        Ok(s)
    }

    /// A new draft round in a contest the user manages.
    pub async fn create_round(&self, user: &CurrentUser, slug: &str, draft: RoundDraft) -> AppResult<(Round, Contest)> {
        let contest = self.owned_contest(user, slug).await?;
        let s = self.check_round(draft).await?;
        let (cid, actor) = (contest.id, user.actor());
        let r = self.write_retrying(move |c| insert_round(c, cid, &s, &actor)).await?;
        Ok((r, contest))
    }

    /// A round and its contest, for who manages the contest (drafts of
    /// others are 404, as if they did not exist).
    pub async fn owned_round(&self, user: &CurrentUser, id: i64) -> AppResult<(Round, Contest)> {
        let (r, c) = self.round_and_contest(id).await?;
        if !sees_round(Some(user), &r, &c) {
            return Err(AppError::NotFound("Không có vòng thi này.".into()));
        }
        require_contest_owner(user, &c)?;
        Ok((r, c))
    }

    /// Whether anyone has started a round.
    pub async fn round_started(&self, id: i64) -> AppResult<bool> {
        self.read(move |c| round_has_attempts(c, id)).await
    }

    /// Changes a round while nobody has started it (refused with 409 in the
    /// transaction that would change it otherwise).
    pub async fn update_round(&self, user: &CurrentUser, id: i64, draft: RoundDraft) -> AppResult<(Round, Contest)> {
        let (_, contest) = self.owned_round(user, id).await?;
        let s = self.check_round(draft).await?;
        let (actor, s2) = (user.actor(), s.clone());
        let r = self.write(move |c| update_round(c, id, &s2, &actor)).await?.map_err(|e| freeze_error(e, &s))?;
        Ok((r, contest))
    }

    /// Publishes a round (its pool frozen now; a second publish changes
    /// nothing) and says what its organizer should know.
    pub async fn publish(&self, user: &CurrentUser, id: i64) -> AppResult<(Round, Contest, Vec<String>)> {
        let (round, contest) = self.owned_round(user, id).await?;
        if !round.is_published() {
            // The banks may have changed since the round was saved.
            self.check_round(round.settings.to_draft()).await?;
        }
        let actor = user.actor();
        let r =
            self.write(move |c| publish_round(c, id, &actor)).await?.map_err(|e| freeze_error(e, &round.settings))?;
        let warnings = self.publish_warnings(&r).await?;
        Ok((r, contest, warnings))
    }

    /// What an organizer should know about a published round: other rounds
    /// still running that share its questions hold their keys back.
    pub async fn publish_warnings(&self, round: &Round) -> AppResult<Vec<String>> {
        let mut out = round.settings.warnings();
        let r = round.clone();
        let others = self.read(move |c| overlapping_rounds(c, &r)).await?;
        let t = self.now();
        for (other, shared) in others {
            let secrecy = other.secrecy();
            if !secrecy.keeps_secret(t) {
                continue;
            }
            let cid = other.contest_id;
            let contest = self.read(move |c| find_contest_by_id(c, cid)).await?;
            let when = if other.settings.reveal == RevealPolicy::Never {
                "không bao giờ được công bố ở vòng này, vì vòng kia không công bố đáp án".to_string()
            } else {
                format!("chỉ được công bố sau khi vòng kia kết thúc ({})", format_vn(other.settings.closes_at))
            };
            out.push(format!(
                "Vòng \"{}\" của cuộc thi \"{}\" dùng chung {shared} câu hỏi với vòng này: đáp án của các câu đó {when}.",
                other.settings.title, contest.title
            ));
        }
        Ok(out)
    }

    /// Closes a published round now.
    pub async fn close(&self, user: &CurrentUser, id: i64) -> AppResult<(Round, Contest)> {
        let (round, contest) = self.owned_round(user, id).await?;
        if !round.is_published() {
            return Err(AppError::Conflict("Vòng thi chưa được công bố.".into()));
        }
        let (actor, t) = (user.actor(), self.now());
        let r = self.write(move |c| close_round(c, id, t, &actor)).await?;
        Ok((r, contest))
    }

    /// A contest's rounds that the user may see: published ones, and drafts
    /// for who manages the contest.
    pub async fn visible_rounds(&self, user: Option<&CurrentUser>, contest: &Contest) -> AppResult<Vec<Round>> {
        let cid = contest.id;
        let rounds = self.read(move |c| list_rounds(c, cid)).await?;
        Ok(rounds.into_iter().filter(|r| sees_round(user, r, contest)).collect())
    }
}
