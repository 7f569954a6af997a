//! Artist entities (track and album-artist credits, spellings) and the artist routes.

mod common;

use common::*;
use serde_json::{json, Value};
use swingfly_library::{ItemKind, NoUser, PlayStats};

const ROOT: &str = "/music";

fn titles(cards: &Value) -> Vec<String> {
    cards
        .as_array()
        .unwrap()
        .iter()
        .map(|card| card["title"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn featured_artists_become_entities_with_appearances() {
    let library = sample_library(ROOT);
    let guest = library
        .artist(artisthash("Guest"))
        .expect("the featured artist has an entity");
    assert_eq!(&*guest.name, "Guest");
    assert_eq!(
        guest.trackcount(),
        1,
        "Song on both editions is one trackhash"
    );
    assert_eq!(guest.albumcount(), 0, "appearances are not counted");

    let albums =
        serde_json::to_value(library.artist_albums(guest.artisthash, 6, false).unwrap()).unwrap();
    assert_eq!(titles(&albums["appearances"]), ["Record", "Record"]);
    assert!(albums["albums"].as_array().unwrap().is_empty());
    assert_eq!(albums["artistname"], "Guest");

    // The featured artist is appended to the track's artists.
    let song = library.artist_track_records(guest).next().unwrap();
    let names: Vec<&str> = song.artists.iter().map(|artist| &*artist.name).collect();
    assert_eq!(names, ["Band", "Guest"]);
}

#[test]
fn buckets_put_type_before_appearance() {
    let library = sample_library(ROOT);
    let band =
        serde_json::to_value(library.artist_albums(artisthash("Band"), 6, false).unwrap()).unwrap();
    assert_eq!(
        titles(&band["albums"]),
        ["Record", "Record", "Double"],
        "newest first"
    );
    assert_eq!(titles(&band["compilations"]), ["Greatest Hits of the 80s"]);
    assert!(band["appearances"].as_array().unwrap().is_empty());
    assert!(band["singles_and_eps"].as_array().unwrap().is_empty());

    let solo =
        serde_json::to_value(library.artist_albums(artisthash("Solo"), 6, false).unwrap()).unwrap();
    assert_eq!(titles(&solo["singles_and_eps"]), ["Lonely"]);

    let limited =
        serde_json::to_value(library.artist_albums(artisthash("Band"), 1, false).unwrap()).unwrap();
    assert_eq!(titles(&limited["albums"]), ["Record"]);
    let everything =
        serde_json::to_value(library.artist_albums(artisthash("Band"), 1, true).unwrap()).unwrap();
    assert_eq!(everything["albums"].as_array().unwrap().len(), 3);
    assert!(library.artist_albums(12345, 6, false).is_none());
}

#[test]
fn album_artist_only_artists_have_albums_but_no_tracks() {
    let library = sample_library(ROOT);
    let producer = library.artist(artisthash("DJ Producer")).unwrap();
    assert_eq!(producer.trackcount(), 0);
    assert_eq!(producer.albumcount(), 1);
    let page = serde_json::to_value(
        library
            .artist_page(producer.artisthash, 5, 7, false, &NoUser)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(titles(&page["albums"]["albums"]), ["Producer Presents"]);
    assert!(page["tracks"].as_array().unwrap().is_empty());
    assert!(page["stats"].as_array().unwrap().is_empty());
    assert_eq!(page["artist"]["trackcount"], 0);

    let singer = serde_json::to_value(
        library
            .artist_albums(artisthash("Singer"), 6, false)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(titles(&singer["appearances"]), ["Producer Presents"]);
}

#[test]
fn spellings_sharing_a_hash_merge_under_the_natural_first_name() {
    let library = sample_library(ROOT);
    assert_eq!(artisthash("Beyoncé"), artisthash("Beyonce"));
    let artist = library.artist(artisthash("Beyoncé")).unwrap();
    assert_eq!(&*artist.name, "Beyonce");
    assert_eq!(artist.trackcount(), 2);
    // Tracks keep their own spelling.
    let spellings: Vec<&str> = library
        .artist_track_records(artist)
        .map(|track| &*track.artists[0].name)
        .collect();
    assert!(spellings.contains(&"Beyoncé") && spellings.contains(&"Beyonce"));

    let utada = library.artist(artisthash("宇多田ヒカル")).unwrap();
    assert_eq!(&*utada.name, "宇多田ヒカル");
    assert_eq!(utada.trackcount(), 2);
}

#[test]
fn artist_page_orders_tracks_by_plays_and_adds_the_decade() {
    let library = sample_library(ROOT);
    let band = library.artist(artisthash("Band")).unwrap();
    let three = library
        .artist_track_records(band)
        .find(|track| &*track.title == "Three")
        .unwrap()
        .trackhash;
    let one = library
        .artist_track_records(band)
        .find(|track| &*track.title == "One")
        .unwrap()
        .trackhash;
    let mut user = ScriptedUser::default();
    user.plays.insert(
        three,
        PlayStats {
            playcount: 5,
            playduration: 500,
            lastplayed: 10,
        },
    );
    user.plays.insert(
        one,
        PlayStats {
            playcount: 1,
            playduration: 100,
            lastplayed: 10,
        },
    );
    user.favorites.push((ItemKind::Artist, band.artisthash));

    let page = serde_json::to_value(
        library
            .artist_page(band.artisthash, 3, 7, false, &user)
            .unwrap(),
    )
    .unwrap();
    let keys: Vec<&String> = page.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["albums", "artist", "stats", "tracks"]);
    let tracks = page["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 3);
    assert_eq!(tracks[0]["title"], "Three");
    assert_eq!(tracks[0]["help_text"], "5 plays");
    assert_eq!(tracks[1]["help_text"], "1 play");
    assert_eq!(tracks[2]["help_text"], "unplayed");

    let artist = &page["artist"];
    let artist_keys: Vec<&String> = artist.as_object().unwrap().keys().collect();
    assert_eq!(
        artist_keys,
        [
            "albumcount",
            "artisthash",
            "blurhash",
            "color",
            "duration",
            "genres",
            "image",
            "is_favorite",
            "name",
            "trackcount",
            "type"
        ]
    );
    assert_eq!(artist["trackcount"], 8);
    assert_eq!(
        artist["albumcount"], 3,
        "the compilation is Various Artists'"
    );
    assert_eq!(artist["is_favorite"], true);
    assert_eq!(artist["color"], "");
    assert_eq!(artist["image"], format!("{}.webp", hex(band.artisthash)));
    assert_eq!(
        artist["genres"][0],
        json!({"name": "80s", "genrehash": "80s"}),
        "Band's earliest track is from 1989"
    );
    assert_eq!(artist["genres"][1]["name"], "rock");

    let css: Vec<&str> = page["stats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["cssclass"].as_str().unwrap())
        .collect();
    assert_eq!(css, ["play_duration", "played", "toptrack", "topalbum"]);
    assert_eq!(page["stats"][3]["value"], "Double");

    // tracklimit -1 (or 0) returns every track.
    let all = serde_json::to_value(
        library
            .artist_page(band.artisthash, -1, 7, false, &user)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(all["tracks"].as_array().unwrap().len(), 8);
    assert!(library.artist_page(1, 5, 7, false, &NoUser).is_none());
}

#[test]
fn artists_without_own_albums_and_few_tracks_show_every_track() {
    let library = sample_library(ROOT);
    // Singer only appears on DJ Producer's album: no albums of their own, two tracks.
    let singer = library
        .artist_page(artisthash("Singer"), 1, 7, false, &NoUser)
        .unwrap();
    assert_eq!(singer.artist.albumcount, Some(0));
    assert_eq!(singer.tracks.len(), 2);
    // Band has albums, so the limit holds.
    let band = library
        .artist_page(artisthash("Band"), 1, 7, false, &NoUser)
        .unwrap();
    assert_eq!(band.tracks.len(), 1);
}

#[test]
fn artist_tracks_lists_everything_by_playcount() {
    let library = sample_library(ROOT);
    let singer = library.artist(artisthash("Singer")).unwrap();
    let second = library
        .artist_track_records(singer)
        .find(|t| &*t.title == "Second Vocal")
        .unwrap()
        .trackhash;
    let mut user = ScriptedUser::default();
    user.plays.insert(
        second,
        PlayStats {
            playcount: 2,
            playduration: 60,
            lastplayed: 1,
        },
    );
    let tracks = library.artist_tracks(singer.artisthash, &user).unwrap();
    let titles: Vec<&str> = tracks.iter().map(|track| &*track.title).collect();
    assert_eq!(titles, ["Second Vocal", "First Vocal"]);
    assert_eq!(tracks[0].help_text.as_deref(), Some("2 plays"));
    assert!(library.artist_tracks(3, &user).is_none());
    assert!(library.artist_similar(singer.artisthash, 6).is_empty());
}

#[test]
fn written_artist_answers_equal_the_built_ones() {
    let library = sample_library(ROOT);
    let band = library.artist(artisthash("Band")).unwrap();
    let mut user = ScriptedUser::default();
    let mut tracks = library.artist_track_records(band);
    let first = tracks.next().unwrap().trackhash;
    user.plays.insert(
        first,
        PlayStats {
            playcount: 3,
            playduration: 300,
            lastplayed: 5,
        },
    );
    user.favorites.push((ItemKind::Track, first));
    user.favorites.push((ItemKind::Artist, band.artisthash));
    for artist in library.artists() {
        for view in [&NoUser as &dyn swingfly_library::UserView, &user] {
            for (tracklimit, albumlimit, all) in [(3, 7, false), (0, 2, false), (1, -1, true)] {
                let built = library
                    .artist_page(artist.artisthash, tracklimit, albumlimit, all, view)
                    .unwrap();
                let written = library
                    .artist_page_json(artist.artisthash, tracklimit, albumlimit, all, view)
                    .unwrap();
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    serde_json::to_string(&built).unwrap(),
                    "{} {tracklimit} {albumlimit} {all}",
                    artist.name
                );
            }
            assert_eq!(
                String::from_utf8(library.artist_tracks_json(artist.artisthash, view).unwrap())
                    .unwrap(),
                serde_json::to_string(&library.artist_tracks(artist.artisthash, view).unwrap())
                    .unwrap()
            );
        }
    }
    assert!(library.artist_page_json(3, 1, 1, false, &user).is_none());
    assert!(library.artist_tracks_json(3, &user).is_none());
}
