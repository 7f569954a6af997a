//! Favourites, play logging and listening charts over real HTTP, on a real scanned library, with two
//! users side by side: neither sees nor changes the other's data.

mod library_support;

use std::collections::BTreeMap;

use library_support::{TestServer, SOLO_MP3, STANDARD_EDITION};
use serde_json::{json, Value};
use swingfly_services::plays::period::{windows_now, Period};
use swingfly_store::favorites::FavoriteKind;

const NEON_RAIN: &str = "Aurora Lane/Night Drive/02 - Neon Rain.flac";
const UNKNOWN_HASH: &str = "00000000000000ff";

/// One signed-in user: the admin (cookie) or the listener (Bearer token).
struct Caller {
    base: String,
    client: reqwest::Client,
    token: Option<String>,
    id: i64,
}

impl Caller {
    async fn admin(server: &TestServer) -> Caller {
        let id = user_id(server, library_support::ADMIN).await;
        Caller {
            base: server.base.clone(),
            client: server.client.clone(),
            token: None,
            id,
        }
    }

    async fn listener(server: &TestServer) -> Caller {
        let (client, token) = server.plain_user_client().await;
        let id = user_id(server, "listener").await;
        Caller {
            base: server.base.clone(),
            client,
            token: Some(token),
            id,
        }
    }

    fn authorised(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let request = self.client.get(format!("{}{path}", self.base));
        read(self.authorised(request).send().await.expect("request")).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let request = self.client.post(format!("{}{path}", self.base)).json(&body);
        read(self.authorised(request).send().await.expect("request")).await
    }

    async fn post_raw(&self, path: &str, body: &str) -> (u16, Value) {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_owned());
        read(self.authorised(request).send().await.expect("request")).await
    }

    async fn favorite(&self, kind: &str, hash: &str) -> (u16, Value) {
        self.post("/favorites/add", json!({"hash": hash, "type": kind}))
            .await
    }

    async fn unfavorite(&self, kind: &str, hash: &str) -> (u16, Value) {
        self.post("/favorites/remove", json!({"hash": hash, "type": kind}))
            .await
    }

    async fn is_favorite(&self, kind: &str, hash: &str) -> bool {
        let (status, body) = self
            .get(&format!("/favorites/check?hash={hash}&type={kind}"))
            .await;
        assert_eq!(status, 200, "{body}");
        body["is_favorite"].as_bool().expect("is_favorite")
    }

    async fn log(&self, trackhash: &str, timestamp: i64, duration: i64) -> (u16, Value) {
        self.post(
            "/logger/track/log",
            json!({"trackhash": trackhash, "timestamp": timestamp, "duration": duration, "source": "al:x"}),
        )
        .await
    }

    async fn log_ok(&self, trackhash: &str, timestamp: i64, duration: i64) {
        let (status, body) = self.log(trackhash, timestamp, duration).await;
        assert_eq!((status, &body), (201, &json!({"msg": "recorded"})));
    }

    async fn album(&self, albumhash: &str) -> Value {
        let (status, body) = self.post("/album", json!({"albumhash": albumhash})).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn user_id(server: &TestServer, username: &str) -> i64 {
    server
        .app
        .store
        .user_by_name(username)
        .await
        .expect("user lookup")
        .expect("user exists")
        .id
}

fn now() -> i64 {
    swingfly_library::humanize::now_unix()
}

async fn trackhash(server: &TestServer, relative: &str) -> String {
    server.track_at(relative).await["trackhash"]
        .as_str()
        .expect("trackhash")
        .to_owned()
}

/// The `is_favorite` of the track titled `title` in a list of track objects.
fn favorite_flag(tracks: &Value, title: &str) -> bool {
    tracks
        .as_array()
        .expect("track list")
        .iter()
        .find(|track| track["title"] == title)
        .unwrap_or_else(|| panic!("{title} not in {tracks}"))["is_favorite"]
        .as_bool()
        .expect("is_favorite")
}

/// The value of the stats-strip tile with `cssclass`.
fn stat(stats: &Value, cssclass: &str) -> String {
    stats
        .as_array()
        .expect("stats")
        .iter()
        .find(|item| item["cssclass"] == cssclass)
        .unwrap_or_else(|| panic!("no {cssclass} in {stats}"))["value"]
        .as_str()
        .expect("value")
        .to_owned()
}

#[tokio::test]
async fn favourites_are_per_user_idempotent_and_shown_in_every_listing() {
    let server = TestServer::start().await;
    let admin = Caller::admin(&server).await;
    let listener = Caller::listener(&server).await;
    let album = server.albumhash_of(STANDARD_EDITION).await;
    let city_lights = trackhash(&server, STANDARD_EDITION).await;
    let artist = server.track_at(STANDARD_EDITION).await["artisthashes"][0]
        .as_str()
        .expect("artisthash")
        .to_owned();

    // A repeated add keeps the favourite (Swing toggled it off).
    for _ in 0..2 {
        assert_eq!(
            admin.favorite("album", &album).await,
            (200, json!({"msg": "Added to favorites"}))
        );
        assert!(admin.is_favorite("album", &album).await);
    }
    assert!(
        !listener.is_favorite("album", &album).await,
        "check is per user"
    );
    // The same item for a second user (Swing: a 500 on its globally unique column).
    assert_eq!(listener.favorite("album", &album).await.0, 200);
    assert_eq!(admin.unfavorite("album", &album).await.0, 200);
    assert!(!admin.is_favorite("album", &album).await);
    assert!(
        listener.is_favorite("album", &album).await,
        "untouched by the other user"
    );
    // A repeated remove is harmless.
    assert_eq!(
        admin.unfavorite("album", &album).await,
        (200, json!({"msg": "Removed from favorites"}))
    );
    assert!(!admin.is_favorite("album", &album).await);

    // Unknown items and malformed bodies store nothing.
    assert_eq!(
        admin.favorite("track", UNKNOWN_HASH).await,
        (404, json!({"msg": "Track not found"}))
    );
    assert_eq!(admin.favorite("album", UNKNOWN_HASH).await.0, 404);
    assert_eq!(
        admin.favorite("artist", &album).await.0,
        404,
        "an album hash is no artist"
    );
    assert_eq!(admin.favorite("track", "abc").await.0, 422);
    assert_eq!(admin.favorite("playlist", &album).await.0, 422);
    assert_eq!(
        admin.post("/favorites/add", json!({"hash": album})).await.0,
        422
    );
    assert_eq!(admin.post_raw("/favorites/add", "{not json").await.0, 422);
    assert_eq!(
        admin.get("/favorites/check?hash=zz&type=track").await.0,
        422
    );
    let stored = server
        .app
        .store
        .favorites_newest_first(admin.id, None)
        .await
        .unwrap();
    assert!(stored.is_empty(), "{stored:?}");

    // is_favorite in the listings, for the right user only.
    admin.favorite("track", &city_lights).await;
    admin.favorite("artist", &artist).await;
    let admin_album = admin.album(&album).await;
    let listener_album = listener.album(&album).await;
    assert!(favorite_flag(&admin_album["tracks"], "City Lights"));
    assert!(!favorite_flag(&admin_album["tracks"], "Neon Rain"));
    assert!(!favorite_flag(&listener_album["tracks"], "City Lights"));
    assert_eq!(admin_album["info"]["is_favorite"], false);
    assert_eq!(listener_album["info"]["is_favorite"], true);

    let (_, tracks) = admin.get(&format!("/album/{album}/tracks")).await;
    assert!(favorite_flag(&tracks, "City Lights"));
    let (_, artist_page) = admin.get(&format!("/artist/{artist}")).await;
    assert_eq!(artist_page["artist"]["is_favorite"], true);
    let (_, artist_page) = listener.get(&format!("/artist/{artist}")).await;
    assert_eq!(artist_page["artist"]["is_favorite"], false);

    for (caller, expected) in [(&admin, true), (&listener, false)] {
        let (status, top) = caller.get("/search/top?q=city%20lights").await;
        assert_eq!(status, 200, "{top}");
        let tracks = top["tracks"].as_array().unwrap();
        let city = tracks
            .iter()
            .find(|t| t["trackhash"] == city_lights.as_str())
            .unwrap_or_else(|| panic!("{top}"));
        assert_eq!(city["is_favorite"], expected);
        let (_, found) = caller.get("/search?q=city%20lights&itemtype=tracks").await;
        let city = found["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["trackhash"] == city_lights.as_str())
            .unwrap_or_else(|| panic!("{found}"));
        assert_eq!(city["is_favorite"], expected);
        let (status, folder) = caller
            .post(
                "/folder",
                json!({"folder": server.path_of("Aurora Lane/Night Drive")}),
            )
            .await;
        assert_eq!(status, 200, "{folder}");
        assert_eq!(favorite_flag(&folder["tracks"], "City Lights"), expected);
        assert!(!favorite_flag(&folder["tracks"], "Neon Rain"));
    }

    // The lists: newest first, Swing's start=6 default and `total` only for start=0.
    let (status, overview) = admin.get("/favorites").await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(
        overview["count"],
        json!({"tracks": 1, "albums": 0, "artists": 1})
    );
    assert_eq!(overview["tracks"][0]["trackhash"], city_lights.as_str());
    assert_eq!(overview["artists"][0]["artisthash"], artist.as_str());
    let recents = overview["recents"].as_array().unwrap();
    assert_eq!(recents.len(), 2);
    let kinds: Vec<&str> = recents
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"track") && kinds.contains(&"artist"),
        "{kinds:?}"
    );
    for recent in recents {
        assert_eq!(recent["item"]["help_text"], recent["type"]);
        assert!(recent["item"]["time"].as_str().unwrap().ends_with("ago"));
    }
    let (_, listener_overview) = listener.get("/favorites").await;
    assert_eq!(
        listener_overview["count"],
        json!({"tracks": 0, "albums": 1, "artists": 0})
    );
    assert_eq!(listener_overview["albums"][0]["albumhash"], album.as_str());

    assert_eq!(
        admin.get("/favorites/tracks").await,
        (200, json!({"tracks": [], "total": -1})),
        "the default start is 6"
    );
    let (_, first_page) = admin.get("/favorites/tracks?start=0&limit=6").await;
    assert_eq!(first_page["total"], 1);
    assert_eq!(first_page["tracks"][0]["is_favorite"], true);
    let (_, all) = admin.get("/favorites/artists?start=0&limit=-1").await;
    assert_eq!(all["total"], 1);
    assert_eq!(all["artists"].as_array().unwrap().len(), 1);
    let (_, albums) = listener.get("/favorites/albums?start=0").await;
    assert_eq!(albums["total"], 1);

    // Favourites survive a restart of the in-memory state (they come from the ledger).
    server.app.user_data.invalidate_all().await;
    assert!(admin.is_favorite("track", &city_lights).await);
    assert!(!admin.is_favorite("album", &album).await);
    let rows = server
        .app
        .store
        .favorites_newest_first(admin.id, Some(FavoriteKind::Track))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].extra["title"], "City Lights");
}

#[tokio::test]
async fn logging_validates_counts_at_once_and_sorts_per_user() {
    let server = TestServer::start().await;
    let admin = Caller::admin(&server).await;
    let listener = Caller::listener(&server).await;
    let night_drive = server.albumhash_of(STANDARD_EDITION).await;
    let solo = server.albumhash_of(SOLO_MP3).await;
    let city_lights = trackhash(&server, STANDARD_EDITION).await;
    let lonely_signal = trackhash(&server, SOLO_MP3).await;
    let neon_rain = trackhash(&server, NEON_RAIN).await;
    let at = now() - 600;

    // Bad entries: nothing is stored.
    let invalid = json!({"msg": "Invalid entry."});
    assert_eq!(admin.log(&city_lights, 0, 30).await, (400, invalid.clone()));
    assert_eq!(admin.log(&city_lights, at, 4).await, (400, invalid.clone()));
    assert_eq!(
        admin.log(&city_lights, at, -10).await,
        (400, invalid.clone())
    );
    assert_eq!(
        admin.log(&city_lights, now() + 10 * 86_400, 30).await,
        (400, invalid)
    );
    assert_eq!(
        admin.log(UNKNOWN_HASH, at, 30).await,
        (404, json!({"msg": "Track not found."}))
    );
    assert_eq!(admin.log("nothex!!nothex!!", at, 30).await.0, 422);
    assert_eq!(
        admin
            .post(
                "/logger/track/log",
                json!({"trackhash": city_lights, "duration": 30})
            )
            .await
            .0,
        422
    );
    assert_eq!(
        admin
            .post(
                "/logger/track/log",
                json!({"trackhash": city_lights, "timestamp": "soon", "duration": 30})
            )
            .await
            .0,
        422
    );
    assert_eq!(admin.post_raw("/logger/track/log", "[").await.0, 422);
    assert_eq!(server.app.store.scrobble_count(admin.id).await.unwrap(), 0);

    // Load the listener's (empty) state first: plays logged later must still show.
    assert_eq!(listener.album(&solo).await["info"]["playcount"], 0);

    // A play is visible in the very next request, to its user only.
    admin.log_ok(&city_lights, at, 30).await;
    let page = admin.album(&night_drive).await;
    assert_eq!(page["info"]["playcount"], 1);
    assert_eq!(page["info"]["playduration"], 30);
    assert_eq!(page["info"]["lastplayed"], at);
    assert_eq!(stat(&page["stats"], "played"), "1/2 tracks");
    assert_eq!(listener.album(&night_drive).await["info"]["playcount"], 0);
    assert_eq!(
        stat(&listener.album(&night_drive).await["stats"], "played"),
        "2/2 tracks"
    );
    // An exact repeat (same track, same second) is accepted and counted once.
    admin.log_ok(&city_lights, at, 30).await;
    assert_eq!(admin.album(&night_drive).await["info"]["playcount"], 1);

    admin.log_ok(&city_lights, at + 60, 45).await;
    // Neon Rain is only on the standard edition, which so leads the deluxe one (City Lights is on
    // both, and a play of it counts for both).
    admin.log_ok(&neon_rain, at + 90, 30).await;
    listener.log_ok(&lonely_signal, at, 20).await;
    listener.log_ok(&lonely_signal, at + 30, 20).await;
    assert_eq!(listener.album(&solo).await["info"]["playcount"], 2);
    assert_eq!(admin.album(&solo).await["info"]["playcount"], 0);

    // The artist page sorts its tracks by the caller's plays.
    let artist = server.track_at(STANDARD_EDITION).await["artisthashes"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, artist_page) = admin.get(&format!("/artist/{artist}?tracklimit=-1")).await;
    assert_eq!(artist_page["tracks"][0]["trackhash"], city_lights.as_str());
    assert_eq!(artist_page["tracks"][0]["help_text"], "2 plays");

    // get-all sorted by plays: each user's own order.
    for sortby in ["playcount", "playduration", "lastplayed"] {
        let path = format!("/getall/albums?sortby={sortby}&reverse=1&limit=10");
        let (status, mine) = admin.get(&path).await;
        assert_eq!(status, 200, "{mine}");
        assert_eq!(
            mine["items"][0]["albumhash"],
            night_drive.as_str(),
            "{sortby}"
        );
        let (_, theirs) = listener.get(&path).await;
        assert_eq!(theirs["items"][0]["albumhash"], solo.as_str(), "{sortby}");
    }
    let (_, mine) = admin
        .get("/getall/albums?sortby=playcount&reverse=1&limit=10")
        .await;
    assert_eq!(mine["items"][0]["help_text"], "3 plays");
    let (_, artists) = listener
        .get("/getall/artists?sortby=playcount&reverse=1&limit=10")
        .await;
    assert_eq!(artists["items"][0]["name"], "Beta Ray");
    assert_eq!(artists["items"][0]["help_text"], "2 plays");

    // A new index (here: rebuilt from the ledger) recomputes album and artist sums; the ledger
    // rows are what counts.
    server.app.reload_index().await.expect("reload");
    assert_eq!(admin.album(&night_drive).await["info"]["playcount"], 3);
    admin.log_ok(&city_lights, at + 120, 30).await;
    assert_eq!(admin.album(&night_drive).await["info"]["playcount"], 4);
    server.app.user_data.invalidate(admin.id).await;
    assert_eq!(admin.album(&night_drive).await["info"]["playduration"], 135);
    assert_eq!(server.app.store.scrobble_count(admin.id).await.unwrap(), 4);
    let rows = server
        .app
        .store
        .scrobbles_newest_first(admin.id, None, 10)
        .await
        .unwrap();
    assert_eq!(rows[0].timestamp, at + 120);
    assert_eq!(rows[0].source, "al:x");
    assert_eq!(rows[0].extra["title"], "City Lights");
}

#[tokio::test]
async fn concurrent_logs_and_reads_lose_nothing() {
    let server = TestServer::start().await;
    let admin = std::sync::Arc::new(Caller::admin(&server).await);
    let night_drive = server.albumhash_of(STANDARD_EDITION).await;
    let tracks = [
        trackhash(&server, STANDARD_EDITION).await,
        trackhash(&server, NEON_RAIN).await,
    ];
    let start = now() - 10_000;
    let mut tasks = Vec::new();
    for i in 0..32_i64 {
        let admin = admin.clone();
        let track = tracks[(i % 2) as usize].clone();
        let album = night_drive.clone();
        tasks.push(tokio::spawn(async move {
            let (status, body) = admin.log(&track, start + i, 10).await;
            assert_eq!(status, 201, "{body}");
            // Reads interleaved with the writes.
            admin.album(&album).await;
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let info = admin.album(&night_drive).await["info"].clone();
    assert_eq!(info["playcount"], 32);
    assert_eq!(info["playduration"], 320);
    assert_eq!(info["lastplayed"], start + 31);
}

/// Trends of one chart as `{hash: (trend, is_new)}`.
fn trends(list: &Value, key: &str) -> BTreeMap<String, (String, bool)> {
    list.as_array()
        .expect("chart")
        .iter()
        .map(|item| {
            (
                item[key].as_str().unwrap().to_owned(),
                (
                    item["trend"]["trend"].as_str().unwrap().to_owned(),
                    item["trend"]["is_new"].as_bool().unwrap(),
                ),
            )
        })
        .collect()
}

fn is_date_range(text: &str) -> bool {
    // "Nov 23, 2026 - Nov 25, 2026"
    let parts: Vec<&str> = text.split(" - ").collect();
    parts.len() == 2
        && parts.iter().all(|part| {
            let words: Vec<&str> = part.split(' ').collect();
            words.len() == 3
                && words[0].len() == 3
                && words[1].ends_with(',')
                && words[2].len() == 4
                && words[2].chars().all(|c| c.is_ascii_digit())
        })
}

#[tokio::test]
async fn charts_rank_the_period_and_trend_against_the_window_before() {
    let server = TestServer::start().await;
    let admin = Caller::admin(&server).await;
    let listener = Caller::listener(&server).await;
    let x = trackhash(&server, STANDARD_EDITION).await; // City Lights, Night Drive
    let y = trackhash(&server, NEON_RAIN).await; // Neon Rain, Night Drive
    let z = trackhash(&server, SOLO_MP3).await; // Lonely Signal, Solo, Beta Ray
    let night_drive = server.albumhash_of(STANDARD_EDITION).await;
    let solo = server.albumhash_of(SOLO_MP3).await;

    let (week, now) = windows_now(Period::Week, None);
    let week_start = week.current.start;
    let previous = week.previous.expect("a week has a previous window");
    assert_eq!(previous.end, week_start);
    assert_eq!(previous.end - previous.start, now - week_start);
    if now - week_start < 10 {
        eprintln!("skipped: the local week began {} s ago", now - week_start);
        return;
    }

    // Previous window: X three times, Y once. Current window: Y 3, X 2, Z 1. Long ago: Z once.
    for (track, offset) in [(&x, 1), (&x, 2), (&x, 3), (&y, 4)] {
        admin.log_ok(track, week_start - offset, 60).await;
    }
    for (track, offset) in [(&y, 0), (&y, 1), (&y, 2), (&x, 3), (&x, 4), (&z, 5)] {
        admin.log_ok(track, now - offset, 30).await;
    }
    admin.log_ok(&z, 1_000_000_000, 30).await;

    for order in ["playcount", "playduration"] {
        let (status, chart) = admin
            .get(&format!(
                "/logger/top-tracks?duration=week&order_by={order}"
            ))
            .await;
        assert_eq!(status, 200, "{chart}");
        let order_seen: Vec<&str> = chart["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["trackhash"].as_str().unwrap())
            .collect();
        assert_eq!(order_seen, [y.as_str(), x.as_str(), z.as_str()], "{order}");
        let trend = trends(&chart["tracks"], "trackhash");
        assert_eq!(trend[&y], ("rising".to_owned(), false), "3rd → 1st");
        assert_eq!(trend[&x], ("falling".to_owned(), false), "1st → 2nd");
        assert_eq!(trend[&z], ("rising".to_owned(), true), "not played before");
        assert_eq!(chart["scrobbles"]["text"], "6 plays");
        assert_eq!(chart["scrobbles"]["trend"], "rising", "6 plays against 4");
        assert!(
            is_date_range(chart["scrobbles"]["dates"].as_str().unwrap()),
            "{chart}"
        );
        let help = chart["tracks"][0]["help_text"].as_str().unwrap();
        if order == "playcount" {
            assert_eq!(help, "3 plays");
        } else {
            assert_eq!(help, "1 min");
        }
        assert_eq!(chart["tracks"][0]["title"], "Neon Rain");
        assert_eq!(chart["tracks"][0]["is_favorite"], false);
    }
    let (_, one) = admin.get("/logger/top-tracks?duration=week&limit=1").await;
    assert_eq!(one["tracks"].as_array().unwrap().len(), 1);

    let (status, albums) = admin
        .get("/logger/top-albums?duration=week&order_by=playcount")
        .await;
    assert_eq!(status, 200, "{albums}");
    let album_trends = trends(&albums["albums"], "albumhash");
    assert_eq!(albums["albums"][0]["albumhash"], night_drive.as_str());
    assert_eq!(albums["albums"][0]["help_text"], "5 plays");
    assert_eq!(album_trends[&night_drive], ("stable".to_owned(), false));
    assert_eq!(album_trends[&solo], ("rising".to_owned(), true));

    let (status, artists) = admin
        .get("/logger/top-artists?duration=week&order_by=playcount")
        .await;
    assert_eq!(status, 200, "{artists}");
    assert_eq!(artists["artists"][0]["name"], "Aurora Lane");
    assert_eq!(artists["artists"][0]["extra"]["playcount"], 5);
    assert_eq!(artists["artists"][0]["trend"]["trend"], "stable");
    assert_eq!(artists["artists"][1]["name"], "Beta Ray");
    assert_eq!(artists["artists"][1]["extra"]["playcount"], 1);
    assert_eq!(artists["artists"][1]["trend"]["is_new"], true);

    // All time: every play, no previous window, so nothing moves.
    let (_, alltime) = admin
        .get("/logger/top-tracks?duration=alltime&order_by=playcount")
        .await;
    let order_seen: Vec<&str> = alltime["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["trackhash"].as_str().unwrap())
        .collect();
    assert_eq!(
        order_seen,
        [x.as_str(), y.as_str(), z.as_str()],
        "5, 4 and 2 plays"
    );
    assert!(trends(&alltime["tracks"], "trackhash")
        .values()
        .all(|trend| trend == &("stable".to_owned(), false)));
    assert_eq!(alltime["scrobbles"]["text"], "11 plays");
    assert_eq!(alltime["scrobbles"]["trend"], "stable");
    let dates = alltime["scrobbles"]["dates"].as_str().unwrap();
    assert!(is_date_range(dates) && dates.contains("2001"), "{dates}");

    // Month and year include this week's plays, never the 2001 one.
    for duration in ["month", "year"] {
        let (status, chart) = admin
            .get(&format!("/logger/top-tracks?duration={duration}&limit=-1"))
            .await;
        assert_eq!(status, 200, "{chart}");
        let seen: Vec<&str> = chart["tracks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["trackhash"].as_str().unwrap())
            .collect();
        for hash in [&x, &y, &z] {
            assert!(seen.contains(&hash.as_str()), "{duration}: {chart}");
        }
        let plays: u64 = chart["scrobbles"]["text"]
            .as_str()
            .unwrap()
            .trim_end_matches(" plays")
            .parse()
            .unwrap();
        assert!((6..=10).contains(&plays), "{duration}: {chart}");
    }

    // The other user has no plays: empty charts.
    let (_, theirs) = listener.get("/logger/top-tracks?duration=week").await;
    assert_eq!(theirs["tracks"], json!([]));
    assert_eq!(theirs["scrobbles"]["text"], "0 plays");
    assert_eq!(theirs["scrobbles"]["trend"], "stable");
    let (_, theirs) = listener.get("/logger/top-artists?duration=alltime").await;
    assert_eq!(theirs["artists"], json!([]));

    // Bad parameters.
    assert_eq!(admin.get("/logger/top-tracks?duration=decade").await.0, 422);
    assert_eq!(
        admin.get("/logger/top-albums?order_by=loudness").await.0,
        422
    );
    assert_eq!(admin.get("/logger/top-artists?limit=many").await.0, 422);

    // This week's strip.
    admin.favorite("album", &solo).await;
    let (status, stats) = admin.get("/logger/stats").await;
    assert_eq!(status, 200, "{stats}");
    let classes: Vec<&str> = stats["stats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["cssclass"].as_str().unwrap())
        .collect();
    assert_eq!(
        classes,
        ["toptrack", "streams", "playtime", "favorites", "trackcount"]
    );
    assert_eq!(stat(&stats["stats"], "streams"), "6 streams");
    assert_eq!(stat(&stats["stats"], "playtime"), "3 mins");
    assert_eq!(stat(&stats["stats"], "favorites"), "1 favorite");
    assert_eq!(stat(&stats["stats"], "trackcount"), "3 tracks");
    assert_eq!(stat(&stats["stats"], "toptrack"), "Neon Rain - Aurora Lane");
    assert!(is_date_range(stats["dates"].as_str().unwrap()), "{stats}");
    let (_, theirs) = listener.get("/logger/stats").await;
    assert_eq!(stat(&theirs["stats"], "streams"), "0 streams");
}
