//! Drawing a paper: the questions and option orders one participant gets.
//!
//! Promise 1: distinct questions, `count` from each blueprint row, uniform
//! within a row, never two questions of one exclusion group (questions that
//! give each other away), options shuffled unless the question is
//! `fixed_order`, all from a ChaCha RNG seeded with the attempt's stored
//! seed, so an auditor re-derives the paper from the seed and the round's
//! frozen pools. `groups` decides whether the groups leave any paper at all.

use std::collections::HashSet;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};

use super::bank::{Difficulty, is_slug};

mod groups;

pub use groups::{GroupsError, MIN_VALID_SHARE, Unsatisfiable, check_groups, satisfiable};

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
/// minus the excluded questions, then [`draw_current`]. A change to the
/// procedure gets a new version, and [`redraw`] keeps every older one.
/// Version 1 ([`draw`]) ignores exclusion groups; version 2 ([`draw_v2`])
/// never puts two questions of one group in a paper.
pub const DRAW_VERSION: i32 = 2;

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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolQuestion {
    /// The question version's id.
    pub id: i64,
    /// How many options it has.
    pub options: usize,
    /// Whether its options keep their order.
    pub fixed_order: bool,
    /// Its exclusion group: a version 2 paper holds at most one question
    /// of each group (the name counts across banks).
    pub group: Option<String>,
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

/// Why a version 2 paper could not be drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DrawError {
    /// A row's pool has fewer questions than it wants.
    Short(ShortPool),
    /// The exclusion groups leave no valid paper (see [`check_groups`]).
    Unsatisfiable(Unsatisfiable),
    /// [`MAX_TRIES`] papers in a row each held two questions of one group.
    TooManyClashes,
}

impl std::fmt::Display for DrawError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DrawError::Short(s) => write!(f, "row {} wants {} questions, {} left", s.row + 1, s.wanted, s.available),
            DrawError::Unsatisfiable(u) => write!(f, "exclusion groups leave no valid paper: {u:?}"),
            DrawError::TooManyClashes => write!(f, "{MAX_TRIES} papers in a row broke an exclusion group"),
        }
    }
}

/// How many whole papers version 2 draws, at most, before it gives up on
/// one without two questions of a group. Rounds whose valid papers are rarer
/// than one in [`MIN_VALID_SHARE`] are refused when saved and published
/// (see [`check_groups`]), so a draw that gives up stays a theory:
/// with one valid paper in 1 000, 10 000 tries all fail with probability
/// (1 − 1/1 000)^10 000 ≈ 4.5 × 10⁻⁵, and in practice groups are small.
pub const MAX_TRIES: u32 = 10_000;

/// The questions of one try, in the order version 1 draws them: each
/// row's sample, rows in blueprint order.
fn choose<'a>(
    rng: &mut ChaCha20Rng,
    rows: &[BlueprintRow],
    pools: &'a [Vec<PoolQuestion>],
) -> Result<Vec<&'a PoolQuestion>, ShortPool> {
    let mut chosen = Vec::new();
    for (i, (row, pool)) in rows.iter().zip(pools).enumerate() {
        let want = row.count as usize;
        if pool.len() < want {
            return Err(ShortPool { row: i, wanted: row.count, available: pool.len() });
        }
        for idx in rand::seq::index::sample(rng, pool.len(), want) {
            chosen.push(&pool[idx]);
        }
    }
    Ok(chosen)
}

/// The paper of chosen questions: in random order, options shuffled unless fixed.
fn arrange(rng: &mut ChaCha20Rng, mut chosen: Vec<&PoolQuestion>) -> Vec<PaperItem> {
    chosen.shuffle(rng);
    chosen
        .into_iter()
        .map(|q| {
            let mut order: Vec<usize> = (0..q.options).collect();
            if !q.fixed_order {
                order.shuffle(rng);
            }
            PaperItem { question_id: q.id, option_order: order }
        })
        .collect()
}

/// The first exclusion group that two of `chosen` share.
fn clash<'a>(chosen: &[&'a PoolQuestion]) -> Option<&'a str> {
    let mut seen = HashSet::new();
    chosen.iter().filter_map(|q| q.group.as_deref()).find(|g| !seen.insert(*g))
}

/// Draws a paper the version 1 way: for each row, `count` distinct questions
/// uniformly from its pool, then the whole paper in random order, options
/// shuffled unless fixed. Exclusion groups are ignored. `pools[i]` is the
/// pool of `rows[i]`; pools must not share questions.
pub fn draw(rows: &[BlueprintRow], pools: &[Vec<PoolQuestion>], seed: u64) -> Result<Vec<PaperItem>, ShortPool> {
    debug_assert!(pools_are_disjoint(pools), "blueprint rows must not share questions");
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let chosen = choose(&mut rng, rows, pools)?;
    Ok(arrange(&mut rng, chosen))
}

/// The ChaCha stream version 2 reads (version 1 reads stream 0 of the same key).
const STREAM_V2: u64 = 2;

/// Draws a paper the version 2 way: as [`draw`] does, from stream 2 of the
/// seed's ChaCha key, and never two questions of one exclusion group. A
/// try whose questions break a group is thrown away whole and the next try
/// continues the same stream (rejection sampling): every try is uniform
/// over the papers the blueprint allows, so the one kept is uniform over
/// those that also respect the groups. Pools the groups cannot fill at all
/// fail at once, without drawing.
pub fn draw_v2(rows: &[BlueprintRow], pools: &[Vec<PoolQuestion>], seed: u64) -> Result<Vec<PaperItem>, DrawError> {
    debug_assert!(pools_are_disjoint(pools), "blueprint rows must not share questions");
    check_counts(rows, pools).map_err(DrawError::Short)?;
    satisfiable(rows, pools).map_err(DrawError::Unsatisfiable)?;
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    rng.set_stream(STREAM_V2);
    for _ in 0..MAX_TRIES {
        let chosen = choose(&mut rng, rows, pools).map_err(DrawError::Short)?;
        if clash(&chosen).is_none() {
            return Ok(arrange(&mut rng, chosen));
        }
    }
    Err(DrawError::TooManyClashes)
}

/// Draws a new paper with the current version ([`DRAW_VERSION`]).
pub fn draw_current(
    rows: &[BlueprintRow],
    pools: &[Vec<PoolQuestion>],
    seed: u64,
) -> Result<Vec<PaperItem>, DrawError> {
    draw_v2(rows, pools, seed)
}

/// Every row's pool holds at least the questions it wants.
fn check_counts(rows: &[BlueprintRow], pools: &[Vec<PoolQuestion>]) -> Result<(), ShortPool> {
    match rows.iter().zip(pools).enumerate().find(|(_, (r, p))| p.len() < r.count as usize) {
        Some((i, (r, p))) => Err(ShortPool { row: i, wanted: r.count, available: p.len() }),
        None => Ok(()),
    }
}

/// The pools a new paper draws from: the frozen pools without `excluded`.
pub fn without(frozen: &[Vec<PoolQuestion>], excluded: &[i64]) -> Vec<Vec<PoolQuestion>> {
    frozen.iter().map(|pool| pool.iter().filter(|q| !excluded.contains(&q.id)).cloned().collect()).collect()
}

/// Draws a stored paper again from what it depended on: the draw's version,
/// the round's frozen pools, the questions excluded when it started and the
/// seed. This is the auditor's claim, and a test holds every attempt to it.
/// Every version ever used stays here, unchanged.
pub fn redraw(
    version: i32,
    rows: &[BlueprintRow],
    frozen: &[Vec<PoolQuestion>],
    excluded: &[i64],
    seed: u64,
) -> Result<Vec<PaperItem>, String> {
    let pools = without(frozen, excluded);
    match version {
        1 => draw(rows, &pools, seed).map_err(|s| DrawError::Short(s).to_string()),
        2 => draw_v2(rows, &pools, seed).map_err(|e| e.to_string()),
        v => Err(format!("unknown draw version {v}")),
    }
}

/// Whether the pools of a blueprint are disjoint (a question in two rows could be drawn twice).
pub fn pools_are_disjoint(pools: &[Vec<PoolQuestion>]) -> bool {
    let mut seen = HashSet::new();
    pools.iter().flatten().all(|q| seen.insert(q.id))
}

#[cfg(test)]
mod tests;
