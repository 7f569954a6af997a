//! Album grouping, de-duplication, versions, types and the album routes.

mod common;

use common::*;
use serde_json::{json, Value};
use swingfly_library::{ItemKind, NoUser, PlayStats};
use swingfly_model::album::AlbumType;

const ROOT: &str = "/music";

#[test]
fn albums_count_distinct_trackhashes_and_keep_the_best_file() {
    let library = sample_library(ROOT);
    let record = library
        .album(albumhash(RECORD, "Band"))
        .expect("Record is indexed");
    assert_eq!(
        record.trackcount(),
        2,
        "the mp3 copy of the opener is the same track"
    );
    let files: Vec<&str> = library
        .album_track_records(record)
        .map(|track| &*track.filepath)
        .collect();
    assert_eq!(
        files,
        [
            "/music/Band/Record/01 Opening.flac",
            "/music/Band/Record/02 Song.flac"
        ]
    );
    assert_eq!(record.duration, 400);
    assert_eq!(record.created_date, 1_600_000_000);
    assert_eq!(record.date, 1_546_300_800, "2019-01-01");

    // The deluxe edition keeps its own (lower bitrate) files of the shared songs.
    let deluxe = library
        .album(albumhash(RECORD_DELUXE, "Band"))
        .expect("deluxe is indexed");
    assert_eq!(deluxe.trackcount(), 3);
    assert!(library
        .album_track_records(deluxe)
        .all(|track| track.filepath.contains("Record Deluxe")));

    // The track lookup serves the best file across both editions.
    let opener = library.album_track_records(deluxe).next().unwrap();
    let best = library.track(opener.trackhash).unwrap();
    assert_eq!(&*best.filepath, "/music/Band/Record/01 Opening.flac");
    assert_eq!(library.track_files(opener.trackhash).len(), 3);
    assert_eq!(library.stats().files, 20);
    assert_eq!(library.stats().albums, 9);
}

#[test]
fn titles_versions_and_types_follow_swing_rules() {
    let library = sample_library(ROOT);
    let deluxe = library.album(albumhash(RECORD_DELUXE, "Band")).unwrap();
    assert_eq!(&*deluxe.title, "Record");
    assert_eq!(&*deluxe.base_title, "Record");
    assert_eq!(&*deluxe.og_title, RECORD_DELUXE);
    assert_eq!(
        deluxe.versions.iter().map(|v| &**v).collect::<Vec<_>>(),
        ["deluxe"]
    );

    let kind =
        |album: &str, artist: &str| library.album(albumhash(album, artist)).unwrap().album_type;
    assert_eq!(kind(RECORD, "Band"), AlbumType::Album);
    assert_eq!(
        kind("Greatest Hits of the 80s", "Various Artists"),
        AlbumType::Compilation
    );
    assert_eq!(kind("Lonely", "Solo"), AlbumType::Single);
    assert_eq!(kind("Double", "Band"), AlbumType::Album);
}

#[test]
fn multi_disc_tracks_come_in_disc_and_track_order() {
    let library = sample_library(ROOT);
    let tracks = library
        .album_tracks(albumhash("Double", "Band"), &NoUser)
        .unwrap();
    let titles: Vec<&str> = tracks.iter().map(|track| &*track.title).collect();
    assert_eq!(titles, ["One", "Two", "Three", "Four"]);
    // GET /album/<h>/tracks carries no disc/track fields.
    let first = serde_json::to_value(&tracks[0]).unwrap();
    assert!(first.get("disc").is_none() && first.get("track").is_none());
    assert!(library.album_tracks(0x1234, &NoUser).is_none());
}

#[test]
fn album_page_has_swing_shape_and_values() {
    let library = sample_library(ROOT);
    let page = library
        .album_page(albumhash(RECORD, "Band"), 6, &NoUser)
        .unwrap();
    let value = serde_json::to_value(&page).unwrap();
    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "copyright",
            "extra",
            "info",
            "more_from",
            "other_versions",
            "stats",
            "tracks"
        ]
    );

    assert_eq!(value["copyright"], "(c) 2019 Band");
    assert_eq!(
        value["extra"],
        json!({"avg_bitrate": 950, "track_total": 1})
    );
    assert_eq!(value["tracks"][0]["disc"], 1);
    assert_eq!(value["tracks"][1]["track"], 2);
    assert_eq!(
        value["tracks"][1]["title"].as_str().unwrap().trim_end(),
        "Song"
    );

    let info = &value["info"];
    let info_keys: Vec<&String> = info.as_object().unwrap().keys().collect();
    assert_eq!(
        info_keys,
        [
            "albumartists",
            "albumhash",
            "artisthashes",
            "base_title",
            "blurhash",
            "color",
            "created_date",
            "date",
            "duration",
            "extra",
            "fav_userids",
            "genrehashes",
            "genres",
            "id",
            "image",
            "is_favorite",
            "lastplayed",
            "og_title",
            "pathhash",
            "playcount",
            "playduration",
            "title",
            "trackcount",
            "type",
            "versions",
            "weakhash"
        ]
    );
    let hash = hex(albumhash(RECORD, "Band"));
    assert_eq!(info["albumhash"], hash.as_str());
    assert_eq!(info["image"], format!("{hash}.webp"));
    assert_eq!(info["type"], "album");
    assert_eq!(info["id"], -1);
    assert_eq!(info["extra"], json!({}));
    assert_eq!(info["color"], "rgb(1, 2, 3)");
    assert_eq!(info["trackcount"], 2);
    assert_eq!(
        info["albumartists"],
        json!([{"artisthash": hex(artisthash("Band")), "name": "Band"}])
    );
    assert_eq!(
        info["genres"].as_array().unwrap().len(),
        2,
        "Rock and Pop, once each"
    );
    let genrehashes = info["genrehashes"].as_str().unwrap();
    assert_eq!(genrehashes.split(' ').count(), 2);

    // More from Band: neither edition of Record (same base title); Double.
    let band = hex(artisthash("Band"));
    let more: Vec<&str> = value["more_from"][&band]
        .as_array()
        .unwrap()
        .iter()
        .map(|card| card["title"].as_str().unwrap())
        .collect();
    assert_eq!(more, ["Double"]);

    let other: Vec<&Value> = value["other_versions"].as_array().unwrap().iter().collect();
    assert_eq!(other.len(), 1);
    assert_eq!(
        other[0]["albumhash"],
        hex(albumhash(RECORD_DELUXE, "Band")).as_str()
    );
    assert_eq!(other[0]["versions"], json!(["deluxe"]));

    let css: Vec<&str> = value["stats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["cssclass"].as_str().unwrap())
        .collect();
    assert_eq!(css, ["play_duration", "played", "toptrack", "completeness"]);
    assert_eq!(value["stats"][1]["value"], "2/2 tracks");
    assert_eq!(value["stats"][2]["value"], "—");
    assert_eq!(value["stats"][3]["text"], "2/? tracks available");

    assert!(library.album_page(42, 6, &NoUser).is_none());
}

#[test]
fn album_page_reflects_the_user_view() {
    let library = sample_library(ROOT);
    let album = library.album(albumhash("Double", "Band")).unwrap();
    let three = library.album_track_records(album).nth(2).unwrap();
    let mut user = ScriptedUser::default();
    user.plays.insert(
        three.trackhash,
        PlayStats {
            playcount: 2,
            playduration: 3700,
            lastplayed: 5,
        },
    );
    user.plays.insert(
        album.albumhash,
        PlayStats {
            playcount: 2,
            playduration: 3700,
            lastplayed: 5,
        },
    );
    user.favorites.push((ItemKind::Album, album.albumhash));
    user.favorites.push((ItemKind::Track, three.trackhash));

    let value =
        serde_json::to_value(library.album_page(album.albumhash, 6, &user).unwrap()).unwrap();
    assert_eq!(value["info"]["is_favorite"], true);
    assert_eq!(value["info"]["playcount"], 2);
    assert_eq!(value["info"]["playduration"], 3700);
    assert_eq!(value["tracks"][2]["is_favorite"], true);
    assert_eq!(value["tracks"][0]["is_favorite"], false);
    assert_eq!(value["stats"][0]["value"], "1 hr, 1 min");
    assert_eq!(value["stats"][1]["value"], "3/4 tracks");
    assert_eq!(value["stats"][2]["value"], "Three");
    assert_eq!(
        value["stats"][2]["text"],
        "top track (1 hr, 1 min listened)"
    );
    // Four tracks against a tagged total of 2 per disc: Swing reports "?".
    assert_eq!(value["stats"][3]["value"], "?");
    assert_eq!(value["extra"]["track_total"], 2);
}

#[test]
fn albums_from_artists_skip_repeats_and_the_base_title() {
    let library = sample_library(ROOT);
    let band = artisthash("Band");
    let all = library.albums_from_artists(&[band, band, 99], -1, "Something Else");
    let value = serde_json::to_value(&all).unwrap();
    let titles = |key: String| -> Vec<String> {
        value[&key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap().to_owned())
            .collect()
    };
    // Newest first; the compilation is not Band's (Various Artists is its album artist).
    assert_eq!(titles(hex(band)), ["Record", "Record", "Double"]);
    assert_eq!(titles(hex(99)), Vec::<String>::new());
    let limited = serde_json::to_value(library.albums_from_artists(&[band], 1, "record")).unwrap();
    assert_eq!(limited[hex(band)].as_array().unwrap().len(), 1);
    assert_eq!(
        limited[hex(band)][0]["title"],
        "Double",
        "base titles compare like hashes"
    );
}

#[test]
fn other_versions_are_symmetric_and_unknown_is_empty() {
    let library = sample_library(ROOT);
    let deluxe = library.other_versions(albumhash(RECORD_DELUXE, "Band"));
    assert_eq!(deluxe.len(), 1);
    assert_eq!(deluxe[0].albumhash.0, albumhash(RECORD, "Band"));
    assert!(library
        .other_versions(albumhash("Double", "Band"))
        .is_empty());
    assert!(library.other_versions(1).is_empty());
    assert!(library.album_similar(artisthash("Band"), 6).is_empty());
}

#[test]
fn artwork_candidates_list_files_with_pictures_else_the_first_track() {
    let library = sample_library(ROOT);
    let candidates = library.albums_for_artwork();
    assert_eq!(
        candidates.len(),
        library.stats().albums,
        "every album is a candidate"
    );
    let record = candidates
        .iter()
        .find(|(hash, _)| *hash == albumhash(RECORD, "Band"))
        .expect("the album with an embedded picture");
    assert_eq!(
        record.1,
        vec!["/music/Band/Record/01 Opening.flac".to_owned()],
        "only the files that carry a picture"
    );
    for (hash, paths) in &candidates {
        if *hash != record.0 {
            assert_eq!(
                paths.len(),
                1,
                "a folder image is looked for beside the first track"
            );
        }
    }
}
