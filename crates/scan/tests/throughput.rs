//! Throughput measurement (ignored by default). Run with
//! `cargo test -p swingfly-scan --release --test throughput -- --ignored --nocapture`;
//! `SWINGFLY_BENCH_FILES` sets the file count (default 20000), `SWINGFLY_BENCH_FORMAT` picks
//! `wav` (hand-made, default) or `mp3`/`flac` (ffmpeg).

mod common;

use std::collections::HashMap;
use std::fs;
use std::time::Instant;

use common::*;
use lofty::tag::ItemKey;
use swingfly_scan::{scan, KnownFile, ScanRequest};

#[test]
#[ignore = "benchmark: run explicitly"]
fn scan_throughput() {
    let count: usize = std::env::var("SWINGFLY_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let format = std::env::var("SWINGFLY_BENCH_FORMAT").unwrap_or_else(|_| "wav".into());
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join(format!("template.{format}"));
    match format.as_str() {
        "wav" => write_wav(&template, 0.05, 8_000, 1),
        codec => {
            let Some(ffmpeg) = ffmpeg() else {
                eprintln!("SKIPPED: ffmpeg is needed for {codec}");
                return;
            };
            let args: &[&str] = if codec == "mp3" {
                &["-c:a", "libmp3lame", "-b:a", "128k"]
            } else {
                &["-c:a", "flac"]
            };
            ffmpeg_encode(&ffmpeg, &template, args, &[]);
        }
    }
    tag_file(&template, |tag| {
        tag.insert_text(ItemKey::TrackTitle, "Benchmark Title".into());
        tag.insert_text(ItemKey::TrackArtist, "Benchmark Artist".into());
        tag.insert_text(ItemKey::AlbumTitle, "Benchmark Album".into());
        tag.insert_text(ItemKey::TrackNumber, "1".into());
        tag.insert_text(ItemKey::Genre, "Rock".into());
    });
    let bytes = fs::read(&template).unwrap();
    let root = dir.path().join("library");
    for index in 0..count {
        let folder = root.join(format!(
            "artist{:03}/album{:02}",
            index / 1000,
            (index / 100) % 10
        ));
        if index % 100 == 0 {
            fs::create_dir_all(&folder).unwrap();
        }
        fs::write(folder.join(format!("{index:06}.{format}")), &bytes).unwrap();
    }
    println!(
        "{count} {format} files of {} bytes, {} threads",
        bytes.len(),
        rayon::current_num_threads()
    );

    let request = ScanRequest {
        roots: vec![root.clone()],
        known: HashMap::new(),
    };
    let started = Instant::now();
    let cold = scan(&request, &|_| {});
    let cold_time = started.elapsed();
    assert_eq!(cold.upserts.len(), count, "{:?}", cold.skipped.first());
    println!(
        "cold scan (warm page cache): {:.3} s, {:.0} tracks/s",
        cold_time.as_secs_f64(),
        count as f64 / cold_time.as_secs_f64()
    );

    let known: HashMap<String, KnownFile> = cold
        .upserts
        .iter()
        .map(|t| {
            (
                t.filepath.clone(),
                KnownFile {
                    size: t.size,
                    mtime: t.mtime,
                },
            )
        })
        .collect();
    let request = ScanRequest {
        roots: vec![root],
        known,
    };
    let started = Instant::now();
    let warm = scan(&request, &|_| {});
    let warm_time = started.elapsed();
    assert_eq!(warm.unchanged, count);
    println!(
        "unchanged rescan: {:.3} s, {:.0} files/s",
        warm_time.as_secs_f64(),
        count as f64 / warm_time.as_secs_f64()
    );
}
