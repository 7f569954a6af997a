//! scan(): walking, skipped paths, incremental change detection, bad files, progress.

mod common;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use common::*;
use lofty::tag::ItemKey;
use swingfly_scan::{scan, KnownFile, ScanOutcome, ScanProgress, ScanRequest};

fn run(roots: &[&Path], known: &HashMap<String, KnownFile>) -> ScanOutcome {
    let request = ScanRequest {
        roots: roots.iter().map(|root| root.to_path_buf()).collect(),
        known: known.clone(),
    };
    scan(&request, &|_| {})
}

fn known_from(outcome: &ScanOutcome) -> HashMap<String, KnownFile> {
    outcome
        .upserts
        .iter()
        .map(|track| {
            (
                track.filepath.clone(),
                KnownFile {
                    size: track.size,
                    mtime: track.mtime,
                },
            )
        })
        .collect()
}

fn titled_wav(path: &Path, title: &str) {
    write_wav(path, 0.2, 8_000, 1);
    tag_file(path, |tag| {
        tag.insert_text(ItemKey::TrackTitle, title.into());
    });
}

fn paths(outcome: &ScanOutcome) -> Vec<String> {
    outcome.upserts.iter().map(|t| t.filepath.clone()).collect()
}

#[test]
fn incremental_scan_reads_only_new_and_changed_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let a = root.join("Artist/Album/a.wav");
    let b = root.join("Artist/Album/b.wav");
    let c = root.join("c.wav");
    titled_wav(&a, "A");
    titled_wav(&b, "B");
    titled_wav(&c, "C");
    fs::write(root.join("Artist/Album/cover.jpg"), b"not audio").unwrap();

    let first = run(&[root], &HashMap::new());
    assert_eq!(first.files_seen, 3);
    assert_eq!(first.unchanged, 0);
    assert_eq!(first.upserts.len(), 3);
    assert!(
        first.removed.is_empty() && first.skipped.is_empty(),
        "{:?}",
        first.skipped
    );
    let mut known = known_from(&first);

    // Nothing changed: nothing is opened.
    let second = run(&[root], &known);
    assert_eq!((second.files_seen, second.unchanged), (3, 3));
    assert!(second.upserts.is_empty() && second.removed.is_empty());

    // b is re-tagged (new size, new mtime), c is deleted, d is new.
    titled_wav(&b, "B, second take with a longer title");
    set_mtime(&b, 1_700_000_000);
    fs::remove_file(&c).unwrap();
    let d = root.join("Artist/Album/d.wav");
    titled_wav(&d, "D");
    let third = run(&[root], &known);
    assert_eq!(third.files_seen, 3);
    assert_eq!(third.unchanged, 1);
    let mut upserted = paths(&third);
    upserted.sort();
    assert_eq!(
        upserted,
        vec![
            b.to_str().unwrap().to_owned(),
            d.to_str().unwrap().to_owned()
        ]
    );
    let b_track = third
        .upserts
        .iter()
        .find(|t| t.filepath == b.to_str().unwrap())
        .unwrap();
    assert_eq!(
        b_track.title.as_deref(),
        Some("B, second take with a longer title")
    );
    assert_eq!(b_track.mtime, 1_700_000_000);
    assert_eq!(third.removed, vec![c.to_str().unwrap().to_owned()]);

    // Same size, only the mtime moved: re-read.
    known = known_from(&run(&[root], &HashMap::new()));
    set_mtime(&a, 1_600_000_000);
    let fourth = run(&[root], &known);
    assert_eq!(paths(&fourth), vec![a.to_str().unwrap().to_owned()]);
    assert_eq!(fourth.unchanged, 2);
}

#[test]
fn bad_files_are_skipped_with_reasons_and_the_scan_continues() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    titled_wav(&root.join("good.wav"), "Good");
    fs::write(root.join("empty.flac"), b"").unwrap();
    fs::write(root.join("garbage.mp3"), vec![0x5Au8; 4096]).unwrap();
    fs::write(root.join("text.m4a"), "plain text with an audio extension").unwrap();
    let whole = fs::read(root.join("good.wav")).unwrap();
    fs::write(root.join("truncated.wav"), &whole[..24]).unwrap();

    // A known file that has since become unreadable is removed as well as skipped.
    let mut known = HashMap::new();
    known.insert(
        root.join("garbage.mp3").to_str().unwrap().to_owned(),
        KnownFile { size: 1, mtime: 1 },
    );
    let outcome = run(&[root], &known);
    assert_eq!(outcome.files_seen, 5);
    assert_eq!(
        paths(&outcome),
        vec![root.join("good.wav").to_str().unwrap().to_owned()]
    );
    let reasons: HashMap<String, String> = outcome
        .skipped
        .iter()
        .map(|s| {
            (
                Path::new(&s.path)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                s.reason.clone(),
            )
        })
        .collect();
    for (name, reason) in &reasons {
        println!("{name}: {reason}");
    }
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert_eq!(reasons["empty.flac"], "the file is empty (0 bytes)");
    for name in ["garbage.mp3", "text.m4a", "truncated.wav"] {
        assert!(reasons[name].len() > 10, "{name}: {:?}", reasons[name]);
    }
    assert_eq!(
        outcome.removed,
        vec![root.join("garbage.mp3").to_str().unwrap().to_owned()]
    );
}

#[test]
fn skipped_directories_are_not_walked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(".music root is allowed");
    titled_wav(&root.join("Artist/song.wav"), "Kept");
    for skipped in [
        ".hidden",
        "$RECYCLE.BIN",
        "proj/node_modules",
        "x/src",
        "x/venv",
        "Photos Library.photoslibrary",
        "y/__pycache__",
    ] {
        titled_wav(&root.join(skipped).join("song.wav"), "Skipped");
    }
    titled_wav(&root.join("Loud.MP3.wav"), "Upper-case extension part");
    let outcome = run(&[&root], &HashMap::new());
    let mut found = paths(&outcome);
    found.sort();
    assert_eq!(
        found,
        vec![
            root.join("Artist/song.wav").to_str().unwrap().to_owned(),
            root.join("Loud.MP3.wav").to_str().unwrap().to_owned(),
        ]
    );
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_but_loops_are_not() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("music");
    let elsewhere = dir.path().join("elsewhere");
    titled_wav(&elsewhere.join("linked.wav"), "Linked");
    titled_wav(&root.join("a/own.wav"), "Own");
    symlink(&elsewhere, root.join("a/link-to-elsewhere")).unwrap();
    symlink(&root, root.join("a/loop-to-root")).unwrap();
    symlink(dir.path().join("nowhere.wav"), root.join("dangling.wav")).unwrap();

    let outcome = run(&[&root], &HashMap::new());
    let mut found = paths(&outcome);
    found.sort();
    assert_eq!(
        found,
        vec![
            root.join("a/link-to-elsewhere/linked.wav")
                .to_str()
                .unwrap()
                .to_owned(),
            root.join("a/own.wav").to_str().unwrap().to_owned(),
        ]
    );
    assert!(
        outcome
            .skipped
            .iter()
            .any(|s| s.path.ends_with("loop-to-root") && s.reason.contains("loop")),
        "{:?}",
        outcome.skipped
    );
    assert!(
        outcome
            .skipped
            .iter()
            .any(|s| s.path.ends_with("dangling.wav") && s.reason.contains("broken")),
        "{:?}",
        outcome.skipped
    );
}

#[test]
fn a_missing_root_keeps_its_known_files_and_overlapping_roots_do_not_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let present = dir.path().join("present");
    titled_wav(&present.join("sub/p.wav"), "P");
    let missing: PathBuf = dir.path().join("unplugged-drive");
    let mut known = HashMap::new();
    let under_missing = missing.join("m.wav").to_str().unwrap().to_owned();
    let gone = present.join("gone.wav").to_str().unwrap().to_owned();
    known.insert(
        under_missing.clone(),
        KnownFile {
            size: 10,
            mtime: 10,
        },
    );
    known.insert(
        gone.clone(),
        KnownFile {
            size: 10,
            mtime: 10,
        },
    );

    let outcome = run(&[&present, &present.join("sub"), &missing], &known);
    assert_eq!(outcome.files_seen, 1, "overlapping roots yield a file once");
    assert_eq!(outcome.removed, vec![gone]);
    assert!(outcome
        .skipped
        .iter()
        .any(|s| Path::new(&s.path) == missing && s.reason.contains("not accessible")));
}

#[test]
fn progress_is_reported_through_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    for index in 0..300 {
        write_wav(&dir.path().join(format!("{index:03}.wav")), 0.01, 8_000, 1);
    }
    let events = Mutex::new(Vec::new());
    let request = ScanRequest {
        roots: vec![dir.path().to_path_buf()],
        known: HashMap::new(),
    };
    let outcome = scan(&request, &|event| events.lock().unwrap().push(event));
    assert_eq!(outcome.upserts.len(), 300);
    let events = events.into_inner().unwrap();
    assert!(events.contains(&ScanProgress::Walking { files_found: 300 }));
    assert!(events.iter().any(
        |e| matches!(e, ScanProgress::Reading { done, total: 300 } if *done > 0 && *done < 300)
    ));
    assert_eq!(
        events.last(),
        Some(&ScanProgress::Reading {
            done: 300,
            total: 300
        })
    );
}
