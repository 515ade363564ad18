//! Flags for the organizer, never automatic exclusions: a paper finished
//! too fast, many registrations from one device, and identical answer
//! patterns submitted within seconds by different entrants.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;

/// What the flags compare, per entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Who.
    pub participant_id: i64,
    /// Time taken.
    pub duration_ms: i64,
    /// When submitted.
    pub submitted_at: NaiveDateTime,
    /// The device that registered them (residents).
    pub device_id: Option<String>,
    /// What they answered: (question, options chosen in the bank's order),
    /// by question, so the same answers on a shuffled paper compare equal.
    pub pattern: Vec<(i64, Vec<usize>)>,
}

/// The thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A paper faster than this percentage of the duration.
    pub fast_percent: u32,
    /// More registrations than this from one device.
    pub per_device: usize,
    /// This many identical patterns or more …
    pub same_answers: usize,
    /// … within this many seconds.
    pub window_s: u32,
}

/// Why an entry is flagged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    /// Finished in `ms` where the round allows `of_s` seconds.
    Fast { ms: i64, of_s: i32 },
    /// The device registered `count` entrants.
    SharedDevice { count: usize },
    /// `count` entrants submitted the same answers within the window.
    SameAnswers { count: usize },
}

impl Flag {
    /// In Vietnamese.
    pub fn describe(&self, t: &Thresholds) -> String {
        match self {
            Flag::Fast { ms, of_s } => format!(
                "Làm xong trong {} trên {} phút cho phép (dưới {}%).",
                crate::domain::numbers::duration(*ms),
                of_s / 60,
                t.fast_percent
            ),
            Flag::SharedDevice { count } => {
                format!("Một thiết bị đã đăng ký {count} người dự thi (ngưỡng {}).", t.per_device)
            }
            Flag::SameAnswers { count } => {
                format!("{count} người nộp bài có các câu trả lời giống hệt nhau trong vòng {} giây.", t.window_s)
            }
        }
    }
}

/// Every flagged entry and why, for a round of `duration_s` seconds.
/// `device_counts` is how many entrants each device registered in the contest.
pub fn flags(
    entries: &[Facts],
    duration_s: i32,
    device_counts: &HashMap<String, usize>,
    t: &Thresholds,
) -> BTreeMap<i64, Vec<Flag>> {
    let mut out: BTreeMap<i64, Vec<Flag>> = BTreeMap::new();
    let limit_ms = i64::from(duration_s) * 1000 * i64::from(t.fast_percent) / 100;
    for e in entries {
        if e.duration_ms < limit_ms {
            out.entry(e.participant_id).or_default().push(Flag::Fast { ms: e.duration_ms, of_s: duration_s });
        }
        if let Some(&count) = e.device_id.as_ref().and_then(|d| device_counts.get(d))
            && count > t.per_device
        {
            out.entry(e.participant_id).or_default().push(Flag::SharedDevice { count });
        }
    }
    // Same answers: by pattern, the largest run of submissions inside the window.
    let mut by_pattern: HashMap<&[(i64, Vec<usize>)], Vec<&Facts>> = HashMap::new();
    for e in entries.iter().filter(|e| !e.pattern.is_empty()) {
        by_pattern.entry(e.pattern.as_slice()).or_default().push(e);
    }
    let window = chrono::Duration::seconds(i64::from(t.window_s));
    for group in by_pattern.values_mut().filter(|g| g.len() >= t.same_answers.max(2)) {
        group.sort_by_key(|e| e.submitted_at);
        let mut in_run = vec![0usize; group.len()];
        let mut start = 0;
        for end in 0..group.len() {
            while group[end].submitted_at - group[start].submitted_at > window {
                start += 1;
            }
            let size = end - start + 1;
            if size >= t.same_answers.max(2) {
                for slot in &mut in_run[start..=end] {
                    *slot = (*slot).max(size);
                }
            }
        }
        for (e, &count) in group.iter().zip(&in_run).filter(|(_, c)| **c > 0) {
            out.entry(e.participant_id).or_default().push(Flag::SameAnswers { count });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Thresholds = Thresholds { fast_percent: 20, per_device: 3, same_answers: 3, window_s: 10 };

    fn at(s: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap().naive_utc()
    }

    fn facts(id: i64, ms: i64, s: i64, device: Option<&str>, pattern: &[(i64, usize)]) -> Facts {
        Facts {
            participant_id: id,
            duration_ms: ms,
            submitted_at: at(s),
            device_id: device.map(str::to_string),
            pattern: pattern.iter().map(|(q, o)| (*q, vec![*o])).collect(),
        }
    }

    #[test]
    fn a_paper_under_a_fifth_of_the_time_is_flagged() {
        // 600 s allowed: 119.9 s is under 20%, 120 s is not.
        let e = [facts(1, 119_900, 0, None, &[]), facts(2, 120_000, 0, None, &[]), facts(3, 36, 0, None, &[])];
        let f = flags(&e, 600, &HashMap::new(), &T);
        assert_eq!(f.keys().copied().collect::<Vec<_>>(), [1, 3]);
        assert!(f[&3][0].describe(&T).contains("36 mili giây"));
    }

    #[test]
    fn more_than_three_registrations_from_one_device_are_flagged() {
        let counts: HashMap<String, usize> = [("d1".to_string(), 4), ("d2".to_string(), 3)].into();
        let e = [facts(1, 400_000, 0, Some("d1"), &[]), facts(2, 400_000, 0, Some("d2"), &[])];
        let f = flags(&e, 600, &counts, &T);
        assert_eq!(f.get(&1), Some(&vec![Flag::SharedDevice { count: 4 }]));
        assert!(!f.contains_key(&2));
    }

    #[test]
    fn three_identical_patterns_within_ten_seconds_are_flagged() {
        let p = [(10, 1), (11, 0), (12, 3)];
        let e = [
            facts(1, 400_000, 0, None, &p),
            facts(2, 400_000, 4, None, &p),
            facts(3, 400_000, 10, None, &p),
            // The same answers, but 30 s later: alone in its window.
            facts(4, 400_000, 40, None, &p),
            // Other answers at the same moment.
            facts(5, 400_000, 5, None, &[(10, 1), (11, 0), (12, 2)]),
        ];
        let f = flags(&e, 600, &HashMap::new(), &T);
        assert_eq!(f.keys().copied().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(f[&2], [Flag::SameAnswers { count: 3 }]);
        // Two are not enough.
        let f = flags(&e[..2], 600, &HashMap::new(), &T);
        assert!(f.is_empty());
    }
}
