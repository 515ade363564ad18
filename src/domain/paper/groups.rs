//! Whether exclusion groups leave any paper at all (exactly), and whether
//! valid papers are common enough for version 2's rejection sampling.
//!
//! The exact check is a maximum flow: source → each blueprint row (its
//! count) → each group its pool touches (1), or straight to the sink for its
//! ungrouped questions (their number) → sink (1 per group). A paper exists
//! iff the flow reaches the paper's total: a flow of that value picks, per
//! row, its ungrouped questions and at most one question of each group, and
//! every valid paper is such a flow. When it falls short, the rows still
//! reachable from the source in the residual graph are a set that wants
//! more questions than its ungrouped questions plus one per group it
//! touches can give (the min cut), which is what the message names.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::{BlueprintRow, PoolQuestion, choose, clash};

/// Rows that the exclusion groups keep from being filled together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsatisfiable {
    /// The rows (0-based) that cannot all be filled together.
    pub rows: Vec<usize>,
    /// The questions those rows want.
    pub wanted: u32,
    /// The most one paper can take from them: their ungrouped questions
    /// plus one per group their pools touch.
    pub most: u32,
    /// Their ungrouped questions.
    pub ungrouped: u32,
    /// The groups their pools touch, by name.
    pub groups: Vec<String>,
}

/// Why a blueprint's exclusion groups are refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupsError {
    /// No paper satisfies both the blueprint and the groups.
    Unsatisfiable(Unsatisfiable),
    /// Valid papers exist but are rarer than one in [`MIN_VALID_SHARE`]
    /// tries, so a draw would often give up after [`super::MAX_TRIES`].
    TooRare {
        /// Trial papers without a clash.
        valid: u32,
        /// Trial papers drawn.
        trials: u32,
        /// The groups trial papers broke most often, with how often.
        clashing: Vec<(String, u32)>,
    },
}

/// Valid papers must be at least one in this many tries of a version 2 draw.
pub const MIN_VALID_SHARE: u32 = 1_000;
/// Trial papers drawn to estimate the share (from a fixed seed: the same
/// pools always get the same answer).
const TRIALS: u32 = 4_000;
const TRIAL_SEED: u64 = 0x6E68_6F6D_2D6C_6F61;
/// Groups named in a message before "… và N nhóm khác".
const NAMED: usize = 12;

fn quoted(names: impl IntoIterator<Item = String>, total: usize) -> String {
    let shown: Vec<String> = names.into_iter().take(NAMED).map(|n| format!("\"{n}\"")).collect();
    let more = total.saturating_sub(shown.len());
    if more > 0 { format!("{} và {more} nhóm khác", shown.join(", ")) } else { shown.join(", ") }
}

impl GroupsError {
    /// The refusal an organizer reads (Vietnamese), naming rows and groups.
    pub fn message(&self, rows: &[BlueprintRow]) -> String {
        match self {
            GroupsError::Unsatisfiable(u) => {
                let named: Vec<String> = u
                    .rows
                    .iter()
                    .map(|&i| {
                        let bank = rows.get(i).map(|r| r.bank.as_str()).unwrap_or("");
                        let level = rows
                            .get(i)
                            .and_then(|r| r.difficulty)
                            .map(|d| format!(", mức {}", d.label()))
                            .unwrap_or_default();
                        format!("dòng {} (ngân hàng \"{bank}\"{level})", i + 1)
                    })
                    .collect();
                let groups = if u.groups.is_empty() {
                    String::new()
                } else {
                    format!(" và mỗi nhóm một câu: nhóm {}", quoted(u.groups.iter().cloned(), u.groups.len()))
                };
                format!(
                    "Các nhóm loại trừ (câu hỏi gợi ý đáp án cho nhau) không cho phép rút đủ đề: {} của cơ cấu đề cần {} câu, nhưng một đề chỉ lấy được tối đa {} câu từ đó ({} câu không thuộc nhóm nào{groups}). Hãy giảm số câu của các dòng này hoặc bớt câu trong các nhóm.",
                    named.join(", "),
                    u.wanted,
                    u.most,
                    u.ungrouped
                )
            }
            GroupsError::TooRare { valid, trials, clashing } => {
                let named: Vec<String> =
                    clashing.iter().take(NAMED).map(|(g, n)| format!("\"{g}\" ({n} lần)")).collect();
                format!(
                    "Các nhóm loại trừ làm đề hợp lệ quá hiếm: trong {trials} lần rút thử chỉ {valid} đề không có hai câu cùng nhóm (cần ít nhất 1 trên {MIN_VALID_SHARE}). Nhóm hay bị trùng nhất: {}. Hãy giảm số câu của cơ cấu đề hoặc bớt câu trong các nhóm lớn.",
                    named.join(", ")
                )
            }
        }
    }
}

/// A flow network with integer capacities (adjacency lists of edge indexes;
/// edge `e ^ 1` is the reverse of `e`).
struct Network {
    to: Vec<usize>,
    cap: Vec<u32>,
    adj: Vec<Vec<usize>>,
}

impl Network {
    fn new(nodes: usize) -> Self {
        Self { to: Vec::new(), cap: Vec::new(), adj: vec![Vec::new(); nodes] }
    }

    fn edge(&mut self, from: usize, to: usize, cap: u32) {
        self.adj[from].push(self.to.len());
        self.to.push(to);
        self.cap.push(cap);
        self.adj[to].push(self.to.len());
        self.to.push(from);
        self.cap.push(0);
    }

    /// Nodes reachable from `s` over edges with capacity left, and for each
    /// the edge it was reached by.
    fn reach(&self, s: usize) -> Vec<Option<Option<usize>>> {
        let mut via: Vec<Option<Option<usize>>> = vec![None; self.adj.len()];
        via[s] = Some(None);
        let mut queue = VecDeque::from([s]);
        while let Some(u) = queue.pop_front() {
            for &e in &self.adj[u] {
                let v = self.to[e];
                if self.cap[e] > 0 && via[v].is_none() {
                    via[v] = Some(Some(e));
                    queue.push_back(v);
                }
            }
        }
        via
    }

    /// Edmonds–Karp: augments along shortest paths until none is left.
    fn max_flow(&mut self, s: usize, t: usize) -> u32 {
        let mut flow = 0;
        loop {
            let via = self.reach(s);
            if via[t].is_none() {
                return flow;
            }
            let mut path = Vec::new();
            let mut v = t;
            while let Some(Some(e)) = via[v] {
                path.push(e);
                v = self.to[e ^ 1];
            }
            let push = path.iter().map(|&e| self.cap[e]).min().unwrap_or(0);
            for &e in &path {
                self.cap[e] -= push;
                self.cap[e ^ 1] += push;
            }
            flow += push;
        }
    }
}

/// Whether some paper satisfies both the blueprint and the exclusion
/// groups (exact). `pools[i]` is the pool of `rows[i]`.
pub fn satisfiable(rows: &[BlueprintRow], pools: &[Vec<PoolQuestion>]) -> Result<(), Unsatisfiable> {
    // Per row: its ungrouped questions and the groups it touches.
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    let per_row: Vec<(u32, BTreeSet<&str>)> = pools
        .iter()
        .map(|pool| {
            let mut touched = BTreeSet::new();
            let mut ungrouped = 0;
            for q in pool {
                match q.group.as_deref() {
                    Some(g) => {
                        touched.insert(g);
                    }
                    None => ungrouped += 1,
                }
            }
            (ungrouped, touched)
        })
        .collect();
    for (_, touched) in &per_row {
        for g in touched {
            let next = names.len();
            names.entry(g).or_insert(next);
        }
    }
    let (source, first_group) = (0, 1 + rows.len());
    let sink = first_group + names.len();
    let mut net = Network::new(sink + 1);
    for (i, (row, (ungrouped, touched))) in rows.iter().zip(&per_row).enumerate() {
        net.edge(source, 1 + i, row.count);
        net.edge(1 + i, sink, *ungrouped);
        for g in touched {
            net.edge(1 + i, first_group + names[g], 1);
        }
    }
    for k in 0..names.len() {
        net.edge(first_group + k, sink, 1);
    }
    let total: u32 = rows.iter().map(|r| r.count).sum();
    if net.max_flow(source, sink) == total {
        return Ok(());
    }
    let reached = net.reach(source);
    let cut: Vec<usize> = (0..rows.len()).filter(|i| reached[1 + i].is_some()).collect();
    let groups: BTreeSet<&str> = cut.iter().flat_map(|&i| per_row[i].1.iter().copied()).collect();
    let ungrouped: u32 = cut.iter().map(|&i| per_row[i].0).sum();
    let wanted: u32 = cut.iter().map(|&i| rows[i].count).sum();
    let most = ungrouped + groups.len() as u32;
    debug_assert!(most < wanted, "a min cut short of the total");
    Err(Unsatisfiable { rows: cut, wanted, most, ungrouped, groups: groups.into_iter().map(str::to_string).collect() })
}

/// Whether a blueprint's exclusion groups are acceptable: some paper
/// satisfies them ([`satisfiable`]), and in trial draws at least one paper
/// in [`MIN_VALID_SHARE`] does, so a version 2 draw practically never gives
/// up. Rows whose pools are too short are the caller's to report first.
pub fn check_groups(rows: &[BlueprintRow], pools: &[Vec<PoolQuestion>]) -> Result<(), GroupsError> {
    satisfiable(rows, pools).map_err(GroupsError::Unsatisfiable)?;
    let mut members: HashMap<&str, usize> = HashMap::new();
    for g in pools.iter().flatten().filter_map(|q| q.group.as_deref()) {
        *members.entry(g).or_default() += 1;
    }
    if members.values().all(|&n| n < 2) {
        return Ok(());
    }
    let mut rng = ChaCha20Rng::seed_from_u64(TRIAL_SEED);
    let mut valid = 0;
    let mut clashing: HashMap<&str, u32> = HashMap::new();
    for _ in 0..TRIALS {
        let Ok(chosen) = choose(&mut rng, rows, pools) else { return Ok(()) };
        match clash(&chosen) {
            None => valid += 1,
            Some(g) => *clashing.entry(g).or_default() += 1,
        }
    }
    if u64::from(valid) * u64::from(MIN_VALID_SHARE) >= u64::from(TRIALS) {
        return Ok(());
    }
    let mut clashing: Vec<(String, u32)> = clashing.into_iter().map(|(g, n)| (g.to_string(), n)).collect();
    clashing.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Err(GroupsError::TooRare { valid, trials: TRIALS, clashing })
}

#[cfg(test)]
#[path = "groups_tests.rs"]
mod tests;
