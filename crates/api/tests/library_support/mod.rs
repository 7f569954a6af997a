//! Shared by the library_* and stream_* tests: a small real music folder (audio made by ffmpeg,
//! tagged by ffmpeg), an App over a temporary data folder, the real router on 127.0.0.1:0, and
//! an admin logged in through `/auth/profile/create`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde_json::{json, Value};
use swingfly_services::app::{App, AppConfig};
use tempfile::TempDir;

pub const FFMPEG: &str = "/usr/bin/ffmpeg";

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "correct horse battery";

/// One generated audio file.
pub struct Song {
    pub relative: &'static str,
    pub title: &'static str,
    pub artist: &'static str,
    pub album: &'static str,
    pub track: u32,
    pub seconds: u32,
    pub embed_cover: bool,
}

/// The music folder every test starts with:
/// - "Night Drive" (FLAC, two tracks, a `cover.jpg` beside them, no embedded art);
/// - "Night Drive (Deluxe Edition)" (FLAC; shares "City Lights" with the standard edition);
/// - "Solo" by Beta Ray (an MP3 with an embedded cover, and a WAV with a non-ASCII name).
pub const SONGS: &[Song] = &[
    Song {
        relative: "Aurora Lane/Night Drive/01 - City Lights.flac",
        title: "City Lights",
        artist: "Aurora Lane",
        album: "Night Drive",
        track: 1,
        seconds: 3,
        embed_cover: false,
    },
    Song {
        relative: "Aurora Lane/Night Drive/02 - Neon Rain.flac",
        title: "Neon Rain",
        artist: "Aurora Lane",
        album: "Night Drive",
        track: 2,
        seconds: 3,
        embed_cover: false,
    },
    Song {
        relative: "Aurora Lane/Night Drive (Deluxe Edition)/01 - City Lights.flac",
        title: "City Lights",
        artist: "Aurora Lane",
        album: "Night Drive (Deluxe Edition)",
        track: 1,
        seconds: 3,
        embed_cover: false,
    },
    Song {
        relative: "Aurora Lane/Night Drive (Deluxe Edition)/03 - Midnight Bonus.flac",
        title: "Midnight Bonus",
        artist: "Aurora Lane",
        album: "Night Drive (Deluxe Edition)",
        track: 3,
        seconds: 3,
        embed_cover: false,
    },
    Song {
        relative: "Beta Ray/Solo/01 - Lonely Signal.mp3",
        title: "Lonely Signal",
        artist: "Beta Ray",
        album: "Solo",
        track: 1,
        seconds: 3,
        embed_cover: true,
    },
    Song {
        relative: "Beta Ray/Solo/02 - Écho d'été.wav",
        title: "Echo",
        artist: "Beta Ray",
        album: "Solo",
        track: 2,
        seconds: 2,
        embed_cover: false,
    },
];

pub struct TestServer {
    pub base: String,
    /// Carries the admin's cookie.
    pub client: reqwest::Client,
    pub app: Arc<App>,
    pub music: PathBuf,
    pub dir: TempDir,
}

impl TestServer {
    /// Generates the music folder, opens an App with it as the only root, scans it, starts the
    /// server and logs in as the first user (the admin).
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut AppConfig)) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let music = dir.path().join("music");
        make_music(&music);
        let mut config = AppConfig::new(dir.path().join("data"));
        config.music_roots = vec![music.clone()];
        config.home_dir = dir.path().to_path_buf();
        config.ffmpeg = PathBuf::from(FFMPEG);
        adjust(&mut config);
        let app = App::open(config).await.expect("open app");
        swingfly_api::assets::ensure_assets(&app.paths.assets).expect("assets");
        app.scan(&|_| {}).await.expect("scan");
        // The roots are stored canonicalised; use the same spelling in requests.
        let music = std::fs::canonicalize(&music).expect("canonical music dir");

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(swingfly_api::serve_listener(
            app.clone(),
            listener,
            std::future::pending(),
        ));

        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let created = client
            .post(format!("{base}/auth/profile/create"))
            .json(&json!({"username": ADMIN, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .expect("create admin");
        assert_eq!(
            created.status(),
            200,
            "first user: {}",
            created.text().await.unwrap_or_default()
        );
        TestServer {
            base,
            client,
            app,
            music,
            dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_json(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Creates a non-admin user and returns a client logged in as them (Bearer token).
    pub async fn plain_user_client(&self) -> (reqwest::Client, String) {
        let (status, body) = self
            .post_json(
                "/auth/profile/create",
                json!({"username": "listener", "password": "listener password"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let login = reqwest::Client::new()
            .post(self.url("/auth/login"))
            .json(&json!({"username": "listener", "password": "listener password"}))
            .send()
            .await
            .expect("login");
        assert_eq!(login.status(), 200);
        let body: Value = login.json().await.expect("login json");
        let token = body["accesstoken"]
            .as_str()
            .expect("access token")
            .to_string();
        (reqwest::Client::new(), token)
    }

    /// Every indexed track (`/folder/tracks/all` over the music folder).
    pub async fn all_tracks(&self) -> Vec<Value> {
        let path = self.music.to_string_lossy().into_owned();
        let response = self
            .client
            .get(self.url("/folder/tracks/all"))
            .query(&[("path", path)])
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("json");
        body["tracks"].as_array().expect("tracks").clone()
    }

    /// The track JSON of the file at `relative` (inside the music folder).
    pub async fn track_at(&self, relative: &str) -> Value {
        let path = self.music.join(relative);
        self.all_tracks()
            .await
            .into_iter()
            .find(|track| track["filepath"] == path.to_string_lossy().as_ref())
            .unwrap_or_else(|| panic!("{relative} is not indexed"))
    }

    /// The albumhash of the album holding the file at `relative`. (Album titles are not unique:
    /// both editions of "Night Drive" are titled "Night Drive" once cleaned.)
    pub async fn albumhash_of(&self, relative: &str) -> String {
        self.track_at(relative).await["albumhash"]
            .as_str()
            .expect("albumhash")
            .to_string()
    }

    pub fn path_of(&self, relative: &str) -> String {
        self.music.join(relative).to_string_lossy().into_owned()
    }
}

pub const STANDARD_EDITION: &str = "Aurora Lane/Night Drive/01 - City Lights.flac";
pub const DELUXE_EDITION: &str = "Aurora Lane/Night Drive (Deluxe Edition)/01 - City Lights.flac";
pub const SOLO_MP3: &str = "Beta Ray/Solo/01 - Lonely Signal.mp3";
pub const SOLO_WAV: &str = "Beta Ray/Solo/02 - Écho d'été.wav";

/// Writes every song of [`SONGS`] plus the folder cover of "Night Drive".
pub fn make_music(root: &Path) {
    let covers = root.join(".covers");
    std::fs::create_dir_all(&covers).expect("covers dir");
    let embedded_cover = covers.join("embedded.png");
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "color=c=0x3366cc:s=300x300",
            "-frames:v",
            "1",
        ],
        &embedded_cover,
    );
    for song in SONGS {
        let path = root.join(song.relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("album dir");
        write_song(
            song,
            &path,
            song.embed_cover.then_some(embedded_cover.as_path()),
        );
    }
    ffmpeg(
        &[
            "-f",
            "lavfi",
            "-i",
            "color=c=0xcc3333:s=600x600",
            "-frames:v",
            "1",
        ],
        &root.join("Aurora Lane/Night Drive/cover.jpg"),
    );
    std::fs::remove_dir_all(&covers).expect("remove covers");
}

/// A sine tone of `song.seconds`, tagged, optionally with an embedded cover picture.
pub fn write_song(song: &Song, path: &Path, cover: Option<&Path>) {
    let source = format!(
        "sine=frequency={}:duration={}",
        220 + 110 * song.track,
        song.seconds
    );
    let mut args: Vec<String> = vec!["-f".into(), "lavfi".into(), "-i".into(), source];
    if let Some(cover) = cover {
        args.extend(["-i".into(), cover.to_string_lossy().into_owned()]);
        args.extend(["-map".into(), "0:a".into(), "-map".into(), "1:v".into()]);
        args.extend([
            "-c:v".into(),
            "copy".into(),
            "-disposition:v".into(),
            "attached_pic".into(),
        ]);
        args.extend(["-id3v2_version".into(), "3".into()]);
    }
    if path.extension().is_some_and(|ext| ext == "mp3") {
        args.extend([
            "-c:a".into(),
            "libmp3lame".into(),
            "-b:a".into(),
            "128k".into(),
        ]);
    }
    for (key, value) in [
        ("title", song.title.to_string()),
        ("artist", song.artist.to_string()),
        ("album_artist", song.artist.to_string()),
        ("album", song.album.to_string()),
        ("track", song.track.to_string()),
        ("disc", "1".to_string()),
        ("date", "2019".to_string()),
        ("genre", "Synthwave".to_string()),
    ] {
        args.push("-metadata".into());
        args.push(format!("{key}={value}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ffmpeg(&args, path);
}

/// Runs ffmpeg with `args` writing `output`; panics with its stderr on failure.
pub fn ffmpeg(args: &[&str], output: &Path) {
    let result = Command::new(FFMPEG)
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .arg(output)
        .output()
        .expect("run ffmpeg");
    assert!(
        result.status.success(),
        "ffmpeg failed for {}: {}",
        output.display(),
        String::from_utf8_lossy(&result.stderr)
    );
}
