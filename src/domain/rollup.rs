//! Promise 6: units see themselves. A unit's figures are its own plus those
//! of every unit under it (commune → district → province, any depth).

use std::collections::HashMap;

/// A unit as the roll-up sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitNode {
    /// Id.
    pub id: i64,
    /// Parent's id (`None` for a root).
    pub parent_id: Option<i64>,
    /// Staff expected to take part.
    pub staff_count: i64,
}

/// One unit's own figures for a round (or its roll-up).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnitFigures {
    /// Participants (with at least one final ranked attempt).
    pub participants: i64,
    /// Final ranked attempts.
    pub attempts: i64,
    /// Sum of the participants' best scores.
    pub score_sum: i64,
    /// Participants whose best attempt had full marks.
    pub full_marks: i64,
}

impl std::ops::AddAssign for UnitFigures {
    fn add_assign(&mut self, o: Self) {
        self.participants += o.participants;
        self.attempts += o.attempts;
        self.score_sum += o.score_sum;
        self.full_marks += o.full_marks;
    }
}

/// A unit's figures with everything under it, and the ratios boards show.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RolledUp {
    /// Sums over the subtree.
    pub figures: UnitFigures,
    /// Staff over the subtree.
    pub staff_count: i64,
    /// participants / staff_count (0 without staff).
    pub rate: f64,
    /// score_sum / participants (0 without participants).
    pub avg_score: f64,
}

/// Every unit's figures summed over its subtree, in one pass from the
/// leaves up (units are acyclic: imports refuse cycles; a unit caught in
/// one anyway keeps only its own figures).
pub fn roll_up(units: &[UnitNode], own: &HashMap<i64, UnitFigures>) -> HashMap<i64, RolledUp> {
    let index: HashMap<i64, usize> = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let mut depth = vec![usize::MAX; units.len()];
    for i in 0..units.len() {
        let mut chain = Vec::new();
        let mut cur = Some(i);
        while let Some(c) = cur {
            if depth[c] != usize::MAX || chain.contains(&c) || chain.len() > units.len() {
                break;
            }
            chain.push(c);
            cur = units[c].parent_id.and_then(|p| index.get(&p).copied());
        }
        let base = cur.map(|c| if depth[c] == usize::MAX { 0 } else { depth[c] + 1 }).unwrap_or(0);
        for (k, c) in chain.iter().rev().enumerate() {
            depth[*c] = base + k;
        }
    }
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(depth[i]));
    let mut sums: Vec<(UnitFigures, i64)> =
        units.iter().map(|u| (own.get(&u.id).copied().unwrap_or_default(), u.staff_count)).collect();
    for i in order {
        if let Some(p) = units[i].parent_id.and_then(|p| index.get(&p).copied())
            && depth[p] < depth[i]
        {
            let (f, staff) = sums[i];
            sums[p].0 += f;
            sums[p].1 += staff;
        }
    }
    units
        .iter()
        .zip(sums)
        .map(|(u, (figures, staff_count))| {
            let rate = if staff_count > 0 { figures.participants as f64 / staff_count as f64 } else { 0.0 };
            let avg_score =
                if figures.participants > 0 { figures.score_sum as f64 / figures.participants as f64 } else { 0.0 };
            (u.id, RolledUp { figures, staff_count, rate, avg_score })
        })
        .collect()
}

/// The ids of a unit and every unit under it.
pub fn subtree(units: &[UnitNode], root: i64) -> Vec<i64> {
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for u in units {
        if let Some(p) = u.parent_id {
            children.entry(p).or_default().push(u.id);
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        if let Some(c) = children.get(&out[i]) {
            for id in c {
                if !out.contains(id) {
                    out.push(*id);
                }
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: i64, parent: Option<i64>, staff: i64) -> UnitNode {
        UnitNode { id, parent_id: parent, staff_count: staff }
    }

    fn figs(p: i64, s: i64) -> UnitFigures {
        UnitFigures { participants: p, attempts: p, score_sum: s, full_marks: 0 }
    }

    #[test]
    fn figures_roll_up_from_commune_to_province() {
        // Province 1 → district 2 → communes 3, 4; department 5.
        let units =
            [node(3, Some(2), 10), node(1, None, 5), node(2, Some(1), 20), node(4, Some(2), 10), node(5, Some(1), 5)];
        let own: HashMap<i64, UnitFigures> = [(3, figs(4, 32)), (4, figs(1, 10)), (5, figs(5, 40))].into();
        let r = roll_up(&units, &own);
        assert_eq!(r[&3].figures, figs(4, 32));
        assert_eq!(r[&2].figures, figs(5, 42));
        assert_eq!(r[&2].staff_count, 40);
        assert_eq!(r[&1].figures, figs(10, 82));
        assert_eq!(r[&1].staff_count, 50);
        assert!((r[&1].rate - 0.2).abs() < 1e-12);
        assert!((r[&2].avg_score - 8.4).abs() < 1e-12);
        assert_eq!(r[&4].rate, 0.1);
    }

    #[test]
    fn empty_units_have_zero_ratios_and_a_cycle_does_not_hang() {
        let r = roll_up(&[node(1, None, 0)], &HashMap::new());
        assert_eq!((r[&1].rate, r[&1].avg_score), (0.0, 0.0));
        let cycle = [node(1, Some(2), 1), node(2, Some(1), 1)];
        let r = roll_up(&cycle, &[(1, figs(1, 1))].into());
        assert_eq!(r.len(), 2);
        assert_eq!(subtree(&cycle, 1), vec![1, 2]);
    }

    #[test]
    fn subtree_lists_a_unit_and_everything_under_it() {
        let units = [node(1, None, 0), node(2, Some(1), 0), node(3, Some(2), 0), node(4, None, 0)];
        assert_eq!(subtree(&units, 1), vec![1, 2, 3]);
        assert_eq!(subtree(&units, 3), vec![3]);
    }
}
