use super::*;
use crate::domain::bank::{BankMeta, Difficulty, Strictness, check_drafts, has_errors, parse_toml};
use proptest::prelude::*;

fn meta() -> BankMeta {
    BankMeta { slug: "b".into(), title: "T".into(), topic: "t".into(), replaced_documents: vec![] }
}

fn fixture() -> String {
    let path = format!("{}/tests/fixtures/moodle-examples.gift", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

fn draft<'a>(drafts: &'a [Draft], key: &str) -> &'a Draft {
    drafts.iter().find(|d| d.key.as_deref() == Some(key)).unwrap_or_else(|| panic!("no {key} in {drafts:#?}"))
}

fn errors(problems: &[Problem]) -> Vec<&Problem> {
    problems.iter().filter(|p| p.severity == Severity::Error).collect()
}

/// The only question of `text`, skipped: its warning.
fn one_skip(text: &str) -> Problem {
    let Read { drafts, problems, skipped, .. } = parse("x.gift", text);
    assert_eq!(skipped, 1, "{problems:#?}");
    assert!(errors(&problems).is_empty(), "{problems:#?}");
    assert!(drafts.is_empty(), "{drafts:#?}");
    let skips: Vec<_> = problems.iter().filter(|p| p.message.contains("bị bỏ qua")).collect();
    assert_eq!(skips.len(), 1, "{problems:#?}");
    skips[0].clone()
}

#[test]
fn moodle_documented_examples() {
    let Read { mut drafts, problems, skipped, bank } = parse("moodle-examples.gift", &fixture());
    assert_eq!((skipped, bank), (6, None));
    let keys: Vec<_> = drafts.iter().map(|d| d.key.clone()).collect();
    let titled = |k: &str| Some(k.to_string());
    let expected = [
        titled("thu-do"),
        titled("q2"),
        None,
        titled("tf1"),
        None,
        titled("tf"),
        None,
        titled("dinh-dang"),
        titled("grant"),
    ];
    assert_eq!(keys, expected, "untitled questions get their keys from their text: {problems:#?}");
    crate::domain::formats::give_content_keys(&mut drafts);
    let key_of = |i: usize| drafts[i].key.clone().unwrap();
    let (q3, q5, q7) = (key_of(2), key_of(4), key_of(6));
    assert_eq!(q3, crate::domain::formats::content_key("Trâu là loài _____ và thường sống ở nông thôn."));

    let d = draft(&drafts, "thu-do");
    assert_eq!(d.kind.as_deref(), Some("single"));
    assert_eq!(d.text.as_deref(), Some("Thủ đô của Việt Nam là thành phố nào?"));
    assert_eq!(d.options, ["Hà Nội", "Huế", "Đà Nẵng", "Thành phố Hồ Chí Minh"]);
    assert_eq!(d.answer, Some(vec!["A".to_string()]));
    assert_eq!(d.difficulty.as_deref(), Some("medium"));
    assert_eq!((d.explanation.as_ref(), d.source.as_ref()), (None, None));

    let d = draft(&drafts, "q2");
    assert_eq!(d.text.as_deref(), Some("Màu nào nằm giữa màu cam và màu lục trong cầu vồng?"));
    assert_eq!(d.options, ["vàng", "đỏ", "lam"]);
    assert_eq!(d.answer, Some(vec!["A".to_string()]));

    let d = draft(&drafts, &q3);
    assert_eq!(d.text.as_deref(), Some("Trâu là loài _____ và thường sống ở nông thôn."));
    assert_eq!(d.answer, Some(vec!["B".to_string()]));

    for (key, text, answer) in [
        ("tf1", "1+1=2", "A"),
        (q5.as_str(), "Mặt trời mọc ở hướng Tây.", "B"),
        ("tf", "Sông Hồng chảy qua Hà Nội.", "A"),
    ] {
        let d = draft(&drafts, key);
        assert_eq!(d.kind.as_deref(), Some("true_false"), "{key}");
        assert_eq!(d.text.as_deref(), Some(text), "{key}");
        assert_eq!(d.options, TRUE_FALSE_OPTIONS, "{key}");
        assert_eq!(d.answer, Some(vec![answer.to_string()]), "{key}");
    }
    assert_eq!(draft(&drafts, "tf").explanation.as_deref(), Some("Sông Hồng chảy qua trung tâm Hà Nội."));

    let d = draft(&drafts, &q7);
    assert_eq!(d.kind.as_deref(), Some("multiple"));
    assert_eq!(d.options, ["Nha Trang", "Hải Phòng", "Cần Thơ", "Vũng Tàu"]);
    assert_eq!(d.answer, Some(vec!["B".to_string(), "C".to_string()]));

    let d = draft(&drafts, "dinh-dang");
    assert_eq!(d.text.as_deref(), Some("Các ký hiệu { } ~ = # và dấu hai chấm: đều phải thoát.\nCó đúng không?"));
    assert_eq!(d.options, ["Đúng vậy", "Không cần"]);
    // `[html]` text becomes what a reader saw.
    assert_eq!(d.explanation.as_deref(), Some("Xem mục Special characters."));

    let d = draft(&drafts, "grant");
    assert_eq!(d.text.as_deref(), Some("Who is entombed in Grant's tomb?"));
    assert_eq!(d.options, ["Grant", "No one", "Napoleon"]);

    // Every unsupported kind is skipped and reported on its own line, as a
    // warning: the rest of the file is taken.
    assert!(errors(&problems).is_empty(), "{problems:#?}");
    let unsupported: Vec<_> = problems
        .iter()
        .filter(|p| p.message.contains("không được hoithi hỗ trợ"))
        .map(|p| (p.line, p.key.clone().unwrap()))
        .collect();
    let expected = [
        (Some(45), "ngan"),
        (Some(47), "so"),
        (Some(49), "ghep"),
        (Some(51), "tu-luan"),
        (Some(53), "câu 14"),
        (Some(55), "mo-ta"),
    ];
    let expected: Vec<_> = expected.iter().map(|(l, k)| (*l, k.to_string())).collect();
    assert_eq!(unsupported, expected, "{problems:#?}");
    for p in problems.iter().filter(|p| p.message.contains("không được hoithi hỗ trợ")) {
        assert!(p.severity == Severity::Warning && p.message.contains("bị bỏ qua"), "{p}");
    }
    let warnings: Vec<_> = problems.iter().filter(|p| p.severity == Severity::Warning).collect();
    assert!(warnings.iter().any(|p| p.line == Some(3) && p.message.contains("$CATEGORY")), "{warnings:#?}");
    assert_eq!(warnings.iter().filter(|p| p.message.contains("Trung bình")).count(), 1, "{warnings:#?}");
    assert!(warnings.iter().any(|p| p.key.as_deref() == Some("q2") && p.message.contains("phản hồi")));
    assert!(warnings.iter().any(|p| p.key.as_deref() == Some("tf") && p.message.contains("phản hồi")));

    // The drafts pass every rule; only source and explanation are missing (warnings).
    let (bank, ps) = check_drafts("moodle-examples.gift", meta(), drafts, Strictness::Lenient, Vec::new());
    assert!(!has_errors(&ps), "{ps:#?}");
    assert_eq!(bank.unwrap().questions.len(), 9);
}

#[test]
fn unsupported_kinds_name_their_line() {
    let cases = [
        ("Ai viết Truyện Kiều?{=Nguyễn Du =Tố Như}", "trả lời ngắn"),
        ("Việt Nam vào WTO năm nào?{#2007:0}", "số"),
        ("Ghép đôi. {=Huế -> Thừa Thiên =Vinh -> Nghệ An}", "ghép đôi"),
        ("Viết về quê em. {}", "tự luận"),
        ("Viết về quê em. {####Gợi ý: kể về cảnh vật.}", "tự luận"),
        ("Chỉ là lời dẫn.", "mô tả"),
    ];
    for (question, kind) in cases {
        let p = one_skip(&format!("// đầu tệp\n\n{question}\n"));
        assert_eq!(p.line, Some(3), "{p}");
        assert!(p.message.contains(kind) && p.message.contains("không được hoithi hỗ trợ"), "{p}");
        assert!(p.to_string().starts_with("x.gift:3: cảnh báo [câu 1]"), "{p}");
    }
}

#[test]
fn malformed_questions_name_their_line() {
    let cases: [(&str, usize, &str); 8] = [
        ("::Không đóng tiêu đề Hỏi? {T}", 1, "\"::\" đóng"),
        ("Hỏi gì?\n{=a\n~b\n", 2, "thiếu \"}\""),
        ("Hỏi } gì? {T}", 1, "không có \"{\" mở"),
        ("Hỏi?\n{=a ~b}\nHỏi tiếp?\n{=c ~d}", 4, "cách nhau một dòng trống"),
        ("Hỏi? {=a {~b}}", 1, "lồng"),
        ("Hỏi? {lời dẫn =a ~b}", 1, "trước phương án đầu tiên"),
        ("Hỏi? {~%năm mươi%a ~%50%b}", 1, "trọng số"),
        ("Hỏi?\n{abc}", 1, "không nhận ra"),
    ];
    for (text, line, needle) in cases {
        let p = one_skip(text);
        assert_eq!(p.line, Some(line), "{text}: {p}");
        assert!(p.message.contains(needle) && p.message.contains("bỏ qua"), "{text}: {p}");
    }
    // A blank line between text and answers makes two questions: a description, reported, and a
    // question without text.
    let Read { drafts, problems: ps, .. } = parse("x.gift", "Hỏi?\n\n{=a ~b}");
    assert!(ps.iter().any(|p| p.line == Some(1) && p.message.contains("mô tả")), "{ps:#?}");
    assert_eq!((drafts[0].line, drafts[0].key.as_deref(), drafts[0].text.as_deref()), (3, None, Some("")));
}

#[test]
fn rule_violations_are_left_to_check_drafts_with_the_question_line() {
    let text = "\n\n::Một:: Hai đáp án đúng? {=a =b ~c}\n\n::Hai:: Không đáp án? {~a ~b}\n\n\
                // as_of: 31/12/2020\n::Ba:: Ngày sai? {T}\n";
    let Read { drafts, problems, .. } = parse("x.gift", text);
    assert!(errors(&problems).is_empty(), "{problems:#?}");
    let (bank, ps) = check_drafts("x.gift", meta(), drafts, Strictness::Lenient, problems);
    assert!(bank.is_none());
    let errs = errors(&ps);
    assert_eq!(errs.len(), 3, "{ps:#?}");
    assert_eq!((errs[0].line, errs[0].key.as_deref()), (Some(3), Some("mot")));
    assert!(errs[0].message.contains("một đáp án"), "{}", errs[0]);
    assert_eq!((errs[1].line, errs[1].key.as_deref()), (Some(5), Some("hai")));
    assert_eq!((errs[2].line, errs[2].key.as_deref()), (Some(8), Some("ba")));
    assert!(errs[2].message.contains("31/12/2020") && errs[2].message.contains("dòng 7"), "{}", errs[2]);
}

#[test]
fn comment_lines_carry_what_gift_cannot() {
    let text = "// source: Luật 80/2015/QH13, Điều 2\n// as_of: 2020-12-31\n// difficulty: hard\n\
                // fixed_order\n::Câu 1:: Hỏi? {=Một ~Hai ~Cả hai}\n\n// difficulty: easy\n::Câu 2:: Hỏi nữa? {F}\n";
    let Read { drafts, problems, .. } = parse("x.gift", text);
    assert!(problems.is_empty(), "no medium warning when every question says its difficulty: {problems:#?}");
    let d = &drafts[0];
    assert_eq!(d.key.as_deref(), Some("cau-1"));
    assert_eq!(d.line, 5);
    assert_eq!(d.source.as_deref(), Some("Luật 80/2015/QH13, Điều 2"));
    assert_eq!(d.as_of, Ok(NaiveDate::from_ymd_opt(2020, 12, 31)));
    assert_eq!(d.difficulty.as_deref(), Some("hard"));
    assert!(d.fixed_order);
    assert_eq!(drafts[1].difficulty.as_deref(), Some("easy"));
    assert!(!drafts[1].fixed_order);
    let (bank, ps) = check_drafts("x.gift", meta(), drafts, Strictness::Lenient, problems);
    assert!(!has_errors(&ps), "{ps:#?}");
    assert_eq!(bank.unwrap().questions[0].difficulty, Difficulty::Hard);
}

#[test]
fn one_medium_warning_per_file_and_stray_directives_warn() {
    let text = "// difficulty: hard\n\nA? {T}\n\n// difficulty: easy\nB? {F}\n\nC? {T}\n\nD? {F}\n";
    let Read { drafts, problems, .. } = parse("x.gift", text);
    assert_eq!(drafts.len(), 4);
    assert_eq!(drafts.iter().filter(|d| d.difficulty.as_deref() == Some("medium")).count(), 3);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert_eq!(problems[0].line, Some(1));
    assert!(problems[0].message.contains("không đi kèm câu hỏi"), "{}", problems[0]);
    assert_eq!(problems[1].line, Some(3));
    assert!(problems[1].message.contains("3 câu hỏi") && problems[1].message.contains("Trung bình"));
}

#[test]
fn keys_from_titles_positions_and_duplicates() {
    let long = "x".repeat(70);
    let text = format!(
        "::Điều 5 — Khoản 1:: A? {{T}}\n\n::{long}:: B? {{T}}\n\n::??:: C? {{T}}\n\n\
         ::điều 5, khoản 1:: D? {{T}}\n\n// key: Mã riêng\n::x:: E? {{T}}\n"
    );
    let Read { drafts, problems, .. } = parse("x.gift", &text);
    let keys: Vec<_> = drafts.iter().map(|d| d.key.clone()).collect();
    let some = |k: &str| Some(k.to_string());
    // A title too long, with no letters, or already used: the key comes from the text.
    assert_eq!(keys, [some("dieu-5-khoan-1"), None, None, None, some("Mã riêng")]);
    let dup: Vec<_> = problems.iter().filter(|p| p.message.contains("đã dùng ở dòng 1")).collect();
    assert_eq!(dup.len(), 1, "{problems:#?}");
    assert_eq!(dup[0].line, Some(7));
}

#[test]
fn vietnamese_diacritics_survive_and_become_nfc() {
    // "Quyết định" decomposed (NFD) in the file.
    let text = "::Quye\u{302}\u{301}t ddi\u{323}nh:: Quye\u{302}\u{301}t đi\u{323}nh nào? {\n=Ủy ban nhân dân tỉnh\n~Hội đồng nhân dân\n}";
    let Read { drafts, problems, .. } = parse("x.gift", text);
    assert_eq!(drafts.len(), 1, "{problems:#?}");
    assert_eq!(drafts[0].key.as_deref(), Some("quyet-ddinh"));
    let (bank, _) = check_drafts("x.gift", meta(), drafts, Strictness::Lenient, Vec::new());
    let q = &bank.unwrap().questions[0];
    assert_eq!(q.text, "Quyết định nào?");
    assert_eq!(q.options, ["Ủy ban nhân dân tỉnh", "Hội đồng nhân dân"]);
}

#[test]
fn crlf_bom_and_indented_comments() {
    let text = "\u{feff}  // chú thích\r\n::Một:: Hỏi?\r\n{\r\n  =Có\r\n  ~Không\r\n}\r\n\r\n::Hai:: Hỏi lại? {F}";
    let Read { drafts, problems, .. } = parse("x.gift", text);
    assert_eq!(drafts.len(), 2, "{problems:#?}");
    assert_eq!(drafts[0].line, 2);
    assert_eq!(drafts[0].options, ["Có", "Không"]);
    assert_eq!(drafts[1].line, 8);
}

#[test]
fn partial_credit_in_a_single_answer_question_warns() {
    let Read { drafts, problems, .. } = parse("x.gift", "Hỏi? {=a ~%50%b ~c}");
    assert_eq!(drafts[0].answer, Some(vec!["A".to_string()]));
    assert!(problems.iter().any(|p| p.message.contains("điểm từng phần") && p.line == Some(1)), "{problems:#?}");
}

#[test]
fn escapes_and_format_markers() {
    assert_eq!(unescape(r"a\~b\=c\#d\{e\}f\:g\\h\ni\x"), "a~b=c#d{e}f:g\\h\ni\\x");
    assert_eq!(clean("  [html]<b>Đậm</b>\n  tiếp "), "Đậm tiếp");
    assert_eq!(clean("[markdown]<b>giữ</b>"), "<b>giữ</b>");
    assert_eq!(clean("[moodle][plain]x"), "[plain]x");
    assert_eq!(escape("a{b}:c\\n\r\nd"), r"a\{b\}\:c\\n\nd");
    assert_eq!(slugify("  Câu hỏi số 1 (Đợt 2)  "), "cau-hoi-so-1-dot-2");
}

#[test]
fn awkward_texts_survive_a_round_trip() {
    let q = Question {
        key: "Câu 1: khó".into(),
        kind: Kind::Single,
        difficulty: Difficulty::Easy,
        text: "[html]::Tiêu đề giả:: {x} ~y =z #w \\n \\ cuối\\\ndòng hai // không phải chú thích".into(),
        options: vec!["%50%a".into(), "->b".into(), "#c".into(), "[markdown]d".into()],
        answer: vec![0],
        explanation: "####không phải ### phản hồi \\".into(),
        source: "Nguồn \\: có\ndòng hai".into(),
        fixed_order: true,
        as_of: NaiveDate::from_ymd_opt(2021, 1, 1),
        group: Some("nhom-1".into()),
    };
    let mut second = q.clone();
    second.group = None;
    second.key = "q--2".into();
    second.kind = Kind::Multiple;
    second.text = "$CATEGORY: không phải danh mục".into();
    second.answer = vec![0, 2, 3];
    let bank = Bank { meta: BankMeta { title: "Tên\ndài".into(), ..meta() }, questions: vec![q, second] };
    let gift = write(&bank);
    let Read { drafts, problems, .. } = parse("x.gift", &gift);
    assert!(problems.is_empty(), "{problems:#?}\n{gift}");
    let (back, ps) = check_drafts("x.gift", bank.meta.clone(), drafts, Strictness::Lenient, problems);
    assert!(ps.is_empty(), "{ps:#?}");
    assert_eq!(back.unwrap().questions, bank.questions, "{gift}");
}

#[test]
fn shipped_banks_survive_a_round_trip() {
    let dir = format!("{}/question_banks", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut total = 0;
    for path in files {
        let name = path.display().to_string();
        let (bank, problems) = parse_toml(&name, &std::fs::read_to_string(&path).unwrap());
        let bank = bank.unwrap_or_else(|| panic!("{problems:#?}"));
        let gift = write(&bank);
        let Read { drafts, problems, bank: named, .. } = parse(&name, &gift);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        // The export names its bank, whole: it imports again without choosing one.
        assert_eq!(named.as_ref(), Some(&bank.meta), "{name}");
        let (back, ps) = check_drafts(&name, bank.meta.clone(), drafts, Strictness::Lenient, problems);
        assert!(!has_errors(&ps), "{name}: {ps:#?}");
        let back = back.unwrap();
        assert_eq!(back.questions.len(), bank.questions.len());
        for (b, q) in back.questions.iter().zip(&bank.questions) {
            assert_eq!(b, q, "{name}");
        }
        total += back.questions.len();
    }
    assert!(total > 300, "{total}");
}

fn gifty() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "{",
        "}",
        "~",
        "=",
        "#",
        "####",
        "::",
        ":",
        "\\",
        "%",
        "%50%",
        "%-100%",
        "->",
        "\n",
        "\n\n",
        "\r",
        "//",
        "// source: ",
        "// as_of: 2020-02-30",
        "// difficulty: ",
        "// key: ",
        "// fixed_order",
        "$CATEGORY: ",
        "[html]",
        "T",
        "FALSE",
        "a",
        " ",
        "Đúng",
        "ệ",
        "\u{301}",
        "\u{feff}",
    ]);
    prop::collection::vec(tokens, 0..80).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn parse_never_panics_on_arbitrary_text(s in any::<String>()) {
        let Read { drafts, problems, .. } = parse("p.gift", &s);
        let _ = check_drafts("p.gift", meta(), drafts, Strictness::Lenient, problems);
    }

    #[test]
    fn parse_never_panics_on_gift_tokens(s in gifty()) {
        let Read { drafts, problems, .. } = parse("p.gift", &s);
        prop_assert!(problems.iter().all(|p| p.line.is_some()));
        let _ = check_drafts("p.gift", meta(), drafts, Strictness::Lenient, problems);
    }

    #[test]
    fn texts_survive_escaping(s in "[a-zđĐệ {}~=#:\\\\%\\[\\]/\n\t-]{0,40}") {
        prop_assert_eq!(clean_as(&guarded(&s), TextFormat::Html), s.trim());
    }

    #[test]
    fn written_questions_read_back_equal(
        key in "[a-zĐ: -]{1,12}",
        text in "[a-zđ {}~=#:\\\\%\\[\\]/\n-]{1,30}",
        options in prop::collection::vec("[a-z {}~=#:\\\\%>-]{1,12}", 2..=6),
        multiple in any::<bool>(),
        explanation in "[a-z #\\\\]{0,12}",
    ) {
        let answer = vec![if multiple { "A".to_string() } else { "B".to_string() }];
        let answer = if multiple { vec!["A".to_string(), "B".to_string()] } else { answer };
        let draft = Draft {
            line: 1,
            key: Some(key),
            kind: Some(if multiple { "multiple" } else { "single" }.into()),
            difficulty: Some("hard".into()),
            text: Some(text),
            options,
            answer: Some(answer),
            explanation: Some(explanation),
            source: Some("S".into()),
            fixed_order: true,
            ..Draft::default()
        };
        let (bank, _) = check_drafts("p", meta(), vec![draft], Strictness::Lenient, Vec::new());
        prop_assume!(bank.is_some());
        let bank = bank.unwrap();
        let Read { drafts, problems, .. } = parse("p.gift", &write(&bank));
        let (back, _) = check_drafts("p", meta(), drafts, Strictness::Lenient, problems);
        prop_assert_eq!(back.map(|b| b.questions), Some(bank.questions));
    }
}
