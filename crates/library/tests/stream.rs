//! Choosing the file to stream (reference §5.14 steps 3-4).

mod common;

use std::collections::HashMap;
use std::fs;

use common::*;
use swingfly_library::Library;
use swingfly_model::IndexSettings;

#[test]
fn exact_path_first_then_best_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = format!("{}/music", dir.path().display());
    let tracks = sample_tracks(&root);
    for track in &tracks {
        fs::create_dir_all(&track.folder).unwrap();
        fs::write(&track.filepath, b"x").unwrap();
    }
    let library = Library::build(tracks, &IndexSettings::default(), &HashMap::new(), 1);
    let flac = format!("{root}/Band/Record/01 Opening.flac");
    let mp3 = format!("{root}/Band/Record/01 Opening.mp3");
    let deluxe = format!("{root}/Band/Record Deluxe/01 Opening.mp3");
    let opening = library
        .files()
        .iter()
        .find(|track| *track.filepath == *deluxe)
        .unwrap()
        .trackhash;
    let resolve = |path: &str| {
        library
            .resolve_stream(opening, path)
            .map(|track| track.filepath.to_string())
    };

    assert_eq!(
        resolve(&deluxe),
        Some(deluxe.clone()),
        "the exact file when it exists"
    );
    assert_eq!(resolve(&mp3), Some(mp3.clone()));
    assert_eq!(
        resolve("/stale/path.mp3"),
        Some(flac.clone()),
        "otherwise the highest bitrate"
    );
    // A file indexed under another trackhash is not served for this one.
    let song = format!("{root}/Band/Record/02 Song.flac");
    assert_eq!(resolve(&song), Some(flac.clone()));

    fs::remove_file(&flac).unwrap();
    assert_eq!(
        resolve(&flac),
        Some(mp3.clone()),
        "the best file that still exists"
    );
    fs::remove_file(&mp3).unwrap();
    fs::remove_file(&deluxe).unwrap();
    assert_eq!(resolve(&deluxe), None, "no file of the group exists");
    assert!(library.resolve_stream(0xdead, &song).is_none());
}

#[test]
fn an_empty_library_answers_nothing() {
    let library = Library::empty();
    assert_eq!(library.stats().files, 0);
    assert!(library.track(1).is_none());
    assert!(library.resolve_stream(1, "/x").is_none());
    assert!(library
        .search_top("anything", 6, &swingfly_library::NoUser)
        .top_result
        .is_none());
    assert!(library.albums_for_artwork().is_empty());
    assert_eq!(library.version(), 0);
}
