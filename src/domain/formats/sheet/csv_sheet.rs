//! Reading a CSV sheet: its encoding, its separator, its records.

use super::bounds::Tally;
use super::read::drafts_from_rows;
use super::*;
use crate::domain::formats::Budget;

/// Parses a CSV question sheet. See the module documentation for the layout.
pub fn parse_csv(file: &str, bytes: &[u8], budget: &Budget) -> (Vec<Draft>, Vec<Problem>) {
    let fail =
        |line: Option<usize>, message: String| (Vec::new(), vec![problem(Severity::Error, file, line, None, message)]);
    let text = match decode(bytes) {
        Ok(t) => t,
        Err(message) => return fail(None, message),
    };
    // Excel's "sep=;" first line names the separator and is not shown as a row.
    let (explicit, body) = match text.split_once('\n') {
        Some((first, rest)) => {
            let first = first.strip_suffix('\r').unwrap_or(first);
            match first.get(..4).zip(first.get(4..)) {
                Some((sep, c)) if sep.eq_ignore_ascii_case("sep=") && c.len() == 1 => (c.chars().next(), rest),
                _ => (None, text.as_str()),
            }
        }
        None => (None, text.as_str()),
    };
    let delimiter = explicit.filter(char::is_ascii).map_or_else(|| detect_delimiter(body), |c| c as u8);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(body.as_bytes());
    let mut rows = Vec::new();
    let mut tally = Tally::new(budget);
    // Line breaks inside quoted fields so far: a spreadsheet shows each record as one row.
    let mut inner_breaks = 0usize;
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                let row = line.saturating_sub(inner_breaks).max(1);
                inner_breaks += record.iter().map(|f| f.matches('\n').count()).sum::<usize>();
                let Some(last) = (0..record.len()).rev().find(|&i| !record[i].trim().is_empty()) else {
                    continue;
                };
                for (col, field) in record.iter().enumerate().take(last + 1) {
                    if !field.trim().is_empty()
                        && let Err(message) = tally.cell(row, col, field)
                    {
                        return fail(Some(row), message);
                    }
                }
                let cells = record.iter().take(last + 1).map(|f| Cell::Text(f.to_string())).collect();
                rows.push(Row { line: row, cells, merged: Vec::new() });
            }
            Err(e) => {
                let line = e.position().map(|p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                let row = line.map(|l| l.saturating_sub(inner_breaks).max(1));
                return fail(row, format!("CSV không hợp lệ: {e}"));
            }
        }
    }
    drafts_from_rows(file, rows, Vec::new())
}

/// How to save a sheet so hoithi can read it.
const SAVE_AS_UTF8: &str = "trong Excel hãy chọn Lưu thành (Save As) → \"CSV UTF-8 (Comma delimited) (*.csv)\"";

/// The text of a CSV file: UTF-8 (BOM optional), UTF-16 with a BOM, or
/// UTF-16 without one (told by the zero bytes of its ASCII characters).
/// Anything else is refused with a message that says what the file seems
/// to be and how to save it.
pub(super) fn decode(bytes: &[u8]) -> Result<String, String> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Err("tệp này là tệp Excel (.xlsx) mang đuôi .csv: hãy tải lên với tên đuôi .xlsx".into());
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(format!(
            "tệp này là tệp Excel cũ (.xls) mang đuôi .csv, không phải CSV: {SAVE_AS_UTF8}, hoặc lưu thành \
             \"Excel Workbook (*.xlsx)\""
        ));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    match utf16_without_bom(bytes) {
        Some(Endian::Little) => return utf16(bytes, u16::from_le_bytes),
        Some(Endian::Big) => return utf16(bytes, u16::from_be_bytes),
        None => {}
    }
    utf8(bytes)
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, String> {
    let units = bytes.chunks(2).map(|c| unit([c[0], c.get(1).copied().unwrap_or(0)]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| format!("tệp CSV UTF-16 (Unicode Text) có ký tự không hợp lệ: {SAVE_AS_UTF8}"))
}

enum Endian {
    Little,
    Big,
}

/// UTF-16 without a BOM: in its first 4 KiB, a quarter of the bytes at one
/// parity are zero (the high bytes of ASCII characters) and almost none at the other.
fn utf16_without_bom(bytes: &[u8]) -> Option<Endian> {
    let head = &bytes[..bytes.len().min(4096) & !1];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zeros = |parity: usize| head.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let (even, odd) = (zeros(0), zeros(1));
    if odd * 4 >= pairs && even * 20 < pairs {
        Some(Endian::Little)
    } else if even * 4 >= pairs && odd * 20 < pairs {
        Some(Endian::Big)
    } else {
        None
    }
}

pub(super) fn utf8(bytes: &[u8]) -> Result<String, String> {
    let e = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok(text.to_string()),
        Err(e) => e,
    };
    let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
    let binary = bytes.iter().take(65_536).filter(|&&b| b == 0 || (b < 0x20 && !b"\t\n\r".contains(&b))).count();
    if binary > 0 {
        return Err(format!(
            "tệp CSV không phải văn bản UTF-8 (có byte điều khiển, ký tự lỗi ở dòng {line}): có thể đây không \
             phải tệp CSV; {SAVE_AS_UTF8}"
        ));
    }
    Err(format!(
        "tệp CSV không phải UTF-8 (ký tự lỗi ở dòng {line}): tệp có vẻ được lưu bằng bảng mã cũ \
         (ANSI/Windows-1258, TCVN3 hay VNI), nên chữ có dấu sẽ bị sai. {SAVE_AS_UTF8}; nếu chữ được gõ \
         bằng phông TCVN3 (.VnTime) hay VNI (VNI-Times), trước hết hãy chuyển mã sang Unicode (chẳng hạn \
         bằng công cụ chuyển mã của Unikey)"
    ))
}

/// `,`, `;` or tab: the most frequent outside quotes in the first non-empty line (`,` on a tie).
pub(super) fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    let mut seen = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted && seen => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
        seen |= !c.is_whitespace();
    }
    let best = counts.iter().enumerate().max_by_key(|&(i, n)| (*n, std::cmp::Reverse(i))).map_or(0, |(i, _)| i);
    [b',', b';', b'\t'][best]
}
