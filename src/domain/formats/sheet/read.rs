//! Turning a sheet's rows (CSV or .xlsx) into drafts.

use super::header::{Columns, header_position, read_header, with_sub_header};
use super::values::{parse_answer, parse_date, parse_difficulty, parse_flag, parse_kind};
use super::*;

/// Turns rows (numbered as the spreadsheet shows them) into drafts. With no
/// "Câu hỏi" column among the first rows, the first row is taken as the
/// header, and its missing columns reported.
pub(super) fn drafts_from_rows(file: &str, rows: Vec<Row>, mut problems: Vec<Problem>) -> (Vec<Draft>, Vec<Problem>) {
    let rows: Vec<Row> = rows.into_iter().filter(|r| !r.is_blank()).collect();
    let Some(mut header_at) = header_position(&rows).or_else(|| (!rows.is_empty()).then_some(0)) else {
        problems.push(problem(
            Severity::Error,
            file,
            None,
            None,
            "bảng tính trống: cần một dòng tiêu đề (STT, Câu hỏi, A, B, C, D, Đáp án, …) và các câu hỏi".into(),
        ));
        return (Vec::new(), problems);
    };
    let mut header = rows[header_at].clone();
    if let Some(combined) = rows.get(header_at + 1).and_then(|below| with_sub_header(&header, below)) {
        header = combined;
        header_at += 1;
    }
    let Some(columns) = read_header(file, &header, &mut problems) else {
        return (Vec::new(), problems);
    };
    let mut drafts = Vec::new();
    for row in &rows[header_at + 1..] {
        if let Some(draft) = draft_from_row(file, row, &columns, &mut problems) {
            drafts.push(draft);
        }
    }
    (drafts, problems)
}

/// Whether a row holds no question: nothing of its own but an STT, or only
/// one value merged across several columns (a section heading such as
/// "Phần I").
fn holds_no_question(row: &Row, columns: &Columns) -> bool {
    let own: Vec<usize> =
        columns.found.iter().filter(|(c, _)| *c != Col::Stt).map(|&(_, i)| i).filter(|&i| row.own(i)).collect();
    match own.as_slice() {
        [] => true,
        [i] => row.merge(*i).is_some_and(|m| row.merged.iter().filter(|x| x.is_some_and(|x| x.id == m.id)).count() > 1),
        _ => false,
    }
}

/// One question row; `None` for a row that holds no question.
pub(super) fn draft_from_row(file: &str, row: &Row, columns: &Columns, problems: &mut Vec<Problem>) -> Option<Draft> {
    let cells = &row.cells;
    let cell = |col: Col| columns.index(col).and_then(|i| cells.get(i));
    let text = |col: Col| cell(col).map(Cell::text).unwrap_or_default();
    let content = columns.found.iter().filter(|(c, _)| *c != Col::Stt);
    if holds_no_question(row, columns) {
        return None;
    }
    let row = row.line;

    let stt = text(Col::Stt);
    // A row without `Mã` is keyed by its text later; problems name it by its STT or row.
    let given = Some(text(Col::Key)).filter(|k| !k.is_empty());
    let key = match &given {
        Some(k) => k.clone(),
        None if !stt.is_empty() => {
            format!("stt-{}", stt.trim_end_matches('.').split_whitespace().collect::<Vec<_>>().join("-"))
        }
        None => format!("q-{row}"),
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
                report(Severity::Warning, "mức độ để trống: coi là Trung bình".into());
                Difficulty::Medium
            }
            None => {
                report(
                    Severity::Error,
                    format!(
                        "mức độ \"{raw}\" không hợp lệ (Dễ | Trung bình | Khó, hoặc Nhận biết | Thông hiểu | Vận dụng | Vận dụng cao)"
                    ),
                );
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
        key: given,
        kind: Some(kind),
        difficulty: Some(difficulty.as_str().to_string()),
        text: non_empty(text(Col::Text)),
        options,
        answer,
        explanation: non_empty(text(Col::Explanation)),
        source: non_empty(text(Col::Source)),
        fixed_order,
        as_of,
        group: non_empty(text(Col::Group)),
    })
}
