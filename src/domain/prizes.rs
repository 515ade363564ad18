//! Prizes. Individual prizes per round, by tier (first, second, …),
//! optionally for officials and residents apart, proposed from the final
//! ranking; the organizer excludes an entrant with a reason, then
//! publishes. Collective prizes rank units two ways, among the units whose
//! participation rate reaches a minimum: by that rate, and by their
//! average score.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Most tiers a plan has.
pub const MAX_TIERS: usize = 12;
/// Most prizes of one tier.
pub const MAX_PER_TIER: u32 = 500;
/// Most exclusions a plan holds.
pub const MAX_EXCLUSIONS: usize = 500;

/// Whom a tier is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrizeAudience {
    /// Every entrant.
    #[default]
    All,
    /// Officials (entrants with an account).
    Officials,
    /// Residents (registered without an account).
    Residents,
}

impl PrizeAudience {
    /// From a form value.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "" | "all" => Some(Self::All),
            "officials" => Some(Self::Officials),
            "residents" => Some(Self::Residents),
            _ => None,
        }
    }

    /// Its form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Officials => "officials",
            Self::Residents => "residents",
        }
    }

    /// In Vietnamese.
    pub fn label(self) -> &'static str {
        match self {
            Self::All => "Mọi người dự thi",
            Self::Officials => "Cán bộ, công chức, viên chức",
            Self::Residents => "Người dân",
        }
    }

    /// Whether an entrant (official or not) may win a prize of this tier.
    pub fn admits(self, official: bool) -> bool {
        match self {
            Self::All => true,
            Self::Officials => official,
            Self::Residents => !official,
        }
    }
}

/// One tier: "Giải Nhất", 1 prize.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Its name, 1–60 characters.
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    /// How many prizes (0–500).
    #[schema(minimum = 0, maximum = 500)]
    pub count: u32,
    /// Whom it is for (`all` by default).
    #[serde(default)]
    pub audience: PrizeAudience,
}

/// An entrant left out of the prizes, and why (kept in the audit log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// The entrant.
    pub participant_id: i64,
    /// Why, 3–300 characters.
    #[schema(min_length = 3, max_length = 300)]
    pub reason: String,
}

/// How units compete for the collective prizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectiveRule {
    /// The lowest participation rate (0–1) a unit needs to be ranked.
    #[schema(minimum = 0, maximum = 1)]
    pub min_rate: f64,
    /// How many units each list names (0–100).
    #[schema(minimum = 0, maximum = 100)]
    pub count: u32,
    /// Only units of these kinds (`xa`, `phuong`, `so_nganh`, …); empty: every unit but the top ones.
    #[serde(default)]
    pub kinds: Vec<String>,
}

impl Default for CollectiveRule {
    fn default() -> Self {
        Self { min_rate: 0.5, count: 3, kinds: Vec::new() }
    }
}

/// What an organizer sets for a round's prizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrizePlan {
    /// Tiers, best first.
    pub tiers: Vec<Tier>,
    /// Entrants left out.
    pub exclusions: Vec<Exclusion>,
    /// Collective prizes.
    pub collective: CollectiveRule,
}

impl Default for PrizePlan {
    /// One first, two second, three third and five consolation prizes.
    fn default() -> Self {
        let tier = |name: &str, count| Tier { name: name.into(), count, audience: PrizeAudience::All };
        Self {
            tiers: vec![tier("Giải Nhất", 1), tier("Giải Nhì", 2), tier("Giải Ba", 3), tier("Giải Khuyến khích", 5)],
            exclusions: Vec::new(),
            collective: CollectiveRule::default(),
        }
    }
}

impl PrizePlan {
    /// Trims what people typed and refuses what cannot be a plan, in Vietnamese.
    pub fn checked(mut self) -> Result<Self, String> {
        if self.tiers.len() > MAX_TIERS {
            return Err(format!("Có tối đa {MAX_TIERS} loại giải."));
        }
        for (i, t) in self.tiers.iter_mut().enumerate() {
            t.name = t.name.trim().to_string();
            let n = t.name.chars().count();
            if !(1..=60).contains(&n) {
                return Err(format!("Loại giải thứ {}: tên giải cần từ 1 đến 60 ký tự.", i + 1));
            }
            if t.name.chars().any(char::is_control) {
                return Err(format!("Loại giải thứ {}: tên giải chứa ký tự không hợp lệ.", i + 1));
            }
            if t.count > MAX_PER_TIER {
                return Err(format!("{}: số giải tối đa là {MAX_PER_TIER}.", t.name));
            }
        }
        if self.exclusions.len() > MAX_EXCLUSIONS {
            return Err(format!("Có thể loại tối đa {MAX_EXCLUSIONS} người dự thi."));
        }
        let mut seen = std::collections::HashSet::new();
        for e in &mut self.exclusions {
            e.reason = e.reason.trim().to_string();
            let n = e.reason.chars().count();
            if !(3..=300).contains(&n) || e.reason.chars().any(char::is_control) {
                return Err(format!(
                    "Lý do loại người dự thi {} cần từ 3 đến 300 ký tự, không xuống dòng.",
                    e.participant_id
                ));
            }
            if !seen.insert(e.participant_id) {
                return Err(format!("Người dự thi {} được loại hai lần.", e.participant_id));
            }
        }
        let c = &mut self.collective;
        if !(0.0..=1.0).contains(&c.min_rate) {
            return Err("Tỷ lệ tham gia tối thiểu phải từ 0 đến 100%.".into());
        }
        if c.count > 100 {
            return Err("Giải tập thể: mỗi danh sách có tối đa 100 đơn vị.".into());
        }
        c.kinds = c.kinds.iter().map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
        c.kinds.dedup();
        Ok(self)
    }

    /// Why an entrant is excluded, if they are.
    pub fn excluded(&self, participant_id: i64) -> Option<&str> {
        self.exclusions.iter().find(|e| e.participant_id == participant_id).map(|e| e.reason.as_str())
    }
}

/// An entrant as the proposal sees them, in rank order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Who.
    pub participant_id: i64,
    /// Competition rank on the round's board.
    pub rank: i64,
    /// An official (account) or a resident.
    pub official: bool,
}

/// One prize given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    /// Index into the plan's tiers.
    pub tier: usize,
    /// Who.
    pub participant_id: i64,
    /// Their rank on the round's board.
    pub rank: i64,
}

/// The winners hoithi proposes, and the ties at a tier's last place that
/// the organizer must settle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proposal {
    /// Prizes in the order given.
    pub awards: Vec<Award>,
    /// (tier, rank) where entrants tied exactly across the tier's last place.
    pub ties: Vec<(usize, i64)>,
}

/// Gives the prizes down the ranking: each entrant not excluded gets the
/// best tier still open to their audience (tiers are best first), at most
/// one prize per entrant. Entrants tied exactly (same rank) across a
/// tier's last place are reported, never split silently.
pub fn propose(plan: &PrizePlan, ranked: impl IntoIterator<Item = Candidate>) -> Proposal {
    let mut left: Vec<u32> = plan.tiers.iter().map(|t| t.count).collect();
    let mut last_rank: Vec<Option<i64>> = vec![None; plan.tiers.len()];
    let mut out = Proposal::default();
    for c in ranked {
        if plan.excluded(c.participant_id).is_some() {
            continue;
        }
        let open = |i: usize| plan.tiers[i].audience.admits(c.official);
        for i in (0..plan.tiers.len()).filter(|&i| open(i) && left[i] == 0) {
            if last_rank[i] == Some(c.rank) && !out.ties.contains(&(i, c.rank)) {
                out.ties.push((i, c.rank));
            }
        }
        if let Some(i) = (0..plan.tiers.len()).find(|&i| open(i) && left[i] > 0) {
            left[i] -= 1;
            last_rank[i] = Some(c.rank);
            out.awards.push(Award { tier: i, participant_id: c.participant_id, rank: c.rank });
        } else if left.iter().all(|&l| l == 0) && last_rank.iter().all(|r| r.is_none_or(|r| r < c.rank)) {
            break;
        }
    }
    out
}

/// A unit's figures as the collective prizes compare them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UnitStanding {
    /// Unit code.
    pub code: String,
    /// Unit name.
    pub name: String,
    /// Unit kind.
    pub kind: String,
    /// Participants (in the unit and every unit under it).
    pub participants: i64,
    /// What the rate divides by: staff, or population for a locality.
    pub base: i64,
    /// `population` or `staff`.
    pub base_kind: String,
    /// participants ÷ base.
    pub rate: f64,
    /// Sum of the participants' scores.
    #[serde(skip_serializing, default)]
    pub score_sum: i64,
    /// score_sum ÷ participants.
    pub avg_score: f64,
}

impl UnitStanding {
    /// With its ratios computed.
    pub fn new(code: String, name: String, kind: String, participants: i64, score_sum: i64, base: (i64, &str)) -> Self {
        let rate = if base.0 > 0 { participants as f64 / base.0 as f64 } else { 0.0 };
        let avg_score = if participants > 0 { score_sum as f64 / participants as f64 } else { 0.0 };
        Self { code, name, kind, participants, base: base.0, base_kind: base.1.to_string(), rate, score_sum, avg_score }
    }

    /// Rates compared exactly, as fractions.
    fn cmp_rate(&self, o: &Self) -> Ordering {
        (i128::from(self.participants) * i128::from(o.base)).cmp(&(i128::from(o.participants) * i128::from(self.base)))
    }

    /// Average scores compared exactly, as fractions.
    fn cmp_avg(&self, o: &Self) -> Ordering {
        (i128::from(self.score_sum) * i128::from(o.participants))
            .cmp(&(i128::from(o.score_sum) * i128::from(self.participants)))
    }

    /// Whether its rate reaches `min` (a unit without a base never does).
    fn reaches(&self, min: f64) -> bool {
        self.base > 0 && self.participants > 0 && self.rate + 1e-12 >= min
    }
}

/// The two collective lists: units by participation rate, and units by
/// average score, each among the units that reach the minimum rate.
pub fn collective(units: &[UnitStanding], rule: &CollectiveRule) -> (Vec<UnitStanding>, Vec<UnitStanding>) {
    let mut eligible: Vec<&UnitStanding> = units.iter().filter(|u| u.reaches(rule.min_rate)).collect();
    let n = rule.count as usize;
    eligible.sort_by(|a, b| {
        b.cmp_rate(a).then(b.participants.cmp(&a.participants)).then(b.cmp_avg(a)).then(a.code.cmp(&b.code))
    });
    let by_rate = eligible.iter().take(n).map(|u| (*u).clone()).collect();
    eligible.sort_by(|a, b| {
        b.cmp_avg(a).then(b.cmp_rate(a)).then(b.participants.cmp(&a.participants)).then(a.code.cmp(&b.code))
    });
    let by_score = eligible.iter().take(n).map(|u| (*u).clone()).collect();
    (by_rate, by_score)
}

/// The rule, said on the page.
pub fn collective_rule_text(rule: &CollectiveRule, residents: bool) -> String {
    let base = if residents {
        "số người dự thi ÷ dân số (địa phương có số dân), hoặc ÷ số cán bộ (cơ quan, đơn vị)"
    } else {
        "số người dự thi ÷ số cán bộ, công chức, viên chức của đơn vị"
    };
    let kinds = if rule.kinds.is_empty() {
        "mọi đơn vị trừ cấp tỉnh".to_string()
    } else {
        format!("các loại đơn vị {}", rule.kinds.join(", "))
    };
    format!(
        "Tỷ lệ tham gia = {base}, tính cả các đơn vị trực thuộc. Chỉ xếp hạng {kinds} có tỷ lệ tham gia từ {}% trở lên; \
         mỗi danh sách nêu {} đơn vị. Xếp theo tỷ lệ tham gia (bằng nhau thì nhiều người dự thi hơn xếp trên), \
         và theo điểm trung bình (bằng nhau thì tỷ lệ tham gia cao hơn xếp trên).",
        crate::domain::numbers::decimal(rule.min_rate * 100.0, 3),
        rule.count
    )
}

#[cfg(test)]
#[path = "prizes_tests.rs"]
mod tests;
