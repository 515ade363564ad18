//! Question formats other than hoithi's own TOML: each parses into
//! [`Draft`](super::bank::Draft)s that `bank::check_drafts` then checks.
//! Every reader stays inside a [`Budget`]; `crate::sandbox` runs them in a
//! child process for what a reader cannot bound itself.

pub mod aiken;
pub mod budget;
pub mod gift;
pub mod sheet;

use serde::{Deserialize, Serialize};

pub use budget::{Bound, Budget};

use super::bank::{Bank, BankMeta, Problem, Severity, Strictness, check_drafts, parse_toml};

/// The extensions hoithi reads.
pub const EXTENSIONS: [&str; 5] = ["toml", "xlsx", "csv", "gift", "txt"];

/// What to read a bank file as.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadRequest {
    /// The file's name: its extension chooses the format, and problems name it.
    pub name: String,
    /// The bank for the formats that name none.
    pub bank: Option<BankMeta>,
    /// The worksheet of an .xlsx to read; `None`: the first that holds a header row.
    pub sheet: Option<String>,
    /// What reading may cost.
    pub budget: Budget,
}

impl ReadRequest {
    /// A request for `name` with the default budget.
    pub fn new(name: &str, bank: Option<&BankMeta>) -> Self {
        Self { name: name.to_string(), bank: bank.cloned(), ..Self::default() }
    }
}

/// Parses and checks a bank file of any supported format, chosen by the
/// extension of the request's name: `.toml` (hoithi's own), `.xlsx`, `.csv`,
/// `.gift`, `.txt` (Aiken). The formats that name no bank take it from the
/// request. Problems beyond the budget's count are summed up in one line.
pub fn parse_bank(req: &ReadRequest, bytes: &[u8]) -> (Option<Bank>, Vec<Problem>) {
    let (bank, problems) = parse_uncapped(req, bytes);
    (bank, cap_problems(&req.name, problems, req.budget.problems))
}

fn parse_uncapped(req: &ReadRequest, bytes: &[u8]) -> (Option<Bank>, Vec<Problem>) {
    let name = req.name.as_str();
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
        "xlsx" => sheet::parse_xlsx(name, bytes, req.sheet.as_deref(), &req.budget),
        "csv" => sheet::parse_csv(name, bytes, &req.budget),
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
    let Some(meta) = req.bank.clone() else {
        let mut all = problems;
        all.push(problem("tệp này không ghi ngân hàng nào: hãy chọn ngân hàng (--bank SLUG)".into()));
        return (None, all);
    };
    if drafts.is_empty() && problems.iter().any(|p| p.severity == Severity::Error) {
        return (None, problems);
    }
    check_drafts(name, meta, drafts, Strictness::Lenient, problems)
}

/// The first `max` problems, errors first, then one line that counts the rest.
pub fn cap_problems(file: &str, mut problems: Vec<Problem>, max: usize) -> Vec<Problem> {
    if problems.len() <= max {
        return problems;
    }
    problems.sort_by_key(|p| p.severity);
    let rest = problems.split_off(max);
    let errors = rest.iter().filter(|p| p.severity == Severity::Error).count();
    problems.push(Problem {
        severity: if errors > 0 { Severity::Error } else { Severity::Warning },
        file: file.to_string(),
        line: None,
        key: None,
        message: format!(
            "… và {} vấn đề khác ({errors} lỗi, {} cảnh báo) không liệt kê (giới hạn HOITHI_BANK_MAX_PROBLEMS)",
            rest.len(),
            rest.len() - errors
        ),
    });
    problems
}
