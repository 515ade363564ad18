//! Reading a sheet (CSV or .xlsx) into drafts.

use std::io::Cursor;

use super::*;
use crate::domain::formats::Budget;

/// Parses a CSV question sheet. See the module documentation for the layout.
pub fn parse_csv(file: &str, bytes: &[u8], _budget: &Budget) -> (Vec<Draft>, Vec<Problem>) {
    let text = match decode(bytes) {
        Ok(t) => t,
        Err(message) => return (Vec::new(), vec![problem(Severity::Error, file, None, None, message)]),
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
    let mut problems = Vec::new();
    // Line breaks inside quoted fields so far: a spreadsheet shows each record as one row.
    let mut inner_breaks = 0usize;
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                let row = line.saturating_sub(inner_breaks).max(1);
                inner_breaks += record.iter().map(|f| f.matches('\n').count()).sum::<usize>();
                rows.push((row, record.iter().map(|f| Cell::Text(f.to_string())).collect()));
            }
            Err(e) => {
                let line = e.position().map(|p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                let row = line.map(|l| l.saturating_sub(inner_breaks).max(1));
                problems.push(problem(Severity::Error, file, row, None, format!("CSV không hợp lệ: {e}")));
                return (Vec::new(), problems);
            }
        }
    }
    drafts_from_rows(file, rows, problems)
}

/// The text of a CSV file: UTF-8 (BOM optional) or UTF-16 with a BOM.
pub(super) fn decode(bytes: &[u8]) -> Result<String, String> {
    let utf16 =
        |units: Vec<u16>| String::from_utf16(&units).map_err(|_| "tệp CSV UTF-16 có ký tự không hợp lệ".to_string());
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest.chunks(2).map(|c| u16::from_le_bytes([c[0], c.get(1).copied().unwrap_or(0)])).collect());
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest.chunks(2).map(|c| u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)])).collect());
    }
    utf8(bytes)
}

pub(super) fn utf8(bytes: &[u8]) -> Result<String, String> {
    std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        format!(
            "tệp CSV không phải UTF-8 (ký tự lỗi ở dòng {line}): trong Excel hãy lưu bằng \
             \"CSV UTF-8 (Comma delimited) (*.csv)\""
        )
    })
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

/// Parses an Excel `.xlsx` question sheet (the first worksheet). See the
/// module documentation for the layout.
pub fn parse_xlsx(file: &str, bytes: &[u8], _sheet: Option<&str>, _budget: &Budget) -> (Vec<Draft>, Vec<Problem>) {
    let fail = |message: String| (Vec::new(), vec![problem(Severity::Error, file, None, None, message)]);
    let mut book: Xlsx<_> = match calamine::open_workbook_from_rs(Cursor::new(bytes)) {
        Ok(book) => book,
        Err(e) => return fail(format!("không đọc được tệp Excel (.xlsx): {e}")),
    };
    let range = match book.worksheet_range_at(0) {
        None => return fail("tệp Excel không có trang tính nào".into()),
        Some(Err(e)) => return fail(format!("không đọc được trang tính đầu tiên: {e}")),
        Some(Ok(range)) => range,
    };
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let row = first_row as usize + i + 1;
            let padding = std::iter::repeat_with(Cell::empty).take(first_col as usize);
            (row, padding.chain(cells.iter().map(excel_cell)).collect())
        })
        .collect();
    drafts_from_rows(file, rows, Vec::new())
}

pub(super) fn excel_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::empty(),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Text(i.to_string()),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(if *b { "TRUE" } else { "FALSE" }.into()),
        Data::DateTime(dt) if dt.is_datetime() && dt.as_f64() >= 1.0 => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
                .map_or(Cell::Number(dt.as_f64()), Cell::Date)
        }
        Data::DateTime(dt) if dt.is_datetime() => {
            let (_, _, _, h, min, s, _) = dt.to_ymd_hms_milli();
            Cell::Text(if s == 0 { format!("{h:02}:{min:02}") } else { format!("{h:02}:{min:02}:{s:02}") })
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) => s
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map_or_else(|| Cell::Text(s.clone()), Cell::Date),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// The columns found in the header row.
pub(super) struct Columns {
    /// `(role, index)`, first occurrence of each role.
    found: Vec<(Col, usize)>,
}

impl Columns {
    fn index(&self, col: Col) -> Option<usize> {
        self.found.iter().find(|(c, _)| *c == col).map(|&(_, i)| i)
    }

    fn has(&self, col: Col) -> bool {
        self.index(col).is_some()
    }
}

/// Reads the header row; `None` (with an error) when required columns are missing.
pub(super) fn read_header(file: &str, row: usize, cells: &[Cell], problems: &mut Vec<Problem>) -> Option<Columns> {
    let mut found: Vec<(Col, usize)> = Vec::new();
    let mut unknown = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let header = cell.text();
        if header.is_empty() {
            continue;
        }
        match Col::from_header(&header) {
            None => unknown.push(format!("\"{header}\" (cột thứ {})", i + 1)),
            Some(col) => {
                if let Some(&(_, first)) = found.iter().find(|(c, _)| *c == col) {
                    problems.push(problem(
                        Severity::Error,
                        file,
                        Some(row),
                        None,
                        format!(
                            "cột \"{header}\" (cột thứ {}) trùng vai trò với cột \"{}\" (cột thứ {})",
                            i + 1,
                            cells[first].text(),
                            first + 1
                        ),
                    ));
                } else {
                    found.push((col, i));
                }
            }
        }
    }
    if !unknown.is_empty() {
        problems.push(problem(
            Severity::Warning,
            file,
            Some(row),
            None,
            format!("bỏ qua cột không nhận ra: {}", unknown.join(", ")),
        ));
    }
    let columns = Columns { found };
    let missing: Vec<String> = REQUIRED.iter().filter(|c| !columns.has(**c)).map(|c| c.title()).collect();
    if !missing.is_empty() {
        problems.push(problem(
            Severity::Error,
            file,
            Some(row),
            None,
            format!("thiếu cột bắt buộc: {} (dòng tiêu đề cần có các cột Câu hỏi, A, B, Đáp án)", missing.join(", ")),
        ));
        return None;
    }
    if !columns.has(Col::Difficulty) {
        problems.push(problem(
            Severity::Warning,
            file,
            Some(row),
            None,
            "không có cột Mức độ: mọi câu hỏi được coi là Trung bình (medium)".into(),
        ));
    }
    Some(columns)
}

/// Turns rows (numbered as the spreadsheet shows them) into drafts.
pub(super) fn drafts_from_rows(
    file: &str,
    rows: Vec<(usize, Vec<Cell>)>,
    mut problems: Vec<Problem>,
) -> (Vec<Draft>, Vec<Problem>) {
    let rows: Vec<(usize, Vec<Cell>)> =
        rows.into_iter().filter(|(_, cells)| !cells.iter().all(Cell::is_blank)).collect();
    let is_header = |cells: &[Cell]| cells.iter().any(|c| Col::from_header(&c.text()) == Some(Col::Text));
    let Some(header_at) = rows.iter().take(HEADER_SEARCH).position(|(_, cells)| is_header(cells)).or_else(|| {
        // No "Câu hỏi" anywhere: the first row is taken as the header, and reported.
        (!rows.is_empty()).then_some(0)
    }) else {
        problems.push(problem(
            Severity::Error,
            file,
            None,
            None,
            "bảng tính trống: cần một dòng tiêu đề (STT, Câu hỏi, A, B, C, D, Đáp án, …) và các câu hỏi".into(),
        ));
        return (Vec::new(), problems);
    };
    let (header_row, header_cells) = &rows[header_at];
    let Some(columns) = read_header(file, *header_row, header_cells, &mut problems) else {
        return (Vec::new(), problems);
    };
    let mut drafts = Vec::new();
    for (row, cells) in &rows[header_at + 1..] {
        if let Some(draft) = draft_from_row(file, *row, cells, &columns, &mut problems) {
            drafts.push(draft);
        }
    }
    (drafts, problems)
}

/// One question row; `None` for a row with nothing in it but an STT.
pub(super) fn draft_from_row(
    file: &str,
    row: usize,
    cells: &[Cell],
    columns: &Columns,
    problems: &mut Vec<Problem>,
) -> Option<Draft> {
    let cell = |col: Col| columns.index(col).and_then(|i| cells.get(i));
    let text = |col: Col| cell(col).map(Cell::text).unwrap_or_default();
    let content = columns.found.iter().filter(|(c, _)| *c != Col::Stt);
    if content.clone().all(|&(_, i)| cells.get(i).is_none_or(Cell::is_blank)) {
        return None;
    }

    let stt = text(Col::Stt);
    let key = match text(Col::Key) {
        k if !k.is_empty() => k,
        _ if !stt.is_empty() => {
            format!("stt-{}", stt.trim_end_matches('.').split_whitespace().collect::<Vec<_>>().join("-"))
        }
        _ => format!("q-{row}"),
    };
    let mut report = |severity: Severity, message: String| {
        problems.push(problem(severity, file, Some(row), Some(&key), message));
    };
    for &(col, i) in content {
        if let Some(Cell::Error(e)) = cells.get(i) {
            report(Severity::Error, format!("ô {} chứa lỗi {e}", col.title()));
        }
    }

    let mut options: Vec<String> = (0..MAX_OPTIONS).map(|i| text(Col::Option(i))).collect();
    while options.last().is_some_and(String::is_empty) {
        options.pop();
    }
    let answer = parse_answer(&text(Col::Answer), &mut options);

    let kind = match text(Col::Kind) {
        k if !k.is_empty() => parse_kind(&k).map_or(k, |kind| kind.as_str().to_string()),
        _ => {
            let letters = answer.as_ref().map_or(0, Vec::len);
            let true_false = options.iter().map(|o| nfc(o)).eq(TRUE_FALSE_OPTIONS.iter().map(|o| o.to_string()));
            let kind = if letters > 1 {
                Kind::Multiple
            } else if true_false {
                Kind::TrueFalse
            } else {
                Kind::Single
            };
            kind.as_str().to_string()
        }
    };

    let difficulty = if columns.has(Col::Difficulty) {
        let raw = text(Col::Difficulty);
        match parse_difficulty(&raw) {
            Some(d) => d,
            None if raw.is_empty() => {
                report(Severity::Warning, "mức độ để trống: coi là Trung bình (medium)".into());
                Difficulty::Medium
            }
            None => {
                report(Severity::Error, format!("mức độ \"{raw}\" không hợp lệ (Dễ | Trung bình | Khó)"));
                Difficulty::Medium
            }
        }
    } else {
        Difficulty::Medium
    };

    let fixed_order = if columns.has(Col::FixedOrder) {
        let raw = text(Col::FixedOrder);
        parse_flag(&raw).unwrap_or_else(|| {
            report(
                Severity::Error,
                format!("Thứ tự cố định \"{raw}\" không hợp lệ: ghi x (giữ thứ tự phương án) hoặc để trống"),
            );
            false
        })
    } else {
        options.iter().any(|o| refers_to_other_options(o))
    };

    let as_of = match cell(Col::AsOf) {
        None => Ok(None),
        Some(Cell::Date(d)) => Ok(Some(*d)),
        Some(Cell::Number(n)) => {
            Err(format!("Ngày là số {}, không phải ngày: định dạng ô thành ngày hoặc ghi YYYY-MM-DD", number_text(*n)))
        }
        Some(c) => parse_date(&c.text()),
    };

    let non_empty = |s: String| (!s.is_empty()).then_some(s);
    Some(Draft {
        line: row,
        key: Some(key),
        kind: Some(kind),
        difficulty: Some(difficulty.as_str().to_string()),
        text: non_empty(text(Col::Text)),
        options,
        answer,
        explanation: non_empty(text(Col::Explanation)),
        source: non_empty(text(Col::Source)),
        fixed_order,
        as_of,
        group: None,
    })
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
    let is_separator = |c: char| matches!(c, ',' | ';' | '/' | '+' | '&') || c.is_whitespace();
    let mut letters = Vec::new();
    for token in raw.split(is_separator).filter(|t| !t.is_empty()) {
        if matches!(fold_ascii(token).as_str(), "va" | "and") {
            continue;
        }
        let bare = token.trim_start_matches('(').trim_end_matches(['.', ')']);
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

/// `None` for an empty or unknown value.
pub(super) fn parse_difficulty(raw: &str) -> Option<Difficulty> {
    match fold_ascii(raw).as_str() {
        "de" | "easy" => Some(Difficulty::Easy),
        "trung binh" | "tb" | "medium" => Some(Difficulty::Medium),
        "kho" | "hard" => Some(Difficulty::Hard),
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
