//! Finding and reading a sheet's header row.

use super::*;

/// The columns found in the header row.
pub(super) struct Columns {
    /// `(role, index)`, first occurrence of each role.
    pub(super) found: Vec<(Col, usize)>,
}

impl Columns {
    pub(super) fn index(&self, col: Col) -> Option<usize> {
        self.found.iter().find(|(c, _)| *c == col).map(|&(_, i)| i)
    }

    pub(super) fn has(&self, col: Col) -> bool {
        self.index(col).is_some()
    }
}

/// Whether a row names the "Câu hỏi" column, which marks the header row.
pub(super) fn is_header(row: &Row) -> bool {
    row.cells.iter().any(|c| Col::from_header(&c.text()) == Some(Col::Text))
}

/// The header among the first non-blank rows, if any (`rows` holds no blank row).
pub(super) fn header_position(rows: &[Row]) -> Option<usize> {
    rows.iter().take(HEADER_SEARCH).position(is_header)
}

/// A header row whose required columns are named one row lower, as in a
/// two-level header ("Phương án" over A | B | C | D): the header with the
/// lower row's names filled in, when `below` is such a row.
pub(super) fn with_sub_header(header: &Row, below: &Row) -> Option<Row> {
    let names: Vec<Option<Col>> = header.cells.iter().map(|c| Col::from_header(&c.text())).collect();
    if REQUIRED.iter().all(|r| names.contains(&Some(*r))) {
        return None;
    }
    let mut supplies = false;
    for i in 0..below.cells.len() {
        if !below.own(i) {
            continue;
        }
        match Col::from_header(&below.cells[i].text()) {
            None => return None,
            Some(Col::Text) => return None,
            Some(_) => supplies = true,
        }
    }
    if !supplies {
        return None;
    }
    let width = header.cells.len().max(below.cells.len());
    let mut row = Row { line: header.line, cells: Vec::with_capacity(width), merged: Vec::with_capacity(width) };
    for i in 0..width {
        if below.own(i) {
            row.cells.push(below.cells[i].clone());
            row.merged.push(None);
        } else {
            row.cells.push(header.cells.get(i).cloned().unwrap_or_else(Cell::empty));
            row.merged.push(header.merge(i));
        }
    }
    Some(row)
}

/// Reads the header row; `None` (with an error) when required columns are missing.
pub(super) fn read_header(file: &str, header: &Row, problems: &mut Vec<Problem>) -> Option<Columns> {
    let row = header.line;
    let cells = &header.cells;
    let mut found: Vec<(Col, usize)> = Vec::new();
    let mut unknown = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let header_text = cell.text();
        if header_text.is_empty() {
            continue;
        }
        match Col::from_header(&header_text) {
            None => {
                if header.merge(i).is_none_or(|m| m.origin) {
                    unknown.push(format!("\"{header_text}\" (cột thứ {})", i + 1));
                }
            }
            Some(col) => {
                if let Some(&(_, first)) = found.iter().find(|(c, _)| *c == col) {
                    // A header merged across columns names its first column only.
                    if header.merge(i).is_some() && header.merge(i).map(|m| m.id) == header.merge(first).map(|m| m.id) {
                        continue;
                    }
                    problems.push(problem(
                        Severity::Error,
                        file,
                        Some(row),
                        None,
                        format!(
                            "cột \"{header_text}\" (cột thứ {}) trùng vai trò với cột \"{}\" (cột thứ {})",
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
    // "Ghi chú" is the explanation unless there is a "Giải thích" column.
    if let Some(at) = found.iter().position(|(c, _)| *c == Col::Note) {
        if found.iter().any(|(c, _)| *c == Col::Explanation) {
            let (_, i) = found.remove(at);
            unknown.push(format!("\"{}\" (cột thứ {}, đã có cột Giải thích)", cells[i].text(), i + 1));
        } else {
            found[at].0 = Col::Explanation;
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
            "không có cột Mức độ: mọi câu hỏi được coi là Trung bình".into(),
        ));
    }
    Some(columns)
}
