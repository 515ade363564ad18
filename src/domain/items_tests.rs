//! Item analysis on a small answer matrix worked by hand.
//!
//! Ten entrants E1–E10 take a paper of four questions, each with options
//! A–D (A = 0). Question 1 is the one analysed; questions 2–4 only make up
//! the rest of the paper. `r` is how many of questions 2–4 each got right,
//! so the rest fraction is y = r / 3 (the rest of a 4-item paper is 3
//! items):
//!
//! | entrant | Q2 Q3 Q4 | r | Q1 chose | Q1 right (x, key A) |
//! |---------|----------|---|----------|---------------------|
//! | E1      | 1  1  1  | 3 | A        | 1 |
//! | E2      | 1  1  1  | 3 | A        | 1 |
//! | E3      | 1  1  0  | 2 | A        | 1 |
//! | E4      | 1  0  0  | 1 | A        | 1 |
//! | E5      | 0  1  0  | 1 | B        | 0 |
//! | E6      | 0  0  1  | 1 | A        | 1 |
//! | E7      | 1  0  0  | 1 | C        | 0 |
//! | E8      | 0  0  0  | 0 | A        | 1 |
//! | E9      | 0  0  0  | 0 | (blank)  | 0 |
//! | E10     | 0  0  0  | 0 | B        | 0 |

use super::*;

/// Q2–Q4 right (1) or not, per entrant.
const REST: [[i32; 3]; 10] =
    [[1, 1, 1], [1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]];

/// What each entrant chose on Q1 (bank order), `None` for blank.
const Q1: [Option<usize>; 10] = [Some(0), Some(0), Some(0), Some(0), Some(1), Some(0), Some(2), Some(0), None, Some(1)];

/// Every entrant's response to the analysed question, `choices` as made
/// and `key` in force, with the rest fraction computed the way finalizing
/// stores it (from the paper's total and the item's own grade).
fn responses(choices: &[Option<usize>; 10], key: usize) -> Vec<Response> {
    (0..10)
        .map(|e| {
            let right = choices[e] == Some(key);
            let total: i32 = REST[e].iter().sum::<i32>() + i32::from(right);
            Response {
                rest: rest_fraction(total, 4, right),
                correct: right,
                chosen: mask(&choices[e].into_iter().collect::<Vec<_>>()),
                tie: e as i64 + 1,
            }
        })
        .collect()
}

/// What the SQL aggregate adds up, added up here.
fn sums(rs: &[Response], options: usize) -> Sums {
    Sums {
        drawn: rs.len() as i64,
        correct: rs.iter().filter(|r| r.correct).count() as i64,
        blank: rs.iter().filter(|r| r.chosen == 0).count() as i64,
        options: (0..options).map(|i| rs.iter().filter(|r| has(r.chosen, i)).count() as i64).collect(),
        rest: rs.iter().map(|r| r.rest).sum(),
        rest_sq: rs.iter().map(|r| r.rest * r.rest).sum(),
        rest_right: rs.iter().filter(|r| r.correct).map(|r| r.rest).sum(),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-4
}

const SHOWN: Thresholds = Thresholds { min_drawn: 10, too_easy: 0.95, too_hard: 0.20, discrimination_below: 0.0 };

#[test]
fn facility_is_the_share_right() {
    // Right: E1, E2, E3, E4, E6, E8 = 6 of 10.
    let s = sums(&responses(&Q1, 0), 4);
    assert_eq!((s.drawn, s.correct), (10, 6));
    assert_eq!(s.facility(), Some(0.6));
}

#[test]
fn rest_of_the_paper_leaves_the_item_out() {
    // E3 got Q1 and two of Q2–Q4 right: 3 of 4 in all, 2 of the other 3.
    assert!(close(rest_fraction(3, 4, true), 2.0 / 3.0));
    // E5 got Q1 wrong and one other right: 1 of the other 3.
    assert!(close(rest_fraction(1, 4, false), 1.0 / 3.0));
    assert_eq!(rest_fraction(1, 1, true), 0.0, "a one-item paper has no rest");
}

#[test]
fn point_biserial_by_hand() {
    // With r = 3y (a correlation does not change with the scale):
    // Σx = 6; Σr = 3+3+2+1+1+1+1+0+0+0 = 12; Σr² = 9+9+4+1+1+1+1 = 26;
    // Σxr = E1 3 + E2 3 + E3 2 + E4 1 + E6 1 + E8 0 = 10.
    // r_pb = (nΣxr − ΣxΣr) / √((nΣx − (Σx)²)(nΣr² − (Σr)²))
    //      = (10·10 − 6·12) / √((60 − 36)(260 − 144))
    //      = 28 / √(24 · 116) = 28 / √2784 = 28 / 52.7636 = 0.5307.
    // Check by the textbook form (M1 − M0)/s · √(pq), in units of r:
    // M1 = 10/6 = 1.6667, M0 = 2/4 = 0.5, s = √(26/10 − 1.2²) = √1.16 = 1.0770,
    // √(0.6 · 0.4) = 0.4899: 1.1667 / 1.0770 · 0.4899 = 0.5307.
    let s = sums(&responses(&Q1, 0), 4);
    assert!(close(s.rest, 12.0 / 3.0) && close(s.rest_sq, 26.0 / 9.0) && close(s.rest_right, 10.0 / 3.0));
    let pb = s.point_biserial().unwrap();
    assert!(close(pb, 28.0 / 2784f64.sqrt()), "{pb}");
    assert!(close(pb, 0.5307), "{pb}");
}

#[test]
fn upper_lower_index_by_hand() {
    // 27% of 10 is 2.7: groups of 3. Ranked by r: E1 3, E2 3, E3 2 | E4–E7 1 |
    // E8 0, E9 0, E10 0 (no tie crosses a group's edge).
    // Upper E1, E2, E3: all right, 3/3. Lower E8, E9, E10: E8 right, 1/3.
    // Index = (3 − 1) / 3 = 0.6667.
    let mut rs = responses(&Q1, 0);
    let g = Groups::of(&mut rs, 4, &[0]);
    assert_eq!(
        g,
        Groups { size: 3, upper_correct: 3, lower_correct: 1, upper_options: vec![3, 0, 0, 0], upper_key: 3 }
    );
    assert!(close(g.index().unwrap(), 2.0 / 3.0));
}

#[test]
fn option_and_blank_shares_in_the_banks_order() {
    // A: 6, B: E5 and E10 = 2, C: E7 = 1, D: 0, blank: E9 = 1 (of 10).
    let s = sums(&responses(&Q1, 0), 4);
    assert_eq!(s.option_shares(), vec![0.6, 0.2, 0.1, 0.0]);
    assert_eq!(s.blank_share(), 0.1);
}

#[test]
fn a_good_question_raises_no_flag() {
    let mut rs = responses(&Q1, 0);
    let st = analyse(&sums(&rs, 4), &Groups::of(&mut rs, 4, &[0]), &[0], &SHOWN);
    assert!(st.flags.is_empty(), "{:?}", st.flags);
    assert_eq!(st.drawn, 10);
}

/// A planted wrong key: E1–E4, the stronger half, choose B (the true
/// answer); E5–E10 choose A, which the key says.
const PLANTED: [Option<usize>; 10] =
    [Some(1), Some(1), Some(1), Some(1), Some(0), Some(0), Some(0), Some(0), Some(0), Some(0)];

#[test]
fn a_wrong_key_is_suspect_and_the_right_one_is_not() {
    // Key A: right are E5–E10, Σx = 6, Σxr = 1+1+1+0+0+0 = 3.
    // r_pb = (10·3 − 6·12) / √2784 = −42 / 52.7636 = −0.7960.
    // Upper E1–E3 chose B three times and the key never: B (3) > key (0).
    // Lower E8–E10 all chose A: index = (0 − 3) / 3 = −1.
    let mut rs = responses(&PLANTED, 0);
    let s = sums(&rs, 4);
    let g = Groups::of(&mut rs, 4, &[0]);
    assert_eq!(g.suspect_distractor(&[0]), Some(1));
    let st = analyse(&s, &g, &[0], &SHOWN);
    assert!(close(st.discrimination.unwrap(), -0.7960), "{:?}", st.discrimination);
    assert_eq!(st.upper_lower, Some(-1.0));
    assert_eq!(st.flags, vec![ItemFlag::SuspectKey, ItemFlag::NegativeDiscrimination]);

    // Re-keyed to B: right are E1–E4, Σx = 4, Σxr = 3+3+2+1 = 9.
    // r_pb = (10·9 − 4·12) / √((40 − 16)(260 − 144)) = 42 / 52.7636 = +0.7960;
    // upper 3/3 right, lower 0/3: index 1; A (0 in the upper group) < 3.
    let mut rs = responses(&PLANTED, 1);
    let st = analyse(&sums(&rs, 4), &Groups::of(&mut rs, 4, &[1]), &[1], &SHOWN);
    assert!(close(st.discrimination.unwrap(), 0.7960));
    assert_eq!(st.upper_lower, Some(1.0));
    assert_eq!(st.facility, Some(0.4));
    assert!(st.flags.is_empty(), "{:?}", st.flags);
}

#[test]
fn flags_wait_for_enough_draws() {
    let mut rs = responses(&PLANTED, 0);
    let st = analyse(&sums(&rs, 4), &Groups::of(&mut rs, 4, &[0]), &[0], &Thresholds::default());
    assert!(st.flags.is_empty(), "10 draws are fewer than the default 30");
}

#[test]
fn too_easy_and_too_hard_compare_the_facility() {
    let s = |correct| Sums { drawn: 100, correct, options: vec![correct, 100 - correct], ..Sums::default() };
    let none = Groups::default();
    assert_eq!(analyse(&s(96), &none, &[0], &SHOWN).flags, vec![ItemFlag::TooEasy]);
    assert!(analyse(&s(95), &none, &[0], &SHOWN).flags.is_empty(), "0.95 itself is not above 0.95");
    assert_eq!(analyse(&s(19), &none, &[0], &SHOWN).flags, vec![ItemFlag::TooHard]);
    assert!(analyse(&s(20), &none, &[0], &SHOWN).flags.is_empty());
}

#[test]
fn no_spread_means_no_discrimination() {
    // Everybody right: nΣx − (Σx)² = 0.
    let all = Sums { drawn: 5, correct: 5, rest: 2.5, rest_sq: 1.5, rest_right: 2.5, ..Sums::default() };
    assert_eq!(all.point_biserial(), None);
    // Every rest the same (0.5): nΣy² − (Σy)² = 5·1.25 − 2.5² = 0.
    let flat = Sums { drawn: 5, correct: 2, rest: 2.5, rest_sq: 1.25, rest_right: 1.0, ..Sums::default() };
    assert_eq!(flat.point_biserial(), None);
}

#[test]
fn groups_are_27_percent_rounded_and_ties_go_by_attempt() {
    assert_eq!([1, 2, 3, 10, 30, 60, 100].map(group_size), [0, 1, 1, 3, 8, 16, 27]);
    let r = |rest, correct, tie| Response { rest, correct, chosen: 1, tie };
    // Four with the same rest: the upper one is the earliest attempt.
    let mut rs = vec![r(0.5, false, 4), r(0.5, true, 1), r(0.5, false, 3), r(0.5, false, 2)];
    let g = Groups::of(&mut rs, 2, &[0]);
    assert_eq!((g.size, g.upper_correct, g.lower_correct), (1, 1, 0));
}

#[test]
fn masks_hold_the_banks_order() {
    assert_eq!(mask(&[]), 0);
    assert_eq!(mask(&[0, 2]), 0b101);
    assert!(has(0b101, 2) && !has(0b101, 1));
}

#[test]
fn the_banks_key_is_judged_by_who_chose_it_not_by_who_was_graded_right() {
    // A contest re-keyed the planted question to B, so E1–E4 are graded
    // right; the bank's key is still A, which nobody in the upper group chose.
    let mut rs = responses(&PLANTED, 1);
    let g = Groups::of(&mut rs, 4, &[0]);
    assert_eq!((g.upper_correct, g.upper_key), (3, 0));
    assert_eq!(g.suspect_distractor(&[0]), Some(1));
}
