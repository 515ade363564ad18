//! Question formats other than hoithi's own TOML: each parses into
//! [`Draft`](super::bank::Draft)s that `bank::check_drafts` then checks.
//! Every reader stays inside a [`Budget`]; `crate::sandbox` runs them in a
//! child process for what a reader cannot bound itself.

pub mod aiken;
pub mod budget;
pub mod gift;
pub mod html;
pub mod sheet;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use budget::{Bound, Budget};

use super::bank::{Bank, BankMeta, Draft, Problem, Severity, Strictness, check_drafts, parse_toml};
use super::text::{fold_for_compare, nfc};

/// What a reader of a format without hoithi's checks found.
#[derive(Debug, Default)]
pub struct Read {
    /// The questions it could read.
    pub drafts: Vec<Draft>,
    /// Every problem, each with its line.
    pub problems: Vec<Problem>,
    /// Questions it skipped (each also a problem).
    pub skipped: usize,
    /// The bank the file names, if it names one (hoithi's GIFT export does).
    pub bank: Option<BankMeta>,
}

impl From<(Vec<Draft>, Vec<Problem>)> for Read {
    fn from((drafts, problems): (Vec<Draft>, Vec<Problem>)) -> Self {
        Self { drafts, problems, ..Self::default() }
    }
}

/// What parsing a bank file found.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Parsed {
    /// The bank, when it could be read without error.
    pub bank: Option<Bank>,
    /// Errors and warnings.
    pub problems: Vec<Problem>,
    /// Questions the file holds that hoithi cannot represent or read, skipped.
    pub skipped: usize,
}

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
pub fn parse_bank(req: &ReadRequest, bytes: &[u8]) -> Parsed {
    let mut parsed = parse_uncapped(req, bytes);
    parsed.problems = cap_problems(&req.name, std::mem::take(&mut parsed.problems), req.budget.problems);
    parsed
}

fn error(file: &str, line: Option<usize>, key: Option<&str>, message: String) -> Problem {
    Problem { severity: Severity::Error, file: file.to_string(), line, key: key.map(str::to_string), message }
}

fn parse_uncapped(req: &ReadRequest, bytes: &[u8]) -> Parsed {
    let name = req.name.as_str();
    let refuse = |message: String| Parsed { problems: vec![error(name, None, None, message)], ..Parsed::default() };
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_lowercase()).unwrap_or_default();
    let text = || decode_text(bytes);
    let read: Read = match ext.as_str() {
        "toml" => {
            return match text() {
                Ok(t) => {
                    let (bank, mut problems) = parse_toml(name, &t);
                    let bank = bank.filter(|b| {
                        let fields = b.questions.iter().map(|q| {
                            let texts = [&q.text, &q.explanation, &q.source].into_iter().chain(&q.options);
                            (None, Some(q.key.as_str()), texts.map(String::as_str).collect())
                        });
                        problems.extend(over_budget(name, fields.collect(), &req.budget));
                        !super::bank::has_errors(&problems)
                    });
                    Parsed { bank, problems, skipped: 0 }
                }
                Err(m) => refuse(m),
            };
        }
        "xlsx" => sheet::parse_xlsx(name, bytes, req.sheet.as_deref(), &req.budget).into(),
        "csv" => sheet::parse_csv(name, bytes, &req.budget).into(),
        "gift" | "txt" => match text() {
            Ok(t) if ext == "gift" => gift::parse(name, &t),
            Ok(t) => aiken::parse(name, &t),
            Err(m) => return refuse(m),
        },
        other => {
            return refuse(format!(
                "định dạng \".{other}\" không hỗ trợ: dùng .toml, .xlsx, .csv, .gift hoặc .txt (Aiken)"
            ));
        }
    };
    let Read { mut drafts, mut problems, skipped, bank } = read;
    let Some(meta) = req.bank.clone().or(bank) else {
        problems.push(error(name, None, None, "tệp này không ghi ngân hàng nào: hãy chọn ngân hàng".into()));
        return Parsed { bank: None, problems, skipped };
    };
    let fields = drafts.iter().map(|d| {
        let texts = [&d.text, &d.explanation, &d.source].into_iter().flatten().chain(&d.options);
        (Some(d.line), d.key.as_deref(), texts.map(String::as_str).collect())
    });
    let over = over_budget(name, fields.collect(), &req.budget);
    if !over.is_empty() {
        problems.extend(over);
        return Parsed { bank: None, problems, skipped };
    }
    if drafts.is_empty() && super::bank::has_errors(&problems) {
        return Parsed { bank: None, problems, skipped };
    }
    give_content_keys(&mut drafts);
    let (bank, problems) = check_drafts(name, meta, drafts, Strictness::Lenient, problems);
    Parsed { bank, problems, skipped }
}

/// A question's key when its file gives none: from its normalized text, so
/// it stays with the question when others are inserted, moved or removed,
/// and changes when its text is edited (the old question is then retired
/// and the edited one added).
pub fn content_key(text: &str) -> String {
    let digest = Sha256::digest(fold_for_compare(&nfc(text.trim())).as_bytes());
    format!("q-{}", &hex::encode(digest)[..10])
}

/// Keys for the drafts that have none: [`content_key`], and for a text
/// repeated in the file `-2`, `-3`… in file order.
pub(crate) fn give_content_keys(drafts: &mut [Draft]) {
    let mut taken: HashSet<String> = drafts.iter().filter_map(|d| d.key.clone()).collect();
    for d in drafts.iter_mut().filter(|d| d.key.is_none()) {
        let base = content_key(d.text.as_deref().unwrap_or(""));
        let mut key = base.clone();
        let mut n = 1;
        while taken.contains(&key) {
            n += 1;
            key = format!("{base}-{n}");
        }
        taken.insert(key.clone());
        d.key = Some(key);
    }
}

/// One question's line, key and texts.
type Fields<'a> = (Option<usize>, Option<&'a str>, Vec<&'a str>);

/// The errors of a file with more questions, or a longer field, than the budget allows.
fn over_budget(file: &str, questions: Vec<Fields<'_>>, budget: &Budget) -> Vec<Problem> {
    if questions.len() > budget.questions {
        return vec![error(file, None, None, budget.refusal(Bound::Questions))];
    }
    questions
        .into_iter()
        .filter(|(_, _, texts)| texts.iter().any(|t| t.chars().count() > budget.field_chars))
        .map(|(line, key, _)| error(file, line, key, budget.refusal(Bound::FieldChars)))
        .collect()
}

/// The text of a GIFT, Aiken or TOML file: UTF-8 with or without a
/// byte-order mark, or UTF-16 with one (Notepad's "Unicode").
fn decode_text(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |rest: &[u8], unit: fn([u8; 2]) -> u16| {
        char::decode_utf16(rest.chunks(2).map(|c| unit([c[0], c.get(1).copied().unwrap_or(0)])))
            .collect::<Result<String, _>>()
            .map_err(|_| "tệp UTF-16 có ký tự không hợp lệ: hãy lưu lại với bảng mã UTF-8".to_string())
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        format!(
            "tệp không phải văn bản UTF-8 (ký tự lỗi ở dòng {line}): có thể tệp được lưu bằng bảng mã cũ \
             (ANSI/Windows-1258, TCVN3 hay VNI), nên chữ có dấu sẽ bị sai; hãy lưu lại với bảng mã UTF-8 \
             (trong Notepad: Lưu thành… → Mã hóa: UTF-8)"
        )
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> BankMeta {
        BankMeta { slug: "b".into(), title: "T".into(), topic: "t".into(), replaced_documents: vec![] }
    }

    #[test]
    fn text_formats_are_read_in_utf8_or_notepads_utf16_and_other_encodings_are_named() {
        let aiken = "Câu hỏi?\nA. Có\nB. Không\nANSWER: A\n";
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(aiken.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let parsed = parse_bank(&ReadRequest::new("a.txt", Some(&meta())), &utf16);
        assert_eq!(parsed.bank.map(|b| b.questions.len()), Some(1), "{:?}", parsed.problems);
        // "Câu" in Windows-1258: not UTF-8.
        let parsed = parse_bank(&ReadRequest::new("a.txt", Some(&meta())), b"C\xe2u h\xf5i?\nA. x\nB. y\nANSWER: A\n");
        assert!(parsed.problems[0].message.contains("Windows-1258"), "{:?}", parsed.problems);
    }

    #[test]
    fn problems_beyond_the_budget_are_counted_in_one_line_errors_first() {
        let p = |severity, n: usize| Problem {
            severity,
            file: "f".into(),
            line: Some(n),
            key: None,
            message: n.to_string(),
        };
        let mut all: Vec<Problem> = (0..5).map(|n| p(Severity::Warning, n)).collect();
        all.extend((5..8).map(|n| p(Severity::Error, n)));
        let capped = cap_problems("f", all, 4);
        assert_eq!(capped.len(), 5);
        assert!(capped[..3].iter().all(|p| p.severity == Severity::Error));
        assert!(capped[4].message.contains("… và 4 vấn đề khác (0 lỗi, 4 cảnh báo)"), "{:?}", capped[4]);
    }

    #[test]
    fn content_keys_follow_the_normalized_text_and_repeated_texts_get_a_suffix() {
        assert_eq!(content_key("  Câu  HỎI? "), content_key("câu hỏi?"));
        assert_ne!(content_key("Câu hỏi một?"), content_key("Câu hỏi hai?"));
        let draft = |t: &str| Draft { text: Some(t.into()), ..Draft::default() };
        let mut drafts = vec![draft("Hỏi?"), draft("Hỏi?"), Draft { key: Some("k".into()), ..draft("Khác?") }];
        give_content_keys(&mut drafts);
        let base = content_key("Hỏi?");
        let keys: Vec<_> = drafts.iter().map(|d| d.key.clone().unwrap()).collect();
        assert_eq!(keys, [base.clone(), format!("{base}-2"), "k".to_string()]);
    }
}
