//! The wire shapes of tracks and cards (reference §4.1).

mod common;

use common::*;
use serde_json::json;
use swingfly_library::{ItemKind, NoUser};

#[test]
fn track_json_has_swing_keys_and_formats() {
    let library = sample_library("/music");
    let album = library.album(albumhash(RECORD, "Band")).unwrap();
    let song = library.album_track_records(album).nth(1).unwrap();
    let mut user = ScriptedUser::default();
    user.favorites.push((ItemKind::Track, song.trackhash));
    let value = serde_json::to_value(library.track_json(song, &user)).unwrap();

    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "album",
            "albumartists",
            "albumhash",
            "artisthashes",
            "artists",
            "bitrate",
            "blurhash",
            "color",
            "duration",
            "explicit",
            "extra",
            "filepath",
            "folder",
            "image",
            "is_favorite",
            "title",
            "trackhash",
            "weakhash"
        ]
    );
    let album_hex = hex(album.albumhash);
    assert_eq!(value["albumhash"], album_hex.as_str());
    assert_eq!(value["album"], "Record");
    assert_eq!(value["folder"], "/music/Band/Record/");
    assert_eq!(value["filepath"], "/music/Band/Record/02 Song.flac");
    assert_eq!(
        value["image"],
        format!("{album_hex}.webp?pathhash={}", hex(song.pathhash))
    );
    assert_eq!(value["color"], "rgb(1, 2, 3)");
    assert_eq!(value["blurhash"], "LKO2?U%2Tw=w");
    assert_eq!(value["is_favorite"], true);
    assert_eq!(value["bitrate"], 900);
    assert_eq!(value["duration"], 200);
    assert_eq!(
        value["artists"],
        json!([
            {"artisthash": hex(artisthash("Band")), "name": "Band"},
            {"artisthash": hex(artisthash("Guest")), "name": "Guest"}
        ])
    );
    assert_eq!(
        value["artisthashes"],
        json!([hex(artisthash("Band")), hex(artisthash("Guest"))])
    );
    for hash in ["trackhash", "weakhash", "albumhash"] {
        let text = value[hash].as_str().unwrap();
        assert_eq!(text.len(), 16);
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }

    let extra = value["extra"].as_object().unwrap();
    let extra_keys: Vec<&String> = extra.keys().collect();
    assert_eq!(
        extra_keys,
        ["artist", "channels", "filesize", "genre", "samplerate"]
    );
    assert_eq!(value["extra"]["genre"], json!(["rock", "pop"]));
    assert_eq!(value["extra"]["artist"], json!(["Band", "Guest"]));
    assert!(extra.get("lyrics").is_none());

    // Tagged totals appear when present; tracks without album art have empty colour strings.
    let double = library.album(albumhash("Double", "Band")).unwrap();
    let one = serde_json::to_value(
        library.track_json(library.album_track_records(double).next().unwrap(), &NoUser),
    )
    .unwrap();
    assert_eq!(one["extra"]["track_total"], 2);
    assert_eq!(one["extra"]["disc_total"], 2);
    assert_eq!(one["color"], "");
    assert_eq!(one["folder"], "/music/Band/Double/CD1/");
}

#[test]
fn cards_have_swing_keys() {
    let library = sample_library("/music");
    let album = library.album(albumhash("Double", "Band")).unwrap();
    let card = serde_json::to_value(library.album_card(album)).unwrap();
    let keys: Vec<&String> = card.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "albumartists",
            "albumhash",
            "blurhash",
            "color",
            "date",
            "image",
            "pathhash",
            "title",
            "type",
            "versions"
        ]
    );
    assert_eq!(card["type"], "album");
    assert_eq!(card["color"], json!(null));
    assert_eq!(card["image"], format!("{}.webp", hex(album.albumhash)));
    assert_eq!(card["pathhash"].as_str().unwrap().len(), 16);

    let artist = library.artist(artisthash("Solo")).unwrap();
    let card = serde_json::to_value(library.artist_card(artist)).unwrap();
    assert_eq!(
        card,
        json!({
            "artisthash": hex(artist.artisthash),
            "blurhash": "",
            "color": "",
            "image": format!("{}.webp", hex(artist.artisthash)),
            "name": "Solo",
            "type": "artist"
        })
    );
}
