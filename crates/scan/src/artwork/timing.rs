//! Cumulative time spent in each artwork stage, summed over all worker threads (CPU time, not
//! wall time), so the throughput benchmark can say where an album's time goes. A handful of
//! relaxed atomic adds per album: cheap enough to stay on in production.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The stages of one album's artwork, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Finding the cover and reading its bytes (tags of the audio files, folder listing).
    Read,
    Decode,
    Resize,
    Encode,
    /// Writing the WebP files (temporary name, then rename).
    Write,
    Colour,
    Blurhash,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Read,
        Stage::Decode,
        Stage::Resize,
        Stage::Encode,
        Stage::Write,
        Stage::Colour,
        Stage::Blurhash,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Read => "read",
            Stage::Decode => "decode",
            Stage::Resize => "resize",
            Stage::Encode => "encode",
            Stage::Write => "write",
            Stage::Colour => "colour",
            Stage::Blurhash => "blurhash",
        }
    }
}

static NANOS: [AtomicU64; Stage::ALL.len()] = [const { AtomicU64::new(0) }; Stage::ALL.len()];

/// Runs `work`, adding its duration to `stage`'s total.
pub(super) fn timed<T>(stage: Stage, work: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let result = work();
    let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    NANOS[stage as usize].fetch_add(nanos, Ordering::Relaxed);
    result
}

/// Total time per stage since the last [`reset_stage_times`], in [`Stage::ALL`] order.
pub fn stage_times() -> Vec<(Stage, Duration)> {
    Stage::ALL
        .iter()
        .map(|&stage| {
            let nanos = NANOS[stage as usize].load(Ordering::Relaxed);
            (stage, Duration::from_nanos(nanos))
        })
        .collect()
}

pub fn reset_stage_times() {
    for total in &NANOS {
        total.store(0, Ordering::Relaxed);
    }
}
