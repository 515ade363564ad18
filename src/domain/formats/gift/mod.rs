//! Moodle's GIFT format: import ([`parse`]) and export ([`write`]).
//!
//! The grammar is Moodle's (docs.moodle.org, "GIFT format"):
//!
//! - Questions are separated by blank lines. A line whose first non-blank
//!   characters are `//` is a comment; comments do not separate questions.
//! - `::title::` before the text names the question; `[html]`, `[moodle]`,
//!   `[plain]` or `[markdown]` before a text gives its format (the marker is
//!   dropped, the text kept as written).
//! - The answers stand in braces: `{=right ~wrong ~wrong}` (one answer:
//!   kind `single`), `{~%50%A ~%50%B ~%-100%C}` (no `=`: kind `multiple`,
//!   the options with a positive weight are the answer), `{T}`, `{TRUE}`,
//!   `{F}`, `{FALSE}` (kind `true_false`, options `["Đúng", "Sai"]`).
//!   `#…` after an answer is its feedback, `####…` the general feedback,
//!   which becomes the explanation.
//! - Text after the braces makes a missing-word question: the braces are
//!   replaced by a blank `_____` in the text.
//! - `\~ \= \# \{ \} \:` stand for the character itself, `\n` for a line
//!   break and `\\` for a backslash; any other backslash is kept. Line breaks
//!   in the file itself only wrap the source, and read as one space.
//! - `$CATEGORY: …` lines are read and ignored, with a warning (hoithi takes
//!   the bank's identity from the import command, not from the file).
//!
//! What hoithi cannot represent is reported, one error per question, and the
//! question is skipped: numerical (`{#…}`), matching (`{=a -> b …}`), short
//! answer (only `=` answers), essay (`{}`) and description (no braces)
//! questions. Per-answer feedback and partial credit of a single-answer
//! question are dropped with a warning.
//!
//! # Keys
//!
//! A question's key is its title made into a slug (`::Câu 1::` → `cau-1`)
//! when that gives a valid slug not used by an earlier title of the file,
//! otherwise `q-NNN` from the question's position among the file's
//! questions (`q-001` for the first, skipped ones counted).
//!
//! # What GIFT cannot say: hoithi's comment lines
//!
//! Whole-line comments placed in a question's block (above it, with no blank
//! line between) carry what GIFT has no syntax for. Moodle ignores them, so
//! an exported file still imports into Moodle.
//!
//! - `// source: …` — the question's source. A backslash is written `\\` and
//!   a line break `\n`.
//! - `// as_of: YYYY-MM-DD` — the date the facts are stated at.
//! - `// difficulty: easy|medium|hard` — GIFT has no difficulty. A question
//!   without this line is `medium`, and the file gets one warning saying so.
//! - `// fixed_order` — keep the options in file order.
//! - `// key: …` — the question's exact key, when its title could not carry
//!   it (written by [`write`] for a key that is not already a slug).
//!
//! [`write`] also starts the file with `// hoithi bank: <slug>` followed by
//! `$CATEGORY: <slug>`; a category equal to that slug is not warned about.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::domain::bank::{Bank, Draft, Kind, Problem, Question, Severity, TRUE_FALSE_OPTIONS, is_slug, letter};
use crate::domain::text::fold_ascii;

/// What a missing-word question shows where its answers stood.
pub const BLANK: &str = "_____";

const TEXT_FORMATS: [&str; 4] = ["[html]", "[moodle]", "[plain]", "[markdown]"];

/// Parses a GIFT file into drafts for `bank::check_drafts` (with
/// `Strictness::Lenient`: GIFT rarely carries a source), and every problem
/// found on the way, each naming its line.
pub fn parse(file: &str, text: &str) -> (Vec<Draft>, Vec<Problem>) {
    let mut parser = Parser {
        file,
        drafts: Vec::new(),
        problems: Vec::new(),
        ordinal: 0,
        bank_slug: None,
        title_keys: HashMap::new(),
        defaulted: Vec::new(),
    };
    let lines = numbered_lines(text);
    for block in blocks(&lines) {
        parser.block(&block);
    }
    if let Some(&first) = parser.defaulted.first() {
        let n = parser.defaulted.len();
        parser.push(
            Severity::Warning,
            first,
            None,
            format!(
                "GIFT không có mức độ: {n} câu hỏi được đặt mức \"medium\" \
                 (thêm dòng \"// difficulty: easy|medium|hard\" ngay trên câu hỏi để chỉ định)"
            ),
        );
    }
    (parser.drafts, parser.problems)
}

/// The lines of a text with their 1-based numbers. `\n`, `\r\n` and a lone
/// `\r` each end a line; a leading byte-order mark is dropped.
pub(super) fn numbered_lines(text: &str) -> Vec<(usize, &str)> {
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut no = 1;
    while let Some(i) = rest.find(['\n', '\r']) {
        out.push((no, &rest[..i]));
        let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
        rest = &rest[i + skip..];
        no += 1;
    }
    out.push((no, rest));
    out
}

/// Runs of non-blank lines.
pub(super) fn blocks<'a>(lines: &[(usize, &'a str)]) -> Vec<Vec<(usize, &'a str)>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for &(no, line) in lines {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push((no, line));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The first occurrence of `pat` at or after byte `from` that is not escaped
/// by a backslash. `pat` is ASCII, so the index is a character boundary.
fn find(s: &str, from: usize, pat: &str) -> Option<usize> {
    scan(s, from, |rest| rest.starts_with(pat.as_bytes()))
}

fn scan(s: &str, from: usize, hit: impl Fn(&[u8]) -> bool) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if hit(&bytes[i..]) {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn is_answer_mark(rest: &[u8]) -> bool {
    matches!(rest.first(), Some(b'~' | b'='))
}

/// Resolves GIFT's escapes.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some(&n @ ('~' | '=' | '#' | '{' | '}' | ':' | '\\')) => {
                out.push(n);
                chars.next();
            }
            Some('n') => {
                out.push('\n');
                chars.next();
            }
            _ => out.push('\\'),
        }
    }
    out
}

/// A text as GIFT writes it: special characters escaped, line breaks as `\n`
/// (a carriage return, which GIFT cannot hold, also becomes `\n`).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '~' | '=' | '#' | '{' | '}' | ':' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A value in one of hoithi's comment lines: only backslashes and line
/// breaks are escaped, so the line stays readable.
fn escape_comment(s: &str) -> String {
    s.replace('\\', "\\\\").replace("\r\n", "\\n").replace(['\n', '\r'], "\\n")
}

/// An escaped text that starts like a format marker gets `[moodle]` in front,
/// so that reading it back strips that marker and keeps the text's own.
fn guard_format(escaped: String) -> String {
    let start = escaped.trim_start();
    if TEXT_FORMATS.iter().any(|f| start.starts_with(f)) { format!("[moodle]{escaped}") } else { escaped }
}

/// A raw piece of a question as displayed: wrapped lines joined by a space,
/// a leading format marker dropped, escapes resolved, trimmed.
fn clean(raw: &str) -> String {
    let joined = raw.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    let body = TEXT_FORMATS.iter().find_map(|f| joined.strip_prefix(f)).unwrap_or(&joined);
    unescape(body).trim().to_string()
}

/// A title made into a key: ASCII letters and digits, other runs as one `-`.
fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in fold_ascii(s).chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// What hoithi's comment lines said about one question.
#[derive(Default)]
struct Directives {
    /// The line of the first directive, for a block that has no question.
    first_line: Option<usize>,
    source: Option<String>,
    as_of: Option<Result<NaiveDate, String>>,
    difficulty: Option<String>,
    fixed_order: bool,
    key: Option<String>,
}

/// One answer of a multiple-choice question.
struct Choice {
    /// Written with `=`.
    right: bool,
    /// `%n%`, when given.
    weight: Option<f64>,
    text: String,
    /// Has a non-empty `#feedback`.
    feedback: bool,
}
mod parser;
mod write;

use parser::Parser;
pub use write::write;

#[cfg(test)]
mod tests;
