//! The values of a question row's cells: answer letters, kind, level, flags, dates.

use super::*;

/// Words an organizer writes before the letters of an answer ("Đáp án: B",
/// "Phương án B"), folded, longest first.
const ANSWER_PREFIXES: [&str; 14] = [
    "phuong an tra loi dung",
    "cau tra loi dung la",
    "cau tra loi dung",
    "phuong an dung la",
    "phuong an dung",
    "dap an dung la",
    "dap an dung",
    "dap an la",
    "cau tra loi",
    "phuong an",
    "dap an",
    "d/a",
    "chon",
    "pa",
];

/// `raw` without a leading `prefix` (compared folded) and what follows it
/// (`:`, `.`, `-`, spaces); `None` when it does not start with the prefix
/// as a whole word or nothing would be left.
fn strip_folded_prefix<'a>(raw: &'a str, prefix: &str) -> Option<&'a str> {
    let mut want = prefix.chars().peekable();
    let mut last_space = false;
    let mut end = None;
    for (at, c) in raw.char_indices() {
        if want.peek().is_none() {
            end = Some(at);
            break;
        }
        let folded = if c.is_whitespace() { " ".to_string() } else { fold_ascii(&c.to_string()) };
        if folded == " " && last_space {
            continue;
        }
        last_space = folded == " ";
        for f in folded.chars() {
            if want.next() != Some(f) {
                return None;
            }
        }
    }
    let end = end.or_else(|| want.peek().is_none().then_some(raw.len()))?;
    let rest = &raw[end..];
    if rest.chars().next().is_some_and(char::is_alphanumeric) {
        return None;
    }
    let rest = rest.trim_start_matches(|c: char| matches!(c, ':' | '.' | '-') || c.is_whitespace());
    (!rest.is_empty()).then_some(rest)
}

/// The letters of an `Đáp án` cell; see the module documentation.
pub(super) fn parse_answer(raw: &str, options: &mut Vec<String>) -> Option<Vec<String>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let folded = fold_ascii(raw);
    if folded == "dung" || folded == "sai" {
        if options.is_empty() {
            *options = TRUE_FALSE_OPTIONS.iter().map(|o| o.to_string()).collect();
        }
        let picked = options.iter().position(|o| fold_ascii(o) == folded);
        return Some(vec![picked.map_or_else(|| raw.to_string(), |i| letter(i).to_string())]);
    }
    let raw = ANSWER_PREFIXES.iter().find_map(|p| strip_folded_prefix(raw, p)).unwrap_or(raw);
    let is_separator = |c: char| matches!(c, ',' | ';' | '/' | '+' | '&') || c.is_whitespace();
    let mut letters = Vec::new();
    for token in raw.split(is_separator).filter(|t| !t.is_empty()) {
        if matches!(fold_ascii(token).as_str(), "va" | "and") {
            continue;
        }
        let bare = token.trim_start_matches(['(', '[']).trim_end_matches(['.', ')', ']', ':']);
        if !bare.is_empty() && bare.chars().all(|c| matches!(c.to_ascii_uppercase(), 'A'..='F')) {
            letters.extend(bare.chars().map(|c| c.to_ascii_uppercase().to_string()));
        } else {
            letters.push(token.to_string());
        }
    }
    if letters.is_empty() {
        letters.push(raw.to_string());
    }
    Some(letters)
}

pub(super) fn parse_kind(raw: &str) -> Option<Kind> {
    match fold_ascii(&raw.replace('_', " ")).as_str() {
        "single" | "mot lua chon" | "mot dap an" => Some(Kind::Single),
        "multiple" | "nhieu lua chon" | "nhieu dap an" => Some(Kind::Multiple),
        "true false" | "dung/sai" | "dung sai" | "dung - sai" => Some(Kind::TrueFalse),
        _ => None,
    }
}

/// `None` for an empty or unknown value. Besides Dễ / Trung bình / Khó, the
/// levels of the Vietnamese school scale: Nhận biết → easy, Thông hiểu →
/// medium, Vận dụng and Vận dụng cao → hard (also NB, TH, VD, VDC).
pub(super) fn parse_difficulty(raw: &str) -> Option<Difficulty> {
    match fold_ascii(raw).trim_end_matches('.') {
        "de" | "easy" | "nhan biet" | "nb" | "biet" => Some(Difficulty::Easy),
        "trung binh" | "tb" | "medium" | "thong hieu" | "th" | "hieu" => Some(Difficulty::Medium),
        "kho" | "hard" | "van dung" | "vd" | "van dung cao" | "vdc" => Some(Difficulty::Hard),
        _ => None,
    }
}

/// `None` for an unknown value; empty is `false`.
pub(super) fn parse_flag(raw: &str) -> Option<bool> {
    match fold_ascii(raw).as_str() {
        "x" | "co" | "true" | "1" | "yes" | "y" => Some(true),
        "" | "khong" | "false" | "0" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// A `Ngày` text: `YYYY-MM-DD` (a time after it is ignored) or `DD/MM/YYYY`.
pub(super) fn parse_date(raw: &str) -> Result<Option<NaiveDate>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let date = raw.split(|c: char| c.is_whitespace() || c == 'T').next().unwrap_or(raw);
    ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(date, f).ok())
        .map(Some)
        .ok_or_else(|| format!("Ngày \"{raw}\" không phải ngày dạng YYYY-MM-DD hoặc DD/MM/YYYY"))
}
