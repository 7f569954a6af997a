//! Workload pieces checked against a real generated library.

use std::path::PathBuf;

use swingfly_bench::run::compare_scan;
use swingfly_bench::scan::{ScanReport, ScanRun, SkippedFile};
use swingfly_bench::workload::search_queries;
use swingfly_fixtures::{generate, FixtureOptions, Manifest};

fn library() -> (tempfile::TempDir, Manifest) {
    let dir = tempfile::tempdir().unwrap();
    let options = FixtureOptions {
        ffmpeg: Some(PathBuf::from("/usr/bin/ffmpeg")),
        ..FixtureOptions::new(dir.path().join("music"), 40)
    };
    let manifest = generate(&options).unwrap();
    (dir, manifest)
}

fn faithful_scan(manifest: &Manifest) -> ScanRun {
    ScanRun {
        report: ScanReport {
            files_seen: (manifest.tracks.len() + manifest.broken.len()) as u64,
            tracks_indexed: manifest.distinct_track_count() as u64,
            albums: manifest.albums.len() as u64,
            artists: 10,
            skipped: manifest
                .broken
                .iter()
                .map(|broken| SkippedFile {
                    path: broken.path.to_string_lossy().into_owned(),
                    reason: broken.reason.clone(),
                })
                .collect(),
            elapsed_ms: 100,
            indexed_ms: 60,
            artwork_ms: 40,
            unchanged: None,
            files_read: None,
        },
        wall_ms: 120,
        peak_rss_mib: None,
    }
}

#[test]
fn search_queries_use_library_words_with_typos() {
    let (_dir, manifest) = library();
    let vocabulary = manifest.vocabulary();
    let queries = search_queries(&manifest, 3, 120);
    assert!(queries.len() >= 100, "{} queries", queries.len());
    let in_vocabulary = queries
        .iter()
        .filter(|query| vocabulary.contains(query))
        .count();
    let unknown = queries
        .iter()
        .filter(|query| !query.contains(' ') && !vocabulary.contains(query))
        .count();
    assert!(in_vocabulary > 10, "real words: {in_vocabulary}");
    assert!(unknown > 10, "typos and prefixes: {unknown}");
    assert_eq!(queries, search_queries(&manifest, 3, 120), "deterministic");
}

#[test]
fn a_scan_that_matches_the_manifest_has_no_mismatches_and_a_wrong_one_has() {
    let (_dir, manifest) = library();
    let faithful = faithful_scan(&manifest);
    assert_eq!(compare_scan(&faithful, &manifest), Vec::<String>::new());

    let mut wrong = faithful.clone();
    let dropped = wrong.report.skipped.pop().unwrap();
    wrong.report.skipped.push(SkippedFile {
        path: manifest.tracks[0].path.to_string_lossy().into_owned(),
        reason: "x".into(),
    });
    wrong.report.tracks_indexed -= 1;
    let mismatches = compare_scan(&wrong, &manifest);
    assert_eq!(mismatches.len(), 3, "{mismatches:?}");
    assert!(mismatches.iter().any(|m| m.contains(&dropped.path)));
}
