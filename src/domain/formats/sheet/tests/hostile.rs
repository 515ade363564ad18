//! Hostile .xlsx files, made in the test: each is refused with the
//! budget's message (or read, when it only pretends to be large), never a
//! panic or a huge allocation.

use super::package::*;
use super::*;
use crate::domain::formats::Budget;

fn read(bytes: &[u8], budget: &Budget) -> (Vec<Draft>, Vec<Problem>) {
    super::super::parse_xlsx("h.xlsx", bytes, None, budget)
}

/// The one error of a refused file, which names `setting`.
fn refused(parsed: (Vec<Draft>, Vec<Problem>), setting: &str) -> String {
    let (drafts, problems) = parsed;
    assert!(drafts.is_empty(), "{drafts:#?}");
    let p = one_error(&problems);
    assert!(p.message.contains(setting), "{setting}: {p}");
    assert!(p.message.contains("tệp bị từ chối"), "{p}");
    p.message.clone()
}

fn small() -> Budget {
    Budget { unpacked_bytes: 1024 * 1024, ..Budget::default() }
}

#[test]
fn the_package_helpers_make_a_readable_sheet() {
    let (drafts, problems) = read(&xlsx(&format!("<sheetData>{}</sheetData>", question_rows())), &Budget::default());
    assert_eq!(drafts.len(), 1, "{problems:#?}");
    assert_eq!(drafts[0].options, ["Một", "Hai"]);
    assert_eq!(drafts[0].answer, Some(vec!["B".to_string()]));
}

#[test]
fn one_cell_at_the_last_address_excel_has() {
    let inner = format!(r#"<sheetData><row r="1048576">{}</row></sheetData>"#, text_cell("XFD1048576", "x"));
    let message = refused(read(&xlsx(&inner), &Budget::default()), "HOITHI_BANK_MAX_ROWS");
    assert!(message.starts_with("ô XFD1048576 (trang tính \"Câu hỏi\"): "), "{message}");
}

#[test]
fn a_declared_dimension_is_never_allocated() {
    // The dimension claims the whole grid; a styled empty cell sits in its far corner.
    let inner = format!(
        r#"<dimension ref="A1:XFD1048576"/><sheetData>{}<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>"#,
        question_rows()
    );
    let (drafts, problems) = read(&xlsx(&inner), &Budget::default());
    assert_eq!(drafts.len(), 1, "{problems:#?}");
    assert!(errors(&problems).is_empty(), "{problems:#?}");
}

#[test]
fn a_cell_past_the_columns_bound() {
    let inner =
        format!(r#"<sheetData>{}<row r="4000">{}</row></sheetData>"#, question_rows(), text_cell("XFD4000", "x"));
    let message = refused(read(&xlsx(&inner), &Budget::default()), "HOITHI_BANK_MAX_COLUMNS");
    assert!(message.starts_with("ô XFD4000 (trang tính \"Câu hỏi\"): "), "{message}");
    // Just inside: column BL is the 64th.
    let inner = format!(r#"<sheetData>{}<row r="3">{}</row></sheetData>"#, question_rows(), text_cell("BL3", "x"));
    let (drafts, _) = read(&xlsx(&inner), &Budget::default());
    assert_eq!(drafts.len(), 1);
}

#[test]
fn a_zip_bomb_is_refused_by_its_declared_size_before_inflating() {
    let bomb = xlsx_with(Content::Repeat(b' ', 5 * 1024 * 1024), None, None);
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    refused(read(&bomb, &small()), "HOITHI_BANK_MAX_UNPACKED_MB");
}

#[test]
fn a_bomb_in_a_part_no_sheet_needs_is_never_inflated() {
    let (book, rels) = workbook_xml(&[("Câu hỏi", "sheet1.xml")]);
    let bytes = zip(vec![
        ("xl/workbook.xml", Content::Bytes(book.into_bytes())),
        ("xl/_rels/workbook.xml.rels", Content::Bytes(rels.into_bytes())),
        (
            "xl/worksheets/sheet1.xml",
            Content::Bytes(sheet_xml(&format!("<sheetData>{}</sheetData>", question_rows())).into_bytes()),
        ),
        ("xl/media/image1.png", Content::Repeat(0, 5 * 1024 * 1024)),
    ]);
    let (drafts, problems) = read(&bytes, &small());
    assert_eq!(drafts.len(), 1, "{problems:#?}");
}

#[test]
fn a_zip_whose_directory_lies_about_a_size_is_caught_while_inflating() {
    let mut bomb = xlsx_with(Content::Repeat(b' ', 5 * 1024 * 1024), None, None);
    lie_about_size(&mut bomb, "xl/worksheets/sheet1.xml", 100);
    let (drafts, problems) = read(&bomb, &small());
    assert!(drafts.is_empty());
    // The zip reader stops at the declared size (before our own cap, at the
    // budget, is reached): the file is refused as lying.
    let p = one_error(&problems);
    assert!(p.message.contains("tệp bị từ chối") && p.message.contains("kích thước nó khai báo"), "{p}");
}

#[test]
fn inflating_stops_one_byte_past_what_may_still_be_unpacked() {
    // An entry that never ends, as a lying one would: read through take(limit + 1).
    let mut endless = std::io::repeat(b'x');
    assert_eq!(super::super::xlsx::read_capped(&mut endless, 1000).unwrap(), None);
    let mut honest: &[u8] = &[b'x'; 1000];
    assert_eq!(super::super::xlsx::read_capped(&mut honest, 1000).unwrap().map(|b| b.len()), Some(1000));
}

#[test]
fn a_shared_strings_bomb() {
    let long = "Ô".repeat(1000);
    let strings: String = (0..2000).map(|i| format!("<si><t>{long}{i}</t></si>")).collect();
    let sst = format!(r#"<sst xmlns="{MAIN_NS}" count="2000" uniqueCount="2000">{strings}</sst>"#);
    let inner = r#"<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>"#;
    let bytes = xlsx_with(Content::Bytes(sheet_xml(inner).into_bytes()), Some(sst), None);
    assert!(bytes.len() < 100 * 1024, "{} bytes", bytes.len());
    refused(read(&bytes, &small()), "HOITHI_BANK_MAX_UNPACKED_MB");
}

#[test]
fn a_long_shared_string_is_refused_when_a_cell_uses_it_only() {
    let sst = |strings: &[&str]| {
        let si: String = strings.iter().map(|s| format!("<si><t>{s}</t></si>")).collect();
        format!(r#"<sst xmlns="{MAIN_NS}">{si}</sst>"#)
    };
    let long = "x".repeat(5001);
    let texts = ["Câu hỏi", "A", "B", "Đáp án", "Hỏi?", "Một", "Hai", long.as_str()];
    let cells = |row: usize, ids: [usize; 4]| -> String {
        let c: String = ids
            .iter()
            .enumerate()
            .map(|(i, id)| format!(r#"<c r="{}{row}" t="s"><v>{id}</v></c>"#, char::from(b'A' + i as u8)))
            .collect();
        format!(r#"<row r="{row}">{c}</row>"#)
    };
    let unused = format!("<sheetData>{}{}</sheetData>", cells(1, [0, 1, 2, 3]), cells(2, [4, 5, 6, 2]));
    let bytes = xlsx_with(Content::Bytes(sheet_xml(&unused).into_bytes()), Some(sst(&texts)), None);
    let (drafts, problems) = read(&bytes, &Budget::default());
    assert_eq!(drafts.len(), 1, "{problems:#?}");
    let used = format!("<sheetData>{}{}</sheetData>", cells(1, [0, 1, 2, 3]), cells(2, [4, 5, 7, 2]));
    let bytes = xlsx_with(Content::Bytes(sheet_xml(&used).into_bytes()), Some(sst(&texts)), None);
    let message = refused(read(&bytes, &Budget::default()), "HOITHI_BANK_MAX_FIELD_CHARS");
    assert!(message.starts_with("ô C2 (trang tính \"Câu hỏi\"): "), "{message}");
}

#[test]
fn too_many_cells() {
    let rows: String = (1..=30)
        .map(|r| {
            format!(
                r#"<row r="{r}">{}</row>"#,
                (0..5).map(|c| format!(r#"<c r="{}{r}"><v>{c}</v></c>"#, char::from(b'A' + c))).collect::<String>()
            )
        })
        .collect();
    let budget = Budget { cells: 100, ..Budget::default() };
    let message = refused(read(&xlsx(&format!("<sheetData>{rows}</sheetData>")), &budget), "HOITHI_BANK_MAX_CELLS");
    assert!(message.contains("100 ô"), "{message}");
    // Repeating one address does not escape the count.
    let same: String = (0..200).map(|_| r#"<c r="A1"><v>1</v></c>"#).collect();
    let inner = format!(r#"<sheetData><row r="1">{same}</row></sheetData>"#);
    refused(read(&xlsx(&inner), &budget), "HOITHI_BANK_MAX_CELLS");
}

#[test]
fn a_merged_range_over_the_whole_grid_counts_its_copies_first() {
    let inner = format!(
        r#"<sheetData>{}</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>"#,
        question_rows()
    );
    refused(read(&xlsx(&inner), &Budget::default()), "HOITHI_BANK_MAX_CELLS");
    // The same range with nothing in its first cell gives nothing to copy.
    let inner = format!(
        r#"<sheetData>{}</sheetData><mergeCells><mergeCell ref="H1:XFD1048576"/></mergeCells>"#,
        question_rows()
    );
    assert_eq!(read(&xlsx(&inner), &Budget::default()).0.len(), 1);
}

#[test]
fn a_cell_longer_than_a_field() {
    let inner =
        format!(r#"<sheetData>{}<row r="7">{}</row></sheetData>"#, question_rows(), text_cell("C7", &"ạ".repeat(5001)));
    let message = refused(read(&xlsx(&inner), &Budget::default()), "HOITHI_BANK_MAX_FIELD_CHARS");
    assert!(message.starts_with("ô C7 (trang tính \"Câu hỏi\"): "), "{message}");
    let budget = Budget { field_chars: 10, ..Budget::default() };
    let inner =
        format!(r#"<sheetData>{}<row r="3"><c r="B3"><v>12345678901.5</v></c></row></sheetData>"#, question_rows());
    let message = refused(read(&xlsx(&inner), &budget), "HOITHI_BANK_MAX_FIELD_CHARS");
    assert!(message.starts_with("ô B3 (trang tính \"Câu hỏi\"): "), "{message}");
}

#[test]
fn cells_without_a_reference_follow_the_previous_one() {
    let t = |s: &str| format!(r#"<c t="inlineStr"><is><t>{s}</t></is></c>"#);
    let header = [t("Câu hỏi"), t("A"), t("B"), t("Đáp án")].concat();
    let second = [t("Hỏi?"), t("Một"), t("Hai"), text_cell("D2", "B")].concat();
    let fifth = [t("Hỏi năm?"), t("Một"), r#"<c r="C5"><v>3</v></c>"#.to_string(), t("A")].concat();
    let inner = format!(r#"<sheetData><row>{header}</row><row>{second}</row><row r="5">{fifth}</row></sheetData>"#);
    let (drafts, problems) = read(&xlsx(&inner), &Budget::default());
    assert!(errors(&problems).is_empty(), "{problems:#?}");
    assert_eq!(drafts.len(), 2, "{problems:#?}");
    assert_eq!((drafts[0].line, drafts[0].options.clone()), (2, vec!["Một".to_string(), "Hai".to_string()]));
    assert_eq!(drafts[0].answer, Some(vec!["B".to_string()]));
    assert_eq!((drafts[1].line, drafts[1].options.clone()), (5, vec!["Một".to_string(), "3".to_string()]));
    assert_eq!(drafts[1].answer, Some(vec!["A".to_string()]));
}

#[test]
fn malformed_files_are_one_clear_error() {
    let unreadable = |bytes: &[u8], why: &str| {
        let (drafts, problems) = read(bytes, &Budget::default());
        assert!(drafts.is_empty());
        let p = one_error(&problems);
        assert!(p.message.contains("không đọc được tệp Excel") && p.message.contains(why), "{why}: {p}");
    };
    unreadable(b"", "không phải tệp nén");
    unreadable(b"PK\x03\x04 not really a zip", "không phải tệp nén");
    unreadable(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0], ".xls");
    unreadable(&zip(vec![("hello.txt", Content::Bytes(b"hi".to_vec()))]), "xl/workbook.xml");
    let (book, rels) = workbook_xml(&[("S", "sheet1.xml")]);
    let with_sheet = |sheet: &[u8]| {
        zip(vec![
            ("xl/workbook.xml", Content::Bytes(book.clone().into_bytes())),
            ("xl/_rels/workbook.xml.rels", Content::Bytes(rels.clone().into_bytes())),
            ("xl/worksheets/sheet1.xml", Content::Bytes(sheet.to_vec())),
        ])
    };
    unreadable(&with_sheet(b"<worksheet><sheetData><row></c></sheetData>"), "XML");
    let missing_string = sheet_xml(r#"<sheetData><row><c t="s"><v>7</v></c></row></sheetData>"#);
    unreadable(&with_sheet(missing_string.as_bytes()), "chuỗi dùng chung");
    unreadable(&with_sheet(b"<worksheet>\xff\xfe</worksheet>"), "UTF-8");
    let no_sheet_part = zip(vec![
        ("xl/workbook.xml", Content::Bytes(book.clone().into_bytes())),
        ("xl/_rels/workbook.xml.rels", Content::Bytes(rels.clone().into_bytes())),
    ]);
    unreadable(&no_sheet_part, "xl/worksheets/sheet1.xml");
    let bad_book = zip(vec![("xl/workbook.xml", Content::Bytes(b"<workbook><sheets></workbook>".to_vec()))]);
    unreadable(&bad_book, "xl/workbook.xml");
    let no_sheets = zip(vec![("xl/workbook.xml", Content::Bytes(b"<workbook/>".to_vec()))]);
    unreadable(&no_sheets, "không có trang tính nào");
}

#[test]
fn a_zip64_directory_claiming_a_billion_entries() {
    let mut bytes = Vec::new();
    // Zip64 end of central directory record, at offset 0.
    bytes.extend(0x0606_4b50u32.to_le_bytes());
    bytes.extend(44u64.to_le_bytes());
    bytes.extend(45u16.to_le_bytes());
    bytes.extend(45u16.to_le_bytes());
    bytes.extend(0u32.to_le_bytes());
    bytes.extend(0u32.to_le_bytes());
    bytes.extend((1u64 << 30).to_le_bytes());
    bytes.extend((1u64 << 30).to_le_bytes());
    bytes.extend((1u64 << 40).to_le_bytes());
    bytes.extend((1u64 << 40).to_le_bytes());
    // Its locator.
    bytes.extend(0x0706_4b50u32.to_le_bytes());
    bytes.extend(0u32.to_le_bytes());
    bytes.extend(0u64.to_le_bytes());
    bytes.extend(1u32.to_le_bytes());
    // The classic end record, every field deferring to zip64.
    bytes.extend(0x0605_4b50u32.to_le_bytes());
    bytes.extend([0xFF; 16]);
    bytes.extend(0u16.to_le_bytes());
    let (drafts, problems) = read(&bytes, &Budget::default());
    assert!(drafts.is_empty());
    let p = one_error(&problems);
    assert!(p.message.contains("không đọc được tệp Excel"), "{p}");
}
