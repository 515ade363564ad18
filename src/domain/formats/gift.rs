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

struct Parser<'f> {
    file: &'f str,
    drafts: Vec<Draft>,
    problems: Vec<Problem>,
    /// Questions seen so far, skipped ones included.
    ordinal: usize,
    /// From a `// hoithi bank: …` line.
    bank_slug: Option<String>,
    /// Keys taken from titles, with their lines.
    title_keys: HashMap<String, usize>,
    /// Lines of questions whose difficulty defaulted to medium.
    defaulted: Vec<usize>,
}

impl Parser<'_> {
    fn push(&mut self, severity: Severity, line: usize, key: Option<&str>, message: String) {
        self.problems.push(Problem {
            severity,
            file: self.file.to_string(),
            line: Some(line),
            key: key.map(str::to_string),
            message,
        });
    }

    /// Reports a question that cannot be read, and skips it.
    fn skip(&mut self, line: usize, key: &str, message: &str) {
        self.push(Severity::Error, line, Some(key), format!("{message}; câu hỏi bị bỏ qua"));
    }

    fn unsupported(&mut self, line: usize, key: &str, kind: &str) {
        self.push(
            Severity::Error,
            line,
            Some(key),
            format!("dòng {line}: loại câu hỏi {kind} của GIFT không được hoithi hỗ trợ; câu hỏi bị bỏ qua"),
        );
    }

    fn directive(&mut self, d: &mut Directives, line: usize, body: &str) {
        let mut seen = true;
        if let Some(v) = body.strip_prefix("hoithi bank:") {
            self.bank_slug = Some(v.trim().to_string());
            return;
        } else if let Some(v) = body.strip_prefix("source:") {
            d.source = Some(unescape(v.trim()));
        } else if let Some(v) = body.strip_prefix("as_of:") {
            let v = v.trim();
            d.as_of = Some(
                NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| format!("as_of \"{v}\" (dòng {line}) không phải ngày dạng YYYY-MM-DD")),
            );
        } else if let Some(v) = body.strip_prefix("difficulty:") {
            d.difficulty = Some(v.trim().to_string());
        } else if let Some(v) = body.strip_prefix("key:") {
            d.key = Some(unescape(v.trim()));
        } else if body == "fixed_order" {
            d.fixed_order = true;
        } else {
            seen = false;
        }
        if seen && d.first_line.is_none() {
            d.first_line = Some(line);
        }
    }

    fn block(&mut self, lines: &[(usize, &str)]) {
        let mut d = Directives::default();
        let mut content: Vec<(usize, &str)> = Vec::new();
        for &(no, line) in lines {
            match line.trim().strip_prefix("//") {
                Some(body) => self.directive(&mut d, no, body.trim()),
                None => content.push((no, line)),
            }
        }
        while let Some(&(no, line)) = content.first() {
            let Some(category) = line.trim().strip_prefix("$CATEGORY:") else { break };
            let category = category.trim();
            if self.bank_slug.as_deref() != Some(category) {
                self.push(
                    Severity::Warning,
                    no,
                    None,
                    format!(
                        "danh mục \"{category}\" ($CATEGORY) bị bỏ qua: ngân hàng được chọn khi nhập, không theo tệp"
                    ),
                );
            }
            content.remove(0);
        }
        if content.is_empty() {
            if let Some(line) = d.first_line {
                self.push(
                    Severity::Warning,
                    line,
                    None,
                    "dòng chỉ dẫn của hoithi (// source:, // as_of:, // difficulty:, // fixed_order, // key:) \
                     không đi kèm câu hỏi nào: cần đặt ngay trên câu hỏi, không cách dòng trống"
                        .into(),
                );
            }
            return;
        }
        self.ordinal += 1;
        self.question(d, &content);
    }

    fn key_for(&mut self, d: &Directives, title: Option<&str>, line: usize) -> String {
        let positional = format!("q-{:03}", self.ordinal);
        if let Some(key) = &d.key {
            return key.clone();
        }
        let Some(title) = title else { return positional };
        let slug = slugify(title);
        if !is_slug(&slug) {
            return positional;
        }
        if let Some(&first) = self.title_keys.get(&slug) {
            self.push(
                Severity::Warning,
                line,
                Some(&positional),
                format!(
                    "tiêu đề \"{title}\" cho khóa \"{slug}\" đã dùng ở dòng {first}; câu này dùng khóa \"{positional}\""
                ),
            );
            return positional;
        }
        self.title_keys.insert(slug.clone(), line);
        slug
    }

    fn question(&mut self, d: Directives, content: &[(usize, &str)]) {
        let start = content.first().map_or(0, |&(no, _)| no);
        let mut raw = String::new();
        let mut starts: Vec<(usize, usize)> = Vec::new();
        for (i, &(no, line)) in content.iter().enumerate() {
            if i > 0 {
                raw.push('\n');
            }
            starts.push((raw.len(), no));
            raw.push_str(line);
        }
        let line_at = |offset: usize| starts.iter().rev().find(|(s, _)| *s <= offset).map_or(start, |&(_, no)| no);

        let lead = raw.len() - raw.trim_start().len();
        let body = &raw[lead..];
        let (title, rest, base) = match body.strip_prefix("::") {
            Some(after) => match find(after, 0, "::") {
                Some(end) => (Some(clean(&after[..end])), &after[end + 2..], lead + 2 + end + 2),
                None => {
                    let key = format!("q-{:03}", self.ordinal);
                    self.skip(start, &key, "tiêu đề mở bằng \"::\" nhưng không có \"::\" đóng");
                    return;
                }
            },
            None => (None, body, lead),
        };
        let key = self.key_for(&d, title.as_deref(), start);

        let Some(open) = find(rest, 0, "{") else {
            match find(rest, 0, "}") {
                Some(c) => self.skip(line_at(base + c), &key, "dấu \"}\" không có \"{\" mở"),
                None => self.unsupported(start, &key, "mô tả (description: không có phần đáp án {…})"),
            }
            return;
        };
        if let Some(c) = find(&rest[..open], 0, "}") {
            self.skip(line_at(base + c), &key, "dấu \"}\" không có \"{\" mở");
            return;
        }
        let Some(close) = find(rest, open + 1, "}") else {
            let line = line_at(base + open);
            self.skip(line, &key, &format!("thiếu \"}}\" đóng phần đáp án mở ở dòng {line}"));
            return;
        };
        let inner = &rest[open + 1..close];
        if let Some(o) = find(inner, 0, "{") {
            self.skip(line_at(base + open + 1 + o), &key, "dấu \"{\" lồng trong phần đáp án");
            return;
        }
        let after = &rest[close + 1..];
        let stray = [find(after, 0, "{"), find(after, 0, "}")].into_iter().flatten().min();
        if let Some(o) = stray {
            self.skip(
                line_at(base + close + 1 + o),
                &key,
                "sau phần đáp án {…} còn dấu \"{\" hoặc \"}\": mỗi câu hỏi chỉ có một phần đáp án, \
                 và các câu hỏi phải cách nhau một dòng trống",
            );
            return;
        }
        let before = &rest[..open];
        let text = if after.trim().is_empty() { clean(before) } else { clean(&format!("{before}{BLANK}{after}")) };

        let (answers, explanation) = match find(inner, 0, "####") {
            Some(g) => (&inner[..g], Some(clean(&inner[g + 4..]))),
            None => (inner, None),
        };
        let a = answers.trim();
        let has_eq = find(a, 0, "=").is_some();
        let (kind, options, answer, feedback, partial) = if a.is_empty() {
            self.unsupported(start, &key, "tự luận (essay, {})");
            return;
        } else if a.starts_with('#') {
            self.unsupported(start, &key, "số (numerical, {#…})");
            return;
        } else if find(a, 0, "~").is_some() {
            let choices = match choices(a) {
                Ok(c) => c,
                Err(message) => {
                    self.skip(start, &key, &message);
                    return;
                }
            };
            let feedback = choices.iter().any(|c| c.feedback);
            let letters = |keep: &dyn Fn(&Choice) -> bool| -> Vec<String> {
                choices.iter().enumerate().filter(|(_, c)| keep(c)).map(|(i, _)| letter(i).to_string()).collect()
            };
            let (kind, answer, partial) = if has_eq {
                let partial = choices.iter().any(|c| match (c.right, c.weight) {
                    (true, Some(w)) => w < 100.0,
                    (false, Some(w)) => w > 0.0,
                    (_, None) => false,
                });
                (Kind::Single, letters(&|c| c.right), partial)
            } else {
                (Kind::Multiple, letters(&|c| c.weight.is_some_and(|w| w > 0.0)), false)
            };
            let options = choices.into_iter().map(|c| c.text).collect();
            (kind, options, answer, feedback, partial)
        } else if has_eq && a.contains("->") {
            self.unsupported(start, &key, "ghép đôi (matching, {=a -> b …})");
            return;
        } else if let Some((value, feedback)) = true_false(a) {
            let answer = vec![if value { "A" } else { "B" }.to_string()];
            let options = TRUE_FALSE_OPTIONS.iter().map(|o| o.to_string()).collect();
            (Kind::TrueFalse, options, answer, feedback, false)
        } else if has_eq {
            self.unsupported(start, &key, "trả lời ngắn (short answer: chỉ có đáp án =, không có ~)");
            return;
        } else {
            self.skip(
                start,
                &key,
                "không nhận ra phần đáp án {…}: cần {=đúng ~sai …}, {~%50%… ~%50%… ~%-100%…} hoặc {T}/{F}",
            );
            return;
        };

        if feedback {
            self.push(
                Severity::Warning,
                start,
                Some(&key),
                "phản hồi riêng của từng phương án (#…) bị bỏ qua: hoithi chỉ có giải thích chung (####…)".into(),
            );
        }
        if partial {
            self.push(
                Severity::Warning,
                start,
                Some(&key),
                "điểm từng phần (%…%) bị bỏ qua: câu một đáp án chỉ tính phương án \"=\" là đúng".into(),
            );
        }
        let difficulty = match d.difficulty {
            Some(level) => level,
            None => {
                self.defaulted.push(start);
                "medium".to_string()
            }
        };
        self.drafts.push(Draft {
            line: start,
            key: Some(key),
            kind: Some(kind.as_str().to_string()),
            difficulty: Some(difficulty),
            text: Some(text),
            options,
            answer: Some(answer),
            explanation: explanation.filter(|e| !e.is_empty()),
            source: d.source,
            fixed_order: d.fixed_order,
            as_of: d.as_of.transpose(),
        });
    }
}

/// `T`, `TRUE`, `F` or `FALSE`, optionally followed by feedback: the value,
/// and whether there is feedback.
fn true_false(a: &str) -> Option<(bool, bool)> {
    let (head, tail) = match find(a, 0, "#") {
        Some(h) => (&a[..h], &a[h + 1..]),
        None => (a, ""),
    };
    let value = match head.trim().to_ascii_uppercase().as_str() {
        "T" | "TRUE" => true,
        "F" | "FALSE" => false,
        _ => return None,
    };
    Some((value, !tail.replace('#', "").trim().is_empty()))
}

/// The answers of a multiple-choice question: `=right`, `~wrong`, `~%50%half`, each with an optional `#feedback`.
fn choices(a: &str) -> Result<Vec<Choice>, String> {
    let first = scan(a, 0, is_answer_mark).unwrap_or(a.len());
    let lead = a[..first].trim();
    if !lead.is_empty() {
        return Err(format!(
            "có chữ \"{}\" trước phương án đầu tiên (phương án bắt đầu bằng = hoặc ~)",
            unescape(lead)
        ));
    }
    let mut out = Vec::new();
    let mut pos = first;
    while pos < a.len() {
        let right = a.as_bytes()[pos] == b'=';
        let next = scan(a, pos + 1, is_answer_mark).unwrap_or(a.len());
        out.push(choice(right, &a[pos + 1..next])?);
        pos = next;
    }
    Ok(out)
}

fn choice(right: bool, body: &str) -> Result<Choice, String> {
    let trimmed = body.trim_start();
    let (weight, rest) = match trimmed.strip_prefix('%') {
        Some(r) => {
            let Some(end) = find(r, 0, "%") else {
                return Err(format!("trọng số thiếu dấu \"%\" đóng: \"{}\"", unescape(trimmed.trim())));
            };
            let w = r[..end].trim();
            match w.parse::<f64>() {
                Ok(v) if v.is_finite() && (-100.0..=100.0).contains(&v) => (Some(v), &r[end + 1..]),
                _ => return Err(format!("trọng số \"%{w}%\" không phải số từ -100 đến 100")),
            }
        }
        None => (None, body),
    };
    let (text, feedback) = match find(rest, 0, "#") {
        Some(h) => (&rest[..h], !clean(&rest[h + 1..]).is_empty()),
        None => (rest, false),
    };
    Ok(Choice { right, weight, text: clean(text), feedback })
}

/// The weight of each right option of a multiple-answer question with `n` of them.
fn weight(n: usize) -> String {
    let n = n.max(1);
    if 100 % n == 0 { (100 / n).to_string() } else { format!("{:.5}", 100.0 / n as f64) }
}

/// Writes a bank as GIFT, with hoithi's comment lines (see the module
/// documentation) for what GIFT cannot say, so that [`parse`] followed by
/// `check_drafts` gives the same questions back.
pub fn write(bank: &Bank) -> String {
    let mut out = String::new();
    out.push_str(&format!("// hoithi bank: {}\n", bank.meta.slug));
    out.push_str(&format!("// title: {}\n", escape_comment(&bank.meta.title)));
    out.push_str(&format!("$CATEGORY: {}\n", bank.meta.slug));
    for q in &bank.questions {
        out.push('\n');
        write_question(&mut out, q);
    }
    out
}

fn write_question(out: &mut String, q: &Question) {
    if !q.source.is_empty() {
        out.push_str(&format!("// source: {}\n", escape_comment(&q.source)));
    }
    if let Some(date) = q.as_of {
        out.push_str(&format!("// as_of: {}\n", date.format("%Y-%m-%d")));
    }
    out.push_str(&format!("// difficulty: {}\n", q.difficulty.as_str()));
    if q.fixed_order {
        out.push_str("// fixed_order\n");
    }
    if !(is_slug(&q.key) && slugify(&q.key) == q.key) {
        out.push_str(&format!("// key: {}\n", escape_comment(&q.key)));
    }
    out.push_str(&format!("::{}:: {} {{", escape(&q.key), guard_format(escape(&q.text))));
    let explanation =
        if q.explanation.is_empty() { String::new() } else { format!("####{}", guard_format(escape(&q.explanation))) };
    if q.kind == Kind::TrueFalse {
        let value = if q.answer == [0] { "T" } else { "F" };
        out.push_str(&format!("{value}{explanation}}}\n"));
        return;
    }
    out.push('\n');
    let right_weight = weight(q.answer.len());
    for (i, option) in q.options.iter().enumerate() {
        let right = q.answer.contains(&i);
        let text = guard_format(escape(option));
        let line = match (q.kind, right) {
            (Kind::Multiple, true) => format!("~%{right_weight}%{text}"),
            (Kind::Multiple, false) => format!("~%-100%{text}"),
            // A weight in front keeps a leading `%` of the text from reading as one.
            (_, true) if text.starts_with('%') => format!("=%100%{text}"),
            (_, false) if text.starts_with('%') => format!("~%0%{text}"),
            (_, true) => format!("={text}"),
            (_, false) => format!("~{text}"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    if !explanation.is_empty() {
        out.push_str(&explanation);
        out.push('\n');
    }
    out.push_str("}\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bank::{BankMeta, Difficulty, Strictness, check_drafts, has_errors, parse_toml};
    use proptest::prelude::*;

    fn meta() -> BankMeta {
        BankMeta { slug: "b".into(), title: "T".into(), topic: "t".into(), replaced_documents: vec![] }
    }

    fn fixture() -> String {
        let path = format!("{}/tests/fixtures/moodle-examples.gift", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap()
    }

    fn draft<'a>(drafts: &'a [Draft], key: &str) -> &'a Draft {
        drafts.iter().find(|d| d.key.as_deref() == Some(key)).unwrap_or_else(|| panic!("no {key} in {drafts:#?}"))
    }

    fn errors(problems: &[Problem]) -> Vec<&Problem> {
        problems.iter().filter(|p| p.severity == Severity::Error).collect()
    }

    /// The only error of parsing `text`.
    fn one_error(text: &str) -> Problem {
        let (drafts, problems) = parse("x.gift", text);
        let errs = errors(&problems);
        assert_eq!(errs.len(), 1, "{problems:#?}");
        assert!(drafts.is_empty(), "{drafts:#?}");
        errs[0].clone()
    }

    #[test]
    fn moodle_documented_examples() {
        let (drafts, problems) = parse("moodle-examples.gift", &fixture());
        let keys: Vec<_> = drafts.iter().map(|d| d.key.clone().unwrap()).collect();
        assert_eq!(
            keys,
            ["thu-do", "q2", "q-003", "tf1", "q-005", "tf", "q-007", "dinh-dang", "grant"],
            "{problems:#?}"
        );

        let d = draft(&drafts, "thu-do");
        assert_eq!(d.kind.as_deref(), Some("single"));
        assert_eq!(d.text.as_deref(), Some("Thủ đô của Việt Nam là thành phố nào?"));
        assert_eq!(d.options, ["Hà Nội", "Huế", "Đà Nẵng", "Thành phố Hồ Chí Minh"]);
        assert_eq!(d.answer, Some(vec!["A".to_string()]));
        assert_eq!(d.difficulty.as_deref(), Some("medium"));
        assert_eq!((d.explanation.as_ref(), d.source.as_ref()), (None, None));

        let d = draft(&drafts, "q2");
        assert_eq!(d.text.as_deref(), Some("Màu nào nằm giữa màu cam và màu lục trong cầu vồng?"));
        assert_eq!(d.options, ["vàng", "đỏ", "lam"]);
        assert_eq!(d.answer, Some(vec!["A".to_string()]));

        let d = draft(&drafts, "q-003");
        assert_eq!(d.text.as_deref(), Some("Trâu là loài _____ và thường sống ở nông thôn."));
        assert_eq!(d.answer, Some(vec!["B".to_string()]));

        for (key, text, answer) in [
            ("tf1", "1+1=2", "A"),
            ("q-005", "Mặt trời mọc ở hướng Tây.", "B"),
            ("tf", "Sông Hồng chảy qua Hà Nội.", "A"),
        ] {
            let d = draft(&drafts, key);
            assert_eq!(d.kind.as_deref(), Some("true_false"), "{key}");
            assert_eq!(d.text.as_deref(), Some(text), "{key}");
            assert_eq!(d.options, TRUE_FALSE_OPTIONS, "{key}");
            assert_eq!(d.answer, Some(vec![answer.to_string()]), "{key}");
        }
        assert_eq!(draft(&drafts, "tf").explanation.as_deref(), Some("Sông Hồng chảy qua trung tâm Hà Nội."));

        let d = draft(&drafts, "q-007");
        assert_eq!(d.kind.as_deref(), Some("multiple"));
        assert_eq!(d.options, ["Nha Trang", "Hải Phòng", "Cần Thơ", "Vũng Tàu"]);
        assert_eq!(d.answer, Some(vec!["B".to_string(), "C".to_string()]));

        let d = draft(&drafts, "dinh-dang");
        assert_eq!(d.text.as_deref(), Some("Các ký hiệu { } ~ = # và dấu hai chấm: đều phải thoát.\nCó đúng không?"));
        assert_eq!(d.options, ["Đúng vậy", "Không cần"]);
        assert_eq!(d.explanation.as_deref(), Some("Xem mục <b>Special characters</b>."));

        let d = draft(&drafts, "grant");
        assert_eq!(d.text.as_deref(), Some("Who is entombed in Grant's tomb?"));
        assert_eq!(d.options, ["Grant", "No one", "Napoleon"]);

        // Every unsupported kind is reported on its own line, nothing dropped silently.
        let unsupported: Vec<_> = errors(&problems).into_iter().map(|p| (p.line, p.key.clone().unwrap())).collect();
        let expected = [
            (Some(45), "ngan"),
            (Some(47), "so"),
            (Some(49), "ghep"),
            (Some(51), "tu-luan"),
            (Some(53), "q-014"),
            (Some(55), "mo-ta"),
        ];
        let expected: Vec<_> = expected.iter().map(|(l, k)| (*l, k.to_string())).collect();
        assert_eq!(unsupported, expected, "{problems:#?}");
        for p in errors(&problems) {
            assert!(p.message.contains("không được hoithi hỗ trợ") && p.message.contains("bỏ qua"), "{p}");
        }
        let warnings: Vec<_> = problems.iter().filter(|p| p.severity == Severity::Warning).collect();
        assert!(warnings.iter().any(|p| p.line == Some(3) && p.message.contains("$CATEGORY")), "{warnings:#?}");
        assert_eq!(warnings.iter().filter(|p| p.message.contains("medium")).count(), 1, "{warnings:#?}");
        assert!(warnings.iter().any(|p| p.key.as_deref() == Some("q2") && p.message.contains("phản hồi")));
        assert!(warnings.iter().any(|p| p.key.as_deref() == Some("tf") && p.message.contains("phản hồi")));

        // The drafts pass every rule; only source and explanation are missing (warnings).
        let (bank, ps) = check_drafts("moodle-examples.gift", meta(), drafts, Strictness::Lenient, Vec::new());
        assert!(!has_errors(&ps), "{ps:#?}");
        assert_eq!(bank.unwrap().questions.len(), 9);
    }

    #[test]
    fn unsupported_kinds_name_their_line() {
        let cases = [
            ("Ai viết Truyện Kiều?{=Nguyễn Du =Tố Như}", "trả lời ngắn"),
            ("Việt Nam vào WTO năm nào?{#2007:0}", "số"),
            ("Ghép đôi. {=Huế -> Thừa Thiên =Vinh -> Nghệ An}", "ghép đôi"),
            ("Viết về quê em. {}", "tự luận"),
            ("Viết về quê em. {####Gợi ý: kể về cảnh vật.}", "tự luận"),
            ("Chỉ là lời dẫn.", "mô tả"),
        ];
        for (question, kind) in cases {
            let p = one_error(&format!("// đầu tệp\n\n{question}\n"));
            assert_eq!(p.line, Some(3), "{p}");
            assert!(p.message.contains(kind) && p.message.contains("không được hoithi hỗ trợ"), "{p}");
            assert!(p.to_string().starts_with("x.gift:3: lỗi [q-001]"), "{p}");
        }
    }

    #[test]
    fn malformed_questions_name_their_line() {
        let cases: [(&str, usize, &str); 8] = [
            ("::Không đóng tiêu đề Hỏi? {T}", 1, "\"::\" đóng"),
            ("Hỏi gì?\n{=a\n~b\n", 2, "thiếu \"}\""),
            ("Hỏi } gì? {T}", 1, "không có \"{\" mở"),
            ("Hỏi?\n{=a ~b}\nHỏi tiếp?\n{=c ~d}", 4, "cách nhau một dòng trống"),
            ("Hỏi? {=a {~b}}", 1, "lồng"),
            ("Hỏi? {lời dẫn =a ~b}", 1, "trước phương án đầu tiên"),
            ("Hỏi? {~%năm mươi%a ~%50%b}", 1, "trọng số"),
            ("Hỏi?\n{abc}", 1, "không nhận ra"),
        ];
        for (text, line, needle) in cases {
            let p = one_error(text);
            assert_eq!(p.line, Some(line), "{text}: {p}");
            assert!(p.message.contains(needle) && p.message.contains("bỏ qua"), "{text}: {p}");
        }
        // A blank line between text and answers makes two questions: a description, reported, and a
        // question without text.
        let (drafts, ps) = parse("x.gift", "Hỏi?\n\n{=a ~b}");
        assert!(ps.iter().any(|p| p.line == Some(1) && p.message.contains("mô tả")), "{ps:#?}");
        assert_eq!((drafts[0].line, drafts[0].key.as_deref(), drafts[0].text.as_deref()), (3, Some("q-002"), Some("")));
    }

    #[test]
    fn rule_violations_are_left_to_check_drafts_with_the_question_line() {
        let text = "\n\n::Một:: Hai đáp án đúng? {=a =b ~c}\n\n::Hai:: Không đáp án? {~a ~b}\n\n\
                    // as_of: 31/12/2020\n::Ba:: Ngày sai? {T}\n";
        let (drafts, problems) = parse("x.gift", text);
        assert!(errors(&problems).is_empty(), "{problems:#?}");
        let (bank, ps) = check_drafts("x.gift", meta(), drafts, Strictness::Lenient, problems);
        assert!(bank.is_none());
        let errs = errors(&ps);
        assert_eq!(errs.len(), 3, "{ps:#?}");
        assert_eq!((errs[0].line, errs[0].key.as_deref()), (Some(3), Some("mot")));
        assert!(errs[0].message.contains("một đáp án"), "{}", errs[0]);
        assert_eq!((errs[1].line, errs[1].key.as_deref()), (Some(5), Some("hai")));
        assert_eq!((errs[2].line, errs[2].key.as_deref()), (Some(8), Some("ba")));
        assert!(errs[2].message.contains("31/12/2020") && errs[2].message.contains("dòng 7"), "{}", errs[2]);
    }

    #[test]
    fn comment_lines_carry_what_gift_cannot() {
        let text = "// source: Luật 80/2015/QH13, Điều 2\n// as_of: 2020-12-31\n// difficulty: hard\n\
                    // fixed_order\n::Câu 1:: Hỏi? {=Một ~Hai ~Cả hai}\n\n// difficulty: easy\n::Câu 2:: Hỏi nữa? {F}\n";
        let (drafts, problems) = parse("x.gift", text);
        assert!(problems.is_empty(), "no medium warning when every question says its difficulty: {problems:#?}");
        let d = &drafts[0];
        assert_eq!(d.key.as_deref(), Some("cau-1"));
        assert_eq!(d.line, 5);
        assert_eq!(d.source.as_deref(), Some("Luật 80/2015/QH13, Điều 2"));
        assert_eq!(d.as_of, Ok(NaiveDate::from_ymd_opt(2020, 12, 31)));
        assert_eq!(d.difficulty.as_deref(), Some("hard"));
        assert!(d.fixed_order);
        assert_eq!(drafts[1].difficulty.as_deref(), Some("easy"));
        assert!(!drafts[1].fixed_order);
        let (bank, ps) = check_drafts("x.gift", meta(), drafts, Strictness::Lenient, problems);
        assert!(!has_errors(&ps), "{ps:#?}");
        assert_eq!(bank.unwrap().questions[0].difficulty, Difficulty::Hard);
    }

    #[test]
    fn one_medium_warning_per_file_and_stray_directives_warn() {
        let text = "// difficulty: hard\n\nA? {T}\n\n// difficulty: easy\nB? {F}\n\nC? {T}\n\nD? {F}\n";
        let (drafts, problems) = parse("x.gift", text);
        assert_eq!(drafts.len(), 4);
        assert_eq!(drafts.iter().filter(|d| d.difficulty.as_deref() == Some("medium")).count(), 3);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert_eq!(problems[0].line, Some(1));
        assert!(problems[0].message.contains("không đi kèm câu hỏi"), "{}", problems[0]);
        assert_eq!(problems[1].line, Some(3));
        assert!(problems[1].message.contains("3 câu hỏi") && problems[1].message.contains("medium"));
    }

    #[test]
    fn keys_from_titles_positions_and_duplicates() {
        let long = "x".repeat(70);
        let text = format!(
            "::Điều 5 — Khoản 1:: A? {{T}}\n\n::{long}:: B? {{T}}\n\n::??:: C? {{T}}\n\n\
             ::điều 5, khoản 1:: D? {{T}}\n\n// key: Mã riêng\n::x:: E? {{T}}\n"
        );
        let (drafts, problems) = parse("x.gift", &text);
        let keys: Vec<_> = drafts.iter().map(|d| d.key.clone().unwrap()).collect();
        assert_eq!(keys, ["dieu-5-khoan-1", "q-002", "q-003", "q-004", "Mã riêng"]);
        let dup: Vec<_> = problems.iter().filter(|p| p.message.contains("đã dùng ở dòng 1")).collect();
        assert_eq!(dup.len(), 1, "{problems:#?}");
        assert_eq!(dup[0].line, Some(7));
    }

    #[test]
    fn vietnamese_diacritics_survive_and_become_nfc() {
        // "Quyết định" decomposed (NFD) in the file.
        let text = "::Quye\u{302}\u{301}t ddi\u{323}nh:: Quye\u{302}\u{301}t đi\u{323}nh nào? {\n=Ủy ban nhân dân tỉnh\n~Hội đồng nhân dân\n}";
        let (drafts, problems) = parse("x.gift", text);
        assert_eq!(drafts.len(), 1, "{problems:#?}");
        assert_eq!(drafts[0].key.as_deref(), Some("quyet-ddinh"));
        let (bank, _) = check_drafts("x.gift", meta(), drafts, Strictness::Lenient, Vec::new());
        let q = &bank.unwrap().questions[0];
        assert_eq!(q.text, "Quyết định nào?");
        assert_eq!(q.options, ["Ủy ban nhân dân tỉnh", "Hội đồng nhân dân"]);
    }

    #[test]
    fn crlf_bom_and_indented_comments() {
        let text = "\u{feff}  // chú thích\r\n::Một:: Hỏi?\r\n{\r\n  =Có\r\n  ~Không\r\n}\r\n\r\n::Hai:: Hỏi lại? {F}";
        let (drafts, problems) = parse("x.gift", text);
        assert_eq!(drafts.len(), 2, "{problems:#?}");
        assert_eq!(drafts[0].line, 2);
        assert_eq!(drafts[0].options, ["Có", "Không"]);
        assert_eq!(drafts[1].line, 8);
    }

    #[test]
    fn partial_credit_in_a_single_answer_question_warns() {
        let (drafts, problems) = parse("x.gift", "Hỏi? {=a ~%50%b ~c}");
        assert_eq!(drafts[0].answer, Some(vec!["A".to_string()]));
        assert!(problems.iter().any(|p| p.message.contains("điểm từng phần") && p.line == Some(1)), "{problems:#?}");
    }

    #[test]
    fn escapes_and_format_markers() {
        assert_eq!(unescape(r"a\~b\=c\#d\{e\}f\:g\\h\ni\x"), "a~b=c#d{e}f:g\\h\ni\\x");
        assert_eq!(clean("  [html]<b>Đậm</b>\n  tiếp "), "<b>Đậm</b> tiếp");
        assert_eq!(clean("[moodle][plain]x"), "[plain]x");
        assert_eq!(escape("a{b}:c\\n\r\nd"), r"a\{b\}\:c\\n\nd");
        assert_eq!(slugify("  Câu hỏi số 1 (Đợt 2)  "), "cau-hoi-so-1-dot-2");
    }

    #[test]
    fn awkward_texts_survive_a_round_trip() {
        let q = Question {
            key: "Câu 1: khó".into(),
            kind: Kind::Single,
            difficulty: Difficulty::Easy,
            text: "[html]::Tiêu đề giả:: {x} ~y =z #w \\n \\ cuối\\\ndòng hai // không phải chú thích".into(),
            options: vec!["%50%a".into(), "->b".into(), "#c".into(), "[markdown]d".into()],
            answer: vec![0],
            explanation: "####không phải ### phản hồi \\".into(),
            source: "Nguồn \\: có\ndòng hai".into(),
            fixed_order: true,
            as_of: NaiveDate::from_ymd_opt(2021, 1, 1),
        };
        let mut second = q.clone();
        second.key = "q--2".into();
        second.kind = Kind::Multiple;
        second.text = "$CATEGORY: không phải danh mục".into();
        second.answer = vec![0, 2, 3];
        let bank = Bank { meta: BankMeta { title: "Tên\ndài".into(), ..meta() }, questions: vec![q, second] };
        let gift = write(&bank);
        let (drafts, problems) = parse("x.gift", &gift);
        assert!(problems.is_empty(), "{problems:#?}\n{gift}");
        let (back, ps) = check_drafts("x.gift", bank.meta.clone(), drafts, Strictness::Lenient, problems);
        assert!(ps.is_empty(), "{ps:#?}");
        assert_eq!(back.unwrap().questions, bank.questions, "{gift}");
    }

    #[test]
    fn shipped_banks_survive_a_round_trip() {
        let dir = format!("{}/question_banks", env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        assert!(!files.is_empty());
        let mut total = 0;
        for path in files {
            let name = path.display().to_string();
            let (bank, problems) = parse_toml(&name, &std::fs::read_to_string(&path).unwrap());
            let bank = bank.unwrap_or_else(|| panic!("{problems:#?}"));
            let gift = write(&bank);
            let (drafts, problems) = parse(&name, &gift);
            assert!(problems.is_empty(), "{name}: {problems:#?}");
            let (back, ps) = check_drafts(&name, bank.meta.clone(), drafts, Strictness::Lenient, problems);
            assert!(!has_errors(&ps), "{name}: {ps:#?}");
            let back = back.unwrap();
            assert_eq!(back.questions.len(), bank.questions.len());
            for (b, q) in back.questions.iter().zip(&bank.questions) {
                assert_eq!(b, q, "{name}");
            }
            total += back.questions.len();
        }
        assert!(total > 300, "{total}");
    }

    fn gifty() -> impl Strategy<Value = String> {
        let tokens = prop::sample::select(vec![
            "{",
            "}",
            "~",
            "=",
            "#",
            "####",
            "::",
            ":",
            "\\",
            "%",
            "%50%",
            "%-100%",
            "->",
            "\n",
            "\n\n",
            "\r",
            "//",
            "// source: ",
            "// as_of: 2020-02-30",
            "// difficulty: ",
            "// key: ",
            "// fixed_order",
            "$CATEGORY: ",
            "[html]",
            "T",
            "FALSE",
            "a",
            " ",
            "Đúng",
            "ệ",
            "\u{301}",
            "\u{feff}",
        ]);
        prop::collection::vec(tokens, 0..80).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_arbitrary_text(s in any::<String>()) {
            let (drafts, problems) = parse("p.gift", &s);
            let _ = check_drafts("p.gift", meta(), drafts, Strictness::Lenient, problems);
        }

        #[test]
        fn parse_never_panics_on_gift_tokens(s in gifty()) {
            let (drafts, problems) = parse("p.gift", &s);
            prop_assert!(problems.iter().all(|p| p.line.is_some()));
            let _ = check_drafts("p.gift", meta(), drafts, Strictness::Lenient, problems);
        }

        #[test]
        fn texts_survive_escaping(s in "[a-zđĐệ {}~=#:\\\\%\\[\\]/\n\t-]{0,40}") {
            prop_assert_eq!(clean(&guard_format(escape(&s))), s.trim());
        }

        #[test]
        fn written_questions_read_back_equal(
            key in "[a-zĐ: -]{1,12}",
            text in "[a-zđ {}~=#:\\\\%\\[\\]/\n-]{1,30}",
            options in prop::collection::vec("[a-z {}~=#:\\\\%>-]{1,12}", 2..=6),
            multiple in any::<bool>(),
            explanation in "[a-z #\\\\]{0,12}",
        ) {
            let answer = vec![if multiple { "A".to_string() } else { "B".to_string() }];
            let answer = if multiple { vec!["A".to_string(), "B".to_string()] } else { answer };
            let draft = Draft {
                line: 1,
                key: Some(key),
                kind: Some(if multiple { "multiple" } else { "single" }.into()),
                difficulty: Some("hard".into()),
                text: Some(text),
                options,
                answer: Some(answer),
                explanation: Some(explanation),
                source: Some("S".into()),
                fixed_order: true,
                ..Draft::default()
            };
            let (bank, _) = check_drafts("p", meta(), vec![draft], Strictness::Lenient, Vec::new());
            prop_assume!(bank.is_some());
            let bank = bank.unwrap();
            let (drafts, problems) = parse("p.gift", &write(&bank));
            let (back, _) = check_drafts("p", meta(), drafts, Strictness::Lenient, problems);
            prop_assert_eq!(back.map(|b| b.questions), Some(bank.questions));
        }
    }
}
