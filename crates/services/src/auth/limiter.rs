//! A sliding-window rate limiter for login and pairing attempts, kept in process memory.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Allows at most `limit` attempts per key within any `window`.
pub(crate) struct RateLimiter {
    limit: usize,
    window: Duration,
    attempts: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Beyond this many tracked keys, stale keys are swept so the map cannot grow without bound.
const SWEEP_THRESHOLD: usize = 4096;

impl RateLimiter {
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit,
            window,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    /// Records an attempt for `key` at `now`, or returns how long to wait when the key is over its
    /// limit (a refused attempt is not recorded, so waiting out the window always helps).
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut attempts = self.attempts.lock();
        if attempts.len() > SWEEP_THRESHOLD {
            let window = self.window;
            attempts.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|last| now.saturating_duration_since(*last) < window)
            });
        }
        let times = attempts.entry(key.to_string()).or_default();
        while times
            .front()
            .is_some_and(|first| now.saturating_duration_since(*first) >= self.window)
        {
            times.pop_front();
        }
        if times.len() >= self.limit {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(self
                .window
                .saturating_sub(now.saturating_duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_over_the_limit_until_the_window_passes() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check("ann|1.2.3.4", start).is_ok());
        }
        let wait = limiter.check("ann|1.2.3.4", start).unwrap_err();
        assert_eq!(wait, Duration::from_secs(60));
        assert!(
            limiter.check("bob|1.2.3.4", start).is_ok(),
            "keys are independent"
        );
        let later = start + Duration::from_secs(30);
        assert_eq!(
            limiter.check("ann|1.2.3.4", later).unwrap_err(),
            Duration::from_secs(30)
        );
        assert!(limiter
            .check("ann|1.2.3.4", start + Duration::from_secs(60))
            .is_ok());
    }
}
