//! A client of the official Spotify Web API with the operator's own application credentials
//! (client-credentials flow: no user account, catalogue data only).
//!
//! Requests are paced (one at a time at least `min_interval` apart, at most `MAX_IN_FLIGHT` in
//! flight), every request has a timeout, and a 429 answer closes the client for its `Retry-After`:
//! during that window calls fail at once with [`SpotifyError::RateLimited`] instead of queueing,
//! so callers (a user's request, the image worker) never pile up behind the limit.

use std::time::{Duration, Instant};

use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use swingfly_model::hash::{artist_hash, hash_strings};
use tokio::sync::{Mutex, Semaphore};

pub const DEFAULT_ACCOUNTS_BASE_URL: &str = "https://accounts.spotify.com";
pub const DEFAULT_API_BASE_URL: &str = "https://api.spotify.com";

/// Requests in flight at once.
const MAX_IN_FLIGHT: usize = 2;
/// How many search results are compared with the name we look for.
const SEARCH_LIMIT: u32 = 5;
/// A token is renewed this long before Spotify says it expires.
const TOKEN_RENEWAL_MARGIN: Duration = Duration::from_secs(60);
/// `Retry-After` when a 429 does not say (Spotify always does).
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);
/// The longest `Retry-After` honoured as given: a longer one is capped (the server retries later
/// anyway, and an absurd value must not silence metadata until a restart).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Images larger than this are not downloaded.
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;

/// How to reach Spotify. (Its `Debug` hides the credentials.)
#[derive(Clone)]
pub struct SpotifyConfig {
    pub client_id: String,
    pub client_secret: String,
    /// Where tokens come from: `{accounts_base_url}/api/token`.
    pub accounts_base_url: String,
    /// Where the API is: `{api_base_url}/v1/...`.
    pub api_base_url: String,
    /// The least time between two requests.
    pub min_interval: Duration,
    /// One request's time limit, and connecting's.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
}

impl std::fmt::Debug for SpotifyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpotifyConfig")
            .field("client_id", &"<redacted>")
            .field("client_secret", &"<redacted>")
            .field("accounts_base_url", &self.accounts_base_url)
            .field("api_base_url", &self.api_base_url)
            .field("min_interval", &self.min_interval)
            .finish()
    }
}

impl SpotifyConfig {
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            accounts_base_url: DEFAULT_ACCOUNTS_BASE_URL.into(),
            api_base_url: DEFAULT_API_BASE_URL.into(),
            min_interval: Duration::from_millis(150),
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum SpotifyError {
    /// Spotify said 429; nothing is sent until the window ends.
    #[error("Spotify rate limit: retry in {} s", retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },
    /// The credentials were refused (a configuration problem, not a transient one).
    #[error("Spotify refused the client credentials (HTTP {0})")]
    Unauthorized(u16),
    /// The API has no item with this id (404).
    #[error("Spotify has no such item")]
    NotFound,
    /// Unreachable, timed out, a 5xx or an answer that does not decode.
    #[error("Spotify is unavailable: {0}")]
    Unavailable(String),
}

impl SpotifyError {
    fn unavailable(error: impl std::fmt::Display) -> Self {
        // reqwest's messages carry the URL, never the credentials (they travel in headers).
        Self::Unavailable(error.to_string())
    }
}

/// An image as Spotify lists it (largest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpotifyImage {
    pub url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// A full artist object (what search and `GET /v1/artists/{id}` return).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SpotifyArtist {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub genres: Vec<String>,
    pub popularity: Option<u32>,
    #[serde(default)]
    pub images: Vec<SpotifyImage>,
    pub followers: Option<Followers>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Followers {
    pub total: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ArtistRef {
    pub id: Option<String>,
    pub name: String,
}

/// An album as search lists it (no label, genres nor popularity).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SpotifyAlbumSummary {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub artists: Vec<ArtistRef>,
}

/// A full album object (`GET /v1/albums/{id}`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct SpotifyAlbum {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub artists: Vec<ArtistRef>,
    pub album_type: Option<String>,
    pub label: Option<String>,
    pub release_date: Option<String>,
    pub release_date_precision: Option<String>,
    pub total_tracks: Option<u32>,
    #[serde(default)]
    pub genres: Vec<String>,
    pub popularity: Option<u32>,
    #[serde(default)]
    pub images: Vec<SpotifyImage>,
}

#[derive(Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
}

#[derive(Deserialize)]
struct ArtistSearch {
    artists: Option<Page<SpotifyArtist>>,
}

#[derive(Deserialize)]
struct AlbumSearch {
    albums: Option<Page<SpotifyAlbumSummary>>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: Option<u64>,
}

struct Token {
    value: String,
    renew_at: Instant,
}

/// The client. Share one per server (its pacing and 429 window are per client).
pub struct SpotifyClient {
    http: reqwest::Client,
    config: SpotifyConfig,
    token: Mutex<Option<Token>>,
    in_flight: Semaphore,
    /// When the next request may start (pacing).
    next_slot: Mutex<Instant>,
    /// Set by a 429: no request before this instant.
    blocked_until: parking_lot::Mutex<Option<Instant>>,
}

impl SpotifyClient {
    pub fn new(config: SpotifyConfig) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("Swingfly/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            config,
            token: Mutex::new(None),
            in_flight: Semaphore::new(MAX_IN_FLIGHT),
            next_slot: Mutex::new(Instant::now()),
            blocked_until: parking_lot::Mutex::new(None),
        })
    }

    /// How long the current 429 window still lasts, if one is open.
    pub fn rate_limited_for(&self) -> Option<Duration> {
        let until = (*self.blocked_until.lock())?;
        until.checked_duration_since(Instant::now())
    }

    /// The artist whose name hashes like `artisthash` (Swing's artist identity) among the first
    /// search results for `name`; `None` when Spotify has no such artist.
    pub async fn find_artist(
        &self,
        artisthash: u64,
        name: &str,
    ) -> Result<Option<SpotifyArtist>, SpotifyError> {
        let answer: ArtistSearch = self
            .api_get(
                "/v1/search",
                &[
                    ("type", "artist"),
                    ("q", name),
                    ("limit", &SEARCH_LIMIT.to_string()),
                ],
            )
            .await?;
        Ok(answer
            .artists
            .map(|page| page.items)
            .unwrap_or_default()
            .into_iter()
            .find(|artist| artist_hash(&artist.name) == artisthash))
    }

    /// `GET /v1/artists/{id}`.
    pub async fn artist(&self, id: &str) -> Result<SpotifyArtist, SpotifyError> {
        self.api_get(&format!("/v1/artists/{}", path_segment(id)), &[])
            .await
    }

    /// The album titled like `title` (compared the way Swing compares names) by an artist whose
    /// name hashes like `artist`, among the first search results; then its full object.
    pub async fn find_album(
        &self,
        title: &str,
        artist: &str,
    ) -> Result<Option<SpotifyAlbum>, SpotifyError> {
        let query = format!("album:{title} artist:{artist}");
        let answer: AlbumSearch = self
            .api_get(
                "/v1/search",
                &[
                    ("type", "album"),
                    ("q", &query),
                    ("limit", &SEARCH_LIMIT.to_string()),
                ],
            )
            .await?;
        let wanted_title = hash_strings(&[title], true);
        let wanted_artist = artist_hash(artist);
        let found = answer
            .albums
            .map(|page| page.items)
            .unwrap_or_default()
            .into_iter()
            .find(|album| {
                hash_strings(&[&album.name], true) == wanted_title
                    && album
                        .artists
                        .iter()
                        .any(|a| artist_hash(&a.name) == wanted_artist)
            });
        match found {
            Some(summary) => self.album(&summary.id).await.map(Some),
            None => Ok(None),
        }
    }

    /// `GET /v1/albums/{id}`.
    pub async fn album(&self, id: &str) -> Result<SpotifyAlbum, SpotifyError> {
        self.api_get(&format!("/v1/albums/{}", path_segment(id)), &[])
            .await
    }

    /// Downloads an image Spotify listed (paced like API calls; at most [`MAX_IMAGE_BYTES`]).
    pub async fn download_image(&self, url: &str) -> Result<Vec<u8>, SpotifyError> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(SpotifyError::Unavailable(format!(
                "not an image URL: {url:?}"
            )));
        }
        let response = self.send(self.http.get(url)).await?;
        if response
            .content_length()
            .is_some_and(|length| length > MAX_IMAGE_BYTES as u64)
        {
            return Err(SpotifyError::Unavailable("image too large".into()));
        }
        let bytes = response.bytes().await.map_err(SpotifyError::unavailable)?;
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(SpotifyError::Unavailable("image too large".into()));
        }
        Ok(bytes.to_vec())
    }

    /// An authorised GET of the API, renewing the token once if Spotify says it expired.
    async fn api_get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, SpotifyError> {
        let url = format!("{}{path}", self.config.api_base_url.trim_end_matches('/'));
        for attempt in 0..2 {
            let token = self.token().await?;
            let request = self.http.get(&url).query(query).bearer_auth(&token);
            match self.send(request).await {
                Ok(response) => return response.json().await.map_err(SpotifyError::unavailable),
                Err(SpotifyError::Unauthorized(_)) if attempt == 0 => {
                    // The token was revoked or expired early: forget it and fetch a new one.
                    self.forget_token(&token).await;
                }
                Err(error) => return Err(error),
            }
        }
        Err(SpotifyError::Unauthorized(401))
    }

    /// A valid access token, fetched with the client credentials when there is none or it is
    /// about to expire.
    async fn token(&self) -> Result<String, SpotifyError> {
        let mut token = self.token.lock().await;
        if let Some(current) = token.as_ref().filter(|t| Instant::now() < t.renew_at) {
            return Ok(current.value.clone());
        }
        let url = format!(
            "{}/api/token",
            self.config.accounts_base_url.trim_end_matches('/')
        );
        let request = self
            .http
            .post(url)
            .basic_auth(&self.config.client_id, Some(&self.config.client_secret))
            .form(&[("grant_type", "client_credentials")]);
        let answer: TokenAnswer = self
            .send(request)
            .await?
            .json()
            .await
            .map_err(SpotifyError::unavailable)?;
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(3600));
        // A short-lived token is renewed at half its life rather than never being reused.
        let margin = TOKEN_RENEWAL_MARGIN.min(lifetime / 2);
        *token = Some(Token {
            value: answer.access_token.clone(),
            renew_at: Instant::now() + lifetime - margin,
        });
        Ok(answer.access_token)
    }

    async fn forget_token(&self, value: &str) {
        let mut token = self.token.lock().await;
        if token.as_ref().is_some_and(|t| t.value == value) {
            *token = None;
        }
    }

    /// Sends one request under the pacing, the concurrency limit and the 429 window; a non-2xx
    /// answer becomes an error.
    async fn send(&self, request: RequestBuilder) -> Result<reqwest::Response, SpotifyError> {
        self.check_window()?;
        let _permit = self
            .in_flight
            .acquire()
            .await
            .map_err(SpotifyError::unavailable)?;
        self.wait_for_slot().await;
        // A 429 seen by another request while this one waited closes the window for it too.
        self.check_window()?;
        let response = request.send().await.map_err(SpotifyError::unavailable)?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        match status {
            StatusCode::TOO_MANY_REQUESTS => {
                let retry_after = retry_after(&response)
                    .unwrap_or(DEFAULT_RETRY_AFTER)
                    .min(MAX_RETRY_AFTER);
                let until = Instant::now() + retry_after;
                let mut blocked = self.blocked_until.lock();
                *blocked = Some(blocked.map_or(until, |current| current.max(until)));
                tracing::warn!(
                    retry_after_secs = retry_after.as_secs(),
                    "Spotify rate limit reached; metadata requests pause"
                );
                Err(SpotifyError::RateLimited { retry_after })
            }
            // The token endpoint answers 400 `invalid_client` for wrong credentials.
            StatusCode::BAD_REQUEST | StatusCode::FORBIDDEN
                if response.url().path().ends_with("/api/token") =>
            {
                Err(SpotifyError::Unauthorized(status.as_u16()))
            }
            StatusCode::UNAUTHORIZED => Err(SpotifyError::Unauthorized(status.as_u16())),
            StatusCode::NOT_FOUND if response.url().path().contains("/v1/") => {
                Err(SpotifyError::NotFound)
            }
            _ => Err(SpotifyError::Unavailable(format!(
                "HTTP {} from {}",
                status.as_u16(),
                response.url().path()
            ))),
        }
    }

    fn check_window(&self) -> Result<(), SpotifyError> {
        match self.rate_limited_for() {
            Some(retry_after) => Err(SpotifyError::RateLimited { retry_after }),
            None => Ok(()),
        }
    }

    /// Waits for this request's turn: each request starts at least `min_interval` after the one
    /// before it.
    async fn wait_for_slot(&self) {
        let start = {
            let mut next = self.next_slot.lock().await;
            let start = (*next).max(Instant::now());
            *next = start + self.config.min_interval;
            start
        };
        tokio::time::sleep_until(start.into()).await;
    }
}

/// `Retry-After` in seconds (Spotify's form; an HTTP date is not used by Spotify).
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let text = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    text.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A Spotify id is base-62; anything else is refused rather than pasted into a URL path.
fn path_segment(id: &str) -> &str {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        id
    } else {
        "invalid-id"
    }
}
