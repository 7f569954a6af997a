//! Playlists and collections over real HTTP, on a real generated library: two users side by
//! side, idempotent and duplicate adds, removal by index, image uploads (real PNG and GIF made
//! with the `image` crate), rejected uploads that change nothing, versions and ETags, M3U export
//! and import, and every collection route with its errors.

mod library_support;

use std::io::Cursor;

use reqwest::{Method, Response};
use serde_json::{json, Value};
use swingfly_store::scrobbles::NewScrobble;

use library_support::{TestServer, DELUXE_EDITION, SOLO_MP3, SOLO_WAV, STANDARD_EDITION};

/// A logged-in client: the admin (cookie) or the second user (Bearer token).
struct Caller<'a> {
    server: &'a TestServer,
    client: reqwest::Client,
    token: Option<String>,
}

impl<'a> Caller<'a> {
    fn admin(server: &'a TestServer) -> Self {
        Caller {
            server,
            client: server.client.clone(),
            token: None,
        }
    }

    async fn listener(server: &'a TestServer) -> Caller<'a> {
        let (client, token) = server.plain_user_client().await;
        Caller {
            server,
            client,
            token: Some(token),
        }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.client.request(method, self.server.url(path));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        json_of(request.send().await.expect("request")).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::POST, path, Some(body)).await
    }

    async fn delete(&self, path: &str, body: Option<Value>) -> (u16, Value) {
        self.send(Method::DELETE, path, body).await
    }

    /// Creates a playlist and returns its id.
    async fn new_playlist(&self, name: &str) -> i64 {
        let (status, body) = self.post("/playlists/new", json!({ "name": name })).await;
        assert_eq!(status, 201, "{body}");
        body["playlist"]["id"].as_i64().expect("id")
    }

    /// `(info, tracks, ETag)` of a playlist, every track.
    async fn playlist(&self, id: i64) -> (Value, Vec<Value>, String) {
        let response = self
            .request(Method::GET, &format!("/playlists/{id}?limit=-1"))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200);
        let etag = response.headers()["etag"].to_str().unwrap().to_string();
        let body: Value = response.json().await.unwrap();
        let tracks = body["tracks"].as_array().unwrap().clone();
        (body["info"].clone(), tracks, etag)
    }

    async fn version(&self, id: i64) -> i64 {
        let (info, _, etag) = self.playlist(id).await;
        let version = info["extra"]["version"].as_i64().expect("extra.version");
        assert_eq!(etag, format!("\"{version}\""), "the ETag is the version");
        version
    }

    async fn trackhashes(&self, id: i64) -> Vec<String> {
        let (_, tracks, _) = self.playlist(id).await;
        tracks
            .iter()
            .map(|track| track["trackhash"].as_str().unwrap().to_string())
            .collect()
    }

    async fn add(&self, id: i64, itemtype: &str, itemhash: &str) -> (u16, Value) {
        self.post(
            &format!("/playlists/{id}/add"),
            json!({"itemtype": itemtype, "itemhash": itemhash}),
        )
        .await
    }

    async fn multipart(&self, method: Method, path: &str, form: &Multipart) -> (u16, Value) {
        let response = self
            .request(method, path)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(form.body())
            .send()
            .await
            .expect("request");
        json_of(response).await
    }
}

async fn json_of(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

const BOUNDARY: &str = "swingfly-test-boundary-7d1f";

/// A hand-built multipart/form-data body.
#[derive(Default)]
struct Multipart {
    parts: Vec<u8>,
}

impl Multipart {
    fn text(mut self, name: &str, value: &str) -> Self {
        self.parts.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
        self
    }

    fn file(mut self, name: &str, file_name: &str, content_type: &str, bytes: &[u8]) -> Self {
        self.parts.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; \
                 filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        self.parts.extend_from_slice(bytes);
        self.parts.extend_from_slice(b"\r\n");
        self
    }

    fn body(&self) -> Vec<u8> {
        let mut body = self.parts.clone();
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        body
    }
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut bytes = Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("png");
    bytes.into_inner()
}

/// A two-frame animated GIF, 120 x 300.
fn gif() -> Vec<u8> {
    let mut bytes = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut bytes);
        for shade in [40u8, 220] {
            let frame = image::RgbaImage::from_pixel(120, 300, image::Rgba([shade, 10, 10, 255]));
            encoder
                .encode_frame(image::Frame::new(frame))
                .expect("gif frame");
        }
    }
    bytes
}

async fn trackhash(server: &TestServer, relative: &str) -> String {
    server.track_at(relative).await["trackhash"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn playlists_are_per_user_and_every_edit_moves_the_version() {
    let server = TestServer::start().await;
    let admin = Caller::admin(&server);
    let listener = Caller::listener(&server).await;
    let city = trackhash(&server, STANDARD_EDITION).await;
    // Both editions' "City Lights" are one track (same artist, cleaned album title and title).
    assert_eq!(trackhash(&server, DELUXE_EDITION).await, city);
    let bonus = trackhash(
        &server,
        "Aurora Lane/Night Drive (Deluxe Edition)/03 - Midnight Bonus.flac",
    )
    .await;
    let signal = trackhash(&server, SOLO_MP3).await;
    let echo = trackhash(&server, SOLO_WAV).await;
    let solo_album = server.albumhash_of(SOLO_MP3).await;

    // Creation, names unique per user.
    let road = admin.new_playlist("Road").await;
    assert_eq!(admin.version(road).await, 1);
    let (status, body) = admin.post("/playlists/new", json!({"name": "Road"})).await;
    assert_eq!(
        (status, body),
        (409, json!({"error": "Playlist already exists"}))
    );
    let (status, body) = admin.post("/playlists/new", json!({"name": "  "})).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = admin.post("/playlists/new", json!({"title": "x"})).await;
    assert_eq!(status, 422, "{body}");
    let theirs = listener.new_playlist("Road").await;
    assert_ne!(theirs, road);

    // A single track; the same track again is a 409 that changes nothing.
    assert_eq!(
        admin.add(road, "tracks", &city).await,
        (200, json!({"msg": "Done"}))
    );
    assert_eq!(admin.version(road).await, 2);
    let (status, body) = admin.add(road, "tracks", &city).await;
    assert_eq!(
        (status, body),
        (409, json!({"msg": "Track already exists in playlist"}))
    );
    assert_eq!(admin.version(road).await, 2);

    // An album appends its tracks in order; adding it again is idempotent (no new version).
    assert_eq!(admin.add(road, "album", &solo_album).await.0, 200);
    assert_eq!(
        admin.trackhashes(road).await,
        vec![city.clone(), signal.clone(), echo.clone()]
    );
    assert_eq!(admin.version(road).await, 3);
    assert_eq!(admin.add(road, "album", &solo_album).await.0, 200);
    assert_eq!(admin.version(road).await, 3);

    // Several tracks: only the new ones are appended, in the order given.
    let list = format!("{echo},{bonus},{city}");
    assert_eq!(admin.add(road, "tracks", &list).await.0, 200);
    assert_eq!(
        admin.trackhashes(road).await,
        vec![city.clone(), signal.clone(), echo.clone(), bonus.clone()]
    );
    assert_eq!(admin.version(road).await, 4);

    // Bad input: a reason, and nothing changed.
    for (itemtype, itemhash, expected) in [
        ("tracks", "ffffffffffffffff", 400),
        ("tracks", &format!("{city},nothex"), 400),
        ("tracks", "", 400),
        ("album", "ffffffffffffffff", 404),
        ("artist", "0000000000000000", 404),
        ("folder", "/no/such/folder", 404),
        ("queue", &city, 400),
    ] {
        let (status, body) = admin.add(road, itemtype, itemhash).await;
        assert_eq!(status, expected, "{itemtype} {itemhash}: {body}");
        assert!(
            body["msg"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
    let (status, _) = admin
        .post(&format!("/playlists/{road}/add"), json!({"itemhash": city}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(admin.version(road).await, 4);

    // The other user sees none of it and changes none of it.
    let foreign = format!("/playlists/{road}");
    assert_eq!(
        listener.get(&foreign).await,
        (404, json!({"msg": "Playlist not found"}))
    );
    assert_eq!(listener.add(road, "tracks", &signal).await.0, 404);
    for path in [
        format!("/playlists/{road}/pin_unpin"),
        format!("/playlists/{road}/remove-tracks"),
    ] {
        let (status, _) = listener.post(&path, json!({"tracks": []})).await;
        assert_eq!(status, 404, "{path}");
    }
    assert_eq!(
        listener
            .delete(&format!("/playlists/{road}/delete"), None)
            .await
            .0,
        404
    );
    assert_eq!(
        listener
            .delete(&format!("/playlists/{road}/remove-img"), None)
            .await
            .0,
        404
    );
    assert_eq!(admin.version(road).await, 4);
    let (_, listed) = listener.get("/playlists").await;
    let names: Vec<i64> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(names, vec![theirs]);
    assert!(listener.trackhashes(theirs).await.is_empty());

    // A folder: every file in it and below, only the new ones.
    let night_drive = server.music.join("Aurora Lane/Night Drive");
    let (status, body) = admin
        .add(road, "folder", &night_drive.to_string_lossy())
        .await;
    assert_eq!(status, 200, "{body}");
    let neon = trackhash(&server, "Aurora Lane/Night Drive/02 - Neon Rain.flac").await;
    assert_eq!(
        admin.trackhashes(road).await,
        vec![
            city.clone(),
            signal.clone(),
            echo.clone(),
            bonus.clone(),
            neon.clone()
        ]
    );
    assert_eq!(admin.version(road).await, 5);

    // Paging and the playlist object.
    let (status, page) = admin
        .get(&format!("/playlists/{road}?start=1&limit=2"))
        .await;
    assert_eq!(status, 200);
    let paged: Vec<&str> = page["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["trackhash"].as_str().unwrap())
        .collect();
    assert_eq!(paged, vec![signal.as_str(), echo.as_str()]);
    let info = &page["info"];
    assert_eq!(info["count"], 5);
    assert_eq!(info["trackhashes"], json!([]));
    assert_eq!(info["image"], "None");
    assert_eq!(info["has_image"], false);
    assert!(info["duration"].as_u64().unwrap() >= 12, "{info}");
    assert_eq!(info["images"].as_array().unwrap().len(), 4, "{info}");
    assert!(info["images"][0]["image"]
        .as_str()
        .unwrap()
        .ends_with(".webp"));
    assert_eq!(info["_last_updated"], "a few seconds ago");
    // Track objects carry the caller's own favourites.
    let (status, body) = admin
        .post("/favorites/add", json!({"hash": signal, "type": "track"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = admin
        .get(&format!("/playlists/{road}?start=1&limit=1"))
        .await;
    assert_eq!(page["tracks"][0]["trackhash"], signal.as_str());
    assert_eq!(page["tracks"][0]["is_favorite"], true);
    let (_, page) = admin.get(&format!("/playlists/{road}?limit=1")).await;
    assert_eq!(page["tracks"][0]["is_favorite"], false);
    let their_list = listener.new_playlist("Theirs too").await;
    listener.add(their_list, "tracks", &signal).await;
    let (_, page) = listener.get(&format!("/playlists/{their_list}")).await;
    assert_eq!(
        page["tracks"][0]["is_favorite"], false,
        "favourites are per user"
    );
    let (_, no_tracks) = admin
        .get(&format!("/playlists/{road}?no_tracks=true"))
        .await;
    assert_eq!(no_tracks["tracks"], json!([]));

    // Remove by index: only when the hash first occurs at that index.
    let remove = format!("/playlists/{road}/remove-tracks");
    let (status, _) = admin
        .post(
            &remove,
            json!({"tracks": [{"trackhash": echo, "index": 0}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        admin.version(road).await,
        5,
        "a wrong index removes nothing"
    );
    let (status, _) = admin
        .post(
            &remove,
            json!({"tracks": [{"trackhash": echo, "index": 2}, {"trackhash": city, "index": 0}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        admin.trackhashes(road).await,
        vec![signal.clone(), bonus.clone(), neon.clone()]
    );
    assert_eq!(admin.version(road).await, 6);
    let (status, _) = admin.post(&remove, json!({"tracks": [{"index": 0}]})).await;
    assert_eq!(status, 422);

    // Pinning toggles, and each toggle is a new version.
    assert_eq!(
        admin
            .post(&format!("/playlists/{road}/pin_unpin"), json!({}))
            .await
            .0,
        200
    );
    let (info, _, _) = admin.playlist(road).await;
    assert_eq!(
        (info["pinned"].clone(), info["settings"]["pinned"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(admin.version(road).await, 7);
    admin
        .post(&format!("/playlists/{road}/pin_unpin"), json!({}))
        .await;
    let (info, _, _) = admin.playlist(road).await;
    assert_eq!(info["pinned"], false);
    assert_eq!(admin.version(road).await, 8);

    // The list: newest change first, trackhashes emptied, 4 collage images.
    let second = admin.new_playlist("Second").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    admin.add(road, "tracks", &city).await;
    let (_, listed) = admin.get("/playlists").await;
    let data = listed["data"].as_array().unwrap();
    let ids: Vec<i64> = data.iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![road, second]);
    assert_eq!(data[0]["trackhashes"], json!([]));
    assert_eq!(data[0]["images"].as_array().unwrap().len(), 4);
    assert_eq!(data[1]["images"], json!([]));
    assert!(
        data[0]["last_updated"].as_str().unwrap().len() == 19,
        "{}",
        data[0]
    );

    // Ids that are not integers are 404s, as with Swing's int converter.
    assert_eq!(admin.get("/playlists/abc").await.0, 404);
    assert_eq!(admin.add(0, "tracks", &city).await.0, 404);

    // Deleting.
    assert_eq!(
        admin
            .delete(&format!("/playlists/{second}/delete"), None)
            .await,
        (200, json!({"msg": "Done"}))
    );
    assert_eq!(admin.get(&format!("/playlists/{second}")).await.0, 404);
    assert_eq!(
        admin
            .delete(&format!("/playlists/{second}/delete"), None)
            .await
            .0,
        404
    );
    assert_eq!(listener.get(&format!("/playlists/{theirs}")).await.0, 200);
    assert_eq!(
        listener.get(&format!("/playlists/{their_list}")).await.0,
        200
    );
}

#[tokio::test]
async fn computed_playlists_and_save_item() {
    let server = TestServer::start().await;
    let admin = Caller::admin(&server);
    let listener = Caller::listener(&server).await;

    // Recently added: every distinct track (6 files, 5 tracks), newest file first, sent whole
    // on the first page.
    let (status, body) = admin.get("/playlists/recentlyadded?limit=2").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["info"]["id"], "recentlyadded");
    let tracks = body["tracks"].as_array().unwrap();
    assert_eq!(tracks.len(), 5);
    assert_eq!(body["info"]["count"], 5);
    let (_, later) = admin.get("/playlists/recentlyadded?start=1").await;
    assert_eq!(later, json!({"tracks": []}));

    // Recently played: the caller's newest distinct plays, from the play history.
    let signal = trackhash(&server, SOLO_MP3).await;
    let city = trackhash(&server, STANDARD_EDITION).await;
    let admin_id = server
        .app
        .store
        .user_by_name(library_support::ADMIN)
        .await
        .unwrap()
        .unwrap()
        .id;
    for (hash, timestamp) in [(&city, 1000), (&signal, 2000), (&city, 3000)] {
        server
            .app
            .store
            .insert_scrobble(
                admin_id,
                &NewScrobble {
                    trackhash: hash.clone(),
                    timestamp,
                    duration: 3,
                    source: String::new(),
                    extra: json!({}),
                },
            )
            .await
            .unwrap();
    }
    let (status, body) = admin.get("/playlists/recentlyplayed").await;
    assert_eq!(status, 200);
    let played: Vec<&str> = body["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["trackhash"].as_str().unwrap())
        .collect();
    assert_eq!(played, vec![city.as_str(), signal.as_str()]);
    let (_, theirs) = listener.get("/playlists/recentlyplayed").await;
    assert_eq!(theirs["tracks"], json!([]), "plays are per user");

    // save-item: an album becomes a playlist; its cover (when extracted) becomes the banner.
    let solo_album = server.albumhash_of(SOLO_MP3).await;
    let (status, body) = admin
        .post(
            "/playlists/save-item",
            json!({"itemtype": "album", "playlist_name": "Solo copy", "itemhash": solo_album}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let saved = &body["playlist"];
    assert_eq!(saved["count"], 2);
    let cover = server
        .app
        .paths
        .thumbnails
        .join("large")
        .join(format!("{solo_album}.webp"));
    assert!(cover.is_file(), "the scan extracted the embedded cover");
    assert_eq!(saved["has_image"], true, "{saved}");
    let image = saved["image"].as_str().unwrap();
    let served = server
        .client
        .get(server.url(&format!("/img/playlist/{image}")))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/webp");
    let (status, body) = admin
        .post(
            "/playlists/save-item",
            json!({"itemtype": "album", "playlist_name": "Solo copy", "itemhash": solo_album}),
        )
        .await;
    assert_eq!(
        (status, body),
        (409, json!({"error": "Playlist already exists"}))
    );
    let (status, body) = admin
        .post(
            "/playlists/save-item",
            json!({"itemtype": "album", "playlist_name": "Nothing", "itemhash": "ffffffffffffffff"}),
        )
        .await;
    assert_eq!((status, body), (404, json!({"error": "No tracks founds"})));
    // Tracks, sorted by title descending.
    let artist = server.track_at(SOLO_MP3).await["artisthashes"][0]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = admin
        .post(
            "/playlists/save-item",
            json!({"itemtype": "artist", "playlist_name": "Beta", "itemhash": artist,
                   "sortoptions": {"tracksortby": "title", "tracksortreverse": true}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["playlist"]["id"].as_i64().unwrap();
    let titles: Vec<String> = admin
        .playlist(id)
        .await
        .1
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles, vec!["Lonely Signal", "Echo"]);
    assert_eq!(listener.get(&format!("/playlists/{id}")).await.0, 404);
}

#[tokio::test]
async fn playlist_images_upload_replace_and_reject() {
    let server = TestServer::start().await;
    let admin = Caller::admin(&server);
    let listener = Caller::listener(&server).await;
    let dir = server.app.paths.playlist_images.clone();
    let id = admin.new_playlist("Pictures").await;
    let update = format!("/playlists/{id}/update");

    // A real PNG: stored as WebP with a 250 px high thumbnail; name and settings change too.
    let form = Multipart::default()
        .text("name", "Pictures!")
        .text("settings", r#"{"banner_pos": 30, "has_gif": true}"#)
        .file("image", "cover.png", "image/png", &png(600, 400));
    let (status, body) = admin.multipart(Method::PUT, &update, &form).await;
    assert_eq!(status, 200, "{body}");
    let data = &body["data"];
    assert_eq!(data["name"], "Pictures!");
    assert_eq!(data["settings"]["banner_pos"], 30);
    assert_eq!(
        data["settings"]["has_gif"], false,
        "has_gif is the server's"
    );
    assert_eq!(data["has_image"], true);
    assert!(data["last_updated"].as_str().unwrap().ends_with("ago"));
    let webp = data["image"].as_str().unwrap().to_string();
    assert!(
        webp.starts_with(&id.to_string()) && webp.ends_with(".webp"),
        "{webp}"
    );
    assert_eq!(data["thumb"], format!("thumb_{webp}"));
    assert_eq!(admin.version(id).await, 2);
    for (name, height) in [(webp.clone(), 400), (format!("thumb_{webp}"), 250)] {
        let response = server
            .client
            .get(server.url(&format!("/img/playlist/{name}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{name}");
        assert_eq!(response.headers()["content-type"], "image/webp");
        let bytes = response.bytes().await.unwrap();
        let decoded = image::load_from_memory(&bytes).expect("a real image");
        assert_eq!(decoded.height(), height, "{name}");
    }

    // A GIF stays a GIF, sets has_gif, and the previous WebP files are deleted (Swing deleted
    // the new ones instead).
    let form = Multipart::default().file("image", "anim.gif", "image/gif", &gif());
    let (status, body) = admin.multipart(Method::PUT, &update, &form).await;
    assert_eq!(status, 200, "{body}");
    let gif_name = body["data"]["image"].as_str().unwrap().to_string();
    assert!(gif_name.ends_with(".gif"), "{gif_name}");
    assert_eq!(body["data"]["settings"]["has_gif"], true);
    assert_eq!(
        body["data"]["name"], "Pictures!",
        "a missing part keeps the value"
    );
    assert!(!dir.join(&webp).exists() && !dir.join(format!("thumb_{webp}")).exists());
    assert!(dir.join(&gif_name).is_file() && dir.join(format!("thumb_{gif_name}")).is_file());
    for (name, height) in [(gif_name.clone(), 300), (format!("thumb_{gif_name}"), 250)] {
        let response = server
            .client
            .get(server.url(&format!("/img/playlist/{name}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "image/gif");
        let bytes = response.bytes().await.unwrap();
        assert_eq!(&bytes[..6], b"GIF89a");
        let decoded = image::load_from_memory(&bytes).expect("a real GIF");
        assert_eq!(decoded.height(), height, "{name}");
    }
    let version = admin.version(id).await;
    assert_eq!(version, 3);

    // Rejected uploads change nothing: garbage, a truncated PNG, an oversized file, a body that
    // is not a form, settings that are not JSON, another user's playlist.
    let mut truncated = png(300, 300);
    truncated.truncate(100);
    let mut oversized = png(64, 64);
    oversized.resize(6 * 1024 * 1024, 0);
    let rejected = [
        (
            Multipart::default().file("image", "x.png", "image/png", b"definitely not an image"),
            415,
        ),
        (
            Multipart::default().file("image", "x.png", "image/png", &truncated),
            400,
        ),
        (
            Multipart::default().text("name", "Big").file(
                "image",
                "x.png",
                "image/png",
                &oversized,
            ),
            413,
        ),
        (Multipart::default().text("settings", "{not json"), 400),
        (Multipart::default().text("name", " "), 400),
    ];
    for (form, expected) in &rejected {
        let (status, body) = admin.multipart(Method::PUT, &update, form).await;
        assert_eq!(status, *expected, "{body}");
        assert!(
            body["msg"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
    let (status, _) = admin
        .send(Method::PUT, &update, Some(json!({"name": "json"})))
        .await;
    assert_eq!(status, 400);
    let form = Multipart::default().file("image", "x.png", "image/png", &png(10, 10));
    assert_eq!(listener.multipart(Method::PUT, &update, &form).await.0, 404);
    let (info, _, _) = admin.playlist(id).await;
    assert_eq!(info["name"], "Pictures!");
    assert_eq!(info["image"], gif_name.as_str());
    assert_eq!(admin.version(id).await, version);
    let files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut expected = vec![gif_name.clone(), format!("thumb_{gif_name}")];
    let mut found = files.clone();
    found.sort();
    expected.sort();
    assert_eq!(found, expected, "no stray or partial files");

    // Renaming onto another playlist's name is a 409.
    admin.new_playlist("Other").await;
    let form = Multipart::default().text("name", "Other");
    let (status, body) = admin.multipart(Method::PUT, &update, &form).await;
    assert_eq!(
        (status, body),
        (409, json!({"error": "Playlist already exists"}))
    );

    // Removing the image removes its files; deleting a playlist removes its image files.
    let (status, body) = admin
        .delete(&format!("/playlists/{id}/remove-img"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["playlist"]["image"], "None");
    assert_eq!(body["playlist"]["settings"]["has_gif"], false);
    assert!(!dir.join(&gif_name).exists());
    let form = Multipart::default().file("image", "c.png", "image/png", &png(50, 50));
    let (_, body) = admin.multipart(Method::PUT, &update, &form).await;
    let last = body["data"]["image"].as_str().unwrap().to_string();
    assert!(dir.join(&last).is_file());
    admin.delete(&format!("/playlists/{id}/delete"), None).await;
    assert!(!dir.join(&last).exists() && !dir.join(format!("thumb_{last}")).exists());

    // An image name that is not there gets the fallback artwork.
    let response = server
        .client
        .get(server.url("/img/playlist/thumb_nothing.webp"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
}

#[tokio::test]
async fn m3u_export_and_import_round_trip() {
    let server = TestServer::start().await;
    let admin = Caller::admin(&server);
    let listener = Caller::listener(&server).await;
    let order = [SOLO_WAV, STANDARD_EDITION, SOLO_MP3];
    let mut hashes = Vec::new();
    for relative in order {
        hashes.push(trackhash(&server, relative).await);
    }
    let id = admin.new_playlist("Trip").await;
    admin.add(id, "tracks", &hashes.join(",")).await;

    let response = admin
        .request(Method::GET, &format!("/playlists/{id}/export.m3u8"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("audio/x-mpegurl"));
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("Trip.m3u8"));
    assert_eq!(response.headers()["etag"], "\"2\"");
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "#EXTM3U");
    assert_eq!(lines[1], "#PLAYLIST:Trip");
    assert_eq!(lines[2], "#EXTINF:2,Beta Ray - Echo");
    assert_eq!(lines[3], server.path_of(SOLO_WAV));
    assert_eq!(lines[4], "#EXTINF:3,Aurora Lane - City Lights");
    assert_eq!(lines[7], server.path_of(SOLO_MP3));
    assert_eq!(lines.len(), 8);
    assert_eq!(
        listener
            .get(&format!("/playlists/{id}/export.m3u8"))
            .await
            .0,
        404
    );

    // Import the export under a new name: the same tracks in the same order.
    let response = admin
        .request(Method::POST, "/playlists/import?name=Trip%20again")
        .header("content-type", "audio/x-mpegurl")
        .body(text.clone())
        .send()
        .await
        .unwrap();
    let (status, report) = json_of(response).await;
    assert_eq!(status, 201, "{report}");
    assert_eq!(report["resolved"], 3);
    assert_eq!(report["unresolved"], json!([]));
    assert_eq!(report["playlist"]["name"], "Trip again");
    let copy = report["playlist"]["id"].as_i64().unwrap();
    assert_eq!(admin.trackhashes(copy).await, hashes);

    // Without a name, the #PLAYLIST line names it, and that name is taken.
    let response = admin
        .request(Method::POST, "/playlists/import")
        .body(text)
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_of(response).await,
        (409, json!({"error": "Playlist already exists"}))
    );

    // Paths relative to the root, a path from another machine, an #EXTINF match, and misses,
    // as a multipart upload named by its file.
    let m3u = format!(
        "#EXTM3U\r\n{}\r\nD:\\Music\\Beta Ray\\Solo\\01 - Lonely Signal.mp3\r\n\
         #EXTINF:3,aurora lane - NEON RAIN\r\n/elsewhere/neon.flac\r\n\
         /nowhere/missing.flac\r\n#EXTINF:1,Nobody - Nothing\r\nmissing.mp3\r\n",
        SOLO_WAV.replace('/', "\\")
    );
    let form = Multipart::default().file("file", "Weekend.m3u", "audio/x-mpegurl", m3u.as_bytes());
    let (status, report) = listener
        .multipart(Method::POST, "/playlists/import", &form)
        .await;
    assert_eq!(status, 201, "{report}");
    assert_eq!(report["playlist"]["name"], "Weekend");
    assert_eq!(report["resolved"], 3);
    let unresolved = report["unresolved"].as_array().unwrap();
    assert_eq!(unresolved.len(), 2, "{report}");
    assert_eq!(unresolved[0]["line"], 6);
    assert_eq!(unresolved[0]["entry"], "/nowhere/missing.flac");
    assert_eq!(unresolved[1]["line"], 8);
    assert!(unresolved[1]["reason"].as_str().unwrap().contains("title"));
    let imported = report["playlist"]["id"].as_i64().unwrap();
    let neon = trackhash(&server, "Aurora Lane/Night Drive/02 - Neon Rain.flac").await;
    assert_eq!(
        listener.trackhashes(imported).await,
        vec![hashes[0].clone(), hashes[2].clone(), neon]
    );
    assert_eq!(admin.get(&format!("/playlists/{imported}")).await.0, 404);

    // Nothing resolvable, or nothing at all: 400 with the reason, and no playlist.
    let response = admin
        .request(Method::POST, "/playlists/import?name=Ghosts")
        .body("/a/b.mp3\n/c/d.flac\n")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["unresolved"].as_array().unwrap().len(), 2);
    let response = admin
        .request(Method::POST, "/playlists/import?name=Empty")
        .body("#EXTM3U\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let (_, listed) = admin.get("/playlists").await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn collections_routes_and_errors() {
    let server = TestServer::start().await;
    let admin = Caller::admin(&server);
    let listener = Caller::listener(&server).await;
    let solo = server.albumhash_of(SOLO_MP3).await;
    let night = server.albumhash_of(STANDARD_EDITION).await;
    let beta = server.track_at(SOLO_MP3).await["artisthashes"][0]
        .as_str()
        .unwrap()
        .to_string();

    let (status, body) = admin
        .post(
            "/collections",
            json!({"name": "Faves", "description": "best",
                   "items": [{"type": "album", "hash": solo}, {"type": "artist", "hash": beta},
                             {"type": "album", "hash": solo}]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert!(body["message"].is_string());

    // Errors: no items, an unknown type (400 with a reason, not a 500), an unknown hash.
    for (items, needle) in [
        (json!([]), "No items to add"),
        (json!([{"type": "genre", "hash": solo}]), "genre"),
        (
            json!([{"type": "album", "hash": "ffffffffffffffff"}]),
            "ffffffffffffffff",
        ),
        (json!([{"type": "album", "hash": "short"}]), "short"),
    ] {
        let (status, body) = admin
            .post("/collections", json!({"name": "Bad", "items": items}))
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(body["error"].as_str().unwrap().contains(needle), "{body}");
    }
    let (status, _) = admin.post("/collections", json!({"items": []})).await;
    assert_eq!(status, 422);

    let (status, list) = admin.get("/collections").await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "failed creations stored nothing");
    let id = list[0]["id"].as_i64().unwrap();
    assert_eq!(list[0]["name"], "Faves");
    assert_eq!(list[0]["extra"], json!({"description": "best"}));
    assert_eq!(
        list[0]["items"],
        json!([{"type": "album", "hash": solo}, {"type": "artist", "hash": beta}])
    );

    // The page: cards, newest first.
    let path = format!("/collections/{id}");
    let (status, page) = admin.get(&path).await;
    assert_eq!(status, 200);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["artisthash"], beta.as_str());
    assert_eq!(items[0]["type"], "artist");
    assert_eq!(items[1]["albumhash"], solo.as_str());
    assert_eq!(page["extra"]["description"], "best");

    // Items: add, a duplicate is a 400, remove (twice is fine).
    let items_path = format!("/collections/{id}/items");
    let night_item = json!({"item": {"type": "album", "hash": night}});
    assert_eq!(admin.post(&items_path, night_item.clone()).await.0, 200);
    let (status, body) = admin.post(&items_path, night_item.clone()).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].is_string());
    let (_, page) = admin.get(&path).await;
    assert_eq!(page["items"][0]["albumhash"], night.as_str());
    assert_eq!(
        admin.delete(&items_path, Some(night_item.clone())).await.0,
        200
    );
    assert_eq!(
        admin.delete(&items_path, Some(night_item.clone())).await.0,
        200
    );
    let (_, page) = admin.get(&path).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let (status, _) = admin
        .post(
            &items_path,
            json!({"item": {"type": "song", "hash": night}}),
        )
        .await;
    assert_eq!(status, 400);

    // Rename.
    let (status, body) = admin
        .send(
            Method::PUT,
            &path,
            Some(json!({"name": "Best", "description": "new"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"id": id, "name": "Best", "extra": {"description": "new"}})
    );

    // The other user: none of it.
    let (_, theirs) = listener.get("/collections").await;
    assert_eq!(theirs, json!([]));
    assert_eq!(listener.get(&path).await.0, 404);
    assert_eq!(listener.post(&items_path, night_item.clone()).await.0, 404);
    assert_eq!(
        listener
            .delete(&items_path, Some(night_item.clone()))
            .await
            .0,
        404
    );
    assert_eq!(
        listener
            .send(Method::PUT, &path, Some(json!({"name": "Mine"})))
            .await
            .0,
        404
    );
    assert_eq!(listener.delete(&path, None).await.0, 404);
    assert_eq!(admin.get(&path).await.1["name"], "Best");

    // Missing and malformed ids, then deletion.
    assert_eq!(admin.get("/collections/999").await.0, 404);
    assert_eq!(admin.get("/collections/abc").await.0, 404);
    assert_eq!(
        admin.post("/collections/999/items", night_item).await.0,
        404
    );
    let (status, body) = admin.delete(&path, None).await;
    assert_eq!(status, 200);
    assert!(body["message"].is_string());
    assert_eq!(
        admin.get(&path).await,
        (404, json!({"error": "Collection not found"}))
    );
}
