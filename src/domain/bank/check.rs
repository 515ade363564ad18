//! The rules a bank's questions satisfy, whatever format they came in.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::*;
use crate::domain::text::{fold_for_compare, nfc};

/// How strictly a file's questions are checked. A missing explanation or
/// source is a warning in every format (`banks check --strict` fails on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strictness {
    /// hoithi's own format: a text repeated in the file is an error.
    Strict,
    /// Formats shared with Moodle (GIFT, Aiken, spreadsheets): a repeated text is a warning, as in Moodle.
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
    /// The exclusion group's name (a slug), if any.
    pub group: Option<String>,
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
            group: None,
        }
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
                let message = format!("nội dung trùng với câu hỏi \"{other}\" (dòng {other_line})");
                match strictness {
                    Strictness::Strict => bad(message),
                    // Moodle imports both and warns; so does hoithi for the formats it shares with Moodle.
                    Strictness::Lenient => warnings.push((line, key.clone(), message)),
                }
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
        // A warning in every format, so that a bank imported from one that
        // carries neither exports to TOML and imports again.
        for (_, message) in missing.into_iter().filter(|(m, _)| *m) {
            warnings.push((line, key.clone(), message.to_string()));
        }
        let as_of = match q.as_of {
            Ok(d) => d,
            Err(m) => {
                bad(m);
                None
            }
        };
        let group = q.group.as_deref().map(str::trim).map(str::to_string);
        if let Some(g) = &group
            && !is_slug(g)
        {
            bad(format!(
                "nhóm loại trừ \"{g}\" chỉ được gồm chữ thường a–z, chữ số và dấu '-' (ví dụ group = \"vhcv-ngay-1847\")"
            ));
        }
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
                group,
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
