//! Drawing a paper: the questions and option orders one participant gets.
//!
//! Promise 1: distinct questions, `count` from each blueprint row, uniform
//! within a row, options shuffled unless the question is `fixed_order`, all
//! from a ChaCha RNG seeded with the attempt's stored seed, so an auditor
//! re-derives the paper from the seed and the round's frozen pools.

use std::collections::HashSet;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};

use super::bank::{Difficulty, is_slug};

/// One row of a blueprint: `count` questions from `bank`, of one difficulty or any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlueprintRow {
    /// The bank's slug.
    pub bank: String,
    /// Only this difficulty, or any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<Difficulty>,
    /// How many questions.
    pub count: u32,
}

/// A valid blueprint: 1–20 rows, 1–200 questions in all, no two rows that
/// could draw the same question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Blueprint(Vec<BlueprintRow>);

/// Most questions a paper may have.
pub const MAX_QUESTIONS: u32 = 200;

/// The version of the drawing procedure new attempts use: the frozen pools
/// minus the excluded questions, then [`draw`]. A change to the procedure
/// gets a new version, and [`redraw`] keeps every older one.
pub const DRAW_VERSION: i32 = 1;

impl Blueprint {
    /// Checks the rows.
    pub fn parse(rows: Vec<BlueprintRow>) -> Result<Self, String> {
        if rows.is_empty() {
            return Err("Cơ cấu đề cần ít nhất một dòng (ngân hàng × mức độ × số câu).".into());
        }
        if rows.len() > 20 {
            return Err("Cơ cấu đề có tối đa 20 dòng.".into());
        }
        let mut total = 0u32;
        for (i, r) in rows.iter().enumerate() {
            if !is_slug(&r.bank) {
                return Err(format!("Dòng {}: mã ngân hàng \"{}\" không hợp lệ.", i + 1, r.bank));
            }
            if r.count == 0 {
                return Err(format!("Dòng {}: số câu phải lớn hơn 0.", i + 1));
            }
            total = total.saturating_add(r.count);
            for other in &rows[..i] {
                let overlaps = other.bank == r.bank
                    && (other.difficulty.is_none() || r.difficulty.is_none() || other.difficulty == r.difficulty);
                if overlaps {
                    return Err(format!(
                        "Dòng {} trùng phạm vi với một dòng trước của ngân hàng \"{}\": mỗi mức độ chỉ một dòng, và \"mọi mức độ\" không đi cùng mức độ cụ thể.",
                        i + 1,
                        r.bank
                    ));
                }
            }
        }
        if total > MAX_QUESTIONS {
            return Err(format!("Đề có tối đa {MAX_QUESTIONS} câu (cơ cấu đang là {total})."));
        }
        Ok(Self(rows))
    }

    /// The rows.
    pub fn rows(&self) -> &[BlueprintRow] {
        &self.0
    }

    /// Questions in a paper.
    pub fn total(&self) -> u32 {
        self.0.iter().map(|r| r.count).sum()
    }

    /// A stored blueprint (JSON rows), checked again: a corrupt one is an
    /// error, never an empty paper.
    pub fn from_json(s: &str) -> Result<Self, String> {
        let rows: Vec<BlueprintRow> = serde_json::from_str(s).map_err(|e| format!("stored blueprint: {e}"))?;
        Self::parse(rows)
    }
}

/// A question a row may draw, with what the draw needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolQuestion {
    /// The question version's id.
    pub id: i64,
    /// How many options it has.
    pub options: usize,
    /// Whether its options keep their order.
    pub fixed_order: bool,
}

/// One drawn item: which question, and the order its options are shown in
/// (`option_order[k]` is the file index of the option displayed at `k`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperItem {
    /// The question version's id.
    pub question_id: i64,
    /// Display order → file order.
    pub option_order: Vec<usize>,
}

/// A row cannot be filled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShortPool {
    /// The row (0-based).
    pub row: usize,
    /// Questions wanted.
    pub wanted: u32,
    /// Questions available.
    pub available: usize,
}

/// Draws a paper: for each row, `count` distinct questions uniformly from its
/// pool, then the whole paper in random order, options shuffled unless fixed.
/// `pools[i]` is the pool of `rows[i]`; pools must not share questions.
pub fn draw(rows: &[BlueprintRow], pools: &[Vec<PoolQuestion>], seed: u64) -> Result<Vec<PaperItem>, ShortPool> {
    debug_assert!(pools_are_disjoint(pools), "blueprint rows must not share questions");
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut chosen: Vec<PoolQuestion> = Vec::new();
    for (i, (row, pool)) in rows.iter().zip(pools).enumerate() {
        let want = row.count as usize;
        if pool.len() < want {
            return Err(ShortPool { row: i, wanted: row.count, available: pool.len() });
        }
        for idx in rand::seq::index::sample(&mut rng, pool.len(), want) {
            chosen.push(pool[idx]);
        }
    }
    chosen.shuffle(&mut rng);
    Ok(chosen
        .into_iter()
        .map(|q| {
            let mut order: Vec<usize> = (0..q.options).collect();
            if !q.fixed_order {
                order.shuffle(&mut rng);
            }
            PaperItem { question_id: q.id, option_order: order }
        })
        .collect())
}

/// The pools a new paper draws from: the frozen pools without `excluded`.
pub fn without(frozen: &[Vec<PoolQuestion>], excluded: &[i64]) -> Vec<Vec<PoolQuestion>> {
    frozen.iter().map(|pool| pool.iter().filter(|q| !excluded.contains(&q.id)).copied().collect()).collect()
}

/// Draws a stored paper again from what it depended on: the draw's version,
/// the round's frozen pools, the questions excluded when it started and the
/// seed. This is the auditor's claim, and a test holds every attempt to it.
pub fn redraw(
    version: i32,
    rows: &[BlueprintRow],
    frozen: &[Vec<PoolQuestion>],
    excluded: &[i64],
    seed: u64,
) -> Result<Vec<PaperItem>, String> {
    match version {
        1 => draw(rows, &without(frozen, excluded), seed)
            .map_err(|s| format!("row {} wants {} questions, {} left", s.row + 1, s.wanted, s.available)),
        v => Err(format!("unknown draw version {v}")),
    }
}

/// Whether the pools of a blueprint are disjoint (a question in two rows could be drawn twice).
pub fn pools_are_disjoint(pools: &[Vec<PoolQuestion>]) -> bool {
    let mut seen = HashSet::new();
    pools.iter().flatten().all(|q| seen.insert(q.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(start: i64, n: usize, fixed: bool) -> Vec<PoolQuestion> {
        (0..n).map(|i| PoolQuestion { id: start + i as i64, options: 4, fixed_order: fixed }).collect()
    }

    fn row(bank: &str, d: Option<Difficulty>, count: u32) -> BlueprintRow {
        BlueprintRow { bank: bank.into(), difficulty: d, count }
    }

    #[test]
    fn blueprint_counts_are_respected_and_questions_distinct() {
        let rows = vec![row("a", Some(Difficulty::Easy), 3), row("a", Some(Difficulty::Hard), 2), row("b", None, 5)];
        let pools = vec![pool(0, 10, false), pool(100, 4, false), pool(200, 5, false)];
        for seed in 0..200 {
            let paper = draw(&rows, &pools, seed).unwrap();
            assert_eq!(paper.len(), 10);
            let ids: HashSet<i64> = paper.iter().map(|p| p.question_id).collect();
            assert_eq!(ids.len(), 10, "distinct");
            assert_eq!(ids.iter().filter(|id| **id < 100).count(), 3);
            assert_eq!(ids.iter().filter(|id| (100..200).contains(*id)).count(), 2);
            assert_eq!(ids.iter().filter(|id| **id >= 200).count(), 5);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_paper() {
        let rows = vec![row("a", None, 5)];
        let pools = vec![pool(0, 30, false)];
        assert_eq!(draw(&rows, &pools, 42).unwrap(), draw(&rows, &pools, 42).unwrap());
        assert_ne!(draw(&rows, &pools, 42).unwrap(), draw(&rows, &pools, 43).unwrap());
    }

    #[test]
    fn fixed_order_options_are_never_shuffled() {
        let rows = vec![row("a", None, 10)];
        let pools = vec![pool(0, 10, true)];
        for seed in 0..50 {
            for item in draw(&rows, &pools, seed).unwrap() {
                assert_eq!(item.option_order, vec![0, 1, 2, 3]);
            }
        }
        // Without fixed_order some paper shuffles, and every order is a permutation.
        let free = vec![pool(0, 10, false)];
        let mut shuffled = false;
        for seed in 0..50 {
            for item in draw(&rows, &free, seed).unwrap() {
                let mut sorted = item.option_order.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, vec![0, 1, 2, 3]);
                shuffled |= item.option_order != vec![0, 1, 2, 3];
            }
        }
        assert!(shuffled);
    }

    /// Chi-square goodness of fit over 20 000 draws of 3 from 10: every
    /// question should be drawn 6 000 times. With 9 degrees of freedom the
    /// 0.999 quantile is 27.88; the seeds are fixed, so the test is exact.
    #[test]
    fn draws_are_uniform_within_a_row() {
        let rows = vec![row("a", None, 3)];
        let pools = vec![pool(0, 10, false)];
        let mut counts = [0u32; 10];
        let n = 20_000u64;
        for seed in 0..n {
            for item in draw(&rows, &pools, seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)).unwrap() {
                counts[item.question_id as usize] += 1;
            }
        }
        let expected = (n * 3) as f64 / 10.0;
        let chi2: f64 = counts.iter().map(|&c| (c as f64 - expected).powi(2) / expected).sum();
        assert!(chi2 < 27.88, "chi-square {chi2} for {counts:?}");
        // Option positions are uniform too: where option 0 lands over many papers.
        let mut first_pos = [0u32; 4];
        for seed in 0..n {
            let paper = draw(&rows, &pools, seed).unwrap();
            let pos = paper[0].option_order.iter().position(|&o| o == 0).unwrap();
            first_pos[pos] += 1;
        }
        let e = n as f64 / 4.0;
        let chi2: f64 = first_pos.iter().map(|&c| (c as f64 - e).powi(2) / e).sum();
        assert!(chi2 < 16.27, "option positions chi-square {chi2} for {first_pos:?}");
    }

    #[test]
    fn a_short_pool_is_reported() {
        let rows = vec![row("a", None, 2), row("b", None, 6)];
        let pools = vec![pool(0, 5, false), pool(100, 5, false)];
        assert_eq!(draw(&rows, &pools, 1), Err(ShortPool { row: 1, wanted: 6, available: 5 }));
    }

    #[test]
    fn blueprints_are_checked() {
        assert!(Blueprint::parse(vec![]).is_err());
        assert!(Blueprint::parse(vec![row("a", None, 0)]).is_err());
        assert!(Blueprint::parse(vec![row("A B", None, 1)]).is_err());
        assert!(Blueprint::parse(vec![row("a", None, 201)]).is_err());
        let e = Blueprint::parse(vec![row("a", None, 2), row("a", Some(Difficulty::Easy), 1)]).unwrap_err();
        assert!(e.contains("trùng"), "{e}");
        assert!(
            Blueprint::parse(vec![row("a", Some(Difficulty::Easy), 2), row("a", Some(Difficulty::Easy), 1)]).is_err()
        );
        let ok = Blueprint::parse(vec![
            row("a", Some(Difficulty::Easy), 2),
            row("a", Some(Difficulty::Hard), 1),
            row("b", None, 3),
        ])
        .unwrap();
        assert_eq!(ok.total(), 6);
    }

    #[test]
    fn excluded_questions_are_never_drawn_and_redraw_gives_the_paper_back() {
        let rows = vec![row("a", None, 4)];
        let frozen = vec![pool(0, 6, false)];
        for seed in 0..100 {
            let paper = draw(&rows, &without(&frozen, &[2, 5]), seed).unwrap();
            assert!(paper.iter().all(|p| p.question_id != 2 && p.question_id != 5));
            assert_eq!(redraw(DRAW_VERSION, &rows, &frozen, &[2, 5], seed).unwrap(), paper);
        }
        assert!(redraw(DRAW_VERSION, &rows, &frozen, &[0, 1, 2], 1).unwrap_err().contains("3 left"));
        assert!(redraw(99, &rows, &frozen, &[], 1).is_err());
    }

    #[test]
    fn a_corrupt_stored_blueprint_is_an_error() {
        assert!(Blueprint::from_json("not json").is_err());
        assert!(Blueprint::from_json("[]").is_err(), "an empty blueprint would draw an empty paper");
        assert_eq!(Blueprint::from_json(r#"[{"bank":"a","count":2}]"#).unwrap().total(), 2);
    }

    #[test]
    fn disjoint_pools() {
        assert!(pools_are_disjoint(&[pool(0, 3, false), pool(3, 3, false)]));
        assert!(!pools_are_disjoint(&[pool(0, 3, false), pool(2, 3, false)]));
    }
}
