//! Moodle's GIFT format: import ([`parse`]) and export ([`write`]).
//!
//! The grammar is Moodle's (docs.moodle.org, "GIFT format"):
//!
//! - Questions are separated by blank lines. A line whose first non-blank
//!   characters are `//` is a comment; comments do not separate questions.
//! - `::title::` before the text names the question; `[html]`, `[moodle]`,
//!   `[plain]` or `[markdown]` before a text gives its format, and the
//!   answers take the question's unless they carry their own. HTML (`[html]`,
//!   and `[moodle]`, the default, which allows it) becomes the plain text a
//!   reader saw (see `formats::html`); `[plain]` and `[markdown]` texts are
//!   kept as written.
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
//! - `$CATEGORY: …` lines are read and ignored, with one warning for the file
//!   (hoithi takes the bank's identity from the import, not from categories).
//!
//! What hoithi cannot represent is skipped, as Moodle skips what it cannot
//! read, and each is reported with its line ("bị bỏ qua"): numerical
//! (`{#…}`), matching (`{=a -> b …}`), short answer (only `=` answers), essay
//! (`{}`) and description (no braces) questions, and questions whose syntax
//! is broken. Every other question is taken, and the import says how many
//! were taken and skipped. Per-answer feedback and partial credit of a
//! single-answer question are dropped with a warning; the weights of a
//! multiple-answer question that do not add up to 100% are reported (hoithi
//! scores the exact set of options with a positive weight).
//!
//! # Keys
//!
//! A question's key is its title made into a slug (`::Câu 1::` → `cau-1`)
//! when that gives a valid slug not used by an earlier title of the file;
//! otherwise it comes from the question's text (`formats::content_key`), so
//! inserting a question never renames the others.
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
//! - `// group: …` — the question's exclusion group (never drawn into one
//!   paper with another question of the group).
//! - `// key: …` — the question's exact key, when its title could not carry
//!   it (written by [`write`] for a key that is not already a slug).
//!
//! [`write`] also starts the file with `// hoithi bank: <slug>`,
//! `// hoithi title: …`, `// hoithi topic: …` and, when the bank has them,
//! `// hoithi replaced: <document>; <document>`, followed by
//! `$CATEGORY: <slug>`: the file names its bank, so it imports again without
//! choosing one, and a category equal to that slug is not warned about.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::Read;
use crate::domain::bank::{
    Bank, BankMeta, Draft, Kind, Problem, Question, Severity, TRUE_FALSE_OPTIONS, is_slug, letter,
};
use crate::domain::text::fold_ascii;

/// What a missing-word question shows where its answers stood.
pub const BLANK: &str = "_____";

const TEXT_FORMATS: [&str; 4] = ["[html]", "[moodle]", "[plain]", "[markdown]"];

/// Parses a GIFT file into drafts for `bank::check_drafts` (with
/// `Strictness::Lenient`: GIFT rarely carries a source), and every problem
/// found on the way, each naming its line.
pub fn parse(file: &str, text: &str) -> Read {
    let mut parser = Parser {
        file,
        read: Read::default(),
        ordinal: 0,
        bank: [None, None, None, None],
        title_keys: HashMap::new(),
        defaulted: Vec::new(),
        categories: Vec::new(),
    };
    let lines = numbered_lines(text);
    for block in blocks(&lines) {
        parser.block(&block);
    }
    parser.categories_warning();
    if let Some(&first) = parser.defaulted.first() {
        let n = parser.defaulted.len();
        parser.push(
            Severity::Warning,
            first,
            None,
            format!(
                "GIFT không ghi mức độ: {n} câu hỏi được coi là mức Trung bình \
                 (muốn chỉ định, thêm dòng \"// difficulty: easy|medium|hard\" ngay trên câu hỏi)"
            ),
        );
    }
    parser.finish()
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

/// A text as GIFT writes it ([`escape`]), with `[plain]` in front when it
/// starts like a format marker or when reading it as HTML (Moodle's default
/// format) would change it (`<`, `&`, runs of spaces): reading it back strips
/// that marker and keeps the text as it is.
fn guarded(text: &str) -> String {
    let escaped = escape(text);
    let start = escaped.trim_start();
    let marked = TEXT_FORMATS.iter().any(|f| start.starts_with(f));
    if marked || super::html::to_text(text) != text { format!("[plain]{escaped}") } else { escaped }
}

/// How a text is written: Moodle's `[moodle]` (the default) and `[html]`
/// allow HTML, `[plain]` and `[markdown]` are kept as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TextFormat {
    Html,
    Kept,
}

/// A piece's format marker, if any, and the text after it.
fn split_format(joined: &str) -> (Option<TextFormat>, &str) {
    for (i, f) in TEXT_FORMATS.iter().enumerate() {
        if let Some(rest) = joined.strip_prefix(f) {
            return (Some(if i < 2 { TextFormat::Html } else { TextFormat::Kept }), rest);
        }
    }
    (None, joined)
}

/// A raw piece of a question as displayed, in `default` format unless it
/// names its own: wrapped lines joined by a space, escapes resolved, HTML
/// made plain text, trimmed.
fn clean_as(raw: &str, default: TextFormat) -> String {
    let joined = raw.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    let (format, body) = split_format(&joined);
    let text = unescape(body);
    match format.unwrap_or(default) {
        TextFormat::Html => super::html::to_text(&text),
        TextFormat::Kept => text.trim().to_string(),
    }
}

/// A title or feedback: as written.
fn clean(raw: &str) -> String {
    clean_as(raw, TextFormat::Kept)
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
    group: Option<String>,
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
