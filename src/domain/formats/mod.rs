//! Question formats other than hoithi's own TOML: each parses into
//! [`Draft`](super::bank::Draft)s that `bank::check_drafts` then checks.

pub mod aiken;
pub mod gift;
pub mod sheet;

use super::bank::{Bank, BankMeta, Problem, Severity, Strictness, check_drafts, parse_toml};

/// The extensions hoithi reads.
pub const EXTENSIONS: [&str; 5] = ["toml", "xlsx", "csv", "gift", "txt"];

/// Parses and checks a bank file of any supported format, chosen by the
/// extension of `name`: `.toml` (hoithi's own), `.xlsx`, `.csv`, `.gift`,
/// `.txt` (Aiken). The formats that name no bank take it from `bank`.
pub fn parse_bank(name: &str, bytes: &[u8], bank: Option<&BankMeta>) -> (Option<Bank>, Vec<Problem>) {
    let problem =
        |message: String| Problem { severity: Severity::Error, file: name.to_string(), line: None, key: None, message };
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_lowercase()).unwrap_or_default();
    let text = || std::str::from_utf8(bytes).map_err(|_| problem("tệp không phải văn bản UTF-8".into()));
    let (drafts, problems) = match ext.as_str() {
        "toml" => {
            return match text() {
                Ok(t) => parse_toml(name, t),
                Err(p) => (None, vec![p]),
            };
        }
        "xlsx" => sheet::parse_xlsx(name, bytes),
        "csv" => sheet::parse_csv(name, bytes),
        "gift" | "txt" => match text() {
            Ok(t) if ext == "gift" => gift::parse(name, t),
            Ok(t) => aiken::parse(name, t),
            Err(p) => return (None, vec![p]),
        },
        other => {
            return (
                None,
                vec![problem(format!(
                    "định dạng \".{other}\" không hỗ trợ: dùng .toml, .xlsx, .csv, .gift hoặc .txt (Aiken)"
                ))],
            );
        }
    };
    let Some(meta) = bank.cloned() else {
        let mut all = problems;
        all.push(problem("tệp này không ghi ngân hàng nào: hãy chọn ngân hàng (--bank SLUG)".into()));
        return (None, all);
    };
    if drafts.is_empty() && problems.iter().any(|p| p.severity == Severity::Error) {
        return (None, problems);
    }
    check_drafts(name, meta, drafts, Strictness::Lenient, problems)
}
