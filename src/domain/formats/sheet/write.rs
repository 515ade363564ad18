//! Writing a bank as a sheet, in the layout reading takes back.

use super::*;

/// A written cell.
pub(super) enum Out {
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

/// The columns hoithi writes: options A–D, or up to the most any question has.
pub(super) fn layout(bank: &Bank) -> Vec<Col> {
    let options = bank.questions.iter().map(|q| q.options.len()).max().unwrap_or(0).clamp(4, MAX_OPTIONS);
    let mut cols = vec![Col::Stt, Col::Text];
    cols.extend((0..options).map(Col::Option));
    cols.extend([
        Col::Answer,
        Col::Explanation,
        Col::Source,
        Col::Difficulty,
        Col::Key,
        Col::Kind,
        Col::FixedOrder,
        Col::AsOf,
    ]);
    if bank.questions.iter().any(|q| q.group.is_some()) {
        cols.push(Col::Group);
    }
    cols
}

pub(super) fn difficulty_title(d: Difficulty) -> &'static str {
    match d {
        Difficulty::Easy => "Dễ",
        Difficulty::Medium => "Trung bình",
        Difficulty::Hard => "Khó",
    }
}

pub(super) fn value(number: usize, q: &Question, col: Col) -> Out {
    let text = |s: &str| Out::Text(s.to_string());
    match col {
        Col::Stt => Out::Number(number as f64),
        Col::Text => text(&q.text),
        Col::Option(i) => text(q.options.get(i).map_or("", String::as_str)),
        Col::Answer => Out::Text(q.answer_letters()),
        Col::Explanation | Col::Note => text(&q.explanation),
        Col::Source => text(&q.source),
        Col::Difficulty => text(difficulty_title(q.difficulty)),
        Col::Key => text(&q.key),
        Col::Kind => text(q.kind.as_str()),
        Col::FixedOrder => text(if q.fixed_order { "x" } else { "" }),
        Col::AsOf => q.as_of.map_or_else(|| text(""), Out::Date),
        Col::Group => text(q.group.as_deref().unwrap_or("")),
    }
}

/// The bank as CSV: UTF-8 with a BOM (so Excel shows the diacritics),
/// `,`-separated, CRLF line ends, hoithi's full layout.
pub fn write_csv(bank: &Bank) -> Vec<u8> {
    fn field(s: &str) -> String {
        let needs_quotes = s.contains([',', ';', '"', '\n', '\r', '\t'])
            || s.starts_with(char::is_whitespace)
            || s.ends_with(char::is_whitespace);
        if needs_quotes { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
    }
    let cols = layout(bank);
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = cols.iter().map(|c| field(&c.title())).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for (i, q) in bank.questions.iter().enumerate() {
        let cells: Vec<String> = cols
            .iter()
            .map(|&c| match value(i + 1, q, c) {
                Out::Text(s) => field(&s),
                Out::Number(n) => number_text(n),
                Out::Date(d) => d.format("%Y-%m-%d").to_string(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// The bank as an Excel workbook: one sheet, a bold frozen header row with
/// a filter, wrapped text, real date cells, hoithi's full layout.
pub fn write_xlsx(bank: &Bank) -> Result<Vec<u8>, String> {
    let err = |e: rust_xlsxwriter::XlsxError| format!("không tạo được tệp Excel: {e}");
    let cols = layout(bank);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
        .set_border_bottom(FormatBorder::Thin);
    let body = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let date = Format::new().set_num_format("yyyy-mm-dd").set_align(FormatAlign::Top).set_align(FormatAlign::Left);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Câu hỏi").map_err(err)?;
    for (c, col) in cols.iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| "quá nhiều cột".to_string())?;
        sheet.write_string_with_format(0, c, col.title(), &header).map_err(err)?;
        sheet.set_column_width(c, col.width()).map_err(err)?;
    }
    for (i, q) in bank.questions.iter().enumerate() {
        let r = u32::try_from(i + 1).map_err(|_| "quá nhiều câu hỏi cho một trang tính".to_string())?;
        for (c, &col) in cols.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| "quá nhiều cột".to_string())?;
            match value(i + 1, q, col) {
                Out::Text(s) if s.is_empty() => sheet.write_blank(r, c, &body).map(|_| ()),
                Out::Text(s) => sheet.write_string_with_format(r, c, s, &body).map(|_| ()),
                Out::Number(n) => sheet.write_number_with_format(r, c, n, &body).map(|_| ()),
                Out::Date(d) => {
                    let (y, m, day) = (d.year(), d.month(), d.day());
                    let when = ExcelDateTime::from_ymd(
                        u16::try_from(y).map_err(|_| format!("năm {y} ngoài phạm vi Excel"))?,
                        m as u8,
                        day as u8,
                    )
                    .map_err(err)?;
                    sheet.write_datetime_with_format(r, c, when, &date).map(|_| ())
                }
            }
            .map_err(err)?;
        }
    }
    let last_row = u32::try_from(bank.questions.len()).map_err(|_| "quá nhiều câu hỏi".to_string())?;
    let last_col = u16::try_from(cols.len().saturating_sub(1)).map_err(|_| "quá nhiều cột".to_string())?;
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    sheet.autofilter(0, 0, last_row, last_col).map_err(err)?;
    book.save_to_buffer().map_err(err)
}
