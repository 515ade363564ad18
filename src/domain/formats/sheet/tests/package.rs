//! .xlsx packages written part by part in the test, for files no
//! spreadsheet program would make.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

pub(super) const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A part's content: bytes, or `n` times a byte (written in chunks, never held whole).
pub(super) enum Content {
    Bytes(Vec<u8>),
    Repeat(u8, usize),
}

/// A zip of deflated parts.
pub(super) fn zip(parts: Vec<(&str, Content)>) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, content) in parts {
        w.start_file(name, options).unwrap();
        match content {
            Content::Bytes(b) => w.write_all(&b).unwrap(),
            Content::Repeat(byte, n) => {
                let chunk = vec![byte; 64 * 1024];
                let mut left = n;
                while left > 0 {
                    let k = left.min(chunk.len());
                    w.write_all(&chunk[..k]).unwrap();
                    left -= k;
                }
            }
        }
    }
    w.finish().unwrap().into_inner()
}

/// `workbook.xml` listing sheets `(name, part)` in order.
pub(super) fn workbook_xml(sheets: &[(&str, &str)]) -> (String, String) {
    let mut book =
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>"#);
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, (name, part)) in sheets.iter().enumerate() {
        book.push_str(&format!(r#"<sheet name="{name}" sheetId="{}" r:id="rId{}"/>"#, i + 1, i + 1));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{}" Type="{REL_NS}/worksheet" Target="worksheets/{part}"/>"#,
            i + 1
        ));
    }
    book.push_str("</sheets></workbook>");
    rels.push_str(&format!(
        r#"<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rIdT" Type="{REL_NS}/styles" Target="styles.xml"/></Relationships>"#
    ));
    (book, rels)
}

/// A worksheet part around `inner` (`<sheetData>` and what else it needs).
pub(super) fn sheet_xml(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN_NS}">{inner}</worksheet>"#
    )
}

/// An inline-string cell.
pub(super) fn text_cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The rows of a small valid question sheet, as `<row>` elements.
pub(super) fn question_rows() -> String {
    let header: String = ["Câu hỏi", "A", "B", "Đáp án"]
        .iter()
        .enumerate()
        .map(|(i, h)| text_cell(&format!("{}1", letter(i)), h))
        .collect();
    let question: String = ["Hỏi gì?", "Một", "Hai", "B"]
        .iter()
        .enumerate()
        .map(|(i, h)| text_cell(&format!("{}2", letter(i)), h))
        .collect();
    format!(r#"<row r="1">{header}</row><row r="2">{question}</row>"#)
}

fn letter(i: usize) -> char {
    char::from(b'A' + i as u8)
}

/// A one-sheet workbook ("Câu hỏi") whose sheet part is `sheet` and with the
/// given shared strings and styles parts, if any.
pub(super) fn xlsx_with(sheet: Content, shared: Option<String>, styles: Option<String>) -> Vec<u8> {
    let (book, rels) = workbook_xml(&[("Câu hỏi", "sheet1.xml")]);
    let mut parts = vec![
        ("[Content_Types].xml", Content::Bytes(b"<Types/>".to_vec())),
        ("xl/workbook.xml", Content::Bytes(book.into_bytes())),
        ("xl/_rels/workbook.xml.rels", Content::Bytes(rels.into_bytes())),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    if let Some(s) = shared {
        parts.push(("xl/sharedStrings.xml", Content::Bytes(s.into_bytes())));
    }
    if let Some(s) = styles {
        parts.push(("xl/styles.xml", Content::Bytes(s.into_bytes())));
    }
    zip(parts)
}

/// A one-sheet workbook around `inner`.
pub(super) fn xlsx(inner: &str) -> Vec<u8> {
    xlsx_with(Content::Bytes(sheet_xml(inner).into_bytes()), None, None)
}

/// Makes the zip's local header and central directory both claim that the
/// entry `name` unpacks to `size` bytes.
pub(super) fn lie_about_size(zip: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    for at in 0..zip.len().saturating_sub(46) {
        let field = |o: usize| u16::from_le_bytes([zip[at + o], zip[at + o + 1]]) as usize;
        let (name_at, size_at) = match &zip[at..at + 4] {
            b"PK\x03\x04" => (30, 22),
            b"PK\x01\x02" => (46, 24),
            _ => continue,
        };
        let len = if name_at == 30 { field(26) } else { field(28) };
        if zip.get(at + name_at..at + name_at + len) == Some(name.as_bytes()) {
            zip[at + size_at..at + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "local header and central directory entry of {name}");
}
