//! The budget's bounds on a sheet's cells, shared by CSV and .xlsx.

use super::cell_ref;
use crate::domain::formats::{Bound, Budget};

/// Counts the non-empty cells of one sheet against the budget.
pub(super) struct Tally<'a> {
    pub(super) budget: &'a Budget,
    cells: usize,
}

impl<'a> Tally<'a> {
    pub(super) fn new(budget: &'a Budget) -> Self {
        Self { budget, cells: 0 }
    }

    /// A non-empty cell at `row` (as shown, 1-based) and `col` (0-based)
    /// holding `text`: refused past the rows, columns, field length or
    /// cell count bound, with a message naming the cell and the bound.
    pub(super) fn cell(&mut self, row: usize, col: usize, text: &str) -> Result<(), String> {
        let at = |bound: Bound| format!("ô {}: {}", cell_ref(col, row), self.budget.refusal(bound));
        if row > self.budget.rows {
            return Err(at(Bound::Rows));
        }
        if col >= self.budget.columns {
            return Err(at(Bound::Columns));
        }
        if too_long(text, self.budget.field_chars) {
            return Err(at(Bound::FieldChars));
        }
        self.more(1)
    }

    /// `n` more non-empty cells (copies of a merged range's value).
    pub(super) fn more(&mut self, n: usize) -> Result<(), String> {
        self.cells = self.cells.saturating_add(n);
        if self.cells > self.budget.cells { Err(self.budget.refusal(Bound::Cells)) } else { Ok(()) }
    }
}

/// Whether `text` has more than `max` characters (without counting them all
/// when the byte length already decides).
pub(super) fn too_long(text: &str, max: usize) -> bool {
    text.len() > max && (text.len() > max.saturating_mul(4) || text.chars().count() > max)
}
