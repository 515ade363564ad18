//! Reading an uploaded accounts file into a [`Table`]: CSV text in the
//! encodings Excel writes, or an Excel workbook.

use std::collections::HashMap;

use super::{Field, Problem, RawAccount, Table, problem};
use crate::domain::formats::Budget;
use crate::domain::formats::sheet::xlsx_records;
use crate::domain::text::fold_ascii;

/// Decodes and reads an uploaded file (see the module documentation):
/// an Excel workbook read within `budget`, else CSV text.
pub fn read_file(bytes: &[u8], budget: &Budget) -> Result<Table, Problem> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        let records = xlsx_records(bytes, budget, &names_full_name, "một dòng có cột \"Họ và tên\"")
            .map_err(|m| problem(0, "", capitalized(&m)))?;
        return read_records(records, true);
    }
    let text = decode(bytes)?;
    read_csv(&text)
}

/// Whether a row names the full-name column (the header row).
fn names_full_name(cells: &[String]) -> bool {
    cells.iter().any(|c| Field::from_header(c) == Some(Field::FullName))
}

/// The reader's messages start in lower case, to follow a file name.
fn capitalized(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default() + "."
}

/// UTF-8 (BOM optional) or UTF-16 with its BOM.
fn decode(bytes: &[u8]) -> Result<String, Problem> {
    let utf16 = |b: &[u8], le: bool| {
        let units = b.chunks(2).map(|c| {
            let pair = [c[0], *c.get(1).unwrap_or(&0)];
            if le { u16::from_le_bytes(pair) } else { u16::from_be_bytes(pair) }
        });
        char::decode_utf16(units).collect::<Result<String, _>>().ok()
    };
    let decoded = match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => std::str::from_utf8(rest).ok().map(str::to_string),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        _ => std::str::from_utf8(bytes).ok().map(str::to_string),
    };
    decoded.ok_or_else(|| {
        problem(
            0,
            "",
            "Tệp không phải văn bản UTF-8 (có thể đã lưu bằng bảng mã cũ): trong Excel chọn Lưu thành → \"CSV UTF-8 (phân tách bằng dấu phẩy)\".",
        )
    })
}

/// The separator the first line uses most: `,`, `;` or a tab.
fn delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    [b',', b';', b'\t'].into_iter().max_by_key(|d| first.bytes().filter(|b| b == d).count()).unwrap_or(b',')
}

fn read_csv(text: &str) -> Result<Table, Problem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for result in reader.records() {
        let record = result.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
            problem(line, "", "Không đọc được dòng này của tệp CSV (dấu ngoặc kép không đóng?).")
        })?;
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            records.push((line, cells));
        }
    }
    read_records(records, false)
}

/// The table in non-empty rows (row number, trimmed cells). From a
/// workbook, a phone typed as a number has lost its leading 0 (905123456):
/// it is given back.
fn read_records(records: Vec<(usize, Vec<String>)>, from_workbook: bool) -> Result<Table, Problem> {
    let header_at = records.iter().take(10).position(|(_, cells)| names_full_name(cells)).ok_or_else(|| {
        problem(0, "", "Không thấy dòng tiêu đề có cột \"Họ và tên\" trong 10 dòng đầu của tệp (xem tệp mẫu).")
    })?;
    let (header_line, header) = &records[header_at];
    let mut table = Table::default();
    let mut columns: Vec<Option<Field>> = Vec::new();
    for h in header {
        let field = Field::from_header(h);
        match field {
            Some(f) if table.headers.contains_key(&f) => {
                return Err(problem(*header_line, h, format!("Cột \"{h}\" có hai lần: chỉ giữ một cột.")));
            }
            Some(f) => {
                table.headers.insert(f, h.clone());
            }
            None if h.is_empty() || matches!(fold_ascii(h).as_str(), "stt" | "tt" | "so thu tu") => {}
            None => table.ignored.push(h.clone()),
        }
        columns.push(field);
    }
    if !table.headers.contains_key(&Field::Unit) {
        return Err(problem(
            *header_line,
            "",
            "Thiếu cột \"Đơn vị\" (mã đơn vị, ví dụ SNV, hoặc đúng tên đơn vị): cán bộ nào cũng thuộc một đơn vị.",
        ));
    }
    for (line, cells) in &records[header_at + 1..] {
        let mut raw = RawAccount { row: *line, cells: HashMap::new() };
        for (cell, field) in cells.iter().zip(&columns) {
            if let Some(f) = field {
                let lost_zero = from_workbook && *f == Field::Phone && lost_leading_zero(cell);
                raw.cells.insert(*f, if lost_zero { format!("0{cell}") } else { cell.clone() });
            }
        }
        if raw.cells.values().any(|c| !c.is_empty()) {
            table.rows.push(raw);
        }
    }
    Ok(table)
}

/// Nine digits that start as a mobile number does after its 0.
fn lost_leading_zero(cell: &str) -> bool {
    cell.len() == 9
        && cell.bytes().all(|b| b.is_ascii_digit())
        && matches!(cell.as_bytes()[0], b'3' | b'5' | b'7' | b'8' | b'9')
}
