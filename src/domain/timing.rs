//! Promise 2: the server owns time.
//!
//! `deadline = min(started_at + duration, closes_at)`; an answer counts when
//! received no later than `deadline + grace`; the recorded duration never
//! exceeds the time allowed.

use chrono::{Duration, NaiveDateTime};

/// When an attempt started at `started_at` must end.
pub fn deadline(started_at: NaiveDateTime, duration_s: i32, closes_at: NaiveDateTime) -> NaiveDateTime {
    (started_at + Duration::seconds(i64::from(duration_s.max(0)))).min(closes_at)
}

/// Whether a request received at `now` still counts.
pub fn accepts(now: NaiveDateTime, deadline: NaiveDateTime, grace_s: i32) -> bool {
    now <= deadline + Duration::seconds(i64::from(grace_s.max(0)))
}

/// Milliseconds left before the deadline (0 when past).
pub fn remaining_ms(now: NaiveDateTime, deadline: NaiveDateTime) -> i64 {
    (deadline - now).num_milliseconds().max(0)
}

/// Time taken: from start to submission, capped at the deadline (a late or
/// swept attempt counts as having used exactly the time allowed).
pub fn duration_ms(started_at: NaiveDateTime, ended_at: NaiveDateTime, deadline: NaiveDateTime) -> i64 {
    (ended_at.min(deadline) - started_at).num_milliseconds().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap().and_hms_opt(h, m, s).unwrap()
    }

    #[test]
    fn deadline_is_the_earlier_of_duration_and_close() {
        assert_eq!(deadline(t(1, 0, 0), 900, t(10, 0, 0)), t(1, 15, 0));
        assert_eq!(deadline(t(9, 50, 0), 900, t(10, 0, 0)), t(10, 0, 0));
    }

    #[test]
    fn grace_edges() {
        let d = t(1, 15, 0);
        assert!(accepts(t(1, 15, 0), d, 10));
        assert!(accepts(t(1, 15, 10), d, 10), "exactly at deadline + grace counts");
        assert!(!accepts(t(1, 15, 11), d, 10));
        assert!(!accepts(d + Duration::milliseconds(10_001), d, 10));
        assert!(accepts(d, d, 0));
        assert!(!accepts(d + Duration::milliseconds(1), d, 0));
    }

    #[test]
    fn remaining_time_never_negative() {
        assert_eq!(remaining_ms(t(1, 0, 0), t(1, 15, 0)), 900_000);
        assert_eq!(remaining_ms(t(1, 16, 0), t(1, 15, 0)), 0);
    }

    #[test]
    fn duration_never_exceeds_the_limit() {
        assert_eq!(duration_ms(t(1, 0, 0), t(1, 5, 0), t(1, 15, 0)), 300_000);
        assert_eq!(duration_ms(t(1, 0, 0), t(3, 0, 0), t(1, 15, 0)), 900_000);
        assert_eq!(duration_ms(t(1, 0, 0), t(0, 59, 0), t(1, 15, 0)), 0, "clock skew never gives a negative duration");
    }
}
