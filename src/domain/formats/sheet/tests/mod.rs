use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use super::values::*;
use super::*;
use crate::domain::formats::Budget;

/// A CSV sheet read with the default budget.
fn parse_csv(file: &str, bytes: &[u8]) -> (Vec<Draft>, Vec<Problem>) {
    super::parse_csv(file, bytes, &Budget::default())
}

/// An .xlsx sheet read with the default budget, the sheet found by its header.
fn parse_xlsx(file: &str, bytes: &[u8]) -> (Vec<Draft>, Vec<Problem>) {
    super::parse_xlsx(file, bytes, None, &Budget::default())
}
use crate::domain::bank::{BankMeta, Strictness, check_drafts, parse_toml};

fn meta() -> BankMeta {
    BankMeta { slug: "b".into(), title: "T".into(), topic: "t".into(), replaced_documents: vec![] }
}

/// Drafts checked as an import checks them: keys from content where the sheet gives none.
fn check((mut drafts, problems): (Vec<Draft>, Vec<Problem>)) -> (Option<Bank>, Vec<Problem>) {
    crate::domain::formats::give_content_keys(&mut drafts);
    check_drafts("x", meta(), drafts, Strictness::Lenient, problems)
}

fn errors(problems: &[Problem]) -> Vec<&Problem> {
    problems.iter().filter(|p| p.severity == Severity::Error).collect()
}

/// The only error, or a panic showing them all.
fn one_error(problems: &[Problem]) -> &Problem {
    let errors = errors(problems);
    assert_eq!(errors.len(), 1, "{problems:#?}");
    errors[0]
}

/// A CSV text from rows of cells, quoted as needed.
fn table(separator: char, rows: &[&[&str]]) -> String {
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                if c.contains([separator, '"', '\n']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.to_string()
                }
            })
            .collect();
        out.push_str(&cells.join(&separator.to_string()));
        out.push('\n');
    }
    out
}

const HEADER: &[&str] = &["STT", "Câu hỏi", "A", "B", "C", "D", "Đáp án", "Giải thích", "Nguồn", "Mức độ"];

fn organizer_rows() -> Vec<&'static [&'static str]> {
    vec![
        HEADER,
        &[
            "1",
            "Thủ tục hành chính được tiếp nhận ở đâu?",
            "Bộ phận Một cửa",
            "Nhà riêng",
            "Quán cà phê",
            "Chợ",
            "A",
            "Vì thế.",
            "NĐ 61/2018, Điều 1",
            "Dễ",
        ],
        &[
            "2",
            "Những yêu cầu nào đúng? (chọn nhiều)",
            "Công khai, minh bạch",
            "Khép kín",
            "Kịp thời",
            "Tùy tiện",
            "A, C",
            "Điều 4.",
            "NĐ 61/2018, Điều 4",
            "KHÓ",
        ],
        &["3", "Ủy ban nhân dân cấp xã có Bộ phận Một cửa.", "Đúng", "Sai", "", "", "Đúng", "", "", "trung binh"],
    ]
}

fn assert_organizer_bank(bank: &Bank) {
    let q = &bank.questions;
    assert_eq!(q.len(), 3);
    // No `Mã` column: keys from the text, which stay when rows are sorted or inserted.
    let key = crate::domain::formats::content_key(&q[0].text);
    assert_eq!((q[0].key.as_str(), q[0].kind, q[0].difficulty), (key.as_str(), Kind::Single, Difficulty::Easy));
    assert_eq!(q[0].answer, vec![0]);
    assert_eq!(q[0].options[0], "Bộ phận Một cửa");
    assert_eq!(q[0].source, "NĐ 61/2018, Điều 1");
    assert_eq!((q[1].kind, q[1].difficulty, q[1].answer.clone()), (Kind::Multiple, Difficulty::Hard, vec![0, 2]));
    assert_eq!(q[1].options[0], "Công khai, minh bạch");
    assert_eq!((q[2].kind, q[2].difficulty, q[2].answer.clone()), (Kind::TrueFalse, Difficulty::Medium, vec![0]));
    assert!(q.iter().all(|q| !q.fixed_order && q.as_of.is_none()));
}

mod csv;
mod encodings;
mod fuzz;
mod hostile;
mod organizers;
mod package;
mod xlsx;
