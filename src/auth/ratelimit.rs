//! Limits on failed logins that slow guessing down without locking anyone
//! out:
//!
//! - per (username, client address): the first [`FREE_FAILURES`] failures
//!   in [`WINDOW`] cost nothing; after that each try from that pair waits a
//!   delay that doubles from one second (1, 2, 4 … at most five minutes)
//!   after the last failure. A colleague on the same office address, or the
//!   same person from another address, is not slowed, so nobody can lock a
//!   named rival out.
//! - unknown usernames per client address: at most [`UNKNOWN_PER_WINDOW`]
//!   in [`WINDOW`]; beyond that, unknown names from that address are
//!   refused before any hashing. Known usernames are never refused by it.
//!
//! A correct password always gets through once its pair's short delay has
//! passed; a success forgets the pair's failures. Counters live in memory
//! on each node: they slow guessing, nothing depends on them for correctness.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{Duration, NaiveDateTime};

/// Failures of one (username, address) pair that cost nothing.
pub const FREE_FAILURES: u32 = 5;
/// How long failures are remembered.
pub const WINDOW: Duration = Duration::minutes(15);
/// The longest delay between tries of one pair.
pub const MAX_DELAY: Duration = Duration::minutes(5);
/// Unknown usernames tried from one address per window.
pub const UNKNOWN_PER_WINDOW: usize = 30;

/// Keys kept before old ones are dropped.
const MAX_KEYS: usize = 100_000;

/// Failures per key with a doubling delay.
#[derive(Debug)]
pub struct Backoff {
    failures: Mutex<HashMap<String, (u32, NaiveDateTime)>>,
    free: u32,
    max_delay: Duration,
}

impl Default for Backoff {
    /// The login limit: [`FREE_FAILURES`] free, then up to [`MAX_DELAY`].
    fn default() -> Self {
        Self::new(FREE_FAILURES, MAX_DELAY)
    }
}

impl Backoff {
    /// `free` failures cost nothing; then the delay doubles from one
    /// second up to `max_delay`.
    pub fn new(free: u32, max_delay: Duration) -> Self {
        Self { failures: Mutex::default(), free, max_delay }
    }

    /// How long `key` must still wait at `now`, if at all.
    pub fn wait(&self, key: &str, now: NaiveDateTime) -> Option<Duration> {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let (n, last) = *map.get(key)?;
        if now - last >= WINDOW || n < self.free {
            return None;
        }
        let doublings = (n - self.free).min(20);
        let delay = (Duration::seconds(1) * 2i32.pow(doublings)).min(self.max_delay);
        let until = last + delay;
        (now < until).then(|| until - now)
    }

    /// Records a failure of `key` at `now`.
    pub fn record_failure(&self, key: &str, now: NaiveDateTime) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > MAX_KEYS {
            map.retain(|_, (_, last)| now - *last < WINDOW);
        }
        let e = map.entry(key.to_string()).or_insert((0, now));
        if now - e.1 >= WINDOW {
            e.0 = 0;
        }
        e.0 += 1;
        e.1 = now;
    }

    /// Forgets `key` (after a successful login).
    pub fn reset(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

/// A sliding-window count per key.
#[derive(Debug, Default)]
pub struct WindowCount {
    seen: Mutex<HashMap<String, VecDeque<NaiveDateTime>>>,
}

impl WindowCount {
    /// Whether `key` has reached `max` in the window at `now`.
    pub fn is_full(&self, key: &str, max: usize, now: NaiveDateTime) -> bool {
        let mut map = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let Some(q) = map.get_mut(key) else { return false };
        while q.front().is_some_and(|t| now - *t >= WINDOW) {
            q.pop_front();
        }
        q.len() >= max
    }

    /// Counts one for `key` at `now`.
    pub fn record(&self, key: &str, max: usize, now: NaiveDateTime) {
        let mut map = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > MAX_KEYS {
            map.retain(|_, q| q.back().is_some_and(|t| now - *t < WINDOW));
        }
        let q = map.entry(key.to_string()).or_default();
        q.push_back(now);
        while q.len() > max {
            q.pop_front();
        }
    }
}

/// The limits applied to logins.
#[derive(Debug, Default)]
pub struct LoginLimits {
    /// Per (username, address).
    pub per_pair: Backoff,
    /// Unknown usernames per address.
    pub unknown_per_address: WindowCount,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(s: i64) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(1, 0, 0).unwrap() + Duration::seconds(s)
    }

    #[test]
    fn a_pair_slows_down_after_its_free_failures_and_never_locks_for_long() {
        let b = Backoff::default();
        for i in 0..FREE_FAILURES {
            assert_eq!(b.wait("an|1.2.3.4", t(i64::from(i))), None);
            b.record_failure("an|1.2.3.4", t(i64::from(i)));
        }
        // The sixth try, right after the fifth failure, waits a second.
        assert_eq!(b.wait("an|1.2.3.4", t(4)), Some(Duration::seconds(1)));
        assert_eq!(b.wait("an|1.2.3.4", t(5)), None);
        b.record_failure("an|1.2.3.4", t(5));
        assert_eq!(b.wait("an|1.2.3.4", t(5)), Some(Duration::seconds(2)));
        // Another pair is not touched.
        assert_eq!(b.wait("an|5.6.7.8", t(5)), None);
        assert_eq!(b.wait("binh|1.2.3.4", t(5)), None);
        // Many failures cap at five minutes, and the window forgets them.
        for i in 0..40 {
            b.record_failure("an|1.2.3.4", t(6 + i));
        }
        assert_eq!(b.wait("an|1.2.3.4", t(45)), Some(MAX_DELAY));
        assert_eq!(b.wait("an|1.2.3.4", t(45) + WINDOW), None);
        b.reset("an|1.2.3.4");
        assert_eq!(b.wait("an|1.2.3.4", t(46)), None);
    }

    #[test]
    fn unknown_names_fill_a_window_per_address() {
        let w = WindowCount::default();
        for i in 0..3 {
            assert!(!w.is_full("1.2.3.4", 3, t(i)));
            w.record("1.2.3.4", 3, t(i));
        }
        assert!(w.is_full("1.2.3.4", 3, t(3)));
        assert!(!w.is_full("5.6.7.8", 3, t(3)));
        assert!(!w.is_full("1.2.3.4", 3, t(0) + WINDOW));
    }
}
