//! Promise 5: one ranking rule, everywhere.
//!
//! Entries compare by the fraction of valid items answered correctly
//! (`score / max_score`, compared exactly: a voided question leaves both the
//! score and the maximum, so 9 of 9 valid items ties 10 of 10), then by the
//! prediction error (rounds with the prediction question; an entry without
//! a prediction ranks after those with one), then by duration, then by
//! submission time. [`RankKey::encode`] turns that order into one string
//! that sorts the same way byte by byte; it is stored with each entry under
//! one index, so every board, rank, export and "my position" reads the order
//! from the database, and [`competition_ranks`] numbers it (1, 2, 2, 4).
//!
//! Standings across a contest's rounds follow the same idea with
//! [`Standing`]: the sum of the best scores of the ranked rounds, then the
//! prediction errors over the rounds taken (an entrant missing a prediction
//! ranks after those without gaps), then the total duration, then the
//! earlier last submission.

use std::cmp::Ordering;

use chrono::NaiveDateTime;

use super::round::MAX_PAPER_SCORE;

/// The stored prediction error of an entry that gave no prediction: after every real error.
pub const NO_PREDICTION: i64 = 1_000_000_000_000;

/// The fraction is encoded as `floor(score · 2^30 / max_score)`. Two
/// different fractions with denominators at most 2^15 differ by at least
/// 2^-30, so their encodings differ: the encoding is exact for every paper
/// (`MAX_PAPER_SCORE` ≤ 2^15).
const FRACTION_BITS: u32 = 30;
const _: () = assert!(MAX_PAPER_SCORE <= 1 << 15, "the rank key needs max_score ≤ 2^15");

/// What ranking looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankKey {
    /// Points scored on valid items.
    pub score: i32,
    /// Points possible on valid items.
    pub max_score: i32,
    /// |prediction − actual|, [`NO_PREDICTION`] without one, 0 in rounds without the question.
    pub prediction_error: i64,
    /// Time taken.
    pub duration_ms: i64,
    /// When it was submitted.
    pub submitted_at: NaiveDateTime,
}

/// `a.score / a.max_score` against `b`'s, higher first, exactly. A paper
/// with nothing valid on it counts as 0.
fn compare_fractions(a: &RankKey, b: &RankKey) -> Ordering {
    let (an, ad) = if a.max_score > 0 { (i64::from(a.score), i64::from(a.max_score)) } else { (0, 1) };
    let (bn, bd) = if b.max_score > 0 { (i64::from(b.score), i64::from(b.max_score)) } else { (0, 1) };
    (bn * ad).cmp(&(an * bd))
}

/// The order of two entries: `Less` ranks first.
pub fn compare(a: &RankKey, b: &RankKey) -> Ordering {
    compare_fractions(a, b)
        .then(a.prediction_error.cmp(&b.prediction_error))
        .then(a.duration_ms.cmp(&b.duration_ms))
        .then(a.submitted_at.cmp(&b.submitted_at))
}

fn micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros().max(0)
}

impl RankKey {
    /// The order as a fixed-width string of digits: `a.encode() < b.encode()`
    /// exactly when `compare(a, b)` is `Less`, and equal strings are ties.
    pub fn encode(&self) -> String {
        let scale = 1i64 << FRACTION_BITS;
        let fraction =
            if self.max_score > 0 { i64::from(self.score.max(0)) * scale / i64::from(self.max_score) } else { 0 };
        format!(
            "{:010}{:013}{:011}{:017}",
            scale - fraction.min(scale),
            self.prediction_error.clamp(0, NO_PREDICTION),
            self.duration_ms.clamp(0, 99_999_999_999),
            micros(self.submitted_at)
        )
    }
}

/// Which of two attempts of one participant counts: the better by the
/// fraction, then time, then the earlier (prediction does not choose between
/// attempts). A full tie keeps the first.
pub fn better_attempt(a: &RankKey, b: &RankKey) -> bool {
    let a0 = RankKey { prediction_error: 0, ..*a };
    let b0 = RankKey { prediction_error: 0, ..*b };
    compare(&a0, &b0) == Ordering::Less
}

/// The stored prediction error. While the round is open the real number of
/// full marks is not known: entries with a prediction share 0 (provisional);
/// once it closes, the error is `|prediction − full_marks|`.
pub fn prediction_error(round_has_prediction: bool, prediction: Option<i64>, final_full_marks: Option<i64>) -> i64 {
    if !round_has_prediction {
        return 0;
    }
    match (prediction, final_full_marks) {
        (None, _) => NO_PREDICTION,
        (Some(_), None) => 0,
        (Some(p), Some(actual)) => (p - actual).abs(),
    }
}

/// Competition ranks (1, 2, 2, 4) for a run of entries read in rank order.
/// `first` is the rank of the run's first entry (one more than the number
/// of entries strictly before it, which the database counts through the
/// index) and `index` its 0-based position in the whole order; only equal
/// keys share a rank.
pub fn competition_ranks<K: PartialEq>(first: i64, index: i64, keys: &[K]) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        let rank = match out.last() {
            None => first,
            Some(prev) if keys[i - 1] == *k => *prev,
            Some(_) => index + i as i64 + 1,
        };
        out.push(rank);
    }
    out
}

/// One round's entry as a contest standing counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundResult {
    /// Best score.
    pub score: i32,
    /// Its prediction error ([`NO_PREDICTION`] when the round asked and none was given).
    pub prediction_error: i64,
    /// Its duration.
    pub duration_ms: i64,
    /// When it was submitted.
    pub submitted_at: NaiveDateTime,
}

/// A participant's standing over a contest's ranked rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// Rounds taken.
    pub rounds: i64,
    /// Sum of the best score of each round.
    pub score: i64,
    /// Rounds that asked for a prediction and got none.
    pub prediction_gaps: i64,
    /// Sum of the prediction errors of the other rounds.
    pub prediction_error: i64,
    /// Sum of durations.
    pub duration_ms: i64,
    /// The latest submission.
    pub last_submitted_at: NaiveDateTime,
}

impl Standing {
    /// The standing from the entries of the rounds taken; `None` for none.
    pub fn of(results: &[RoundResult]) -> Option<Self> {
        let last = results.iter().map(|r| r.submitted_at).max()?;
        let mut s = Standing {
            rounds: results.len() as i64,
            score: 0,
            prediction_gaps: 0,
            prediction_error: 0,
            duration_ms: 0,
            last_submitted_at: last,
        };
        for r in results {
            s.score += i64::from(r.score);
            if r.prediction_error >= NO_PREDICTION {
                s.prediction_gaps += 1;
            } else {
                s.prediction_error += r.prediction_error;
            }
            s.duration_ms += r.duration_ms;
        }
        Some(s)
    }

    /// The order as a fixed-width string of digits (see [`RankKey::encode`]).
    pub fn encode(&self) -> String {
        const TOP: i64 = 10_000_000_000_000;
        format!(
            "{:014}{:06}{:015}{:015}{:017}",
            TOP - self.score.clamp(0, TOP),
            self.prediction_gaps.clamp(0, 999_999),
            self.prediction_error.clamp(0, 999_999_999_999_999),
            self.duration_ms.clamp(0, 999_999_999_999_999),
            micros(self.last_submitted_at)
        )
    }
}

/// The order of two standings: `Less` ranks first.
pub fn compare_standings(a: &Standing, b: &Standing) -> Ordering {
    b.score
        .cmp(&a.score)
        .then(a.prediction_gaps.cmp(&b.prediction_gaps))
        .then(a.prediction_error.cmp(&b.prediction_error))
        .then(a.duration_ms.cmp(&b.duration_ms))
        .then(a.last_submitted_at.cmp(&b.last_submitted_at))
}

#[cfg(test)]
#[path = "ranking_tests.rs"]
mod tests;
