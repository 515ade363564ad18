//! How a number cell is displayed: its style's number format, reduced to
//! what changes the text people see (percent, date, time).

use chrono::{Duration, NaiveDate};

use super::super::Cell;

/// The display of a number format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Display {
    General,
    /// `0%`, `0.0%`: × 100 with between `min` and `max` decimals.
    Percent {
        min: u8,
        max: u8,
    },
    Date,
    Time,
}

impl Display {
    /// A built-in format (`numFmtId` without a `numFmt` entry).
    pub(super) fn builtin(id: u32) -> Self {
        match id {
            9 => Display::Percent { min: 0, max: 0 },
            10 => Display::Percent { min: 2, max: 2 },
            14..=17 | 22 | 27..=36 | 50..=58 => Display::Date,
            18..=21 | 45..=47 => Display::Time,
            _ => Display::General,
        }
    }

    /// A custom format code, by its first section: `%` outside quotes and
    /// brackets makes a percent; `d` or `y` a date; `h`, `s` or `[h]` a
    /// time; `m` alone a date (a month).
    pub(super) fn of_code(code: &str) -> Self {
        let mut plain = String::new();
        let mut elapsed = false;
        let mut chars = code.chars();
        while let Some(c) = chars.next() {
            match c {
                ';' => break,
                '"' => {
                    for c in chars.by_ref() {
                        if c == '"' {
                            break;
                        }
                    }
                }
                '\\' | '_' | '*' => {
                    chars.next();
                }
                '[' => {
                    let inner: String = chars.by_ref().take_while(|&c| c != ']').collect();
                    let inner = inner.to_ascii_lowercase();
                    elapsed |= !inner.is_empty() && inner.chars().all(|c| matches!(c, 'h' | 'm' | 's'));
                }
                c => plain.push(c.to_ascii_lowercase()),
            }
        }
        if plain.contains('%') {
            let decimals = plain.split_once('.').map_or("", |(_, d)| d);
            let digits: Vec<char> = decimals.chars().take_while(|c| matches!(c, '0' | '#' | '?' | ',')).collect();
            let count = |f: fn(&char) -> bool| u8::try_from(digits.iter().filter(|c| f(c)).count()).unwrap_or(u8::MAX);
            let min = count(|c| *c == '0').min(15);
            let max = count(|c| matches!(c, '0' | '#' | '?')).clamp(min, 15);
            Display::Percent { min, max }
        } else if plain.contains(['d', 'y']) {
            Display::Date
        } else if elapsed || plain.contains(['h', 's']) {
            Display::Time
        } else if plain.contains('m') {
            Display::Date
        } else {
            Display::General
        }
    }

    /// The cell a number shown this way reads as.
    pub(super) fn cell(self, n: f64, date1904: bool) -> Cell {
        match self {
            Display::General => Cell::Number(n),
            Display::Percent { min, max } if n.is_finite() => Cell::Text(percent(n, min, max)),
            Display::Date if (0.0..1.0).contains(&n) => Cell::Text(time(n)),
            Display::Date => serial_date(n, date1904).map_or(Cell::Number(n), Cell::Date),
            Display::Time if n.is_finite() && n >= 0.0 => Cell::Text(time(n)),
            _ => Cell::Number(n),
        }
    }
}

/// `0.305` with 0–1 decimals → "30.5%".
fn percent(n: f64, min: u8, max: u8) -> String {
    let fixed = format!("{:.*}", usize::from(max), n * 100.0);
    let mut text = fixed.as_str();
    if let Some(point) = text.find('.') {
        while text.len() > point + 1 + usize::from(min) && text.ends_with('0') {
            text = &text[..text.len() - 1];
        }
        text = text.strip_suffix('.').unwrap_or(text);
    }
    let text = if text.trim_start_matches(['-', '0', '.']).is_empty() { text.trim_start_matches('-') } else { text };
    format!("{text}%")
}

/// The time of day of a serial: "HH:MM", or "HH:MM:SS" when it has seconds.
fn time(n: f64) -> String {
    let seconds = ((n.fract() * 86_400.0).round() as i64).rem_euclid(86_400);
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if s == 0 { format!("{h:02}:{m:02}") } else { format!("{h:02}:{m:02}:{s:02}") }
}

/// The date of an Excel serial (days since 1899-12-31, with Excel's
/// fictitious 29 February 1900, or since 1904-01-01), the time left out.
pub(super) fn serial_date(n: f64, date1904: bool) -> Option<NaiveDate> {
    // 9999-12-31, the last date Excel has.
    if !n.is_finite() || !(0.0..2_958_466.0).contains(&n) {
        return None;
    }
    let ms = (n * 86_400_000.0).round() as i64;
    let days = ms.div_euclid(86_400_000);
    let (base, days) = if date1904 {
        (NaiveDate::from_ymd_opt(1904, 1, 1)?, days)
    } else if days >= 61 {
        (NaiveDate::from_ymd_opt(1899, 12, 30)?, days)
    } else if days >= 1 {
        // Serial 60 is Excel's 29/02/1900, a day that never was: shown as the 28th.
        (NaiveDate::from_ymd_opt(1899, 12, 31)?, days.min(59))
    } else {
        return None;
    };
    base.checked_add_signed(Duration::days(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_serials() {
        assert_eq!(Display::of_code("0%"), Display::Percent { min: 0, max: 0 });
        assert_eq!(Display::of_code("0.0#%"), Display::Percent { min: 1, max: 2 });
        assert_eq!(Display::of_code("\"%\"0"), Display::General);
        assert_eq!(Display::of_code("dd/mm/yyyy"), Display::Date);
        assert_eq!(Display::of_code("[$-42A]d mmmm yyyy"), Display::Date);
        assert_eq!(Display::of_code("[Red]0.00;\"d\"0"), Display::General);
        assert_eq!(Display::of_code("h:mm AM/PM"), Display::Time);
        assert_eq!(Display::of_code("[h]:mm"), Display::Time);
        assert_eq!(Display::of_code("General"), Display::General);
        assert_eq!(Display::of_code("#,##0 \"đồng\""), Display::General);
        assert_eq!(percent(0.3, 0, 0), "30%");
        assert_eq!(percent(0.005, 2, 2), "0.50%");
        assert_eq!(percent(0.305, 0, 1), "30.5%");
        assert_eq!(percent(0.3, 0, 1), "30%");
        assert_eq!(percent(-0.001, 0, 0), "0%");
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(serial_date(44196.0, false), d(2020, 12, 31));
        assert_eq!(serial_date(44196.75, false), d(2020, 12, 31));
        assert_eq!(serial_date(1.0, false), d(1900, 1, 1));
        assert_eq!(serial_date(61.0, false), d(1900, 3, 1));
        assert_eq!(serial_date(0.0, true), d(1904, 1, 1));
        assert_eq!(serial_date(-1.0, false), None);
        assert_eq!(serial_date(f64::NAN, false), None);
        assert_eq!(time(0.5), "12:00");
        assert_eq!(time(0.5 + 1.0 / 86_400.0), "12:00:01");
    }
}
