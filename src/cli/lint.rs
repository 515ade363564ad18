//! `banks lint`: questions that give each other away (see
//! [`crate::domain::bank::lint`]), printed for authors in Vietnamese.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

use crate::domain::bank::lint::{LintReport, MAX_LONGEST_SHARE, NEAR_DUPLICATE_JACCARD, QuestionRef, lint};
use crate::domain::bank::{Problem, Severity};

use super::banks::{check_bank_files, print_problems};
use super::{INPUT_ERRORS, OK};

/// Reads bank files (any format) and lints the banks that read without
/// error together; returns the report and every error met while reading.
/// What an upload preview shows, and what `banks lint` prints.
pub fn lint_bank_files(paths: &[PathBuf]) -> anyhow::Result<(LintReport, Vec<Problem>)> {
    let (banks, problems) = check_bank_files(paths, None)?;
    let errors = problems.into_iter().filter(|p| p.severity == Severity::Error).collect();
    Ok((lint(&banks), errors))
}

/// `0.3` → `"30"`, `56.25` → `"56,3"`: Vietnamese decimals.
fn decimal(x: f64, places: usize) -> String {
    format!("{x:.places$}").replace('.', ",")
}

/// Proposed groups this large get a hint: rewriting beats grouping.
const LARGE_GROUP: usize = 10;

/// The keys of `members` that leak into the most stems (uncovered), as text.
fn most_leaked(r: &LintReport, members: &[QuestionRef]) -> String {
    let mut counts: BTreeMap<(&QuestionRef, &str), usize> = BTreeMap::new();
    for l in r.uncovered_leaks().filter(|l| members.contains(&l.key_of)) {
        *counts.entry((&l.key_of, &l.key_text)).or_default() += 1;
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.iter().take(5).map(|((q, text), n)| format!(" \"{text}\" ({q}, {n} câu)")).collect::<Vec<_>>().join(";")
}

/// The report as `banks lint` prints it.
pub fn render_lint(r: &LintReport) -> String {
    let mut out = String::new();
    let max = decimal(MAX_LONGEST_SHARE * 100.0, 0);
    let _ = writeln!(out, "Kiểm tra câu hỏi gợi ý đáp án cho nhau: {} ngân hàng, {} câu hỏi.", r.banks, r.questions);

    let _ = writeln!(
        out,
        "\n1. Phương án dài nhất là đáp án (trong các câu một lựa chọn có đúng một phương án dài nhất; tối đa {max}%):"
    );
    for s in &r.longest {
        let flag = if s.too_high { format!(" — LỖI: quá {max}%") } else { String::new() };
        let _ = writeln!(
            out,
            "   {}: {}/{} ({}%){flag}",
            s.bank,
            s.longest_is_key,
            s.with_one_longest,
            decimal(s.percent, 1)
        );
    }

    let uncovered = r.uncovered_leaks().count();
    let _ = writeln!(
        out,
        "\n2. Đáp án nằm nguyên văn trong câu hỏi khác: {} lần (ngoài nhóm loại trừ: {uncovered}, trong nhóm: {}).",
        r.leaks.len(),
        r.leaks.len() - uncovered
    );
    // Leaks come by question, then key, then stem: one paragraph per key.
    for same in r.leaks.chunk_by(|a, b| a.key_of == b.key_of && a.key_text == b.key_text) {
        let _ =
            writeln!(out, "   {}, đáp án \"{}\", nằm trong {} câu hỏi:", same[0].key_of, same[0].key_text, same.len());
        for l in same {
            let _ = writeln!(out, "      {}{}", l.in_stem_of, if l.covered { " (cùng nhóm, không tính)" } else { "" });
        }
    }

    let _ = writeln!(out, "\n3. Cặp lộ đáp án chéo (đáp án câu này trong câu kia và ngược lại): {}.", r.reversed.len());
    for p in &r.reversed {
        let mut notes = Vec::new();
        if p.cross_bank {
            notes.push("khác ngân hàng");
        }
        if p.covered {
            notes.push("cùng nhóm");
        }
        let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join(", ")) };
        let _ = writeln!(out, "   {} ↔ {}{notes}", p.a, p.b);
    }

    let _ = writeln!(
        out,
        "\n4. Câu hỏi gần trùng nhau (Jaccard ≥ {} trên các bộ ba từ liên tiếp): {}.",
        decimal(NEAR_DUPLICATE_JACCARD, 1),
        r.near_duplicates.len()
    );
    for d in &r.near_duplicates {
        let covered = if d.covered { " (cùng nhóm)" } else { "" };
        let _ = writeln!(out, "   {} ~ {}: {}{covered}", d.a, d.b, decimal(d.similarity, 2));
    }

    let _ = writeln!(
        out,
        "\n5. Câu hỏi có đáp án nằm ngay trong câu hỏi (nhóm loại trừ không sửa được, cần viết lại): {}.",
        r.self_leaks.len()
    );
    for l in &r.self_leaks {
        let _ = writeln!(out, "   {}: \"{}\"", l.key_of, l.key_text);
    }

    let _ = writeln!(
        out,
        "\n6. Nhóm loại trừ đề xuất: {} nhóm. Thêm dòng group ngay dưới dòng key của từng câu trong tệp ngân hàng:",
        r.proposed.len()
    );
    for g in &r.proposed {
        let _ = writeln!(out, "\n   # Nhóm \"{}\": {} câu", g.name, g.members.len());
        if g.members.len() >= LARGE_GROUP {
            let _ = writeln!(
                out,
                "   # Nhóm lớn: một đề chỉ lấy được 1 trong {} câu này. Nên viết lại các câu hỏi nhắc tới những đáp án lộ nhiều nhất:{}",
                g.members.len(),
                most_leaked(r, &g.members)
            );
        }
        let mut bank = "";
        for m in &g.members {
            if m.bank != bank {
                bank = &m.bank;
                let _ = writeln!(out, "   # ngân hàng {bank}");
            }
            if g.already.contains(m) {
                let _ = writeln!(out, "   # key = \"{}\" đã có group = \"{}\"", m.key, g.name);
            } else {
                let _ = writeln!(out, "   key = \"{}\"\n   group = \"{}\"", m.key, g.name);
            }
        }
    }

    let high = r.longest.iter().filter(|s| s.too_high).count();
    let verdict = if r.passes() {
        "ĐẠT".to_string()
    } else {
        format!(
            "KHÔNG ĐẠT — {high} ngân hàng có phương án dài nhất là đáp án quá {max}%, {uncovered} lần lộ đáp án ngoài nhóm loại trừ"
        )
    };
    let _ = writeln!(out, "\nKết quả: {verdict}.");
    out
}

/// `hoithi banks lint [PATH…]`: exits non-zero when a bank's longest-option
/// share is above 30%, a key leaks outside an exclusion group, or a file has errors.
pub fn banks_lint(paths: &[PathBuf]) -> anyhow::Result<i32> {
    let (report, errors) = lint_bank_files(paths)?;
    if !errors.is_empty() {
        print_problems(&errors);
        println!("Các tệp có lỗi trên không được kiểm tra (xem hoithi banks check).\n");
    }
    print!("{}", render_lint(&report));
    Ok(if report.passes() && errors.is_empty() { OK } else { INPUT_ERRORS })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const BANK: &str = r#"
[bank]
slug = "thu"
title = "Thử"
topic = "thu"

[[question]]
key = "t-1"
kind = "single"
difficulty = "easy"
text = "Quyết định 1847/QĐ-TTg được ban hành vào ngày nào?"
options = ["02/8/2007", "19/5/2019", "27/12/2018", "05/9/2016"]
answer = "C"
explanation = "Vì thế."
source = "Nguồn"
GROUP1

[[question]]
key = "t-2"
kind = "single"
difficulty = "easy"
text = "Quyết định 1847/QĐ-TTg ngày 27/12/2018 phê duyệt đề án nào?"
options = ["Đề án văn hóa công vụ", "Đề án khác hẳn", "Đề án thứ ba"]
answer = "A"
explanation = "Vì thế."
source = "Nguồn"
GROUP2
"#;

    fn write_bank(dir: &Path, group1: &str, group2: &str) -> PathBuf {
        let file = dir.join("thu.toml");
        std::fs::write(&file, BANK.replace("GROUP1", group1).replace("GROUP2", group2)).unwrap();
        file
    }

    #[test]
    fn the_report_names_each_leak_and_prints_groups_to_paste_and_a_group_silences_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = write_bank(dir.path(), "", "");
        let (report, errors) = lint_bank_files(std::slice::from_ref(&file)).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        let text = render_lint(&report);
        assert!(text.contains("thu: 2/2 (100,0%) — LỖI: quá 30%"), "{text}");
        assert!(text.contains("thu/t-1, đáp án \"27/12/2018\", nằm trong 1 câu hỏi:\n      thu/t-2\n"), "{text}");
        assert!(
            text.contains("key = \"t-1\"\n   group = \"thu-t-1\"\n   key = \"t-2\"\n   group = \"thu-t-1\""),
            "{text}"
        );
        assert!(text.contains("KHÔNG ĐẠT"), "{text}");
        assert_eq!(banks_lint(std::slice::from_ref(&file)).unwrap(), INPUT_ERRORS);
        // With the proposed group pasted, the leak is covered; the longest option still fails.
        let file = write_bank(dir.path(), "group = \"thu-t-1\"", "group = \"thu-t-1\"");
        let (report, _) = lint_bank_files(std::slice::from_ref(&file)).unwrap();
        assert_eq!(report.uncovered_leaks().count(), 0);
        assert!(render_lint(&report).contains("thu/t-2 (cùng nhóm, không tính)"));
        assert!(report.proposed.is_empty());
        assert_eq!(banks_lint(std::slice::from_ref(&file)).unwrap(), INPUT_ERRORS);
    }

    /// The shipped banks are being rewritten (issue 9): once they are, this
    /// holds them to the lint. Its failure message is the whole report.
    #[test]
    fn the_shipped_banks_pass_the_lint() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("question_banks");
        let (report, errors) = lint_bank_files(&[dir]).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(report.banks, 4, "every shipped bank was read");
        let text = render_lint(&report);
        let high: Vec<String> = report
            .longest
            .iter()
            .filter(|s| s.too_high)
            .map(|s| format!("{} {}/{}", s.bank, s.longest_is_key, s.with_one_longest))
            .collect();
        let leaks = report.uncovered_leaks().count();
        assert!(
            high.is_empty() && leaks == 0,
            "longest option is the key above 30% in {high:?}; {leaks} leaks outside an exclusion group\n\n{text}"
        );
    }
}
