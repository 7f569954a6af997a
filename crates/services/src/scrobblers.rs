//! Delivering each user's plays to the scrobbling services they linked: Last.fm (a session key
//! from `auth.getSession`) and ListenBrainz (a user token).
//!
//! Nothing is queued: the play history (`scrobbles`) is the queue. Each (user, service) link holds
//! a cursor, the newest play already handled; a background worker ([`worker`]) sends the plays past
//! it and moves it in SQL only after the service accepted them, so a crash resends at worst and
//! never loses a play. Failures back off exponentially (capped, honouring `Retry-After`); a revoked
//! credential (Last.fm error 9, ListenBrainz 401) unlinks the account.

pub mod lastfm;
pub mod listenbrainz;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde::Serialize;
use serde_json::Value;
use swingfly_library::Library;
use swingfly_store::user_services::{PendingPlay, UserServiceRow};
use swingfly_store::Store;
use tokio::sync::Notify;

use crate::app::AppConfig;
use lastfm::LastFm;
use listenbrainz::ListenBrainz;

/// The `user_services.service` names.
pub const LASTFM: &str = "lastfm";
pub const LISTENBRAINZ: &str = "listenbrainz";

pub const DEFAULT_LASTFM_BASE_URL: &str = "https://ws.audioscrobbler.com/2.0/";
pub const DEFAULT_LISTENBRAINZ_BASE_URL: &str = "https://api.listenbrainz.org";

/// How long one request to a service may take in all, and to connect.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Batches one account may send in one pass before the worker turns to the next account.
const MAX_BATCHES_PER_PASS: usize = 20;

/// Plays shorter than this (track length, seconds) are never scrobbled.
const MIN_TRACK_SECONDS: u32 = 30;
/// A play counts once this much was heard, or half the track if that is less.
const ENOUGH_LISTENING_SECONDS: i64 = 240;

/// Why linking an account failed.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("Last.fm is not configured on this server (no API key and secret)")]
    NotConfigured,
    /// The service refused the token.
    #[error("{0}")]
    Rejected(String),
    /// The service could not be reached or failed; try again later.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<swingfly_store::StoreError> for LinkError {
    fn from(error: swingfly_store::StoreError) -> Self {
        Self::Internal(error.into())
    }
}

/// Why a delivery failed.
#[derive(Debug)]
pub enum DeliveryError {
    /// The credential no longer works: the account is unlinked.
    Revoked(String),
    /// The service refused this batch as malformed: retrying cannot help, so it is skipped.
    Rejected(String),
    /// Anything else: try again after a backoff (at least `retry_after` when the service said so).
    Retry {
        reason: String,
        retry_after: Option<Duration>,
    },
}

/// One play, ready to send.
#[derive(Clone, Debug, PartialEq)]
pub struct Play {
    /// The `scrobbles.id`.
    pub id: i64,
    /// Unix seconds, when the play happened.
    pub timestamp: i64,
    /// Seconds actually listened.
    pub played: i64,
    pub title: String,
    /// The first track artist (what Last.fm takes).
    pub artist: String,
    pub artists: Vec<String>,
    pub album: Option<String>,
    pub album_artist: Option<String>,
    /// The track's length in seconds, when known.
    pub track_duration: Option<u32>,
}

impl Play {
    /// Reference §5.9: the track is longer than 30 s and at least half of it, or 4 minutes, was
    /// heard. With the length unknown, 4 minutes heard is enough on its own (it implies a track
    /// longer than 30 s and meets the rule whatever the length).
    pub fn is_eligible(&self) -> bool {
        match self.track_duration {
            Some(length) => {
                length > MIN_TRACK_SECONDS
                    && self.played >= (i64::from(length) / 2).min(ENOUGH_LISTENING_SECONDS)
            }
            None => self.played >= ENOUGH_LISTENING_SECONDS,
        }
    }

    /// Builds a play from its row: the metadata recorded at play time (`extra`), else the index.
    /// None when neither knows the title and artist.
    pub fn from_row(row: &PendingPlay, library: &Library) -> Option<Play> {
        let extra: Value = serde_json::from_str(&row.extra).unwrap_or(Value::Null);
        let indexed = swingfly_model::parse_hash(&row.trackhash).and_then(|h| library.track(h));
        let title =
            text(&extra["title"]).or_else(|| indexed.map(|track| track.title.to_string()))?;
        let mut artists = names(&extra["artists"]);
        if artists.is_empty() {
            if let Some(track) = indexed {
                artists = track.artists.iter().map(|a| a.name.to_string()).collect();
            }
        }
        let artist = artists.first()?.clone();
        let album = text(&extra["album"]).or_else(|| indexed.map(|track| track.album.to_string()));
        let album_artist = names(&extra["albumartists"])
            .into_iter()
            .next()
            .or_else(|| {
                indexed
                    .and_then(|track| track.albumartists.first())
                    .map(|a| a.name.to_string())
            });
        let track_duration = extra["track_duration"]
            .as_u64()
            .and_then(|d| u32::try_from(d).ok())
            .or_else(|| indexed.map(|track| track.duration));
        Some(Play {
            id: row.id,
            timestamp: row.timestamp,
            played: row.duration,
            title,
            artist,
            artists,
            album: album.filter(|a| !a.is_empty()),
            album_artist: album_artist.filter(|a| !a.is_empty()),
            track_duration,
        })
    }
}

/// A non-empty string.
fn text(value: &Value) -> Option<String> {
    value
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Artist names as recorded: a list of names, a list of `{name}` objects, or one string.
fn names(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items
            .iter()
            .filter_map(|item| text(item).or_else(|| text(&item["name"])))
            .collect(),
        other => text(other).into_iter().collect(),
    }
}

/// A `Retry-After` (seconds) or ListenBrainz's `X-RateLimit-Reset-In` header.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    ["retry-after", "x-ratelimit-reset-in"]
        .iter()
        .filter_map(|name| {
            headers
                .get(*name)?
                .to_str()
                .ok()?
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map(Duration::from_secs)
        .next()
}

/// One user's view of one service, for the status route. Never carries the credential.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceStatus {
    pub service: &'static str,
    /// Whether the server can deliver to this service at all (Last.fm needs an API key).
    pub available: bool,
    pub linked: bool,
    pub account_name: Option<String>,
    /// Plays logged since linking that the worker has not handled yet.
    pub pending: i64,
    /// Consecutive failed attempts.
    pub attempts: i64,
    pub last_error: Option<String>,
    /// Unix seconds; 0 when nothing is waiting for a backoff.
    pub next_attempt_at: i64,
    pub linked_at: Option<i64>,
}

/// Retry timing of the worker.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub poll_interval: Duration,
    pub base: Duration,
    pub cap: Duration,
}

impl RetryPolicy {
    /// The wait after the `attempts`-th consecutive failure: base · 2^(attempts-1), at most `cap`,
    /// and never shorter than what the service asked for.
    pub fn backoff(&self, attempts: i64, asked: Option<Duration>) -> Duration {
        let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let delay = self.base.saturating_mul(1u32 << exponent).min(self.cap);
        asked.map_or(delay, |asked| delay.max(asked))
    }
}

/// The scrobbling clients, the linking flows and the delivery worker's handle.
pub struct Scrobblers {
    store: Store,
    lastfm: Option<LastFm>,
    listenbrainz: ListenBrainz,
    retry: RetryPolicy,
    wake: Arc<Notify>,
    worker: Mutex<Option<worker::Running>>,
}

impl Scrobblers {
    pub fn new(store: Store, config: &AppConfig) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("Swingfly/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let lastfm = match (&config.lastfm_api_key, &config.lastfm_api_secret) {
            (Some(key), Some(secret)) if !key.is_empty() && !secret.is_empty() => Some(
                LastFm::new(http.clone(), &config.lastfm_base_url, key, secret),
            ),
            _ => None,
        };
        Ok(Self {
            store,
            lastfm,
            listenbrainz: ListenBrainz::new(http, &config.listenbrainz_base_url),
            retry: RetryPolicy {
                poll_interval: config.scrobble_poll_interval,
                base: config.scrobble_retry_base,
                cap: config.scrobble_retry_cap,
            },
            wake: Arc::new(Notify::new()),
            worker: Mutex::new(None),
        })
    }

    /// Whether the operator configured a Last.fm API key and secret.
    pub fn lastfm_configured(&self) -> bool {
        self.lastfm.is_some()
    }

    /// Nudges the worker to look for new plays now (call after committing a play).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Links a Last.fm account from the token the user authorised; returns the session key.
    pub async fn link_lastfm(&self, user_id: i64, token: &str) -> Result<String, LinkError> {
        let lastfm = self.lastfm.as_ref().ok_or(LinkError::NotConfigured)?;
        if token.trim().is_empty() {
            return Err(LinkError::Rejected("The token is empty".into()));
        }
        let (session_key, name) = lastfm.get_session(token.trim()).await?;
        self.store
            .link_user_service(user_id, LASTFM, &session_key, name.as_deref())
            .await?;
        tracing::info!(user_id, account = ?name, "Last.fm account linked");
        Ok(session_key)
    }

    /// Links a ListenBrainz account after checking its token; returns the account name.
    pub async fn link_listenbrainz(
        &self,
        user_id: i64,
        token: &str,
    ) -> Result<Option<String>, LinkError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(LinkError::Rejected("The token is empty".into()));
        }
        let name = self.listenbrainz.validate_token(token).await?;
        self.store
            .link_user_service(user_id, LISTENBRAINZ, token, name.as_deref())
            .await?;
        tracing::info!(user_id, account = ?name, "ListenBrainz account linked");
        Ok(name)
    }

    /// Unlinks a service for a user; returns whether it was linked.
    pub async fn unlink(&self, user_id: i64, service: &str) -> anyhow::Result<bool> {
        let removed = self.store.unlink_user_service(user_id, service).await?;
        if removed {
            tracing::info!(user_id, service, "scrobbling account unlinked by the user");
        }
        Ok(removed)
    }

    /// Each service's state for one user.
    pub async fn status(&self, user_id: i64) -> anyhow::Result<Vec<ServiceStatus>> {
        let mut all = Vec::new();
        for (service, available) in [(LASTFM, self.lastfm.is_some()), (LISTENBRAINZ, true)] {
            let row = self.store.user_service(user_id, service).await?;
            let pending = match &row {
                Some(row) => {
                    self.store
                        .plays_after_count(user_id, row.delivered_through)
                        .await?
                }
                None => 0,
            };
            all.push(ServiceStatus {
                service,
                available,
                linked: row.is_some(),
                account_name: row.as_ref().and_then(|r| r.account_name.clone()),
                pending,
                attempts: row.as_ref().map_or(0, |r| r.attempts),
                last_error: row.as_ref().and_then(|r| r.last_error.clone()),
                next_attempt_at: row.as_ref().map_or(0, |r| r.next_attempt_at),
                linked_at: row.as_ref().map(|r| r.linked_at),
            });
        }
        Ok(all)
    }

    /// One delivery pass: every link whose backoff has expired sends what is past its cursor.
    pub async fn deliver_due(&self, library: &Library) -> anyhow::Result<()> {
        for link in self.store.user_services_due(unix_now()).await? {
            self.deliver_link(&link, library).await?;
        }
        Ok(())
    }

    /// Sends one link's plays, batch by batch, moving the cursor after each accepted batch.
    async fn deliver_link(&self, link: &UserServiceRow, library: &Library) -> anyhow::Result<()> {
        let batch_size = match link.service.as_str() {
            LASTFM if self.lastfm.is_some() => lastfm::MAX_BATCH,
            LISTENBRAINZ => listenbrainz::MAX_BATCH,
            // Last.fm without an API key (the operator removed it): the plays wait.
            _ => return Ok(()),
        };
        let mut cursor = link.delivered_through;
        for _ in 0..MAX_BATCHES_PER_PASS {
            let rows = self
                .store
                .plays_after(link.user_id, cursor, batch_size as i64)
                .await?;
            let Some(last) = rows.last().map(|row| row.id) else {
                return Ok(());
            };
            let plays: Vec<Play> = rows
                .iter()
                .filter_map(|row| Play::from_row(row, library))
                .filter(Play::is_eligible)
                .collect();
            if !plays.is_empty() {
                match self.send(link, &plays).await {
                    Ok(()) => {}
                    Err(DeliveryError::Rejected(reason)) => {
                        tracing::warn!(user_id = link.user_id, service = %link.service,
                            first = rows[0].id, last, %reason,
                            "the service refused these plays as malformed; skipping them");
                    }
                    Err(DeliveryError::Revoked(reason)) => {
                        tracing::warn!(user_id = link.user_id, service = %link.service, %reason,
                            "the account's credential was revoked; unlinking it");
                        self.store
                            .unlink_user_service_if(link.user_id, &link.service, &link.credential)
                            .await?;
                        return Ok(());
                    }
                    Err(DeliveryError::Retry {
                        reason,
                        retry_after,
                    }) => {
                        let attempts = link.attempts + 1;
                        let wait = self.retry.backoff(attempts, retry_after);
                        let next = unix_now().saturating_add(ceil_secs(wait));
                        tracing::warn!(user_id = link.user_id, service = %link.service, attempts,
                            retry_in_s = ceil_secs(wait), %reason, "scrobble delivery failed");
                        self.store
                            .record_user_service_failure(
                                link.user_id,
                                &link.service,
                                &link.credential,
                                next,
                                &reason,
                            )
                            .await?;
                        return Ok(());
                    }
                }
            }
            let still_linked = self
                .store
                .advance_user_service(link.user_id, &link.service, &link.credential, last)
                .await?;
            if !still_linked {
                return Ok(());
            }
            tracing::debug!(user_id = link.user_id, service = %link.service, sent = plays.len(),
                through = last, "plays delivered");
            cursor = last;
        }
        // More is waiting: come back at once rather than after a poll interval.
        self.wake();
        Ok(())
    }

    async fn send(&self, link: &UserServiceRow, plays: &[Play]) -> Result<(), DeliveryError> {
        match (link.service.as_str(), &self.lastfm) {
            (LASTFM, Some(lastfm)) => lastfm.scrobble(&link.credential, plays).await,
            (LISTENBRAINZ, _) => self.listenbrainz.submit(&link.credential, plays).await,
            (other, _) => Err(DeliveryError::Retry {
                reason: format!("no client for service {other:?}"),
                retry_after: None,
            }),
        }
    }
}

fn ceil_secs(duration: Duration) -> i64 {
    let secs = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    i64::try_from(secs).unwrap_or(i64::MAX)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn play(track_duration: Option<u32>, played: i64) -> Play {
        Play {
            id: 1,
            timestamp: 1,
            played,
            title: "t".into(),
            artist: "a".into(),
            artists: vec!["a".into()],
            album: None,
            album_artist: None,
            track_duration,
        }
    }

    #[test]
    fn eligibility_follows_the_half_or_four_minutes_rule() {
        assert!(!play(Some(30), 30).is_eligible(), "30 s tracks never count");
        assert!(
            play(Some(31), 15).is_eligible(),
            "half of 31 s rounds down to 15"
        );
        assert!(!play(Some(200), 99).is_eligible());
        assert!(play(Some(200), 100).is_eligible());
        assert!(
            play(Some(600), 240).is_eligible(),
            "4 minutes of a long track"
        );
        assert!(!play(Some(600), 239).is_eligible());
        assert!(play(None, 240).is_eligible());
        assert!(!play(None, 239).is_eligible());
    }

    #[test]
    fn metadata_comes_from_extra_in_any_recorded_shape() {
        let row = PendingPlay {
            id: 7,
            trackhash: "unknown".into(),
            timestamp: 1000,
            duration: 250,
            source: String::new(),
            extra: r#"{"title":"Song","artists":[{"name":"A"},{"name":"B"}],"album":"LP",
                       "albumartists":"Band"}"#
                .into(),
        };
        let play = Play::from_row(&row, &Library::empty()).unwrap();
        assert_eq!(
            (
                play.title.as_str(),
                play.artist.as_str(),
                play.artists.len()
            ),
            ("Song", "A", 2)
        );
        assert_eq!(play.album.as_deref(), Some("LP"));
        assert_eq!(play.album_artist.as_deref(), Some("Band"));
        assert_eq!(play.track_duration, None);
        let bare = PendingPlay {
            extra: "{}".into(),
            ..row
        };
        assert!(Play::from_row(&bare, &Library::empty()).is_none());
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_honours_retry_after() {
        let policy = RetryPolicy {
            poll_interval: Duration::from_secs(5),
            base: Duration::from_secs(30),
            cap: Duration::from_secs(600),
        };
        assert_eq!(policy.backoff(1, None), Duration::from_secs(30));
        assert_eq!(policy.backoff(2, None), Duration::from_secs(60));
        assert_eq!(policy.backoff(10, None), Duration::from_secs(600));
        assert_eq!(policy.backoff(1000, None), Duration::from_secs(600));
        assert_eq!(
            policy.backoff(1, Some(Duration::from_secs(120))),
            Duration::from_secs(120)
        );
    }
}
