//! Keeping the write-ahead log small.
//!
//! SQLite checkpoints the WAL on its own (passively, once it holds 1000 pages, about 4 MiB) and
//! starts writing it from the beginning again once a checkpoint has copied everything and no
//! reader still needs the old frames. Two things can still let the file grow:
//! - SQLite never shrinks the file by itself: after one busy spell it keeps its high-water size.
//!   `journal_size_limit` (set in `Store::open` to [`WAL_SIZE_LIMIT`]) trims it back whenever the
//!   log restarts.
//! - Under sustained concurrent load some reader may always hold an old snapshot when the passive
//!   checkpoint runs ("checkpoint starvation"), so the log never restarts. A background task looks
//!   at the file every [`CHECK_EVERY`] and, when it is over the limit, runs a TRUNCATE checkpoint,
//!   which waits (under the busy timeout) for the readers of old snapshots to finish and empties
//!   the file. Readers here are short, so that wait is brief; writers queue behind it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;

use crate::{Result, Store};

/// The size the WAL file is trimmed back to when it restarts (`journal_size_limit`), and past which
/// the background check forces a full checkpoint: twice what an auto-checkpoint lets it reach, so
/// the usual cycle reuses the file without truncating it each time.
pub(crate) const WAL_SIZE_LIMIT: u64 = 8 * 1024 * 1024;
/// How often the background task looks at the WAL's size (a `stat`, nothing more when it is
/// small). It bounds the WAL to what a starved log gathers in this time.
pub(crate) const CHECK_EVERY: Duration = Duration::from_secs(10);

/// What a full checkpoint did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// False when a connection still held an old snapshot past the busy timeout (nothing is lost;
    /// the next checkpoint finishes the job).
    pub complete: bool,
    /// Size of the WAL file before and after, in bytes.
    pub wal_bytes_before: u64,
    pub wal_bytes_after: u64,
}

/// The path of the WAL file that goes with the database at `database`.
pub(crate) fn wal_path(database: &Path) -> PathBuf {
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |meta| meta.len())
}

async fn truncate_checkpoint(pool: &SqlitePool, wal: &Path) -> Result<Checkpoint> {
    let wal_bytes_before = file_size(wal);
    // `fetch_all` runs the pragma to its end (see `returned_row`).
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_all(pool)
        .await?;
    let busy = rows.first().map_or(1, |row| row.0);
    Ok(Checkpoint {
        complete: busy == 0,
        wal_bytes_before,
        wal_bytes_after: file_size(wal),
    })
}

/// Stops the background task when the last clone of the `Store` goes away, so that it does not
/// keep the pool (and the database file) open.
#[derive(Debug)]
pub(crate) struct WalGuard(tokio::task::JoinHandle<()>);

impl Drop for WalGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the background task that forces a full checkpoint when the WAL is over the limit,
/// looking every `check_every`.
pub(crate) fn spawn_guard(pool: SqlitePool, wal: PathBuf, check_every: Duration) -> Arc<WalGuard> {
    let task = tokio::spawn(async move {
        let mut ticks = tokio::time::interval(check_every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if pool.is_closed() {
                break;
            }
            if file_size(&wal) <= WAL_SIZE_LIMIT {
                continue;
            }
            match truncate_checkpoint(&pool, &wal).await {
                Ok(done) => tracing::debug!(?done, "WAL over its limit: full checkpoint"),
                Err(error) => tracing::warn!(%error, "WAL checkpoint failed"),
            }
        }
    });
    Arc::new(WalGuard(task))
}

impl Store {
    /// Copies the whole WAL into the database and empties the file, waiting (under the busy
    /// timeout) for readers of older snapshots. The background task does this by itself when the
    /// WAL grows past its limit; this is for tests, backups and shutdown.
    pub async fn checkpoint_wal(&self) -> Result<Checkpoint> {
        truncate_checkpoint(&self.pool, &self.wal).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Connection;

    /// A reader holding an old snapshot keeps the log from restarting while writes pile up past
    /// the limit; once it is gone, the guard notices the big file and empties it.
    #[tokio::test]
    async fn the_guard_empties_a_starved_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let store = Store::open(&path).await.unwrap();
        sqlx::query("CREATE TABLE filler (data BLOB)")
            .execute(&store.pool)
            .await
            .unwrap();
        let mut reader = sqlx::SqliteConnection::connect(path.to_str().unwrap())
            .await
            .unwrap();
        sqlx::query("BEGIN").execute(&mut reader).await.unwrap();
        let _: Vec<i64> = sqlx::query_scalar("SELECT COUNT(*) FROM filler")
            .fetch_all(&mut reader)
            .await
            .unwrap();
        for _ in 0..12 {
            sqlx::query("INSERT INTO filler (data) VALUES (zeroblob(1000000))")
                .execute(&store.pool)
                .await
                .unwrap();
        }
        assert!(file_size(&store.wal) > WAL_SIZE_LIMIT);
        sqlx::query("COMMIT").execute(&mut reader).await.unwrap();
        reader.close().await.unwrap();

        let _guard = spawn_guard(
            store.pool.clone(),
            store.wal.clone(),
            Duration::from_millis(20),
        );
        for _ in 0..100 {
            if file_size(&store.wal) == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(file_size(&store.wal), 0);
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM filler")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(rows, 12);
    }
}
