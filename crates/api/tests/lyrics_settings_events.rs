//! Lyrics, settings, plugins and live events over real HTTP, against a server over real audio
//! files (made and tagged by ffmpeg) and a real SQLite ledger.

mod library_support;

use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{json, Value};

use library_support::{ffmpeg, TestServer, SOLO_WAV};

/// A duplicate pair (same tags, so the same trackhash): a FLAC with embedded plain lyrics and a
/// copyright tag, and an MP3 copy in a sub-folder with a sidecar whose extension is upper case.
const MIRROR_FLAC: &str = "Gamma/Twins/01 - Mirror.flac";
const MIRROR_MP3: &str = "Gamma/Twins/copy/01 - Mirror.mp3";
/// An MP3 whose ID3 USLT frame holds LRC text.
const USLT_MP3: &str = "Gamma/Embedded/01 - Lantern.mp3";
/// An M4A whose `©lyr` atom holds LRC text.
const LYR_M4A: &str = "Gamma/Embedded/02 - Candle.m4a";
/// A duplicate pair where only the lesser copy (the MP3) has a sidecar.
const ECHO_FLAC: &str = "Delta/Pair/01 - Echo.flac";
const ECHO_MP3: &str = "Delta/Pair/copy/01 - Echo.mp3";
/// An existing track of the shared library; its sidecar is written after the scan.
const NEON_RAIN: &str = "Aurora Lane/Night Drive/02 - Neon Rain.flac";

/// Writes a one-second tone tagged with `tags` (ffmpeg metadata keys, e.g. "lyrics").
fn tone(root: &Path, relative: &str, tags: &[(&str, &str)]) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut args: Vec<String> = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"]
        .map(String::from)
        .to_vec();
    if relative.ends_with(".mp3") {
        args.extend(["-c:a", "libmp3lame", "-b:a", "96k"].map(String::from));
    }
    if relative.ends_with(".m4a") {
        args.extend(["-c:a", "aac", "-b:a", "96k"].map(String::from));
    }
    for (key, value) in tags {
        args.push("-metadata".into());
        args.push(format!("{key}={value}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ffmpeg(&args, &path);
}

/// An MP3 tagged by hand with an ID3v2.3 tag: ffmpeg writes `-metadata lyrics=` into a TXXX
/// frame, not the USLT frame that taggers (and Swing) use, so the frames are laid out here.
fn uslt_mp3(root: &Path, relative: &str, text_frames: &[(&str, &str)], lyrics: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let untagged = path.with_extension("untagged.mp3");
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=330:duration=1",
            "-c:a",
            "libmp3lame",
            "-write_id3v2",
            "0",
            "-write_xing",
            "0",
        ],
        &untagged,
    );
    let frame = |id: &str, body: Vec<u8>| {
        let mut frame = id.as_bytes().to_vec();
        frame.extend((body.len() as u32).to_be_bytes()); // v2.3: a plain 32-bit size
        frame.extend([0, 0]); // flags
        frame.extend(body);
        frame
    };
    let mut frames = Vec::new();
    for (id, text) in text_frames {
        let mut body = vec![0]; // ISO-8859-1
        body.extend(text.as_bytes());
        frames.extend(frame(id, body));
    }
    let mut body = vec![0]; // ISO-8859-1
    body.extend(b"eng"); // language
    body.push(0); // empty content descriptor
    body.extend(lyrics.as_bytes());
    frames.extend(frame("USLT", body));
    let size = frames.len() as u32;
    let syncsafe = [
        (size >> 21) as u8 & 0x7f,
        (size >> 14) as u8 & 0x7f,
        (size >> 7) as u8 & 0x7f,
        size as u8 & 0x7f,
    ];
    let mut file = b"ID3\x03\x00\x00".to_vec();
    file.extend(syncsafe);
    file.extend(frames);
    file.extend(std::fs::read(&untagged).unwrap());
    std::fs::write(&path, file).unwrap();
    std::fs::remove_file(untagged).unwrap();
}

fn song_tags<'a>(title: &'a str, artist: &'a str, album: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("artist", artist),
        ("album_artist", artist),
        ("album", album),
        ("track", "1"),
    ]
}

/// The shared library plus the lyrics fixtures above, scanned.
async fn start() -> TestServer {
    TestServer::start_with(|config| {
        let music = config.music_roots[0].clone();
        let mut mirror = song_tags("Mirror", "Gamma", "Twins");
        mirror.push(("copyright", "(P) 2020 Gamma Records"));
        let mut mirror_flac = mirror.clone();
        mirror_flac.push(("lyrics", "Plain mirror words\n\nSecond verse"));
        tone(&music, MIRROR_FLAC, &mirror_flac);
        tone(&music, MIRROR_MP3, &mirror);
        std::fs::write(
            music.join("Gamma/Twins/copy/01 - Mirror.LRC"),
            "[00:01.50]Mirror sidecar line\n",
        )
        .unwrap();

        uslt_mp3(
            &music,
            USLT_MP3,
            &[
                ("TIT2", "Lantern"),
                ("TPE1", "Gamma"),
                ("TPE2", "Gamma"),
                ("TALB", "Embedded"),
                ("TRCK", "1"),
            ],
            "[ti:Lantern]\r\n[00:02.00]Embedded synced line\r\n",
        );
        let mut candle = song_tags("Candle", "Gamma", "Embedded");
        candle.push(("lyrics", "[00:04.25]Candle <00:04.75>line"));
        tone(&music, LYR_M4A, &candle);

        let echo = song_tags("Echo Chamber", "Delta", "Pair");
        tone(&music, ECHO_FLAC, &echo);
        tone(&music, ECHO_MP3, &echo);
        std::fs::write(
            music.join("Delta/Pair/copy/01 - Echo.lrc"),
            "[00:03.00]From the duplicate\n",
        )
        .unwrap();
    })
    .await
}

impl TestServer {
    async fn trackhash_of(&self, relative: &str) -> String {
        self.track_at(relative).await["trackhash"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn lyrics(&self, trackhash: &str, filepath: &str) -> (u16, Value) {
        self.post_json(
            "/lyrics",
            json!({"trackhash": trackhash, "filepath": filepath}),
        )
        .await
    }

    async fn lyrics_exist(&self, trackhash: &str, filepath: &str) -> bool {
        let (status, body) = self
            .post_json(
                "/lyrics/check",
                json!({"trackhash": trackhash, "filepath": filepath}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["exists"].as_bool().expect("exists is a boolean")
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// PUT /notsettings/update as the admin.
    async fn update_setting(&self, key: &str, value: Value) -> (u16, Value) {
        self.send(
            &self.client,
            reqwest::Method::PUT,
            "/notsettings/update",
            None,
            Some(json!({"key": key, "value": value})),
        )
        .await
    }

    async fn settings(&self) -> Value {
        let (status, body) = self.get_json("/notsettings").await;
        assert_eq!(status, 200, "{body}");
        body
    }

    async fn active_listeners(&self) -> u64 {
        let response = reqwest::get(self.url("/events/status")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "the status is public");
        let body: Value = response.json().await.unwrap();
        body["active_listeners"].as_u64().expect("a count")
    }

    async fn wait_for_listeners(&self, wanted: u64, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let now = self.active_listeners().await;
            if now == wanted {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "active_listeners stayed {now}, expected {wanted}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn timed(lines: &Value) -> Vec<(u64, String)> {
    lines
        .as_array()
        .expect("a list of lines")
        .iter()
        .map(|line| {
            (
                line["time"].as_u64().expect("time in ms"),
                line["text"].as_str().expect("text").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn lyrics_come_from_sidecars_embedded_tags_and_duplicates_in_order() {
    let server = start().await;

    // 1. A sidecar beside the file, written after the scan (read at request time): CRLF line
    //    ends, an offset, several time tags on one line, fractions as fractions.
    std::fs::write(
        server.music.join("Aurora Lane/Night Drive/02 - Neon Rain.lrc"),
        "\u{feff}[ti:Neon Rain]\r\n[offset:+500]\r\n[00:02.50]Neon one\r\n[00:01.00][00:03.00]Twice\r\n",
    )
    .unwrap();
    let neon = server.trackhash_of(NEON_RAIN).await;
    let (status, body) = server.lyrics(&neon, &server.path_of(NEON_RAIN)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["synced"], true);
    assert_eq!(body["copyright"], "");
    assert_eq!(
        timed(&body["lyrics"]),
        vec![
            (500, "Twice".to_string()),
            (2000, "Neon one".to_string()),
            (2500, "Twice".to_string())
        ]
    );
    assert!(server.lyrics_exist(&neon, "").await);

    // 2. The MP3 copy of Mirror has an upper-case `.LRC` sidecar: asked for by its path, the
    //    sidecar wins over the FLAC copy's embedded lyrics.
    let mirror = server.trackhash_of(MIRROR_FLAC).await;
    assert_eq!(mirror, server.trackhash_of(MIRROR_MP3).await, "duplicates");
    let (status, body) = server.lyrics(&mirror, &server.path_of(MIRROR_MP3)).await;
    assert_eq!(status, 200);
    assert_eq!(body["synced"], true, "{body}");
    assert_eq!(
        timed(&body["lyrics"]),
        vec![(1500, "Mirror sidecar line".to_string())]
    );
    assert_eq!(body["copyright"], "(P) 2020 Gamma Records");

    // Asked for by the FLAC's path: it has no sidecar, so its embedded (plain) lyrics come before
    // the duplicate's sidecar.
    let (_, body) = server.lyrics(&mirror, &server.path_of(MIRROR_FLAC)).await;
    assert_eq!(
        body,
        json!({
            "lyrics": ["Plain mirror words", "", "Second verse"],
            "synced": false,
            "copyright": "(P) 2020 Gamma Records"
        })
    );

    // A path outside the index is only a hint that matches nothing: the best copy (highest
    // bitrate) answers as if it had been named, and the path is never read.
    let best = server
        .app
        .library()
        .track(swingfly_model::parse_hash(&mirror).unwrap())
        .unwrap()
        .filepath
        .to_string();
    let (_, as_best) = server.lyrics(&mirror, &best).await;
    let (status, body) = server.lyrics(&mirror, "/etc/passwd").await;
    assert_eq!(status, 200);
    assert_eq!(body, as_best);

    // 3. Embedded LRC text (an ID3 USLT frame, an MP4 ©lyr atom) comes out synced, meta tags and
    //    word timings dropped.
    let lantern = server.trackhash_of(USLT_MP3).await;
    let (_, body) = server.lyrics(&lantern, &server.path_of(USLT_MP3)).await;
    assert_eq!(body["synced"], true, "{body}");
    assert_eq!(
        timed(&body["lyrics"]),
        vec![(2000, "Embedded synced line".to_string())]
    );

    let candle = server.trackhash_of(LYR_M4A).await;
    let (_, body) = server.lyrics(&candle, "").await;
    assert_eq!(body["synced"], true, "{body}");
    assert_eq!(
        timed(&body["lyrics"]),
        vec![(4250, "Candle line".to_string())]
    );

    // 4. Only the lesser duplicate has a sidecar: found last, through the duplicate.
    let echo = server.trackhash_of(ECHO_FLAC).await;
    assert_eq!(echo, server.trackhash_of(ECHO_MP3).await, "duplicates");
    let (_, body) = server.lyrics(&echo, &server.path_of(ECHO_FLAC)).await;
    assert_eq!(
        timed(&body["lyrics"]),
        vec![(3000, "From the duplicate".to_string())],
        "{body}"
    );
    assert!(server.lyrics_exist(&echo, &server.path_of(ECHO_FLAC)).await);
}

#[tokio::test]
async fn lyrics_not_found_unknown_tracks_and_bad_input() {
    let server = start().await;
    // A track without lyrics: 200 with Swing's error body.
    let wav = server.trackhash_of(SOLO_WAV).await;
    let (status, body) = server.lyrics(&wav, &server.path_of(SOLO_WAV)).await;
    assert_eq!((status, body), (200, json!({"error": "No lyrics found"})));
    assert!(!server.lyrics_exist(&wav, &server.path_of(SOLO_WAV)).await);

    // An empty sidecar is no lyrics either.
    std::fs::write(
        server.music.join("Beta Ray/Solo/02 - Écho d'été.lrc"),
        "\r\n",
    )
    .unwrap();
    assert!(!server.lyrics_exist(&wav, "").await);

    // A well-formed trackhash that is not indexed.
    let (status, body) = server.lyrics("0123456789abcdef", "").await;
    assert_eq!((status, body), (200, json!({"error": "No lyrics found"})));
    assert!(!server.lyrics_exist("0123456789abcdef", "").await);

    // Malformed input: 422 naming the field.
    let (status, body) = server.lyrics("abc", "").await;
    assert_eq!(status, 422);
    assert_eq!(body[0]["loc"], json!(["body", "trackhash"]), "{body}");
    let (status, _) = server.post_json("/lyrics/check", json!({})).await;
    assert_eq!(status, 422);

    // A token is needed.
    let anonymous = reqwest::Client::new()
        .post(server.url("/lyrics"))
        .json(&json!({"trackhash": wav, "filepath": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // The online lookup is not served.
    let (status, body) = server
        .post_json(
            "/plugins/lyrics/search",
            json!({"trackhash": wav, "title": "x", "artist": "y", "album": "z", "filepath": ""}),
        )
        .await;
    assert_eq!((status, body), (404, json!({"msg": "Not found"})));
}

#[tokio::test]
async fn settings_page_has_defaults_and_never_a_secret() {
    let server = start().await;
    let (plain, plain_token) = server.plain_user_client().await;
    let admin_id = server
        .app
        .store
        .user_by_name("admin")
        .await
        .unwrap()
        .unwrap()
        .id;
    let plain_id = server
        .app
        .store
        .user_by_name("listener")
        .await
        .unwrap()
        .unwrap()
        .id;
    let admin_key = "admin-lastfm-session-key-0001";
    let plain_key = "listener-lastfm-session-key-0002";
    for (user, key) in [(admin_id, admin_key), (plain_id, plain_key)] {
        server
            .app
            .store
            .link_user_service(user, "lastfm", key, Some("someone"))
            .await
            .unwrap();
    }

    let page = server.settings().await;
    for (key, expected) in [
        ("usersOnLogin", json!(true)),
        ("artistSeparators", json!(["/", ";"])),
        ("genreSeparators", json!(["&", "/", ";"])),
        ("artistSplitIgnoreList", json!([])),
        ("extractFeaturedArtists", json!(true)),
        ("removeProdBy", json!(true)),
        ("removeRemasterInfo", json!(true)),
        ("mergeAlbums", json!(false)),
        ("cleanAlbumTitle", json!(true)),
        ("showAlbumsAsSingles", json!(false)),
        ("enablePeriodicScans", json!(false)),
        ("scanInterval", json!(10)),
        ("enableWatchdog", json!(false)),
        ("showPlaylistsInFolderView", json!(false)),
        ("enablePlugins", json!(true)),
        ("artistArticleAwareSorting", json!(false)),
        ("trustCloudLyrics", json!(false)),
        ("excludeDirs", json!([])),
        ("licenseInfo", Value::Null),
        ("lastfmSessionKey", json!(admin_key)),
        (
            "rootDirs",
            json!([server.music.to_string_lossy().into_owned()]),
        ),
        (
            "plugins",
            json!([{"name": "lyrics_finder", "active": false,
                    "settings": {"auto_download": false}, "extra": {}}]),
        ),
    ] {
        assert_eq!(page[key], expected, "{key}");
    }
    assert!(page["version"].as_str().is_some_and(|v| !v.is_empty()));
    assert!(page["deviceName"].as_str().is_some_and(|v| !v.is_empty()));
    let device_id = page["deviceId"].as_str().unwrap().to_string();
    assert_eq!(device_id.len(), 32);
    assert_eq!(server.settings().await["deviceId"], device_id, "stable");
    let articles = page["artistSortingArticles"].as_array().unwrap();
    assert!(articles.contains(&json!("the")));

    // The other user sees their own session key, and neither sees the other's.
    let (status, theirs) = server
        .send(
            &plain,
            reqwest::Method::GET,
            "/notsettings",
            Some(&plain_token),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(theirs["lastfmSessionKey"], plain_key);

    let secret = std::fs::read_to_string(&server.app.paths.secret).unwrap();
    let secret = secret.trim().to_lowercase();
    assert!(secret.len() >= 64, "the secret file holds hex");
    for (page, other_key) in [(&page, plain_key), (&theirs, admin_key)] {
        let text = page.to_string();
        assert!(
            !text.to_lowercase().contains(&secret),
            "the signing secret leaked"
        );
        assert!(
            !text.contains(other_key),
            "another user's session key leaked"
        );
        for name in [
            "serverId",
            "legacy_serverId",
            "lastfmApiKey",
            "lastfmApiSecret",
            "lastfmSessionKeys",
            "licenseKey",
            "_finished",
            "_last_updated",
        ] {
            assert!(page.get(name).is_none(), "{name} is served");
        }
    }

    let anonymous = reqwest::get(server.url("/notsettings")).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn settings_updates_are_checked_admin_only_and_reindex() {
    let server = start().await;
    let deluxe = "Aurora Lane/Night Drive (Deluxe Edition)/03 - Midnight Bonus.flac";
    assert_eq!(server.track_at(deluxe).await["album"], "Night Drive");

    // An index setting re-indexes before the answer.
    let (status, body) = server.update_setting("cleanAlbumTitle", json!(false)).await;
    assert_eq!((status, body), (200, json!({"msg": "Config updated!"})));
    assert_eq!(
        server.track_at(deluxe).await["album"],
        "Night Drive (Deluxe Edition)"
    );
    assert_eq!(server.settings().await["cleanAlbumTitle"], false);
    // Idempotent.
    let (status, _) = server.update_setting("cleanAlbumTitle", json!(false)).await;
    assert_eq!(status, 200);

    // Separators arrive comma-joined and are kept as a sorted set.
    let (status, _) = server
        .update_setting("artistSeparators", json!(";,/,&,;"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        server.settings().await["artistSeparators"],
        json!(["&", "/", ";"])
    );
    let (status, _) = server
        .update_setting(
            "artistSplitIgnoreList",
            json!(["AC/DC", "Simon & Garfunkel"]),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = server.update_setting("scanInterval", json!(30)).await;
    assert_eq!(status, 200);

    // Wrong types, unknown and read-only keys: 400 with a reason, nothing changed.
    let before = server.settings().await;
    for (key, value, reason) in [
        ("cleanAlbumTitle", json!("yes"), "expected true or false"),
        ("usersOnLogin", json!(1), "expected true or false"),
        ("scanInterval", json!("10"), "whole number"),
        ("scanInterval", json!(0), "whole number"),
        ("artistSeparators", json!({"a": 1}), "comma-separated"),
        ("artistSplitIgnoreList", json!("AC/DC"), "list of names"),
        ("artistSplitIgnoreList", json!([1, 2]), "must be a string"),
        ("noSuchSetting", json!(true), "Unknown setting"),
        ("serverId", json!("mine now"), "cannot be changed"),
        ("lastfmApiSecret", json!("x"), "cannot be changed"),
        ("rootDirs", json!(["/"]), "add-root-dirs"),
    ] {
        let (status, body) = server.update_setting(key, value).await;
        assert_eq!(status, 400, "{key}: {body}");
        let message = body["msg"].as_str().unwrap_or_default();
        assert!(message.contains(reason), "{key}: {message}");
    }
    let (status, _) = server
        .send(
            &server.client,
            reqwest::Method::PUT,
            "/notsettings/update",
            None,
            Some(json!({"value": true})),
        )
        .await;
    assert_eq!(status, 422, "a missing key");
    assert_eq!(server.settings().await, before);

    // Only an admin changes settings.
    let (plain, token) = server.plain_user_client().await;
    let (status, body) = server
        .send(
            &plain,
            reqwest::Method::PUT,
            "/notsettings/update",
            Some(&token),
            Some(json!({"key": "cleanAlbumTitle", "value": true})),
        )
        .await;
    assert_eq!(
        (status, body),
        (403, json!({"msg": "Only admins can do that!"}))
    );
    assert_eq!(server.settings().await["cleanAlbumTitle"], false);

    // The change is committed to the ledger.
    let stored = server.app.store.setting("cleanAlbumTitle").await.unwrap();
    assert_eq!(stored, Some(json!(false)));

    // The root-folder routes keep working.
    let (status, body) = server.get_json("/notsettings/get-root-dirs").await;
    assert_eq!(status, 200);
    assert_eq!(body["dirs"], json!([server.music.to_string_lossy()]));
}

#[tokio::test]
async fn plugins_list_switch_and_settings() {
    let server = start().await;
    let lyrics_finder = json!({"name": "lyrics_finder", "active": false,
                               "settings": {"auto_download": false}, "extra": {}});
    for path in ["/plugins", "/plugins/"] {
        let (status, body) = server.get_json(path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(body, json!({"plugins": [lyrics_finder.clone()]}), "{path}");
    }

    // Admin: switch on, twice (idempotent), then off again.
    for _ in 0..2 {
        let (status, body) = server
            .post_json(
                "/plugins/setactive",
                json!({"plugin": "lyrics_finder", "active": true}),
            )
            .await;
        assert_eq!((status, body), (200, json!({"message": "OK"})));
    }
    let (_, body) = server.get_json("/plugins").await;
    assert_eq!(body["plugins"][0]["active"], true);
    assert_eq!(server.settings().await["plugins"][0]["active"], true);
    // `active` defaults to false.
    let (status, _) = server
        .post_json("/plugins/setactive", json!({"plugin": "lyrics_finder"}))
        .await;
    assert_eq!(status, 200);
    let (_, body) = server.get_json("/plugins").await;
    assert_eq!(body["plugins"][0]["active"], false);

    // Settings: merged, typed, returned whole.
    let (status, body) = server
        .post_json(
            "/plugins/settings",
            json!({"plugin": "lyrics_finder", "settings": {"auto_download": true}}),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"status": "success", "settings": {"auto_download": true}})
        )
    );

    // Unknown plugins and bad settings: a reason, nothing changed.
    let (status, body) = server
        .post_json(
            "/plugins/setactive",
            json!({"plugin": "nope", "active": true}),
        )
        .await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("nope"), "{body}");
    let (status, _) = server
        .post_json(
            "/plugins/settings",
            json!({"plugin": "nope", "settings": {}}),
        )
        .await;
    assert_eq!(status, 404);
    for (settings, reason) in [
        (json!({"auto_download": "yes"}), "must be a boolean"),
        (json!({"token": "abc"}), "Unknown setting"),
    ] {
        let (status, body) = server
            .post_json(
                "/plugins/settings",
                json!({"plugin": "lyrics_finder", "settings": settings}),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(body["error"].as_str().unwrap().contains(reason), "{body}");
    }
    let (status, _) = server
        .post_json(
            "/plugins/settings",
            json!({"plugin": "lyrics_finder", "settings": [1]}),
        )
        .await;
    assert_eq!(status, 422);
    let (_, body) = server.get_json("/plugins").await;
    assert_eq!(
        body["plugins"][0]["settings"],
        json!({"auto_download": true})
    );

    // Not for plain users.
    let (plain, token) = server.plain_user_client().await;
    for (path, body) in [
        (
            "/plugins/setactive",
            json!({"plugin": "lyrics_finder", "active": true}),
        ),
        (
            "/plugins/settings",
            json!({"plugin": "lyrics_finder", "settings": {"auto_download": false}}),
        ),
    ] {
        let (status, answer) = server
            .send(
                &plain,
                reqwest::Method::POST,
                path,
                Some(&token),
                Some(body),
            )
            .await;
        assert_eq!(
            (status, answer),
            (403, json!({"msg": "Only admins can do that!"}))
        );
    }
    let (status, body) = server
        .send(&plain, reqwest::Method::GET, "/plugins", Some(&token), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["plugins"][0]["active"], false);
    assert_eq!(
        body["plugins"][0]["settings"],
        json!({"auto_download": true})
    );
}

/// One server-sent message: its fields by name (`data` lines joined).
#[derive(Debug, Default)]
struct SseMessage {
    id: Option<String>,
    event: Option<String>,
    data: String,
}

/// Reads an event stream's body message by message.
struct SseReader {
    body: futures_util::stream::BoxStream<'static, reqwest::Result<axum::body::Bytes>>,
    buffer: String,
}

impl SseReader {
    async fn connect(server: &TestServer) -> SseReader {
        // No token: the stream is public. A browser-like Origin is echoed with credentials.
        let response = reqwest::Client::new()
            .get(server.url("/events/stream"))
            .header("Origin", "http://player.example")
            .header("Accept-Encoding", "gzip, br")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers();
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        assert!(
            headers.get("content-encoding").is_none(),
            "event streams are never compressed"
        );
        assert_eq!(headers["x-accel-buffering"], "no");
        assert_eq!(headers["cache-control"], "no-cache");
        assert_eq!(
            headers["access-control-allow-origin"],
            "http://player.example"
        );
        SseReader {
            body: response.bytes_stream().boxed(),
            buffer: String::new(),
        }
    }

    /// The next message, or a panic after `within`.
    async fn next(&mut self, within: Duration) -> SseMessage {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut message = SseMessage::default();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("id:") {
                        message.id = Some(value.trim().to_string());
                    } else if let Some(value) = line.strip_prefix("event:") {
                        message.event = Some(value.trim().to_string());
                    } else if let Some(value) = line.strip_prefix("data:") {
                        if !message.data.is_empty() {
                            message.data.push('\n');
                        }
                        message
                            .data
                            .push_str(value.strip_prefix(' ').unwrap_or(value));
                    }
                }
                if message.id.is_none() && message.data.is_empty() {
                    continue; // a comment or keep-alive
                }
                return message;
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next())
                .await
                .expect("no event in time")
                .expect("the stream ended")
                .expect("the stream failed");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}

#[tokio::test]
async fn event_stream_carries_scan_progress_and_json_heartbeats() {
    let server = start().await;
    assert_eq!(server.active_listeners().await, 0);

    let mut first = SseReader::connect(&server).await;
    server.wait_for_listeners(1, Duration::from_secs(5)).await;
    let second = SseReader::connect(&server).await;
    server.wait_for_listeners(2, Duration::from_secs(5)).await;

    // A new file, then a scan: its progress arrives as `scan_batch_cleared` JSON messages.
    tone(
        &server.music,
        "Epsilon/New/01 - Fresh.mp3",
        &song_tags("Fresh", "Epsilon", "New"),
    );
    let (status, body) = server.get_json("/notsettings/trigger-scan").await;
    assert_eq!((status, body), (200, json!({"msg": "Scan triggered!"})));
    // The pipeline reports "0/1" as reading starts and "1/1" once the batch is read.
    let mut batches = Vec::new();
    let mut last_id = 0;
    while batches.last().map(String::as_str) != Some("1/1") {
        let message = first.next(Duration::from_secs(30)).await;
        assert_eq!(
            message.event, None,
            "real events are unnamed (EventSource onmessage)"
        );
        let id: u64 = message.id.expect("an id").parse().expect("a numeric id");
        assert_eq!(id, last_id + 1, "ids count up from 1");
        last_id = id;
        let data: Value = serde_json::from_str(&message.data).expect("the data is JSON");
        assert_eq!(data["event"], "scan_batch_cleared", "{data}");
        let timestamp = data["timestamp"].as_f64().expect("a float timestamp");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        assert!((now - timestamp).abs() < 60.0, "{timestamp} vs {now}");
        batches.push(data["data"]["batch"].as_str().expect("i/n").to_string());
    }
    assert!(
        batches
            .iter()
            .all(|batch| ["0/1", "1/1"].contains(&batch.as_str())),
        "{batches:?}"
    );

    // After 5 s without events: a heartbeat whose data is JSON too.
    let started = Instant::now();
    let heartbeat = loop {
        let message = first.next(Duration::from_secs(15)).await;
        if message.event.as_deref() == Some("heartbeat") {
            break message;
        }
    };
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "a heartbeat only after idle time ({:?})",
        started.elapsed()
    );
    let data: Value = serde_json::from_str(&heartbeat.data).expect("the heartbeat is JSON");
    assert_eq!(data["event"], "heartbeat");
    assert!(data["timestamp"].is_f64());
    let id: u64 = heartbeat.id.unwrap().parse().unwrap();
    assert!(id > last_id, "ids grow");

    // Closing a stream is noticed: the count goes back down.
    drop(second);
    server.wait_for_listeners(1, Duration::from_secs(20)).await;
    drop(first);
    server.wait_for_listeners(0, Duration::from_secs(20)).await;
}
