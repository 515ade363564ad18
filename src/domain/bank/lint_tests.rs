use super::*;
use crate::domain::bank::{BankMeta, Difficulty};

fn q(key: &str, text: &str, options: &[&str], answer: usize) -> Question {
    Question {
        key: key.into(),
        kind: Kind::Single,
        difficulty: Difficulty::Easy,
        text: text.into(),
        options: options.iter().map(|o| o.to_string()).collect(),
        answer: vec![answer],
        explanation: "Vì thế.".into(),
        source: "Nguồn".into(),
        fixed_order: false,
        as_of: None,
        group: None,
    }
}

fn grouped(mut question: Question, group: &str) -> Question {
    question.group = Some(group.into());
    question
}

fn bank(slug: &str, questions: Vec<Question>) -> Bank {
    Bank {
        meta: BankMeta { slug: slug.into(), title: slug.into(), topic: slug.into(), replaced_documents: vec![] },
        questions,
    }
}

fn at(bank: &str, key: &str) -> QuestionRef {
    QuestionRef { bank: bank.into(), key: key.into() }
}

const DATES: [&str; 4] = ["02/8/2007", "19/5/2019", "27/12/2018", "05/9/2016"];

/// vhcv-002 in small: its key, a date, is written in two other stems.
fn dates_bank() -> Bank {
    bank(
        "vhcv",
        vec![
            q("d-1", "Quyết định 1847/QĐ-TTg được ban hành vào ngày nào?", &DATES, 2),
            q("d-2", "Quyết định 1847/QĐ-TTg ngày 27/12/2018 phê duyệt đề án nào?", &["Một", "Hai", "Ba"], 0),
            q("d-3", "THEO QUYẾT ĐỊNH NGÀY 27/12/2018, mục tiêu là gì?", &["Bốn", "Năm", "Sáu"], 1),
            q("d-4", "Văn bản số 127/12/2018 và số 12/2018 nói gì?", &["Bảy", "Tám", "Chín"], 2),
        ],
    )
}

#[test]
fn a_key_in_other_stems_is_a_leak_on_word_boundaries_only() {
    let r = lint(&[dates_bank()]);
    let leaks: Vec<(&str, &str)> = r.leaks.iter().map(|l| (l.key_of.key.as_str(), l.in_stem_of.key.as_str())).collect();
    assert_eq!(leaks, [("d-1", "d-2"), ("d-1", "d-3")], "case folded; 127/12/2018 is another number");
    assert_eq!(r.leaks[0].key_text, "27/12/2018");
    assert!(!r.passes());
    assert_eq!(r.proposed.len(), 1);
    assert_eq!(r.proposed[0].name, "vhcv-d-1");
    assert_eq!(r.proposed[0].members, [at("vhcv", "d-1"), at("vhcv", "d-2"), at("vhcv", "d-3")]);
    assert!(r.proposed[0].already.is_empty());
}

#[test]
fn keys_are_compared_after_nfc_case_folding_whitespace_and_trailing_punctuation() {
    let key = "Phê duyệt Đề án văn hóa công vụ.";
    // The stem in NFD ("ê" + circumflex written apart), upper case, extra spaces.
    let stem = "Việc PHE\u{302} DUYỆT   ĐỀ ÁN VĂN HÓA CÔNG VỤ, theo Quyết định 1847, là gì?";
    let b = bank(
        "b",
        vec![
            q("k-1", "Quyết định 1847 có nội dung gì?", &[key, "Ban hành quy chế"], 0),
            q("k-2", stem, &["X", "Y"], 1),
        ],
    );
    let r = lint(&[b]);
    assert_eq!(r.leaks.len(), 1, "{:?}", r.leaks);
    assert_eq!(normalize(key), "phê duyệt đề án văn hóa công vụ");
}

#[test]
fn short_generic_and_true_false_keys_are_not_searched() {
    let mut tf = q("t-1", "Cán bộ phải đeo thẻ. Đúng hay sai?", &["Đúng", "Sai"], 0);
    tf.kind = Kind::TrueFalse;
    let all = q("a-1", "Câu nào đúng?", &["Một", "Hai", "Ba", "Cả A, B và C"], 3);
    let no = q("n-1", "Có quy định không?", &["Có", "Không đúng"], 1);
    let short = q("s-1", "Cố đô ở đâu?", &["Huế", "Vinh"], 0);
    let stems =
        q("x-1", "Đúng hay sai: cả a, b và c; không đúng; ở Huế, ai cũng phải đeo thẻ?", &["Đúng rồi", "Chưa"], 0);
    let r = lint(&[bank("b", vec![tf, all, no, short, stems])]);
    assert!(r.leaks.is_empty(), "{:?}", r.leaks);
}

#[test]
fn a_leak_inside_an_exclusion_group_is_covered_and_passes() {
    let mut b = dates_bank();
    for q in &mut b.questions[..3] {
        q.group = Some("vhcv-ngay-1847".into());
    }
    let r = lint(&[b]);
    assert_eq!(r.leaks.len(), 2);
    assert!(r.leaks.iter().all(|l| l.covered));
    assert_eq!(r.uncovered_leaks().count(), 0, "covered leaks are not errors");
    // What still fails: d-1's longest option, 27/12/2018, is its key (1 of 1).
    assert!(r.longest[0].too_high && !r.passes());
    assert!(r.proposed.is_empty());
}

#[test]
fn keys_leak_across_banks_and_reversed_pairs_are_found() {
    let a = bank(
        "mot-cua",
        vec![q("mc-1", "Bộ phận tiếp nhận và trả kết quả thuộc cơ quan nào?", &["Văn phòng UBND", "Sở Nội vụ"], 0)],
    );
    let b = bank(
        "cchc",
        vec![q(
            "cc-1",
            "Văn phòng UBND tỉnh quản lý bộ phận nào?",
            &["Bộ phận tiếp nhận và trả kết quả", "Phòng Tư pháp"],
            0,
        )],
    );
    let r = lint(&[a, b]);
    assert_eq!(r.leaks.len(), 2, "{:?}", r.leaks);
    assert_eq!(
        r.reversed,
        [ReversedPair { a: at("mot-cua", "mc-1"), b: at("cchc", "cc-1"), cross_bank: true, covered: false }]
    );
    assert_eq!(r.proposed.len(), 1);
    assert_eq!(r.proposed[0].name, "mot-cua-mc-1");
}

#[test]
fn near_duplicate_stems_are_found_by_word_trigrams() {
    let long = "Theo Nghị định 61/2018/NĐ-CP, thời hạn giải quyết thủ tục hành chính tại bộ phận một cửa của cấp xã được tính từ khi nào";
    let b = bank(
        "b",
        vec![
            q("n-1", &format!("{long}?"), &["Một", "Hai"], 0),
            q("n-2", &format!("{long} theo quy định?"), &["Ba", "Bốn"], 0),
            q("n-3", "Theo Nghị định 61/2018/NĐ-CP, ai ký quyết định thành lập bộ phận một cửa?", &["Năm", "Sáu"], 0),
        ],
    );
    let r = lint(&[b]);
    assert_eq!(r.near_duplicates.len(), 1, "{:?}", r.near_duplicates);
    let d = &r.near_duplicates[0];
    assert_eq!((&d.a, &d.b), (&at("b", "n-1"), &at("b", "n-2")));
    assert!(d.similarity >= NEAR_DUPLICATE_JACCARD && d.similarity < 1.0, "{}", d.similarity);
    assert!(r.passes(), "near-duplicates are reported, not errors");
    assert_eq!(r.proposed.len(), 1, "but proposed as a group");
}

#[test]
fn the_longest_option_share_counts_single_choice_questions_with_one_longest_option() {
    let mut qs = Vec::new();
    // 3 of 10 keyed on the longest: exactly 30% is allowed.
    for i in 0..10 {
        let answer = if i < 3 { 2 } else { 0 };
        qs.push(q(&format!("k-{i}"), &format!("Câu {i}?"), &["ngắn", "vừa vừa", "dài nhất đây"], answer));
    }
    // Not counted: a tie for the longest, a multiple-choice question.
    qs.push(q("tie", "Hòa?", &["bằng nhau", "nhau bằng", "ngắn"], 0));
    let mut multi = q("multi", "Nhiều?", &["a", "dài nhất đây"], 1);
    multi.kind = Kind::Multiple;
    qs.push(multi);
    let r = lint(&[bank("b", qs.clone())]);
    assert_eq!(
        r.longest,
        [LongestShare { bank: "b".into(), longest_is_key: 3, with_one_longest: 10, percent: 30.0, too_high: false }]
    );
    qs[3].answer = vec![2];
    let r = lint(&[bank("b", qs)]);
    assert_eq!((r.longest[0].longest_is_key, r.longest[0].too_high), (4, true));
    assert!(!r.passes());
}

#[test]
fn a_proposal_takes_in_a_whole_existing_group_and_reuses_its_name() {
    let mut b = dates_bank();
    // d-2 already shares a group with d-4; d-1 leaks into d-2 and d-3.
    b.questions[1] = grouped(b.questions[1].clone(), "nhom-cu");
    b.questions[3] = grouped(b.questions[3].clone(), "nhom-cu");
    let r = lint(&[b]);
    assert_eq!(r.proposed.len(), 1);
    let p = &r.proposed[0];
    assert_eq!(p.name, "nhom-cu");
    assert_eq!(p.members, [at("vhcv", "d-1"), at("vhcv", "d-2"), at("vhcv", "d-3"), at("vhcv", "d-4")]);
    assert_eq!(p.already, [at("vhcv", "d-2"), at("vhcv", "d-4")]);
}

#[test]
fn proposed_names_are_slugs_and_never_an_unrelated_existing_group() {
    assert_eq!(slugify("Câu 1: Khó — Đặc biệt"), "cau-1-kho-dac-biet");
    assert_eq!(slugify("???"), "nhom");
    let mut b = dates_bank();
    b.questions.push(grouped(q("z-1", "Không liên quan?", &["Mười", "Mười một"], 0), "vhcv-d-1"));
    let r = lint(&[b]);
    assert_eq!(r.proposed[0].name, "vhcv-d-1-2");
}

#[test]
fn a_key_in_its_own_stem_is_reported_apart() {
    let b = bank("b", vec![q("s-1", "Ngày 27/12/2018 là ngày ban hành Quyết định 1847, đúng không?", &DATES, 2)]);
    let r = lint(&[b]);
    assert!(r.leaks.is_empty());
    assert_eq!(r.self_leaks.len(), 1);
    assert_eq!(r.self_leaks[0].key_of, at("b", "s-1"));
}
