//! Moodle's Aiken format (docs.moodle.org, "Aiken format"): import only.
//!
//! ```text
//! Cơ quan nào ban hành Nghị định?
//! A. Quốc hội
//! B) Chính phủ
//! ANSWER: B
//! ```
//!
//! A question is its text, then one option a line — an upper-case letter,
//! `.` or `)`, the option, letters in order from `A` — then the line
//! `ANSWER: <letter>`. Aiken has exactly one right answer, so every
//! question is kind `single`.
//!
//! Aiken carries no key, difficulty, explanation or source: a question's
//! key comes from its text (see `formats::content_key`), so inserting a
//! question never renames the others; every question is `medium` (one
//! warning per file), and `check_drafts` with `Strictness::Lenient` warns
//! about the missing explanation and source.
//!
//! The file is read line by line, as Moodle reads it: blank lines are
//! optional, an option label may be followed directly by its text
//! (`A)Đúng`), and a question text that wraps onto several lines is joined.
//! A question that cannot be read (no `ANSWER:` line, an answer naming no
//! option, fewer than two options, options out of order) is reported with
//! its line as skipped ("bị bỏ qua"), and the questions after it are still
//! taken.

use crate::domain::bank::{Draft, Kind, OPTIONS_RANGE, Problem, Severity};

use super::Read;
use super::gift::numbered_lines;

/// A question being read.
struct Open {
    start: usize,
    text: String,
    options: Vec<String>,
    /// Why it cannot be taken, once known (its lines are still consumed).
    broken: Option<(usize, String)>,
}

/// Parses an Aiken file into drafts for `bank::check_drafts` (with
/// `Strictness::Lenient`), and every problem found, each naming its line.
pub fn parse(file: &str, text: &str) -> Read {
    let mut read = Read::default();
    let skip = |read: &mut Read, line: usize, message: String| {
        read.skipped += 1;
        read.problems.push(Problem {
            severity: Severity::Warning,
            file: file.to_string(),
            line: Some(line),
            key: None,
            message: format!("{message}; câu hỏi bị bỏ qua"),
        });
    };
    let mut open: Option<Open> = None;
    for (no, raw) in numbered_lines(text) {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(value) = line.strip_prefix("ANSWER:") {
            let Some(q) = open.take() else {
                skip(&mut read, no, format!("dòng {no}: dòng ANSWER không thuộc câu hỏi nào"));
                continue;
            };
            match finish(q, no, value.trim()) {
                Ok(draft) => read.drafts.push(draft),
                Err((line, message)) => skip(&mut read, line, message),
            }
            continue;
        }
        match (open.as_mut(), option(line)) {
            (Some(q), Some((label, value))) => {
                let expected = u8::try_from(q.options.len()).ok().and_then(|n| b'A'.checked_add(n)).map(char::from);
                if Some(label) != expected && q.broken.is_none() {
                    let expected = expected.map_or_else(|| "?".to_string(), |c| c.to_string());
                    q.broken = Some((no, format!("dòng {no}: phương án \"{label}\" sai thứ tự, cần \"{expected}\"")));
                }
                q.options.push(value.to_string());
            }
            (Some(q), None) if q.options.is_empty() => {
                q.text.push(' ');
                q.text.push_str(line);
            }
            (Some(_), None) => {
                if let Some(q) = open.take() {
                    skip(&mut read, q.start, format!("câu hỏi ở dòng {} thiếu dòng \"ANSWER: <chữ cái>\"", q.start));
                }
                open = Some(Open { start: no, text: line.to_string(), options: Vec::new(), broken: None });
            }
            (None, Some(_)) => {
                let message = format!("dòng {no}: phương án không có nội dung câu hỏi phía trên");
                open = Some(Open { start: no, text: String::new(), options: Vec::new(), broken: Some((no, message)) });
            }
            (None, None) => {
                open = Some(Open { start: no, text: line.to_string(), options: Vec::new(), broken: None });
            }
        }
    }
    if let Some(q) = open {
        skip(&mut read, q.start, format!("câu hỏi ở dòng {} thiếu dòng \"ANSWER: <chữ cái>\"", q.start));
    }
    if let Some(first) = read.drafts.first() {
        read.problems.push(Problem {
            severity: Severity::Warning,
            file: file.to_string(),
            line: Some(first.line),
            key: None,
            message: format!("Aiken không ghi mức độ: {} câu hỏi được coi là mức Trung bình", read.drafts.len()),
        });
    }
    read
}

/// An option line: `A. text`, `A) text`, `A)text` (or just `A.`): its letter and text.
fn option(line: &str) -> Option<(char, &str)> {
    let mut chars = line.chars();
    let label = chars.next().filter(char::is_ascii_uppercase)?;
    let rest = chars.as_str().strip_prefix(['.', ')'])?;
    Some((label, rest.trim()))
}

/// A question at its `ANSWER:` line.
fn finish(q: Open, no: usize, value: &str) -> Result<Draft, (usize, String)> {
    if let Some(broken) = q.broken {
        return Err(broken);
    }
    let start = q.start;
    let mut chars = value.chars();
    let letter = match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_alphabetic() => c.to_ascii_uppercase(),
        _ => {
            return Err((
                no,
                format!("dòng {no}: \"ANSWER: {value}\" phải là đúng một chữ cái (Aiken chỉ có một đáp án đúng)"),
            ));
        }
    };
    if q.options.len() < *OPTIONS_RANGE.start() {
        return Err((start, format!("câu hỏi ở dòng {start} cần ít nhất 2 phương án, có {}", q.options.len())));
    }
    let index = usize::from(letter as u8 - b'A');
    if index >= q.options.len() {
        let last = char::from(b'A' + u8::try_from(q.options.len() - 1).unwrap_or(25));
        return Err((no, format!("dòng {no}: đáp án \"{letter}\" không ứng với phương án nào (A–{last})")));
    }
    Ok(Draft {
        line: start,
        key: None,
        kind: Some(Kind::Single.as_str().to_string()),
        difficulty: Some("medium".to_string()),
        text: Some(q.text),
        options: q.options,
        answer: Some(vec![letter.to_string()]),
        ..Draft::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bank::{BankMeta, Strictness, check_drafts, has_errors};
    use proptest::prelude::*;

    fn meta() -> BankMeta {
        BankMeta { slug: "b".into(), title: "T".into(), topic: "t".into(), replaced_documents: vec![] }
    }

    /// In the style of Moodle's documented examples, with Vietnamese added.
    const GOOD: &str = "\
Which format does this file use?
A. GIFT
B. Moodle XML
C. Aiken
D. CSV
ANSWER: C

Cơ quan nào ban hành Nghị định?
A) Quốc hội
B) Chính phủ
C) Ủy ban Thường vụ Quốc hội
ANSWER: B
";

    fn one_skip(text: &str) -> Problem {
        let read = parse("x.txt", text);
        assert!(read.drafts.is_empty(), "{:#?}", read.drafts);
        assert_eq!(read.skipped, 1);
        assert_eq!(read.problems.len(), 1, "{:#?}", read.problems);
        assert_eq!(read.problems[0].severity, Severity::Warning);
        read.problems[0].clone()
    }

    #[test]
    fn documented_examples_parse() {
        let Read { drafts, problems, skipped, .. } = parse("x.txt", GOOD);
        assert_eq!((drafts.len(), skipped), (2, 0));
        assert_eq!(drafts[0].key, None, "keys come from the text, given later");
        assert_eq!(drafts[0].line, 1);
        assert_eq!(drafts[0].options, ["GIFT", "Moodle XML", "Aiken", "CSV"]);
        assert_eq!(drafts[0].answer, Some(vec!["C".to_string()]));
        assert_eq!(drafts[1].line, 8);
        assert_eq!(drafts[1].text.as_deref(), Some("Cơ quan nào ban hành Nghị định?"));
        assert_eq!(drafts[1].options, ["Quốc hội", "Chính phủ", "Ủy ban Thường vụ Quốc hội"]);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].severity, Severity::Warning);
        assert_eq!(problems[0].line, Some(1));
        assert!(problems[0].message.contains("2 câu hỏi") && problems[0].message.contains("Trung bình"));

        let drafts = drafts.into_iter().enumerate().map(|(i, d)| Draft { key: Some(format!("k{i}")), ..d }).collect();
        let (bank, ps) = check_drafts("x.txt", meta(), drafts, Strictness::Lenient, problems);
        assert!(!has_errors(&ps), "{ps:#?}");
        let bank = bank.unwrap();
        assert_eq!(bank.questions[1].answer, vec![1]);
        assert_eq!(bank.questions[1].kind, Kind::Single);
        // Explanation and source are missing: warnings, with the question's line.
        assert!(ps.iter().any(|p| p.line == Some(8) && p.message.contains("nguồn")), "{ps:#?}");
    }

    #[test]
    fn diacritics_survive_crlf_and_nfd() {
        let text = "Quye\u{302}\u{301}t đi\u{323}nh nào?\r\nA. Một\r\nB. Hai\r\nANSWER: a\r\n";
        let drafts = parse("x.txt", text).drafts.into_iter().map(|d| Draft { key: Some("k".into()), ..d }).collect();
        let (bank, ps) = check_drafts("x.txt", meta(), drafts, Strictness::Lenient, Vec::new());
        assert!(!has_errors(&ps), "{ps:#?}");
        let q = &bank.unwrap().questions[0];
        assert_eq!(q.text, "Quyết định nào?");
        assert_eq!(q.answer, vec![0]);
    }

    #[test]
    fn labels_without_a_space_and_wrapped_text_are_read_as_moodle_reads_them() {
        let read = parse(
            "x.txt",
            "Câu hỏi viết\ntrên hai dòng?\nA)Đúng vậy\nB.Sai\nANSWER: A\nCâu tiếp, không cách dòng?\nA) x\nB) y\nANSWER: B\n",
        );
        assert_eq!(read.skipped, 0, "{:#?}", read.problems);
        assert_eq!(read.drafts.len(), 2);
        assert_eq!(read.drafts[0].text.as_deref(), Some("Câu hỏi viết trên hai dòng?"));
        assert_eq!(read.drafts[0].options, ["Đúng vậy", "Sai"]);
        assert_eq!(read.drafts[1].line, 6);
    }

    #[test]
    fn malformed_questions_are_skipped_with_their_line() {
        let cases: [(&str, usize, &str); 6] = [
            ("Hỏi?\nA. x\nB. y\n", 1, "thiếu dòng \"ANSWER"),
            ("Hỏi?\nA. x\nB. y\nANSWER: C\n", 4, "không ứng với phương án nào (A–B)"),
            ("Hỏi?\nA. x\nANSWER: A\n", 1, "ít nhất 2 phương án"),
            ("Hỏi?\nA. x\nB. y\nANSWER: A, B\n", 4, "một chữ cái"),
            ("Hỏi?\nA. x\nC. y\nANSWER: A\n", 3, "sai thứ tự"),
            ("A. x\nB. y\nANSWER: A\n", 1, "không có nội dung câu hỏi"),
        ];
        for (text, line, needle) in cases {
            let p = one_skip(&format!("\n\n{text}"));
            assert_eq!(p.line, Some(line + 2), "{text}: {p}");
            assert!(p.message.contains(needle) && p.message.contains("bỏ qua"), "{text}: {p}");
            assert!(p.to_string().starts_with(&format!("x.txt:{}: cảnh báo", line + 2)), "{p}");
        }
    }

    #[test]
    fn a_good_question_after_a_broken_one_is_still_taken() {
        // No ANSWER line, and no blank line before the next question.
        let text = format!("Hỏng?\nA. x\nB. y\n{GOOD}");
        let read = parse("x.txt", &text);
        assert_eq!(read.drafts.len(), 2, "{:#?}", read.problems);
        assert_eq!(read.skipped, 1);
        assert_eq!(read.drafts[0].line, 4);
        let skipped = read.problems.iter().find(|p| p.message.contains("bỏ qua")).unwrap();
        assert_eq!(skipped.line, Some(1));
    }

    fn aikenish() -> impl Strategy<Value = String> {
        let tokens = prop::sample::select(vec![
            "A. ",
            "B) ",
            "Z. ",
            "A.",
            "ANSWER:",
            "ANSWER: A",
            "ANSWER: Z",
            " ",
            "\n",
            "\n\n",
            "\r",
            "x",
            "Hỏi?",
            "é",
            "\u{301}",
            "\u{feff}",
            "{",
            "~",
            "=",
            "#",
        ]);
        prop::collection::vec(tokens, 0..60).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_arbitrary_text(s in any::<String>()) {
            let read = parse("p.txt", &s);
            let _ = check_drafts("p.txt", meta(), read.drafts, Strictness::Lenient, read.problems);
        }

        #[test]
        fn parse_never_panics_on_aiken_tokens(s in aikenish()) {
            let read = parse("p.txt", &s);
            prop_assert!(read.problems.iter().all(|p| p.line.is_some()));
            let _ = check_drafts("p.txt", meta(), read.drafts, Strictness::Lenient, read.problems);
        }
    }
}
