//! The circuit breaker around the remote tier. After `threshold` consecutive failures or timeouts
//! it opens: every operation skips the remote tier at once (no request waits on a dead socket) and
//! only the background prober talks to the server, until a probe succeeds and closes it again.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering};

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// The remote tier is used.
    Closed,
    /// The remote tier is bypassed; the prober checks it in the background.
    Open,
}

pub struct Breaker {
    threshold: u32,
    state: AtomicU8,
    consecutive_failures: AtomicU32,
    /// How many times it opened since start.
    trips: AtomicU64,
}

const CLOSED: u8 = 0;
const OPEN: u8 = 1;

impl Breaker {
    pub fn new(threshold: u32) -> Self {
        Self {
            threshold: threshold.max(1),
            state: AtomicU8::new(CLOSED),
            consecutive_failures: AtomicU32::new(0),
            trips: AtomicU64::new(0),
        }
    }

    /// Whether requests may use the remote tier now.
    pub fn allows(&self) -> bool {
        self.state.load(Ordering::Acquire) == CLOSED
    }

    pub fn state(&self) -> BreakerState {
        if self.allows() {
            BreakerState::Closed
        } else {
            BreakerState::Open
        }
    }

    pub fn trips(&self) -> u64 {
        self.trips.load(Ordering::Relaxed)
    }

    pub fn on_success(&self) {
        self.consecutive_failures.store(0, Ordering::Relaxed);
    }

    /// Counts a failure; returns true when this failure opened the breaker.
    pub fn on_failure(&self) -> bool {
        let failures = self.consecutive_failures.fetch_add(1, Ordering::AcqRel) + 1;
        failures >= self.threshold && self.open()
    }

    /// Opens the breaker (e.g. when the first connection fails). Returns true if it was closed.
    pub fn open(&self) -> bool {
        let opened = self
            .state
            .compare_exchange(CLOSED, OPEN, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if opened {
            self.trips.fetch_add(1, Ordering::Relaxed);
        }
        opened
    }

    /// Closes the breaker after a successful probe. Returns true if it was open.
    pub fn close(&self) -> bool {
        self.consecutive_failures.store(0, Ordering::Relaxed);
        self.state
            .compare_exchange(OPEN, CLOSED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_consecutive_failures_and_closes_on_probe() {
        let breaker = Breaker::new(3);
        assert!(!breaker.on_failure());
        breaker.on_success();
        assert!(!breaker.on_failure());
        assert!(!breaker.on_failure());
        assert!(breaker.allows(), "a success in between resets the count");
        assert!(breaker.on_failure());
        assert!(!breaker.allows());
        assert!(!breaker.on_failure(), "already open");
        assert_eq!(breaker.trips(), 1);
        assert!(breaker.close());
        assert!(breaker.allows());
        assert!(!breaker.close());
    }
}
