//! External metadata (design use case 1): artist images, genres and popularity, and album label,
//! release date, genres and popularity, from the official Spotify Web API.
//!
//! A lookup reads three levels, each filling the ones above it:
//! 1. the cache tier (namespace `metadata`, 12 h; shared between instances with Dragonfly),
//! 2. the SQL cache (`metadata_cache`: 30 days for a found item, 3 days for "not on Spotify"), so
//!    answers survive restarts in embedded mode,
//! 3. the Spotify API (paced, 429-aware; see [`spotify`]).
//!
//! "Not on Spotify" is cached like an answer; a failure (unreachable, rate limited, bad
//! credentials) is not cached and never fails the caller: the lookup just says nothing is known.
//! Without Spotify credentials the chain still reads what the caches hold and never calls out.

pub mod artist_images;
pub mod spotify;

use std::future::Future;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use swingfly_cache::{Cache, Key, Namespace};
use swingfly_model::{hash_hex, Hash};
use swingfly_store::Store;
use tokio::sync::watch;

use crate::app::AppConfig;
use spotify::{SpotifyClient, SpotifyConfig, SpotifyError, SpotifyImage};

/// How long the SQL cache trusts a found item, and a "not on Spotify".
pub const SQL_TTL_FOUND: Duration = Duration::from_secs(30 * 24 * 3600);
pub const SQL_TTL_NOT_FOUND: Duration = Duration::from_secs(3 * 24 * 3600);
/// How long past its expiry a SQL entry is kept (to refresh by id, and to serve while Spotify
/// cannot answer) before the purge deletes it.
pub const SQL_PURGE_GRACE: Duration = Duration::from_secs(90 * 24 * 3600);

/// Which level answered a lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The cache tier.
    Cache,
    /// The SQL cache.
    Sql,
    /// The Spotify API, just now.
    Spotify,
    /// Nothing is known: Spotify is not configured, unreachable or rate limited, and no cache
    /// level holds an answer.
    None,
}

/// A lookup's answer: the item (`None` when Spotify has no such item, or nothing is known) and
/// which level answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Lookup<T> {
    pub value: Option<T>,
    pub source: Source,
}

/// What Spotify knows of an artist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArtistMetadata {
    pub spotify_id: String,
    /// Spotify's spelling.
    pub name: String,
    pub genres: Vec<String>,
    /// 0-100.
    pub popularity: Option<u32>,
    pub followers: Option<u64>,
    /// Largest first.
    pub images: Vec<SpotifyImage>,
}

/// What Spotify knows of an album.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlbumMetadata {
    pub spotify_id: String,
    pub title: String,
    pub artists: Vec<String>,
    pub album_type: Option<String>,
    pub label: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (see the precision).
    pub release_date: Option<String>,
    pub release_date_precision: Option<String>,
    pub total_tracks: Option<u32>,
    pub genres: Vec<String>,
    pub popularity: Option<u32>,
    pub images: Vec<SpotifyImage>,
}

impl From<spotify::SpotifyArtist> for ArtistMetadata {
    fn from(artist: spotify::SpotifyArtist) -> Self {
        Self {
            spotify_id: artist.id,
            name: artist.name,
            genres: artist.genres,
            popularity: artist.popularity,
            followers: artist.followers.and_then(|f| f.total),
            images: artist.images,
        }
    }
}

impl From<spotify::SpotifyAlbum> for AlbumMetadata {
    fn from(album: spotify::SpotifyAlbum) -> Self {
        Self {
            spotify_id: album.id,
            title: album.name,
            artists: album.artists.into_iter().map(|a| a.name).collect(),
            album_type: album.album_type,
            label: album.label,
            release_date: album.release_date,
            release_date_precision: album.release_date_precision,
            total_tracks: album.total_tracks,
            genres: album.genres,
            popularity: album.popularity,
            images: album.images,
        }
    }
}

/// Why a lookup found nothing out (never shown to users as an error).
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    #[error("Spotify is not configured")]
    NotConfigured,
    #[error(transparent)]
    Spotify(#[from] SpotifyError),
    #[error("cached metadata does not decode: {0}")]
    Json(#[from] serde_json::Error),
}

/// The metadata service. Cheap to clone.
#[derive(Clone)]
pub struct Metadata {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    cache: Cache,
    spotify: Option<SpotifyClient>,
    /// Bumped when the library changed (a scan), to wake the artist image worker.
    library_changed: watch::Sender<u64>,
}

const FROM_CACHE: u8 = 0;
const FROM_SQL: u8 = 1;
const FROM_SPOTIFY: u8 = 2;

impl Metadata {
    /// The service for `config`: with Spotify when both the client id and secret are set.
    pub fn new(store: Store, cache: Cache, config: &AppConfig) -> anyhow::Result<Metadata> {
        let spotify = match (&config.spotify_client_id, &config.spotify_client_secret) {
            (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => {
                let mut spotify = SpotifyConfig::new(id, secret);
                spotify.accounts_base_url = config.spotify_accounts_base_url.clone();
                spotify.api_base_url = config.spotify_api_base_url.clone();
                spotify.min_interval = config.spotify_min_interval;
                Some(SpotifyClient::new(spotify)?)
            }
            _ => None,
        };
        Ok(Metadata {
            inner: Arc::new(Inner {
                store,
                cache,
                spotify,
                library_changed: watch::channel(0).0,
            }),
        })
    }

    /// Whether Spotify credentials are configured.
    pub fn is_configured(&self) -> bool {
        self.inner.spotify.is_some()
    }

    pub fn spotify(&self) -> Option<&SpotifyClient> {
        self.inner.spotify.as_ref()
    }

    /// Wakes the artist image worker (after a scan).
    pub fn library_changed(&self) {
        self.inner.library_changed.send_modify(|n| *n += 1);
    }

    pub(crate) fn subscribe_library_changes(&self) -> watch::Receiver<u64> {
        self.inner.library_changed.subscribe()
    }

    /// An artist's metadata, found by name among Spotify's artists whose name hashes like
    /// `artisthash`. Never fails: a failure answers `{value: None, source: None}`.
    pub async fn artist_metadata(&self, artisthash: Hash, name: &str) -> Lookup<ArtistMetadata> {
        answer(self.try_artist_metadata(artisthash, name).await)
    }

    /// [`Metadata::artist_metadata`], telling why nothing is known.
    pub async fn try_artist_metadata(
        &self,
        artisthash: Hash,
        name: &str,
    ) -> Result<Lookup<ArtistMetadata>, MetadataError> {
        self.lookup(
            "artist",
            artisthash,
            |spotify, stale: Option<ArtistMetadata>| async move {
                // A refresh of a known artist asks by id (one exact call); a gone id searches.
                if let Some(known) = stale {
                    match spotify.artist(&known.spotify_id).await {
                        Ok(artist) => return Ok(Some(ArtistMetadata::from(artist))),
                        Err(SpotifyError::NotFound) => {}
                        Err(error) => return Err(error.into()),
                    }
                }
                Ok(spotify
                    .find_artist(artisthash, name)
                    .await?
                    .map(ArtistMetadata::from))
            },
        )
        .await
    }

    /// An album's metadata, found by title and (album) artist. Never fails.
    pub async fn album_metadata(
        &self,
        albumhash: Hash,
        title: &str,
        artist: &str,
    ) -> Lookup<AlbumMetadata> {
        answer(
            self.lookup(
                "album",
                albumhash,
                |spotify, stale: Option<AlbumMetadata>| async move {
                    if let Some(known) = stale {
                        match spotify.album(&known.spotify_id).await {
                            Ok(album) => return Ok(Some(AlbumMetadata::from(album))),
                            Err(SpotifyError::NotFound) => {}
                            Err(error) => return Err(error.into()),
                        }
                    }
                    Ok(spotify
                        .find_album(title, artist)
                        .await?
                        .map(AlbumMetadata::from))
                },
            )
            .await,
        )
    }

    /// The three levels. `fetch` asks Spotify, given what an expired SQL entry knew; its `None`
    /// ("no such item") is cached too. When Spotify cannot answer, an expired SQL entry is served
    /// rather than nothing (and Spotify is asked again when the tier's copy expires).
    async fn lookup<'a, T, F, Fut>(
        &'a self,
        kind: &'static str,
        hash: Hash,
        fetch: F,
    ) -> Result<Lookup<T>, MetadataError>
    where
        T: Serialize + DeserializeOwned + Clone + Send + 'a,
        F: FnOnce(&'a SpotifyClient, Option<T>) -> Fut,
        Fut: Future<Output = Result<Option<T>, MetadataError>> + 'a,
    {
        let hex = hash_hex(hash);
        let key = Key::global(Namespace::Metadata, &[&kind, &hex]);
        let sql_key = sql_key(kind, &hex);
        let loaded_from = AtomicU8::new(FROM_CACHE);
        let inner = &self.inner;
        let value = inner
            .cache
            .get_or_load_json::<Option<T>, MetadataError, _>(&key, async {
                let stale = match inner.sql_get::<T>(&sql_key).await {
                    SqlEntry::Fresh(value) => {
                        loaded_from.store(FROM_SQL, Ordering::Relaxed);
                        return Ok(value);
                    }
                    SqlEntry::Stale(value) => Some(value),
                    SqlEntry::Missing => None,
                };
                let fetched = match inner.spotify.as_ref() {
                    Some(spotify) => fetch(spotify, stale.clone().flatten()).await,
                    None => Err(MetadataError::NotConfigured),
                };
                match (fetched, stale) {
                    (Ok(value), _) => {
                        loaded_from.store(FROM_SPOTIFY, Ordering::Relaxed);
                        inner.sql_put(&sql_key, &value).await;
                        Ok(value)
                    }
                    (Err(error), Some(stale)) => {
                        tracing::debug!(%error, key = %sql_key, "serving expired metadata");
                        loaded_from.store(FROM_SQL, Ordering::Relaxed);
                        Ok(stale)
                    }
                    (Err(error), None) => Err(error),
                }
            })
            .await
            .map_err(unshare)?;
        let source = match loaded_from.load(Ordering::Relaxed) {
            FROM_SQL => Source::Sql,
            FROM_SPOTIFY => Source::Spotify,
            _ => Source::Cache,
        };
        Ok(Lookup { value, source })
    }
}

impl Inner {
    /// The SQL entry; a read failure or an undecodable row counts as missing.
    async fn sql_get<T: DeserializeOwned>(&self, key: &str) -> SqlEntry<T> {
        let entry = match self.store.metadata_cache_get_any(key).await {
            Ok(Some(entry)) => entry,
            Ok(None) => return SqlEntry::Missing,
            Err(error) => {
                tracing::warn!(%error, key, "cannot read the SQL metadata cache");
                return SqlEntry::Missing;
            }
        };
        match serde_json::from_str(&entry.value) {
            Ok(value) if entry.is_fresh(unix_now()) => SqlEntry::Fresh(value),
            Ok(value) => SqlEntry::Stale(value),
            Err(error) => {
                tracing::warn!(%error, key, "undecodable SQL metadata cache row; fetching again");
                SqlEntry::Missing
            }
        }
    }

    /// Writes an answer to the SQL cache; a failure costs a later refetch, nothing more.
    async fn sql_put<T: Serialize>(&self, key: &str, value: &Option<T>) {
        let ttl = match value {
            Some(_) => SQL_TTL_FOUND,
            None => SQL_TTL_NOT_FOUND,
        };
        let written = match serde_json::to_string(value) {
            Ok(text) => self
                .store
                .metadata_cache_put(key, &text, ttl.as_secs() as i64)
                .await
                .map_err(anyhow::Error::from),
            Err(error) => Err(error.into()),
        };
        if let Err(error) = written {
            tracing::warn!(error = %format!("{error:#}"), key, "cannot write the SQL metadata cache");
        }
    }
}

/// What the SQL level holds for a key: an answer (`None`: not on Spotify) still trusted, one past
/// its lifetime, or nothing.
enum SqlEntry<T> {
    Fresh(Option<T>),
    Stale(Option<T>),
    Missing,
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0)
}

/// The SQL cache key of an item: `spotify:<kind>:<hash>`.
pub fn sql_key(kind: &str, hex: &str) -> String {
    format!("spotify:{kind}:{hex}")
}

fn answer<T>(result: Result<Lookup<T>, MetadataError>) -> Lookup<T> {
    match result {
        Ok(lookup) => lookup,
        Err(error) => {
            match &error {
                MetadataError::NotConfigured => {}
                error => tracing::debug!(%error, "external metadata unavailable"),
            }
            Lookup {
                value: None,
                source: Source::None,
            }
        }
    }
}

/// The tier shares one load's error between concurrent callers; take ours back out of the Arc.
fn unshare(error: Arc<MetadataError>) -> MetadataError {
    match Arc::try_unwrap(error) {
        Ok(error) => error,
        Err(shared) => match &*shared {
            MetadataError::NotConfigured => MetadataError::NotConfigured,
            MetadataError::Spotify(error) => MetadataError::Spotify(error.clone()),
            MetadataError::Json(error) => {
                MetadataError::Spotify(SpotifyError::Unavailable(error.to_string()))
            }
        },
    }
}
