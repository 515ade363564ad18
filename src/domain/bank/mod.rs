//! The question bank file format (TOML) and every rule a bank must satisfy.
//!
//! A bank file has a `[bank]` table and an array of `[[question]]` tables;
//! `question_banks/README.md` documents it for authors. Parsing collects
//! every problem (with file, line and question key) instead of stopping at
//! the first, so an author fixes a file in one pass.

//!
//! This module holds the model; `check` the rules every format's drafts go
//! through, `file` hoithi's own TOML file format, `stats` the counts and the
//! checks across a bank, `lint` the questions that give each other away.

mod check;
mod file;
pub mod lint;
mod lint_render;
mod stats;

pub use check::{Draft, Strictness, check_drafts};
pub use file::{parse_toml, write_toml};
pub use stats::{Stats, check_letter_balance, check_slugs, is_slug, refers_to_other_options};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How a question is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Exactly one correct option.
    Single,
    /// A set of correct options; only the exact set scores.
    Multiple,
    /// Options `["Đúng", "Sai"]`.
    TrueFalse,
}

impl Kind {
    /// The kind as people say it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Single => "một lựa chọn",
            Kind::Multiple => "nhiều lựa chọn",
            Kind::TrueFalse => "đúng/sai",
        }
    }

    /// The name used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Multiple => "multiple",
            Kind::TrueFalse => "true_false",
        }
    }

    /// Parses a stored or written name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "single" => Some(Kind::Single),
            "multiple" => Some(Kind::Multiple),
            "true_false" => Some(Kind::TrueFalse),
            _ => None,
        }
    }
}

/// How hard a question is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Difficulty {
    /// Dễ.
    Easy,
    /// Trung bình.
    Medium,
    /// Khó.
    Hard,
}

impl Difficulty {
    /// The level as people say it.
    pub fn label(self) -> &'static str {
        match self {
            Difficulty::Easy => "dễ",
            Difficulty::Medium => "trung bình",
            Difficulty::Hard => "khó",
        }
    }

    /// All levels, easiest first.
    pub const ALL: [Difficulty; 3] = [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard];

    /// The name used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }

    /// Parses a stored or written name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "easy" => Some(Difficulty::Easy),
            "medium" => Some(Difficulty::Medium),
            "hard" => Some(Difficulty::Hard),
            _ => None,
        }
    }
}

/// Where a stored version of a question stands. Only active versions are
/// drawn; a superseded one stays for the papers that hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuestionState {
    /// The version a new import or draw uses.
    Active,
    /// Replaced by a newer version with the same key.
    Superseded,
    /// Its key left the bank file.
    Retired,
}

impl QuestionState {
    /// The stored name: the one place these names are written.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionState::Active => "active",
            QuestionState::Superseded => "superseded",
            QuestionState::Retired => "retired",
        }
    }
}

impl TryFrom<String> for QuestionState {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        [QuestionState::Active, QuestionState::Superseded, QuestionState::Retired]
            .into_iter()
            .find(|q| q.as_str() == s)
            .ok_or_else(|| format!("unknown question state {s:?}"))
    }
}

/// The options of every true/false question, in this order.
pub const TRUE_FALSE_OPTIONS: [&str; 2] = ["Đúng", "Sai"];
/// Fewest and most options a question may have.
pub const OPTIONS_RANGE: std::ops::RangeInclusive<usize> = 2..=6;
pub(super) const LETTERS: [char; 6] = ['A', 'B', 'C', 'D', 'E', 'F'];

/// A bank's identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankMeta {
    /// Stable identifier: lower-case letters, digits and `-`.
    pub slug: String,
    /// Shown to organizers.
    pub title: String,
    /// The topic the bank covers (e.g. `mot-cua`).
    pub topic: String,
    /// Documents replaced since the questions were written.
    pub replaced_documents: Vec<String>,
}

/// One valid question, as written in the file (options in file order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable and unique in the bank.
    pub key: String,
    /// How it is answered.
    pub kind: Kind,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// The question.
    pub text: String,
    /// 2–6 options.
    pub options: Vec<String>,
    /// Indexes of the correct options, ascending, non-empty.
    pub answer: Vec<usize>,
    /// Why the answer is right.
    pub explanation: String,
    /// The document and article the answer rests on.
    pub source: String,
    /// Options are shown in file order (e.g. "Cả A, B và C đều đúng").
    pub fixed_order: bool,
    /// The date the question's facts are stated at.
    pub as_of: Option<NaiveDate>,
    /// The exclusion group: questions that give each other away share one,
    /// and a paper never holds two questions of one group. The name is a
    /// slug and counts across banks (a group may span several banks).
    pub group: Option<String>,
}

impl Question {
    /// A digest of everything a participant or grader sees, and of the
    /// exclusion group (which the draw depends on); a change makes a new version.
    pub fn content_hash(&self) -> String {
        let mut canonical = serde_json::json!([
            self.kind,
            self.difficulty,
            self.text,
            self.options,
            self.answer,
            self.explanation,
            self.source,
            self.fixed_order,
            self.as_of.map(|d| d.to_string()),
        ]);
        // Only when set, so the hashes stored before groups existed stay the same.
        if let (Some(group), serde_json::Value::Array(fields)) = (&self.group, &mut canonical) {
            fields.push(serde_json::Value::String(group.clone()));
        }
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }

    /// The answer as letters, e.g. `"B"` or `"A, C"`.
    pub fn answer_letters(&self) -> String {
        self.answer.iter().map(|&i| letter(i).to_string()).collect::<Vec<_>>().join(", ")
    }
}

/// The letter of option `index` (0 → `A`).
pub fn letter(index: usize) -> char {
    LETTERS.get(index).copied().unwrap_or('?')
}

/// The index of an option letter (`"b"` → 1).
pub fn letter_index(s: &str) -> Option<usize> {
    let mut chars = s.trim().chars();
    let c = chars.next()?.to_ascii_uppercase();
    if chars.next().is_some() {
        return None;
    }
    LETTERS.iter().position(|&l| l == c)
}

/// A parsed, valid bank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bank {
    /// The `[bank]` table.
    pub meta: BankMeta,
    /// Every question, in file order.
    pub questions: Vec<Question>,
}

/// Error or warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// Blocks import; `banks check` exits non-zero.
    Error,
    /// Reported; does not block.
    Warning,
}

/// One thing wrong with a bank file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The file.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The question's key, when the problem is in one question.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.severity {
            Severity::Error => "lỗi",
            Severity::Warning => "cảnh báo",
        };
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {level}")?;
        if let Some(key) = &self.key {
            write!(f, " [{key}]")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Whether a list of problems contains an error.
pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(|p| p.severity == Severity::Error)
}

#[cfg(test)]
mod tests;
