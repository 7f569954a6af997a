//! One benchmark run over one library size: generate, scan cold and incrementally, start the
//! server, load its routes, read its memory.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use reqwest::{Client, Url};
use swingfly_fixtures::{FixtureOptions, Manifest};

use crate::load::{self, LoadLimits};
use crate::process::{self, ServerProcess};
use crate::report::LibraryResult;
use crate::scan::{self, ScanRun};
use crate::workload;

#[derive(Clone, Debug)]
pub struct BenchConfig {
    pub server: PathBuf,
    pub work_dir: PathBuf,
    pub seed: u64,
    pub ffmpeg: PathBuf,
    /// 0 picks a free port.
    pub port: u16,
    pub ready_timeout: Duration,
    pub limits: LoadLimits,
}

/// An HTTP client for loopback only: no proxy, keep-alive pool big enough for every client.
pub fn http_client(clients: usize) -> anyhow::Result<Client> {
    Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(clients.max(1) * 2)
        .timeout(Duration::from_secs(60))
        .build()
        .context("building the HTTP client")
}

fn progress(message: &str) {
    eprintln!("[swingfly-bench] {message}");
}

pub async fn bench_library(config: &BenchConfig, tracks: usize) -> anyhow::Result<LibraryResult> {
    fs::create_dir_all(&config.work_dir)
        .with_context(|| format!("creating {}", config.work_dir.display()))?;
    let (manifest, generate_ms) = library(config, tracks).await?;

    let data = config.work_dir.join(format!("data-{tracks}"));
    if data.exists() {
        fs::remove_dir_all(&data).with_context(|| format!("clearing {}", data.display()))?;
    }
    let music = manifest.root.clone();
    progress(&format!("{tracks} tracks: cold scan"));
    let scan_cold =
        run_scan_blocking(config, &music, &data, &format!("scan-cold-{tracks}.log")).await?;
    progress(&format!(
        "{tracks} tracks: cold scan indexed {} tracks in {} ms",
        scan_cold.report.tracks_indexed, scan_cold.report.elapsed_ms
    ));
    let scan_incremental = run_scan_blocking(
        config,
        &music,
        &data,
        &format!("scan-incremental-{tracks}.log"),
    )
    .await?;
    progress(&format!(
        "{tracks} tracks: incremental scan took {} ms",
        scan_incremental.report.elapsed_ms
    ));
    let scan_mismatches = compare_scan(&scan_cold, &manifest);

    let port = if config.port == 0 {
        process::free_port()?
    } else {
        config.port
    };
    let client = http_client(config.limits.clients)?;
    let log = config.work_dir.join(format!("serve-{tracks}.log"));
    let mut server = ServerProcess::spawn(&config.server, &music, &data, port, &log)?;
    let serving = server
        .wait_until_serving(&client, config.ready_timeout)
        .await?;
    progress(&format!(
        "{tracks} tracks: serving after {} ms",
        serving.as_millis()
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (idle_rss_mib, _) = server.memory_mib();

    let base = Url::parse(&server.base_url)?;
    let token = workload::login(&client, &base).await?;
    let targets = workload::collect_targets(&client, &base, &token, &manifest).await?;
    let (routes, left_out) = workload::routes(&base, &targets, &manifest, config.seed)?;
    let mut route_stats = Vec::with_capacity(routes.len());
    for route in &routes {
        let stats = load::run_route(&client, Some(&token), route, config.limits).await?;
        progress(&format!(
            "{tracks} tracks: {}: {} requests, {} errors, p50 {:.2} ms, p99 {:.2} ms",
            stats.route, stats.requests, stats.errors, stats.p50_ms, stats.p99_ms
        ));
        route_stats.push(stats);
    }
    let (_, peak_rss_mib) = server.memory_mib();
    server.stop()?;

    Ok(LibraryResult {
        tracks,
        broken_files: manifest.broken.len(),
        albums_generated: manifest.albums.len(),
        generate_ms,
        scan_cold,
        scan_incremental,
        start_to_serving_ms: serving.as_millis() as u64,
        idle_rss_mib,
        peak_rss_mib,
        routes: route_stats,
        left_out,
        scan_mismatches,
    })
}

/// Reuses an earlier generated library of the same size and seed, else generates one.
async fn library(config: &BenchConfig, tracks: usize) -> anyhow::Result<(Manifest, Option<u64>)> {
    let out_dir = config
        .work_dir
        .join(format!("library-{tracks}-seed{}", config.seed));
    let manifest_path = out_dir
        .join(swingfly_fixtures::STATE_DIR)
        .join("manifest.json");
    if let Ok(manifest) = Manifest::load(&manifest_path) {
        let complete = manifest.tracks.len() == tracks
            && manifest.seed == config.seed
            && manifest.generator_version == swingfly_fixtures::GENERATOR_VERSION
            && manifest.tracks.iter().all(|track| track.path.is_file());
        if complete {
            progress(&format!("{tracks} tracks: reusing {}", out_dir.display()));
            return Ok((manifest, None));
        }
    }
    progress(&format!(
        "{tracks} tracks: generating {}",
        out_dir.display()
    ));
    let options = FixtureOptions {
        seed: config.seed,
        ffmpeg: Some(config.ffmpeg.clone()),
        manifest_path: Some(manifest_path),
        ..FixtureOptions::new(out_dir, tracks)
    };
    let started = Instant::now();
    let manifest = tokio::task::spawn_blocking(move || swingfly_fixtures::generate(&options))
        .await
        .context("the generator panicked")??;
    Ok((manifest, Some(started.elapsed().as_millis() as u64)))
}

async fn run_scan_blocking(
    config: &BenchConfig,
    music: &Path,
    data: &Path,
    log_name: &str,
) -> anyhow::Result<ScanRun> {
    let (server, music, data) = (
        config.server.clone(),
        music.to_path_buf(),
        data.to_path_buf(),
    );
    let log = config.work_dir.join(log_name);
    tokio::task::spawn_blocking(move || scan::run_scan(&server, &music, &data, &log))
        .await
        .context("the scan runner panicked")?
}

/// What the cold scan reported against what the generator wrote.
pub fn compare_scan(scan: &ScanRun, manifest: &Manifest) -> Vec<String> {
    let mut mismatches = Vec::new();
    let report = &scan.report;
    let expected_tracks = manifest.distinct_track_count() as u64;
    if report.tracks_indexed != expected_tracks {
        mismatches.push(format!(
            "indexed {} tracks; generated {} valid files holding {expected_tracks} distinct tracks \
             (deluxe repeats share a trackhash)",
            report.tracks_indexed,
            manifest.tracks.len()
        ));
    }
    let expected_files = manifest.tracks.len() as u64 + manifest.broken.len() as u64;
    if report.files_seen != expected_files {
        mismatches.push(format!(
            "saw {} audio files, generated {expected_files}",
            report.files_seen
        ));
    }
    let skipped: HashSet<&str> = report
        .skipped
        .iter()
        .map(|skip| skip.path.as_str())
        .collect();
    let broken: HashSet<String> = manifest
        .broken
        .iter()
        .map(|broken| broken.path.to_string_lossy().into_owned())
        .collect();
    let not_skipped: Vec<&String> = broken
        .iter()
        .filter(|path| !skipped.contains(path.as_str()))
        .take(5)
        .collect();
    if !not_skipped.is_empty() {
        mismatches.push(format!(
            "broken files not reported as skipped: {not_skipped:?}"
        ));
    }
    let wrongly_skipped: Vec<&&str> = skipped
        .iter()
        .filter(|path| !broken.contains(**path))
        .take(5)
        .collect();
    if !wrongly_skipped.is_empty() {
        mismatches.push(format!("valid files skipped: {wrongly_skipped:?}"));
    }
    mismatches
}
