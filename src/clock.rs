//! The time the contest engine goes by. Production reads the system clock;
//! tests hold a [`ManualClock`] and move it, so nothing races real time.
//!
//! Times are truncated to whole microseconds, the precision both databases
//! store, so a time computed before it is stored equals the one read back.

use std::sync::Mutex;

use chrono::{Duration, NaiveDateTime, Timelike};

/// A source of the current time (UTC).
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now, in UTC, to the microsecond.
    fn now(&self) -> NaiveDateTime;
}

/// Truncates to whole microseconds.
pub fn to_micros(t: NaiveDateTime) -> NaiveDateTime {
    let nanos = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(nanos).unwrap_or(t)
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        to_micros(chrono::Utc::now().naive_utc())
    }
}

/// A clock for tests: the system time shifted by an offset the test moves,
/// or a time the test sets and that stands still until moved.
#[derive(Debug, Default)]
pub struct ManualClock {
    state: Mutex<(Duration, Option<NaiveDateTime>)>,
}

impl ManualClock {
    /// Follows the system clock until moved.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock on (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match &mut s.1 {
            Some(t) => *t += by,
            None => s.0 += by,
        }
    }

    /// Stops the clock at `t`; it stays there until moved.
    pub fn freeze_at(&self, t: NaiveDateTime) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).1 = Some(to_micros(t));
    }
}

impl Clock for ManualClock {
    fn now(&self) -> NaiveDateTime {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match s.1 {
            Some(t) => t,
            None => to_micros(chrono::Utc::now().naive_utc() + s.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_once_frozen() {
        let c = ManualClock::new();
        let before = SystemClock.now();
        c.advance(Duration::hours(2));
        assert!(c.now() >= before + Duration::hours(2));
        let t = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_nano_opt(1, 2, 3, 456_789_123).unwrap();
        c.freeze_at(t);
        assert_eq!(c.now().nanosecond(), 456_789_000, "microseconds, as stored");
        c.advance(Duration::seconds(5));
        assert_eq!(c.now(), to_micros(t) + Duration::seconds(5));
    }
}
