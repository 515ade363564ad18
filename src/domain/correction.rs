//! Fixing a wrong key, in words: option letters in the bank's order, and
//! the sentence the audit log keeps for a correction ("Đổi đáp án câu
//! mc-065 từ B sang A: …"), instead of the stored JSON indexes.

use super::bank::letter;

/// The letters of option indexes, in order: `[0, 2]` → `"A, C"`.
pub fn letters(indexes: &[usize]) -> String {
    let mut sorted = indexes.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    sorted.iter().map(|&i| letter(i).to_string()).collect::<Vec<_>>().join(", ")
}

/// What a correction did to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change<'a> {
    /// Voided: it counts for nobody.
    Void,
    /// A new key (file order), maybe with a new explanation.
    Rekey {
        /// The key before (file order).
        old: &'a [usize],
        /// The key after (file order).
        new: &'a [usize],
        /// The explanation was corrected too.
        explanation: bool,
    },
}

/// Where a correction applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach<'a> {
    /// Every contest that uses the question (the bank's owner).
    Everywhere,
    /// One contest, by its title.
    Contest(&'a str),
}

/// The audit log's sentence for a correction of question `key` of bank
/// `bank`: what changed, why, where, and how many attempts it re-graded
/// and changed the score of.
pub fn audit_sentence(
    bank: &str,
    key: &str,
    change: &Change<'_>,
    reason: &str,
    reach: Reach<'_>,
    regraded: usize,
    changed: usize,
) -> String {
    let what = match change {
        Change::Void => format!("Hủy câu {key}"),
        Change::Rekey { old, new, explanation } if letters(old) == letters(new) => {
            let kept = letters(new);
            if *explanation {
                format!("Sửa lời giải thích câu {key} (đáp án giữ nguyên {kept})")
            } else {
                format!("Giữ nguyên đáp án {kept} của câu {key}")
            }
        }
        Change::Rekey { old, new, explanation } => {
            let and = if *explanation { " và sửa lời giải thích" } else { "" };
            format!("Đổi đáp án câu {key} từ {} sang {}{and}", letters(old), letters(new))
        }
    };
    let reason = reason.trim();
    let stop = if reason.ends_with(['.', '!', '?', '…']) { "" } else { "." };
    let place = match reach {
        Reach::Everywhere => "cho mọi cuộc thi dùng câu hỏi".to_string(),
        Reach::Contest(title) => format!("chỉ trong cuộc thi “{title}”"),
    };
    format!("{what}: {reason}{stop} Ngân hàng {bank}, {place}; chấm lại {regraded} bài, {changed} bài đổi điểm.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_follow_the_banks_order() {
        assert_eq!(letters(&[1]), "B");
        assert_eq!(letters(&[2, 0, 2]), "A, C");
        assert_eq!(letters(&[]), "");
    }

    #[test]
    fn a_rekey_reads_as_a_sentence_with_letters() {
        let s = audit_sentence(
            "mot-cua",
            "mc-065",
            &Change::Rekey { old: &[1], new: &[0], explanation: false },
            "Theo Nghị định 118/2025",
            Reach::Everywhere,
            12,
            3,
        );
        assert_eq!(
            s,
            "Đổi đáp án câu mc-065 từ B sang A: Theo Nghị định 118/2025. Ngân hàng mot-cua, cho mọi cuộc thi dùng câu hỏi; chấm lại 12 bài, 3 bài đổi điểm."
        );
        assert!(!s.contains('['), "no JSON indexes");
    }

    #[test]
    fn a_void_and_an_explanation_say_what_they_did_and_where() {
        let v = audit_sentence("x", "x-1", &Change::Void, "Câu hỏi sai.", Reach::Contest("Tuần lễ CCHC"), 2, 2);
        assert_eq!(
            v,
            "Hủy câu x-1: Câu hỏi sai. Ngân hàng x, chỉ trong cuộc thi “Tuần lễ CCHC”; chấm lại 2 bài, 2 bài đổi điểm."
        );
        let both = Change::Rekey { old: &[0, 2], new: &[0, 1, 2], explanation: true };
        assert!(
            audit_sentence("x", "x-2", &both, "r", Reach::Everywhere, 0, 0)
                .starts_with("Đổi đáp án câu x-2 từ A, C sang A, B, C và sửa lời giải thích: r.")
        );
        let only = Change::Rekey { old: &[3], new: &[3], explanation: true };
        assert!(
            audit_sentence("x", "x-3", &only, "r", Reach::Everywhere, 0, 0)
                .starts_with("Sửa lời giải thích câu x-3 (đáp án giữ nguyên D): r.")
        );
    }
}
