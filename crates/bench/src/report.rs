//! The benchmark's results: a JSON summary and Markdown tables for docs/benchmarks.md.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::load::{LoadLimits, RouteStats};
use crate::scan::ScanRun;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Summary {
    /// The command line that produced this summary.
    pub command: String,
    pub server: String,
    pub cpus: usize,
    pub limits: LoadLimits,
    pub libraries: Vec<LibraryResult>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LibraryResult {
    pub tracks: usize,
    pub broken_files: usize,
    pub albums_generated: usize,
    /// None when an earlier generated library was reused.
    pub generate_ms: Option<u64>,
    pub scan_cold: ScanRun,
    pub scan_incremental: ScanRun,
    pub start_to_serving_ms: u64,
    pub idle_rss_mib: Option<f64>,
    /// VmHWM of the server after the load.
    pub peak_rss_mib: Option<f64>,
    pub routes: Vec<RouteStats>,
    /// Routes that could not be benchmarked, with the reason.
    pub left_out: Vec<String>,
    /// Differences between the scan's report and what the fixture generator wrote.
    pub scan_mismatches: Vec<String>,
}

fn mib(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), |mib| format!("{mib:.0} MiB"))
}

fn thousands(value: usize) -> String {
    let digits = value.to_string();
    let first_group = match digits.len() % 3 {
        0 => 3,
        short => short,
    };
    let mut out = digits[..first_group].to_owned();
    for group in digits.as_bytes()[first_group..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(group).expect("ASCII digits"));
    }
    out
}

fn seconds(ms: u64) -> String {
    format!("{:.2} s", ms as f64 / 1000.0)
}

/// Markdown for docs/benchmarks.md.
pub fn markdown(summary: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Command: `{}`  ", summary.command);
    let _ = writeln!(
        out,
        "Server: `{}`, {} CPUs, load generator on the same machine; {} concurrent clients, at most {} requests or {} s per route after {} warm-up requests.\n",
        summary.server,
        summary.cpus,
        summary.limits.clients,
        summary.limits.max_requests,
        summary.limits.max_seconds,
        summary.limits.warmup_requests,
    );
    out.push_str("| Library | Cold scan: indexed | Indexing rate | Artwork | Cold scan total | Incremental scan | Incremental rate | Start to serving | Server RSS idle | Server peak RSS | Scan peak RSS |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for library in &summary.libraries {
        let _ = writeln!(
            out,
            "| {} tracks | {} | {:.0} files/s | {} | {} ({:.0} tracks/s) | {} | {:.0} files/s | {} ms | {} | {} | {} |",
            thousands(library.tracks),
            seconds(library.scan_cold.report.indexed_ms),
            library.scan_cold.indexed_per_second(),
            seconds(library.scan_cold.report.artwork_ms),
            seconds(library.scan_cold.report.elapsed_ms),
            library.scan_cold.tracks_per_second(),
            seconds(library.scan_incremental.report.elapsed_ms),
            library.scan_incremental.files_per_second(),
            library.start_to_serving_ms,
            mib(library.idle_rss_mib),
            mib(library.peak_rss_mib),
            mib(library.scan_cold.peak_rss_mib),
        );
    }
    out.push_str("\n| Library | Route | Requests | Errors | Req/s | p50 | p99 | max |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for library in &summary.libraries {
        for route in &library.routes {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms |",
                thousands(library.tracks),
                route.route,
                route.requests,
                route.errors,
                route.requests_per_second,
                route.p50_ms,
                route.p99_ms,
                route.max_ms,
            );
        }
    }
    let notes: Vec<String> = summary
        .libraries
        .iter()
        .flat_map(|library| {
            let tracks = thousands(library.tracks);
            library
                .left_out
                .iter()
                .map(move |reason| format!("{tracks} tracks: not measured: {reason}"))
                .chain(library.scan_mismatches.iter().map({
                    let tracks = thousands(library.tracks);
                    move |mismatch| {
                        format!(
                            "{tracks} tracks: scan differs from the fixture manifest: {mismatch}"
                        )
                    }
                }))
                .chain(library.routes.iter().filter(|route| route.errors > 0).map({
                    let tracks = thousands(library.tracks);
                    move |route| {
                        format!(
                            "{tracks} tracks: `{}` had {} errors (statuses {:?}) {:?}",
                            route.route, route.errors, route.status_counts, route.failures
                        )
                    }
                }))
        })
        .collect();
    if !notes.is_empty() {
        out.push('\n');
        for note in notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::scan::ScanReport;

    fn scan(tracks: u64, elapsed_ms: u64) -> ScanRun {
        ScanRun {
            report: ScanReport {
                files_seen: tracks + 6,
                tracks_indexed: tracks,
                albums: 10,
                artists: 5,
                skipped: vec![],
                elapsed_ms,
                indexed_ms: elapsed_ms / 2,
                artwork_ms: elapsed_ms / 2,
                unchanged: None,
                files_read: None,
            },
            wall_ms: elapsed_ms + 50,
            peak_rss_mib: Some(80.0),
        }
    }

    #[test]
    fn the_markdown_has_one_row_per_library_and_route_and_notes_problems() {
        let route = RouteStats {
            route: "POST /album".into(),
            requests: 3000,
            errors: 2,
            status_counts: BTreeMap::from([(200, 2998), (404, 2)]),
            failures: vec![],
            elapsed_ms: 1500,
            requests_per_second: 2000.0,
            response_bytes: 1,
            p50_ms: 1.234,
            p90_ms: 2.0,
            p99_ms: 5.5,
            max_ms: 9.0,
            mean_ms: 1.5,
        };
        let library = LibraryResult {
            tracks: 10_000,
            broken_files: 6,
            albums_generated: 1100,
            generate_ms: Some(5000),
            scan_cold: scan(10_000, 4000),
            scan_incremental: scan(0, 500),
            start_to_serving_ms: 321,
            idle_rss_mib: Some(60.0),
            peak_rss_mib: Some(120.4),
            routes: vec![route],
            left_out: vec!["GET /file: none".into()],
            scan_mismatches: vec![],
        };
        let summary = Summary {
            command: "swingfly-bench --tracks 10000".into(),
            server: "target/release/swingfly".into(),
            cpus: 2,
            limits: LoadLimits {
                clients: 32,
                max_requests: 3000,
                max_seconds: 20,
                warmup_requests: 64,
            },
            libraries: vec![library],
        };
        let text = markdown(&summary);
        assert!(
            text.contains("| 10,000 tracks | 2.00 s | 5000 files/s | 2.00 s | 4.00 s (2500 tracks/s) | 0.50 s |"),
            "{text}"
        );
        assert!(
            text.contains("| 321 ms | 60 MiB | 120 MiB | 80 MiB |"),
            "{text}"
        );
        assert!(
            text.contains(
                "| 10,000 | `POST /album` | 3000 | 2 | 2000 | 1.23 ms | 5.50 ms | 9.00 ms |"
            ),
            "{text}"
        );
        assert!(text.contains("not measured: GET /file: none"));
        assert!(text.contains("had 2 errors"));
        let json = serde_json::to_string(&summary).unwrap();
        let back: Summary = serde_json::from_str(&json).unwrap();
        assert_eq!(back.libraries[0].routes[0].p99_ms, 5.5);
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
    }
}
