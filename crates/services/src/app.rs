//! The application handle: the store (the ledger), the live library index, the scan pipeline and
//! server events. Every adapter (HTTP, CLI) goes through one `App`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use arc_swap::ArcSwap;
use parking_lot::{Mutex, RwLock};
use serde::Serialize;
use swingfly_library::Library;
use swingfly_model::IndexSettings;
use swingfly_store::Store;
use tokio::sync::broadcast;

use crate::auth::Auth;
use crate::roots;
use crate::scan_pipeline::{self, ScanReport};
use crate::scrobblers::Scrobblers;
use crate::user_data::{UserData, UserDataView};

/// What the server is started with. Root folders given here are added to the stored root list.
#[derive(Clone, Debug)]
pub struct AppConfig {
    pub data_dir: PathBuf,
    pub music_roots: Vec<PathBuf>,
    /// The user's home folder: what Swing's special root `$home` means.
    pub home_dir: PathBuf,
    pub ffmpeg: PathBuf,
    /// When false (the default) only an admin creates users once the first user exists.
    pub open_signup: bool,
    /// The cache tier: embedded by default, Dragonfly (or any Redis-protocol server) with a URL.
    pub cache: swingfly_cache::CacheConfig,
    /// The operator's Last.fm API account (both needed to link Last.fm); never served to clients.
    pub lastfm_api_key: Option<String>,
    pub lastfm_api_secret: Option<String>,
    /// Last.fm's API endpoint (`https://ws.audioscrobbler.com/2.0/`).
    pub lastfm_base_url: String,
    /// ListenBrainz's API root (`https://api.listenbrainz.org`).
    pub listenbrainz_base_url: String,
    /// How often the scrobble worker looks for plays to deliver without being woken.
    pub scrobble_poll_interval: std::time::Duration,
    /// The first wait after a failed delivery; it doubles per failure up to the cap.
    pub scrobble_retry_base: std::time::Duration,
    pub scrobble_retry_cap: std::time::Duration,
    /// The operator's Spotify application (both needed for external metadata); never served.
    pub spotify_client_id: Option<String>,
    pub spotify_client_secret: Option<String>,
    /// Where Spotify tokens and the Web API are (`https://accounts.spotify.com`,
    /// `https://api.spotify.com`).
    pub spotify_accounts_base_url: String,
    pub spotify_api_base_url: String,
    /// The least time between two Spotify requests.
    pub spotify_min_interval: std::time::Duration,
    /// Whether the App fetches missing artist pictures from Spotify in the background (when
    /// Spotify is configured).
    pub spotify_artist_images: bool,
}

impl AppConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            music_roots: Vec::new(),
            home_dir: std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| "/".into()),
            ffmpeg: PathBuf::from("ffmpeg"),
            open_signup: false,
            cache: swingfly_cache::CacheConfig::default(),
            lastfm_api_key: None,
            lastfm_api_secret: None,
            lastfm_base_url: crate::scrobblers::DEFAULT_LASTFM_BASE_URL.into(),
            listenbrainz_base_url: crate::scrobblers::DEFAULT_LISTENBRAINZ_BASE_URL.into(),
            scrobble_poll_interval: std::time::Duration::from_secs(5),
            scrobble_retry_base: std::time::Duration::from_secs(30),
            scrobble_retry_cap: std::time::Duration::from_secs(3600),
            spotify_client_id: None,
            spotify_client_secret: None,
            spotify_accounts_base_url: crate::metadata::spotify::DEFAULT_ACCOUNTS_BASE_URL.into(),
            spotify_api_base_url: crate::metadata::spotify::DEFAULT_API_BASE_URL.into(),
            spotify_min_interval: std::time::Duration::from_millis(150),
            spotify_artist_images: true,
        }
    }
}

/// Where things live inside the data folder.
#[derive(Clone, Debug)]
pub struct DataPaths {
    pub data_dir: PathBuf,
    pub database: PathBuf,
    pub secret: PathBuf,
    /// `images/thumbnails/{xsmall,small,medium,large,original}/<albumhash>.webp`
    pub thumbnails: PathBuf,
    /// `images/artists/{small,medium,large}/<artisthash>.webp`
    pub artist_images: PathBuf,
    pub playlist_images: PathBuf,
    /// Fallback images: `default.webp`, `artist.webp`, `playlist.svg`.
    pub assets: PathBuf,
}

impl DataPaths {
    pub fn new(data_dir: &Path) -> Self {
        let images = data_dir.join("images");
        Self {
            data_dir: data_dir.to_path_buf(),
            database: data_dir.join("swingfly.db"),
            secret: data_dir.join("secret.key"),
            thumbnails: images.join("thumbnails"),
            artist_images: images.join("artists"),
            playlist_images: images.join("playlists"),
            assets: data_dir.join("assets"),
        }
    }

    fn create_all(&self) -> std::io::Result<()> {
        for dir in [
            &self.data_dir,
            &self.thumbnails,
            &self.artist_images,
            &self.playlist_images,
            &self.assets,
        ] {
            std::fs::create_dir_all(dir)?;
        }
        Ok(())
    }
}

/// A server-sent event: `{event, data}` on the wire.
#[derive(Clone, Debug, Serialize)]
pub struct ServerEvent {
    pub event: String,
    pub data: serde_json::Value,
}

/// First-run state for `/onboarding-data`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Onboarding {
    pub onboarding_complete: bool,
    pub root_dirs_set: bool,
    pub admin_exists: bool,
    pub scan_message: String,
}

/// Settings keys that change how tags become entities (a change means a re-index).
pub const INDEX_SETTING_KEYS: &[&str] = &[
    "artistSeparators",
    "artistSplitIgnoreList",
    "genreSeparators",
    "extractFeaturedArtists",
    "removeProdBy",
    "removeRemasterInfo",
    "mergeAlbums",
    "cleanAlbumTitle",
    "showAlbumsAsSingles",
];

const ROOT_DIRS_KEY: &str = "rootDirs";
/// How long the stored root folders are trusted without reading the ledger again.
const ROOT_DIRS_REFRESH: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether name sorts skip leading articles ("The Beatles" under B). A display setting.
pub const ARTICLE_AWARE_SORTING_KEY: &str = "artistArticleAwareSorting";

pub struct App {
    pub store: Store,
    pub auth: Auth,
    pub paths: DataPaths,
    pub config: AppConfig,
    /// Each user's favourites and play statistics in memory.
    pub user_data: UserData,
    /// The cache tier (in-process, or shared through Dragonfly).
    pub cache: swingfly_cache::Cache,
    /// The home rows' per-index tables and everyone's plays in memory.
    pub home: crate::home::Home,
    /// Delivery of plays to Last.fm and ListenBrainz (the worker runs only under `serve`).
    pub scrobblers: Scrobblers,
    /// External metadata (Spotify) through the cache tier and the SQL cache.
    pub metadata: crate::metadata::Metadata,
    library: ArcSwap<Library>,
    index_settings: RwLock<IndexSettings>,
    /// Cached so browse requests never read settings from SQL.
    article_aware_sorting: AtomicBool,
    scan_lock: tokio::sync::Mutex<()>,
    scan_pending: AtomicBool,
    scan_message: Mutex<String>,
    events: broadcast::Sender<ServerEvent>,
    /// Roots the configuration added at this start that were not stored before.
    new_roots: Mutex<Vec<String>>,
    /// The stored root folders and when they were read (see `root_dirs`).
    root_dirs_cache: Mutex<Option<(Instant, Vec<String>)>>,
    /// Serialises changes of the root folders (read, merge, write).
    root_dirs_write: tokio::sync::Mutex<()>,
}

impl App {
    /// Opens the data folder, the store and the index. No scan runs here: the index is built from
    /// what the store holds, so a restart serves the library at once.
    pub async fn open(config: AppConfig) -> anyhow::Result<Arc<App>> {
        let paths = DataPaths::new(&config.data_dir);
        paths
            .create_all()
            .with_context(|| format!("creating data folder {}", paths.data_dir.display()))?;
        let store = Store::open(&paths.database)
            .await
            .with_context(|| format!("opening database {}", paths.database.display()))?;
        let cache = swingfly_cache::Cache::new(config.cache.clone())
            .context("setting up the cache tier")?;
        let auth = Auth::load_or_create(store.clone(), &paths.secret, cache.clone()).await?;
        let index_settings = load_index_settings(&store).await?;
        let article_aware_sorting = store
            .setting(ARTICLE_AWARE_SORTING_KEY)
            .await?
            .and_then(|value| value.as_bool())
            .unwrap_or(false);
        let (events, _) = broadcast::channel(256);
        let app = Arc::new(App {
            user_data: UserData::new(store.clone(), cache.clone()),
            metadata: crate::metadata::Metadata::new(store.clone(), cache.clone(), &config)?,
            cache,
            home: crate::home::Home::new(),
            scrobblers: Scrobblers::new(store.clone(), &config)?,
            store,
            auth,
            paths,
            config,
            library: ArcSwap::from_pointee(Library::empty()),
            index_settings: RwLock::new(index_settings),
            article_aware_sorting: AtomicBool::new(article_aware_sorting),
            scan_lock: tokio::sync::Mutex::new(()),
            scan_pending: AtomicBool::new(false),
            scan_message: Mutex::new(String::new()),
            events,
            new_roots: Mutex::new(Vec::new()),
            root_dirs_cache: Mutex::new(None),
            root_dirs_write: tokio::sync::Mutex::new(()),
        });
        if !app.config.music_roots.is_empty() {
            let added: Vec<String> = app
                .config
                .music_roots
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let before = app.root_dirs().await?;
            let after = app.save_root_dirs(&added, &[]).await?;
            *app.new_roots.lock() = after.into_iter().filter(|d| !before.contains(d)).collect();
        }
        app.reload_index().await?;
        if app.metadata.is_configured() && app.config.spotify_artist_images {
            crate::metadata::artist_images::spawn_worker(&app);
        }
        Ok(app)
    }

    /// The current immutable index. Cheap: an atomic pointer load.
    pub fn library(&self) -> Arc<Library> {
        self.library.load_full()
    }

    /// The current index and what queries over it see of one user (favourites, play counts);
    /// loads the user's data from the ledger on their first request.
    pub async fn library_for(&self, user_id: i64) -> anyhow::Result<(Arc<Library>, UserDataView)> {
        let library = self.library();
        let view = self.user_data.view(user_id, &library).await?;
        Ok((library, view))
    }

    pub fn index_settings(&self) -> IndexSettings {
        self.index_settings.read().clone()
    }

    /// Roots that the configuration added at this start (they need a first scan).
    pub fn new_roots(&self) -> Vec<String> {
        self.new_roots.lock().clone()
    }

    /// The stored root folders, as the user gave them (normalised). Every folder listing asks, so
    /// the ledger's value is kept for [`ROOT_DIRS_REFRESH`]: this process's own changes apply at
    /// once, another process's (the CLI) within that time.
    pub async fn root_dirs(&self) -> anyhow::Result<Vec<String>> {
        if let Some((read_at, dirs)) = &*self.root_dirs_cache.lock() {
            if read_at.elapsed() < ROOT_DIRS_REFRESH {
                return Ok(dirs.clone());
            }
        }
        let value = self.store.setting(ROOT_DIRS_KEY).await?;
        let dirs: Vec<String> = value
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        *self.root_dirs_cache.lock() = Some((Instant::now(), dirs.clone()));
        Ok(dirs)
    }

    /// Root folders as filesystem paths (`$home` resolved).
    pub async fn root_paths(&self) -> anyhow::Result<Vec<PathBuf>> {
        Ok(self
            .root_dirs()
            .await?
            .iter()
            .map(|dir| roots::resolve(dir, &self.config.home_dir))
            .collect())
    }

    /// Adds and removes root folders, then starts a background scan.
    pub async fn update_root_dirs(
        self: &Arc<Self>,
        new_dirs: &[String],
        removed: &[String],
    ) -> anyhow::Result<Vec<String>> {
        let dirs = self.save_root_dirs(new_dirs, removed).await?;
        self.trigger_scan();
        Ok(dirs)
    }

    /// Adds and removes root folders in the ledger (no scan); returns the new list.
    pub async fn save_root_dirs(
        &self,
        new_dirs: &[String],
        removed: &[String],
    ) -> anyhow::Result<Vec<String>> {
        let _writing = self.root_dirs_write.lock().await;
        *self.root_dirs_cache.lock() = None;
        let current = self.root_dirs().await?;
        let dirs = roots::merge(&current, new_dirs, removed, &self.config.home_dir);
        self.store
            .set_setting(ROOT_DIRS_KEY, &serde_json::json!(dirs))
            .await?;
        *self.root_dirs_cache.lock() = Some((Instant::now(), dirs.clone()));
        Ok(dirs)
    }

    /// Starts a scan in the background. While one runs, further requests coalesce into one more run.
    pub fn trigger_scan(self: &Arc<Self>) {
        self.scan_pending.store(true, Ordering::SeqCst);
        let app = Arc::clone(self);
        tokio::spawn(async move {
            // Whoever holds the lock drains the pending flag; latecomers just leave it set.
            let Ok(_guard) = app.scan_lock.try_lock() else {
                return;
            };
            while app.scan_pending.swap(false, Ordering::SeqCst) {
                if let Err(err) = app.scan_locked(&|_| {}).await {
                    tracing::error!(error = %format!("{err:#}"), "library scan failed");
                }
            }
        });
    }

    /// Runs one scan now (waiting for a running one to finish first) and returns its report.
    pub async fn scan(
        &self,
        progress: &(dyn Fn(&scan_pipeline::Progress) + Sync),
    ) -> anyhow::Result<ScanReport> {
        let _guard = self.scan_lock.lock().await;
        self.scan_locked(progress).await
    }

    async fn scan_locked(
        &self,
        progress: &(dyn Fn(&scan_pipeline::Progress) + Sync),
    ) -> anyhow::Result<ScanReport> {
        let started = Instant::now();
        let roots = self.root_paths().await?;
        let report_progress = |p: &scan_pipeline::Progress| {
            if let scan_pipeline::Progress::Batch { done, total } = p {
                let batch = format!("{done}/{total}");
                *self.scan_message.lock() = format!("scan_batch_cleared: {batch}");
                let _ = self.events.send(ServerEvent {
                    event: "scan_batch_cleared".into(),
                    data: serde_json::json!({ "batch": batch }),
                });
            }
            progress(p);
        };
        let settings = self.index_settings();
        let mut report = scan_pipeline::run(
            &self.store,
            &roots,
            &settings,
            &self.paths.thumbnails,
            &self.library,
            &report_progress,
        )
        .await?;
        report.elapsed_ms = started.elapsed().as_millis() as u64;
        self.metadata.library_changed();
        Ok(report)
    }

    /// Rebuilds the index from the store (after a settings change or at start-up).
    pub async fn reload_index(&self) -> anyhow::Result<()> {
        let settings = self.index_settings();
        let library = scan_pipeline::build_index(&self.store, &settings).await?;
        scan_pipeline::swap_index(&self.library, Arc::new(library));
        Ok(())
    }

    /// Whether name sorts skip leading articles (the `artistArticleAwareSorting` setting).
    pub fn article_aware_sorting(&self) -> bool {
        self.article_aware_sorting.load(Ordering::Relaxed)
    }

    /// Persists one setting and applies it: an index setting re-indexes from the store (no file
    /// is re-read); a display setting updates its cached value.
    pub async fn set_setting(&self, key: &str, value: serde_json::Value) -> anyhow::Result<()> {
        self.store.set_setting(key, &value).await?;
        if key == ARTICLE_AWARE_SORTING_KEY {
            self.article_aware_sorting
                .store(value.as_bool().unwrap_or(false), Ordering::Relaxed);
        }
        if INDEX_SETTING_KEYS.contains(&key) {
            let settings = load_index_settings(&self.store).await?;
            *self.index_settings.write() = settings;
            self.reload_index().await?;
        }
        Ok(())
    }

    /// "scan_batch_cleared: i/n" while or after a scan, "" before the first one.
    pub fn scan_message(&self) -> String {
        self.scan_message.lock().clone()
    }

    pub fn subscribe_events(&self) -> broadcast::Receiver<ServerEvent> {
        self.events.subscribe()
    }

    pub async fn onboarding(&self) -> anyhow::Result<Onboarding> {
        let root_dirs_set = !self.root_dirs().await?.is_empty();
        let admin_exists = self
            .store
            .list_users()
            .await?
            .iter()
            .any(|user| user.roles.iter().any(|role| role == "admin"));
        Ok(Onboarding {
            onboarding_complete: root_dirs_set && admin_exists,
            root_dirs_set,
            admin_exists,
            scan_message: self.scan_message(),
        })
    }
}

/// Index settings are stored one key each (camelCase, as Swing's settings.json names them).
async fn load_index_settings(store: &Store) -> anyhow::Result<IndexSettings> {
    let all = store.all_settings().await?;
    let mut merged = serde_json::to_value(IndexSettings::default())?;
    if let Some(object) = merged.as_object_mut() {
        for key in INDEX_SETTING_KEYS {
            if let Some(value) = all.get(*key) {
                object.insert((*key).to_string(), value.clone());
            }
        }
    }
    serde_json::from_value(merged).context("stored index settings are malformed")
}
