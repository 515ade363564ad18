//! The lint's report as authors read it, in Vietnamese: what `banks lint`
//! prints and the upload preview shows.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::lint::{LintReport, MAX_LONGEST_SHARE, NEAR_DUPLICATE_JACCARD, QuestionRef};
use crate::domain::numbers::{decimal, one_decimal};

/// Proposed groups this large get a hint: rewriting beats grouping.
const LARGE_GROUP: usize = 10;

/// The keys of `members` that leak into the most stems (uncovered), as text.
fn most_leaked(r: &LintReport, members: &[QuestionRef]) -> String {
    let mut counts: BTreeMap<(&QuestionRef, &str), usize> = BTreeMap::new();
    for l in r.uncovered_leaks().filter(|l| members.contains(&l.key_of)) {
        *counts.entry((&l.key_of, &l.key_text)).or_default() += 1;
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.iter().take(5).map(|((q, text), n)| format!(" \"{text}\" ({q}, {n} câu)")).collect::<Vec<_>>().join(";")
}

/// The report as `banks lint` prints it.
pub fn render_lint(r: &LintReport) -> String {
    let mut out = String::new();
    let max = decimal(MAX_LONGEST_SHARE * 100.0, 0);
    let _ = writeln!(out, "Kiểm tra câu hỏi gợi ý đáp án cho nhau: {} ngân hàng, {} câu hỏi.", r.banks, r.questions);

    let _ = writeln!(
        out,
        "\n1. Phương án dài nhất là đáp án (trong các câu một lựa chọn có đúng một phương án dài nhất; tối đa {max}%):"
    );
    for s in &r.longest {
        let flag = if s.too_high { format!(" — LỖI: quá {max}%") } else { String::new() };
        let _ = writeln!(
            out,
            "   {}: {}/{} ({}%){flag}",
            s.bank,
            s.longest_is_key,
            s.with_one_longest,
            one_decimal(s.percent)
        );
    }

    let uncovered = r.uncovered_leaks().count();
    let _ = writeln!(
        out,
        "\n2. Đáp án nằm nguyên văn trong câu hỏi khác: {} lần (ngoài nhóm loại trừ: {uncovered}, trong nhóm: {}).",
        r.leaks.len(),
        r.leaks.len() - uncovered
    );
    // Leaks come by question, then key, then stem: one paragraph per key.
    for same in r.leaks.chunk_by(|a, b| a.key_of == b.key_of && a.key_text == b.key_text) {
        let _ =
            writeln!(out, "   {}, đáp án \"{}\", nằm trong {} câu hỏi:", same[0].key_of, same[0].key_text, same.len());
        for l in same {
            let _ = writeln!(out, "      {}{}", l.in_stem_of, if l.covered { " (cùng nhóm, không tính)" } else { "" });
        }
    }

    let _ = writeln!(out, "\n3. Cặp lộ đáp án chéo (đáp án câu này trong câu kia và ngược lại): {}.", r.reversed.len());
    for p in &r.reversed {
        let mut notes = Vec::new();
        if p.cross_bank {
            notes.push("khác ngân hàng");
        }
        if p.covered {
            notes.push("cùng nhóm");
        }
        let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join(", ")) };
        let _ = writeln!(out, "   {} ↔ {}{notes}", p.a, p.b);
    }

    let _ = writeln!(
        out,
        "\n4. Câu hỏi gần trùng nhau (Jaccard ≥ {} trên các bộ ba từ liên tiếp): {}.",
        decimal(NEAR_DUPLICATE_JACCARD, 1),
        r.near_duplicates.len()
    );
    for d in &r.near_duplicates {
        let covered = if d.covered { " (cùng nhóm)" } else { "" };
        let _ = writeln!(out, "   {} ~ {}: {}{covered}", d.a, d.b, decimal(d.similarity, 2));
    }

    let _ = writeln!(
        out,
        "\n5. Câu hỏi có đáp án nằm ngay trong câu hỏi (nhóm loại trừ không sửa được, cần viết lại): {}.",
        r.self_leaks.len()
    );
    for l in &r.self_leaks {
        let _ = writeln!(out, "   {}: \"{}\"", l.key_of, l.key_text);
    }

    let _ = writeln!(
        out,
        "\n6. Nhóm loại trừ đề xuất: {} nhóm. Thêm dòng group ngay dưới dòng key của từng câu trong tệp ngân hàng:",
        r.proposed.len()
    );
    for g in &r.proposed {
        let _ = writeln!(out, "\n   # Nhóm \"{}\": {} câu", g.name, g.members.len());
        if g.members.len() >= LARGE_GROUP {
            let _ = writeln!(
                out,
                "   # Nhóm lớn: một đề chỉ lấy được 1 trong {} câu này. Nên viết lại các câu hỏi nhắc tới những đáp án lộ nhiều nhất:{}",
                g.members.len(),
                most_leaked(r, &g.members)
            );
        }
        let mut bank = "";
        for m in &g.members {
            if m.bank != bank {
                bank = &m.bank;
                let _ = writeln!(out, "   # ngân hàng {bank}");
            }
            if g.already.contains(m) {
                let _ = writeln!(out, "   # key = \"{}\" đã có group = \"{}\"", m.key, g.name);
            } else {
                let _ = writeln!(out, "   key = \"{}\"\n   group = \"{}\"", m.key, g.name);
            }
        }
    }

    let high = r.longest.iter().filter(|s| s.too_high).count();
    let verdict = if r.passes() {
        "ĐẠT".to_string()
    } else {
        format!(
            "KHÔNG ĐẠT — {high} ngân hàng có phương án dài nhất là đáp án quá {max}%, {uncovered} lần lộ đáp án ngoài nhóm loại trừ"
        )
    };
    let _ = writeln!(out, "\nKết quả: {verdict}.");
    out
}
