use super::*;

const GOOD: &str = r#"
[bank]
slug = "mot-cua"
title = "Một cửa"
topic = "mot-cua"
replaced_documents = ["61/2018/NĐ-CP"]

[[question]]
key = "mc-001"
kind = "single"
difficulty = "easy"
text = "Theo Nghị định 61/2018/NĐ-CP, câu hỏi một?"
options = ["Một", "Hai", "Ba", "Cả A, B và C"]
fixed_order = true
answer = "B"
explanation = "Vì thế."
source = "MC-01 — Nghị định 61/2018/NĐ-CP, Điều 1"
as_of = 2020-12-31

[[question]]
key = "mc-002"
kind = "multiple"
difficulty = "hard"
text = "Câu hỏi hai?"
options = ["X", "Y", "Z"]
answer = ["C", "A"]
explanation = "Vì vậy."
source = "MC-02 — Nghị định 45/2020/NĐ-CP, Điều 2"
as_of = "2021-01-01"

[[question]]
key = "mc-003"
kind = "true_false"
difficulty = "medium"
text = "Câu ba đúng không?"
options = ["Đúng", "Sai"]
answer = "A"
explanation = "Đúng."
source = "MC-03 — Quyết định 1847/QĐ-TTg"
"#;

fn problems_for(text: &str) -> Vec<Problem> {
    parse_toml("b.toml", text).1
}

fn with_question(fields: &str) -> String {
    format!("[bank]\nslug = \"b\"\ntitle = \"T\"\ntopic = \"t\"\n\n[[question]]\n{fields}\n")
}

const BASE: &str = "key = \"k1\"\nkind = \"single\"\ndifficulty = \"easy\"\ntext = \"Hỏi?\"\noptions = [\"A1\", \"B1\"]\nanswer = \"A\"\nexplanation = \"E\"\nsource = \"S\"";

fn one_error(fields: &str) -> Problem {
    let ps = problems_for(&with_question(fields));
    let errors: Vec<_> = ps.into_iter().filter(|p| p.severity == Severity::Error).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.into_iter().next().unwrap()
}

#[test]
fn a_good_bank_parses_with_answers_as_indexes() {
    let (bank, problems) = parse_toml("good.toml", GOOD);
    assert!(problems.is_empty(), "{problems:?}");
    let bank = bank.unwrap();
    assert_eq!(bank.meta.slug, "mot-cua");
    assert_eq!(bank.questions.len(), 3);
    assert_eq!(bank.questions[0].answer, vec![1]);
    assert_eq!(bank.questions[1].answer, vec![0, 2]);
    assert_eq!(bank.questions[1].as_of, NaiveDate::from_ymd_opt(2021, 1, 1));
    assert_eq!(bank.questions[0].as_of, NaiveDate::from_ymd_opt(2020, 12, 31));
    assert_eq!(bank.questions[2].kind, Kind::TrueFalse);
}

#[test]
fn the_base_question_is_valid() {
    let (bank, problems) = parse_toml("b.toml", &with_question(BASE));
    assert!(problems.is_empty(), "{problems:?}");
    assert!(bank.is_some());
}

#[test]
fn duplicate_key_is_reported_with_both_lines() {
    let text = format!("{}\n[[question]]\n{}", with_question(BASE), BASE.replace("Hỏi?", "Khác?"));
    let ps = problems_for(&text);
    assert_eq!(ps.len(), 1, "{ps:?}");
    assert!(ps[0].message.contains("trùng") && ps[0].message.contains("dòng 6"), "{}", ps[0]);
    assert_eq!(ps[0].key.as_deref(), Some("k1"));
    assert_eq!(ps[0].line, Some(16));
}

#[test]
fn duplicate_text_after_nfc_whitespace_and_case_folding() {
    // "Hỏi?" decomposed (NFD), upper case, extra spaces.
    let other = BASE.replace("k1", "k2").replace("Hỏi?", "  HO\u{309}I? ");
    let text = format!("{}\n[[question]]\n{}", with_question(BASE), other);
    let ps = problems_for(&text);
    assert_eq!(ps.len(), 1, "{ps:?}");
    assert!(ps[0].message.contains("nội dung trùng"), "{}", ps[0]);
}

#[test]
fn answer_naming_no_option() {
    let p = one_error(&BASE.replace("answer = \"A\"", "answer = \"C\""));
    assert!(p.message.contains("không ứng với phương án"), "{p}");
}

#[test]
fn too_few_options_and_empty_option() {
    let p = one_error(&BASE.replace("[\"A1\", \"B1\"]", "[\"A1\"]"));
    assert!(p.message.contains("từ 2 đến 6"), "{p}");
    let p = one_error(&BASE.replace("[\"A1\", \"B1\"]", "[\"A1\", \"  \"]"));
    assert!(p.message.contains("để trống"), "{p}");
    let p = one_error(&BASE.replace("[\"A1\", \"B1\"]", "[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\"]"));
    assert!(p.message.contains("từ 2 đến 6"), "{p}");
}

#[test]
fn missing_source_or_explanation_is_a_warning_so_any_bank_exports_to_toml_and_back() {
    for (text, needle) in [
        (BASE.replace("source = \"S\"", "source = \" \""), "thiếu nguồn"),
        (BASE.replace("explanation = \"E\"", ""), "thiếu giải thích"),
    ] {
        let (bank, problems) = parse_toml("t.toml", &with_question(&text));
        assert!(bank.is_some(), "{problems:#?}");
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].severity, Severity::Warning);
        assert!(problems[0].message.contains(needle), "{problems:#?}");
        let again = parse_toml("t.toml", &write_toml(&bank.unwrap()).unwrap());
        assert!(again.0.is_some(), "{:#?}", again.1);
    }
}

#[test]
fn all_of_the_above_needs_fixed_order() {
    let p = one_error(&BASE.replace("[\"A1\", \"B1\"]", "[\"A1\", \"B1\", \"Cả A và B đều đúng\"]"));
    assert!(p.message.contains("fixed_order"), "{p}");
    let p = one_error(&BASE.replace("[\"A1\", \"B1\"]", "[\"A1\", \"Không phương án nào đúng\"]"));
    assert!(p.message.contains("fixed_order"), "{p}");
    let ok = with_question(&format!(
        "{}\nfixed_order = true",
        BASE.replace("[\"A1\", \"B1\"]", "[\"A1\", \"Tất cả các phương án trên\"]")
    ));
    assert!(problems_for(&ok).is_empty());
}

#[test]
fn ordinary_options_are_not_taken_for_all_of_the_above() {
    for o in ["Cả nước", "Ủy ban nhân dân cấp xã", "Bộ Nội vụ", "Cả năm 2020"] {
        assert!(!refers_to_other_options(o), "{o}");
    }
    for o in ["Cả A, B và C", "cả a và b", "Tất cả các ý trên", "Các phương án trên đều sai"] {
        assert!(refers_to_other_options(o), "{o}");
    }
}

#[test]
fn bad_kind_difficulty_and_true_false_options() {
    let p = one_error(&BASE.replace("\"single\"", "\"essay\""));
    assert!(p.message.contains("loại"), "{p}");
    let p = one_error(&BASE.replace("\"easy\"", "\"trivial\""));
    assert!(p.message.contains("mức độ"), "{p}");
    let p = one_error(&BASE.replace("\"single\"", "\"true_false\""));
    assert!(p.message.contains("Đúng"), "{p}");
}

#[test]
fn single_with_two_answers_is_an_error() {
    let p = one_error(&BASE.replace("answer = \"A\"", "answer = [\"A\", \"B\"]"));
    assert!(p.message.contains("một đáp án"), "{p}");
}

#[test]
fn malformed_toml_names_the_line() {
    let (bank, ps) = parse_toml(
        "x.toml",
        "[bank]\nslug = \"a\"\ntitle = \"T\"\ntopic = \"t\"\n\n[[question]]\nkey = \"k\nkind = 1\n",
    );
    assert!(bank.is_none());
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].line, Some(7), "{}", ps[0]);
    assert!(ps[0].to_string().starts_with("x.toml:7"));
}

#[test]
fn unknown_field_is_an_error() {
    let (_, ps) = parse_toml("x.toml", &with_question(&format!("{BASE}\nanwser = \"B\"")));
    assert!(ps[0].message.contains("anwser"), "{}", ps[0]);
}

#[test]
fn citing_a_replaced_document_without_naming_it_warns() {
    let text = GOOD.replace("Theo Nghị định 61/2018/NĐ-CP, câu hỏi một?", "Câu hỏi một?");
    let (bank, ps) = parse_toml("w.toml", &text);
    assert!(bank.is_some());
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].severity, Severity::Warning);
    assert_eq!(ps[0].key.as_deref(), Some("mc-001"));
}

#[test]
fn content_hash_changes_with_content_only() {
    let (bank, _) = parse_toml("g.toml", GOOD);
    let q = bank.unwrap().questions[0].clone();
    let mut q2 = q.clone();
    assert_eq!(q.content_hash(), q2.content_hash());
    q2.answer = vec![2];
    assert_ne!(q.content_hash(), q2.content_hash());
}

#[test]
fn lenient_formats_warn_about_missing_source_and_explanation() {
    let meta = BankMeta { slug: "b".into(), title: "T".into(), topic: "t".into(), replaced_documents: vec![] };
    let draft = Draft {
        line: 3,
        key: Some("q1".into()),
        kind: Some("single".into()),
        difficulty: Some("medium".into()),
        text: Some("Hỏi?".into()),
        options: vec!["A1".into(), "B1".into()],
        answer: Some(vec!["B".into()]),
        ..Draft::default()
    };
    let (bank, ps) = check_drafts("x.gift", meta.clone(), vec![draft.clone()], Strictness::Lenient, Vec::new());
    assert_eq!(bank.unwrap().questions[0].answer, vec![1]);
    assert_eq!(ps.len(), 2);
    assert!(ps.iter().all(|p| p.severity == Severity::Warning && p.line == Some(3)), "{ps:?}");
    // hoithi's own format too: a bank imported from one without them exports to TOML and back.
    let (bank, ps) = check_drafts("x.toml", meta, vec![draft], Strictness::Strict, Vec::new());
    assert!(bank.is_some());
    assert!(ps.iter().all(|p| p.severity == Severity::Warning), "{ps:?}");
}

#[test]
fn stats_count_and_unbalanced_letters_warn() {
    let (bank, _) = parse_toml("g.toml", GOOD);
    let bank = bank.unwrap();
    let s = Stats::of(&bank);
    assert_eq!(s.difficulty, [1, 1, 1]);
    assert_eq!(s.kind, [1, 1, 1]);
    assert_eq!(s.letters, [1, 1, 0, 0, 0, 0], "single B and true/false A; multiple not counted");
    assert!(check_letter_balance("g.toml", &bank).is_empty(), "too small to judge");
    let mut big = bank.clone();
    big.questions = (0..12)
        .map(|i| Question { key: format!("k{i}"), answer: vec![usize::from(i < 6)], ..bank.questions[0].clone() })
        .collect();
    assert!(check_letter_balance("g.toml", &big).len() == 2, "A and B at 50% each");
    big.questions.iter_mut().enumerate().for_each(|(i, q)| q.answer = vec![i % 4]);
    assert!(check_letter_balance("g.toml", &big).is_empty(), "25% each is balanced");
}

#[test]
fn toml_round_trip_keeps_every_question() {
    let (bank, _) = parse_toml("g.toml", GOOD);
    let bank = bank.unwrap();
    let text = write_toml(&bank).unwrap();
    let (again, problems) = parse_toml("g2.toml", &text);
    assert!(problems.is_empty(), "{problems:?}\n{text}");
    assert_eq!(again.unwrap(), bank);
}

#[test]
fn current_law_wording_warns() {
    let text = GOOD.replace("Câu hỏi hai?", "Theo quy định hiện hành, câu hỏi hai?");
    let (bank, ps) = parse_toml("h.toml", &text);
    assert!(bank.is_some());
    assert_eq!(ps.len(), 1);
    assert!(ps[0].message.contains("hiện hành") && ps[0].key.as_deref() == Some("mc-002"), "{ps:?}");
}

#[test]
fn duplicate_slugs_across_files() {
    let (a, _) = parse_toml("a.toml", GOOD);
    let (b, _) = parse_toml("b.toml", GOOD);
    let (a, b) = (a.unwrap(), b.unwrap());
    let ps = check_slugs([("a.toml", &a), ("b.toml", &b)]);
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].file, "b.toml");
}

#[test]
fn an_exclusion_group_is_read_written_back_and_must_be_a_slug() {
    let text = GOOD.replace("key = \"mc-002\"", "key = \"mc-002\"\ngroup = \"mc-ngay-ban-hanh\"");
    let (bank, ps) = parse_toml("g.toml", &text);
    assert!(ps.is_empty(), "{ps:?}");
    let bank = bank.unwrap();
    assert_eq!(bank.questions[1].group.as_deref(), Some("mc-ngay-ban-hanh"));
    assert_eq!(bank.questions[0].group, None);
    let written = write_toml(&bank).unwrap();
    assert!(written.contains("group = \"mc-ngay-ban-hanh\""), "{written}");
    assert_eq!(parse_toml("g2.toml", &written).0.unwrap(), bank);
    for bad in ["Ngày ban hành", "", "-x", "a_b"] {
        let text = GOOD.replace("key = \"mc-002\"", &format!("key = \"mc-002\"\ngroup = \"{bad}\""));
        let (bank, ps) = parse_toml("g.toml", &text);
        assert!(bank.is_none(), "{bad:?}");
        assert!(ps.iter().any(|p| p.key.as_deref() == Some("mc-002") && p.message.contains("nhóm")), "{ps:?}");
    }
}

/// A hash stored before groups existed must stay the same, or every
/// shipped question would get a new version at the next import.
#[test]
fn the_content_hash_counts_the_group_only_when_there_is_one() {
    let (bank, _) = parse_toml("g.toml", GOOD);
    let q = bank.unwrap().questions[0].clone();
    // The canonical form as it was before groups: nine fields.
    let before = serde_json::json!([
        q.kind,
        q.difficulty,
        q.text,
        q.options,
        q.answer,
        q.explanation,
        q.source,
        q.fixed_order,
        q.as_of.map(|d| d.to_string()),
    ]);
    assert_eq!(q.content_hash(), hex::encode(Sha256::digest(before.to_string().as_bytes())));
    let grouped = Question { group: Some("a".into()), ..q.clone() };
    let other = Question { group: Some("b".into()), ..q.clone() };
    assert_ne!(q.content_hash(), grouped.content_hash());
    assert_ne!(grouped.content_hash(), other.content_hash());
}
