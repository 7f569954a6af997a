//! Delivering plays to Last.fm and ListenBrainz, end to end: accounts are linked through the real
//! routes of a real server over a real (generated) music folder, plays are committed to the
//! ledger, and the background worker delivers them to a fake Last.fm and a fake ListenBrainz
//! running on 127.0.0.1 that check the request signature and the token header, record what they
//! receive, and can be told to fail.

mod library_support;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use md5::{Digest, Md5};
use parking_lot::Mutex;
use reqwest::Client;
use serde_json::{json, Value};
use swingfly_services::app::{App, AppConfig};
use swingfly_services::scrobblers::Scrobblers;
use swingfly_store::scrobbles::NewScrobble;
use tokio::sync::oneshot;

use library_support::{write_song, Song};

const API_KEY: &str = "operator-key";
const API_SECRET: &str = "operator-secret";

// ------------------------------------------------------------------------------------------------
// The fake services

/// What the fakes received, and how they should misbehave.
#[derive(Default)]
struct FakeState {
    /// Last.fm auth tokens the fake accepts: token -> (session key, account name).
    lastfm_tokens: BTreeMap<String, (String, String)>,
    /// Session keys Last.fm no longer accepts (error 9).
    revoked_sessions: HashSet<String>,
    /// Every accepted `track.scrobble`: (session key, one map per scrobble: "artist" -> ...).
    scrobbles: Vec<(String, Vec<BTreeMap<String, String>>)>,
    /// Requests whose api_key or api_sig were wrong.
    bad_signatures: usize,
    /// The next N `track.scrobble` calls fail with error 16 (503).
    lastfm_failures: usize,
    /// ListenBrainz user tokens the fake accepts: token -> user name.
    lb_tokens: BTreeMap<String, String>,
    /// Every accepted `submit-listens`: (token, body).
    submissions: Vec<(String, Value)>,
    /// The next N `submit-listens` calls answer 429 with Retry-After: 1.
    lb_failures: usize,
    /// Every failed attempt either fake answered.
    failures_answered: usize,
}

type Fake = Arc<Mutex<FakeState>>;

struct FakeServices {
    state: Fake,
    base: String,
}

impl FakeServices {
    async fn start() -> FakeServices {
        let state: Fake = Arc::default();
        let app = Router::new()
            .route("/2.0/", post(lastfm))
            .route("/1/validate-token", get(validate_token))
            .route("/1/submit-listens", post(submit_listens))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeServices { state, base }
    }

    fn accept_lastfm_token(&self, token: &str, session_key: &str, name: &str) {
        self.state
            .lock()
            .lastfm_tokens
            .insert(token.into(), (session_key.into(), name.into()));
    }

    fn accept_lb_token(&self, token: &str, name: &str) {
        self.state
            .lock()
            .lb_tokens
            .insert(token.into(), name.into());
    }

    fn scrobbles(&self) -> Vec<(String, Vec<BTreeMap<String, String>>)> {
        self.state.lock().scrobbles.clone()
    }

    fn scrobbled_count(&self) -> usize {
        self.state
            .lock()
            .scrobbles
            .iter()
            .map(|(_, s)| s.len())
            .sum()
    }

    fn submissions(&self) -> Vec<(String, Value)> {
        self.state.lock().submissions.clone()
    }

    fn listen_count(&self) -> usize {
        self.state
            .lock()
            .submissions
            .iter()
            .map(|(_, body)| body["payload"].as_array().map_or(0, Vec::len))
            .sum()
    }
}

fn lastfm_error(status: StatusCode, code: i64, message: &str) -> Response {
    (status, Json(json!({"error": code, "message": message}))).into_response()
}

/// Last.fm's `/2.0/`: checks api_key and api_sig, then answers auth.getSession and track.scrobble.
async fn lastfm(State(fake): State<Fake>, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let params: BTreeMap<String, String> = pairs.into_iter().collect();
    let mut fake = fake.lock();
    let mut hasher = Md5::new();
    for (name, value) in &params {
        if name != "format" && name != "api_sig" {
            hasher.update(name.as_bytes());
            hasher.update(value.as_bytes());
        }
    }
    hasher.update(API_SECRET.as_bytes());
    let expected = format!("{:x}", hasher.finalize());
    if params.get("api_key").map(String::as_str) != Some(API_KEY)
        || params.get("api_sig") != Some(&expected)
        || params.get("format").map(String::as_str) != Some("json")
    {
        fake.bad_signatures += 1;
        return lastfm_error(
            StatusCode::FORBIDDEN,
            13,
            "Invalid method signature supplied",
        );
    }
    match params.get("method").map(String::as_str) {
        Some("auth.getSession") => {
            let token = params.get("token").cloned().unwrap_or_default();
            match fake.lastfm_tokens.get(&token) {
                Some((key, name)) => {
                    Json(json!({"session": {"name": name, "key": key, "subscriber": 0}}))
                        .into_response()
                }
                None => lastfm_error(StatusCode::FORBIDDEN, 4, "Invalid authentication token"),
            }
        }
        Some("track.scrobble") => {
            let session = params.get("sk").cloned().unwrap_or_default();
            if fake.revoked_sessions.contains(&session) {
                fake.failures_answered += 1;
                return lastfm_error(
                    StatusCode::FORBIDDEN,
                    9,
                    "Invalid session key - Please re-authenticate",
                );
            }
            if fake.lastfm_failures > 0 {
                fake.lastfm_failures -= 1;
                fake.failures_answered += 1;
                return lastfm_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    16,
                    "There was a temporary error processing your request",
                );
            }
            let mut scrobbles = Vec::new();
            for i in 0.. {
                let suffix = format!("[{i}]");
                let one: BTreeMap<String, String> = params
                    .iter()
                    .filter_map(|(name, value)| {
                        name.strip_suffix(&suffix)
                            .map(|field| (field.to_string(), value.clone()))
                    })
                    .collect();
                if one.is_empty() {
                    break;
                }
                scrobbles.push(one);
            }
            let accepted = scrobbles.len();
            fake.scrobbles.push((session, scrobbles));
            Json(json!({"scrobbles": {"@attr": {"accepted": accepted, "ignored": 0}}}))
                .into_response()
        }
        _ => lastfm_error(StatusCode::BAD_REQUEST, 3, "Invalid Method"),
    }
}

fn lb_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Token ")
        .map(str::to_string)
}

async fn validate_token(State(fake): State<Fake>, headers: HeaderMap) -> Json<Value> {
    let fake = fake.lock();
    match lb_token(&headers).and_then(|token| fake.lb_tokens.get(&token).cloned()) {
        Some(name) => {
            Json(json!({"code": 200, "message": "Token valid.", "valid": true, "user_name": name}))
        }
        None => Json(json!({"code": 200, "message": "Token invalid.", "valid": false})),
    }
}

async fn submit_listens(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut fake = fake.lock();
    let Some(token) = lb_token(&headers).filter(|token| fake.lb_tokens.contains_key(token)) else {
        fake.failures_answered += 1;
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"code": 401, "error": "Invalid authorization token."})),
        )
            .into_response();
    };
    if fake.lb_failures > 0 {
        fake.lb_failures -= 1;
        fake.failures_answered += 1;
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "1")],
            Json(json!({"code": 429, "error": "Rate limit exceeded."})),
        )
            .into_response();
    }
    fake.submissions.push((token, body));
    Json(json!({"status": "ok"})).into_response()
}

// ------------------------------------------------------------------------------------------------
// Swingfly

/// A four-minute track, a one-minute track and a 20-second jingle.
const SONGS: &[Song] = &[
    Song {
        relative: "Aurora Lane/Night Drive/01 - Long Road.flac",
        title: "Long Road",
        artist: "Aurora Lane",
        album: "Night Drive",
        track: 1,
        seconds: 241,
        embed_cover: false,
    },
    Song {
        relative: "Aurora Lane/Night Drive/02 - Minute.flac",
        title: "Minute",
        artist: "Aurora Lane",
        album: "Night Drive",
        track: 2,
        seconds: 60,
        embed_cover: false,
    },
    Song {
        relative: "Aurora Lane/Night Drive/03 - Jingle.flac",
        title: "Jingle",
        artist: "Aurora Lane",
        album: "Night Drive",
        track: 3,
        seconds: 20,
        embed_cover: false,
    },
];

fn make_music(root: &Path) {
    for song in SONGS {
        let path = root.join(song.relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        write_song(song, &path, None);
    }
}

struct Server {
    app: Arc<App>,
    base: String,
    http: Client,
    stop: Option<oneshot::Sender<()>>,
    served: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Opens the App on `data`, starts the delivery worker and the HTTP server.
    async fn start(data: &Path, music: &Path, fake: &FakeServices, with_lastfm_key: bool) -> Self {
        let mut config = AppConfig::new(data);
        config.music_roots = vec![music.to_path_buf()];
        config.home_dir = data.to_path_buf();
        if with_lastfm_key {
            config.lastfm_api_key = Some(API_KEY.into());
            config.lastfm_api_secret = Some(API_SECRET.into());
        }
        config.lastfm_base_url = format!("{}/2.0/", fake.base);
        config.listenbrainz_base_url = fake.base.clone();
        config.scrobble_poll_interval = Duration::from_millis(100);
        config.scrobble_retry_base = Duration::from_secs(1);
        config.scrobble_retry_cap = Duration::from_secs(1);
        let app = App::open(config).await.unwrap();
        if app.library().stats().tracks == 0 {
            app.scan(&|_| {}).await.unwrap();
        }
        Scrobblers::start(&app);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn({
            let app = app.clone();
            async move {
                swingfly_api::serve_listener(app, listener, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            }
        });
        Server {
            app,
            base,
            http: Client::new(),
            stop: Some(stop),
            served,
        }
    }

    /// Stops serving and delivering, and closes the ledger.
    async fn shut_down(self) {
        let Server {
            app,
            http,
            stop,
            served,
            ..
        } = self;
        drop(http);
        if let Some(stop) = stop {
            let _ = stop.send(());
        }
        served.await.unwrap();
        app.scrobblers.stop().await;
        app.store.close().await;
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    /// Creates the first user (an admin) or, with `admin`, another user; returns a bearer token.
    async fn user(&self, admin: Option<&str>, name: &str) -> (i64, String) {
        let mut request = self
            .http
            .post(format!("{}/auth/profile/create", self.base))
            .json(&json!({"username": name, "password": "a long enough password"}));
        if let Some(admin) = admin {
            request = request.bearer_auth(admin);
        }
        assert_eq!(
            request.send().await.unwrap().status(),
            200,
            "creating {name}"
        );
        let login: Value = self
            .http
            .post(format!("{}/auth/login", self.base))
            .json(&json!({"username": name, "password": "a long enough password"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["accesstoken"].as_str().unwrap().to_string();
        let me: Value = self
            .http
            .get(format!("{}/auth/user", self.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (me["id"].as_i64().unwrap(), token)
    }

    async fn login(&self, name: &str) -> String {
        let login: Value = self
            .http
            .post(format!("{}/auth/login", self.base))
            .json(&json!({"username": name, "password": "a long enough password"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        login["accesstoken"].as_str().unwrap().to_string()
    }

    /// The trackhash of a song of [`SONGS`].
    fn trackhash(&self, title: &str) -> String {
        let library = self.app.library();
        let track = library
            .files()
            .iter()
            .find(|track| &*track.title == title)
            .unwrap_or_else(|| panic!("{title} is indexed"));
        swingfly_model::hash_hex(track.trackhash)
    }

    /// Commits a play to the ledger (what `/logger/track/log` does) and nudges the worker.
    async fn play(&self, user_id: i64, trackhash: &str, timestamp: i64, played: i64, extra: Value) {
        let play = NewScrobble {
            trackhash: trackhash.to_string(),
            timestamp,
            duration: played,
            source: "al:0000000000000000".into(),
            extra,
        };
        self.app
            .store
            .insert_scrobble(user_id, &play)
            .await
            .unwrap();
        self.app.scrobblers.wake();
    }

    async fn status(&self, token: &str, service: &str) -> Value {
        let (code, body) = self
            .call(
                reqwest::Method::GET,
                "/plugins/scrobblers/status",
                token,
                None,
            )
            .await;
        assert_eq!(code, 200);
        body["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service"] == service)
            .cloned()
            .unwrap()
    }
}

struct World {
    dir: tempfile::TempDir,
    fake: FakeServices,
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        make_music(&dir.path().join("music"));
        World {
            dir,
            fake: FakeServices::start().await,
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    async fn server(&self) -> Server {
        Server::start(
            &self.data(),
            &self.dir.path().join("music"),
            &self.fake,
            true,
        )
        .await
    }
}

/// Waits (up to 10 s) until `done` holds.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

/// Lets the worker run several more passes (to catch anything sent twice).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(600)).await;
}

// ------------------------------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn lastfm_gets_each_eligible_play_once_with_its_fields_and_short_plays_stay_home() {
    let world = World::new().await;
    world
        .fake
        .accept_lastfm_token("tok-ana", "sk-ana", "ana_fm");
    let server = world.server().await;
    let (ana, token) = server.user(None, "ana").await;
    let long_road = server.trackhash("Long Road");
    let minute = server.trackhash("Minute");
    let jingle = server.trackhash("Jingle");

    // A play from before linking stays out of it.
    server
        .play(ana, &long_road, 1_700_000_000, 241, json!({}))
        .await;

    // Bad input changes nothing.
    let (code, body) = server
        .post(
            "/plugins/lastfm/session/create",
            &token,
            json!({"token": "forged"}),
        )
        .await;
    assert_eq!(code, 400, "{body}");
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("Invalid authentication token"));
    let (code, _) = server
        .post("/plugins/lastfm/session/create", &token, json!({"tok": 1}))
        .await;
    assert_eq!(code, 422);
    assert_eq!(server.status(&token, "lastfm").await["linked"], false);
    let (code, _) = server
        .post(
            "/plugins/lastfm/session/create",
            "not-a-jwt",
            json!({"token": "tok-ana"}),
        )
        .await;
    assert!(code == 401 || code == 422, "no user, no link: {code}");

    let (code, body) = server
        .post(
            "/plugins/lastfm/session/create",
            &token,
            json!({"token": "tok-ana"}),
        )
        .await;
    assert_eq!(
        (code, body),
        (200, json!({"status": "success", "session_key": "sk-ana"}))
    );
    let status = server.status(&token, "lastfm").await;
    assert_eq!(
        (status["linked"].clone(), status["account_name"].clone()),
        (json!(true), json!("ana_fm"))
    );
    assert!(
        !status.to_string().contains("sk-ana"),
        "the status never shows the key"
    );

    // Eligible: half of a one-minute track (index metadata); 4 minutes of a longer one; a track
    // the index no longer has, described by the play's own metadata, heard for 5 minutes.
    server
        .play(ana, &minute, 1_700_000_100, 30, json!({}))
        .await;
    server
        .play(ana, &long_road, 1_700_000_200, 240, json!({}))
        .await;
    server
        .play(
            ana,
            "0123456789abcdef",
            1_700_000_300,
            300,
            json!({"title": "Gone Song", "artists": ["First Artist", "Second"], "album": "Lost LP",
                   "albumartists": ["Band"], "filepath": "/gone.flac"}),
        )
        .await;
    // Not eligible: under half of a one-minute track, a 20-second jingle heard whole, and a
    // vanished track heard for less than 4 minutes.
    server
        .play(ana, &minute, 1_700_000_400, 29, json!({}))
        .await;
    server
        .play(ana, &jingle, 1_700_000_500, 20, json!({}))
        .await;
    server
        .play(
            ana,
            "fedcba9876543210",
            1_700_000_600,
            200,
            json!({"title": "X", "artists": ["Y"]}),
        )
        .await;

    eventually("three scrobbles arrive", || {
        world.fake.scrobbled_count() >= 3
    })
    .await;
    settle().await;
    let all: Vec<BTreeMap<String, String>> = world
        .fake
        .scrobbles()
        .into_iter()
        .inspect(|(session, _)| assert_eq!(session, "sk-ana"))
        .flat_map(|(_, scrobbles)| scrobbles)
        .collect();
    let mut by_time: Vec<_> = all.iter().map(|s| s["timestamp"].clone()).collect();
    by_time.sort();
    assert_eq!(
        by_time,
        ["1700000100", "1700000200", "1700000300"],
        "each eligible play once"
    );
    let minute_play = all.iter().find(|s| s["timestamp"] == "1700000100").unwrap();
    assert_eq!(minute_play["track"], "Minute");
    assert_eq!(minute_play["artist"], "Aurora Lane");
    assert_eq!(minute_play["album"], "Night Drive");
    assert_eq!(minute_play["albumArtist"], "Aurora Lane");
    assert_eq!(minute_play["duration"], "60");
    let gone = all.iter().find(|s| s["timestamp"] == "1700000300").unwrap();
    assert_eq!(
        (
            gone["track"].as_str(),
            gone["artist"].as_str(),
            gone["album"].as_str(),
            gone["albumArtist"].as_str()
        ),
        ("Gone Song", "First Artist", "Lost LP", "Band")
    );
    assert!(!gone.contains_key("duration"), "no length is invented");
    assert_eq!(world.fake.state.lock().bad_signatures, 0);

    let status = server.status(&token, "lastfm").await;
    assert_eq!(status["pending"], 0, "{status}");
    assert_eq!(status["last_error"], Value::Null);

    // Unlinking stops delivery; the answer is the same when nothing is linked.
    for _ in 0..2 {
        let (code, body) = server
            .post("/plugins/lastfm/session/delete", &token, json!({}))
            .await;
        assert_eq!((code, body), (200, json!({"status": "success"})));
    }
    server
        .play(ana, &long_road, 1_700_000_700, 241, json!({}))
        .await;
    settle().await;
    assert_eq!(world.fake.scrobbled_count(), 3);
    assert_eq!(server.status(&token, "lastfm").await["linked"], false);
    server.shut_down().await;
}

#[tokio::test]
async fn listenbrainz_gets_listens_with_the_token_and_a_failing_service_is_retried() {
    let world = World::new().await;
    world.fake.accept_lb_token("lb-ana", "ana_lb");
    world
        .fake
        .accept_lastfm_token("tok-ana", "sk-ana", "ana_fm");
    let server = world.server().await;
    let (ana, token) = server.user(None, "ana").await;
    let long_road = server.trackhash("Long Road");

    let (code, body) = server
        .post(
            "/plugins/listenbrainz/token",
            &token,
            json!({"token": "wrong"}),
        )
        .await;
    assert_eq!(code, 400, "{body}");
    assert!(body["error"].is_string());
    let (code, body) = server
        .post(
            "/plugins/listenbrainz/token",
            &token,
            json!({"token": "lb-ana"}),
        )
        .await;
    assert_eq!(
        (code, body),
        (200, json!({"status": "success", "user_name": "ana_lb"}))
    );
    let (code, _) = server
        .post(
            "/plugins/lastfm/session/create",
            &token,
            json!({"token": "tok-ana"}),
        )
        .await;
    assert_eq!(code, 200);

    // Both services fail twice (Last.fm error 16; ListenBrainz 429 with Retry-After), then recover.
    {
        let mut fake = world.fake.state.lock();
        fake.lastfm_failures = 2;
        fake.lb_failures = 2;
    }
    server
        .play(ana, &long_road, 1_700_000_000, 241, json!({}))
        .await;
    eventually("both services failed once", || {
        world.fake.state.lock().failures_answered >= 2
    })
    .await;
    let status = server.status(&token, "listenbrainz").await;
    assert_eq!(status["pending"], 1, "{status}");
    assert!(status["attempts"].as_i64().unwrap() >= 1, "{status}");
    assert!(
        status["last_error"].as_str().unwrap().contains("429"),
        "{status}"
    );
    let status = server.status(&token, "lastfm").await;
    assert!(
        status["last_error"].as_str().unwrap().contains("error 16"),
        "{status}"
    );

    eventually("the play reaches both after they recover", || {
        world.fake.listen_count() == 1 && world.fake.scrobbled_count() == 1
    })
    .await;
    assert_eq!(
        world.fake.state.lock().failures_answered,
        4,
        "each failed twice, then succeeded"
    );
    let submissions = world.fake.submissions();
    let (lb_token, body) = &submissions[0];
    assert_eq!(lb_token, "lb-ana");
    assert_eq!(body["listen_type"], "single");
    let listen = &body["payload"][0];
    assert_eq!(listen["listened_at"], 1_700_000_000);
    assert_eq!(listen["track_metadata"]["track_name"], "Long Road");
    assert_eq!(listen["track_metadata"]["artist_name"], "Aurora Lane");
    assert_eq!(listen["track_metadata"]["release_name"], "Night Drive");
    assert_eq!(listen["track_metadata"]["additional_info"]["duration"], 241);
    for service in ["lastfm", "listenbrainz"] {
        let status = server.status(&token, service).await;
        assert_eq!(
            (
                status["pending"].clone(),
                status["attempts"].clone(),
                status["last_error"].clone()
            ),
            (json!(0), json!(0), Value::Null),
            "{status}"
        );
    }

    // Several plays at once go as one "import" batch.
    for i in 1..=3 {
        server
            .play(ana, &long_road, 1_700_001_000 + i, 241, json!({}))
            .await;
    }
    eventually("three more listens", || world.fake.listen_count() == 4).await;
    settle().await;
    assert_eq!(world.fake.listen_count(), 4);
    assert_eq!(world.fake.scrobbled_count(), 4);

    // DELETE unlinks ListenBrainz only.
    let (code, _) = server
        .call(
            reqwest::Method::DELETE,
            "/plugins/listenbrainz/token",
            &token,
            None,
        )
        .await;
    assert_eq!(code, 200);
    assert_eq!(server.status(&token, "listenbrainz").await["linked"], false);
    assert_eq!(server.status(&token, "lastfm").await["linked"], true);
    server.shut_down().await;
}

#[tokio::test]
async fn the_cursor_survives_a_restart_and_nothing_is_resent() {
    let world = World::new().await;
    world.fake.accept_lb_token("lb-ana", "ana_lb");
    world
        .fake
        .accept_lastfm_token("tok-ana", "sk-ana", "ana_fm");
    let server = world.server().await;
    let (ana, token) = server.user(None, "ana").await;
    let long_road = server.trackhash("Long Road");
    server
        .post(
            "/plugins/listenbrainz/token",
            &token,
            json!({"token": "lb-ana"}),
        )
        .await;
    server
        .post(
            "/plugins/lastfm/session/create",
            &token,
            json!({"token": "tok-ana"}),
        )
        .await;
    server
        .play(ana, &long_road, 1_700_000_000, 241, json!({}))
        .await;
    server
        .play(ana, &long_road, 1_700_000_300, 241, json!({}))
        .await;
    eventually("delivered before the restart", || {
        world.fake.listen_count() == 2 && world.fake.scrobbled_count() == 2
    })
    .await;
    server.shut_down().await;

    // While the server is down a play is committed (as by a restore or another process).
    let server = world.server().await;
    let token = server.login("ana").await;
    server
        .play(ana, &long_road, 1_700_000_600, 241, json!({}))
        .await;
    eventually("the new play is delivered", || {
        world.fake.listen_count() == 3 && world.fake.scrobbled_count() == 3
    })
    .await;
    settle().await;
    assert_eq!(
        (world.fake.listen_count(), world.fake.scrobbled_count()),
        (3, 3)
    );
    let last = world.fake.submissions().last().unwrap().1.clone();
    assert_eq!(last["payload"][0]["listened_at"], 1_700_000_600);
    assert_eq!(server.status(&token, "lastfm").await["pending"], 0);
    server.shut_down().await;
}

#[tokio::test]
async fn revoked_credentials_unlink_the_account() {
    let world = World::new().await;
    world.fake.accept_lb_token("lb-ana", "ana_lb");
    world
        .fake
        .accept_lastfm_token("tok-ana", "sk-ana", "ana_fm");
    let server = world.server().await;
    let (ana, token) = server.user(None, "ana").await;
    let long_road = server.trackhash("Long Road");
    server
        .post(
            "/plugins/listenbrainz/token",
            &token,
            json!({"token": "lb-ana"}),
        )
        .await;
    server
        .post(
            "/plugins/lastfm/session/create",
            &token,
            json!({"token": "tok-ana"}),
        )
        .await;

    // The user revokes Swingfly on last.fm and deletes their ListenBrainz token.
    {
        let mut fake = world.fake.state.lock();
        fake.revoked_sessions.insert("sk-ana".into());
        fake.lb_tokens.clear();
    }
    server
        .play(ana, &long_road, 1_700_000_000, 241, json!({}))
        .await;
    eventually("both services refused once", || {
        world.fake.state.lock().failures_answered >= 2
    })
    .await;
    let mut unlinked = false;
    for _ in 0..100 {
        let store = &server.app.store;
        let lastfm = store.user_service(ana, "lastfm").await.unwrap();
        let lb = store.user_service(ana, "listenbrainz").await.unwrap();
        if lastfm.is_none() && lb.is_none() {
            unlinked = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(unlinked, "both accounts are unlinked");
    settle().await;
    assert_eq!(
        world.fake.state.lock().failures_answered,
        2,
        "one try each, no retry loop"
    );
    assert_eq!(server.status(&token, "lastfm").await["linked"], false);
    assert_eq!(server.status(&token, "listenbrainz").await["linked"], false);
    assert_eq!(
        (world.fake.listen_count(), world.fake.scrobbled_count()),
        (0, 0)
    );
    server.shut_down().await;
}

#[tokio::test]
async fn two_users_deliver_with_their_own_keys() {
    let world = World::new().await;
    world
        .fake
        .accept_lastfm_token("tok-ana", "sk-ana", "ana_fm");
    world
        .fake
        .accept_lastfm_token("tok-bob", "sk-bob", "bob_fm");
    let server = world.server().await;
    let (ana, ana_token) = server.user(None, "ana").await;
    let (bob, bob_token) = server.user(Some(&ana_token), "bob").await;
    let long_road = server.trackhash("Long Road");
    let minute = server.trackhash("Minute");
    server
        .post(
            "/plugins/lastfm/session/create",
            &ana_token,
            json!({"token": "tok-ana"}),
        )
        .await;
    let (code, body) = server
        .post(
            "/plugins/lastfm/session/create",
            &bob_token,
            json!({"token": "tok-bob"}),
        )
        .await;
    assert_eq!(body["session_key"], "sk-bob", "{code} {body}");

    server
        .play(ana, &long_road, 1_700_000_000, 241, json!({}))
        .await;
    server
        .play(bob, &minute, 1_700_000_050, 60, json!({}))
        .await;
    eventually("both plays", || world.fake.scrobbled_count() == 2).await;
    settle().await;
    let mut sent: Vec<(String, String)> = world
        .fake
        .scrobbles()
        .into_iter()
        .flat_map(|(sk, list)| {
            list.into_iter()
                .map(move |s| (sk.clone(), s["track"].clone()))
        })
        .collect();
    sent.sort();
    assert_eq!(
        sent,
        [
            ("sk-ana".to_string(), "Long Road".to_string()),
            ("sk-bob".to_string(), "Minute".to_string())
        ]
    );

    // Bob unlinking leaves Ana's link alone.
    server
        .post("/plugins/lastfm/session/delete", &bob_token, json!({}))
        .await;
    assert_eq!(server.status(&ana_token, "lastfm").await["linked"], true);
    assert_eq!(server.status(&bob_token, "lastfm").await["linked"], false);
    server
        .play(bob, &minute, 1_700_000_100, 60, json!({}))
        .await;
    server
        .play(ana, &minute, 1_700_000_100, 60, json!({}))
        .await;
    eventually("Ana's third play", || world.fake.scrobbled_count() == 3).await;
    settle().await;
    assert_eq!(world.fake.scrobbled_count(), 3);
    assert_eq!(world.fake.scrobbles().last().unwrap().0, "sk-ana");
    server.shut_down().await;
}

#[tokio::test]
async fn without_an_api_key_lastfm_linking_is_unavailable_and_secrets_are_not_served() {
    let world = World::new().await;
    world
        .fake
        .accept_lastfm_token("tok-ana", "sk-ana", "ana_fm");
    let server = Server::start(
        &world.data(),
        &world.dir.path().join("music"),
        &world.fake,
        false,
    )
    .await;
    let (_, token) = server.user(None, "ana").await;
    let (code, body) = server
        .post(
            "/plugins/lastfm/session/create",
            &token,
            json!({"token": "tok-ana"}),
        )
        .await;
    assert_eq!(code, 503, "{body}");
    assert!(body["error"].as_str().unwrap().contains("not configured"));
    let status = server.status(&token, "lastfm").await;
    assert_eq!(
        (status["available"].clone(), status["linked"].clone()),
        (json!(false), json!(false))
    );
    server.shut_down().await;

    // With a key, nothing the server answers carries it.
    let server = world.server().await;
    let token = server.login("ana").await;
    let (_, status) = server
        .call(
            reqwest::Method::GET,
            "/plugins/scrobblers/status",
            &token,
            None,
        )
        .await;
    let (_, doc) = server
        .call(reqwest::Method::GET, "/docs/openapi.json", &token, None)
        .await;
    for text in [status.to_string(), doc.to_string()] {
        assert!(!text.contains(API_KEY) && !text.contains(API_SECRET));
    }
    server.shut_down().await;
}
