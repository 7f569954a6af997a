//! The home rows and mixes over real HTTP, on a library of real generated audio: section order and
//! shapes, recently played (also for a user with no history at start), two users side by side,
//! the recently added grouping rules, and the mix routes with their errors.
//!
//! `home_latency_at_scale` (ignored by default) measures `/nothome/` over 100k tracks and 100k
//! plays; see its doc comment for the command.

mod library_support;

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use library_support::{ffmpeg, TestServer, SOLO_MP3, STANDARD_EDITION};
use serde_json::{json, Value};

/// Every fixed section key, in Swing's order.
const ORDER: &[&str] = &[
    "recently_played",
    "artist_mixes",
    "custom_mixes",
    "top_streamed_weekly_artists",
    "top_streamed_monthly_artists",
    "because_you_listened_to_artist",
    "artists_you_might_like",
];

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Who is calling: the admin (the server's cookie client) or a bearer token.
#[derive(Clone, Copy)]
enum Caller<'a> {
    Admin,
    Token(&'a str),
}

async fn get(server: &TestServer, caller: Caller<'_>, path: &str) -> (u16, Value) {
    let request = match caller {
        Caller::Admin => server.client.get(server.url(path)),
        Caller::Token(token) => reqwest::Client::new()
            .get(server.url(path))
            .bearer_auth(token),
    };
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post(server: &TestServer, caller: Caller<'_>, path: &str, body: Value) -> (u16, Value) {
    let request = match caller {
        Caller::Admin => server.client.post(server.url(path)),
        Caller::Token(token) => reqwest::Client::new()
            .post(server.url(path))
            .bearer_auth(token),
    };
    let response = request.json(&body).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Logs one play through `/logger/track/log`.
async fn log_play(
    server: &TestServer,
    caller: Caller<'_>,
    trackhash: &str,
    timestamp: i64,
    source: &str,
) {
    let (status, body) = post(
        server,
        caller,
        "/logger/track/log",
        json!({"trackhash": trackhash, "timestamp": timestamp, "duration": 120, "source": source}),
    )
    .await;
    assert_eq!(status, 201, "play logged: {body}");
}

/// The home page as `[(key, section)]`.
async fn home(server: &TestServer, caller: Caller<'_>, query: &str) -> Vec<(String, Value)> {
    let (status, body) = get(server, caller, &format!("/nothome/{query}")).await;
    assert_eq!(status, 200, "{body}");
    body.as_array()
        .expect("the home page is a list")
        .iter()
        .map(|entry| {
            let object = entry.as_object().expect("an entry is an object");
            assert_eq!(object.len(), 1, "one key per entry: {entry}");
            let (key, section) = object.iter().next().unwrap();
            (key.clone(), section.clone())
        })
        .collect()
}

fn section<'a>(page: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    page.iter()
        .find(|(found, _)| found == key)
        .map(|(_, section)| section)
}

fn keys(page: &[(String, Value)]) -> Vec<&str> {
    page.iter().map(|(key, _)| key.as_str()).collect()
}

/// The fixed keys of a page keep Swing's order, collections sit after them, and recently added
/// comes last.
fn assert_order(page: &[(String, Value)]) {
    let keys = keys(page);
    let mut position = 0;
    for key in &keys {
        if let Some(index) = ORDER.iter().position(|known| known == key) {
            assert!(index >= position, "order of {keys:?}");
            position = index;
        } else if *key != "recently_added" {
            assert!(key.parse::<i64>().is_ok(), "a collection id: {key}");
            position = ORDER.len();
        }
    }
    if let Some(last) = keys.iter().position(|key| *key == "recently_added") {
        assert_eq!(last, keys.len() - 1, "recently added is last: {keys:?}");
    }
}

fn item_types(section: &Value) -> Vec<String> {
    section["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["type"].as_str().unwrap().to_owned())
        .collect()
}

async fn user_id(server: &TestServer, caller: Caller<'_>) -> i64 {
    let (status, body) = get(server, caller, "/auth/user").await;
    assert_eq!(status, 200, "{body}");
    body["id"].as_i64().expect("user id")
}

/// A tagged sine tone with a genre, made by ffmpeg like the shared library's files.
fn write_tagged(root: &Path, relative: &str, tags: [&str; 4], mtime: i64) {
    let [title, artist, album, genre] = tags;
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut args: Vec<String> = vec![
        "-f".into(),
        "lavfi".into(),
        "-i".into(),
        "sine=frequency=440:duration=1".into(),
    ];
    for (key, value) in [
        ("title", title),
        ("artist", artist),
        ("album_artist", artist),
        ("album", album),
        ("genre", genre),
        ("date", "2021"),
    ] {
        args.push("-metadata".into());
        args.push(format!("{key}={value}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ffmpeg(&args, &path);
    let time = UNIX_EPOCH + Duration::from_secs(mtime as u64);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

struct Hashes {
    city_lights: String,
    neon_rain: String,
    lonely_signal: String,
    echo: String,
    night_drive: String,
    aurora: String,
    beta: String,
}

async fn hashes(server: &TestServer) -> Hashes {
    let track = |title: &'static str| async move {
        server
            .all_tracks()
            .await
            .into_iter()
            .find(|track| track["title"] == title)
            .unwrap_or_else(|| panic!("{title}"))
    };
    let city = server.track_at(STANDARD_EDITION).await;
    let solo = server.track_at(SOLO_MP3).await;
    Hashes {
        city_lights: city["trackhash"].as_str().unwrap().to_owned(),
        neon_rain: track("Neon Rain").await["trackhash"]
            .as_str()
            .unwrap()
            .to_owned(),
        lonely_signal: solo["trackhash"].as_str().unwrap().to_owned(),
        echo: track("Echo").await["trackhash"]
            .as_str()
            .unwrap()
            .to_owned(),
        night_drive: city["albumhash"].as_str().unwrap().to_owned(),
        aurora: city["artists"][0]["artisthash"]
            .as_str()
            .unwrap()
            .to_owned(),
        beta: solo["artists"][0]["artisthash"]
            .as_str()
            .unwrap()
            .to_owned(),
    }
}

#[tokio::test]
async fn rows_keep_swings_order_and_expand_their_items() {
    let server = TestServer::start().await;
    let admin = Caller::Admin;

    // Nothing played yet: only recently added.
    let page = home(&server, admin, "").await;
    assert_eq!(keys(&page), ["recently_added"]);
    let (status, body) = get(&server, admin, "/nothome/recents/played").await;
    assert_eq!((status, body), (200, json!({"items": []})));

    let h = hashes(&server).await;
    let t = now() - 30;
    let folder = server.path_of("Aurora Lane/Night Drive");
    let mix_source = format!("mix:a{}.{}", h.aurora, h.aurora);
    for (offset, trackhash, source) in [
        (9, &h.neon_rain, format!("al:{}", h.night_drive)),
        (8, &h.neon_rain, format!("al:{}", h.night_drive)),
        (7, &h.neon_rain, format!("al:{}", h.night_drive)),
        (6, &h.lonely_signal, String::new()),
        (5, &h.lonely_signal, String::new()),
        (4, &h.echo, format!("ar:{}", h.beta)),
        (3, &h.city_lights, format!("fo:{folder}")),
        (2, &h.neon_rain, "favorite".to_owned()),
        (1, &h.echo, mix_source.clone()),
        (0, &h.lonely_signal, "pl:recentlyadded".to_owned()),
    ] {
        log_play(&server, admin, trackhash, t - offset, &source).await;
    }
    let (status, created) = post(
        &server,
        admin,
        "/collections",
        json!({"name": "Keepers", "description": "the good ones", "items": [
            {"type": "album", "hash": h.night_drive},
            {"type": "artist", "hash": h.beta},
        ]}),
    )
    .await;
    assert_eq!(status, 201, "{created}");

    let page = home(&server, admin, "?limit=9").await;
    assert_order(&page);
    let present = keys(&page);
    for key in [
        "recently_played",
        "artist_mixes",
        "custom_mixes",
        "top_streamed_weekly_artists",
        "top_streamed_monthly_artists",
        "because_you_listened_to_artist",
        "recently_added",
    ] {
        assert!(present.contains(&key), "{key} in {present:?}");
    }

    // Recently played: newest first, one entry per source, each mapped to its item.
    let recent = section(&page, "recently_played").unwrap();
    assert_eq!(recent["title"], "Recently played");
    assert_eq!(
        item_types(recent),
        ["playlist", "mix", "favorite", "folder", "artist", "track", "album"]
    );
    let items = recent["items"].as_array().unwrap();
    assert_eq!(items[0]["item"]["id"], "recentlyadded");
    assert_eq!(items[1]["item"]["id"], format!("a{}", h.aurora));
    assert_eq!(items[1]["item"]["type"], "mix");
    assert_eq!(items[2]["item"]["count"], 0, "no favourites yet");
    assert_eq!(items[3]["item"]["path"], format!("{folder}/"));
    assert_eq!(items[3]["item"]["count"], 2);
    assert_eq!(items[4]["item"]["artisthash"], h.beta.as_str());
    assert_eq!(items[5]["item"]["trackhash"], h.lonely_signal.as_str());
    let album = &items[6]["item"];
    assert_eq!(album["albumhash"], h.night_drive.as_str());
    assert!(album["trackcount"].is_number(), "albums come full: {album}");
    assert!(album["genres"].is_array());
    for item in items {
        assert_eq!(item["item"]["help_text"], item["type"], "{item}");
        assert!(
            item["item"]["time"].as_str().unwrap().ends_with("ago"),
            "{item}"
        );
    }

    // The raw form, with its limit.
    let (status, raw) = get(&server, admin, "/nothome/recents/played?limit=3").await;
    assert_eq!(status, 200);
    assert_eq!(
        raw["items"],
        json!([
            {"type": "playlist", "hash": "recentlyadded", "timestamp": t, "is_custom": true},
            {"type": "mix", "hash": format!("a{}", h.aurora), "timestamp": t - 1},
            {"type": "favorite", "hash": "favorites", "timestamp": t - 2},
        ])
    );

    // Top artists: seconds listened as help text, plays as the second line.
    let week = section(&page, "top_streamed_weekly_artists").unwrap();
    let top: Vec<&Value> = week["items"].as_array().unwrap().iter().collect();
    assert_eq!(top.len(), 2);
    assert!(top.iter().all(|item| item["type"] == "artist"));
    assert_eq!(top[0]["item"]["secondary_text"], "5 plays");
    assert_eq!(top[0]["item"]["help_text"], "10 mins");

    // "Because you listened to" has no description.
    let because = section(&page, "because_you_listened_to_artist").unwrap();
    assert!(because["title"]
        .as_str()
        .unwrap()
        .starts_with("Because you listened to "));
    assert!(because.get("description").is_none());
    assert!(!because["items"].as_array().unwrap().is_empty());

    // Mix cards.
    let mixes = section(&page, "artist_mixes").unwrap();
    for item in mixes["items"].as_array().unwrap() {
        assert_eq!(item["type"], "mix");
        let mix = &item["item"];
        assert!(mix["id"].as_str().unwrap().starts_with('a'));
        assert_eq!(mix["sourcehash"], mix["extra"]["og_sourcehash"]);
        assert_eq!(mix["trackshash"].as_str().unwrap().len(), 16);
        assert_eq!(mix["saved"], false);
    }
    let custom = section(&page, "custom_mixes").unwrap();
    for item in custom["items"].as_array().unwrap() {
        assert!(item["item"]["id"].as_str().unwrap().starts_with('t'));
    }

    // The collection row: newest item first, cards expanded.
    let id = created["id"]
        .as_i64()
        .map(|id| id.to_string())
        .unwrap_or_else(|| {
            keys(&page)
                .into_iter()
                .find(|key| key.parse::<i64>().is_ok())
                .expect("a collection row")
                .to_owned()
        });
    let collection = section(&page, &id).expect("collection row");
    assert_eq!(collection["title"], "Keepers");
    assert_eq!(collection["description"], "the good ones");
    assert_eq!(collection["url"], format!("collections/{id}"));
    assert_eq!(item_types(collection), ["artist", "album"]);

    // Items per row follow `limit`.
    let page = home(&server, admin, "?limit=2").await;
    for (key, section) in &page {
        let count = section["items"].as_array().unwrap().len();
        assert!(count <= 2, "{key} holds {count}");
    }
    let (status, _) = get(&server, admin, "/nothome/?limit=lots").await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn two_users_side_by_side_and_a_first_history() {
    let server = TestServer::start().await;
    let music = server.music.clone();
    let base = now() - 10_000;
    write_tagged(
        &music,
        "Delta Crew/Lights/01 - Glow.flac",
        ["Glow", "Delta Crew", "Lights", "Synthwave"],
        base,
    );
    write_tagged(
        &music,
        "Jazz Cat/Blue/01 - Slow.flac",
        ["Slow", "Jazz Cat", "Blue", "Jazz"],
        base,
    );
    server.app.scan(&|_| {}).await.expect("rescan");
    let h = hashes(&server).await;
    let (_, token) = server.plain_user_client().await;
    let admin = Caller::Admin;
    let listener = Caller::Token(&token);
    assert_ne!(
        user_id(&server, admin).await,
        user_id(&server, listener).await
    );

    // The admin listens to Aurora Lane; the listener has no history yet.
    let t = now() - 100;
    for offset in 0..4 {
        log_play(&server, admin, &h.neon_rain, t - offset, "").await;
    }
    let listener_page = home(&server, listener, "").await;
    assert_eq!(
        keys(&listener_page),
        ["recently_added"],
        "another user's plays show nothing here"
    );
    let admin_before = home(&server, admin, "").await;

    // The listener's first plays show at once (Swing needed a restart).
    let slow = server
        .all_tracks()
        .await
        .into_iter()
        .find(|track| track["title"] == "Slow")
        .unwrap();
    let slow_hash = slow["trackhash"].as_str().unwrap().to_owned();
    let jazz_cat = slow["artists"][0]["artisthash"]
        .as_str()
        .unwrap()
        .to_owned();
    log_play(&server, listener, &h.city_lights, t + 1, "").await;
    log_play(&server, listener, &slow_hash, t + 2, "").await;
    let (_, raw) = get(&server, listener, "/nothome/recents/played").await;
    let hashes_played: Vec<&str> = raw["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["hash"].as_str().unwrap())
        .collect();
    assert_eq!(hashes_played, [slow_hash.as_str(), h.city_lights.as_str()]);

    // Each user's own rows hold only their own plays.
    let admin_page = home(&server, admin, "").await;
    let recent = section(&admin_page, "recently_played").unwrap();
    assert_eq!(item_types(recent), ["track"]);
    assert_eq!(
        recent["items"][0]["item"]["trackhash"],
        h.neon_rain.as_str()
    );
    let week = section(&admin_page, "top_streamed_weekly_artists").unwrap();
    assert_eq!(week["items"].as_array().unwrap().len(), 1);
    assert_eq!(week["items"][0]["item"]["artisthash"], h.aurora.as_str());
    assert_eq!(week["items"][0]["item"]["secondary_text"], "4 plays");

    let listener_page = home(&server, listener, "").await;
    let week = section(&listener_page, "top_streamed_weekly_artists").unwrap();
    let artists: Vec<&str> = week["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["item"]["artisthash"].as_str().unwrap())
        .collect();
    assert_eq!(artists.len(), 2);
    assert!(artists.contains(&h.aurora.as_str()) && artists.contains(&jazz_cat.as_str()));
    assert!(
        artists.iter().all(|artist| week["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|item| item["item"]["artisthash"] == *artist
                && item["item"]["secondary_text"] == "1 play")),
        "the admin's four plays are not counted here: {week}"
    );

    // Only the anonymous co-listening sums cross over: the listener played Aurora Lane beside
    // Jazz Cat (no shared genre), so Jazz Cat is suggested to the admin; Delta Crew shares
    // Aurora Lane's genre.
    let suggested = section(&admin_before, "artists_you_might_like")
        .map(|row| {
            row["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["item"]["artisthash"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    // Other users' listening reaches a cached page when its five-minute bucket turns (the admin's
    // own data did not change); drop the cached page instead of waiting.
    server
        .app
        .cache
        .clear_namespace(swingfly_cache::Namespace::Home)
        .await;
    let admin_page = home(&server, admin, "").await;
    let suggested_now: Vec<String> = section(&admin_page, "artists_you_might_like")
        .expect("suggestions")["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["item"]["artisthash"].as_str().unwrap().to_owned())
        .collect();
    assert!(suggested_now.contains(&jazz_cat), "{suggested_now:?}");
    assert!(
        !suggested.contains(&jazz_cat),
        "before the listener's plays no one linked Jazz Cat to Aurora Lane: {suggested:?}"
    );
    assert!(
        !suggested_now.contains(&h.aurora),
        "an artist the admin plays a lot is not suggested"
    );

    // Saving a mix is per user.
    let mixid = format!("a{}", h.aurora);
    let (status, body) = post(
        &server,
        admin,
        "/plugins/mixes/save",
        json!({"mixid": mixid, "type": "artists", "sourcehash": h.aurora}),
    )
    .await;
    assert_eq!((status, &body["saved"]), (200, &json!(true)), "{body}");
    let (_, mine) = get(&server, admin, "/plugins/mixes/artists").await;
    let (_, theirs) = get(&server, listener, "/plugins/mixes/artists").await;
    let saved_flag = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|mix| mix["id"] == mixid.as_str())
            .map(|mix| mix["saved"].clone())
    };
    assert_eq!(saved_flag(&mine), Some(json!(true)));
    assert_eq!(saved_flag(&theirs), Some(json!(false)));
}

/// The page comes from the cache tier, yet every change of the caller's own data shows on the very
/// next request: a play, a favourite, a new or deleted collection, a saved mix.
#[tokio::test]
async fn the_cached_page_follows_the_users_own_changes_at_once() {
    let server = TestServer::start().await;
    let admin = Caller::Admin;
    let h = hashes(&server).await;
    let t = now();
    let first = home(&server, admin, "").await;
    assert!(section(&first, "recently_played").is_none(), "no plays yet");
    assert_eq!(home(&server, admin, "").await, first, "the same page twice");

    log_play(&server, admin, &h.city_lights, t - 60, "").await;
    let page = home(&server, admin, "").await;
    assert!(
        section(&page, "recently_played").is_some(),
        "the play shows at once"
    );

    let (status, created) = post(
        &server,
        admin,
        "/collections",
        json!({"name": "Keepers", "description": "", "items": [{"type": "album", "hash": h.night_drive}]}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let with_collection = home(&server, admin, "").await;
    assert_eq!(
        with_collection.len(),
        page.len() + 1,
        "the new collection row shows at once"
    );
    let (_, collections) = get(&server, admin, "/collections").await;
    let id = collections[0]["id"].as_i64().unwrap();
    let response = server
        .client
        .delete(server.url(&format!("/collections/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        home(&server, admin, "").await.len(),
        page.len(),
        "and goes at once"
    );

    let (status, _) = post(
        &server,
        admin,
        "/favorites/add",
        json!({"hash": h.city_lights, "type": "track"}),
    )
    .await;
    assert_eq!(status, 200);
    log_play(&server, admin, &h.neon_rain, t - 30, "favorite").await;
    let page = home(&server, admin, "").await;
    let recent = section(&page, "recently_played").unwrap();
    assert!(
        item_types(recent).contains(&"favorite".to_owned()),
        "the favourites tile shows at once: {recent}"
    );
    let keys = server
        .app
        .cache
        .key_counts()
        .await
        .into_iter()
        .find(|k| k.namespace == "home")
        .unwrap();
    assert!(keys.count >= 2, "pages are cached: {keys:?}");
}

#[tokio::test]
async fn recently_added_groups_folders_by_albums_and_artists() {
    let server = TestServer::start().await;
    let music = server.music.clone();
    let t = now() + 1000;
    // Oldest to newest, each folder one step newer than the one before.
    write_tagged(
        &music,
        "Gamma/Single/01 - Alone.flac",
        ["Alone", "Gamma", "Single", "Pop"],
        t + 100,
    );
    write_tagged(
        &music,
        "Pair/01 - One.flac",
        ["One", "Kappa", "First", "Pop"],
        t + 200,
    );
    write_tagged(
        &music,
        "Pair/02 - Two.flac",
        ["Two", "Lambda", "Second", "Pop"],
        t + 201,
    );
    for (index, album) in ["Early", "Middle", "Late"].iter().enumerate() {
        write_tagged(
            &music,
            &format!("Aurora Lane/Loose Ends/0{index} - Loose {album}.flac"),
            [&format!("Loose {album}"), "Aurora Lane", album, "Synthwave"],
            t + 300 + index as i64,
        );
    }
    for (index, album) in ["North", "East", "South", "West"].iter().enumerate() {
        write_tagged(
            &music,
            &format!("Delta Crew/Various/0{index} - {album}.flac"),
            [album, "Delta Crew", album, "Synthwave"],
            t + 400 + index as i64,
        );
    }
    for (index, (title, album)) in [
        ("A1", "Almost"),
        ("A2", "Almost"),
        ("A3", "Almost"),
        ("B1", "Stray"),
    ]
    .iter()
    .enumerate()
    {
        write_tagged(
            &music,
            &format!("Epsilon/Almost/0{index} - {title}.flac"),
            [title, "Epsilon", album, "Pop"],
            t + 500 + index as i64,
        );
    }
    for (index, artist) in ["Mu", "Nu", "Xi", "Omicron"].iter().enumerate() {
        write_tagged(
            &music,
            &format!("Dump/0{index} - {artist}.flac"),
            [
                &format!("{artist} Song"),
                artist,
                &format!("{artist} Album"),
                "Pop",
            ],
            t + 600 + index as i64,
        );
    }
    server.app.scan(&|_| {}).await.expect("rescan");

    let (status, body) = get(&server, Caller::Admin, "/nothome/recents/added?limit=15").await;
    assert_eq!(status, 200, "{body}");
    let items = body["items"].as_array().unwrap();
    let summary: Vec<(String, String)> = items
        .iter()
        .map(|item| {
            (
                item["type"].as_str().unwrap().to_owned(),
                item["help_text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected_head = [
        ("folder", "NEW MUSIC"),  // Dump: four artists, four albums
        ("album", "NEW ALBUM"),   // Epsilon/Almost: 3 of 4 tracks (75 %) from one album
        ("artist", "NEW ARTIST"), // Delta Crew/Various: one artist, four albums, all theirs
        ("artist", "NEW MUSIC"),  // Aurora Lane/Loose Ends: Aurora Lane has older tracks too
        ("track", "NEW TRACK"),   // Pair: two tracks, nothing shared: one entry each
        ("track", "NEW TRACK"),
        ("track", "NEW TRACK"), // Gamma/Single: a single track
    ];
    let head: Vec<(String, String)> = expected_head
        .iter()
        .map(|(kind, help)| (kind.to_string(), help.to_string()))
        .collect();
    assert_eq!(summary[..head.len()], head[..], "{body}");
    assert_eq!(items[0]["hash"], format!("{}/", server.path_of("Dump")));
    assert_eq!(items[0]["timestamp"], t + 603);
    // The older folders of the shared library are albums.
    assert!(summary[head.len()..]
        .iter()
        .all(|(kind, help)| kind == "album" && help == "NEW ALBUM"));
    assert_eq!(items.len(), head.len() + 3, "three original albums");

    let (_, few) = get(&server, Caller::Admin, "/nothome/recents/added?limit=2").await;
    assert_eq!(few["items"].as_array().unwrap().len(), 2);

    // Expanded on the home page: the folder as {path, count}, albums in full.
    let page = home(&server, Caller::Admin, "?limit=15").await;
    let added = section(&page, "recently_added").unwrap();
    let first = &added["items"][0];
    assert_eq!(first["type"], "folder");
    assert_eq!(first["item"]["count"], 4);
    assert_eq!(first["item"]["help_text"], "NEW MUSIC");
    let album = &added["items"][1]["item"];
    assert_eq!(album["title"], "Almost");
    assert!(album["trackcount"].is_number());
    assert_eq!(added["items"][2]["item"]["name"], "Delta Crew");
}

#[tokio::test]
async fn mixes_are_playable_and_saved_per_user() {
    let server = TestServer::start().await;
    let h = hashes(&server).await;
    let admin = Caller::Admin;
    let t = now() - 50;
    for offset in 0..3 {
        log_play(&server, admin, &h.neon_rain, t - offset, "").await;
    }
    log_play(&server, admin, &h.lonely_signal, t - 10, "").await;

    let (status, artists) = get(&server, admin, "/plugins/mixes/artists").await;
    assert_eq!(status, 200, "{artists}");
    let artists = artists.as_array().unwrap().clone();
    assert_eq!(artists.len(), 2, "one mix per artist played: {artists:?}");
    assert_eq!(
        artists[0]["id"],
        format!("a{}", h.aurora),
        "most listened first"
    );
    assert_eq!(artists[0]["title"], "Aurora Lane Mix");
    assert_eq!(artists[0]["extra"]["type"], "artist");
    assert_eq!(artists[0]["extra"]["artisthash"], h.aurora.as_str());
    assert_eq!(artists[0]["userid"], user_id(&server, admin).await);

    let (status, tracks) = get(&server, admin, "/plugins/mixes/tracks").await;
    assert_eq!(status, 200);
    let tracks = tracks.as_array().unwrap();
    assert_eq!(tracks[0]["id"], format!("t{}", h.neon_rain));
    assert!(tracks
        .iter()
        .all(|mix| mix["id"].as_str().unwrap().starts_with('t')));

    // The full artist mix: the user's most played track first, then everything else once.
    let path = format!("/plugins/mixes/?mixid=a{0}&sourcehash={0}", h.aurora);
    let (status, mix) = get(&server, admin, &path).await;
    assert_eq!(status, 200, "{mix}");
    let list = mix["tracks"].as_array().unwrap();
    assert!(!list.is_empty() && list.len() <= 40);
    assert_eq!(mix["trackcount"], list.len());
    assert_eq!(list[0]["trackhash"], h.neon_rain.as_str());
    assert!(mix["duration"].as_str().unwrap().ends_with("secs"));
    let mut seen: Vec<&str> = list
        .iter()
        .map(|t| t["trackhash"].as_str().unwrap())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), list.len(), "no track twice");
    assert!(
        list.iter()
            .any(|track| track["artists"][0]["artisthash"] == h.beta.as_str()),
        "a related artist (same genre) is mixed in"
    );

    // A track mix starts with its track.
    let path = format!("/plugins/mixes?mixid=t{}", h.lonely_signal);
    let (status, mix) = get(&server, admin, &path).await;
    assert_eq!(status, 200, "{mix}");
    assert_eq!(mix["tracks"][0]["trackhash"], h.lonely_signal.as_str());

    // Errors.
    let bad = [
        (
            "/plugins/mixes?mixid=nonsense",
            400,
            json!({"msg": "Invalid mix ID"}),
        ),
        (
            "/plugins/mixes?mixid=a0000000000000001",
            404,
            json!({"msg": "Mix not found"}),
        ),
        (
            &*format!("/plugins/mixes?mixid=a{}&sourcehash={}", h.aurora, h.beta),
            404,
            json!({"msg": "Mix not found"}),
        ),
    ];
    for (path, code, answer) in bad {
        let (status, body) = get(&server, admin, path).await;
        assert_eq!((status, body), (code, answer), "{path}");
    }
    let (status, _) = get(&server, admin, "/plugins/mixes").await;
    assert_eq!(status, 422, "mixid is required");
    let (status, _) = get(&server, admin, "/plugins/mixes/albums").await;
    assert_eq!(status, 422);

    // Saving toggles, per user; bad input changes nothing.
    let mixid = format!("t{}", h.neon_rain);
    let save = json!({"mixid": mixid, "type": "tracks", "sourcehash": h.neon_rain});
    let (status, body) = post(&server, admin, "/plugins/mixes/save", save.clone()).await;
    assert_eq!(
        (status, body),
        (200, json!({"msg": "Mixes saved", "saved": true}))
    );
    for (body, code) in [
        (json!({"mixid": "zzz", "type": "tracks"}), 400),
        (json!({"mixid": mixid, "type": "artists"}), 400),
        (json!({"mixid": "t0000000000000001", "type": "tracks"}), 404),
        (json!({"mixid": 5}), 422),
        (json!({}), 422),
    ] {
        let (status, answer) = post(&server, admin, "/plugins/mixes/save", body.clone()).await;
        assert_eq!(status, code, "{body} -> {answer}");
    }
    let (_, listed) = get(&server, admin, "/plugins/mixes/tracks").await;
    let saved: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|mix| mix["saved"] == true)
        .collect();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0]["id"], mixid.as_str());
    let (status, body) = post(&server, admin, "/plugins/mixes/save", save).await;
    assert_eq!(
        (status, body),
        (200, json!({"msg": "Mix unsaved", "saved": false}))
    );
    let (_, listed) = get(&server, admin, "/plugins/mixes/tracks").await;
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|mix| mix["saved"] == false));
}

/// A deterministic pseudo-random sequence for the synthetic library and history.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound.max(1)
    }
}

const GENRES: &[&str] = &[
    "Rock",
    "Pop",
    "Jazz",
    "Hip-Hop",
    "Electronic",
    "Folk",
    "Metal",
    "Soul",
    "Blues",
    "Reggae",
    "Classical",
    "Country",
    "Punk",
    "Ambient",
    "Funk",
    "Latin",
];

/// `count` raw tracks: 50 per artist (5 albums of 10), one folder per album, two genres per artist.
fn synthetic_library(count: usize) -> Vec<swingfly_model::RawTrack> {
    (0..count)
        .map(|index| {
            let artist = index / 50;
            let album = index / 10;
            let number = (index % 10) as u32 + 1;
            let genres = format!(
                "{}; {}",
                GENRES[artist % GENRES.len()],
                GENRES[(artist / GENRES.len() + artist) % GENRES.len()]
            );
            let folder = format!("/music/Artist {artist}/Album {album}");
            swingfly_model::RawTrack {
                filepath: format!("{folder}/{number:02} Song {index}.flac"),
                folder,
                size: 30_000_000,
                mtime: 1_600_000_000 + index as i64,
                title: Some(format!("Song {index}")),
                album: Some(format!("Album {album}")),
                artists: Some(format!("Artist {artist}")),
                albumartists: Some(format!("Artist {artist}")),
                genres: Some(genres),
                date: Some("2001".into()),
                track: Some(number),
                duration: 200.0,
                bitrate: 900,
                samplerate: 44_100,
                channels: 2,
                ..Default::default()
            }
        })
        .collect()
}

/// `count` plays over the past two years, skewed towards a few hundred artists (the first of
/// `artists` most), with album, artist, folder and plain sources.
fn synthetic_history(
    library: &swingfly_library::Library,
    count: usize,
    seed: u64,
) -> Vec<swingfly_store::scrobbles::NewScrobble> {
    let artists = library.artists();
    let mut random = Lcg(seed);
    let start = now() - 730 * 86_400;
    let mut times: Vec<i64> = (0..count)
        .map(|_| start + random.below(730 * 86_400) as i64)
        .collect();
    times.sort_unstable();
    times
        .into_iter()
        .map(|timestamp| {
            // Squaring a uniform pick favours low positions: a long-tailed taste.
            let pick = random.below(300 * 300);
            let offset = seed as usize * 97;
            let artist = &artists[(300 - (pick as f64).sqrt() as usize + offset) % artists.len()];
            let tracks: Vec<_> = library.artist_track_records(artist).collect();
            let track = tracks[random.below(tracks.len() as u64) as usize];
            let source = match random.below(10) {
                0..=3 => format!("al:{:016x}", track.albumhash),
                4 => format!("ar:{:016x}", artist.artisthash),
                5 => format!("fo:{}", track.folder),
                _ => String::new(),
            };
            swingfly_store::scrobbles::NewScrobble {
                trackhash: format!("{:016x}", track.trackhash),
                timestamp,
                duration: 60 + random.below(180) as i64,
                source,
                extra: json!({}),
            }
        })
        .collect()
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

/// `/nothome/?limit=9` over a 100k-track library for a user with 100k plays (and a second user
/// with 30k, for co-listening), with no cache of the answer: the first request (which loads every
/// play and builds the per-index tables) is reported apart; then 400 requests, a new play logged
/// before every tenth. Run it alone:
/// `cargo test -p swingfly-api --test home_rows home_latency_at_scale -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn home_latency_at_scale() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = swingfly_services::app::AppConfig::new(dir.path().join("data"));
    config.home_dir = dir.path().to_path_buf();
    {
        let store = swingfly_store::Store::open(&dir.path().join("data/swingfly.db"))
            .await
            .unwrap();
        store
            .apply_scan(&synthetic_library(100_000), &[])
            .await
            .unwrap();
        store.close().await;
    }
    let app = swingfly_services::app::App::open(config).await.unwrap();
    let library = app.library();
    assert_eq!(library.stats().tracks, 100_000);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(swingfly_api::serve_listener(
        app.clone(),
        listener,
        std::future::pending(),
    ));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    for name in ["heavy", "other"] {
        let created = client
            .post(format!("{base}/auth/profile/create"))
            .json(&json!({"username": name, "password": "a long password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 200);
    }
    let login = client
        .post(format!("{base}/auth/login"))
        .json(&json!({"username": "heavy", "password": "a long password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let me: Value = client
        .get(format!("{base}/auth/user"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let heavy = me["id"].as_i64().unwrap();
    let users = app.store.list_users().await.unwrap();
    let other = users.iter().find(|user| user.id != heavy).unwrap().id;
    let started = std::time::Instant::now();
    let plays = synthetic_history(&library, 100_000, 1);
    assert_eq!(
        app.store.insert_plays(heavy, &plays).await.unwrap(),
        100_000
    );
    app.store
        .insert_plays(other, &synthetic_history(&library, 30_000, 2))
        .await
        .unwrap();
    println!("history written in {:?}", started.elapsed());

    let url = format!("{base}/nothome/?limit=9");
    let timed = |client: reqwest::Client, url: String| async move {
        let started = std::time::Instant::now();
        let response = client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let body = response.bytes().await.unwrap();
        (started.elapsed(), body.len())
    };
    let (cold, size) = timed(client.clone(), url.clone()).await;
    println!("first request (loads 130k plays, builds the home tables): {cold:?}, {size} bytes");

    let tracks: Vec<String> = library
        .distinct_tracks()
        .take(50)
        .map(|track| format!("{:016x}", track.trackhash))
        .collect();
    let mut samples = Vec::new();
    for round in 0..400 {
        if round % 10 == 0 {
            let logged = client
                .post(format!("{base}/logger/track/log"))
                .json(&json!({
                    "trackhash": tracks[round / 10 % tracks.len()],
                    "timestamp": now() - 400 + round as i64,
                    "duration": 180,
                    "source": "",
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(logged.status(), 201);
        }
        // Uncached: the built page is dropped from the cache tier before each request.
        app.cache
            .clear_namespace(swingfly_cache::Namespace::Home)
            .await;
        samples.push(timed(client.clone(), url.clone()).await.0);
    }
    samples.sort();
    println!(
        "/nothome/?limit=9 uncached, 400 requests (a play logged before every 10th): p50 {:?}, p99 {:?}, max {:?}",
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples.last().unwrap()
    );
    let mut cached = Vec::new();
    for _ in 0..400 {
        cached.push(timed(client.clone(), url.clone()).await.0);
    }
    cached.sort();
    println!(
        "/nothome/?limit=9 through the cache tier, 400 requests: p50 {:?}, p99 {:?}, max {:?}",
        percentile(&cached, 0.50),
        percentile(&cached, 0.99),
        cached.last().unwrap()
    );

    // The chart and stats routes over the same 100k-play history (they read SQL each time).
    for route in [
        "/logger/top-tracks?duration=week&limit=10",
        "/logger/top-tracks?duration=alltime&limit=10",
        "/logger/top-artists?duration=year&limit=10",
        "/logger/top-albums?duration=month&limit=10",
        "/logger/stats",
    ] {
        let url = format!("{base}{route}");
        let mut samples = Vec::new();
        for _ in 0..100 {
            samples.push(timed(client.clone(), url.clone()).await.0);
        }
        samples.sort();
        println!(
            "{route}, 100 requests: p50 {:?}, p99 {:?}",
            percentile(&samples, 0.50),
            percentile(&samples, 0.99)
        );
    }
}
