//! Item analysis: how each question behaved, from plain numbers.
//!
//! Per question, over the entrants who drew it (each entrant's counted
//! attempt, voided items left out, graded with the key in force):
//!
//! - **facility**: the share who answered it right;
//! - **discrimination**: the point-biserial correlation between answering
//!   it right (0/1) and the fraction right on the *rest* of the paper (the
//!   other valid items), so the item does not correlate with itself;
//! - **upper–lower index**: the share right in the upper group minus the
//!   share right in the lower group, the groups being the top and bottom
//!   27% of those who drew it by their fraction right on the rest of the
//!   paper;
//! - the share choosing each option, in the bank's order (not the shuffled
//!   display order), and the share leaving it blank.
//!
//! Facility, option shares and the point-biserial come from sums that the
//! database adds up ([`Sums`]); the groups need the entrants ranked, so
//! they come from the rows themselves ([`Groups::of`]).

use serde::Serialize;

/// Size of the upper and lower groups, as a share of those who drew the item.
pub const GROUP_SHARE: f64 = 0.27;

/// The options chosen, in the bank's order, as a bit set: bit `i` set when
/// option `i` (A = 0) was chosen; 0 when the item was left blank.
pub fn mask(file_indexes: &[usize]) -> i32 {
    file_indexes.iter().filter(|&&i| i < 31).fold(0, |m, &i| m | (1 << i))
}

/// Whether option `i` is in a [`mask`].
pub fn has(mask: i32, i: usize) -> bool {
    i < 31 && mask & (1 << i) != 0
}

/// The fraction right on the rest of the paper: the `correct` valid items
/// of a paper of `valid` valid items, without this one (`right`). A paper of
/// one valid item has no rest: 0.
pub fn rest_fraction(correct: i32, valid: i32, right: bool) -> f64 {
    if valid <= 1 {
        return 0.0;
    }
    f64::from(correct - i32::from(right)) / f64::from(valid - 1)
}

/// What the database adds up per question, over those who drew it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sums {
    /// Times drawn (n).
    pub drawn: i64,
    /// Answered right (Σx).
    pub correct: i64,
    /// Left blank.
    pub blank: i64,
    /// How many chose each option, in the bank's order.
    pub options: Vec<i64>,
    /// Σy: the fractions right on the rest of the paper.
    pub rest: f64,
    /// Σy².
    pub rest_sq: f64,
    /// Σxy: the rest fractions of those who answered right.
    pub rest_right: f64,
}

impl Sums {
    /// The share answering right; `None` when nobody drew it.
    pub fn facility(&self) -> Option<f64> {
        (self.drawn > 0).then(|| self.correct as f64 / self.drawn as f64)
    }

    /// The point-biserial correlation between answering right and the rest
    /// of the paper (Pearson's r with x in {0, 1}, so Σx² = Σx):
    /// `(nΣxy − ΣxΣy) / √((nΣx − (Σx)²)(nΣy² − (Σy)²))`. `None` when either
    /// side does not vary (everybody right, or every rest the same).
    pub fn point_biserial(&self) -> Option<f64> {
        let n = self.drawn as f64;
        let sx = self.correct as f64;
        let vx = n * sx - sx * sx;
        let vy = n * self.rest_sq - self.rest * self.rest;
        // Sums of fractions carry rounding: a spread this small is none.
        if self.drawn < 2 || vx <= 0.0 || vy <= 1e-9 * n * n {
            return None;
        }
        Some((n * self.rest_right - sx * self.rest) / (vx * vy).sqrt())
    }

    /// The share choosing each option.
    pub fn option_shares(&self) -> Vec<f64> {
        self.options.iter().map(|&c| share(c, self.drawn)).collect()
    }

    /// The share leaving it blank.
    pub fn blank_share(&self) -> f64 {
        share(self.blank, self.drawn)
    }
}

fn share(part: i64, of: i64) -> f64 {
    if of == 0 { 0.0 } else { part as f64 / of as f64 }
}

/// One entrant's answer to the item, as the groups need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Response {
    /// Fraction right on the rest of the paper.
    pub rest: f64,
    /// Answered right (with the key in force).
    pub correct: bool,
    /// The options chosen ([`mask`]).
    pub chosen: i32,
    /// Breaks ties in `rest` so the groups do not depend on the order rows
    /// arrive in (the attempt's id: earlier attempts rank first).
    pub tie: i64,
}

/// The upper and lower groups of an item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Groups {
    /// Entrants in each group.
    pub size: i64,
    /// Right in the upper group.
    pub upper_correct: i64,
    /// Right in the lower group.
    pub lower_correct: i64,
    /// How many of the upper group chose each option, in the bank's order.
    pub upper_options: Vec<i64>,
    /// How many of the upper group chose exactly the key.
    pub upper_key: i64,
}

/// How many are in each group for `n` who drew the item: 27% of them,
/// rounded to the nearest whole entrant, and at most half (so the groups
/// never overlap).
pub fn group_size(n: usize) -> usize {
    ((n as f64 * GROUP_SHARE).round() as usize).min(n / 2)
}

impl Groups {
    /// The groups of an item of `options` options and key `key` (the
    /// bank's order) from its responses (in any order): ranked by rest of
    /// the paper, highest first, ties by `tie`.
    pub fn of(responses: &mut [Response], options: usize, key: &[usize]) -> Groups {
        responses.sort_by(|a, b| b.rest.total_cmp(&a.rest).then(a.tie.cmp(&b.tie)));
        let k = group_size(responses.len());
        let upper = &responses[..k];
        let lower = &responses[responses.len() - k..];
        let count = |g: &[Response]| g.iter().filter(|r| r.correct).count() as i64;
        Groups {
            size: k as i64,
            upper_correct: count(upper),
            lower_correct: count(lower),
            upper_options: (0..options).map(|i| upper.iter().filter(|r| has(r.chosen, i)).count() as i64).collect(),
            upper_key: upper.iter().filter(|r| r.chosen == mask(key)).count() as i64,
        }
    }

    /// The upper–lower index: share right above minus share right below;
    /// `None` when the groups are empty.
    pub fn index(&self) -> Option<f64> {
        (self.size > 0).then(|| (self.upper_correct - self.lower_correct) as f64 / self.size as f64)
    }

    /// A distractor (an option outside `key`, in the bank's order) that the
    /// upper group chose more often than the key itself: the first one.
    /// Counting the key's choosers (not those graded right) lets a bank's
    /// view flag its own key even where a contest has corrected it.
    pub fn suspect_distractor(&self, key: &[usize]) -> Option<usize> {
        self.upper_options.iter().enumerate().find(|(i, c)| !key.contains(i) && **c > self.upper_key).map(|(i, _)| i)
    }
}

/// Why a question is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemFlag {
    /// A distractor was chosen by the upper group more often than the key:
    /// the key may be wrong.
    SuspectKey,
    /// Those who do well on the rest of the paper do worse on this one.
    NegativeDiscrimination,
    /// Almost everybody answers it right.
    TooEasy,
    /// Almost nobody answers it right.
    TooHard,
}

impl ItemFlag {
    /// Its name in the API (`suspect_key`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemFlag::SuspectKey => "suspect_key",
            ItemFlag::NegativeDiscrimination => "negative_discrimination",
            ItemFlag::TooEasy => "too_easy",
            ItemFlag::TooHard => "too_hard",
        }
    }

    /// In Vietnamese, for the organizer.
    pub fn label(self) -> &'static str {
        match self {
            ItemFlag::SuspectKey => "Nghi sai đáp án",
            ItemFlag::NegativeDiscrimination => "Phân loại ngược",
            ItemFlag::TooEasy => "Quá dễ",
            ItemFlag::TooHard => "Quá khó",
        }
    }
}

/// When flags are shown and what they compare against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// No flag before the question was drawn this many times.
    pub min_drawn: i64,
    /// Too easy above this facility.
    pub too_easy: f64,
    /// Too hard below this facility.
    pub too_hard: f64,
    /// Negative discrimination below this point-biserial.
    pub discrimination_below: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { min_drawn: 30, too_easy: 0.95, too_hard: 0.20, discrimination_below: 0.0 }
    }
}

/// One question's statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemStats {
    /// Times drawn.
    pub drawn: i64,
    /// Share right.
    pub facility: Option<f64>,
    /// Point-biserial against the rest of the paper.
    pub discrimination: Option<f64>,
    /// Upper–lower 27% index.
    pub upper_lower: Option<f64>,
    /// Share choosing each option, in the bank's order.
    pub options: Vec<f64>,
    /// Share leaving it blank.
    pub blank: f64,
    /// What to look at, most serious first.
    pub flags: Vec<ItemFlag>,
}

/// A question's statistics and flags, from its sums and groups, with `key`
/// the correct options in force (the bank's order).
pub fn analyse(sums: &Sums, groups: &Groups, key: &[usize], t: &Thresholds) -> ItemStats {
    let facility = sums.facility();
    let discrimination = sums.point_biserial();
    let mut flags = Vec::new();
    if sums.drawn >= t.min_drawn {
        if groups.suspect_distractor(key).is_some() {
            flags.push(ItemFlag::SuspectKey);
        }
        if discrimination.is_some_and(|d| d < t.discrimination_below) {
            flags.push(ItemFlag::NegativeDiscrimination);
        }
        if facility.is_some_and(|f| f > t.too_easy) {
            flags.push(ItemFlag::TooEasy);
        }
        if facility.is_some_and(|f| f < t.too_hard) {
            flags.push(ItemFlag::TooHard);
        }
    }
    ItemStats {
        drawn: sums.drawn,
        facility,
        discrimination,
        upper_lower: groups.index(),
        options: sums.option_shares(),
        blank: sums.blank_share(),
        flags,
    }
}

#[cfg(test)]
#[path = "items_tests.rs"]
mod tests;
