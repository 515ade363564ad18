//! Limits on **failed** logins, per username and per client address.
//!
//! Only failures count, so an office of hundreds behind one address logs in
//! freely; the per-address limit is loose for the same reason. Counters live
//! in memory on each node: they slow guessing down, nothing depends on them
//! for correctness. (A GCRA limiter such as `governor` counts every request
//! and cannot be asked without spending a token, which is not this rule.)

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A sliding-window counter of failures per key.
#[derive(Debug)]
pub struct FailureLimiter {
    max: usize,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl FailureLimiter {
    /// At most `max` failures per `window` for each key.
    pub fn new(max: usize, window: Duration) -> Self {
        Self { max, window, failures: Mutex::new(HashMap::new()) }
    }

    /// `Some(wait)` when `key` has used up its failures at `now`.
    pub fn blocked(&self, key: &str, now: Instant) -> Option<Duration> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let q = map.get_mut(key)?;
        while q.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            q.pop_front();
        }
        if q.len() >= self.max {
            q.front().map(|first| self.window.saturating_sub(now.duration_since(*first)))
        } else {
            None
        }
    }

    /// Records a failure of `key` at `now`.
    pub fn record_failure(&self, key: &str, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let q = map.entry(key.to_string()).or_default();
        q.push_back(now);
        while q.len() > self.max {
            q.pop_front();
        }
    }

    /// Forgets `key` (after a successful login).
    pub fn reset(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

/// The two limits applied to logins.
#[derive(Debug)]
pub struct LoginLimits {
    /// Per username: a few guesses.
    pub per_user: FailureLimiter,
    /// Per client address: loose (offices share addresses).
    pub per_ip: FailureLimiter,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_user: FailureLimiter::new(5, Duration::from_secs(15 * 60)),
            per_ip: FailureLimiter::new(100, Duration::from_secs(15 * 60)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_until_the_window_passes() {
        let l = FailureLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(l.blocked("u", t0).is_none(), "failure {i}");
            l.record_failure("u", t0 + Duration::from_secs(i));
        }
        assert!(l.blocked("u", t0 + Duration::from_secs(10)).is_some());
        assert!(l.blocked("other", t0).is_none());
        // The first failure leaves the window at t0+60.
        assert!(l.blocked("u", t0 + Duration::from_secs(61)).is_none());
    }

    #[test]
    fn reset_forgets() {
        let l = FailureLimiter::new(1, Duration::from_secs(60));
        let t0 = Instant::now();
        l.record_failure("u", t0);
        assert!(l.blocked("u", t0).is_some());
        l.reset("u");
        assert!(l.blocked("u", t0).is_none());
    }
}
