//! Moodle's Aiken format (docs.moodle.org, "Aiken format"): import only.
//!
//! ```text
//! Cơ quan nào ban hành Nghị định?
//! A. Quốc hội
//! B) Chính phủ
//! ANSWER: B
//! ```
//!
//! A question is a block of lines separated from the next by a blank line:
//! the question text on one line, then one option a line — an upper-case
//! letter, `.` or `)`, a space, the option, letters in order from `A` — then
//! the line `ANSWER: <letter>`. Aiken has exactly one right answer, so every
//! question is kind `single`.
//!
//! Aiken carries no key, difficulty, explanation or source: keys are `q-NNN`
//! from the question's position (`q-001` for the first block, malformed ones
//! counted), every question is `medium` (one warning per file), and
//! `check_drafts` with `Strictness::Lenient` warns about the missing
//! explanation and source. A malformed block (no `ANSWER:` line, an answer
//! naming no option, fewer than two options, text after `ANSWER:`, text on
//! more than one line, options out of order) is reported with its line and
//! skipped.

use crate::domain::bank::{Draft, Kind, OPTIONS_RANGE, Problem, Severity};

use super::gift::{blocks, numbered_lines};

/// Parses an Aiken file into drafts for `bank::check_drafts` (with
/// `Strictness::Lenient`), and every problem found, each naming its line.
pub fn parse(file: &str, text: &str) -> (Vec<Draft>, Vec<Problem>) {
    let mut drafts = Vec::new();
    let mut problems = Vec::new();
    let lines = numbered_lines(text);
    for (i, block) in blocks(&lines).iter().enumerate() {
        let key = format!("q-{:03}", i + 1);
        match question(block, &key) {
            Ok(draft) => drafts.push(draft),
            Err((line, message)) => problems.push(Problem {
                severity: Severity::Error,
                file: file.to_string(),
                line: Some(line),
                key: Some(key),
                message: format!("{message}; câu hỏi bị bỏ qua"),
            }),
        }
    }
    if let Some(first) = drafts.first() {
        problems.push(Problem {
            severity: Severity::Warning,
            file: file.to_string(),
            line: Some(first.line),
            key: None,
            message: format!("Aiken không có mức độ: {} câu hỏi được đặt mức \"medium\"", drafts.len()),
        });
    }
    (drafts, problems)
}

/// An option line: `A. text`, `A) text` (or just `A.`): its letter and text.
fn option(line: &str) -> Option<(char, &str)> {
    let mut chars = line.chars();
    let label = chars.next().filter(char::is_ascii_uppercase)?;
    let rest = chars.as_str().strip_prefix(['.', ')'])?;
    if rest.is_empty() || rest.starts_with([' ', '\t']) { Some((label, rest.trim())) } else { None }
}

fn question(block: &[(usize, &str)], key: &str) -> Result<Draft, (usize, String)> {
    let mut lines = block.iter().map(|&(no, l)| (no, l.trim()));
    let Some((start, text)) = lines.next() else { return Err((0, "khối trống".into())) };
    if text.starts_with("ANSWER:") || option(text).is_some() {
        return Err((start, format!("thiếu nội dung câu hỏi: dòng {start} phải là câu hỏi, viết trên một dòng")));
    }
    let mut options: Vec<String> = Vec::new();
    for (no, line) in lines.by_ref() {
        if let Some(value) = line.strip_prefix("ANSWER:") {
            let value = value.trim();
            let mut chars = value.chars();
            let letter = match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphabetic() => c.to_ascii_uppercase(),
                _ => {
                    return Err((
                        no,
                        format!(
                            "dòng {no}: \"ANSWER: {value}\" phải là đúng một chữ cái (Aiken chỉ có một đáp án đúng)"
                        ),
                    ));
                }
            };
            if options.len() < *OPTIONS_RANGE.start() {
                return Err((start, format!("câu hỏi ở dòng {start} cần ít nhất 2 phương án, có {}", options.len())));
            }
            let index = usize::from(letter as u8 - b'A');
            if index >= options.len() {
                let last = char::from(b'A' + u8::try_from(options.len() - 1).unwrap_or(25));
                return Err((no, format!("dòng {no}: đáp án \"{letter}\" không ứng với phương án nào (A–{last})")));
            }
            if let Some((after, extra)) = lines.next() {
                return Err((
                    after,
                    format!(
                        "dòng {after}: có chữ sau dòng ANSWER (\"{extra}\"); các câu hỏi phải cách nhau một dòng trống"
                    ),
                ));
            }
            return Ok(Draft {
                line: start,
                key: Some(key.to_string()),
                kind: Some(Kind::Single.as_str().to_string()),
                difficulty: Some("medium".to_string()),
                text: Some(text.to_string()),
                options,
                answer: Some(vec![letter.to_string()]),
                ..Draft::default()
            });
        }
        match option(line) {
            Some((label, value)) => {
                let expected = u8::try_from(options.len()).ok().and_then(|n| b'A'.checked_add(n)).map(char::from);
                if Some(label) != expected {
                    let expected = expected.map_or_else(|| "?".to_string(), |c| c.to_string());
                    return Err((no, format!("dòng {no}: phương án \"{label}\" sai thứ tự, cần \"{expected}\"")));
                }
                options.push(value.to_string());
            }
            None if options.is_empty() => {
                return Err((no, format!("dòng {no}: nội dung câu hỏi phải viết trên một dòng (dòng {start})")));
            }
            None => {
                return Err((no, format!("dòng {no}: không phải phương án (\"A. …\" hoặc \"A) …\") hay dòng ANSWER:")));
            }
        }
    }
    Err((start, format!("câu hỏi ở dòng {start} thiếu dòng \"ANSWER: <chữ cái>\"")))
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

    fn one_error(text: &str) -> Problem {
        let (drafts, problems) = parse("x.txt", text);
        assert!(drafts.is_empty(), "{drafts:#?}");
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].severity, Severity::Error);
        problems[0].clone()
    }

    #[test]
    fn documented_examples_parse() {
        let (drafts, problems) = parse("x.txt", GOOD);
        assert_eq!(drafts.len(), 2);
        assert_eq!(drafts[0].key.as_deref(), Some("q-001"));
        assert_eq!(drafts[0].line, 1);
        assert_eq!(drafts[0].options, ["GIFT", "Moodle XML", "Aiken", "CSV"]);
        assert_eq!(drafts[0].answer, Some(vec!["C".to_string()]));
        assert_eq!(drafts[1].key.as_deref(), Some("q-002"));
        assert_eq!(drafts[1].line, 8);
        assert_eq!(drafts[1].text.as_deref(), Some("Cơ quan nào ban hành Nghị định?"));
        assert_eq!(drafts[1].options, ["Quốc hội", "Chính phủ", "Ủy ban Thường vụ Quốc hội"]);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].severity, Severity::Warning);
        assert_eq!(problems[0].line, Some(1));
        assert!(problems[0].message.contains("2 câu hỏi") && problems[0].message.contains("medium"));

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
        let (drafts, _) = parse("x.txt", text);
        let (bank, ps) = check_drafts("x.txt", meta(), drafts, Strictness::Lenient, Vec::new());
        assert!(!has_errors(&ps), "{ps:#?}");
        let q = &bank.unwrap().questions[0];
        assert_eq!(q.text, "Quyết định nào?");
        assert_eq!(q.answer, vec![0]);
    }

    #[test]
    fn malformed_blocks_name_their_line() {
        let cases: [(&str, usize, &str); 9] = [
            ("Hỏi?\nA. x\nB. y\n", 1, "thiếu dòng \"ANSWER"),
            ("Hỏi?\nA. x\nB. y\nANSWER: C\n", 4, "không ứng với phương án nào (A–B)"),
            ("Hỏi?\nA. x\nANSWER: A\n", 1, "ít nhất 2 phương án"),
            ("Hỏi?\nA. x\nB. y\nANSWER: A\nHỏi tiếp?\n", 5, "sau dòng ANSWER"),
            ("Hỏi?\nA. x\nB. y\nANSWER: A, B\n", 4, "một chữ cái"),
            ("Hỏi\ntiếp?\nA. x\nB. y\nANSWER: A\n", 2, "một dòng"),
            ("Hỏi?\nA. x\nC. y\nANSWER: A\n", 3, "sai thứ tự"),
            ("Hỏi?\nA. x\nlạc dòng\nANSWER: A\n", 3, "không phải phương án"),
            ("A. x\nB. y\nANSWER: A\n", 1, "thiếu nội dung"),
        ];
        for (text, line, needle) in cases {
            let p = one_error(&format!("\n\n{text}"));
            assert_eq!(p.line, Some(line + 2), "{text}: {p}");
            assert!(p.message.contains(needle) && p.message.contains("bỏ qua"), "{text}: {p}");
            assert!(p.to_string().starts_with(&format!("x.txt:{}: lỗi [q-001]", line + 2)), "{p}");
        }
    }

    #[test]
    fn a_malformed_block_does_not_hide_the_others() {
        let text = format!("Hỏng?\nA. x\n\n{GOOD}");
        let (drafts, problems) = parse("x.txt", &text);
        assert_eq!(drafts.iter().map(|d| d.key.clone().unwrap()).collect::<Vec<_>>(), ["q-002", "q-003"]);
        assert_eq!(problems.iter().filter(|p| p.severity == Severity::Error).count(), 1);
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
            let (drafts, problems) = parse("p.txt", &s);
            let _ = check_drafts("p.txt", meta(), drafts, Strictness::Lenient, problems);
        }

        #[test]
        fn parse_never_panics_on_aiken_tokens(s in aikenish()) {
            let (drafts, problems) = parse("p.txt", &s);
            prop_assert!(problems.iter().all(|p| p.line.is_some()));
            let _ = check_drafts("p.txt", meta(), drafts, Strictness::Lenient, problems);
        }
    }
}
