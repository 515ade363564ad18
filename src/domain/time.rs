//! Times are stored in UTC and shown at +07:00 (Vietnam has no daylight
//! saving, so a fixed offset is exact).

use chrono::{FixedOffset, NaiveDateTime, TimeZone};

/// Vietnam's offset from UTC (checked at compile time).
pub const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("+07:00 is a valid offset"),
};

/// Vietnam's offset from UTC.
pub fn vietnam() -> FixedOffset {
    VIETNAM
}

/// A stored UTC time as people read it: `28/11/2026 08:00`.
pub fn format_vn(utc: NaiveDateTime) -> String {
    vietnam().from_utc_datetime(&utc).format("%d/%m/%Y %H:%M").to_string()
}

/// A stored UTC time in RFC 3339 at +07:00, for the API.
pub fn rfc3339_vn(utc: NaiveDateTime) -> String {
    vietnam().from_utc_datetime(&utc).to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn utc_midnight_is_seven_in_the_morning_in_vietnam() {
        let utc = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(1, 0, 0).unwrap();
        assert_eq!(format_vn(utc), "28/11/2026 08:00");
        assert_eq!(rfc3339_vn(utc), "2026-11-28T08:00:00+07:00");
        let late = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap().and_hms_opt(20, 30, 0).unwrap();
        assert_eq!(format_vn(late), "01/01/2027 03:30");
    }
}
