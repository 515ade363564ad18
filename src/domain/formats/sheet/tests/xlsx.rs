use super::*;

/// An .xlsx as an organizer makes it: a title, numbers, dates.
fn organizer_xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let d = ExcelDateTime::from_ymd(2020, 12, 31).unwrap();
    sheet.write_string(0, 1, "NGÂN HÀNG CÂU HỎI CẢI CÁCH HÀNH CHÍNH").unwrap();
    for (c, h) in
        ["STT", "CÂU HỎI", "A", "B", "C", "D", "ĐÁP ÁN", "Giải Thích", "Nguồn", "Mức Độ", "Ngày"].iter().enumerate()
    {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    sheet.write_number(3, 0, 1.0).unwrap();
    sheet.write_string(3, 1, "Nghị định 61/2018/NĐ-CP có hiệu lực từ ngày nào?").unwrap();
    sheet.write_datetime_with_format(3, 2, &d, &date).unwrap();
    sheet.write_string(3, 3, "21/6/2018").unwrap();
    sheet.write_number(3, 4, 15.0).unwrap();
    sheet.write_number(3, 5, 0.5).unwrap();
    sheet.write_string(3, 6, "B").unwrap();
    sheet.write_string(3, 7, "Điều 44.").unwrap();
    sheet.write_string(3, 8, "Nghị định 61/2018/NĐ-CP").unwrap();
    sheet.write_string(3, 9, "Khó").unwrap();
    sheet.write_datetime_with_format(3, 10, &d, &date).unwrap();
    sheet.write_number(4, 0, 2.0).unwrap();
    sheet.write_string(4, 1, "Câu hỏi có đáp án \"A, C\" không?").unwrap();
    for (c, o) in ["Một", "Hai", "Ba"].iter().enumerate() {
        sheet.write_string(4, 2 + c as u16, *o).unwrap();
    }
    sheet.write_string(4, 6, "A,C").unwrap();
    sheet.write_string(4, 9, "dễ").unwrap();
    sheet.write_string(4, 10, "2021-01-01").unwrap();
    sheet.write_number(5, 0, 3.0).unwrap();
    sheet.write_number(6, 0, 4.0).unwrap();
    sheet.write_string(6, 1, "Không đáp án?").unwrap();
    sheet.write_string(6, 2, "X").unwrap();
    sheet.write_string(6, 3, "Y").unwrap();
    sheet.write_string(6, 9, "TRUNG BÌNH").unwrap();
    sheet.write_number(6, 10, 44196.0).unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn xlsx_with_a_title_row_numbers_and_dates() {
    let (drafts, problems) = parse_xlsx("x.xlsx", &organizer_xlsx());
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(drafts.len(), 3, "the row with an STT alone is skipped");
    let d = &drafts[0];
    assert_eq!((d.line, d.key.as_deref()), (4, None), "no Mã column: the key comes from the text");
    assert_eq!(d.options, ["31/12/2020", "21/6/2018", "15", "0.5"]);
    assert_eq!(d.as_of, Ok(NaiveDate::from_ymd_opt(2020, 12, 31)));
    assert_eq!(d.difficulty.as_deref(), Some("hard"));
    assert_eq!(
        (drafts[1].kind.as_deref(), drafts[1].as_of.clone()),
        (Some("multiple"), Ok(NaiveDate::from_ymd_opt(2021, 1, 1)))
    );
    assert_eq!(drafts[1].text.as_deref(), Some("Câu hỏi có đáp án \"A, C\" không?"));

    let (bank, problems) = check(parse_xlsx("x.xlsx", &organizer_xlsx()));
    assert!(bank.is_none());
    let row7: Vec<_> = errors(&problems).into_iter().filter(|p| p.line == Some(7)).collect();
    assert_eq!(row7.len(), 2, "{problems:#?}");
    let key = crate::domain::formats::content_key(drafts[2].text.as_deref().unwrap_or(""));
    assert!(row7.iter().all(|p| p.key.as_deref() == Some(key.as_str())), "{row7:#?}");
    assert!(row7.iter().any(|p| p.message.contains("thiếu đáp án")));
    assert!(row7.iter().any(|p| p.message.contains("Ngày là số 44196")));
    assert_eq!(errors(&problems).len(), 2, "{problems:#?}");
}

#[test]
fn xlsx_that_is_not_one_or_lacks_columns() {
    let (drafts, problems) = parse_xlsx("x.xlsx", b"PK\x03\x04 not really a zip");
    assert!(drafts.is_empty());
    assert!(one_error(&problems).message.contains("không đọc được tệp Excel"));
    let (_, problems) = parse_xlsx("x.xlsx", b"");
    assert!(one_error(&problems).message.contains("không đọc được tệp Excel"));

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Cau hoi", "A", "C", "Giai thich"].iter().enumerate() {
        sheet.write_string(1, c as u16 + 1, *h).unwrap();
    }
    let (_, problems) = parse_xlsx("x.xlsx", &book.save_to_buffer().unwrap());
    let p = one_error(&problems);
    assert_eq!(p.line, Some(2));
    assert!(p.message.contains("thiếu cột bắt buộc: B, Đáp án"), "{p}");
}

fn shipped_banks() -> Vec<(String, Bank)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("question_banks");
    let mut banks = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let (bank, problems) = parse_toml(&name, &std::fs::read_to_string(&path).unwrap());
            banks.push((name, bank.unwrap_or_else(|| panic!("{problems:#?}"))));
        }
    }
    assert!(banks.len() >= 4);
    banks
}

fn assert_round_trip(bank: &Bank) {
    let (drafts, problems) = parse_csv("b.csv", &write_csv(bank));
    let (back, problems) = check_drafts("b.csv", bank.meta.clone(), drafts, Strictness::Lenient, problems);
    assert!(errors(&problems).is_empty(), "{problems:#?}");
    assert_eq!(back.unwrap().questions, bank.questions, "CSV");
    let xlsx = write_xlsx(bank).unwrap();
    let (drafts, problems) = parse_xlsx("b.xlsx", &xlsx);
    let (back, problems) = check_drafts("b.xlsx", bank.meta.clone(), drafts, Strictness::Lenient, problems);
    assert!(errors(&problems).is_empty(), "{problems:#?}");
    assert_eq!(back.unwrap().questions, bank.questions, "XLSX");
}

#[test]
fn the_shipped_banks_survive_both_formats() {
    for (name, bank) in shipped_banks() {
        eprintln!("{name}: {} questions", bank.questions.len());
        assert_round_trip(&bank);
    }
}

#[test]
fn edge_cases_survive_both_formats() {
    let q = |key: &str, kind: Kind, options: &[&str], answer: Vec<usize>| Question {
        key: key.into(),
        kind,
        difficulty: Difficulty::Hard,
        text: format!("Câu {key}: “trích dẫn”, dấu chấm phẩy; \"ngoặc kép\"\nvà dòng thứ hai?"),
        options: options.iter().map(|o| o.to_string()).collect(),
        answer,
        explanation: "=1+1 không phải công thức".into(),
        source: "'Điều 5, khoản 1".into(),
        fixed_order: false,
        as_of: None,
        group: None,
    };
    let mut six = q("k-6", Kind::Multiple, &["Một", "Hai", "Ba", "Bốn", "Năm", "Cả A, B, C, D và E"], vec![5]);
    six.fixed_order = true;
    six.as_of = NaiveDate::from_ymd_opt(1999, 1, 2);
    let mut fixed = q("stt-9", Kind::Single, &["Đúng", "Sai"], vec![1]);
    fixed.fixed_order = true;
    fixed.difficulty = Difficulty::Easy;
    let bank = Bank {
        meta: meta(),
        questions: vec![
            six,
            fixed,
            q("007", Kind::TrueFalse, &["Đúng", "Sai"], vec![0]),
            q("a b", Kind::Single, &["0,5", "1.0", "15", "2020-12-31"], vec![3]),
            q("m2", Kind::Multiple, &["X", "Y", "Z"], vec![0, 2]),
        ],
    };
    assert_round_trip(&bank);
    let csv = String::from_utf8(write_csv(&bank)).unwrap();
    assert!(
        csv.starts_with(
            "\u{feff}STT,Câu hỏi,A,B,C,D,E,F,Đáp án,Giải thích,Nguồn,Mức độ,Mã,Loại,Thứ tự cố định,Ngày\r\n"
        )
    );
    assert!(csv.contains(",Khó,k-6,multiple,x,1999-01-02\r\n"), "{csv}");
    assert!(csv.contains(",\"A, C\",=1+1 không phải công thức,\"'Điều 5, khoản 1\",Khó,m2,multiple,,\r\n"), "{csv}");
}

/// The ten questions in `tests/fixtures/ngan-hang-mau.*`, by STT, as
/// `ngan-hang-mau.toml` beside them states them.
fn assert_fixture(file: &str, parsed: (Vec<Draft>, Vec<Problem>)) {
    let toml = String::from_utf8(fixture("ngan-hang-mau.toml")).unwrap();
    let (expected, problems) = parse_toml("ngan-hang-mau.toml", &toml);
    let expected = expected.unwrap_or_else(|| panic!("{problems:#?}")).questions;
    let (bank, problems) = check(parsed);
    assert!(problems.is_empty(), "{file}: {problems:#?}");
    let questions = bank.unwrap().questions;
    assert_eq!(questions.len(), expected.len());
    for (got, want) in questions.iter().zip(&expected) {
        let want = Question { key: crate::domain::formats::content_key(&want.text), ..want.clone() };
        assert_eq!(got, &want, "{file}: {}", want.key);
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).unwrap()
}

#[test]
fn an_xlsx_made_by_libreoffice_from_the_organizers_layout() {
    let bytes = fixture("ngan-hang-mau.xlsx");
    // The file really has a number (STT) and a date cell (Ngày), not only text.
    let rows = super::super::xlsx::read_rows(&bytes, None, &Budget::default()).unwrap();
    assert!(matches!(rows[1].cells[0], Cell::Number(_)), "{:?}", rows[1].cells[0]);
    assert!(matches!(rows[1].cells[11], Cell::Date(_)), "{:?}", rows[1].cells[11]);
    assert_fixture("ngan-hang-mau.xlsx", parse_xlsx("ngan-hang-mau.xlsx", &bytes));
    assert_fixture("ngan-hang-mau.csv", parse_csv("ngan-hang-mau.csv", &fixture("ngan-hang-mau.csv")));
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x5eed_5eed),
        ..ProptestConfig::default()
    }
}

/// Pieces a malformed sheet is made of.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "STT",
        "Câu hỏi",
        "cau hoi",
        "A",
        "B",
        "C",
        "D",
        "E",
        "F",
        "Đáp án",
        "DAP AN",
        "Giải thích",
        "Nguồn",
        "Mức độ",
        "Mã",
        "Loại",
        "Thứ tự cố định",
        "Ngày",
        "sep=;",
        "sep=",
        "\u{feff}",
        ",",
        ",",
        ";",
        ";",
        "\t",
        "\"",
        "\"\"",
        "\n",
        "\r\n",
        "\r",
        " ",
        "1",
        "AC",
        "a và c",
        "Đúng",
        "Sai",
        "Dễ",
        "khó",
        "x",
        "multiple",
        "true_false",
        "31/12/2020",
        "2020-02-30",
        "Cả A và B",
        "#N/A",
        "=1+1",
        "\u{0}",
    ])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parse_csv_never_panics_on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let parsed = parse_csv("p.csv", &bytes);
        let _ = check(parsed);
    }

    #[test]
    fn parse_csv_never_panics_on_sheet_like_text(pieces in prop::collection::vec(piece(), 0..120)) {
        let text = pieces.concat();
        let (drafts, problems) = parse_csv("p.csv", text.as_bytes());
        prop_assert!(drafts.iter().all(|d| d.line >= 1));
        prop_assert!(problems.iter().all(|p| p.line.is_none_or(|l| l >= 1)));
        let _ = check((drafts, problems));
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let _ = parse_csv("p.csv", &utf16);
    }
}
