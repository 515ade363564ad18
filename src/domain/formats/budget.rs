//! What reading one bank file may cost. An upload page faces files nobody
//! checked: every reader stays inside these bounds and refuses a file that
//! would cross one, with a message that names the bound. The process that
//! parses (a child of the server, see `crate::sandbox`) is also capped in
//! memory and wall-clock time, for what a bound inside a reader cannot see.

use serde::{Deserialize, Serialize};

/// The bounds, each a setting (`HOITHI_BANK_*`, read in `crate::limits`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    /// Bytes all entries of an .xlsx may unpack to, checked against the zip
    /// directory before inflating and again while inflating
    /// (`HOITHI_BANK_MAX_UNPACKED_MB`, 64 MiB).
    pub unpacked_bytes: u64,
    /// Cells really present in a sheet (`HOITHI_BANK_MAX_CELLS`, 200,000).
    pub cells: usize,
    /// Rows of a sheet, the highest row number present (`HOITHI_BANK_MAX_ROWS`, 10,000).
    pub rows: usize,
    /// Columns of a sheet, the highest column present (`HOITHI_BANK_MAX_COLUMNS`, 64).
    pub columns: usize,
    /// Characters in one field: a text, an option, an explanation
    /// (`HOITHI_BANK_MAX_FIELD_CHARS`, 5,000).
    pub field_chars: usize,
    /// Questions in one file (`HOITHI_BANK_MAX_QUESTIONS`, 5,000).
    pub questions: usize,
    /// Problems listed before "… và N lỗi/cảnh báo khác" (`HOITHI_BANK_MAX_PROBLEMS`, 200).
    pub problems: usize,
    /// Memory of the parsing process, in MiB (`HOITHI_BANK_PARSE_MEMORY_MB`, 1,024).
    pub memory_mib: u64,
    /// Wall-clock seconds the parsing process may run (`HOITHI_BANK_PARSE_SECONDS`, 20).
    pub seconds: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            unpacked_bytes: 64 * 1024 * 1024,
            cells: 200_000,
            rows: 10_000,
            columns: 64,
            field_chars: 5_000,
            questions: 5_000,
            problems: 200,
            memory_mib: 1_024,
            seconds: 20,
        }
    }
}

/// The bound a file crossed, for a message that names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// [`Budget::unpacked_bytes`].
    Unpacked,
    /// [`Budget::cells`].
    Cells,
    /// [`Budget::rows`].
    Rows,
    /// [`Budget::columns`].
    Columns,
    /// [`Budget::field_chars`].
    FieldChars,
    /// [`Budget::questions`].
    Questions,
    /// [`Budget::memory_mib`].
    Memory,
    /// [`Budget::seconds`].
    Seconds,
}

impl Budget {
    /// The message refusing a file that crossed `bound`: what the limit is,
    /// in Vietnamese, and the setting that raises it.
    pub fn refusal(&self, bound: Bound) -> String {
        let n = crate::domain::numbers::thousands;
        let (what, setting) = match bound {
            Bound::Unpacked => (
                format!("giải nén ra hơn {} MiB", n((self.unpacked_bytes / (1024 * 1024)) as i64)),
                "HOITHI_BANK_MAX_UNPACKED_MB",
            ),
            Bound::Cells => (format!("có hơn {} ô dữ liệu", n(self.cells as i64)), "HOITHI_BANK_MAX_CELLS"),
            Bound::Rows => (format!("có hơn {} dòng", n(self.rows as i64)), "HOITHI_BANK_MAX_ROWS"),
            Bound::Columns => (format!("có hơn {} cột", n(self.columns as i64)), "HOITHI_BANK_MAX_COLUMNS"),
            Bound::FieldChars => (
                format!("có một ô hoặc đoạn văn dài hơn {} ký tự", n(self.field_chars as i64)),
                "HOITHI_BANK_MAX_FIELD_CHARS",
            ),
            Bound::Questions => (format!("có hơn {} câu hỏi", n(self.questions as i64)), "HOITHI_BANK_MAX_QUESTIONS"),
            Bound::Memory => {
                (format!("cần hơn {} MiB bộ nhớ để đọc", n(self.memory_mib as i64)), "HOITHI_BANK_PARSE_MEMORY_MB")
            }
            Bound::Seconds => (format!("đọc quá {} giây", n(self.seconds as i64)), "HOITHI_BANK_PARSE_SECONDS"),
        };
        format!("tệp bị từ chối vì {what} (giới hạn {setting}); hãy chia nhỏ tệp hoặc kiểm tra lại nội dung")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_limit_and_its_setting() {
        let b = Budget::default();
        let m = b.refusal(Bound::Cells);
        assert!(m.contains("200.000 ô") && m.contains("HOITHI_BANK_MAX_CELLS"), "{m}");
        assert!(b.refusal(Bound::Unpacked).contains("64 MiB"));
        assert!(b.refusal(Bound::Seconds).contains("20 giây"));
    }
}
