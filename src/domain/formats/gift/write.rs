//! Writing a bank as GIFT.

use super::parser::weight;
use super::*;

/// Writes a bank as GIFT, with hoithi's comment lines (see the module
/// documentation) for what GIFT cannot say, so that [`parse`] followed by
/// `check_drafts` gives the same questions back.
pub fn write(bank: &Bank) -> String {
    let mut out = String::new();
    out.push_str(&format!("// hoithi bank: {}\n", bank.meta.slug));
    out.push_str(&format!("// hoithi title: {}\n", escape_comment(&bank.meta.title)));
    out.push_str(&format!("// hoithi topic: {}\n", escape_comment(&bank.meta.topic)));
    if !bank.meta.replaced_documents.is_empty() {
        let docs: Vec<String> = bank.meta.replaced_documents.iter().map(|d| escape_comment(d)).collect();
        out.push_str(&format!("// hoithi replaced: {}\n", docs.join("; ")));
    }
    out.push_str(&format!("$CATEGORY: {}\n", bank.meta.slug));
    for q in &bank.questions {
        out.push('\n');
        write_question(&mut out, q);
    }
    out
}

fn write_question(out: &mut String, q: &Question) {
    if !q.source.is_empty() {
        out.push_str(&format!("// source: {}\n", escape_comment(&q.source)));
    }
    if let Some(date) = q.as_of {
        out.push_str(&format!("// as_of: {}\n", date.format("%Y-%m-%d")));
    }
    out.push_str(&format!("// difficulty: {}\n", q.difficulty.as_str()));
    if let Some(group) = &q.group {
        out.push_str(&format!("// group: {group}\n"));
    }
    if q.fixed_order {
        out.push_str("// fixed_order\n");
    }
    if !(is_slug(&q.key) && slugify(&q.key) == q.key) {
        out.push_str(&format!("// key: {}\n", escape_comment(&q.key)));
    }
    out.push_str(&format!("::{}:: {} {{", escape(&q.key), guarded(&q.text)));
    let explanation = if q.explanation.is_empty() { String::new() } else { format!("####{}", guarded(&q.explanation)) };
    if q.kind == Kind::TrueFalse {
        let value = if q.answer == [0] { "T" } else { "F" };
        out.push_str(&format!("{value}{explanation}}}\n"));
        return;
    }
    out.push('\n');
    let right_weight = weight(q.answer.len());
    for (i, option) in q.options.iter().enumerate() {
        let right = q.answer.contains(&i);
        let text = guarded(option);
        let line = match (q.kind, right) {
            (Kind::Multiple, true) => format!("~%{right_weight}%{text}"),
            (Kind::Multiple, false) => format!("~%-100%{text}"),
            // A weight in front keeps a leading `%` of the text from reading as one.
            (_, true) if text.starts_with('%') => format!("=%100%{text}"),
            (_, false) if text.starts_with('%') => format!("~%0%{text}"),
            (_, true) => format!("={text}"),
            (_, false) => format!("~{text}"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    if !explanation.is_empty() {
        out.push_str(&explanation);
        out.push('\n');
    }
    out.push_str("}\n");
}
