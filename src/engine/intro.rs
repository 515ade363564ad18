//! Before the clock starts: what a round holds for an entrant (its rules,
//! questions, time and the attempts left), so a page can say what is coming
//! and offer the start only when one is left.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::Engine;
use super::access::Entrant;
use super::attempts::{no_round, not_yours};
use crate::db::attempts::{Attempt, Whose, list_attempts, list_attempts_of};
use crate::db::contests::Contest;
use crate::db::rounds::Round;
use crate::domain::paper_view::attempts_left;
use crate::domain::timing;
use crate::error::AppResult;

/// A round as an entrant is about to take it.
#[derive(Debug, Clone)]
pub struct Intro {
    /// The round.
    pub round: Round,
    /// Its contest.
    pub contest: Contest,
    /// The entrant's attempts in it, first first.
    pub attempts: Vec<Attempt>,
}

impl Intro {
    /// Attempts left (`None`: unlimited, a practice round).
    pub fn left(&self) -> Option<i32> {
        let s = &self.round.settings;
        attempts_left(s.attempts_allowed, self.attempts.len(), s.practice)
    }

    /// The attempt still taking answers at `t`, if any: starting resumes it.
    pub fn in_progress(&self, t: NaiveDateTime) -> Option<&Attempt> {
        let grace = self.round.settings.grace_s;
        self.attempts.iter().find(|a| !a.is_final() && timing::accepts(t, a.deadline_at, grace))
    }

    /// The latest final attempt, whose result a page links to.
    pub fn last_final(&self) -> Option<&Attempt> {
        self.attempts.iter().rev().find(|a| a.is_final())
    }

    /// Whether a start at `t` would begin (or resume) a paper.
    pub fn may_start(&self, t: NaiveDateTime) -> bool {
        self.in_progress(t).is_some() || (self.round.is_open(t) && self.left() != Some(0))
    }
}

impl Engine {
    /// What a round holds for the entrant before it starts (404 for a draft,
    /// 403 with how to take part for an entrant the contest does not admit).
    pub async fn intro(&self, who: &Entrant, round_id: i64) -> AppResult<Intro> {
        let (round, contest) = self.round_and_contest(round_id).await?;
        if !round.is_published() {
            return Err(no_round());
        }
        if !who.may_enter(&contest) {
            return Err(not_yours(who, &contest));
        }
        let attempts = match self.participant_in(who, &contest).await? {
            Some(pid) => self.read(move |c| list_attempts(c, round_id, pid)).await?,
            None => Vec::new(),
        };
        Ok(Intro { round, contest, attempts })
    }

    /// The entrant's attempts by round, first first (for the lists of
    /// rounds). On a shared phone, only the entry that takes part now counts.
    pub async fn attempts_by_round(&self, who: &Entrant) -> AppResult<HashMap<i64, Vec<Attempt>>> {
        let whose = match who {
            Entrant::Account(u) => Whose::User(u.id),
            Entrant::Resident(ps) => {
                let contests: HashSet<i64> = ps.iter().map(|p| p.contest_id).collect();
                Whose::Participants(contests.into_iter().filter_map(|c| who.resident_in(c).map(|p| p.id)).collect())
            }
        };
        let mut all = self.read(move |c| list_attempts_of(c, &whose)).await?;
        all.reverse();
        let mut out: HashMap<i64, Vec<Attempt>> = HashMap::new();
        for a in all {
            out.entry(a.round_id).or_default().push(a);
        }
        Ok(out)
    }
}
