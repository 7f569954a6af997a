//! Throughput of the library ledger at 100k tracks. Ignored by default; run it optimised:
//! `cargo test -p swingfly-store --release -- --ignored --nocapture perf`

use std::time::{Duration, Instant};

use swingfly_store::RawTrack;

use crate::support::{fresh_store, full_track};

const TRACKS: usize = 100_000;
/// Targets from the store's brief, checked only in optimised builds.
const LOAD_TARGET: Duration = Duration::from_millis(250);
const MIN_ROWS_PER_SECOND: f64 = 50_000.0;

fn rows_per_second(rows: usize, elapsed: Duration) -> f64 {
    rows as f64 / elapsed.as_secs_f64()
}

#[tokio::test]
#[ignore = "measures throughput; run with --release -- --ignored --nocapture"]
async fn perf_load_and_apply_scan_at_100k_tracks() {
    let (_dir, store) = fresh_store().await;
    let tracks: Vec<RawTrack> = (0..TRACKS).map(full_track).collect();

    let started = Instant::now();
    store.apply_scan(&tracks, &[]).await.unwrap();
    let insert = started.elapsed();

    let mut load_times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let loaded = store.load_tracks().await.unwrap();
        load_times.push(started.elapsed());
        assert_eq!(loaded.len(), TRACKS);
    }
    let load_best = *load_times.iter().min().unwrap();
    let load_first = load_times[0];

    let started = Instant::now();
    let known = store.known_files().await.unwrap();
    let known_time = started.elapsed();
    assert_eq!(known.len(), TRACKS);

    let retagged: Vec<RawTrack> = tracks
        .iter()
        .map(|track| RawTrack {
            mtime: track.mtime + 1,
            ..track.clone()
        })
        .collect();
    let started = Instant::now();
    store.apply_scan(&retagged, &[]).await.unwrap();
    let update = started.elapsed();

    let removed: Vec<String> = tracks.iter().map(|t| t.filepath.clone()).collect();
    let started = Instant::now();
    store.apply_scan(&[], &removed).await.unwrap();
    let delete = started.elapsed();
    assert_eq!(store.track_count().await.unwrap(), 0);

    println!("store perf at {TRACKS} tracks:");
    println!(
        "  apply_scan insert: {insert:?} ({:.0} rows/s)",
        rows_per_second(TRACKS, insert)
    );
    println!(
        "  apply_scan update: {update:?} ({:.0} rows/s)",
        rows_per_second(TRACKS, update)
    );
    println!(
        "  apply_scan remove: {delete:?} ({:.0} rows/s)",
        rows_per_second(TRACKS, delete)
    );
    println!("  load_tracks: first {load_first:?}, best of 5 {load_best:?}");
    println!("  known_files: {known_time:?}");

    if !cfg!(debug_assertions) {
        assert!(load_best <= LOAD_TARGET, "load_tracks took {load_best:?}");
        for (what, elapsed) in [("insert", insert), ("update", update)] {
            let rate = rows_per_second(TRACKS, elapsed);
            assert!(rate >= MIN_ROWS_PER_SECOND, "{what}: {rate:.0} rows/s");
        }
    }
}
