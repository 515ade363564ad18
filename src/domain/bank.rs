//! The question bank file format (TOML) and every rule a bank must satisfy.
//!
//! A bank file has a `[bank]` table and an array of `[[question]]` tables;
//! `question_banks/README.md` documents it for authors. Parsing collects
//! every problem (with file, line and question key) instead of stopping at
//! the first, so an author fixes a file in one pass.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::text::{fold_for_compare, nfc};

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

/// The options of every true/false question, in this order.
pub const TRUE_FALSE_OPTIONS: [&str; 2] = ["Đúng", "Sai"];
/// Fewest and most options a question may have.
pub const OPTIONS_RANGE: std::ops::RangeInclusive<usize> = 2..=6;
const LETTERS: [char; 6] = ['A', 'B', 'C', 'D', 'E', 'F'];

/// A bank's identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
}

impl Question {
    /// A digest of everything a participant or grader sees; a change makes a new version.
    pub fn content_hash(&self) -> String {
        let canonical = serde_json::json!([
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bank {
    /// The `[bank]` table.
    pub meta: BankMeta,
    /// Every question, in file order.
    pub questions: Vec<Question>,
}

/// Error or warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Blocks import; `banks check` exits non-zero.
    Error,
    /// Reported; does not block.
    Warning,
}

/// One thing wrong with a bank file.
#[derive(Clone, Debug, PartialEq, Eq)]
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    bank: RawMeta,
    #[serde(default)]
    question: Vec<toml::Spanned<RawQuestion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    slug: String,
    title: String,
    topic: String,
    #[serde(default)]
    replaced_documents: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    key: Option<String>,
    kind: Option<String>,
    difficulty: Option<String>,
    text: Option<String>,
    #[serde(default)]
    options: Vec<String>,
    answer: Option<RawAnswer>,
    explanation: Option<String>,
    source: Option<String>,
    #[serde(default)]
    fixed_order: bool,
    as_of: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawAnswer {
    One(String),
    Many(Vec<String>),
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// Parses and checks one bank file. Returns the bank when it has no errors,
/// and every problem found (warnings included) either way.
pub fn parse_toml(file: &str, text: &str) -> (Option<Bank>, Vec<Problem>) {
    let mut problems = Vec::new();
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start));
            problems.push(Problem {
                severity: Severity::Error,
                file: file.to_string(),
                line,
                key: None,
                message: format!("TOML không hợp lệ: {}", e.message()),
            });
            return (None, problems);
        }
    };
    let meta = BankMeta {
        slug: raw.bank.slug.trim().to_string(),
        title: nfc(raw.bank.title.trim()),
        topic: raw.bank.topic.trim().to_string(),
        replaced_documents: raw.bank.replaced_documents.iter().map(|d| nfc(d.trim())).collect(),
    };
    let drafts: Vec<Draft> = raw
        .question
        .into_iter()
        .map(|spanned| {
            let line = line_of(text, spanned.span().start);
            let q = spanned.into_inner();
            Draft {
                line,
                key: q.key,
                kind: q.kind,
                difficulty: q.difficulty,
                text: q.text,
                options: q.options,
                answer: q.answer.map(|a| match a {
                    RawAnswer::One(s) => vec![s],
                    RawAnswer::Many(v) => v,
                }),
                explanation: q.explanation,
                source: q.source,
                fixed_order: q.fixed_order,
                as_of: toml_date(q.as_of.as_ref()),
            }
        })
        .collect();
    check_drafts(file, meta, drafts, Strictness::Strict, problems)
}

/// How strictly missing explanations and sources are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strictness {
    /// hoithi's own format: every question needs both (errors).
    Strict,
    /// Formats that carry neither (GIFT, Aiken, some spreadsheets): a warning.
    Lenient,
}

/// A question as a file states it, before checking (any format).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// 1-based line (or row) where it starts.
    pub line: usize,
    /// Stable key.
    pub key: Option<String>,
    /// `single`, `multiple` or `true_false`.
    pub kind: Option<String>,
    /// `easy`, `medium` or `hard`.
    pub difficulty: Option<String>,
    /// The question.
    pub text: Option<String>,
    /// Options in file order.
    pub options: Vec<String>,
    /// Letters of the correct options.
    pub answer: Option<Vec<String>>,
    /// Why.
    pub explanation: Option<String>,
    /// Document and article.
    pub source: Option<String>,
    /// Keep options in order.
    pub fixed_order: bool,
    /// The date the facts are stated at, or why it could not be read.
    pub as_of: Result<Option<NaiveDate>, String>,
}

impl Default for Draft {
    fn default() -> Self {
        Self {
            line: 0,
            key: None,
            kind: None,
            difficulty: None,
            text: None,
            options: Vec::new(),
            answer: None,
            explanation: None,
            source: None,
            fixed_order: false,
            as_of: Ok(None),
        }
    }
}

fn toml_date(v: Option<&toml::Value>) -> Result<Option<NaiveDate>, String> {
    match v {
        None => Ok(None),
        Some(toml::Value::Datetime(dt)) => match (dt.date, dt.time) {
            (Some(d), None) => Ok(NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))),
            _ => Err("as_of phải là một ngày, ví dụ 2020-12-31".into()),
        },
        Some(toml::Value::String(s)) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("as_of \"{s}\" không phải ngày dạng YYYY-MM-DD")),
        Some(_) => Err("as_of phải là một ngày, ví dụ 2020-12-31".into()),
    }
}

/// Checks a bank's identity and questions, whatever format they came in;
/// returns the bank when there is no error, adding every problem found.
pub fn check_drafts(
    file: &str,
    meta: BankMeta,
    drafts: Vec<Draft>,
    strictness: Strictness,
    mut problems: Vec<Problem>,
) -> (Option<Bank>, Vec<Problem>) {
    let mut err = |line: Option<usize>, key: Option<&str>, severity: Severity, message: String| {
        problems.push(Problem { severity, file: file.to_string(), line, key: key.map(str::to_string), message });
    };
    if !is_slug(&meta.slug) {
        err(
            Some(1),
            None,
            Severity::Error,
            format!("slug \"{}\" chỉ được gồm chữ thường a–z, chữ số và dấu '-'", meta.slug),
        );
    }
    if meta.title.is_empty() {
        err(Some(1), None, Severity::Error, "thiếu tiêu đề ngân hàng (bank.title)".into());
    }
    if meta.topic.is_empty() {
        err(Some(1), None, Severity::Error, "thiếu chủ đề (bank.topic)".into());
    }
    if drafts.is_empty() {
        err(None, None, Severity::Error, "ngân hàng không có câu hỏi nào ([[question]])".into());
    }

    let mut questions = Vec::new();
    let mut warnings: Vec<(Option<usize>, String, String)> = Vec::new();
    let mut seen_keys: HashMap<String, usize> = HashMap::new();
    let mut seen_texts: HashMap<String, (String, usize)> = HashMap::new();
    for q in drafts {
        let line_no = q.line;
        let line = Some(line_no);
        let key = q.key.as_deref().map(str::trim).unwrap_or("").to_string();
        let key_ref = if key.is_empty() { None } else { Some(key.as_str()) };
        let mut ok = true;
        let mut bad = |message: String| {
            ok = false;
            err(line, key_ref, Severity::Error, message);
        };
        if key.is_empty() {
            bad("thiếu khóa câu hỏi (key)".into());
        } else if let Some(first) = seen_keys.get(&key) {
            bad(format!("khóa \"{key}\" trùng với câu hỏi ở dòng {first}"));
        } else {
            seen_keys.insert(key.clone(), line_no);
        }
        let kind = match q.kind.as_deref() {
            None => {
                bad("thiếu loại câu hỏi (kind)".into());
                None
            }
            Some(k) => Kind::parse(k).or_else(|| {
                bad(format!("loại \"{k}\" không hợp lệ (single | multiple | true_false)"));
                None
            }),
        };
        let difficulty = match q.difficulty.as_deref() {
            None => {
                bad("thiếu mức độ (difficulty)".into());
                None
            }
            Some(d) => Difficulty::parse(d).or_else(|| {
                bad(format!("mức độ \"{d}\" không hợp lệ (easy | medium | hard)"));
                None
            }),
        };
        let qtext = nfc(q.text.as_deref().unwrap_or("").trim());
        if qtext.is_empty() {
            bad("thiếu nội dung câu hỏi (text)".into());
        } else {
            let folded = fold_for_compare(&qtext);
            if let Some((other, other_line)) = seen_texts.get(&folded) {
                bad(format!("nội dung trùng với câu hỏi \"{other}\" (dòng {other_line})"));
            } else {
                seen_texts.insert(folded, (key.clone(), line_no));
            }
        }
        let options: Vec<String> = q.options.iter().map(|o| nfc(o.trim())).collect();
        if !OPTIONS_RANGE.contains(&options.len()) {
            bad(format!("cần từ 2 đến 6 phương án, có {}", options.len()));
        }
        for (i, o) in options.iter().enumerate() {
            if o.is_empty() {
                bad(format!("phương án {} để trống", letter(i)));
            }
        }
        let mut folded_opts: Vec<String> = options.iter().map(|o| fold_for_compare(o)).collect();
        folded_opts.sort();
        if folded_opts.windows(2).any(|w| w[0] == w[1] && !w[0].is_empty()) {
            bad("có hai phương án giống nhau".into());
        }
        if kind == Some(Kind::TrueFalse) && options != TRUE_FALSE_OPTIONS {
            bad("câu đúng/sai phải có đúng hai phương án [\"Đúng\", \"Sai\"]".into());
        }
        if !q.fixed_order
            && let Some((i, _)) = options.iter().enumerate().find(|(_, o)| refers_to_other_options(o))
        {
            bad(format!(
                "phương án {} (\"{}\") nhắc tới các phương án khác: cần fixed_order = true",
                letter(i),
                options[i]
            ));
        }
        let answer: Vec<usize> = match (&q.answer, kind) {
            (None, _) => {
                bad("thiếu đáp án (answer)".into());
                Vec::new()
            }
            (Some(raw), kind) => {
                let letters: Vec<&str> = raw.iter().map(String::as_str).collect();
                let mut idx = Vec::new();
                for l in &letters {
                    match letter_index(l) {
                        Some(i) if i < options.len() => idx.push(i),
                        _ => bad(format!(
                            "đáp án \"{l}\" không ứng với phương án nào (A–{})",
                            letter(options.len().max(1) - 1)
                        )),
                    }
                }
                idx.sort_unstable();
                idx.dedup();
                if idx.len() != letters.len()
                    && idx.len() == letters.iter().filter(|l| letter_index(l).is_some()).count()
                {
                    bad("đáp án lặp lại một phương án".into());
                }
                match kind {
                    Some(Kind::Single) | Some(Kind::TrueFalse) if letters.len() != 1 => {
                        bad("câu một lựa chọn cần đúng một đáp án, ví dụ answer = \"B\"".into())
                    }
                    Some(Kind::Multiple) if letters.is_empty() => {
                        bad("câu nhiều lựa chọn cần ít nhất một đáp án".into())
                    }
                    _ => {}
                }
                idx
            }
        };
        let explanation = nfc(q.explanation.as_deref().unwrap_or("").trim());
        let source = nfc(q.source.as_deref().unwrap_or("").trim());
        let missing = [
            (explanation.is_empty(), "thiếu giải thích (explanation)"),
            (source.is_empty(), "thiếu nguồn (source): văn bản và điều khoản làm căn cứ"),
        ];
        for (is_missing, message) in missing.into_iter().filter(|(m, _)| *m) {
            debug_assert!(is_missing);
            match strictness {
                Strictness::Strict => bad(message.into()),
                Strictness::Lenient => warnings.push((line, key.clone(), message.to_string())),
            }
        }
        let as_of = match q.as_of {
            Ok(d) => d,
            Err(m) => {
                bad(m);
                None
            }
        };
        if let (true, Some(kind), Some(difficulty)) = (ok, kind, difficulty) {
            questions.push(Question {
                key,
                kind,
                difficulty,
                text: qtext,
                options,
                answer,
                explanation,
                source,
                fixed_order: q.fixed_order,
                as_of,
            });
        }
    }
    for (line, key, message) in warnings {
        problems.push(Problem {
            severity: Severity::Warning,
            file: file.to_string(),
            line,
            key: (!key.is_empty()).then_some(key),
            message,
        });
    }
    // Questions outlive the documents they cite: name the document, never "the current one".
    for q in &questions {
        let lower = q.text.to_lowercase();
        if let Some(word) = ["hiện hành", "hiện nay"].into_iter().find(|w| lower.contains(w)) {
            problems.push(Problem {
                severity: Severity::Warning,
                file: file.to_string(),
                line: None,
                key: Some(q.key.clone()),
                message: format!(
                    "câu hỏi dùng \"{word}\": hãy nêu tên và số hiệu văn bản thay vì nói văn bản đang có hiệu lực"
                ),
            });
        }
    }
    // A question that cites a replaced document must name it in its text.
    for q in &questions {
        for doc in &meta.replaced_documents {
            if q.source.contains(doc.as_str()) && !q.text.contains(doc.as_str()) {
                problems.push(Problem {
                    severity: Severity::Warning,
                    file: file.to_string(),
                    line: None,
                    key: Some(q.key.clone()),
                    message: format!("nguồn dẫn văn bản đã được thay thế ({doc}) nhưng câu hỏi không nêu tên văn bản"),
                });
            }
        }
    }
    if has_errors(&problems) { (None, problems) } else { (Some(Bank { meta, questions }), problems) }
}

/// Writes a bank in hoithi's own TOML format (what `parse_toml` reads back).
pub fn write_toml(bank: &Bank) -> Result<String, String> {
    #[derive(Serialize)]
    struct Meta<'a> {
        slug: &'a str,
        title: &'a str,
        topic: &'a str,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        replaced_documents: &'a [String],
    }
    #[derive(Serialize)]
    struct Q<'a> {
        key: &'a str,
        kind: &'a str,
        difficulty: &'a str,
        text: &'a str,
        options: &'a [String],
        answer: toml::Value,
        explanation: &'a str,
        source: &'a str,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        fixed_order: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        as_of: Option<toml::value::Datetime>,
    }
    #[derive(Serialize)]
    struct File<'a> {
        bank: Meta<'a>,
        question: Vec<Q<'a>>,
    }
    let letters = |q: &Question| -> Vec<toml::Value> {
        q.answer.iter().map(|&i| toml::Value::String(letter(i).to_string())).collect()
    };
    let file = File {
        bank: Meta {
            slug: &bank.meta.slug,
            title: &bank.meta.title,
            topic: &bank.meta.topic,
            replaced_documents: &bank.meta.replaced_documents,
        },
        question: bank
            .questions
            .iter()
            .map(|q| Q {
                key: &q.key,
                kind: q.kind.as_str(),
                difficulty: q.difficulty.as_str(),
                text: &q.text,
                options: &q.options,
                answer: match (q.kind, letters(q)) {
                    (Kind::Multiple, l) => toml::Value::Array(l),
                    (_, mut l) => l.pop().unwrap_or_else(|| toml::Value::String(String::new())),
                },
                explanation: &q.explanation,
                source: &q.source,
                fixed_order: q.fixed_order,
                as_of: q.as_of.and_then(|d| d.to_string().parse().ok()),
            })
            .collect(),
    };
    toml::to_string(&file).map_err(|e| e.to_string())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[bank]
slug = "mot-cua"
title = "Một cửa"
topic = "mot-cua"
replaced_documents = ["61/2018/NĐ-CP"]

[[question]]
key = "mc-001"
kind = "single"
difficulty = "easy"
text = "Theo Nghị định 61/2018/NĐ-CP, câu hỏi một?"
options = ["Một", "Hai", "Ba", "Cả A, B và C"]
fixed_order = true
answer = "B"
explanation = "Vì thế."
source = "MC-01 — Nghị định 61/2018/NĐ-CP, Điều 1"
as_of = 2020-12-31

[[question]]
key = "mc-002"
kind = "multiple"
difficulty = "hard"
text = "Câu hỏi hai?"
options = ["X", "Y", "Z"]
answer = ["C", "A"]
explanation = "Vì vậy."
source = "MC-02 — Nghị định 45/2020/NĐ-CP, Điều 2"
as_of = "2021-01-01"

[[question]]
key = "mc-003"
kind = "true_false"
difficulty = "medium"
text = "Câu ba đúng không?"
options = ["Đúng", "Sai"]
answer = "A"
explanation = "Đúng."
source = "MC-03 — Quyết định 1847/QĐ-TTg"
"#;

    fn problems_for(text: &str) -> Vec<Problem> {
        parse_toml("b.toml", text).1
    }

    fn with_question(fields: &str) -> String {
        format!("[bank]\nslug = \"b\"\ntitle = \"T\"\ntopic = \"t\"\n\n[[question]]\n{fields}\n")
    }

    const BASE: &str = "key = \"k1\"\nkind = \"single\"\ndifficulty = \"easy\"\ntext = \"Hỏi?\"\noptions = [\"A1\", \"B1\"]\nanswer = \"A\"\nexplanation = \"E\"\nsource = \"S\"";

    fn one_error(fields: &str) -> Problem {
        let ps = problems_for(&with_question(fields));
        let errors: Vec<_> = ps.into_iter().filter(|p| p.severity == Severity::Error).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn a_good_bank_parses_with_answers_as_indexes() {
        let (bank, problems) = parse_toml("good.toml", GOOD);
        assert!(problems.is_empty(), "{problems:?}");
        let bank = bank.unwrap();
        assert_eq!(bank.meta.slug, "mot-cua");
        assert_eq!(bank.questions.len(), 3);
        assert_eq!(bank.questions[0].answer, vec![1]);
        assert_eq!(bank.questions[1].answer, vec![0, 2]);
        assert_eq!(bank.questions[1].as_of, NaiveDate::from_ymd_opt(2021, 1, 1));
        assert_eq!(bank.questions[0].as_of, NaiveDate::from_ymd_opt(2020, 12, 31));
        assert_eq!(bank.questions[2].kind, Kind::TrueFalse);
    }

    #[test]
    fn the_base_question_is_valid() {
        let (bank, problems) = parse_toml("b.toml", &with_question(BASE));
        assert!(problems.is_empty(), "{problems:?}");
        assert!(bank.is_some());
    }

    #[test]
    fn duplicate_key_is_reported_with_both_lines() {
        let text = format!("{}\n[[question]]\n{}", with_question(BASE), BASE.replace("Hỏi?", "Khác?"));
        let ps = problems_for(&text);
        assert_eq!(ps.len(), 1, "{ps:?}");
        assert!(ps[0].message.contains("trùng") && ps[0].message.contains("dòng 6"), "{}", ps[0]);
        assert_eq!(ps[0].key.as_deref(), Some("k1"));
        assert_eq!(ps[0].line, Some(16));
    }

    #[test]
    fn duplicate_text_after_nfc_whitespace_and_case_folding() {
        // "Hỏi?" decomposed (NFD), upper case, extra spaces.
        let other = BASE.replace("k1", "k2").replace("Hỏi?", "  HO\u{309}I? ");
        let text = format!("{}\n[[question]]\n{}", with_question(BASE), other);
        let ps = problems_for(&text);
        assert_eq!(ps.len(), 1, "{ps:?}");
        assert!(ps[0].message.contains("nội dung trùng"), "{}", ps[0]);
    }

    #[test]
    fn answer_naming_no_option() {
        let p = one_error(&BASE.replace("answer = \"A\"", "answer = \"C\""));
        assert!(p.message.contains("không ứng với phương án"), "{p}");
    }

    #[test]
    fn too_few_options_and_empty_option() {
        let p = one_error(&BASE.replace("[\"A1\", \"B1\"]", "[\"A1\"]"));
        assert!(p.message.contains("từ 2 đến 6"), "{p}");
        let p = one_error(&BASE.replace("[\"A1\", \"B1\"]", "[\"A1\", \"  \"]"));
        assert!(p.message.contains("để trống"), "{p}");
        let p = one_error(&BASE.replace("[\"A1\", \"B1\"]", "[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\"]"));
        assert!(p.message.contains("từ 2 đến 6"), "{p}");
    }

    #[test]
    fn missing_source_or_explanation() {
        let p = one_error(&BASE.replace("source = \"S\"", "source = \" \""));
        assert!(p.message.contains("thiếu nguồn"), "{p}");
        let p = one_error(&BASE.replace("explanation = \"E\"", ""));
        assert!(p.message.contains("thiếu giải thích"), "{p}");
    }

    #[test]
    fn all_of_the_above_needs_fixed_order() {
        let p = one_error(&BASE.replace("[\"A1\", \"B1\"]", "[\"A1\", \"B1\", \"Cả A và B đều đúng\"]"));
        assert!(p.message.contains("fixed_order"), "{p}");
        let p = one_error(&BASE.replace("[\"A1\", \"B1\"]", "[\"A1\", \"Không phương án nào đúng\"]"));
        assert!(p.message.contains("fixed_order"), "{p}");
        let ok = with_question(&format!(
            "{}\nfixed_order = true",
            BASE.replace("[\"A1\", \"B1\"]", "[\"A1\", \"Tất cả các phương án trên\"]")
        ));
        assert!(problems_for(&ok).is_empty());
    }

    #[test]
    fn ordinary_options_are_not_taken_for_all_of_the_above() {
        for o in ["Cả nước", "Ủy ban nhân dân cấp xã", "Bộ Nội vụ", "Cả năm 2020"] {
            assert!(!refers_to_other_options(o), "{o}");
        }
        for o in ["Cả A, B và C", "cả a và b", "Tất cả các ý trên", "Các phương án trên đều sai"] {
            assert!(refers_to_other_options(o), "{o}");
        }
    }

    #[test]
    fn bad_kind_difficulty_and_true_false_options() {
        let p = one_error(&BASE.replace("\"single\"", "\"essay\""));
        assert!(p.message.contains("loại"), "{p}");
        let p = one_error(&BASE.replace("\"easy\"", "\"trivial\""));
        assert!(p.message.contains("mức độ"), "{p}");
        let p = one_error(&BASE.replace("\"single\"", "\"true_false\""));
        assert!(p.message.contains("Đúng"), "{p}");
    }

    #[test]
    fn single_with_two_answers_is_an_error() {
        let p = one_error(&BASE.replace("answer = \"A\"", "answer = [\"A\", \"B\"]"));
        assert!(p.message.contains("một đáp án"), "{p}");
    }

    #[test]
    fn malformed_toml_names_the_line() {
        let (bank, ps) = parse_toml(
            "x.toml",
            "[bank]\nslug = \"a\"\ntitle = \"T\"\ntopic = \"t\"\n\n[[question]]\nkey = \"k\nkind = 1\n",
        );
        assert!(bank.is_none());
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].line, Some(7), "{}", ps[0]);
        assert!(ps[0].to_string().starts_with("x.toml:7"));
    }

    #[test]
    fn unknown_field_is_an_error() {
        let (_, ps) = parse_toml("x.toml", &with_question(&format!("{BASE}\nanwser = \"B\"")));
        assert!(ps[0].message.contains("anwser"), "{}", ps[0]);
    }

    #[test]
    fn citing_a_replaced_document_without_naming_it_warns() {
        let text = GOOD.replace("Theo Nghị định 61/2018/NĐ-CP, câu hỏi một?", "Câu hỏi một?");
        let (bank, ps) = parse_toml("w.toml", &text);
        assert!(bank.is_some());
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].severity, Severity::Warning);
        assert_eq!(ps[0].key.as_deref(), Some("mc-001"));
    }

    #[test]
    fn content_hash_changes_with_content_only() {
        let (bank, _) = parse_toml("g.toml", GOOD);
        let q = bank.unwrap().questions[0].clone();
        let mut q2 = q.clone();
        assert_eq!(q.content_hash(), q2.content_hash());
        q2.answer = vec![2];
        assert_ne!(q.content_hash(), q2.content_hash());
    }

    #[test]
    fn lenient_formats_warn_about_missing_source_and_explanation() {
        let meta = BankMeta { slug: "b".into(), title: "T".into(), topic: "t".into(), replaced_documents: vec![] };
        let draft = Draft {
            line: 3,
            key: Some("q1".into()),
            kind: Some("single".into()),
            difficulty: Some("medium".into()),
            text: Some("Hỏi?".into()),
            options: vec!["A1".into(), "B1".into()],
            answer: Some(vec!["B".into()]),
            ..Draft::default()
        };
        let (bank, ps) = check_drafts("x.gift", meta.clone(), vec![draft.clone()], Strictness::Lenient, Vec::new());
        assert_eq!(bank.unwrap().questions[0].answer, vec![1]);
        assert_eq!(ps.len(), 2);
        assert!(ps.iter().all(|p| p.severity == Severity::Warning && p.line == Some(3)), "{ps:?}");
        let (bank, ps) = check_drafts("x.toml", meta, vec![draft], Strictness::Strict, Vec::new());
        assert!(bank.is_none());
        assert!(ps.iter().all(|p| p.severity == Severity::Error));
    }

    #[test]
    fn stats_count_and_unbalanced_letters_warn() {
        let (bank, _) = parse_toml("g.toml", GOOD);
        let bank = bank.unwrap();
        let s = Stats::of(&bank);
        assert_eq!(s.difficulty, [1, 1, 1]);
        assert_eq!(s.kind, [1, 1, 1]);
        assert_eq!(s.letters, [1, 1, 0, 0, 0, 0], "single B and true/false A; multiple not counted");
        assert!(check_letter_balance("g.toml", &bank).is_empty(), "too small to judge");
        let mut big = bank.clone();
        big.questions = (0..12)
            .map(|i| Question { key: format!("k{i}"), answer: vec![usize::from(i < 6)], ..bank.questions[0].clone() })
            .collect();
        assert!(check_letter_balance("g.toml", &big).len() == 2, "A and B at 50% each");
        big.questions.iter_mut().enumerate().for_each(|(i, q)| q.answer = vec![i % 4]);
        assert!(check_letter_balance("g.toml", &big).is_empty(), "25% each is balanced");
    }

    #[test]
    fn toml_round_trip_keeps_every_question() {
        let (bank, _) = parse_toml("g.toml", GOOD);
        let bank = bank.unwrap();
        let text = write_toml(&bank).unwrap();
        let (again, problems) = parse_toml("g2.toml", &text);
        assert!(problems.is_empty(), "{problems:?}\n{text}");
        assert_eq!(again.unwrap(), bank);
    }

    #[test]
    fn current_law_wording_warns() {
        let text = GOOD.replace("Câu hỏi hai?", "Theo quy định hiện hành, câu hỏi hai?");
        let (bank, ps) = parse_toml("h.toml", &text);
        assert!(bank.is_some());
        assert_eq!(ps.len(), 1);
        assert!(ps[0].message.contains("hiện hành") && ps[0].key.as_deref() == Some("mc-002"), "{ps:?}");
    }

    #[test]
    fn duplicate_slugs_across_files() {
        let (a, _) = parse_toml("a.toml", GOOD);
        let (b, _) = parse_toml("b.toml", GOOD);
        let (a, b) = (a.unwrap(), b.unwrap());
        let ps = check_slugs([("a.toml", &a), ("b.toml", &b)]);
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].file, "b.toml");
    }
}
