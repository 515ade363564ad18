//! `banks lint`: questions that give each other away (see
//! [`crate::domain::bank::lint`]), printed for authors in Vietnamese.

use std::path::PathBuf;

use crate::domain::bank::lint::{LintReport, lint, render_lint};
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

    /// The shipped banks pass the lint: no bank above the longest-option
    /// share, no key leak outside an exclusion group. Its failure message is
    /// the whole report.
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
