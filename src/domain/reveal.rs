//! Promise 4: the key stays secret, across rounds.
//!
//! Banks are shared, so a question's key may be shown to a participant only
//! when their own round's policy allows it **and** no other round whose
//! frozen pool holds the question keeps it secret at that moment. A round
//! keeps its questions secret while answers to it can still count (until
//! its close plus grace; a scheduled round too), whatever its policy, and
//! forever when its policy is `never`.

use chrono::NaiveDateTime;

use super::round::RevealPolicy;

/// What secrecy needs to know of a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Secrecy {
    /// The round's policy.
    pub policy: RevealPolicy,
    /// The last moment an answer to it can count (close + grace).
    pub last_answer_at: NaiveDateTime,
}

impl Secrecy {
    /// Whether this round keeps the keys of its pool secret at `t`.
    pub fn keeps_secret(&self, t: NaiveDateTime) -> bool {
        self.policy == RevealPolicy::Never || t <= self.last_answer_at
    }

    /// Whether the round's own policy shows the key of an attempt at `t`.
    pub fn own_policy_reveals(&self, attempt_final: bool, t: NaiveDateTime) -> bool {
        attempt_final
            && match self.policy {
                RevealPolicy::AfterSubmit => true,
                RevealPolicy::AfterClose => t > self.last_answer_at,
                RevealPolicy::Never => false,
            }
    }
}

/// Whether one question's key may be shown to a participant of `own` at `t`:
/// `others` are the other published rounds whose pools hold the question.
pub fn may_reveal(
    own: &Secrecy,
    attempt_final: bool,
    others: impl IntoIterator<Item = Secrecy>,
    t: NaiveDateTime,
) -> bool {
    own.own_policy_reveals(attempt_final, t) && others.into_iter().all(|o| !o.keeps_secret(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(h, 0, 0).unwrap()
    }

    fn round(policy: RevealPolicy, closes: u32) -> Secrecy {
        Secrecy { policy, last_answer_at: t(closes) }
    }

    #[test]
    fn the_own_policy_decides_alone() {
        let after_submit = round(RevealPolicy::AfterSubmit, 5);
        assert!(may_reveal(&after_submit, true, [], t(2)));
        assert!(!may_reveal(&after_submit, false, [], t(2)), "never before the attempt is final");
        let after_close = round(RevealPolicy::AfterClose, 5);
        assert!(!may_reveal(&after_close, true, [], t(5)), "answers can still count at close + grace");
        assert!(may_reveal(&after_close, true, [], t(6)));
        assert!(!may_reveal(&round(RevealPolicy::Never, 5), true, [], t(9)));
    }

    #[test]
    fn another_round_that_still_runs_keeps_a_shared_question_secret() {
        let mine = round(RevealPolicy::AfterSubmit, 5);
        // Another round (any policy) running until 8 o'clock holds the question.
        for policy in RevealPolicy::ALL {
            assert!(!may_reveal(&mine, true, [round(policy, 8)], t(2)), "{policy:?}");
        }
        // Once it has closed, only `never` still keeps it.
        assert!(may_reveal(&mine, true, [round(RevealPolicy::AfterClose, 8)], t(9)));
        assert!(may_reveal(&mine, true, [round(RevealPolicy::AfterSubmit, 8)], t(9)));
        assert!(!may_reveal(&mine, true, [round(RevealPolicy::Never, 8)], t(9)));
        // A closed round does not hold back one still running.
        assert!(may_reveal(&mine, true, [round(RevealPolicy::AfterClose, 1)], t(2)));
    }
}
