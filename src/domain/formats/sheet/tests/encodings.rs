//! CSV files in the encodings Excel and Vietnamese Windows save, and the
//! budget's bounds on CSV.

use super::*;

fn utf16(text: &str, bom: bool, little: bool) -> Vec<u8> {
    let mut out = match (bom, little) {
        (false, _) => vec![],
        (true, true) => vec![0xFF, 0xFE],
        (true, false) => vec![0xFE, 0xFF],
    };
    for unit in text.encode_utf16() {
        out.extend(if little { unit.to_le_bytes() } else { unit.to_be_bytes() });
    }
    out
}

#[test]
fn utf16_with_and_without_a_bom_in_both_byte_orders() {
    let tsv = table('\t', &organizer_rows());
    for (bom, little) in [(true, true), (true, false), (false, true), (false, false)] {
        let (bank, problems) = check(parse_csv("x.csv", &utf16(&tsv, bom, little)));
        assert_organizer_bank(&bank.unwrap_or_else(|| panic!("bom {bom}, little {little}: {problems:#?}")));
    }
}

#[test]
fn old_vietnamese_code_pages_are_named_with_how_to_save() {
    // "Câu hỏi" in Windows-1258, in TCVN3 (ABC) and in VNI-Windows.
    for bytes in [
        &b"STT,C\xe2u h\xd2i,A,B,\xd0\xe1p \xe1n\n"[..],
        &b"STT,C\xa9u h\xe1i,A,B,\xae\xb8p \xb8n\n"[..],
        &b"STT,Ca\xe2u ho\xfbi,A,B,\xd1a\xf9p a\xf9n\n"[..],
    ] {
        let (drafts, problems) = parse_csv("x.csv", bytes);
        assert!(drafts.is_empty());
        let p = one_error(&problems);
        for part in ["UTF-8", "dòng 1", "Windows-1258", "TCVN3", "VNI", "CSV UTF-8 (Comma delimited)"] {
            assert!(p.message.contains(part), "{part}: {p}");
        }
    }
}

#[test]
fn files_that_are_not_csv_say_what_they_are() {
    let one = |bytes: &[u8], part: &str| {
        let (_, problems) = parse_csv("x.csv", bytes);
        let p = one_error(&problems);
        assert!(p.message.contains(part), "{part}: {p}");
    };
    one(&write_xlsx(&Bank { meta: meta(), questions: vec![] }).unwrap(), ".xlsx");
    one(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0x80], ".xls");
    one(b"\x00\x01\x02\xff\xfe\x00\x00\x00\x00\x10", "byte điều khiển");
}

#[test]
fn csv_is_read_within_the_budget() {
    let refused = |csv: &str, budget: &Budget, setting: &str| -> Problem {
        let (drafts, problems) = super::super::parse_csv("x.csv", csv.as_bytes(), budget);
        assert!(drafts.is_empty());
        let p = one_error(&problems).clone();
        assert!(p.message.contains(setting) && p.message.contains("tệp bị từ chối"), "{setting}: {p}");
        p
    };
    let base = table(',', &organizer_rows());
    let rows = Budget { rows: 4, ..Budget::default() };
    assert_eq!(check(super::super::parse_csv("x.csv", base.as_bytes(), &rows)).0.unwrap().questions.len(), 3);
    let p = refused(&format!("{base}4,Hỏi?,X,Y,,,A\n"), &rows, "HOITHI_BANK_MAX_ROWS");
    assert_eq!(p.line, Some(5));
    assert!(p.message.starts_with("ô A5: "), "{p}");
    // Blank lines and trailing separators past the bounds are not cells.
    assert!(
        check(super::super::parse_csv("x.csv", format!("{base}\n\n,,,\n").as_bytes(), &rows)).0.is_some(),
        "blank rows past the bound"
    );
    let columns = Budget { columns: 10, ..Budget::default() };
    let wide = base.replace('\n', ",,,,,,\n");
    assert!(check(super::super::parse_csv("x.csv", wide.as_bytes(), &columns)).0.is_some());
    let p = refused(&base.replacen('\n', ",,Thêm\n", 1), &columns, "HOITHI_BANK_MAX_COLUMNS");
    assert!(p.message.starts_with("ô L1: "), "{p}");
    refused(&base, &Budget { cells: 20, ..Budget::default() }, "HOITHI_BANK_MAX_CELLS");
    let long = format!("{base}4,\"{}\",X,Y,,,A\n", "ạ".repeat(5001));
    let p = refused(&long, &Budget::default(), "HOITHI_BANK_MAX_FIELD_CHARS");
    assert!(p.message.starts_with("ô B5: "), "{p}");
}
