use super::*;
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};

fn at(s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(1, 0, s).unwrap()
}

fn k(score: i32, err: i64, dur: i64, sub: u32) -> RankKey {
    RankKey { score, max_score: 10, prediction_error: err, duration_ms: dur, submitted_at: at(sub) }
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
fn nine_of_nine_valid_items_ties_ten_of_ten() {
    let nine = RankKey { score: 9, max_score: 9, ..k(0, 0, 100, 1) };
    let ten = RankKey { score: 10, max_score: 10, ..k(0, 0, 100, 1) };
    assert_eq!(compare(&nine, &ten), Ordering::Equal);
    assert_eq!(nine.encode(), ten.encode());
    let eight_of_nine = RankKey { score: 8, max_score: 9, ..nine };
    let nine_of_ten = RankKey { score: 9, max_score: 10, ..ten };
    // 8/9 = 0.888… < 9/10.
    assert_eq!(compare(&nine_of_ten, &eight_of_nine), Ordering::Less);
    assert!(nine_of_ten.encode() < eight_of_nine.encode());
}

#[test]
fn a_paper_with_nothing_valid_counts_as_zero() {
    let empty = RankKey { score: 0, max_score: 0, ..k(0, 0, 100, 1) };
    let zero = RankKey { score: 0, max_score: 10, ..k(0, 0, 100, 1) };
    assert_eq!(compare(&empty, &zero), Ordering::Equal);
    assert_eq!(empty.encode(), zero.encode());
}

/// The stored key sorts exactly as `compare` does, over keys chosen to make
/// ties and near-ties common (fractions with every denominator a paper can
/// have, a few durations and times).
#[test]
fn the_encoded_key_sorts_exactly_as_compare() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut keys: Vec<RankKey> = (0..4000)
        .map(|_| {
            let max = match rng.random_range(0..4) {
                0 => MAX_PAPER_SCORE,
                1 => MAX_PAPER_SCORE - rng.random_range(1..100),
                2 => rng.random_range(0..12),
                _ => rng.random_range(1..MAX_PAPER_SCORE),
            };
            RankKey {
                score: if max == 0 { 0 } else { rng.random_range(0..=max) },
                max_score: max,
                prediction_error: [0, 1, 7, NO_PREDICTION][rng.random_range(0..4)],
                duration_ms: rng.random_range(0..4) * 1000,
                submitted_at: at(rng.random_range(0..3)),
            }
        })
        .collect();
    keys.sort_by(compare);
    for w in keys.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        match compare(a, b) {
            Ordering::Less => assert!(a.encode() < b.encode(), "{a:?} {b:?}"),
            Ordering::Equal => assert_eq!(a.encode(), b.encode(), "{a:?} {b:?}"),
            Ordering::Greater => unreachable!("sorted"),
        }
    }
    // Adjacent fractions with the largest denominators are still told apart.
    let a = RankKey { score: MAX_PAPER_SCORE - 1, max_score: MAX_PAPER_SCORE, ..k(0, 0, 0, 0) };
    let b = RankKey { score: MAX_PAPER_SCORE - 2, max_score: MAX_PAPER_SCORE - 1, ..a };
    assert_eq!(compare(&a, &b), Ordering::Less);
    assert!(a.encode() < b.encode());
}

#[test]
fn competition_ranks_share_only_on_equal_keys() {
    assert_eq!(competition_ranks(1, 0, &["a", "a", "b", "c"]), vec![1, 1, 3, 4]);
    // A page that starts inside a tie: its first entry has the tie's rank.
    assert_eq!(competition_ranks(3, 4, &["x", "x", "y"]), vec![3, 3, 7]);
    assert!(competition_ranks::<&str>(1, 0, &[]).is_empty());
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
fn best_attempt_is_higher_fraction_then_faster_then_earlier() {
    assert!(better_attempt(&k(9, 0, 500, 5), &k(8, 0, 100, 1)));
    assert!(better_attempt(&k(9, 0, 100, 5), &k(9, 0, 200, 1)));
    assert!(better_attempt(&k(9, 0, 100, 1), &k(9, 0, 100, 5)));
    assert!(!better_attempt(&k(9, 0, 100, 5), &k(9, 0, 100, 5)), "a tie keeps the first");
    assert!(!better_attempt(&k(9, 0, 100, 1), &k(9, 5, 100, 1)), "prediction does not choose");
}

fn r(score: i32, err: i64, dur: i64, sub: u32) -> RoundResult {
    RoundResult { score, prediction_error: err, duration_ms: dur, submitted_at: at(sub) }
}

#[test]
fn standings_sum_scores_then_predictions_with_gaps_last_then_time_then_last_submission() {
    let full = Standing::of(&[r(10, 2, 100, 1), r(8, 3, 100, 2)]).unwrap();
    assert_eq!((full.rounds, full.score, full.prediction_gaps, full.prediction_error), (2, 18, 0, 5));
    let gap = Standing::of(&[r(10, NO_PREDICTION, 10, 1), r(8, 0, 10, 2)]).unwrap();
    assert_eq!((gap.prediction_gaps, gap.prediction_error), (1, 0));
    let better_prediction = Standing::of(&[r(18, 4, 500, 1)]).unwrap();
    let faster = Standing::of(&[r(18, 4, 400, 9)]).unwrap();
    let earlier = Standing::of(&[r(18, 4, 400, 3)]).unwrap();
    let lower = Standing::of(&[r(17, 0, 1, 1)]).unwrap();
    let mut v = vec![lower, gap, full, better_prediction, faster, earlier];
    v.sort_by(compare_standings);
    assert_eq!(v, vec![earlier, faster, better_prediction, full, gap, lower]);
    for w in v.windows(2) {
        assert!(w[0].encode() < w[1].encode());
    }
    assert_eq!(Standing::of(&[]), None);
}
