//! Counts of a bank, and the checks that look at a bank as a whole.

use std::collections::HashMap;

use super::*;
use crate::domain::text::fold_for_compare;

/// Counts of a bank: by difficulty, by kind, and by correct letter (questions
/// with one correct option).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Easy, medium, hard.
    pub difficulty: [usize; 3],
    /// Single, multiple, true/false.
    pub kind: [usize; 3],
    /// A–F, over questions with exactly one correct option.
    pub letters: [usize; 6],
}

impl Stats {
    /// The counts of a bank.
    pub fn of(bank: &Bank) -> Self {
        let mut s = Stats::default();
        for q in &bank.questions {
            s.difficulty[q.difficulty as usize] += 1;
            s.kind[match q.kind {
                Kind::Single => 0,
                Kind::Multiple => 1,
                Kind::TrueFalse => 2,
            }] += 1;
            if let [one] = q.answer.as_slice() {
                s.letters[(*one).min(5)] += 1;
            }
        }
        s
    }
}

/// Above this share of one letter among single-answer questions, `banks check` warns.
pub const MAX_LETTER_SHARE: f64 = 0.35;
/// Banks with fewer single-answer questions are too small for the letter check.
pub const LETTER_CHECK_MIN: usize = 10;

/// Warns when one letter is the answer of more than 35% of a bank's
/// single-answer questions (participants learn to guess it).
pub fn check_letter_balance(file: &str, bank: &Bank) -> Vec<Problem> {
    let stats = Stats::of(bank);
    let total: usize = stats.letters.iter().sum();
    if total < LETTER_CHECK_MIN {
        return Vec::new();
    }
    stats
        .letters
        .iter()
        .enumerate()
        .filter(|(_, n)| **n as f64 / total as f64 > MAX_LETTER_SHARE)
        .map(|(i, n)| Problem {
            severity: Severity::Warning,
            file: file.to_string(),
            line: None,
            key: None,
            message: format!(
                "đáp án {} chiếm {:.0}% ({n}/{total}) số câu một đáp án: nên cân đối lại (tối đa 35%)",
                letter(i),
                *n as f64 * 100.0 / total as f64
            ),
        })
        .collect()
}

/// Checks across files: a slug used by two files.
pub fn check_slugs<'a>(banks: impl IntoIterator<Item = (&'a str, &'a Bank)>) -> Vec<Problem> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    let mut problems = Vec::new();
    for (file, bank) in banks {
        if let Some(first) = seen.insert(bank.meta.slug.as_str(), file) {
            problems.push(Problem {
                severity: Severity::Error,
                file: file.to_string(),
                line: None,
                key: None,
                message: format!("slug \"{}\" đã dùng trong {first}", bank.meta.slug),
            });
        }
    }
    problems
}

/// True for a slug: `a-z`, `0-9` and `-`, 1–64 characters, not starting or ending with `-`.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// An option such as "Cả A, B và C đều đúng" or "Không phương án nào đúng",
/// which only makes sense in a fixed position.
pub fn refers_to_other_options(option: &str) -> bool {
    let o = fold_for_compare(option);
    const PHRASES: [&str; 14] = [
        "tất cả",
        "cả hai",
        "cả ba",
        "cả bốn",
        "cả 2",
        "cả 3",
        "đều đúng",
        "đều sai",
        "không phương án nào",
        "không có phương án nào",
        "các phương án trên",
        "các ý trên",
        "all of the above",
        "none of the above",
    ];
    if PHRASES.iter().any(|p| o.contains(p)) {
        return true;
    }
    // "Cả A và B", "cả a, b, c": "cả" followed by an option letter.
    let words: Vec<&str> = o.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    words.windows(2).any(|w| w[0] == "cả" && w[1].len() == 1 && w[1].chars().all(|c| ('a'..='f').contains(&c)))
}
