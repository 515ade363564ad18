//! An attempt's states and the choices a participant makes.

use super::bank::Kind;

/// Where an attempt stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptState {
    /// Started, taking answers until deadline + grace.
    InProgress,
    /// Submitted by the participant.
    Submitted,
    /// Ended at its deadline with the answers it held.
    Expired,
}

impl AttemptState {
    /// The stored name: the one place these names are written.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptState::InProgress => "in_progress",
            AttemptState::Submitted => "submitted",
            AttemptState::Expired => "expired",
        }
    }

    /// Whether it has ended (graded, on the boards if ranked).
    pub fn is_final(self) -> bool {
        self != AttemptState::InProgress
    }
}

impl TryFrom<String> for AttemptState {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        [AttemptState::InProgress, AttemptState::Submitted, AttemptState::Expired]
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown attempt state {s:?}"))
    }
}

/// The options chosen for one item, as displayed (0-based), checked against
/// the item: sorted, no option twice, each one on the item, at most one for
/// a single-answer question. Empty clears the answer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Choice(Vec<usize>);

impl Choice {
    /// Checks raw choices for item `position` of `kind` with `options` options.
    pub fn parse(raw: &[usize], kind: Kind, options: usize, position: i32) -> Result<Self, String> {
        let mut sorted = raw.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != raw.len() {
            return Err("Một phương án được chọn hai lần.".into());
        }
        if let Some(bad) = sorted.iter().find(|&&c| c >= options) {
            return Err(format!("Câu {position} không có phương án số {bad} (0–{}).", options.saturating_sub(1)));
        }
        if kind != Kind::Multiple && sorted.len() > 1 {
            return Err(format!("Câu {position} chỉ được chọn một phương án."));
        }
        Ok(Self(sorted))
    }

    /// The chosen display indexes, sorted.
    pub fn indexes(&self) -> &[usize] {
        &self.0
    }

    /// Whether nothing is chosen.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_only_in_progress_is_open() {
        for s in [AttemptState::InProgress, AttemptState::Submitted, AttemptState::Expired] {
            assert_eq!(AttemptState::try_from(s.as_str().to_string()), Ok(s));
        }
        assert!(AttemptState::try_from("done".to_string()).is_err());
        assert!(!AttemptState::InProgress.is_final());
        assert!(AttemptState::Expired.is_final());
    }

    #[test]
    fn choices_are_checked_against_the_item() {
        assert_eq!(Choice::parse(&[2, 0], Kind::Multiple, 4, 1).unwrap().indexes(), &[0, 2]);
        assert!(Choice::parse(&[], Kind::Single, 4, 1).unwrap().is_empty());
        assert!(Choice::parse(&[1, 1], Kind::Multiple, 4, 1).unwrap_err().contains("hai lần"));
        assert!(Choice::parse(&[4], Kind::Single, 4, 3).unwrap_err().contains("Câu 3 không có phương án số 4 (0–3)"));
        assert!(Choice::parse(&[0, 1], Kind::Single, 4, 2).unwrap_err().contains("một phương án"));
        assert!(Choice::parse(&[0, 1], Kind::TrueFalse, 2, 2).is_err());
    }
}
