//! GET /search/top and GET /search/: the top result decides the rest; paging is exact.

mod common;

use common::*;
use serde_json::Value;
use swingfly_library::{NoUser, PlayStats, SearchKind};

fn titles(items: &Value, field: &str) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_artist_top_result_leads_tracks_and_albums() {
    let library = sample_library("/music");
    let band = library.artist(artisthash("Band")).unwrap();
    let four = library
        .artist_track_records(band)
        .find(|t| &*t.title == "Four")
        .unwrap()
        .trackhash;
    let mut user = ScriptedUser::default();
    user.plays.insert(
        four,
        PlayStats {
            playcount: 1,
            playduration: 999,
            lastplayed: 1,
        },
    );

    let value = serde_json::to_value(library.search_top("band", 6, &user)).unwrap();
    let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["albums", "artists", "top_result", "tracks"]);
    assert_eq!(value["top_result"]["type"], "artist");
    assert_eq!(value["top_result"]["name"], "Band");
    assert_eq!(value["top_result"]["trackcount"], 8);
    assert_eq!(value["top_result"]["albumcount"], 3);
    let tracks = titles(&value["tracks"], "title");
    assert_eq!(tracks.len(), 4);
    assert_eq!(tracks[0], "Four", "the most listened track leads");
    let albums = titles(&value["albums"], "title");
    assert_eq!(&albums[..3], ["Record", "Record", "Double"]);
    assert!(titles(&value["artists"], "name").contains(&"The Zeta Band".to_owned()));
}

#[test]
fn an_album_top_result_brings_its_tracks() {
    let library = sample_library("/music");
    let value = serde_json::to_value(library.search_top("double", 6, &NoUser)).unwrap();
    assert_eq!(value["top_result"]["type"], "album");
    assert_eq!(value["top_result"]["title"], "Double");
    assert_eq!(
        titles(&value["tracks"], "title"),
        ["One", "Two", "Three", "Four"]
    );
}

#[test]
fn ties_prefer_tracks_over_albums() {
    let library = sample_library("/music");
    let value = serde_json::to_value(library.search_top("lonely", 6, &NoUser)).unwrap();
    assert_eq!(value["top_result"]["type"], "track");
    assert_eq!(value["top_result"]["title"], "Lonely");
    assert_eq!(titles(&value["albums"], "title"), ["Lonely"]);
}

#[test]
fn nothing_matched_gives_null_and_empty_lists() {
    let library = sample_library("/music");
    let value = serde_json::to_value(library.search_top("zzzzqqq", 6, &NoUser)).unwrap();
    assert_eq!(value["top_result"], Value::Null);
    assert!(value["tracks"].as_array().unwrap().is_empty());
    let empty = library.search("   ", SearchKind::Tracks, 0, 30, &NoUser);
    assert!(empty.results.is_empty() && !empty.more);
}

#[test]
fn search_pages_never_drop_the_last_item() {
    let library = sample_library("/music");
    let page = |start: usize, limit: i64| {
        let response = library.search("band", SearchKind::Tracks, start, limit, &NoUser);
        let value = serde_json::to_value(&response).unwrap();
        (titles(&value["results"], "title"), response.more)
    };
    let (all, more) = page(0, -1);
    assert_eq!(all.len(), 8, "all of Band's tracks, one per trackhash");
    assert!(!more);
    let (first, more) = page(0, 3);
    assert_eq!(first, all[..3]);
    assert!(more);
    let (last, more) = page(6, 3);
    assert_eq!(last, all[6..]);
    assert!(!more);
    let (tail, _) = page(7, -1);
    assert_eq!(tail, all[7..]);
    assert!(page(8, 5).0.is_empty());
}

#[test]
fn albums_and_artists_kinds() {
    let library = sample_library("/music");
    let albums = library.search("record", SearchKind::Albums, 0, 30, &NoUser);
    let value = serde_json::to_value(&albums).unwrap();
    assert_eq!(titles(&value["results"], "title"), ["Record", "Record"]);
    assert_eq!(value["results"][0]["type"], "album");

    let artists =
        serde_json::to_value(library.search("beyoncé", SearchKind::Artists, 0, 30, &NoUser))
            .unwrap();
    assert_eq!(titles(&artists["results"], "name")[0], "Beyonce");
    let cjk = serde_json::to_value(library.search("宇多田", SearchKind::Artists, 0, 30, &NoUser))
        .unwrap();
    assert_eq!(titles(&cjk["results"], "name"), ["宇多田ヒカル"]);
    assert!("podcasts".parse::<SearchKind>().is_err());
}

/// More than 150 matches of every kind, artists and albums sharing the query words, and files
/// sharing trackhashes, so the top result leads the lists and duplicates are dropped.
fn crowded_library() -> swingfly_library::Library {
    let tracks = (0..600)
        .map(|index| {
            let artist = format!("Gold Band {}", index % 40);
            let album = format!("Golden Days {}", index % 200);
            // Every fifth file is a second copy of the previous title (same trackhash).
            let title = format!("Gold Song {}", index - index % 5 / 4);
            raw(&format!("/music/{artist}/{album}/{index}.flac"))
                .title(&title)
                .artists(&artist)
                .album(&album, &artist)
                .build()
        })
        .collect();
    swingfly_library::Library::build(
        tracks,
        &swingfly_model::IndexSettings::default(),
        &std::collections::HashMap::new(),
        1,
    )
}

/// The first match of each kind (the top result) and the lists' first items need only that many
/// matches; the results must equal slices of the whole 150-match lists.
#[test]
fn pages_equal_slices_of_the_full_result_lists() {
    let library = crowded_library();
    for query in ["gold", "gold band 7", "golden days", "song 12", "band"] {
        for kind in [SearchKind::Tracks, SearchKind::Albums, SearchKind::Artists] {
            let full = serde_json::to_value(library.search(query, kind, 0, -1, &NoUser)).unwrap();
            let full = full["results"].as_array().unwrap().clone();
            for (start, limit) in [
                (0, 30),
                (30, 30),
                (0, 1),
                (120, 30),
                (140, 9),
                (149, 5),
                (0, 200),
                (5, -1),
            ] {
                let response = library.search(query, kind, start, limit, &NoUser);
                let end = if limit < 0 {
                    full.len()
                } else {
                    (start + limit as usize).min(full.len())
                };
                let expected = &full[start.min(full.len())..end];
                let value = serde_json::to_value(&response).unwrap();
                assert_eq!(
                    value["results"].as_array().unwrap(),
                    expected,
                    "{query} {kind:?} {start} {limit}"
                );
                assert_eq!(
                    response.more,
                    end < full.len(),
                    "{query} {kind:?} {start} {limit}"
                );
            }
        }
        let all = serde_json::to_value(library.search_top(query, 150, &NoUser)).unwrap();
        for limit in [0, 1, 3, 6] {
            let top = serde_json::to_value(library.search_top(query, limit, &NoUser)).unwrap();
            assert_eq!(top["top_result"], all["top_result"], "{query} {limit}");
            assert_eq!(top["tracks"], all["tracks"], "{query} {limit}");
            for list in ["albums", "artists"] {
                let expected: Vec<Value> = all[list]
                    .as_array()
                    .unwrap()
                    .iter()
                    .take(limit)
                    .cloned()
                    .collect();
                assert_eq!(
                    top[list].as_array().unwrap(),
                    &expected,
                    "{query} {list} {limit}"
                );
            }
        }
    }
}

/// The byte answers (written straight from the index) are the owned answers' JSON, byte for
/// byte: every key, optional tag, favourite flag and the top result's `type`.
#[test]
fn json_bytes_equal_the_serialised_answers() {
    let mut tracks = sample_tracks("/music");
    let mut noted = raw("/music/Notes/01 \"Quoted\" \\ Song.flac")
        .title("Love \"Quoted\" \\ Song\u{1}")
        .artists("Band; Guest \u{e9}")
        .album("Notes", "Band")
        .genres("Rock; Pop")
        .totals(12, 2);
    noted.0.composer = Some("Composer \u{4e2d}".to_owned());
    noted.0.comment = Some("A\ncomment".to_owned());
    noted.0.bitdepth = Some(24);
    tracks.push(noted.build());
    tracks.push(raw("/song at the root.mp3").title("Root love").build());
    let library = swingfly_library::Library::build(
        tracks,
        &swingfly_model::IndexSettings::default(),
        &std::collections::HashMap::new(),
        1,
    );
    let mut user = ScriptedUser::default();
    for track in library
        .search("o", SearchKind::Tracks, 0, -1, &NoUser)
        .results
    {
        if let swingfly_library::wire::SearchItemJson::Track(track) = track {
            user.favorites
                .push((swingfly_library::ItemKind::Track, track.trackhash.0));
            break;
        }
    }
    assert_eq!(user.favorites.len(), 1);

    for query in ["band", "love", "lvoe", "one", "notes", "o", "root", "zzzz"] {
        for kind in [SearchKind::Tracks, SearchKind::Albums, SearchKind::Artists] {
            for (start, limit) in [(0, 30), (1, 2), (0, -1), (5, 3)] {
                for view in [&NoUser as &dyn swingfly_library::UserView, &user] {
                    let owned = library.search(query, kind, start, limit, view);
                    assert_eq!(
                        String::from_utf8(library.search_json(query, kind, start, limit, view))
                            .unwrap(),
                        serde_json::to_string(&owned).unwrap(),
                        "{query} {kind:?} {start} {limit}"
                    );
                }
            }
        }
        for limit in [1, 6, usize::MAX] {
            for view in [&NoUser as &dyn swingfly_library::UserView, &user] {
                assert_eq!(
                    String::from_utf8(library.search_top_json(query, limit, view)).unwrap(),
                    serde_json::to_string(&library.search_top(query, limit, view)).unwrap(),
                    "top {query} {limit}"
                );
            }
        }
    }
    let favourite =
        String::from_utf8(library.search_json("o", SearchKind::Tracks, 0, -1, &user)).unwrap();
    assert!(favourite.contains("\"is_favorite\":true"));
}
