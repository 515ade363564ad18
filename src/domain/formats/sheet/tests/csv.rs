use super::*;

#[test]
fn csv_in_the_organizers_layout() {
    let csv = table(',', &organizer_rows());
    let (bank, problems) = check(parse_csv("x.csv", csv.as_bytes()));
    assert_organizer_bank(&bank.unwrap());
    // Row 4 has neither explanation nor source: two warnings naming it.
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems.iter().all(|p| p.severity == Severity::Warning && p.line == Some(4)));
    let key = crate::domain::formats::content_key("Ủy ban nhân dân cấp xã có Bộ phận Một cửa.");
    assert!(problems.iter().all(|p| p.key.as_deref() == Some(key.as_str())), "{problems:#?}");
}

#[test]
fn semicolon_separated_with_a_bom_and_crlf() {
    let csv = format!("\u{feff}{}", table(';', &organizer_rows()).replace('\n', "\r\n"));
    let (bank, _) = check(parse_csv("x.csv", csv.as_bytes()));
    assert_organizer_bank(&bank.unwrap());
}

#[test]
fn excel_sep_line_and_tab_separated_utf16() {
    let csv = format!("sep=;\n{}", table(';', &organizer_rows()));
    let (bank, problems) = check(parse_csv("x.csv", csv.as_bytes()));
    assert_organizer_bank(&bank.unwrap());
    assert!(problems.iter().all(|p| p.line == Some(4)), "Excel hides the sep= line: {problems:#?}");

    let csv = format!("SEP=\t\r\n{}", table('\t', &organizer_rows()));
    let (bank, _) = check(parse_csv("x.csv", csv.as_bytes()));
    assert_organizer_bank(&bank.unwrap());

    let tsv = table('\t', &organizer_rows());
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(tsv.encode_utf16().flat_map(u16::to_le_bytes));
    let (bank, _) = check(parse_csv("x.txt", &utf16));
    assert_organizer_bank(&bank.unwrap());
}

#[test]
fn headers_without_diacritics_in_any_order() {
    let rows: Vec<&[&str]> = vec![
        &["muc do", "DAP AN", "b", "a", "cau hoi", "so thu tu", "Phương án C", "nguon:", "GIAI THICH", "ma_cau_hoi"],
        &["de", "c", "Hai", "Một", "Hỏi một?", "7", "Ba", "S", "E", "k-1"],
        &["Trung Bình", "b", "Sai", "Đúng", "Hỏi hai?", "8", "", "S", "E", ""],
    ];
    let (bank, problems) = check(parse_csv("x.csv", table(',', &rows).as_bytes()));
    assert!(problems.is_empty(), "{problems:#?}");
    let q = bank.unwrap().questions;
    assert_eq!(q[0].key, "k-1");
    assert_eq!(q[0].options, vec!["Một", "Hai", "Ba"]);
    assert_eq!(q[0].answer, vec![2]);
    let key = crate::domain::formats::content_key(&q[1].text);
    assert_eq!((q[1].key.as_str(), q[1].kind, q[1].answer.clone()), (key.as_str(), Kind::TrueFalse, vec![1]));
}

#[test]
fn missing_required_columns_are_one_error_naming_them() {
    let rows: Vec<&[&str]> = vec![&["STT", "Câu hỏi", "A", "Giải thích"], &["1", "Hỏi?", "X", "E"]];
    let (drafts, problems) = parse_csv("x.csv", table(',', &rows).as_bytes());
    assert!(drafts.is_empty());
    let p = one_error(&problems);
    assert_eq!(p.line, Some(1));
    assert!(p.message.contains("thiếu cột bắt buộc: B, Đáp án"), "{p}");

    // No header at all: the first row is taken for one and reported.
    let (_, problems) = parse_csv("x.csv", b"1,2,3\n4,5,6\n");
    assert!(one_error(&problems).message.contains("Câu hỏi, A, B, Đáp án"));
    let (_, problems) = parse_csv("x.csv", b"\n\n");
    assert!(one_error(&problems).message.contains("trống"));
}

#[test]
fn a_question_without_an_answer_is_an_error_for_its_row() {
    let mut rows = organizer_rows();
    rows.push(&["4", "Hỏi không đáp án?", "X", "Y", "", "", " ", "E", "S", "Dễ"]);
    let (bank, problems) = check(parse_csv("x.csv", table(',', &rows).as_bytes()));
    assert!(bank.is_none());
    let p = one_error(&problems);
    let key = crate::domain::formats::content_key("Hỏi không đáp án?");
    assert_eq!((p.line, p.key.as_deref()), (Some(5), Some(key.as_str())));
    assert!(p.message.contains("thiếu đáp án"), "{p}");
}

#[test]
fn empty_rows_are_skipped_and_rows_keep_the_numbers_the_spreadsheet_shows() {
    let csv = "NGÂN HÀNG CÂU HỎI,,,\n\
               ,,,\n\
               STT,Câu hỏi,A,B,Đáp án,Mức độ\n\
               1,\"Hỏi\nnhiều dòng?\",X,Y,A,Dễ\n\
               \n\
               2,,,,,\n\
               3,Hỏi ba?,X,Y,B,rất khó\n";
    let (drafts, problems) = parse_csv("x.csv", csv.as_bytes());
    assert_eq!(drafts.len(), 2);
    assert_eq!(drafts[0].line, 4);
    assert_eq!(drafts[0].text.as_deref(), Some("Hỏi\nnhiều dòng?"));
    // Title row 1, blank row 2, header 3, question 4, blank 5, STT alone 6, question 7.
    let p = one_error(&problems);
    assert_eq!((p.line, p.key.as_deref()), (Some(7), Some("stt-3")));
    assert!(p.message.contains("mức độ \"rất khó\""), "{p}");
}

#[test]
fn difficulty_levels_and_an_empty_one() {
    let rows: Vec<&[&str]> = vec![
        &["Câu hỏi", "A", "B", "Đáp án", "Mức độ"],
        &["Một?", "X", "Y", "A", "dễ"],
        &["Hai?", "X", "Y", "A", "EASY"],
        &["Ba?", "X", "Y", "A", "Hard"],
        &["Bốn?", "X", "Y", "A", ""],
    ];
    let (drafts, problems) = parse_csv("x.csv", table(',', &rows).as_bytes());
    let levels: Vec<_> = drafts.iter().map(|d| d.difficulty.as_deref().unwrap()).collect();
    assert_eq!(levels, ["easy", "easy", "hard", "medium"]);
    assert_eq!(problems.len(), 1);
    assert_eq!((problems[0].severity, problems[0].line), (Severity::Warning, Some(5)));
    assert_eq!(problems[0].key.as_deref(), Some("q-5"));

    let rows: Vec<&[&str]> = vec![&["Câu hỏi", "A", "B", "Đáp án"], &["Một?", "X", "Y", "A"]];
    let (drafts, problems) = parse_csv("x.csv", table(',', &rows).as_bytes());
    assert_eq!(drafts[0].difficulty.as_deref(), Some("medium"));
    assert_eq!((problems.len(), problems[0].line), (1, Some(1)), "one warning for the missing column");
}

#[test]
fn dates_in_the_date_column() {
    let rows: Vec<&[&str]> = vec![
        &["Câu hỏi", "A", "B", "Đáp án", "Ngày"],
        &["Một?", "X", "Y", "A", "2020-12-31"],
        &["Hai?", "X", "Y", "A", "31/12/2020"],
        &["Ba?", "X", "Y", "A", "2020-12-31 00:00:00"],
        &["Bốn?", "X", "Y", "A", ""],
        &["Năm?", "X", "Y", "A", "12/31/2020"],
    ];
    let (bank, problems) = check(parse_csv("x.csv", table(',', &rows).as_bytes()));
    assert!(bank.is_none());
    let p = one_error(&problems);
    assert_eq!(p.line, Some(6));
    assert!(p.message.contains("12/31/2020"), "{p}");
    let (drafts, _) = parse_csv("x.csv", table(',', &rows).as_bytes());
    let d = NaiveDate::from_ymd_opt(2020, 12, 31);
    let dates: Vec<_> = drafts[..4].iter().map(|q| q.as_of.clone().unwrap()).collect();
    assert_eq!(dates, [d, d, d, None]);
}

#[test]
fn answer_spellings() {
    let abcd = || ["P", "Q", "R", "S"].map(String::from).to_vec();
    for (raw, want) in [
        ("B", vec!["B"]),
        ("b.", vec!["B"]),
        ("A, C", vec!["A", "C"]),
        ("A;C", vec!["A", "C"]),
        ("AC", vec!["A", "C"]),
        ("a và c", vec!["A", "C"]),
        ("A/B + D", vec!["A", "B", "D"]),
        ("G", vec!["G"]),
        // Words before the letter are dropped (they were read as bad letters before).
        ("Phương án A", vec!["A"]),
        ("Đáp án B", vec!["B"]),
        ("Đáp án: B", vec!["B"]),
        ("ĐÁP ÁN:B", vec!["B"]),
        ("Đáp án đúng là B", vec!["B"]),
        (" b ", vec!["B"]),
        ("(B)", vec!["B"]),
        ("B)", vec!["B"]),
        ("Đáp án A và C", vec!["A", "C"]),
        ("PA C", vec!["C"]),
        ("Chọn D", vec!["D"]),
        ("Phương ánB", vec!["Phương", "ánB"]),
    ] {
        assert_eq!(parse_answer(raw, &mut abcd()), Some(want.iter().map(|s| s.to_string()).collect()), "{raw}");
    }
    assert_eq!(parse_answer("  ", &mut abcd()), None);
    let mut tf = vec!["Đúng".to_string(), "Sai".to_string()];
    assert_eq!(parse_answer("SAI", &mut tf), Some(vec!["B".to_string()]));
    let mut none = Vec::new();
    assert_eq!(parse_answer("Đúng", &mut none), Some(vec!["A".to_string()]));
    assert_eq!(none, TRUE_FALSE_OPTIONS);
    // "Đúng" naming no option is passed on, for the checker to report.
    assert_eq!(parse_answer("Đúng", &mut abcd()), Some(vec!["Đúng".to_string()]));
}

#[test]
fn true_false_with_only_the_answer_and_a_wrong_answer_letter() {
    let rows: Vec<&[&str]> =
        vec![&["Câu hỏi", "A", "B", "C", "Đáp án"], &["Đúng không?", "", "", "", "Sai"], &["Hỏi?", "X", "Y", "", "C"]];
    let (bank, problems) = check(parse_csv("x.csv", table(',', &rows).as_bytes()));
    assert!(bank.is_none());
    let p = one_error(&problems);
    assert_eq!(p.line, Some(3));
    assert!(p.message.contains("\"C\" không ứng với phương án"), "{p}");
    let (drafts, _) = parse_csv("x.csv", table(',', &rows).as_bytes());
    assert_eq!(drafts[0].kind.as_deref(), Some("true_false"));
    assert_eq!(drafts[0].options, TRUE_FALSE_OPTIONS);
    assert_eq!(drafts[0].answer, Some(vec!["B".to_string()]));
}

#[test]
fn kind_and_fixed_order_columns_and_fixed_order_inferred_without_them() {
    let rows: Vec<&[&str]> = vec![
        &["Câu hỏi", "A", "B", "C", "Đáp án", "Loại", "Thứ tự cố định"],
        &["Một?", "X", "Y", "Z", "B", "multiple", "có"],
        &["Hai?", "X", "Y", "Cả A và B", "C", "", ""],
        &["Ba?", "X", "Y", "Z", "A", "essay", "hmm"],
    ];
    let (drafts, problems) = parse_csv("x.csv", table(',', &rows).as_bytes());
    assert_eq!((drafts[0].kind.as_deref(), drafts[0].fixed_order), (Some("multiple"), true));
    assert!(!drafts[1].fixed_order, "the column says shuffle");
    let p = one_error(&problems);
    assert_eq!(p.line, Some(4));
    assert!(p.message.contains("Thứ tự cố định \"hmm\""), "{p}");
    let (_, problems) = check((drafts, problems));
    let lines: Vec<_> = errors(&problems).iter().map(|p| (p.line, p.message.contains("loại \"essay\""))).collect();
    assert!(lines.contains(&(Some(3), false)), "row 3 needs fixed order: {problems:#?}");
    assert!(lines.contains(&(Some(4), true)), "{problems:#?}");

    let rows: Vec<&[&str]> =
        vec![&["Câu hỏi", "A", "B", "C", "Đáp án"], &["Hai?", "X", "Y", "Tất cả các phương án trên", "C"]];
    let (drafts, _) = parse_csv("x.csv", table(',', &rows).as_bytes());
    assert!(drafts[0].fixed_order);
}

#[test]
fn unknown_and_duplicate_columns() {
    // "Ghi chú" beside a "Giải thích" column is ignored with the unknown columns
    // (alone, it is the explanation: see `headers_as_organizers_write_them`).
    let rows: Vec<&[&str]> = vec![
        &["Câu hỏi", "A", "B", "Đáp án", "Ghi chú", "Đáp án đúng", "Giải thích"],
        &["Một?", "X", "Y", "A", "n", "B", "E"],
    ];
    let (drafts, problems) = parse_csv("x.csv", table(',', &rows).as_bytes());
    assert_eq!(drafts[0].answer, Some(vec!["A".to_string()]));
    let p = one_error(&problems);
    assert!(p.message.contains("\"Đáp án đúng\" (cột thứ 6)") && p.message.contains("cột thứ 4"), "{p}");
    assert!(problems.iter().any(|p| p.severity == Severity::Warning && p.message.contains("\"Ghi chú\"")));
}

#[test]
fn a_csv_that_is_not_utf8_is_one_clear_error() {
    // "Câu hỏi" in Windows-1258 (what Excel's plain "CSV" saves on a Vietnamese Windows).
    let bytes = b"STT,C\xe2u h\xd2i,A,B,\xd0\xe1p \xe1n\n";
    let (drafts, problems) = parse_csv("x.csv", bytes);
    assert!(drafts.is_empty());
    let p = one_error(&problems);
    assert!(p.message.contains("UTF-8") && p.message.contains("dòng 1"), "{p}");
}
