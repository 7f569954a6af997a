//! The ledger: Swingfly's SQL schema, embedded migrations and repositories, on SQLite through sqlx.
//!
//! The library part keeps raw tags only ([`RawTrack`]); every derived field is recomputed in memory
//! by the library layer. Users, sessions (the ledger of issued tokens) and settings live here too.
//! The schema keeps to portable types so a PostgreSQL backend can follow.
//!
//! Everything goes through sqlx except the bulk reads of the track ledger (`load_tracks`,
//! `known_files`), which read the raw SQLite statement (see `raw`) to stay fast at 100k tracks.

pub mod backup;
pub mod collections;
mod error;
pub mod favorites;
pub mod home;
mod library;
pub mod metadata_cache;
pub mod mixes;
pub mod playlists;
pub mod plugins;
mod raw;
pub mod scrobbles;
mod sessions;
mod settings;
#[cfg(test)]
mod test_support;
pub mod user_services;
mod users;
mod wal;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::sqlite::{
    LockedSqliteHandle, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::SqlitePool;

pub use error::{Result, StoreError};
pub use library::AlbumArtRow;
pub use sessions::{NewSession, SessionRow};
pub use swingfly_model::RawTrack;
pub use users::{NewUser, UserRow, UserUpdate};
pub use wal::Checkpoint;

/// How long a statement waits for another connection's write lock before failing with "busy".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// WAL lets readers run beside the single writer; a few connections are plenty on a small server.
const MAX_CONNECTIONS: u32 = 4;

/// A handle on the ledger. Cheap to clone (it wraps a connection pool).
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    /// The database's write-ahead log file.
    wal: PathBuf,
    /// Keeps the WAL-size task (see `wal`) running while any clone of the store lives.
    _wal_guard: Arc<wal::WalGuard>,
}

impl Store {
    /// Opens (creating if needed, with its parent directory) the SQLite database at `path` and
    /// brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            // A bigger page cache (negative = KiB) makes loading and upserting 100k tracks cheaper.
            .pragma("cache_size", "-32768")
            .pragma("temp_store", "memory")
            // SQLite never shrinks the WAL file by itself; this trims it back whenever the log
            // restarts after a checkpoint (see `wal` for the rest of the WAL's upkeep).
            .pragma("journal_size_limit", wal::WAL_SIZE_LIMIT.to_string());
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        tracing::debug!(path = %path.display(), "ledger open");
        let wal = wal::wal_path(path);
        let _wal_guard = wal::spawn_guard(pool.clone(), wal.clone(), wal::CHECK_EVERY);
        Ok(Store {
            pool,
            wal,
            _wal_guard,
        })
    }

    /// Closes every connection (checkpointing the WAL). Further calls on this store fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Starts a write transaction that takes the write lock at once. A deferred `BEGIN` that reads
    /// first and writes later can fail with "database is locked" without waiting when another
    /// connection wrote in between; `BEGIN IMMEDIATE` waits for the lock under the busy timeout.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Runs a blocking bulk read (see `raw`) on a pooled connection's raw handle, on tokio's
    /// blocking pool so that the async worker threads stay free while it runs.
    async fn read_raw<T, F>(&self, read: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut LockedSqliteHandle<'_>) -> Result<T> + Send + 'static,
    {
        let mut conn = self.pool.acquire().await?;
        let runtime = tokio::runtime::Handle::current();
        let (conn, result) = tokio::task::spawn_blocking(move || {
            // The lock keeps sqlx's worker thread off the connection while we use it directly.
            let result = match runtime.block_on(conn.lock_handle()) {
                Ok(mut handle) => read(&mut handle),
                Err(error) => Err(error.into()),
            };
            (conn, result)
        })
        .await
        .map_err(|error| StoreError::TaskFailed(error.to_string()))?;
        // Returned to the pool from async context, where sqlx expects it.
        drop(conn);
        result
    }
}

/// The one row a writing `... RETURNING` statement gave. Such statements are read with
/// `fetch_all`, never `fetch_one`/`fetch_optional`: those stop stepping after the first row (sqlx
/// issues 2099 and 3430), while an autocommit write commits only when SQLite steps the statement
/// to its end, and a statement left part-way holds a snapshot that keeps checkpoints from
/// emptying the WAL. `fetch_all` runs the statement to the end before the caller goes on.
fn returned_row<T>(rows: Vec<T>) -> std::result::Result<T, sqlx::Error> {
    rows.into_iter().next().ok_or(sqlx::Error::RowNotFound)
}

/// The current time in unix seconds.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
