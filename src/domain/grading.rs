//! Grading a paper.
//!
//! A `single` or `true_false` item scores when the one chosen option is the
//! answer; a `multiple` item only when exactly the right set is chosen. A
//! voided question counts for nobody: it is left out of the score and of the
//! maximum.

use std::collections::BTreeSet;

/// One item as the grader sees it (indexes in file order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GradeItem {
    /// The correct options.
    pub answer: Vec<usize>,
    /// What was chosen, if anything.
    pub chosen: Option<Vec<usize>>,
    /// The question was voided.
    pub voided: bool,
}

/// A paper's result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Grade {
    /// Points scored.
    pub score: i32,
    /// Points possible.
    pub max_score: i32,
    /// Items answered correctly.
    pub correct: i32,
    /// Items that count (not voided).
    pub total: i32,
}

impl Grade {
    /// Full marks: the maximum score (and at least one item counts).
    pub fn full_marks(&self) -> bool {
        self.total > 0 && self.score == self.max_score
    }
}

/// Whether the chosen set is exactly the answer.
pub fn is_correct(answer: &[usize], chosen: Option<&[usize]>) -> bool {
    match chosen {
        Some(c) if !c.is_empty() => {
            let a: BTreeSet<usize> = answer.iter().copied().collect();
            let c: BTreeSet<usize> = c.iter().copied().collect();
            a == c
        }
        _ => false,
    }
}

/// Grades items at `points` per correct answer.
pub fn grade(items: &[GradeItem], points: i32) -> Grade {
    let mut g = Grade::default();
    for item in items.iter().filter(|i| !i.voided) {
        g.total += 1;
        g.max_score += points;
        if is_correct(&item.answer, item.chosen.as_deref()) {
            g.correct += 1;
            g.score += points;
        }
    }
    g
}

/// Maps choices as displayed (indexes into the attempt's option order) to file indexes.
pub fn to_file_indexes(display: &[usize], option_order: &[usize]) -> Option<Vec<usize>> {
    display.iter().map(|&d| option_order.get(d).copied()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(answer: &[usize], chosen: Option<&[usize]>) -> GradeItem {
        GradeItem { answer: answer.to_vec(), chosen: chosen.map(<[usize]>::to_vec), voided: false }
    }

    #[test]
    fn multiple_scores_only_for_the_exact_set() {
        assert!(is_correct(&[0, 2], Some(&[2, 0])));
        assert!(!is_correct(&[0, 2], Some(&[0])));
        assert!(!is_correct(&[0, 2], Some(&[0, 1, 2])));
        assert!(!is_correct(&[0], Some(&[])));
        assert!(!is_correct(&[0], None));
    }

    #[test]
    fn grade_counts_points_and_full_marks() {
        let items =
            vec![item(&[1], Some(&[1])), item(&[0, 2], Some(&[0, 2])), item(&[3], Some(&[2])), item(&[0], None)];
        let g = grade(&items, 5);
        assert_eq!(g, Grade { score: 10, max_score: 20, correct: 2, total: 4 });
        assert!(!g.full_marks());
        let all = grade(&items[..2], 5);
        assert!(all.full_marks());
    }

    #[test]
    fn voided_questions_count_for_nobody() {
        let mut items = vec![item(&[1], Some(&[1])), item(&[0], Some(&[2]))];
        items[1].voided = true;
        let g = grade(&items, 1);
        assert_eq!(g, Grade { score: 1, max_score: 1, correct: 1, total: 1 });
        assert!(g.full_marks(), "a wrong answer to a voided question does not spoil full marks");
    }

    #[test]
    fn display_choices_map_through_the_option_order() {
        // Displayed: file options 2, 0, 3, 1.
        assert_eq!(to_file_indexes(&[0, 3], &[2, 0, 3, 1]), Some(vec![2, 1]));
        assert_eq!(to_file_indexes(&[4], &[2, 0, 3, 1]), None);
    }
}
