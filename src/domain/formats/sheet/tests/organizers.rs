//! Workbooks as Vietnamese organizers make them, written in the test with
//! rust_xlsxwriter: header variants, several sheets, merged cells, percent
//! and date formats, answers and levels as people write them.

use super::package::*;
use super::*;

fn read(bytes: &[u8], sheet: Option<&str>) -> (Vec<Draft>, Vec<Problem>) {
    super::super::parse_xlsx("o.xlsx", bytes, sheet, &Budget::default())
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Two sheets: instructions first, then the bank, with a merged title, a
/// merged section heading, a source merged over three questions, numbers,
/// percents, dates and booleans as options, and a "Ghi chú" column.
fn organizer_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let guide = book.add_worksheet();
    guide.set_name("Hướng dẫn").unwrap();
    guide.write_string(0, 0, "Điền câu hỏi vào trang Ngân hàng, mỗi câu một dòng.").unwrap();
    guide.write_string(2, 0, "Mức độ: Nhận biết, Thông hiểu, Vận dụng, Vận dụng cao.").unwrap();

    let sheet = book.add_worksheet();
    sheet.set_name("Ngân hàng").unwrap();
    let plain = Format::new();
    let percent = Format::new().set_num_format("0%");
    let percent2 = Format::new().set_num_format("0.00%");
    let percent1 = Format::new().set_num_format("0.0%");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let date_dmy = Format::new().set_num_format("d/m/yyyy");
    sheet.merge_range(0, 0, 0, 10, "NGÂN HÀNG CÂU HỎI THI TÌM HIỂU PHÁP LUẬT", &plain).unwrap();
    let headers = [
        "STT",
        "Nội dung câu hỏi",
        "Phương án A",
        "Phương án B",
        "Phương án C",
        "Phương án D",
        "Đáp án đúng",
        "Căn cứ pháp lý",
        "Mức độ (Dễ/TB/Khó)",
        "Ghi chú",
        "Ngày",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    sheet.merge_range(2, 0, 2, 10, "Phần I: Luật Đất đai", &plain).unwrap();
    sheet.write_number(3, 0, 1.0).unwrap();
    sheet.write_string(3, 1, "Luật Đất đai 2024 có hiệu lực từ năm nào?").unwrap();
    for (c, year) in [2024.0, 2025.0, 2023.0, 2018.0].iter().enumerate() {
        sheet.write_number(3, 2 + c as u16, *year).unwrap();
    }
    sheet.write_string(3, 6, "Đáp án B").unwrap();
    sheet.merge_range(3, 7, 5, 7, "Luật Đất đai 2024", &plain).unwrap();
    sheet.write_string(3, 8, "Nhận biết").unwrap();
    sheet.write_string(3, 9, "Luật có hiệu lực từ 01/8/2024.").unwrap();
    let d = ExcelDateTime::from_ymd(2024, 8, 1).unwrap();
    sheet.write_datetime_with_format(3, 10, &d, &date_dmy).unwrap();

    sheet.write_number(4, 0, 2.0).unwrap();
    sheet.write_string(4, 1, "Tỷ lệ nào đúng?").unwrap();
    sheet.write_number_with_format(4, 2, 0.3, &percent).unwrap();
    sheet.write_number_with_format(4, 3, 0.5, &percent).unwrap();
    sheet.write_number_with_format(4, 4, 0.005, &percent2).unwrap();
    sheet.write_number_with_format(4, 5, 0.305, &percent1).unwrap();
    sheet.write_string(4, 6, "(C)").unwrap();
    sheet.write_string(4, 8, "Thông hiểu").unwrap();

    sheet.write_number(5, 0, 3.0).unwrap();
    sheet.write_string(5, 1, "Ngày nào?").unwrap();
    sheet.write_datetime_with_format(5, 2, &d, &date).unwrap();
    sheet.write_datetime_with_format(5, 3, ExcelDateTime::from_ymd(2024, 1, 15).unwrap(), &date_dmy).unwrap();
    sheet.write_boolean(5, 4, true).unwrap();
    sheet.write_string(5, 5, "Không ngày nào").unwrap();
    sheet.write_string(5, 6, " b ").unwrap();
    sheet.write_string(5, 8, "Vận dụng").unwrap();

    sheet.write_number(6, 0, 4.0).unwrap();
    sheet.write_string(6, 1, "Câu bốn?").unwrap();
    for (c, o) in ["Một", "Hai", "Ba", "Bốn"].iter().enumerate() {
        sheet.write_string(6, 2 + c as u16, *o).unwrap();
    }
    sheet.write_string(6, 6, "Phương án A").unwrap();
    sheet.write_string(6, 7, "Nghị định 102/2024/NĐ-CP").unwrap();
    sheet.write_string(6, 8, "Vận dụng cao").unwrap();

    sheet.write_number(7, 0, 5.0).unwrap();
    sheet.write_string(7, 1, "Câu năm (chọn nhiều)?").unwrap();
    for (c, o) in ["Một", "Hai", "Ba"].iter().enumerate() {
        sheet.write_string(7, 2 + c as u16, *o).unwrap();
    }
    sheet.write_string(7, 6, "Đáp án: A, C").unwrap();
    sheet.write_string(7, 7, "Điều 5").unwrap();
    sheet.write_string(7, 8, "TB").unwrap();
    // Pre-numbered rows below the questions, the merged source not reaching them.
    sheet.write_number(8, 0, 6.0).unwrap();
    sheet.write_number(9, 0, 7.0).unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn an_organizers_workbook_is_read_as_they_see_it() {
    let (drafts, problems) = read(&organizer_workbook(), None);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(drafts.len(), 5, "{drafts:#?}");
    let lines: Vec<_> = drafts.iter().map(|d| d.line).collect();
    assert_eq!(lines, [4, 5, 6, 7, 8], "the title, the header and the section heading are not questions");
    let levels: Vec<_> = drafts.iter().map(|d| d.difficulty.as_deref().unwrap()).collect();
    assert_eq!(levels, ["easy", "medium", "hard", "hard", "medium"]);
    let answers: Vec<_> = drafts.iter().map(|d| d.answer.clone().unwrap()).collect();
    assert_eq!(answers, [strings(&["B"]), strings(&["C"]), strings(&["B"]), strings(&["A"]), strings(&["A", "C"])]);
    let sources: Vec<_> = drafts.iter().map(|d| d.source.as_deref().unwrap()).collect();
    assert_eq!(
        sources,
        ["Luật Đất đai 2024", "Luật Đất đai 2024", "Luật Đất đai 2024", "Nghị định 102/2024/NĐ-CP", "Điều 5"],
        "a merged source applies to each of its rows"
    );
    assert_eq!(drafts[0].options, ["2024", "2025", "2023", "2018"]);
    assert_eq!(drafts[1].options, ["30%", "50%", "0.50%", "30.5%"]);
    assert_eq!(drafts[2].options, ["01/08/2024", "15/01/2024", "TRUE", "Không ngày nào"]);
    assert_eq!(drafts[0].explanation.as_deref(), Some("Luật có hiệu lực từ 01/8/2024."), "Ghi chú is the explanation");
    assert_eq!(drafts[0].as_of, Ok(NaiveDate::from_ymd_opt(2024, 8, 1)), "a d/m/yyyy cell is a real date");
    assert_eq!(drafts[4].kind.as_deref(), Some("multiple"));
    let (bank, problems) = check((drafts, Vec::new()));
    assert!(errors(&problems).is_empty(), "{problems:#?}");
    assert_eq!(bank.unwrap().questions.len(), 5);
}

#[test]
fn the_sheet_is_chosen_by_name_or_by_its_header() {
    let bytes = organizer_workbook();
    assert_eq!(read(&bytes, Some("Ngân hàng")).0.len(), 5);
    assert_eq!(read(&bytes, Some("NGAN HANG")).0.len(), 5, "names are matched folded too");
    let (drafts, problems) = read(&bytes, Some("Đề thi"));
    assert!(drafts.is_empty());
    let p = one_error(&problems);
    assert!(p.message.contains("\"Đề thi\"") && p.message.contains("\"Hướng dẫn\", \"Ngân hàng\""), "{p}");
    // A named sheet without a header is read all the same, its first row taken for one.
    let (_, problems) = read(&bytes, Some("Hướng dẫn"));
    assert!(one_error(&problems).message.contains("thiếu cột bắt buộc"));

    let mut book = Workbook::new();
    book.add_worksheet().set_name("Trang 1").unwrap().write_string(0, 0, "Danh sách").unwrap();
    book.add_worksheet().set_name("Trang 2").unwrap();
    let (drafts, problems) = read(&book.save_to_buffer().unwrap(), None);
    assert!(drafts.is_empty());
    let p = one_error(&problems);
    assert!(p.message.contains("dòng tiêu đề") && p.message.contains("\"Trang 1\", \"Trang 2\""), "{p}");
}

#[test]
fn a_two_level_header_with_merged_cells() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let plain = Format::new();
    sheet.merge_range(0, 0, 1, 0, "STT", &plain).unwrap();
    sheet.merge_range(0, 1, 1, 1, "Câu hỏi", &plain).unwrap();
    sheet.merge_range(0, 2, 0, 5, "Phương án trả lời", &plain).unwrap();
    sheet.merge_range(0, 6, 1, 6, "Đáp án", &plain).unwrap();
    sheet.merge_range(0, 7, 1, 7, "Mức độ nhận thức", &plain).unwrap();
    for (c, h) in ["A", "B", "C", "D"].iter().enumerate() {
        sheet.write_string(1, 2 + c as u16, *h).unwrap();
    }
    sheet.write_number(2, 0, 1.0).unwrap();
    for (c, v) in ["Hỏi?", "Một", "Hai", "Ba", "Bốn", "D", "Nhận biết"].iter().enumerate() {
        sheet.write_string(2, 1 + c as u16, *v).unwrap();
    }
    let (drafts, problems) = read(&book.save_to_buffer().unwrap(), None);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(drafts.len(), 1);
    assert_eq!((drafts[0].line, drafts[0].options.len()), (3, 4));
    assert_eq!(drafts[0].answer, Some(strings(&["D"])));
    assert_eq!(drafts[0].difficulty.as_deref(), Some("easy"));

    // The same as CSV (a merged cell keeps its value in its first cell only).
    let csv = "STT,Câu hỏi,Phương án trả lời,,,,Đáp án\n,,A,B,C,D,\n1,Hỏi?,Một,Hai,Ba,Bốn,C\n";
    let (drafts, problems) = parse_csv("x.csv", csv.as_bytes());
    assert_eq!(drafts.len(), 1, "{problems:#?}");
    assert_eq!(drafts[0].answer, Some(strings(&["C"])));
}

#[test]
fn a_header_merged_across_columns_names_its_first_column() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let plain = Format::new();
    sheet.write_string(0, 0, "STT").unwrap();
    sheet.merge_range(0, 1, 0, 2, "Câu hỏi", &plain).unwrap();
    for (c, h) in ["A", "B", "Đáp án", "Cấp độ"].iter().enumerate() {
        sheet.write_string(0, 3 + c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 1.0).unwrap();
    sheet.merge_range(1, 1, 1, 2, "Hỏi rộng?", &plain).unwrap();
    for (c, v) in ["Có", "Không", "A", "Khó"].iter().enumerate() {
        sheet.write_string(1, 3 + c as u16, *v).unwrap();
    }
    let (drafts, problems) = read(&book.save_to_buffer().unwrap(), None);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(drafts[0].text.as_deref(), Some("Hỏi rộng?"));
    assert_eq!(drafts[0].options, ["Có", "Không"]);
    assert_eq!(drafts[0].difficulty.as_deref(), Some("hard"));
}

#[test]
fn header_variants_organizers_write() {
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["TT", "Nội dung câu hỏi", "PA A", "PA B", "PA C", "Câu trả lời đúng", "Cấp độ", "Căn cứ"],
            vec!["1", "Hỏi?", "X", "Y", "Z", "Đáp án B", "Vận dụng", "Điều 1"],
        ),
        (
            vec!["STT", "Câu hỏi", "Đáp án A", "Đáp án B", "Đáp án đúng", "Mức độ nhận thức", "Nguồn trích dẫn"],
            vec!["1", "Hỏi?", "X", "Y", "B.", "Thông hiểu", "Điều 1"],
        ),
        (
            vec!["Câu hỏi:", "A.", "B.", "Đáp án (A/B/C/D)", "Mức độ (Dễ/TB/Khó)", "Căn cứ pháp lý", "Giải thích"],
            vec!["Hỏi?", "X", "Y", "b", "Dễ", "Điều 1", "Vì."],
        ),
        (
            vec!["Câu hỏi", "Lựa chọn A", "Lựa chọn B", "Phương án đúng", "Độ khó", "Nguồn", "Ghi chú"],
            vec!["Hỏi?", "X", "Y", "Phương án B", "TB", "Điều 1", "Vì."],
        ),
    ];
    for (header, row) in cases {
        let rows: Vec<&[&str]> = vec![&header, &row];
        let (drafts, problems) = parse_csv("x.csv", table(',', &rows).as_bytes());
        assert!(problems.is_empty(), "{header:?}: {problems:#?}");
        let d = &drafts[0];
        assert_eq!(d.text.as_deref(), Some("Hỏi?"), "{header:?}");
        assert_eq!((d.options[0].as_str(), d.options[1].as_str()), ("X", "Y"), "{header:?}");
        assert_eq!(d.answer, Some(strings(&["B"])), "{header:?}");
        assert_eq!(d.source.as_deref(), Some("Điều 1"), "{header:?}");
        assert_ne!(d.difficulty, None, "{header:?}");
    }
    // "Ghi chú" beside "Giải thích" is left out, and said so.
    let rows: Vec<&[&str]> = vec![
        &["Câu hỏi", "A", "B", "Đáp án", "Mức độ", "Giải thích", "Ghi chú"],
        &["Hỏi?", "X", "Y", "A", "Dễ", "Vì.", "n"],
    ];
    let (drafts, problems) = parse_csv("x.csv", table(',', &rows).as_bytes());
    assert_eq!(drafts[0].explanation.as_deref(), Some("Vì."));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].message.contains("\"Ghi chú\" (cột thứ 7, đã có cột Giải thích)"), "{}", problems[0]);
}

#[test]
fn vietnamese_school_levels() {
    for (raw, want) in [
        ("Nhận biết", "easy"),
        ("NB", "easy"),
        ("Thông hiểu", "medium"),
        ("thong hieu", "medium"),
        ("Vận dụng", "hard"),
        ("Vận dụng cao", "hard"),
        ("VDC", "hard"),
        ("Trung bình", "medium"),
    ] {
        assert_eq!(parse_difficulty(raw).map(|d| d.as_str()), Some(want), "{raw}");
    }
    assert_eq!(parse_difficulty("rất khó"), None);
}

#[test]
fn rich_text_is_joined_and_phonetic_runs_left_out() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let plain = Format::new();
    for (c, h) in ["Câu hỏi", "A", "B", "Đáp án"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_rich_string(1, 0, &[(&plain, "Điều nào "), (&bold, "không"), (&plain, " đúng?")]).unwrap();
    sheet.write_string(1, 1, "X").unwrap();
    sheet.write_string(1, 2, "Y").unwrap();
    sheet.write_string(1, 3, "A").unwrap();
    let (drafts, _) = read(&book.save_to_buffer().unwrap(), None);
    assert_eq!(drafts[0].text.as_deref(), Some("Điều nào không đúng?"));

    let si = |s: &str| format!("<si>{s}</si>");
    let sst = format!(
        r#"<sst xmlns="{MAIN_NS}">{}{}{}{}{}{}{}{}</sst>"#,
        si("<t>Câu hỏi</t>"),
        si("<t>A</t>"),
        si("<t>B</t>"),
        si("<t>Đáp án</t>"),
        si(
            r#"<r><t xml:space="preserve">Hỏi </t></r><r><rPr><b/></rPr><t>gì</t></r><rPh sb="0" eb="1"><t>ホイ</t></rPh><phoneticPr fontId="1"/>"#
        ),
        si("<t>Một &amp; &#273;&#x1EBF;m</t>"),
        si("<t><![CDATA[<Hai>]]></t>"),
        si("<t>A</t>"),
    );
    let cells = |row: usize, first: usize| -> String {
        let c: String = (0..4)
            .map(|i| format!(r#"<c r="{}{row}" t="s"><v>{}</v></c>"#, char::from(b'A' + i as u8), first + i))
            .collect();
        format!(r#"<row r="{row}">{c}</row>"#)
    };
    let inner = format!("<sheetData>{}{}</sheetData>", cells(1, 0), cells(2, 4));
    let bytes = xlsx_with(Content::Bytes(sheet_xml(&inner).into_bytes()), Some(sst), None);
    let (drafts, problems) = read(&bytes, None);
    assert_eq!(drafts.len(), 1, "{problems:#?}");
    assert_eq!(drafts[0].text.as_deref(), Some("Hỏi gì"));
    assert_eq!(drafts[0].options, ["Một & đếm", "<Hai>"]);
}

#[test]
fn styles_formulas_booleans_errors_and_1904_dates() {
    let styles = format!(
        r#"<styleSheet xmlns="{MAIN_NS}"><numFmts count="2"><numFmt numFmtId="164" formatCode="[$-42A]dd/mm/yyyy;@"/><numFmt numFmtId="165" formatCode="0.0&quot;%&quot;"/></numFmts><cellStyleXfs count="1"><xf numFmtId="10"/></cellStyleXfs><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="9"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="14"/></cellXfs><dxfs><dxf><numFmt numFmtId="164" formatCode="0%"/></dxf></dxfs></styleSheet>"#
    );
    let header: String = ["Câu hỏi", "A", "B", "C", "D", "E", "Đáp án", "Ngày"]
        .iter()
        .enumerate()
        .map(|(i, h)| text_cell(&format!("{}1", char::from(b'A' + i as u8)), h))
        .collect();
    let row = [
        text_cell("A2", "Hỏi?"),
        r#"<c r="B2" s="1"><v>0.25</v></c>"#.into(),
        r#"<c r="C2" s="2"><v>45292</v></c>"#.into(),
        r#"<c r="D2" s="3"><v>12</v></c>"#.into(),
        r#"<c r="E2" t="b"><v>0</v></c>"#.into(),
        r#"<c r="F2" t="str"><f>A1&amp;"!"</f><v>Câu hỏi!</v></c>"#.into(),
        r#"<c r="G2" s="0"><f>"B"</f><v>2</v></c>"#.into(),
        r#"<c r="H2" s="4"><v>45292</v></c>"#.into(),
    ]
    .concat();
    let error_row = [
        text_cell("A3", "Lỗi?"),
        text_cell("B3", "X"),
        text_cell("C3", "Y"),
        r#"<c r="G3" t="e"><v>#N/A</v></c>"#.into(),
    ]
    .concat();
    let inner = format!(
        r#"<sheetData><row r="1">{header}</row><row r="2">{row}</row><row r="3">{error_row}</row></sheetData>"#
    );
    let sheet = Content::Bytes(sheet_xml(&inner).into_bytes());
    let mut bytes = xlsx_with(sheet, None, Some(styles));
    let (drafts, problems) = read(&bytes, None);
    // A quoted "%" is a literal: the number is not multiplied (nor shown with the format's decimals).
    assert_eq!(drafts[0].options, ["25%", "01/01/2024", "12", "FALSE", "Câu hỏi!"]);
    assert_eq!(drafts[0].answer, Some(strings(&["2"])), "the cached value of a formula");
    assert_eq!(drafts[0].as_of, Ok(NaiveDate::from_ymd_opt(2024, 1, 1)));
    assert!(problems.iter().any(|p| p.line == Some(3) && p.message.contains("#N/A")), "{problems:#?}");

    // The same workbook dated from 1904: serial 0 is 1 January 1904.
    let (book, rels) = workbook_xml(&[("Câu hỏi", "sheet1.xml")]);
    let book = book.replace("<sheets>", r#"<workbookPr date1904="1"/><sheets>"#);
    let styles = format!(r#"<styleSheet xmlns="{MAIN_NS}"><cellXfs><xf numFmtId="14"/></cellXfs></styleSheet>"#);
    let inner = format!(r#"<sheetData>{}<row r="2"><c r="E2" s="0"><v>1</v></c></row></sheetData>"#, question_rows());
    bytes = zip(vec![
        ("xl/workbook.xml", Content::Bytes(book.into_bytes())),
        ("xl/_rels/workbook.xml.rels", Content::Bytes(rels.into_bytes())),
        (
            "xl/worksheets/sheet1.xml",
            Content::Bytes(
                sheet_xml(&inner.replace(
                    "Đáp án</t></is></c>",
                    "Đáp án</t></is></c><c r=\"E1\" t=\"inlineStr\"><is><t>Ngày</t></is></c>",
                ))
                .into_bytes(),
            ),
        ),
        ("xl/styles.xml", Content::Bytes(styles.into_bytes())),
    ]);
    let (drafts, problems) = read(&bytes, None);
    assert_eq!(drafts[0].as_of, Ok(NaiveDate::from_ymd_opt(1904, 1, 2)), "{problems:#?}");
}
