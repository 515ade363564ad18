//! Promise 5: one ranking rule, everywhere.
//!
//! Score descending, then prediction error ascending (rounds with the
//! prediction question; an entry without a prediction ranks after those
//! with one), then duration ascending, then submission time ascending.
//! The leaderboard query orders by the same keys (see
//! `round_entries_rank`); `prediction_error` is stored so that this holds.

use std::cmp::Ordering;

use chrono::NaiveDateTime;

/// The stored prediction error of an entry that gave no prediction: after every real error.
pub const NO_PREDICTION: i64 = 1_000_000_000_000;

/// What ranking looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankKey {
    /// Points.
    pub score: i32,
    /// |prediction − actual|, [`NO_PREDICTION`] without one, 0 in rounds without the question.
    pub prediction_error: i64,
    /// Time taken.
    pub duration_ms: i64,
    /// When it was submitted.
    pub submitted_at: NaiveDateTime,
}

/// The order of two entries: `Less` ranks first.
pub fn compare(a: &RankKey, b: &RankKey) -> Ordering {
    b.score
        .cmp(&a.score)
        .then(a.prediction_error.cmp(&b.prediction_error))
        .then(a.duration_ms.cmp(&b.duration_ms))
        .then(a.submitted_at.cmp(&b.submitted_at))
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

/// Which of two attempts of one participant counts: the better by score,
/// then time, then the earlier (prediction does not choose between attempts).
pub fn better_attempt(a: &RankKey, b: &RankKey) -> bool {
    let a0 = RankKey { prediction_error: 0, ..*a };
    let b0 = RankKey { prediction_error: 0, ..*b };
    compare(&a0, &b0) == Ordering::Less
}

/// Competition ranks (1, 2, 2, 4) for keys already sorted by [`compare`]:
/// only entries equal on every key share a rank.
pub fn ranks(sorted: &[RankKey]) -> Vec<u32> {
    let mut out = Vec::with_capacity(sorted.len());
    for (i, k) in sorted.iter().enumerate() {
        if i > 0 && compare(&sorted[i - 1], k) == Ordering::Equal {
            out.push(out[i - 1]);
        } else {
            out.push(i as u32 + 1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(1, 0, s).unwrap()
    }

    fn k(score: i32, err: i64, dur: i64, sub: u32) -> RankKey {
        RankKey { score, prediction_error: err, duration_ms: dur, submitted_at: at(sub) }
    }

    #[test]
    fn every_tiebreak_level_decides_in_order() {
        let mut v = vec![
            k(8, 0, 100, 1),            // lower score
            k(10, 5, 100, 1),           // same score, worse prediction
            k(10, 2, 300, 1),           // best prediction, slower
            k(10, 2, 200, 9),           // best prediction, faster, later
            k(10, 2, 200, 3),           // same, earlier
            k(10, NO_PREDICTION, 1, 0), // no prediction: after every prediction
        ];
        v.sort_by(compare);
        assert_eq!(
            v,
            vec![
                k(10, 2, 200, 3),
                k(10, 2, 200, 9),
                k(10, 2, 300, 1),
                k(10, 5, 100, 1),
                k(10, NO_PREDICTION, 1, 0),
                k(8, 0, 100, 1)
            ]
        );
    }

    #[test]
    fn a_lower_score_never_outranks_a_higher_one() {
        // ClassQuiz #107 ranked 2/10 above 5/10.
        let mut v = [k(2, 0, 1, 0), k(5, 0, 999_999, 59)];
        v.sort_by(compare);
        assert_eq!(v[0].score, 5);
    }

    #[test]
    fn full_ties_share_a_rank() {
        let v = vec![k(10, 0, 100, 1), k(10, 0, 100, 1), k(10, 0, 200, 1), k(9, 0, 1, 1)];
        assert_eq!(ranks(&v), vec![1, 1, 3, 4]);
    }

    #[test]
    fn prediction_error_is_provisional_until_close() {
        assert_eq!(prediction_error(false, Some(5), Some(9)), 0);
        assert_eq!(prediction_error(true, None, Some(9)), NO_PREDICTION);
        assert_eq!(prediction_error(true, Some(5), None), 0);
        assert_eq!(prediction_error(true, Some(5), Some(9)), 4);
        assert_eq!(prediction_error(true, Some(12), Some(9)), 3);
    }

    #[test]
    fn best_attempt_is_higher_score_then_faster_then_earlier() {
        assert!(better_attempt(&k(9, 0, 500, 5), &k(8, 0, 100, 1)));
        assert!(better_attempt(&k(9, 0, 100, 5), &k(9, 0, 200, 1)));
        assert!(better_attempt(&k(9, 0, 100, 1), &k(9, 0, 100, 5)));
        assert!(!better_attempt(&k(9, 0, 100, 5), &k(9, 0, 100, 5)), "a tie keeps the first");
    }
}
