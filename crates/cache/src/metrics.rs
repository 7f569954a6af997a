//! Every cache operation counted per namespace and tier: hits, misses, errors, fallbacks and a
//! latency histogram, plus a ring of 5-second samples covering the last hour for the dashboard's
//! charts. Counters are atomics; histograms sit behind short uncontended locks.

use std::collections::VecDeque;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hdrhistogram::Histogram;
use parking_lot::Mutex;
use serde::Serialize;

use crate::namespace::Namespace;

/// Where a value was looked up or computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// The in-process cache.
    Local,
    /// Dragonfly (or any Redis-protocol server).
    Remote,
    /// The source of truth: SQL, the in-memory index or an external API (a load after misses).
    Source,
}

impl Tier {
    const ALL: [Tier; 3] = [Tier::Local, Tier::Remote, Tier::Source];

    fn name(self) -> &'static str {
        match self {
            Tier::Local => "local",
            Tier::Remote => "remote",
            Tier::Source => "source",
        }
    }
}

/// The outcome of one operation on one tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Hit,
    Miss,
    Error,
}

/// Samples kept: one hour at 5-second resolution.
pub const HISTORY_LEN: usize = 720;
pub const SAMPLE_INTERVAL: Duration = Duration::from_secs(5);

/// Latencies are recorded in microseconds, up to a minute.
const MAX_MICROS: u64 = 60_000_000;

struct Cell {
    hits: AtomicU64,
    misses: AtomicU64,
    errors: AtomicU64,
    fallbacks: AtomicU64,
    /// Since start.
    latency: Mutex<Histogram<u64>>,
    /// Since the last history sample.
    interval: Mutex<Interval>,
}

#[derive(Default)]
struct Interval {
    hits: u64,
    misses: u64,
    errors: u64,
    fallbacks: u64,
    latency: Option<Histogram<u64>>,
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_MICROS, 2).expect("valid histogram bounds")
}

impl Cell {
    fn new() -> Self {
        Self {
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            fallbacks: AtomicU64::new(0),
            latency: Mutex::new(histogram()),
            interval: Mutex::new(Interval::default()),
        }
    }
}

/// Cumulative figures of one namespace on one tier.
#[derive(Clone, Debug, Serialize)]
pub struct CellSnapshot {
    pub namespace: &'static str,
    pub tier: Tier,
    pub hits: u64,
    pub misses: u64,
    pub errors: u64,
    pub fallbacks: u64,
    /// hits / (hits + misses), or null before the first lookup.
    pub hit_rate: Option<f64>,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// One 5-second sample of one namespace on one tier (only cells with activity are kept).
#[derive(Clone, Debug, Serialize)]
pub struct IntervalSnapshot {
    pub namespace: &'static str,
    pub tier: Tier,
    pub hits: u64,
    pub misses: u64,
    pub errors: u64,
    pub fallbacks: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct HistoryPoint {
    /// Unix seconds at the end of the interval.
    pub timestamp: u64,
    pub cells: Vec<IntervalSnapshot>,
}

pub struct Metrics {
    cells: Vec<Cell>,
    /// Unix seconds of each namespace's latest operation (0 before the first).
    last_activity: Vec<AtomicU64>,
    history: Mutex<VecDeque<HistoryPoint>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        Self {
            cells: (0..Namespace::COUNT * Tier::ALL.len())
                .map(|_| Cell::new())
                .collect(),
            last_activity: (0..Namespace::COUNT).map(|_| AtomicU64::new(0)).collect(),
            history: Mutex::new(VecDeque::with_capacity(HISTORY_LEN)),
        }
    }

    /// Marks a write to the namespace (writes are not lookups, so they only move `last_activity`).
    pub fn touch(&self, namespace: Namespace) {
        self.last_activity[namespace.index()].store(unix_now(), Ordering::Relaxed);
    }

    /// Unix seconds of the namespace's latest operation, if any.
    pub fn last_activity(&self, namespace: Namespace) -> Option<u64> {
        let seconds = self.last_activity[namespace.index()].load(Ordering::Relaxed);
        (seconds > 0).then_some(seconds)
    }

    fn cell(&self, namespace: Namespace, tier: Tier) -> &Cell {
        &self.cells[namespace.index() * Tier::ALL.len() + tier as usize]
    }

    /// Counts one operation and its latency.
    pub fn record(&self, namespace: Namespace, tier: Tier, outcome: Outcome, elapsed: Duration) {
        self.touch(namespace);
        let cell = self.cell(namespace, tier);
        let counter = match outcome {
            Outcome::Hit => &cell.hits,
            Outcome::Miss => &cell.misses,
            Outcome::Error => &cell.errors,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let micros = (elapsed.as_micros() as u64).clamp(1, MAX_MICROS);
        cell.latency.lock().saturating_record(micros);
        let mut interval = cell.interval.lock();
        match outcome {
            Outcome::Hit => interval.hits += 1,
            Outcome::Miss => interval.misses += 1,
            Outcome::Error => interval.errors += 1,
        }
        interval
            .latency
            .get_or_insert_with(histogram)
            .saturating_record(micros);
    }

    /// Counts one fallback: the remote tier was skipped (breaker open) or failed, and the value came
    /// from a lower tier instead.
    pub fn record_fallback(&self, namespace: Namespace) {
        let cell = self.cell(namespace, Tier::Remote);
        cell.fallbacks.fetch_add(1, Ordering::Relaxed);
        cell.interval.lock().fallbacks += 1;
    }

    /// Cumulative figures of every namespace and tier, in registry order.
    pub fn snapshot(&self) -> Vec<CellSnapshot> {
        let mut out = Vec::with_capacity(self.cells.len());
        for namespace in Namespace::all() {
            for tier in Tier::ALL {
                let cell = self.cell(namespace, tier);
                let hits = cell.hits.load(Ordering::Relaxed);
                let misses = cell.misses.load(Ordering::Relaxed);
                let latency = cell.latency.lock();
                out.push(CellSnapshot {
                    namespace: namespace.name(),
                    tier,
                    hits,
                    misses,
                    errors: cell.errors.load(Ordering::Relaxed),
                    fallbacks: cell.fallbacks.load(Ordering::Relaxed),
                    hit_rate: hit_rate(hits, misses),
                    p50_ms: quantile_ms(&latency, 0.50),
                    p99_ms: quantile_ms(&latency, 0.99),
                });
            }
        }
        out
    }

    /// Closes the current interval into the history ring (called every [`SAMPLE_INTERVAL`]).
    pub fn sample(&self) {
        let mut cells = Vec::new();
        for namespace in Namespace::all() {
            for tier in Tier::ALL {
                let interval = std::mem::take(&mut *self.cell(namespace, tier).interval.lock());
                if interval.hits + interval.misses + interval.errors + interval.fallbacks == 0 {
                    continue;
                }
                let (p50_ms, p99_ms) = interval
                    .latency
                    .as_ref()
                    .map(|h| (quantile_ms(h, 0.50), quantile_ms(h, 0.99)))
                    .unwrap_or_default();
                cells.push(IntervalSnapshot {
                    namespace: namespace.name(),
                    tier,
                    hits: interval.hits,
                    misses: interval.misses,
                    errors: interval.errors,
                    fallbacks: interval.fallbacks,
                    p50_ms,
                    p99_ms,
                });
            }
        }
        let mut history = self.history.lock();
        if history.len() == HISTORY_LEN {
            history.pop_front();
        }
        history.push_back(HistoryPoint {
            timestamp: unix_now(),
            cells,
        });
    }

    /// The last hour of samples, oldest first.
    pub fn history(&self) -> Vec<HistoryPoint> {
        self.history.lock().iter().cloned().collect()
    }

    /// Hit rate of one namespace over the tiers that answer lookups (local and remote).
    pub fn namespace_hit_rate(&self, namespace: Namespace) -> Option<f64> {
        let (hits, misses) = [Tier::Local, Tier::Remote]
            .iter()
            .map(|&tier| self.cell(namespace, tier))
            .fold((0, 0), |(h, m), cell| {
                (
                    h + cell.hits.load(Ordering::Relaxed),
                    m + cell.misses.load(Ordering::Relaxed),
                )
            });
        hit_rate(hits, misses)
    }

    /// The counters in Prometheus' text exposition format.
    pub fn prometheus(&self) -> String {
        let snapshot = self.snapshot();
        let mut out = String::new();
        for (name, help, pick) in [
            (
                "swingfly_cache_hits_total",
                "Cache lookups answered by the tier.",
                0,
            ),
            (
                "swingfly_cache_misses_total",
                "Cache lookups the tier could not answer.",
                1,
            ),
            (
                "swingfly_cache_errors_total",
                "Cache operations that failed or timed out.",
                2,
            ),
            (
                "swingfly_cache_fallbacks_total",
                "Operations served by a lower tier because the remote tier was unavailable.",
                3,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for cell in &snapshot {
                let value = [cell.hits, cell.misses, cell.errors, cell.fallbacks][pick];
                let _ = writeln!(
                    out,
                    "{name}{{namespace=\"{}\",tier=\"{}\"}} {value}",
                    cell.namespace,
                    cell.tier.name()
                );
            }
        }
        let name = "swingfly_cache_latency_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Latency quantiles of cache operations since start.\n# TYPE {name} summary"
        );
        for cell in &snapshot {
            for (quantile, ms) in [("0.5", cell.p50_ms), ("0.99", cell.p99_ms)] {
                let _ = writeln!(
                    out,
                    "{name}{{namespace=\"{}\",tier=\"{}\",quantile=\"{quantile}\"}} {}",
                    cell.namespace,
                    cell.tier.name(),
                    ms / 1000.0
                );
            }
        }
        out
    }
}

fn hit_rate(hits: u64, misses: u64) -> Option<f64> {
    let total = hits + misses;
    (total > 0).then(|| hits as f64 / total as f64)
}

fn quantile_ms(histogram: &Histogram<u64>, quantile: f64) -> f64 {
    if histogram.is_empty() {
        return 0.0;
    }
    histogram.value_at_quantile(quantile) as f64 / 1000.0
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_hits_and_fallbacks_per_namespace_and_tier() {
        let metrics = Metrics::new();
        let ms = Duration::from_millis(1);
        metrics.record(Namespace::Search, Tier::Local, Outcome::Hit, ms);
        metrics.record(Namespace::Search, Tier::Local, Outcome::Miss, ms);
        metrics.record(Namespace::Search, Tier::Remote, Outcome::Hit, ms * 3);
        metrics.record_fallback(Namespace::Home);
        assert_eq!(
            metrics.namespace_hit_rate(Namespace::Search),
            Some(2.0 / 3.0)
        );
        assert_eq!(metrics.namespace_hit_rate(Namespace::Home), None);
        let snapshot = metrics.snapshot();
        let remote_home = snapshot
            .iter()
            .find(|c| c.namespace == "home" && c.tier == Tier::Remote)
            .unwrap();
        assert_eq!(remote_home.fallbacks, 1);
        let text = metrics.prometheus();
        assert!(text.contains("swingfly_cache_hits_total{namespace=\"search\",tier=\"local\"} 1"));
        assert!(
            text.contains("swingfly_cache_fallbacks_total{namespace=\"home\",tier=\"remote\"} 1")
        );
    }

    #[test]
    fn history_keeps_active_cells_and_an_hour_at_most() {
        let metrics = Metrics::new();
        metrics.record(
            Namespace::Home,
            Tier::Source,
            Outcome::Miss,
            Duration::from_micros(500),
        );
        metrics.sample();
        metrics.sample();
        let history = metrics.history();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].cells.len(), 1);
        assert_eq!(history[0].cells[0].misses, 1);
        assert!(history[1].cells.is_empty(), "the interval resets");
        for _ in 0..HISTORY_LEN + 5 {
            metrics.sample();
        }
        assert_eq!(metrics.history().len(), HISTORY_LEN);
    }
}
