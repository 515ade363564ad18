use super::*;

fn tier(name: &str, count: u32, audience: PrizeAudience) -> Tier {
    Tier { name: name.into(), count, audience }
}

fn cand(participant_id: i64, rank: i64, official: bool) -> Candidate {
    Candidate { participant_id, rank, official }
}

fn plan(tiers: Vec<Tier>, exclusions: Vec<Exclusion>) -> PrizePlan {
    PrizePlan { tiers, exclusions, collective: CollectiveRule::default() }
}

fn given(p: &Proposal) -> Vec<(usize, i64)> {
    p.awards.iter().map(|a| (a.tier, a.participant_id)).collect()
}

#[test]
fn prizes_go_down_the_ranking_and_an_exclusion_moves_everyone_up() {
    let tiers = vec![tier("Nhất", 1, PrizeAudience::All), tier("Nhì", 2, PrizeAudience::All)];
    let ranked = || (1..=6).map(|i| cand(i, i, i % 2 == 0));
    let p = propose(&plan(tiers.clone(), vec![]), ranked());
    assert_eq!(given(&p), [(0, 1), (1, 2), (1, 3)]);
    assert!(p.ties.is_empty());
    // Entrant 2 is excluded: 3 and 4 take the second prizes.
    let out = vec![Exclusion { participant_id: 2, reason: "Đăng ký hai lần".into() }];
    let p = propose(&plan(tiers, out), ranked());
    assert_eq!(given(&p), [(0, 1), (1, 3), (1, 4)]);
}

#[test]
fn officials_and_residents_can_have_their_own_tiers() {
    // Officials are the even ids.
    let tiers = vec![
        tier("Nhất (cán bộ)", 1, PrizeAudience::Officials),
        tier("Nhì (cán bộ)", 1, PrizeAudience::Officials),
        tier("Nhất (người dân)", 1, PrizeAudience::Residents),
        tier("Nhì (người dân)", 2, PrizeAudience::Residents),
    ];
    let p = propose(&plan(tiers, vec![]), (1..=10).map(|i| cand(i, i, i % 2 == 0)));
    assert_eq!(given(&p), [(2, 1), (0, 2), (3, 3), (1, 4), (3, 5)]);
}

#[test]
fn an_exact_tie_across_the_last_place_is_reported() {
    // Ranks 1, 2, 2, 4: one first prize, one second prize.
    let tiers = vec![tier("Nhất", 1, PrizeAudience::All), tier("Nhì", 1, PrizeAudience::All)];
    let ranked = [cand(10, 1, true), cand(11, 2, true), cand(12, 2, false), cand(13, 4, false)];
    let p = propose(&plan(tiers, vec![]), ranked);
    assert_eq!(given(&p), [(0, 10), (1, 11)]);
    assert_eq!(p.ties, [(1, 2)]);
}

#[test]
fn a_plan_is_checked_in_vietnamese() {
    let mut p = PrizePlan::default();
    assert_eq!(p.clone().checked().unwrap(), p);
    p.tiers[0].name = "  ".into();
    assert!(p.clone().checked().unwrap_err().contains("tên giải"));
    let mut p =
        PrizePlan { exclusions: vec![Exclusion { participant_id: 3, reason: "x".into() }], ..PrizePlan::default() };
    assert!(p.clone().checked().unwrap_err().contains("Lý do"));
    p.exclusions = vec![
        Exclusion { participant_id: 3, reason: "Trùng số điện thoại".into() },
        Exclusion { participant_id: 3, reason: "Trùng số điện thoại".into() },
    ];
    assert!(p.clone().checked().unwrap_err().contains("hai lần"));
    let mut p = PrizePlan::default();
    p.collective.min_rate = 1.5;
    assert!(p.checked().is_err());
}

fn unit(code: &str, participants: i64, score_sum: i64, base: i64) -> UnitStanding {
    UnitStanding::new(code.into(), code.into(), "xa".into(), participants, score_sum, (base, "population"))
}

#[test]
fn units_rank_by_rate_and_by_average_among_those_above_the_minimum() {
    // Worked by hand, minimum 10%:
    //   A 30/100 = 30%, average 240/30 = 8.0
    //   B 30/200 = 15%, average 270/30 = 9.0
    //   C 15/100 = 15%, average 150/15 = 10.0 (same rate as B, fewer people)
    //   D  5/100 =  5%, average 50/5 = 10.0   (under the minimum: in neither list)
    //   E  0/100: nobody
    let units = [
        unit("A", 30, 240, 100),
        unit("B", 30, 270, 200),
        unit("C", 15, 150, 100),
        unit("D", 5, 50, 100),
        unit("E", 0, 0, 100),
    ];
    let rule = CollectiveRule { min_rate: 0.10, count: 3, kinds: vec![] };
    let (by_rate, by_score) = collective(&units, &rule);
    let codes = |v: &[UnitStanding]| v.iter().map(|u| u.code.clone()).collect::<Vec<_>>();
    assert_eq!(codes(&by_rate), ["A", "B", "C"]);
    assert_eq!(codes(&by_score), ["C", "B", "A"]);
    // Exactly at the minimum counts.
    let rule = CollectiveRule { min_rate: 0.15, count: 2, kinds: vec![] };
    let (by_rate, by_score) = collective(&units, &rule);
    assert_eq!(codes(&by_rate), ["A", "B"]);
    assert_eq!(codes(&by_score), ["C", "B"]);
    assert!(collective_rule_text(&rule, true).contains("từ 15% trở lên"));
}
