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
//! # The layout
//!
//! - **Header row**: the first row (among the first 20 non-empty ones) with a
//!   "Câu hỏi" column; rows above it (a title) are ignored. Header names are
//!   matched folded: without regard to case, diacritics, `_`, a trailing
//!   `:`/`*`/`.`/`-`, and a note in parentheses or brackets after a known
//!   name ("CÂU HỎI", "cau hoi", "Đáp Án:", "Mức độ (Dễ/TB/Khó)"). The
//!   names organizers use are accepted (see `Col::named`), among them
//!   "Nội dung câu hỏi"; "Phương án A", "Đáp án A", "Lựa chọn A", "PA A"
//!   or "A." for the options; "Đáp án đúng", "Phương án đúng", "Câu trả lời
//!   đúng"; "Căn cứ", "Căn cứ pháp lý", "Nguồn trích dẫn", "Tài liệu";
//!   "Độ khó", "Mức độ nhận thức", "Cấp độ". **"Ghi chú"** is the
//!   explanation when there is no "Giải thích" column; beside one it is
//!   ignored and named in the unknown-columns warning. Columns may come in
//!   any order; E and F are optional. Missing required columns (Câu hỏi, A,
//!   B, Đáp án) are one error naming them all; unknown columns are one
//!   warning. A **two-level header** (a merged "Phương án" over A | B | C |
//!   D on the row below) is read as one: when the header row lacks a
//!   required column and the next row holds nothing but column names, those
//!   names fill it in.
//! - **Rows** are numbered as the spreadsheet shows them (1-based, header
//!   included; a CSV record with line breaks inside quotes is one row). A
//!   row with nothing of its own is skipped: all empty, an `STT` alone
//!   (templates are often pre-numbered), only values copied down from a
//!   merged cell above, or a single value merged across several columns (a
//!   section heading such as "Phần I: Luật Đất đai").
//! - **Key** (`Mã`): when absent or empty, the key comes from the question's
//!   text (`formats::content_key`), so sorting, renumbering or inserting rows
//!   never renames a question; hoithi writes `Mã` so its own exports keep
//!   their keys. Problems name such a row by its STT (`stt-5`) or its row.
//! - **Group** (`Nhóm`): the question's exclusion group, if any (questions
//!   of one group are never drawn into one paper); written only when a
//!   question of the bank has one.
//! - **Answer** (`Đáp án`): letters A–F, case ignored, separated by `,`, `;`,
//!   `/`, `+`, `&`, spaces or "và", or run together, each maybe in
//!   parentheses or followed by `.`: "B", " b ", "B.", "(B)", "A, C", "A;C",
//!   "AC", "a và c" all work, also after the words organizers put before
//!   them ("Đáp án B", "Đáp án: B", "Phương án B", "Đáp án đúng là B",
//!   "PA B", "Chọn B"). Anything else is passed on as written, so the
//!   checker names it. "Đúng"/"Sai" picks the option with that text; when
//!   the row has no options at all they become A = "Đúng", B = "Sai".
//! - **Kind** (`Loại`: single | multiple | true_false, or "một lựa chọn",
//!   "nhiều lựa chọn", "đúng/sai"): when absent or empty, `multiple` when the
//!   answer has more than one letter, `true_false` when the options are
//!   exactly "Đúng", "Sai", otherwise `single`.
//! - **Difficulty** (`Mức độ`): Dễ / Trung bình (TB) / Khó or easy / medium /
//!   hard, and the levels of the school scale: Nhận biết (NB) → easy, Thông
//!   hiểu (TH) → medium, Vận dụng (VD) and Vận dụng cao (VDC) → hard; any
//!   case and diacritics. Empty → medium with a warning; no column at all →
//!   medium with one warning; anything else is an error for its row.
//! - **Fixed order** (`Thứ tự cố định`): x / có / true / 1 → fixed; empty,
//!   không / false / 0 → shuffled. Without the column, a question is fixed
//!   exactly when one of its options refers to the others ("Cả A và B",
//!   "Tất cả các phương án trên"), which is what an organizer's sheet means.
//! - **Date** (`Ngày`, the question's `as_of`): a real date cell (any date
//!   format), or text `YYYY-MM-DD` or `DD/MM/YYYY` (the Vietnamese order,
//!   also with `-` or `.`). A plain number is refused rather than guessed at.
//!
//! # Cells as people see them (.xlsx)
//!
//! Shared strings, inline strings and rich text (runs joined, phonetic runs
//! left out); whole numbers without `.0` (2018, not 2018.0), others as
//! Excel's General shows them (15 significant digits); a percent format
//! (built-in 9 and 10, or a custom one with `%` outside quotes) as the
//! value × 100 with the format's decimals ("30%", "0.50%", "30.5%"); a
//! date format (built-in 14–17, 22, 27–36, 50–58, or a custom one with
//! `d`, `y` or a lone `m` outside quotes and brackets) as a date, shown
//! DD/MM/YYYY and a real date in `Ngày`; a time format (built-in 18–21,
//! 45–47, custom with `h`, `s` or `[h]`) as HH:MM(:SS); booleans as TRUE /
//! FALSE; formulas by their cached value; an error cell (`#N/A`) is an
//! error for its row when it lies in a column that is read. Other number
//! formats (decimals, thousands separators) are not applied. **Merged
//! cells** give their value to every cell of the range (a source merged
//! over several questions applies to each); a header merged across columns
//! names its first column only.
//!
//! # Which sheet
//!
//! The worksheet named by the request (exactly, or folded like a header),
//! or else the first in workbook order that holds a header row. When the
//! named sheet does not exist, or no sheet holds a header, the one error
//! lists the sheets' names.
//!
//! # Hostile files
//!
//! Every file is read within the request's [`Budget`](super::Budget) and
//! refused with [`Budget::refusal`](super::Budget::refusal), which names the
//! bound and its setting, never by a panic or an allocation sized by what
//! the file claims:
//!
//! - .xlsx is read by hoithi's own reader (`xlsx`): the zip with `zip`,
//!   each XML part as a stream of `quick-xml` events. No part is inflated
//!   before the sizes the zip's central directory declares fit
//!   `unpacked_bytes`: first the workbook and its relationships (which name
//!   the other parts), then, together with what those took, the shared
//!   strings, the styles and the first sheet; a later sheet, when searching
//!   for the header, against what remains. Each part is inflated through
//!   `Read::take(remaining + 1)`, so more than the budget is never inflated
//!   whatever the directory says; a part whose declared size lies is in
//!   practice caught earlier by the zip reader itself, at its declared size,
//!   and refused as lying.
//! - The declared `<dimension>` is never used. Cells are stored sparsely;
//!   only cells with a value count: more than `cells` of them, a row number
//!   above `rows` or a column past `columns` is refused, naming the first
//!   offending cell ("ô XFD1048576"); empty (styled) cells anywhere are
//!   ignored. Cells without an `r` reference follow the previous cell, as
//!   Excel reads them. Copies made for merged ranges count as cells before
//!   they are made, the range clipped to the rows and columns bounds.
//! - A cell longer than `field_chars` characters is refused, naming it
//!   ("ô C7: …"). The shared strings table is bounded as a whole by
//!   `unpacked_bytes` (it is stored as one text with offsets); one of its
//!   strings longer than `field_chars` is refused only when a cell of the
//!   sheet read uses it, so a long note on another sheet does no harm.
//! - A file that is not a zip, an old `.xls` (or password-protected file),
//!   a zip without `xl/workbook.xml`, XML that is not well-formed or not
//!   UTF-8, a cell naming a shared string that does not exist: one error
//!   starting "không đọc được tệp Excel (.xlsx)".
//! - **CSV** has the same rows, columns (the last non-empty field of a
//!   record), cells (non-empty fields) and field-length bounds; blank
//!   records do not count.
//!
//! # CSV encodings
//!
//! UTF-8 with or without BOM; UTF-16 LE or BE with a BOM (Excel's "Unicode
//! Text", tab-separated) or without one (told by the zero high bytes of its
//! ASCII characters at one parity, a quarter of the first 4 KiB). Other
//! bytes are one error that says what the file seems to be: an .xlsx or
//! .xls with a .csv name, binary data, or, for other non-UTF-8 text, a
//! file saved in an old Vietnamese code page (ANSI/Windows-1258, TCVN3 or
//! VNI), with how to save it as "CSV UTF-8 (Comma delimited)". The
//! separator (`,`, `;` as Vietnamese-locale Excel saves, or tab) is the
//! most frequent one outside quotes in the first non-empty line; Excel's
//! `sep=;` first line is honoured.
//!
//! Writing (`write_csv`, `write_xlsx`) uses the same layout with the extra
//! columns, so reading back what hoithi wrote gives the same questions.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};

use crate::domain::bank::{
    Bank, Difficulty, Draft, Kind, Problem, Question, Severity, TRUE_FALSE_OPTIONS, letter, refers_to_other_options,
};
use crate::domain::formats::Budget;
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
    /// "Ghi chú": the explanation when the sheet has no "Giải thích" column.
    Note,
    Source,
    Difficulty,
    Key,
    Kind,
    FixedOrder,
    AsOf,
    Group,
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
            Col::Note => "Ghi chú".into(),
            Col::Source => "Nguồn".into(),
            Col::Difficulty => "Mức độ".into(),
            Col::Key => "Mã".into(),
            Col::Kind => "Loại".into(),
            Col::FixedOrder => "Thứ tự cố định".into(),
            Col::AsOf => "Ngày".into(),
            Col::Group => "Nhóm".into(),
        }
    }

    /// The column a header names, if any: matched folded (no case, no
    /// diacritics, `_` as a space, a trailing `:`/`*`/`.` dropped), and a
    /// note in parentheses or brackets after a known header ignored
    /// ("Mức độ (Dễ/TB/Khó)", "Đáp án [A-D]").
    fn from_header(header: &str) -> Option<Col> {
        let folded = fold_ascii(&header.replace('_', " "));
        let trim = |s: &str| s.trim_end_matches([':', '*', '.', ' ', '-']).trim_start().to_string();
        let name = trim(&folded);
        Col::named(&name).or_else(|| {
            let (before, _) = name.split_once(['(', '['])?;
            let before = trim(before);
            if before.is_empty() { None } else { Col::named(&before) }
        })
    }

    /// The column a folded, trimmed header names.
    fn named(name: &str) -> Option<Col> {
        let option = |prefix: &str| {
            let rest = if prefix.is_empty() { name } else { name.strip_prefix(prefix)? };
            let mut chars = rest.trim_start().chars();
            let c = chars.next()?;
            (chars.next().is_none() && ('a'..='f').contains(&c)).then(|| Col::Option(c as usize - 'a' as usize))
        };
        let col = match name {
            "stt" | "tt" | "so tt" | "so thu tu" | "thu tu" | "cau so" | "no" => Col::Stt,
            "cau hoi"
            | "noi dung"
            | "noi dung cau hoi"
            | "cau hoi trac nghiem"
            | "ten cau hoi"
            | "de bai"
            | "question" => Col::Text,
            "dap an"
            | "dap an dung"
            | "phuong an dung"
            | "phuong an tra loi dung"
            | "cau tra loi dung"
            | "tra loi dung"
            | "dap an chinh xac"
            | "da"
            | "d/a"
            | "answer"
            | "correct answer" => Col::Answer,
            "giai thich" | "giai thich dap an" | "loi giai" | "huong dan giai" | "explanation" => Col::Explanation,
            "ghi chu" | "chu thich" | "note" | "notes" => Col::Note,
            "nguon" | "can cu" | "can cu phap ly" | "can cu phap luat" | "co so phap ly" | "nguon trich dan"
            | "trich dan" | "nguon tai lieu" | "tai lieu" | "tai lieu tham khao" | "van ban" | "van ban phap luat"
            | "source" => Col::Source,
            "muc do" | "do kho" | "muc do kho" | "muc do nhan thuc" | "cap do" | "cap do nhan thuc" | "level"
            | "difficulty" => Col::Difficulty,
            "ma" | "ma cau hoi" | "key" => Col::Key,
            "loai" | "loai cau hoi" | "kind" => Col::Kind,
            "thu tu co dinh" | "giu thu tu" | "fixed order" => Col::FixedOrder,
            "ngay" | "as of" => Col::AsOf,
            "nhom" | "nhom loai tru" | "group" => Col::Group,
            _ => {
                return ["", "phuong an tra loi ", "phuong an ", "lua chon ", "dap an ", "pa ", "pa.", "option "]
                    .into_iter()
                    .find_map(option);
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
            Col::Explanation | Col::Note => 50.0,
            Col::Source => 40.0,
            Col::Difficulty => 12.0,
            Col::Key => 12.0,
            Col::Kind => 12.0,
            Col::FixedOrder => 15.0,
            Col::AsOf => 12.0,
            Col::Group => 14.0,
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

/// Where a cell's value came from when it lies in a merged range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Merge {
    /// Which merged range (its index in the sheet).
    id: u32,
    /// The range's top-left cell, the one that holds the value.
    origin: bool,
}

/// One row of a sheet as read.
#[derive(Clone, Debug, Default, PartialEq)]
struct Row {
    /// The row number the spreadsheet shows (1-based).
    line: usize,
    cells: Vec<Cell>,
    /// Per cell, the merged range it lies in; shorter than `cells` (empty
    /// for CSV) where no cell is merged.
    merged: Vec<Option<Merge>>,
}

impl Row {
    fn merge(&self, i: usize) -> Option<Merge> {
        self.merged.get(i).copied().flatten()
    }

    /// A cell with a value of its own: not blank, not a copy of a merged range's value.
    fn own(&self, i: usize) -> bool {
        self.cells.get(i).is_some_and(|c| !c.is_blank()) && self.merge(i).is_none_or(|m| m.origin)
    }

    /// No cell has a value of its own (blank, or only copies of merged values from rows above).
    fn is_blank(&self) -> bool {
        !(0..self.cells.len()).any(|i| self.own(i))
    }
}

/// 1.0 → "1"; other numbers as Excel's General shows them (15 significant digits).
fn number_text(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        return format!("{}", n as i64);
    }
    if !n.is_finite() || n == 0.0 || n.abs() >= 1e15 || n.abs() < 1e-9 {
        return format!("{n}");
    }
    let magnitude = n.abs().log10().floor() as i32;
    let decimals = usize::try_from((14 - magnitude).clamp(0, 24)).unwrap_or(0);
    let fixed = format!("{n:.decimals$}");
    let fixed = if fixed.contains('.') { fixed.trim_end_matches('0').trim_end_matches('.') } else { &fixed };
    fixed.to_string()
}

/// "C7": the address of a cell, 0-based column, row as shown.
fn cell_ref(col: usize, row: usize) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &row.to_string()
}

fn problem(severity: Severity, file: &str, line: Option<usize>, key: Option<&str>, message: String) -> Problem {
    Problem { severity, file: file.to_string(), line, key: key.map(str::to_string), message }
}

mod bounds;
mod csv_sheet;
mod header;
mod read;
mod values;
mod write;
mod xlsx;

pub use csv_sheet::parse_csv;
pub use write::{write_csv, write_xlsx};
pub use xlsx::parse_xlsx;

/// The rows of an Excel workbook as the spreadsheet shows them, for files
/// that are not question banks (an accounts list): the first sheet with a
/// row among its first [`HEADER_SEARCH`] that `is_header` accepts, as (row
/// number, trimmed cell texts) for each row with a value; merged ranges
/// give their value to every cell. Read within `budget`; the error says
/// why not, in Vietnamese, `sought` naming the header looked for.
pub fn xlsx_records(
    bytes: &[u8],
    budget: &Budget,
    is_header: &dyn Fn(&[String]) -> bool,
    sought: &str,
) -> Result<Vec<(usize, Vec<String>)>, String> {
    let texts = |r: &Row| -> Vec<String> { r.cells.iter().map(Cell::text).collect() };
    let has_header = |rows: &[Row]| rows.iter().take(HEADER_SEARCH).any(|r| is_header(&texts(r)));
    let rows = xlsx::read_rows_where(bytes, None, budget, &has_header, sought)?;
    Ok(rows.iter().map(|r| (r.line, texts(r))).collect())
}

#[cfg(test)]
mod tests;
