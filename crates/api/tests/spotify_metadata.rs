//! External metadata (use case 1) against a local fake Spotify (an axum server on 127.0.0.1:0 that
//! checks the client credentials and the Bearer token, counts calls and can answer 429): the
//! lookup chain (cache tier, then SQL cache, then the API), negative caching, a 429 window
//! honoured, artist pictures written and served by `/img/artist/...`, embedded and with a real
//! redis-server, and nothing broken when Spotify is unreachable, misconfigured or not configured.

mod library_support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use swingfly_cache::testing::{fast_config, RedisServer};
use swingfly_cache::{Key, Namespace};
use swingfly_model::hash::artist_hash;
use swingfly_model::hash_hex;
use swingfly_services::app::AppConfig;
use swingfly_services::metadata::{sql_key, Source};

use library_support::TestServer;

const CLIENT_ID: &str = "test-id";
const CLIENT_SECRET: &str = "test-secret";
/// `Basic base64("test-id:test-secret")`.
const EXPECTED_BASIC: &str = "Basic dGVzdC1pZDp0ZXN0LXNlY3JldA==";
const TOKEN: &str = "fake-token-1";

/// The fake Spotify's state: call counters and a 429 switch.
#[derive(Default)]
struct Fake {
    base: String,
    token_calls: AtomicUsize,
    token_refused: AtomicUsize,
    /// Search calls by query text.
    searches: parking_lot::Mutex<HashMap<String, usize>>,
    artist_calls: AtomicUsize,
    album_calls: AtomicUsize,
    image_calls: AtomicUsize,
    bad_bearer: AtomicUsize,
    /// While non-zero, every `/v1` request answers 429 with this `Retry-After`.
    rate_limit_secs: AtomicU64,
    rate_limited_answers: AtomicUsize,
    /// The lifetime of issued tokens in seconds (0: an hour).
    token_lifetime_secs: AtomicU64,
}

impl Fake {
    fn searches_for(&self, query: &str) -> usize {
        self.searches.lock().get(query).copied().unwrap_or(0)
    }

    fn total_searches(&self) -> usize {
        self.searches.lock().values().sum()
    }

    fn aurora(&self) -> Value {
        json!({
            "id": "4uroraLane0000000000aa",
            "name": "Aurora Lane",
            "genres": ["synthwave", "dream pop"],
            "popularity": 57,
            "followers": {"total": 12345},
            "images": [
                {"url": format!("{}/images/aurora-640.png", self.base), "width": 640, "height": 480},
                {"url": format!("{}/images/aurora-160.png", self.base), "width": 160, "height": 120}
            ]
        })
    }
}

async fn start_fake() -> Arc<Fake> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address: SocketAddr = listener.local_addr().unwrap();
    let fake = Arc::new(Fake {
        base: format!("http://{address}"),
        ..Fake::default()
    });
    let app = Router::new()
        .route("/api/token", post(token))
        .route("/v1/search", get(search))
        .route("/v1/artists/{id}", get(artist))
        .route("/v1/albums/{id}", get(album))
        .route("/images/{name}", get(image))
        .with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    fake
}

async fn token(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: String) -> Response {
    fake.token_calls.fetch_add(1, Ordering::SeqCst);
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if basic != EXPECTED_BASIC || body != "grant_type=client_credentials" {
        fake.token_refused.fetch_add(1, Ordering::SeqCst);
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let lifetime = match fake.token_lifetime_secs.load(Ordering::SeqCst) {
        0 => 3600,
        seconds => seconds,
    };
    Json(json!({"access_token": TOKEN, "token_type": "Bearer", "expires_in": lifetime}))
        .into_response()
}

/// The Bearer check and the 429 switch every `/v1` route shares.
fn guard(fake: &Fake, headers: &HeaderMap) -> Option<Response> {
    let retry = fake.rate_limit_secs.load(Ordering::SeqCst);
    if retry > 0 {
        fake.rate_limited_answers.fetch_add(1, Ordering::SeqCst);
        return Some(
            (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", retry.to_string())],
            )
                .into_response(),
        );
    }
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if bearer != format!("Bearer {TOKEN}") {
        fake.bad_bearer.fetch_add(1, Ordering::SeqCst);
        return Some(StatusCode::UNAUTHORIZED.into_response());
    }
    None
}

async fn search(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = guard(&fake, &headers) {
        return refused;
    }
    let q = query.get("q").cloned().unwrap_or_default();
    *fake.searches.lock().entry(q.clone()).or_default() += 1;
    match query.get("type").map(String::as_str) {
        Some("artist") => {
            // A near-namesake first, so the client must pick by artist hash.
            let items = if q.eq_ignore_ascii_case("Aurora Lane") {
                vec![
                    json!({"id": "tribute0000000000000aa", "name": "Aurora Lane Tribute", "genres": [], "popularity": 3, "images": []}),
                    fake.aurora(),
                ]
            } else {
                Vec::new()
            };
            Json(json!({"artists": {"items": items}})).into_response()
        }
        Some("album") => {
            let items = if q == "album:Night Drive artist:Aurora Lane" {
                vec![json!({
                    "id": "nightDrive000000000000",
                    "name": "Night Drive",
                    "artists": [{"id": "4uroraLane0000000000aa", "name": "Aurora Lane"}]
                })]
            } else {
                Vec::new()
            };
            Json(json!({"albums": {"items": items}})).into_response()
        }
        _ => StatusCode::BAD_REQUEST.into_response(),
    }
}

async fn artist(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refused) = guard(&fake, &headers) {
        return refused;
    }
    fake.artist_calls.fetch_add(1, Ordering::SeqCst);
    match id.as_str() {
        "4uroraLane0000000000aa" => Json(fake.aurora()).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn album(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refused) = guard(&fake, &headers) {
        return refused;
    }
    fake.album_calls.fetch_add(1, Ordering::SeqCst);
    if id != "nightDrive000000000000" {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(json!({
        "id": id,
        "name": "Night Drive",
        "album_type": "album",
        "artists": [{"id": "4uroraLane0000000000aa", "name": "Aurora Lane"}],
        "label": "Neon Records",
        "release_date": "2019-05-17",
        "release_date_precision": "day",
        "total_tracks": 2,
        "genres": ["synthwave"],
        "popularity": 41,
        "images": [{"url": format!("{}/images/night-drive.png", fake.base), "width": 640, "height": 640}]
    }))
    .into_response()
}

/// A 640x480 PNG gradient (any picture Spotify's image server would send).
async fn image(State(fake): State<Arc<Fake>>) -> Response {
    fake.image_calls.fetch_add(1, Ordering::SeqCst);
    let picture = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut png, image::ImageFormat::Png).unwrap();
    ([("content-type", "image/png")], png.into_inner()).into_response()
}

fn configure(config: &mut AppConfig, fake: &Fake, worker: bool) {
    config.spotify_client_id = Some(CLIENT_ID.into());
    config.spotify_client_secret = Some(CLIENT_SECRET.into());
    config.spotify_accounts_base_url = fake.base.clone();
    config.spotify_api_base_url = fake.base.clone();
    config.spotify_min_interval = Duration::from_millis(5);
    config.spotify_artist_images = worker;
}

fn aurora_hex() -> String {
    hash_hex(artist_hash("Aurora Lane"))
}

fn beta_hex() -> String {
    hash_hex(artist_hash("Beta Ray"))
}

async fn artist_metadata(server: &TestServer, hex: &str) -> Value {
    let (status, body) = server.get_json(&format!("/metadata/artist/{hex}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Per-level latency of one route call, in microseconds (for the report).
async fn timed_lookup(server: &TestServer, hex: &str) -> (Value, u128) {
    let started = Instant::now();
    let body = artist_metadata(server, hex).await;
    (body, started.elapsed().as_micros())
}

/// The whole chain on one server: first the API, then the tier, then (tier cleared) SQL.
async fn check_chain(server: &TestServer, fake: &Fake) {
    let aurora = aurora_hex();
    let (first, api_us) = timed_lookup(server, &aurora).await;
    assert_eq!(first["source"], "spotify", "{first}");
    assert_eq!(first["available"], true);
    assert_eq!(first["name"], "Aurora Lane");
    assert_eq!(first["artisthash"], aurora.as_str());
    assert_eq!(
        first["spotify_id"], "4uroraLane0000000000aa",
        "picked by hash, not first result"
    );
    assert_eq!(first["genres"], json!(["synthwave", "dream pop"]));
    assert_eq!(first["popularity"], 57);
    assert_eq!(first["followers"], 12345);
    assert_eq!(first["images"][0]["width"], 640);
    assert_eq!(fake.token_calls.load(Ordering::SeqCst), 1);
    assert_eq!(fake.searches_for("Aurora Lane"), 1);

    let (second, cache_us) = timed_lookup(server, &aurora).await;
    assert_eq!(second["source"], "cache");
    assert_eq!(second["genres"], first["genres"]);
    assert_eq!(fake.searches_for("Aurora Lane"), 1, "the tier answered");

    server.app.cache.clear_namespace(Namespace::Metadata).await;
    let (third, sql_us) = timed_lookup(server, &aurora).await;
    assert_eq!(third["source"], "sql", "{third}");
    assert_eq!(third["popularity"], 57);
    let (fourth, _) = timed_lookup(server, &aurora).await;
    assert_eq!(fourth["source"], "cache", "SQL refilled the tier");
    assert_eq!(
        fake.searches_for("Aurora Lane"),
        1,
        "the API was called once"
    );
    assert_eq!(
        fake.token_calls.load(Ordering::SeqCst),
        1,
        "the token is reused"
    );
    eprintln!(
        "artist lookup over HTTP ({:?}): api {api_us} us, tier {cache_us} us, sql {sql_us} us",
        server.app.cache.mode()
    );

    // Negative caching: Beta Ray is not on Spotify; asked once, remembered at every level.
    let beta = beta_hex();
    let missing = artist_metadata(server, &beta).await;
    assert_eq!(missing["available"], false);
    assert_eq!(missing["source"], "spotify");
    assert_eq!(missing["genres"], json!([]));
    assert_eq!(artist_metadata(server, &beta).await["source"], "cache");
    server.app.cache.clear_namespace(Namespace::Metadata).await;
    let from_sql = artist_metadata(server, &beta).await;
    assert_eq!(from_sql["source"], "sql");
    assert_eq!(from_sql["available"], false);
    assert_eq!(fake.searches_for("Beta Ray"), 1);
    let entry = server
        .app
        .store
        .metadata_cache_get(&sql_key("artist", &beta))
        .await
        .unwrap()
        .expect("negative SQL entry");
    assert_eq!(entry.value, "null");
    assert_eq!(
        entry.expires_at - entry.fetched_at,
        3 * 24 * 3600,
        "a negative answer lives 3 days"
    );
    let found = server
        .app
        .store
        .metadata_cache_get(&sql_key("artist", &aurora))
        .await
        .unwrap()
        .expect("positive SQL entry");
    assert_eq!(found.expires_at - found.fetched_at, 30 * 24 * 3600);

    // Album metadata: search, then the full album object; cached like artists.
    let albumhash = server
        .app
        .library()
        .albums()
        .iter()
        .find(|album| &*album.og_title == "Night Drive")
        .expect("Night Drive")
        .albumhash;
    let album = server
        .app
        .metadata
        .album_metadata(albumhash, "Night Drive", "Aurora Lane")
        .await;
    assert_eq!(album.source, Source::Spotify);
    let value = album.value.expect("album found");
    assert_eq!(value.label.as_deref(), Some("Neon Records"));
    assert_eq!(value.release_date.as_deref(), Some("2019-05-17"));
    assert_eq!(value.popularity, Some(41));
    assert_eq!(value.genres, vec!["synthwave".to_string()]);
    let again = server
        .app
        .metadata
        .album_metadata(albumhash, "Night Drive", "Aurora Lane")
        .await;
    assert_eq!(again.source, Source::Cache);
    assert_eq!(fake.album_calls.load(Ordering::SeqCst), 1);
    // The same through the route; the deluxe edition is not on the fake Spotify.
    let (status, body) = server
        .get_json(&format!("/metadata/album/{}", hash_hex(albumhash)))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["source"], "cache");
    assert_eq!(body["available"], true);
    assert_eq!(body["title"], "Night Drive");
    assert_eq!(body["albumartist"], "Aurora Lane");
    assert_eq!(body["label"], "Neon Records");
    assert_eq!(body["release_date_precision"], "day");
    assert_eq!(body["total_tracks"], 2);
    assert_eq!(body["images"][0]["width"], 640);
    let deluxe = server
        .app
        .library()
        .albums()
        .iter()
        .find(|album| &*album.og_title == "Night Drive (Deluxe Edition)")
        .expect("the deluxe edition")
        .albumhash;
    let (status, body) = server
        .get_json(&format!("/metadata/album/{}", hash_hex(deluxe)))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["available"], false);
    assert_eq!(body["source"], "spotify");
    assert_eq!(fake.album_calls.load(Ordering::SeqCst), 1);
    let (status, _) = server.get_json("/metadata/album/0123456789abcdef").await;
    assert_eq!(status, 404);

    // Bad input: unknown artist, not a hash, no token.
    let (status, body) = server.get_json("/metadata/artist/0123456789abcdef").await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = server.get_json("/metadata/artist/nothex").await;
    assert_eq!(status, 422, "{body}");
    let anonymous = reqwest::get(server.url(&format!("/metadata/artist/{aurora}")))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(fake.bad_bearer.load(Ordering::SeqCst), 0);
    assert_eq!(fake.token_refused.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_reads_tier_then_sql_then_spotify_embedded() {
    let fake = start_fake().await;
    let server = TestServer::start_with(|config| configure(config, &fake, false)).await;
    check_chain(&server, &fake).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_reads_tier_then_sql_then_spotify_with_redis() {
    let redis = RedisServer::start();
    let fake = start_fake().await;
    let server = TestServer::start_with(|config| {
        configure(config, &fake, false);
        config.cache = fast_config(&redis);
    })
    .await;
    check_chain(&server, &fake).await;
    // The answer sits in the shared tier under its registered key (the chain's last step
    // cleared the namespace, so the SQL level refills it here).
    let body = artist_metadata(&server, &aurora_hex()).await;
    assert_eq!(body["source"], "sql");
    let key = Key::global(Namespace::Metadata, &[&"artist", &aurora_hex()]);
    assert_eq!(
        redis.cli(&["EXISTS", key.as_str()]).unwrap().trim(),
        "1",
        "{key}"
    );
    let ttl: i64 = redis
        .cli(&["TTL", key.as_str()])
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(ttl > 11 * 3600 && ttl <= 12 * 3600, "ttl {ttl}");
    // A FLUSHALL loses nothing: SQL answers, the API is not asked again.
    redis.cli(&["FLUSHALL"]).unwrap();
    server.app.cache.clear_namespace(Namespace::Metadata).await;
    let body = artist_metadata(&server, &aurora_hex()).await;
    assert_eq!(body["source"], "sql");
    assert_eq!(fake.searches_for("Aurora Lane"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_is_honoured_and_fails_fast() {
    let fake = start_fake().await;
    fake.rate_limit_secs.store(2, Ordering::SeqCst);
    let server = TestServer::start_with(|config| configure(config, &fake, false)).await;
    let aurora = aurora_hex();

    let body = artist_metadata(&server, &aurora).await;
    assert_eq!(body["available"], false);
    assert_eq!(body["source"], "none", "a 429 is not an answer");
    assert_eq!(fake.rate_limited_answers.load(Ordering::SeqCst), 1);
    let spotify = server.app.metadata.spotify().unwrap();
    assert!(spotify.rate_limited_for().is_some());

    // Inside the window: answered at once, and Spotify is not asked.
    fake.rate_limit_secs.store(0, Ordering::SeqCst);
    let started = Instant::now();
    for _ in 0..5 {
        let body = artist_metadata(&server, &aurora).await;
        assert_eq!(body["source"], "none");
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fake.rate_limited_answers.load(Ordering::SeqCst), 1);
    assert_eq!(fake.total_searches(), 0);
    assert!(server
        .app
        .store
        .metadata_cache_get(&sql_key("artist", &aurora))
        .await
        .unwrap()
        .is_none());

    // After the window the API is asked again and answers.
    tokio::time::sleep(spotify.rate_limited_for().unwrap_or_default()).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let body = artist_metadata(&server, &aurora).await;
    assert_eq!(body["source"], "spotify", "{body}");
    assert_eq!(body["available"], true);
    assert_eq!(fake.searches_for("Aurora Lane"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn artist_pictures_are_fetched_after_a_scan_and_served() {
    let fake = start_fake().await;
    let server = TestServer::start_with(|config| configure(config, &fake, true)).await;
    let aurora = aurora_hex();
    let large = server
        .app
        .paths
        .artist_images
        .join("large")
        .join(format!("{aurora}.webp"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !large.exists() {
        assert!(Instant::now() < deadline, "no picture for Aurora Lane");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for (size, width) in [("small", 128), ("medium", 256), ("large", 640)] {
        let response = server
            .client
            .get(server.url(&format!("/img/artist/{size}/{aurora}.webp")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "image/webp");
        let bytes = response.bytes().await.unwrap();
        let picture = image::load_from_memory(&bytes).expect("a WebP picture");
        assert_eq!(picture.width(), width, "{size}");
        let on_disk = std::fs::read(
            server
                .app
                .paths
                .artist_images
                .join(size)
                .join(format!("{aurora}.webp")),
        )
        .unwrap();
        assert_eq!(bytes.as_ref(), on_disk.as_slice());
    }
    // The 640-wide image was chosen, downloaded once.
    assert_eq!(fake.image_calls.load(Ordering::SeqCst), 1);
    // Beta Ray is not on Spotify: the drawn fallback is served.
    let fallback = std::fs::read(server.app.paths.assets.join("artist.webp")).unwrap();
    let response = server
        .client
        .get(server.url(&format!("/img/artist/{}.webp", beta_hex())))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        fallback.as_slice()
    );

    // Another scan: every artist was asked once; nothing is asked or downloaded again.
    let searches = fake.total_searches();
    server.app.scan(&|_| {}).await.unwrap();
    server.app.cache.clear_namespace(Namespace::Metadata).await;
    server.app.metadata.library_changed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.total_searches(), searches);
    assert_eq!(fake.searches_for("Aurora Lane"), 1);
    assert_eq!(fake.searches_for("Beta Ray"), 1);
    assert_eq!(fake.image_calls.load(Ordering::SeqCst), 1);
    // The route reads what the worker cached.
    let body = artist_metadata(&server, &aurora).await;
    assert_eq!(body["available"], true);
    assert_ne!(body["source"], "spotify");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_misconfigured_or_unconfigured_spotify_breaks_nothing() {
    // Unreachable: a port nobody listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let server = TestServer::start_with(|config| {
        config.spotify_client_id = Some(CLIENT_ID.into());
        config.spotify_client_secret = Some(CLIENT_SECRET.into());
        config.spotify_accounts_base_url = closed.clone();
        config.spotify_api_base_url = closed.clone();
    })
    .await;
    let started = Instant::now();
    let body = artist_metadata(&server, &aurora_hex()).await;
    assert_eq!(body["available"], false);
    assert_eq!(body["source"], "none");
    assert!(started.elapsed() < Duration::from_secs(5));
    let (status, _) = server.get_json("/getall/artists?limit=5").await;
    assert_eq!(status, 200, "the library still answers");
    // Nothing was cached: a failure is not an answer.
    assert!(server
        .app
        .store
        .metadata_cache_get(&sql_key("artist", &aurora_hex()))
        .await
        .unwrap()
        .is_none());
    drop(server);

    // Wrong secret: the token request is refused, lookups answer "none".
    let fake = start_fake().await;
    let server = TestServer::start_with(|config| {
        configure(config, &fake, false);
        config.spotify_client_secret = Some("wrong".into());
    })
    .await;
    let body = artist_metadata(&server, &aurora_hex()).await;
    assert_eq!(body["source"], "none");
    assert_eq!(fake.token_refused.load(Ordering::SeqCst), 1);
    assert_eq!(fake.total_searches(), 0);
    drop(server);

    // Not configured: no worker, no calls, and the route still answers.
    let server = TestServer::start().await;
    assert!(!server.app.metadata.is_configured());
    let body = artist_metadata(&server, &aurora_hex()).await;
    assert_eq!(body["available"], false);
    assert_eq!(body["source"], "none");
    assert_eq!(body["name"], "Aurora Lane");
    let report = swingfly_services::metadata::artist_images::fetch_missing(&server.app).await;
    assert_eq!(report.saved, 0);
    assert!(!server
        .app
        .paths
        .artist_images
        .join("large")
        .join(format!("{}.webp", aurora_hex()))
        .exists());
}

/// Makes the SQL entry of `key` expire within a second (as if fetched 30 days ago) and drops the
/// tier's copy.
async fn expire(server: &TestServer, key: &str) {
    let entry = server
        .app
        .store
        .metadata_cache_get_any(key)
        .await
        .unwrap()
        .expect("an SQL entry");
    server
        .app
        .store
        .metadata_cache_put(key, &entry.value, 1)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    server.app.cache.clear_namespace(Namespace::Metadata).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_entries_refresh_by_id_and_are_served_while_spotify_fails() {
    let fake = start_fake().await;
    let server = TestServer::start_with(|config| configure(config, &fake, false)).await;
    let aurora = aurora_hex();
    let key = sql_key("artist", &aurora);
    assert_eq!(artist_metadata(&server, &aurora).await["source"], "spotify");
    assert_eq!(fake.searches_for("Aurora Lane"), 1);

    // Expired: refreshed with one exact GET /v1/artists/{id}, no search.
    expire(&server, &key).await;
    let body = artist_metadata(&server, &aurora).await;
    assert_eq!(body["source"], "spotify", "{body}");
    assert_eq!(body["popularity"], 57);
    assert_eq!(fake.artist_calls.load(Ordering::SeqCst), 1);
    assert_eq!(fake.searches_for("Aurora Lane"), 1);
    let refreshed = server.app.store.metadata_cache_get(&key).await.unwrap();
    assert!(refreshed.is_some(), "the SQL entry lives again");

    // Expired while Spotify refuses (429): the expired answer is served, not nothing.
    expire(&server, &key).await;
    fake.rate_limit_secs.store(30, Ordering::SeqCst);
    let body = artist_metadata(&server, &aurora).await;
    assert_eq!(body["available"], true, "{body}");
    assert_eq!(body["source"], "sql");
    assert_eq!(body["genres"], json!(["synthwave", "dream pop"]));
    assert_eq!(fake.rate_limited_answers.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_lookups_of_one_artist_share_one_api_call() {
    let fake = start_fake().await;
    let server = TestServer::start_with(|config| configure(config, &fake, false)).await;
    let aurora = aurora_hex();
    let answers =
        futures_util::future::join_all((0..8).map(|_| artist_metadata(&server, &aurora))).await;
    for body in &answers {
        assert_eq!(body["available"], true, "{body}");
        assert_eq!(body["popularity"], 57);
    }
    assert_eq!(fake.searches_for("Aurora Lane"), 1);
    assert_eq!(fake.token_calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn picture_worker_pauses_for_a_429_and_resumes_after_it() {
    let fake = start_fake().await;
    fake.rate_limit_secs.store(1, Ordering::SeqCst);
    let server = TestServer::start_with(|config| configure(config, &fake, true)).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while fake.rate_limited_answers.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "the worker never asked");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    fake.rate_limit_secs.store(0, Ordering::SeqCst);
    let large = server
        .app
        .paths
        .artist_images
        .join("large")
        .join(format!("{}.webp", aurora_hex()));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !large.exists() {
        assert!(Instant::now() < deadline, "the worker did not resume");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // One 429 stopped the pass: the worker did not keep knocking during the window.
    assert_eq!(fake.rate_limited_answers.load(Ordering::SeqCst), 1);
    assert_eq!(fake.searches_for("Aurora Lane"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_renewed_shortly_before_it_expires() {
    let fake = start_fake().await;
    // A 2 s token is renewed at half its life (a long one a minute before it expires).
    fake.token_lifetime_secs.store(2, Ordering::SeqCst);
    let server = TestServer::start_with(|config| configure(config, &fake, false)).await;
    let metadata = &server.app.metadata;
    metadata
        .artist_metadata(artist_hash("Aurora Lane"), "Aurora Lane")
        .await;
    metadata
        .artist_metadata(artist_hash("Beta Ray"), "Beta Ray")
        .await;
    assert_eq!(fake.token_calls.load(Ordering::SeqCst), 1, "reused");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let lookup = metadata
        .artist_metadata(artist_hash("Someone Else"), "Someone Else")
        .await;
    assert_eq!(lookup.source, Source::Spotify);
    assert_eq!(fake.token_calls.load(Ordering::SeqCst), 2, "renewed");
    assert_eq!(fake.bad_bearer.load(Ordering::SeqCst), 0);
}
