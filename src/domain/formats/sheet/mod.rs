//! Question banks as spreadsheets: Excel `.xlsx` and CSV, in the layout
//! Vietnamese organizers already use.
//!
//! ```text
//! STT | Câu hỏi | A | B | C | D | (E | F) | Đáp án | Giải thích | Nguồn | Mức độ | (Mã | Loại | Thứ tự cố định | Ngày)
//! ```
//!
//! Reading (`parse_csv`, `parse_xlsx`) turns the sheet into [`Draft`]s and
//! reports what only the sheet can tell (columns, cells); every rule about
//! questions is left to [`crate::domain::bank::check_drafts`], which the
//! caller runs next, usually with `Strictness::Lenient`.
//!
//! - **Header row**: the first row (among the first 20 non-empty ones) with a
//!   "Câu hỏi" column; rows above it (a title) are ignored. Header names are
//!   matched without regard to case, diacritics, `_` and a trailing `:`/`*`/`.`
//!   ("CÂU HỎI", "cau hoi", "Đáp Án"); a few aliases are accepted (see
//!   `Col::from_header`). Columns may come in any order; E and F are optional.
//!   Missing required columns (Câu hỏi, A, B, Đáp án) are one error naming
//!   them all; unknown columns are one warning.
//! - **Rows** are numbered as the spreadsheet shows them (1-based, header
//!   included; a CSV record with line breaks inside quotes is one row). A
//!   row whose cells are all empty (an `STT` alone counts as empty: templates
//!   are often pre-numbered) is skipped.
//! - **Key** (`Mã`): when absent or empty, `stt-<STT>`, or `q-<row>` when the
//!   row has no STT either. A sorted or renumbered sheet without `Mã` thus
//!   yields new keys: hoithi writes `Mã` so its own exports keep them.
//! - **Answer** (`Đáp án`): letters A–F, case ignored, separated by `,`, `;`,
//!   `/`, `+`, `&`, spaces or "và", or run together: "B", "A, C", "A;C",
//!   "AC", "a và c" all work. Anything else is passed on as written, so the
//!   checker names it. "Đúng"/"Sai" picks the option with that text; when
//!   the row has no options at all they become A = "Đúng", B = "Sai".
//! - **Kind** (`Loại`: single | multiple | true_false, or "một lựa chọn",
//!   "nhiều lựa chọn", "đúng/sai"): when absent or empty, `multiple` when the
//!   answer has more than one letter, `true_false` when the options are
//!   exactly "Đúng", "Sai", otherwise `single`.
//! - **Difficulty** (`Mức độ`): Dễ / Trung bình / Khó or easy / medium / hard,
//!   any case and diacritics; empty → medium with a warning; no column at
//!   all → medium with one warning.
//! - **Fixed order** (`Thứ tự cố định`): x / có / true / 1 → fixed; empty,
//!   không / false / 0 → shuffled. Without the column, a question is fixed
//!   exactly when one of its options refers to the others ("Cả A và B",
//!   "Tất cả các phương án trên"), which is what an organizer's sheet means.
//! - **Date** (`Ngày`, the question's `as_of`): a real date cell, or text
//!   `YYYY-MM-DD` or `DD/MM/YYYY` (the Vietnamese order, also with `-` or
//!   `.`). A plain number is refused rather than guessed at.
//! - **Cells** of other types are read as displayed: 1.0 → "1", a date cell
//!   in a text column → "DD/MM/YYYY"; a formula error (`#N/A`) is an error.
//! - **CSV**: UTF-8 with or without BOM, or UTF-16 with BOM (Excel's
//!   "Unicode Text"); other encodings are one clear error. The separator
//!   (`,`, `;` as Vietnamese-locale Excel saves, or tab) is the most
//!   frequent one outside quotes in the first non-empty line; Excel's
//!   `sep=;` first line is honoured.
//!
//! Writing (`write_csv`, `write_xlsx`) uses the same layout with the extra
//! columns, so reading back what hoithi wrote gives the same questions.

use calamine::{Data, Reader, Xlsx};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};

use crate::domain::bank::{
    Bank, Difficulty, Draft, Kind, Problem, Question, Severity, TRUE_FALSE_OPTIONS, letter, refers_to_other_options,
};
use crate::domain::text::{fold_ascii, nfc};

/// How many non-empty rows are searched for the header row.
const HEADER_SEARCH: usize = 20;
/// The most options a question may have (A–F).
const MAX_OPTIONS: usize = 6;

/// The role of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Stt,
    Text,
    Option(usize),
    Answer,
    Explanation,
    Source,
    Difficulty,
    Key,
    Kind,
    FixedOrder,
    AsOf,
}

/// The columns every sheet needs.
const REQUIRED: [Col; 4] = [Col::Text, Col::Option(0), Col::Option(1), Col::Answer];

impl Col {
    /// The header hoithi writes (and names the column by in messages).
    fn title(self) -> String {
        match self {
            Col::Stt => "STT".into(),
            Col::Text => "Câu hỏi".into(),
            Col::Option(i) => letter(i).to_string(),
            Col::Answer => "Đáp án".into(),
            Col::Explanation => "Giải thích".into(),
            Col::Source => "Nguồn".into(),
            Col::Difficulty => "Mức độ".into(),
            Col::Key => "Mã".into(),
            Col::Kind => "Loại".into(),
            Col::FixedOrder => "Thứ tự cố định".into(),
            Col::AsOf => "Ngày".into(),
        }
    }

    /// The column a header names, if any.
    fn from_header(header: &str) -> Option<Col> {
        let folded = fold_ascii(&header.replace('_', " "));
        let name = folded.trim_end_matches([':', '*', '.', ' ']);
        let option = |prefix: &str| {
            let rest = if prefix.is_empty() { name } else { name.strip_prefix(prefix)? };
            let mut chars = rest.chars();
            let c = chars.next()?;
            (chars.next().is_none() && ('a'..='f').contains(&c)).then(|| Col::Option(c as usize - 'a' as usize))
        };
        let col = match name {
            "stt" | "tt" | "so tt" | "so thu tu" => Col::Stt,
            "cau hoi" | "noi dung" | "noi dung cau hoi" | "question" => Col::Text,
            "dap an" | "dap an dung" | "phuong an dung" | "da" | "d/a" | "answer" => Col::Answer,
            "giai thich" | "explanation" => Col::Explanation,
            "nguon" | "can cu" | "source" => Col::Source,
            "muc do" | "do kho" | "difficulty" => Col::Difficulty,
            "ma" | "ma cau hoi" | "key" => Col::Key,
            "loai" | "loai cau hoi" | "kind" => Col::Kind,
            "thu tu co dinh" | "giu thu tu" | "fixed order" => Col::FixedOrder,
            "ngay" | "as of" => Col::AsOf,
            _ => {
                return ["", "phuong an ", "lua chon ", "dap an ", "option "].into_iter().find_map(option);
            }
        };
        Some(col)
    }

    /// A sensible width in the written .xlsx (characters).
    fn width(self) -> f64 {
        match self {
            Col::Stt => 6.0,
            Col::Text => 60.0,
            Col::Option(_) => 28.0,
            Col::Answer => 9.0,
            Col::Explanation => 50.0,
            Col::Source => 40.0,
            Col::Difficulty => 12.0,
            Col::Key => 12.0,
            Col::Kind => 12.0,
            Col::FixedOrder => 15.0,
            Col::AsOf => 12.0,
        }
    }
}

/// One cell as read, before it is interpreted for its column.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Error(String),
}

impl Cell {
    fn empty() -> Self {
        Cell::Text(String::new())
    }

    fn is_blank(&self) -> bool {
        matches!(self, Cell::Text(s) if s.trim().is_empty())
    }

    /// The cell as the spreadsheet displays it, trimmed.
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) => number_text(*n),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
            Cell::Error(_) => String::new(),
        }
    }
}

/// 1.0 → "1"; other numbers in their shortest form.
fn number_text(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

fn problem(severity: Severity, file: &str, line: Option<usize>, key: Option<&str>, message: String) -> Problem {
    Problem { severity, file: file.to_string(), line, key: key.map(str::to_string), message }
}

mod read;
mod write;

pub use read::{parse_csv, parse_xlsx};
pub use write::{write_csv, write_xlsx};

#[cfg(test)]
mod tests;
