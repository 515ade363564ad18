//! How a paper is shown and read back as a form: rules of display and of
//! the no-JavaScript form, none of which changes the stored draw or grading.
//!
//! - A true/false question always shows "Đúng" before "Sai", whatever order
//!   the draw stored: the page lists the stored (display) indexes in
//!   [`option_order`], so a posted choice still means what the draw stored.
//! - The prediction typed into a plain form is read by [`parse_prediction`],
//!   which takes the thousands dots and spaces Vietnamese readers write.
//! - What the page before the clock says: [`attempts_left`], [`allowed_time`].

use super::bank::{Kind, TRUE_FALSE_OPTIONS};

/// The order in which to show an item's options: the stored display
/// indexes, "Đúng" before "Sai" for a true/false question, as drawn otherwise.
pub fn option_order(kind: Kind, options: &[String]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..options.len()).collect();
    if kind == Kind::TrueFalse {
        let rank = |i: &usize| {
            TRUE_FALSE_OPTIONS.iter().position(|t| options[*i].trim() == *t).unwrap_or(TRUE_FALSE_OPTIONS.len())
        };
        order.sort_by_key(rank);
    }
    order
}

/// Highest prediction accepted.
pub const MAX_PREDICTION: i64 = 100_000_000;

/// A prediction typed into the paper's form: empty is "not given"; digits,
/// with dots or spaces between thousands ("1.200", "1 200"), from 0 to
/// [`MAX_PREDICTION`]. The error says what to type.
pub fn parse_prediction(raw: &str) -> Result<Option<i64>, String> {
    let digits: String = raw.trim().chars().filter(|c| !matches!(c, '.' | ' ' | '\u{a0}')).collect();
    if digits.is_empty() {
        return Ok(None);
    }
    let bad = || {
        format!(
            "Số dự đoán “{}” không hợp lệ: hãy nhập một số nguyên từ 0 đến 100.000.000 (chỉ gồm chữ số).",
            raw.trim().chars().take(20).collect::<String>()
        )
    };
    if !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 9 {
        return Err(bad());
    }
    match digits.parse::<i64>() {
        Ok(n) if n <= MAX_PREDICTION => Ok(Some(n)),
        _ => Err(bad()),
    }
}

/// Attempts an entrant has left in a round: `None` when unlimited (a
/// practice round), else what is allowed minus what was started.
pub fn attempts_left(allowed: i32, started: usize, practice: bool) -> Option<i32> {
    if practice { None } else { Some((allowed - started as i32).max(0)) }
}

/// A time allowed as people say it: "15 phút", "30 giây", "1 phút 30 giây".
pub fn allowed_time(seconds: i64) -> String {
    let (m, s) = (seconds.max(0) / 60, seconds.max(0) % 60);
    match (m, s) {
        (0, s) => format!("{s} giây"),
        (m, 0) => format!("{m} phút"),
        (m, s) => format!("{m} phút {s} giây"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn true_false_shows_dung_before_sai_whatever_the_draw_stored() {
        assert_eq!(option_order(Kind::TrueFalse, &opts(&["Sai", "Đúng"])), [1, 0]);
        assert_eq!(option_order(Kind::TrueFalse, &opts(&["Đúng", "Sai"])), [0, 1]);
        // Other kinds keep the drawn order, even with the same texts.
        assert_eq!(option_order(Kind::Single, &opts(&["Sai", "Đúng"])), [0, 1]);
        assert_eq!(option_order(Kind::Multiple, &opts(&["C", "A", "B"])), [0, 1, 2]);
    }

    #[test]
    fn a_typed_prediction_is_read_as_people_write_numbers() {
        assert_eq!(parse_prediction(""), Ok(None));
        assert_eq!(parse_prediction("   "), Ok(None));
        assert_eq!(parse_prediction("120"), Ok(Some(120)));
        assert_eq!(parse_prediction(" 1.200 "), Ok(Some(1200)));
        assert_eq!(parse_prediction("1 200"), Ok(Some(1200)));
        assert_eq!(parse_prediction("0"), Ok(Some(0)));
        assert_eq!(parse_prediction("100.000.000"), Ok(Some(MAX_PREDICTION)));
        for bad in ["-5", "abc", "12,5", "100000001", "99999999999999999999", "1e3", "+3"] {
            let e = parse_prediction(bad).unwrap_err();
            assert!(e.contains("không hợp lệ") && e.contains("0 đến 100.000.000"), "{bad}: {e}");
        }
    }

    #[test]
    fn attempts_left_never_goes_below_zero_and_practice_is_unlimited() {
        assert_eq!(attempts_left(2, 0, false), Some(2));
        assert_eq!(attempts_left(2, 1, false), Some(1));
        assert_eq!(attempts_left(1, 3, false), Some(0));
        assert_eq!(attempts_left(1, 3, true), None);
    }

    #[test]
    fn allowed_time_reads_in_minutes_and_seconds() {
        assert_eq!(allowed_time(900), "15 phút");
        assert_eq!(allowed_time(30), "30 giây");
        assert_eq!(allowed_time(90), "1 phút 30 giây");
        assert_eq!(allowed_time(0), "0 giây");
    }
}
