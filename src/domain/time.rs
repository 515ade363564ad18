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

/// The clock time of a stored UTC time in Vietnam, to the minute (cut
/// down, never rounded up, so a deadline read from it is never later than
/// the true one): `08:25`.
pub fn clock_vn(utc: NaiveDateTime) -> String {
    vietnam().from_utc_datetime(&utc).format("%H:%M").to_string()
}

/// The clock time of a stored UTC time in Vietnam, to the second: `08:25:07`.
pub fn clock_vn_seconds(utc: NaiveDateTime) -> String {
    vietnam().from_utc_datetime(&utc).format("%H:%M:%S").to_string()
}

/// The day of a stored UTC time in Vietnam: `07/01/2030`.
pub fn date_vn(utc: NaiveDateTime) -> String {
    vietnam().from_utc_datetime(&utc).format("%d/%m/%Y").to_string()
}

/// A stored UTC time in RFC 3339 at +07:00, for the API.
pub fn rfc3339_vn(utc: NaiveDateTime) -> String {
    vietnam().from_utc_datetime(&utc).to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

/// A form's `datetime-local` value (`2026-12-01T08:00`), meant at +07:00, as UTC.
pub fn parse_vn_local(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Some(local - chrono::Duration::hours(7))
}

/// A stored UTC time as a `datetime-local` value at +07:00.
pub fn to_vn_local(utc: NaiveDateTime) -> String {
    (utc + chrono::Duration::hours(7)).format("%Y-%m-%dT%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn form_times_are_read_at_plus_seven() {
        let utc = parse_vn_local("2026-12-01T08:00").unwrap();
        assert_eq!(utc, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(1, 0, 0).unwrap());
        assert_eq!(to_vn_local(utc), "2026-12-01T08:00");
        assert!(parse_vn_local("01/12/2026").is_none());
    }

    #[test]
    fn utc_midnight_is_seven_in_the_morning_in_vietnam() {
        let utc = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(1, 0, 0).unwrap();
        assert_eq!(format_vn(utc), "28/11/2026 08:00");
        assert_eq!(rfc3339_vn(utc), "2026-11-28T08:00:00.000+07:00");
        let late = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap().and_hms_opt(20, 30, 0).unwrap();
        assert_eq!(format_vn(late), "01/01/2027 03:30");
        let deadline = NaiveDate::from_ymd_opt(2030, 1, 7).unwrap().and_hms_opt(1, 25, 59).unwrap();
        assert_eq!(clock_vn(deadline), "08:25", "cut down to the minute, never later");
        assert_eq!(clock_vn_seconds(deadline), "08:25:59");
        assert_eq!(date_vn(late), "01/01/2027");
    }
}
