//! Whatever bytes arrive, the sheet readers answer with problems, never a
//! panic: arbitrary bytes, mutated .xlsx files, worksheet XML made of
//! hostile pieces, under a small budget.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use super::package::*;
use super::*;

fn small() -> Budget {
    Budget { unpacked_bytes: 256 * 1024, cells: 60, rows: 40, columns: 10, field_chars: 50, ..Budget::default() }
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x0b5e_55ed),
        ..ProptestConfig::default()
    }
}

/// A small valid workbook with shared strings and styles, to mutate.
fn seed_xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let percent = Format::new().set_num_format("0%");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in ["STT", "Câu hỏi", "A", "B", "Đáp án", "Mức độ"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 1.0).unwrap();
    sheet.write_string(1, 1, "Hỏi?").unwrap();
    sheet.write_number_with_format(1, 2, 0.3, &percent).unwrap();
    sheet.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(2020, 1, 2).unwrap(), &date).unwrap();
    sheet.write_string(1, 4, "A").unwrap();
    sheet.merge_range(1, 5, 2, 5, "Dễ", &Format::new()).unwrap();
    book.save_to_buffer().unwrap()
}

fn xml_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "<sheetData>",
        "</sheetData>",
        "<row>",
        "<row r=\"3\">",
        "<row r=\"99999999999\">",
        "<row r=\"x\">",
        "</row>",
        "<c>",
        "<c r=\"A1\">",
        "<c r=\"B2\" t=\"s\">",
        "<c t=\"s\">",
        "<c t=\"inlineStr\">",
        "<c r=\"XFD1048576\">",
        "<c r=\"ZZZZZZZZZZZZ1\">",
        "<c r=\"A0\">",
        "<c r=\"$C$4\" s=\"1\">",
        "<c s=\"2\">",
        "<c s=\"99999\">",
        "<c t=\"e\">",
        "<c t=\"b\">",
        "<c t=\"d\">",
        "<c t=\"str\">",
        "</c>",
        "<c/>",
        "<v>",
        "</v>",
        "<f>A1</f>",
        "<is>",
        "</is>",
        "<t>",
        "</t>",
        "<rPh>",
        "</rPh>",
        "<r>",
        "</r>",
        "0",
        "1",
        "3",
        "44196",
        "-1",
        "1e308",
        "NaN",
        "0.305",
        "Câu hỏi",
        "Đáp án",
        "A",
        "B",
        "&amp;",
        "&#0;",
        "&#xFFFFFF;",
        "&bogus;",
        "<![CDATA[x]]>",
        "<mergeCells>",
        "<mergeCell ref=\"A1:B2\"/>",
        "<mergeCell ref=\"A1:XFD1048576\"/>",
        "<mergeCell ref=\"B2:A1\"/>",
        "<mergeCell ref=\"A1\"/>",
        "<mergeCell ref=\":\"/>",
        "</mergeCells>",
        "<dimension ref=\"A1:XFD1048576\"/>",
        "<!-- x -->",
        "<?pi x?>",
        "<",
        ">",
        "\"",
        " ",
        "ạ",
    ])
}

/// A workbook whose worksheet is `sheet`, with shared strings and styles.
fn package_around(sheet: String) -> Vec<u8> {
    let sst = format!(
        r#"<sst xmlns="{MAIN_NS}"><si><t>Câu hỏi</t></si><si><r><t>A</t></r></si><si><t>B</t></si><si><t>Đáp án</t></si></sst>"#
    );
    let styles = format!(
        r#"<styleSheet xmlns="{MAIN_NS}"><numFmts><numFmt numFmtId="164" formatCode="0.0%"/></numFmts><cellXfs><xf/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>"#
    );
    xlsx_with(Content::Bytes(sheet.into_bytes()), Some(sst), Some(styles))
}

proptest! {
    #![proptest_config(config(192))]

    #[test]
    fn parse_xlsx_never_panics_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let (_, problems) = super::super::parse_xlsx("p.xlsx", &bytes, None, &small());
        prop_assert!(!problems.is_empty());
    }

    #[test]
    fn parse_xlsx_never_panics_on_a_mutated_workbook(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = seed_xlsx();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        let _ = check(super::super::parse_xlsx("p.xlsx", &bytes, None, &small()));
        let _ = super::super::parse_xlsx("p.xlsx", &bytes, Some("Sheet1"), &small());
    }

    #[test]
    fn parse_xlsx_never_panics_on_hostile_worksheet_xml(pieces in prop::collection::vec(xml_piece(), 0..160)) {
        let sheet = sheet_xml(&pieces.concat());
        let (drafts, problems) = super::super::parse_xlsx("p.xlsx", &package_around(sheet), None, &small());
        prop_assert!(drafts.iter().all(|d| d.line >= 1));
        let _ = check((drafts, problems));
    }

    #[test]
    fn parse_csv_never_panics_under_a_small_budget(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = check(super::super::parse_csv("p.csv", &bytes, &small()));
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(&bytes);
        let _ = super::super::parse_csv("p.csv", &utf16, &small());
    }
}

#[test]
fn the_seed_workbook_reads() {
    let (drafts, problems) = super::super::parse_xlsx("p.xlsx", &seed_xlsx(), None, &small());
    assert_eq!(drafts.len(), 1, "{problems:#?}");
    assert_eq!(drafts[0].options, ["30%", "02/01/2020"]);
}
