//! POST /folder and GET /folder/tracks/all over a real directory tree.

mod common;

use std::collections::HashMap;
use std::fs::{self, File, FileTimes};
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use common::*;
use serde_json::Value;
use swingfly_library::{FolderError, FolderRequest, Library, NoUser};
use swingfly_model::IndexSettings;
use tempfile::TempDir;

/// The sample library written to disk under `<tmp>/music`, plus an unindexed audio file and a
/// cover image in the Record folder, and an indexed track in a hidden folder.
struct Tree {
    _dir: TempDir,
    root: String,
    library: Library,
}

fn tree() -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let root = format!("{}/music", dir.path().display());
    let mut tracks = sample_tracks(&root);
    tracks.push(
        raw(&format!("{root}/.hidden/secret.mp3"))
            .title("Secret")
            .artists("Band")
            .album("Secret", "Band")
            .build(),
    );
    for track in &tracks {
        fs::create_dir_all(&track.folder).unwrap();
        fs::write(&track.filepath, b"not really audio").unwrap();
    }
    fs::write(format!("{root}/Band/Record/extra.OGG"), b"unindexed").unwrap();
    fs::write(format!("{root}/Band/Record/cover.jpg"), b"image").unwrap();
    let library = Library::build(tracks, &IndexSettings::default(), &HashMap::new(), 1);
    Tree {
        _dir: dir,
        root,
        library,
    }
}

fn request(folder: &str) -> FolderRequest {
    FolderRequest {
        folder: folder.to_owned(),
        ..FolderRequest::default()
    }
}

fn names(value: &Value, list: &str, field: &str) -> Vec<String> {
    value[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap().to_owned())
        .collect()
}

fn set_mtime(path: &str, seconds: u64) {
    let time = UNIX_EPOCH + Duration::from_secs(seconds);
    File::open(path)
        .unwrap()
        .set_times(FileTimes::new().set_modified(time))
        .unwrap();
}

#[test]
fn home_with_one_root_lists_that_root() {
    let tree = tree();
    let roots = [tree.root.clone()];
    let mut req = request("$home");
    req.sortfoldersby = "name".into();
    let response = tree
        .library
        .folder(&req, &roots, "/nowhere", &NoUser)
        .unwrap();
    let value = serde_json::to_value(&response).unwrap();
    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["folders", "path", "total", "tracks"]);
    assert_eq!(value["path"], tree.root.as_str());
    assert_eq!(
        names(&value, "folders", "name"),
        ["Band", "Beyonce", "Producer", "Solo", "Utada", "Various", "Zeta"],
        "the hidden folder is not listed"
    );
    let band = &value["folders"][0];
    assert_eq!(band["path"], format!("{}/Band/", tree.root));
    assert_eq!(band["trackcount"], 10);
    assert_eq!(band["is_sym"], false);
    assert_eq!(value["total"], 0);
}

#[test]
fn home_as_a_root_means_the_home_dir_and_several_roots_are_listed() {
    let tree = tree();
    let response = tree
        .library
        .folder(&request("$home"), &["$home".into()], &tree.root, &NoUser)
        .unwrap();
    assert_eq!(response.path, tree.root);

    let roots = [
        format!("{}/Band", tree.root),
        format!("{}/Various/", tree.root),
        format!("{}/Empty", tree.root),
    ];
    let value = serde_json::to_value(
        tree.library
            .folder(&request("$home"), &roots, "/", &NoUser)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(value["path"], "$home");
    assert_eq!(
        names(&value, "folders", "name"),
        ["Band", "Various"],
        "roots without tracks are left out"
    );
    assert_eq!(value["folders"][0]["trackcount"], 10);
    assert_eq!(
        value["folders"][1]["path"],
        format!("{}/Various/", tree.root)
    );

    assert_eq!(
        tree.library.folder(&request("$home"), &[], "/", &NoUser),
        Err(FolderError::NoRoots)
    );
    assert!(matches!(
        tree.library.folder(&request("$favorites"), &roots, "/", &NoUser),
        Err(FolderError::PseudoFolder(name)) if name == "$favorites"
    ));
}

#[test]
fn paths_outside_the_roots_or_missing_are_refused() {
    let tree = tree();
    let roots = [tree.root.clone()];
    let folder = |path: String| tree.library.folder(&request(&path), &roots, "/", &NoUser);
    assert_eq!(folder("/etc".into()), Err(FolderError::Forbidden));
    assert_eq!(
        folder(format!("{}/../", tree.root)),
        Err(FolderError::Forbidden)
    );
    assert_eq!(
        folder(format!("{}/Band/../../x", tree.root)),
        Err(FolderError::Forbidden)
    );
    assert_eq!(
        folder(format!("{}sic", tree.root)),
        Err(FolderError::Forbidden),
        "a sibling sharing the prefix"
    );
    assert_eq!(
        folder(format!("{}/Nope", tree.root)),
        Err(FolderError::Invalid)
    );
    let mut bad_sort = request(&tree.root);
    bad_sort.sorttracksby = "colour".into();
    assert_eq!(
        tree.library.folder(&bad_sort, &roots, "/", &NoUser),
        Err(FolderError::UnknownTrackSort("colour".into()))
    );
}

#[test]
fn single_child_folders_are_descended() {
    let tree = tree();
    let roots = [tree.root.clone()];
    let response = tree
        .library
        .folder(
            &request(&format!("{}/Various", tree.root)),
            &roots,
            "/",
            &NoUser,
        )
        .unwrap();
    assert_eq!(response.path, format!("{}/Various/Hits", tree.root));
    assert_eq!(response.tracks.len(), 2);
    assert_eq!(response.total, 2);
    // Two children: no descent.
    let double = tree
        .library
        .folder(
            &request(&format!("{}/Band/Double/", tree.root)),
            &roots,
            "/",
            &NoUser,
        )
        .unwrap();
    assert_eq!(double.path, format!("{}/Band/Double", tree.root));
    assert_eq!(double.folders.len(), 2);
}

#[test]
fn tracks_are_every_indexed_file_sorted_and_paged_and_total_counts_the_disk() {
    let tree = tree();
    let roots = [tree.root.clone()];
    let record = format!("{}/Band/Record", tree.root);
    let list = |sort: &str, reverse: bool, start: usize, limit: i64| -> (Vec<String>, usize) {
        let mut req = request(&record);
        req.sorttracksby = sort.into();
        req.tracksort_reverse = reverse;
        req.start = start;
        req.limit = limit;
        let response = tree.library.folder(&req, &roots, "/", &NoUser).unwrap();
        let files = response
            .tracks
            .iter()
            .map(|track| {
                Path::new(&track.filepath)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        (files, response.total)
    };
    let (files, total) = list("default", false, 0, 50);
    assert_eq!(files, ["01 Opening.flac", "01 Opening.mp3", "02 Song.flac"]);
    assert_eq!(
        total, 4,
        "three indexed files plus extra.OGG; the cover is not audio"
    );
    assert_eq!(
        list("default", true, 0, 50).0,
        ["02 Song.flac", "01 Opening.flac", "01 Opening.mp3"]
    );
    assert_eq!(
        list("title", true, 0, 50).0,
        ["02 Song.flac", "01 Opening.flac", "01 Opening.mp3"]
    );
    assert_eq!(
        list("bitrate", false, 0, 50).0,
        ["01 Opening.mp3", "02 Song.flac", "01 Opening.flac"]
    );
    assert_eq!(
        list("filepath", true, 0, 50).0,
        ["02 Song.flac", "01 Opening.mp3", "01 Opening.flac"]
    );
    assert_eq!(list("bitrate", false, 1, 1).0, ["02 Song.flac"]);
    assert_eq!(
        list("bitrate", false, 1, -1).0,
        ["02 Song.flac", "01 Opening.flac"]
    );
    assert!(list("bitrate", false, 3, 10).0.is_empty());
    for key in [
        "album",
        "albumartists",
        "artists",
        "date",
        "disc",
        "duration",
        "last_mod",
        "lastplayed",
        "playduration",
        "playcount",
    ] {
        assert_eq!(list(key, false, 0, -1).0.len(), 3, "{key}");
    }
}

#[test]
fn disc_sort_groups_by_album_then_disc_and_track() {
    let tree = tree();
    let roots = [tree.root.clone()];
    let mut req = request(&format!("{}/Band/Double/CD2", tree.root));
    req.sorttracksby = "disc".into();
    let response = tree.library.folder(&req, &roots, "/", &NoUser).unwrap();
    let titles: Vec<&str> = response.tracks.iter().map(|track| &*track.title).collect();
    assert_eq!(titles, ["Three", "Four"]);
}

#[test]
fn folders_sort_by_mtime_count_and_name_and_tracks_only_skips_them() {
    let tree = tree();
    let roots = [tree.root.clone()];
    let band = format!("{}/Band", tree.root);
    set_mtime(&format!("{band}/Double"), 1_000);
    set_mtime(&format!("{band}/Record"), 3_000);
    set_mtime(&format!("{band}/Record Deluxe"), 2_000);
    let folders = |key: &str, reverse: bool| -> Vec<String> {
        let mut req = request(&band);
        req.sortfoldersby = key.into();
        req.foldersort_reverse = reverse;
        let value =
            serde_json::to_value(tree.library.folder(&req, &roots, "/", &NoUser).unwrap()).unwrap();
        names(&value, "folders", "name")
    };
    assert_eq!(
        folders("lastmod", false),
        ["Double", "Record Deluxe", "Record"]
    );
    assert_eq!(
        folders("lastmod", true),
        ["Record", "Record Deluxe", "Double"]
    );
    assert_eq!(
        folders("trackcount", true),
        ["Double", "Record", "Record Deluxe"]
    );
    assert_eq!(
        folders("name", false),
        ["Double", "Record", "Record Deluxe"]
    );
    assert_eq!(
        folders("default", false),
        ["Double", "Record", "Record Deluxe"]
    );

    let mut tracks_only = request(&band);
    tracks_only.tracks_only = true;
    let response = tree
        .library
        .folder(&tracks_only, &roots, "/", &NoUser)
        .unwrap();
    assert!(response.folders.is_empty());
    assert_eq!(response.path, band, "no descent without folders");
}

#[test]
fn folders_missing_on_disk_are_skipped() {
    let tree = tree();
    let roots = [tree.root.clone()];
    fs::remove_dir_all(format!("{}/Zeta", tree.root)).unwrap();
    let value = serde_json::to_value(
        tree.library
            .folder(&request(&tree.root), &roots, "/", &NoUser)
            .unwrap(),
    )
    .unwrap();
    assert!(!names(&value, "folders", "name").contains(&"Zeta".to_owned()));
}

#[cfg(unix)]
#[test]
fn symlinked_roots_are_flagged() {
    let tree = tree();
    let link = format!(
        "{}/linked",
        Path::new(&tree.root).parent().unwrap().display()
    );
    std::os::unix::fs::symlink(format!("{}/Band", tree.root), &link).unwrap();
    let tracks = vec![raw(&format!("{link}/Record/01 Opening.flac"))
        .title("Opening")
        .artists("Band")
        .album(RECORD, "Band")
        .build()];
    let library = Library::build(tracks, &IndexSettings::default(), &HashMap::new(), 1);
    let roots = [link.clone(), tree.root.clone()];
    let value = serde_json::to_value(
        library
            .folder(&request("$home"), &roots, "/", &NoUser)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(value["folders"][0]["is_sym"], true);
}

/// `total` counts what is on disk: regular audio files and symlinks to them, by extension in any
/// case; subfolders reached through a symlink are flagged.
#[cfg(unix)]
#[test]
fn disk_facts_follow_symlinks_and_extensions() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = format!("{}/music", dir.path().display());
    let elsewhere = format!("{}/elsewhere", dir.path().display());
    fs::create_dir_all(format!("{elsewhere}/Album")).unwrap();
    fs::create_dir_all(format!("{root}/Real")).unwrap();
    symlink(format!("{elsewhere}/Album"), format!("{root}/Linked")).unwrap();
    let tracks = ["Real", "Linked"]
        .iter()
        .map(|folder| {
            let path = format!("{root}/{folder}/01 Song.flac");
            fs::write(&path, b"audio").unwrap();
            raw(&path)
                .title(folder)
                .artists("Band")
                .album(folder, "Band")
                .build()
        })
        .collect();
    fs::write(format!("{root}/a.b.FLAC"), b"audio").unwrap();
    fs::write(format!("{root}/.mp3"), b"hidden, no extension").unwrap();
    fs::write(format!("{root}/notes.txt"), b"text").unwrap();
    fs::create_dir(format!("{root}/folder.mp3")).unwrap();
    fs::write(format!("{elsewhere}/target.ogg"), b"audio").unwrap();
    symlink(
        format!("{elsewhere}/target.ogg"),
        format!("{root}/linked.ogg"),
    )
    .unwrap();
    symlink(
        format!("{elsewhere}/missing.ogg"),
        format!("{root}/dangling.ogg"),
    )
    .unwrap();
    symlink(format!("{elsewhere}/Album"), format!("{root}/dir-link.mp3")).unwrap();
    let library = Library::build(tracks, &IndexSettings::default(), &HashMap::new(), 1);

    let request = FolderRequest {
        sortfoldersby: "name".to_owned(),
        ..request(&root)
    };
    let listed = library
        .folder(&request, std::slice::from_ref(&root), "/", &NoUser)
        .unwrap();
    assert_eq!(listed.total, 2, "a.b.FLAC and linked.ogg");
    let folders: Vec<(&str, bool)> = listed
        .folders
        .iter()
        .map(|folder| (folder.name.as_str(), folder.is_sym))
        .collect();
    assert_eq!(folders, [("Linked", true), ("Real", false)]);
}

#[test]
fn folder_tracks_all_is_recursive_existing_and_by_mtime() {
    let tree = tree();
    let band = format!("{}/Band", tree.root);
    let tracks = tree.library.folder_tracks_all(&band, &NoUser);
    assert_eq!(tracks.len(), 10);
    assert_eq!(
        tracks.last().unwrap().title.trim_end(),
        "Song",
        "the newest file comes last"
    );
    fs::remove_file(format!("{band}/Double/CD1/01 One.flac")).unwrap();
    assert_eq!(
        tree.library
            .folder_tracks_all(&format!("{band}/"), &NoUser)
            .len(),
        9
    );
    assert!(tree
        .library
        .folder_tracks_all("/nowhere", &NoUser)
        .is_empty());
}

/// The disk facts of a listing are remembered, but a change in the listed folder (a subfolder
/// removed or added, an audio file added beside them) shows on the next request.
#[test]
fn listings_follow_changes_on_disk_after_being_remembered() {
    let tree = tree();
    let roots = [tree.root.clone()];
    let band = format!("{}/Band", tree.root);
    let list = || {
        let mut req = request(&band);
        req.sortfoldersby = "name".into();
        tree.library.folder(&req, &roots, "/", &NoUser).unwrap()
    };
    let names_of = |response: &swingfly_library::wire::FolderResponse| -> Vec<String> {
        response.folders.iter().map(|f| f.name.clone()).collect()
    };
    let first = list();
    assert_eq!(names_of(&first), ["Double", "Record", "Record Deluxe"]);
    assert_eq!(first.total, 0);
    assert_eq!(
        names_of(&list()),
        names_of(&first),
        "a repeat answers the same"
    );

    fs::remove_dir_all(format!("{band}/Record Deluxe")).unwrap();
    fs::write(format!("{band}/loose.mp3"), b"unindexed").unwrap();
    let changed = list();
    assert_eq!(names_of(&changed), ["Double", "Record"]);
    assert_eq!(changed.total, 1, "the new audio file is counted");

    fs::remove_dir_all(&band).unwrap();
    assert_eq!(
        tree.library.folder(&request(&band), &roots, "/", &NoUser),
        Err(FolderError::Invalid),
        "a remembered folder that is gone is refused"
    );
}

/// The byte answer of POST /folder is the owned answer's JSON, byte for byte, whatever the
/// sort, paging, descent or favourites, and it is the same when repeated (written subfolders).
#[test]
fn json_bytes_equal_the_serialised_listing() {
    let tree = tree();
    let roots = [tree.root.clone()];
    let mut user = ScriptedUser::default();
    let first = tree.library.folder_tracks_all(&tree.root, &NoUser);
    user.favorites
        .push((swingfly_library::ItemKind::Track, first[0].trackhash.0));
    let folders = [
        "$home".to_owned(),
        tree.root.clone(),
        format!("{}/Band", tree.root),
        format!("{}/Band/Record", tree.root),
        format!("{}/Various", tree.root),
        format!("{}/Band/Double/CD1", tree.root),
    ];
    for folder in &folders {
        for sortfoldersby in ["default", "name", "lastmod", "trackcount"] {
            for (tracks_only, reverse, start, limit) in [
                (false, false, 0, 50),
                (false, true, 1, 1),
                (true, false, 0, -1),
            ] {
                let req = FolderRequest {
                    folder: folder.clone(),
                    sortfoldersby: sortfoldersby.to_owned(),
                    foldersort_reverse: reverse,
                    tracksort_reverse: reverse,
                    tracks_only,
                    start,
                    limit,
                    ..FolderRequest::default()
                };
                for view in [&NoUser as &dyn swingfly_library::UserView, &user] {
                    for _repeat in 0..2 {
                        let owned = tree.library.folder(&req, &roots, "/", view).unwrap();
                        let bytes = tree.library.folder_json(&req, &roots, "/", view).unwrap();
                        assert_eq!(
                            String::from_utf8(bytes).unwrap(),
                            serde_json::to_string(&owned).unwrap(),
                            "{req:?}"
                        );
                    }
                }
            }
        }
    }
    let several = [tree.root.clone(), format!("{}/Band", tree.root)];
    assert_eq!(
        tree.library
            .folder_json(&request("$home"), &several, "/", &NoUser)
            .unwrap(),
        serde_json::to_vec(
            &tree
                .library
                .folder(&request("$home"), &several, "/", &NoUser)
                .unwrap()
        )
        .unwrap()
    );
    assert_eq!(
        tree.library
            .folder_json(&request("/etc"), &roots, "/", &NoUser),
        Err(FolderError::Forbidden)
    );
}

#[test]
fn pathhash_maps_back_to_its_folder() {
    let tree = tree();
    let album = tree.library.album(albumhash("Double", "Band")).unwrap();
    let track = tree.library.album_track_records(album).next().unwrap();
    assert_eq!(
        tree.library.folder_for_pathhash(track.pathhash),
        Some(&*track.folder)
    );
    assert_eq!(tree.library.folder_for_pathhash(0), None);
}

#[test]
fn request_bodies_take_swing_defaults() {
    let parsed: FolderRequest = serde_json::from_str(r#"{"folder": "/m", "limit": -1}"#).unwrap();
    assert_eq!(parsed.folder, "/m");
    assert_eq!(parsed.limit, -1);
    assert_eq!(parsed.sorttracksby, "default");
    assert_eq!(parsed.sortfoldersby, "lastmod");
    let empty: FolderRequest = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, FolderRequest::default());
    assert_eq!(empty.folder, "$home");
    assert_eq!(empty.limit, 50);
}

/// `cargo test -p swingfly-library --release --test folders -- --ignored --nocapture`
#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn listing_3000_subfolders() {
    const FOLDERS: usize = 3_000;
    let dir = tempfile::tempdir().unwrap();
    let root = format!("{}/music", dir.path().display());
    let tracks: Vec<_> = (0..FOLDERS)
        .map(|index| {
            raw(&format!(
                "{root}/Artist {index} - Album {}/01 Song.flac",
                index % 97
            ))
            .title(&format!("Song {index}"))
            .artists(&format!("Artist {index}"))
            .album(&format!("Album {index}"), &format!("Artist {index}"))
            .build()
        })
        .collect();
    for track in &tracks {
        fs::create_dir_all(&track.folder).unwrap();
        fs::write(&track.filepath, b"not really audio").unwrap();
    }
    let library = Library::build(tracks, &IndexSettings::default(), &HashMap::new(), 1);
    let roots = [root.clone()];
    for sort in ["lastmod", "name"] {
        let request = FolderRequest {
            folder: "$home".to_owned(),
            sortfoldersby: sort.to_owned(),
            ..FolderRequest::default()
        };
        let listed = library.folder(&request, &roots, "/", &NoUser).unwrap();
        assert_eq!(listed.folders.len(), FOLDERS);
        const RUNS: u32 = 200;
        let started = std::time::Instant::now();
        for _ in 0..RUNS {
            let listed = library.folder(&request, &roots, "/", &NoUser).unwrap();
            assert_eq!(listed.folders.len(), FOLDERS);
        }
        println!(
            "folder($home, {FOLDERS} subfolders, sort {sort}): {:.3} ms",
            started.elapsed().as_secs_f64() * 1e3 / f64::from(RUNS)
        );
    }
}
