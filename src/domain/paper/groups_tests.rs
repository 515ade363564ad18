use rand::Rng;

use super::*;

/// A pool of questions `start..`, each in the group named by its letter
/// (`'-'`: none), e.g. `q(0, "aab-")`.
fn q(start: i64, groups: &str) -> Vec<PoolQuestion> {
    crate::domain::paper::tests::grouped(start, groups)
}

fn rows(counts: &[u32]) -> Vec<BlueprintRow> {
    counts
        .iter()
        .enumerate()
        .map(|(i, &count)| BlueprintRow { bank: format!("b{i}"), difficulty: None, count })
        .collect()
}

/// Every way to pick `k` of `n`, as index lists.
fn combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![vec![]];
    }
    if n < k {
        return vec![];
    }
    let mut with_last: Vec<Vec<usize>> = combinations(n - 1, k - 1);
    with_last.iter_mut().for_each(|c| c.push(n - 1));
    let mut all = combinations(n - 1, k);
    all.extend(with_last);
    all
}

/// The truth, by enumerating every selection.
fn brute_force(rows: &[BlueprintRow], pools: &[Vec<PoolQuestion>]) -> bool {
    fn go(rows: &[BlueprintRow], pools: &[Vec<PoolQuestion>], used: &[String]) -> bool {
        let Some((row, rest)) = rows.split_first() else { return true };
        let pool = &pools[0];
        combinations(pool.len(), row.count as usize).into_iter().any(|c| {
            let groups: Vec<String> = c.iter().filter_map(|&i| pool[i].group.clone()).collect();
            let mut all = used.to_vec();
            all.extend(groups);
            let mut sorted = all.clone();
            sorted.sort();
            sorted.dedup();
            sorted.len() == all.len() && go(rest, &pools[1..], &all)
        })
    }
    go(rows, pools, &[])
}

#[test]
fn ungrouped_pools_are_always_satisfiable_and_one_per_group_counts() {
    assert_eq!(satisfiable(&rows(&[3]), &[q(0, "----")]), Ok(()));
    assert_eq!(satisfiable(&rows(&[3]), &[q(0, "-aab")]), Ok(()), "one ungrouped, one of a, one of b");
    let e = satisfiable(&rows(&[3]), &[q(0, "aabb")]).unwrap_err();
    assert_eq!(
        e,
        Unsatisfiable { rows: vec![0], wanted: 3, most: 2, ungrouped: 0, groups: vec!["a".into(), "b".into()] }
    );
}

/// Per row, "ungrouped + distinct groups ≥ count" says yes here, but both
/// rows can only take their question from group `a`.
#[test]
fn a_group_shared_by_two_rows_is_one_question_for_both_where_a_per_row_check_says_yes() {
    let (r, p) = (rows(&[1, 1]), vec![q(0, "a"), q(10, "a")]);
    let per_row_says_yes = r.iter().zip(&p).all(|(r, p)| {
        let mut groups: Vec<_> = p.iter().filter_map(|q| q.group.clone()).collect();
        groups.sort();
        groups.dedup();
        p.iter().filter(|q| q.group.is_none()).count() + groups.len() >= r.count as usize
    });
    assert!(per_row_says_yes);
    let e = satisfiable(&r, &p).unwrap_err();
    assert_eq!((e.rows, e.wanted, e.most, e.groups), (vec![0, 1], 2, 1, vec!["a".to_string()]));
}

/// Filling rows in order and taking the first free group says no here
/// (row 1 takes `a`, row 2 has only `a`), but row 1 can take `b`.
#[test]
fn a_paper_exists_where_greedy_row_by_row_says_no() {
    let (r, p) = (rows(&[1, 1]), vec![q(0, "ab"), q(10, "a")]);
    let mut used: Vec<String> = Vec::new();
    let greedy_says_yes = r.iter().zip(&p).all(|(r, p)| {
        let mut taken = 0;
        for question in p {
            if taken == r.count {
                break;
            }
            match &question.group {
                Some(g) if used.contains(g) => {}
                g => {
                    used.extend(g.clone());
                    taken += 1;
                }
            }
        }
        taken == r.count
    });
    assert!(!greedy_says_yes);
    assert_eq!(satisfiable(&r, &p), Ok(()));
    assert!(brute_force(&r, &p));
}

/// The min cut names only the rows that are short, not the ones that are fine.
#[test]
fn the_refusal_names_the_rows_that_cannot_be_filled_together() {
    let r = rows(&[2, 1, 3]);
    let p = vec![q(0, "----"), q(10, "xy"), q(20, "xyx")];
    let e = satisfiable(&r, &p).unwrap_err();
    assert_eq!(e.rows, vec![1, 2]);
    assert_eq!((e.wanted, e.most, e.ungrouped), (4, 2, 0));
    let m = GroupsError::Unsatisfiable(e).message(&r);
    assert!(m.contains("dòng 2 (ngân hàng \"b1\"), dòng 3 (ngân hàng \"b2\")"), "{m}");
    assert!(m.contains("cần 4 câu") && m.contains("tối đa 2 câu") && m.contains("nhóm \"x\", \"y\""), "{m}");
}

#[test]
fn max_flow_agrees_with_enumerating_every_selection() {
    let mut rng = ChaCha20Rng::seed_from_u64(20_261_205);
    let (mut yes, mut no) = (0, 0);
    for _ in 0..3_000 {
        let n_rows = rng.random_range(1..=3);
        let mut pools = Vec::new();
        let mut counts = Vec::new();
        for i in 0..n_rows {
            let len = rng.random_range(1..=5);
            let groups: String = (0..len).map(|_| ['-', 'a', 'b', 'c', 'd'][rng.random_range(0..5)]).collect();
            pools.push(q(100 * i as i64, &groups));
            counts.push(rng.random_range(1..=len as u32));
        }
        let r = rows(&counts);
        let truth = brute_force(&r, &pools);
        let flow = satisfiable(&r, &pools);
        assert_eq!(flow.is_ok(), truth, "{counts:?} {pools:?}");
        if let Err(u) = flow {
            assert!(u.most < u.wanted, "{u:?}");
            no += 1;
        } else {
            yes += 1;
        }
    }
    assert!(yes > 300 && no > 300, "both answers are exercised: {yes} yes, {no} no");
}

#[test]
fn valid_papers_that_are_too_rare_are_refused_with_the_groups_that_clash() {
    // 10 of 20, the 20 in ten pairs: a valid paper takes one of each pair,
    // 2^10 of C(20, 10) = 184 756 selections, about one in 180: fine.
    let pairs: String = "aabbccddeeffgghhiijj".into();
    assert_eq!(check_groups(&rows(&[10]), &[q(0, &pairs)]), Ok(()));
    // 16 of 32 in sixteen pairs: 2^16 / C(32, 16) ≈ one in 9 170: refused.
    let pairs: String = "aabbccddeeffgghhiijjkkllmmnnoopp".into();
    let r = rows(&[16]);
    let Err(GroupsError::TooRare { valid, trials, clashing }) = check_groups(&r, &[q(0, &pairs)]) else {
        panic!("too rare")
    };
    assert!(valid * MIN_VALID_SHARE < trials, "{valid}/{trials}");
    assert!(!clashing.is_empty() && clashing.windows(2).all(|w| w[0].1 >= w[1].1), "{clashing:?}");
    let m = GroupsError::TooRare { valid, trials, clashing }.message(&r);
    assert!(m.contains("quá hiếm") && m.contains("lần"), "{m}");
    // Unsatisfiable comes first.
    assert!(matches!(check_groups(&rows(&[3]), &[q(0, "aab")]), Err(GroupsError::Unsatisfiable(_))));
    // No group with two members: nothing to estimate.
    assert_eq!(check_groups(&rows(&[3]), &[q(0, "abc")]), Ok(()));
}
