//! Reading an Excel `.xlsx` sheet: a zip of XML parts, read here as a
//! stream under the [`Budget`] (see the module documentation of `sheet`).

use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::header::header_position;
use super::read::drafts_from_rows;
use super::*;
use crate::domain::formats::{Bound, Budget};

mod numfmt;
mod parts;
mod worksheet;

use parts::{SharedStrings, SheetEntry, Styles, Workbook as Book};

/// The start of every message about a file that is not a readable .xlsx.
const UNREADABLE: &str = "không đọc được tệp Excel (.xlsx)";

/// Parses an Excel `.xlsx` question sheet: the worksheet named `sheet`, or
/// the first (in workbook order) that holds a header row. See the module
/// documentation for the layout.
pub fn parse_xlsx(file: &str, bytes: &[u8], sheet: Option<&str>, budget: &Budget) -> (Vec<Draft>, Vec<Problem>) {
    match read_rows(bytes, sheet, budget) {
        Ok(rows) => drafts_from_rows(file, rows, Vec::new()),
        Err(message) => (Vec::new(), vec![problem(Severity::Error, file, None, None, message)]),
    }
}

/// The rows of the question sheet to read, or why there are none.
pub(super) fn read_rows(bytes: &[u8], wanted: Option<&str>, budget: &Budget) -> Result<Vec<Row>, String> {
    let sought = format!("một dòng có cột \"Câu hỏi\" trong {HEADER_SEARCH} dòng đầu, cùng các cột A, B, Đáp án");
    read_rows_where(bytes, wanted, budget, &|rows| header_position(rows).is_some(), &sought)
}

/// The non-blank rows of the sheet named `wanted`, else of the first sheet
/// `has_header` accepts; `sought` says what was looked for when none is.
pub(super) fn read_rows_where(
    bytes: &[u8],
    wanted: Option<&str>,
    budget: &Budget,
    has_header: &dyn Fn(&[Row]) -> bool,
    sought: &str,
) -> Result<Vec<Row>, String> {
    let mut package = Package::open(bytes, budget)?;
    let book_path = package.find("xl/workbook.xml").ok_or_else(|| {
        format!("{UNREADABLE}: tệp nén không có phần xl/workbook.xml (có thể đây không phải tệp Excel)")
    })?;
    let rels_path = package.find("xl/_rels/workbook.xml.rels");
    // What is read in any case, checked against the budget before inflating anything.
    let known: Vec<usize> = [Some(book_path), rels_path].into_iter().flatten().collect();
    let book_xml = package.text(book_path, &known)?;
    let rels_xml = match rels_path {
        Some(i) => package.text(i, &[])?,
        None => String::new(),
    };
    let book = Book::parse(&book_xml, &rels_xml)?;
    let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
    if book.sheets.is_empty() {
        return Err(format!("{UNREADABLE}: tệp không có trang tính nào"));
    }
    let candidates: Vec<&SheetEntry> = match wanted {
        Some(name) => {
            let found = book
                .sheets
                .iter()
                .find(|s| s.name == name)
                .or_else(|| book.sheets.iter().find(|s| fold_ascii(&s.name) == fold_ascii(name)));
            match found {
                Some(s) => vec![s],
                None => {
                    return Err(format!(
                        "tệp Excel không có trang tính \"{name}\"; các trang tính trong tệp: {}",
                        quoted_list(&names)
                    ));
                }
            }
        }
        None => book.sheets.iter().collect(),
    };
    let sst = book.shared_strings.as_deref().and_then(|p| package.find(p));
    let styles = book.styles.as_deref().and_then(|p| package.find(p));
    let first = package.find(&candidates[0].path);
    let upfront: Vec<usize> = [sst, styles, first].into_iter().flatten().collect();
    package.check_declared(&upfront)?;
    let strings = match sst {
        Some(i) => SharedStrings::parse(&package.text(i, &[])?)?,
        None => SharedStrings::default(),
    };
    let styles = match styles {
        Some(i) => Styles::parse(&package.text(i, &[])?)?,
        None => Styles::default(),
    };
    let context = worksheet::Context { budget, strings: &strings, styles: &styles, date1904: book.date1904 };
    let mut looked_at = Vec::new();
    for sheet in &candidates {
        let Some(index) = package.find(&sheet.path) else {
            return Err(format!("{UNREADABLE}: không tìm thấy phần {} của trang tính \"{}\"", sheet.path, sheet.name));
        };
        let xml = package.text(index, &[])?;
        let rows = worksheet::read(&xml, &sheet.path, &context).map_err(|m| in_sheet(&sheet.name, &m))?;
        let rows: Vec<Row> = rows.into_iter().filter(|r| !r.is_blank()).collect();
        if wanted.is_some() || has_header(&rows) {
            return Ok(rows);
        }
        looked_at.push(sheet.name.as_str());
    }
    Err(format!("không trang tính nào có dòng tiêu đề ({sought}); đã xem: {}", quoted_list(&looked_at)))
}

fn quoted_list(names: &[&str]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

/// A message about one sheet, naming it: after the cell ("ô C7 (trang tính
/// \"Câu hỏi\"): …") when the message starts with one.
fn in_sheet(name: &str, message: &str) -> String {
    match message.strip_prefix("ô ").and_then(|rest| rest.split_once(": ")) {
        Some((cell, rest)) => format!("ô {cell} (trang tính \"{name}\"): {rest}"),
        None => format!("trang tính \"{name}\": {message}"),
    }
}

/// The zip of an .xlsx, inflated only within the budget.
struct Package<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    budget: &'a Budget,
    /// Bytes that may still be inflated.
    remaining: u64,
}

impl<'a> Package<'a> {
    fn open(bytes: &'a [u8], budget: &'a Budget) -> Result<Self, String> {
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Err(format!(
                "{UNREADABLE}: đây là tệp Excel cũ (.xls) hoặc tệp có đặt mật khẩu; hãy mở trong Excel, bỏ mật \
                 khẩu nếu có, rồi lưu thành \"Excel Workbook (*.xlsx)\""
            ));
        }
        let zip = ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| format!("{UNREADABLE}: tệp không phải tệp nén .xlsx hợp lệ ({e})"))?;
        Ok(Self { zip, budget, remaining: budget.unpacked_bytes })
    }

    /// The entry named `name`, or named so in another case.
    fn find(&self, name: &str) -> Option<usize> {
        self.zip
            .index_for_name(name)
            .or_else(|| self.zip.file_names().position(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case(name))))
    }

    /// What the zip's central directory says an entry unpacks to.
    fn declared(&self, index: usize) -> u64 {
        self.zip.by_index_data(index).map_or(0, |e| e.size())
    }

    /// Refuses when the entries together declare more than may be unpacked.
    fn check_declared(&self, entries: &[usize]) -> Result<(), String> {
        let total = entries.iter().fold(0u64, |sum, &i| sum.saturating_add(self.declared(i)));
        if total > self.remaining { Err(self.budget.refusal(Bound::Unpacked)) } else { Ok(()) }
    }

    /// An entry's text, inflated through a reader that stops one byte past
    /// what may still be unpacked, so an entry whose directory size lies is
    /// caught as well. `with` are entries checked together with it first.
    fn text(&mut self, index: usize, with: &[usize]) -> Result<String, String> {
        let mut upfront = with.to_vec();
        upfront.push(index);
        upfront.dedup();
        self.check_declared(&upfront)?;
        let mut entry = self.zip.by_index(index).map_err(|e| format!("{UNREADABLE}: {e}"))?;
        let name = entry.name().map_or_else(|_| format!("số {index}"), |n| n.to_string());
        let bytes = match read_capped(&mut entry, self.remaining) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Err(self.budget.refusal(Bound::Unpacked)),
            Err(e) if e.to_string().contains("declared uncompressed size") => {
                return Err(format!(
                    "tệp bị từ chối: phần {name} của tệp .xlsx giải nén ra nhiều hơn kích thước nó khai báo \
                     (tệp hỏng hoặc cố ý làm quá tải)"
                ));
            }
            Err(e) => return Err(format!("{UNREADABLE}: phần {name} bị hỏng ({e})")),
        };
        self.remaining -= bytes.len() as u64;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
        String::from_utf8(bytes).map_err(|_| format!("{UNREADABLE}: phần {name} không phải văn bản UTF-8"))
    }
}

/// All of `reader` when it yields at most `limit` bytes; `None` when it
/// yields more (it is read through `take(limit + 1)`, never further).
pub(super) fn read_capped(reader: &mut impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}
