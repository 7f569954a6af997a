//! The play history: one row per logged play, per user. Play counts, durations, charts, home rows
//! and scrobbler deliveries are all derived from it.

use serde_json::Value;
use sqlx::FromRow;

use crate::{Result, Store, StoreError};

/// A play to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewScrobble {
    pub trackhash: String,
    /// Unix seconds, when the play happened.
    pub timestamp: i64,
    /// Seconds actually listened.
    pub duration: i64,
    /// Swing's source string: "al:<hash>", "pl:<id>", "" ...
    pub source: String,
    /// What the play was of at the time (filepath, title, artists, album), as JSON.
    pub extra: Value,
}

/// One stored play.
#[derive(Clone, Debug, PartialEq)]
pub struct ScrobbleRow {
    pub id: i64,
    pub user_id: i64,
    pub trackhash: String,
    pub timestamp: i64,
    pub duration: i64,
    pub source: String,
    pub extra: Value,
}

/// Where a newest-first walk of the history stopped: the last row seen. The next page holds the
/// rows strictly older (by timestamp, then id) than this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScrobbleCursor {
    pub timestamp: i64,
    pub id: i64,
}

impl From<&ScrobbleRow> for ScrobbleCursor {
    fn from(row: &ScrobbleRow) -> Self {
        ScrobbleCursor {
            timestamp: row.timestamp,
            id: row.id,
        }
    }
}

/// One user's plays of one trackhash, summed.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct TrackPlays {
    pub trackhash: String,
    pub count: i64,
    /// Seconds listened, summed.
    pub duration: i64,
    /// Unix seconds of the newest play.
    pub last_played: i64,
}

/// Plays in a time range, summed over every track.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlayTotals {
    pub count: i64,
    pub duration: i64,
}

#[derive(FromRow)]
struct StoredScrobble {
    id: i64,
    user_id: i64,
    trackhash: String,
    timestamp: i64,
    duration: i64,
    source: String,
    extra: String,
}

impl TryFrom<StoredScrobble> for ScrobbleRow {
    type Error = StoreError;

    fn try_from(stored: StoredScrobble) -> Result<ScrobbleRow> {
        let extra = serde_json::from_str(&stored.extra)
            .map_err(|error| StoreError::corrupt("scrobbles.extra", error))?;
        Ok(ScrobbleRow {
            id: stored.id,
            user_id: stored.user_id,
            trackhash: stored.trackhash,
            timestamp: stored.timestamp,
            duration: stored.duration,
            source: stored.source,
            extra,
        })
    }
}

const SCROBBLE_COLUMNS: &str = "id, user_id, trackhash, timestamp, duration, source, extra";

fn rows(stored: Vec<StoredScrobble>) -> Result<Vec<ScrobbleRow>> {
    stored.into_iter().map(ScrobbleRow::try_from).collect()
}

impl Store {
    /// Records a play (committed when this returns). Returns the new row's id, or None when the
    /// user already has a play of this track at this exact second (a repeat of the same log).
    pub async fn insert_scrobble(&self, user_id: i64, play: &NewScrobble) -> Result<Option<i64>> {
        let extra = serde_json::to_string(&play.extra)
            .map_err(|error| StoreError::invalid("extra", error.to_string()))?;
        // `execute` runs the statement to its end, which is what commits an autocommit write in
        // SQLite; sqlx issues 2099 and 3430 report `INSERT ... RETURNING` read through
        // `fetch_one`/`fetch_optional` answering before the commit, so no RETURNING here.
        let done = sqlx::query(
            "INSERT INTO scrobbles (user_id, trackhash, timestamp, duration, source, extra) \
             VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (user_id, trackhash, timestamp) DO NOTHING",
        )
        .bind(user_id)
        .bind(&play.trackhash)
        .bind(play.timestamp)
        .bind(play.duration)
        .bind(&play.source)
        .bind(extra)
        .execute(&self.pool)
        .await?;
        Ok((done.rows_affected() == 1).then(|| done.last_insert_rowid()))
    }

    /// A page of the user's plays, newest first (by timestamp, then id), strictly older than
    /// `before` when given. Walk the whole history by passing the last row of each page.
    pub async fn scrobbles_newest_first(
        &self,
        user_id: i64,
        before: Option<ScrobbleCursor>,
        limit: i64,
    ) -> Result<Vec<ScrobbleRow>> {
        let (timestamp, id) = before.map_or((i64::MAX, i64::MAX), |c| (c.timestamp, c.id));
        let sql = format!(
            "SELECT {SCROBBLE_COLUMNS} FROM scrobbles WHERE user_id = ? \
             AND (timestamp < ? OR (timestamp = ? AND id < ?)) \
             ORDER BY timestamp DESC, id DESC LIMIT ?"
        );
        let stored: Vec<StoredScrobble> = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(timestamp)
            .bind(timestamp)
            .bind(id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows(stored)
    }

    /// A page of the user's plays in the order they were recorded (by id), after row `after_id`
    /// (0 for the start). For delivering plays to external scrobblers.
    pub async fn scrobbles_after_id(
        &self,
        user_id: i64,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<ScrobbleRow>> {
        let sql = format!(
            "SELECT {SCROBBLE_COLUMNS} FROM scrobbles WHERE user_id = ? AND id > ? \
             ORDER BY id LIMIT ?"
        );
        let stored: Vec<StoredScrobble> = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(after_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows(stored)
    }

    /// How many plays the user has recorded.
    pub async fn scrobble_count(&self, user_id: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM scrobbles WHERE user_id = ?")
                .bind(user_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The time of the user's first play, if any.
    pub async fn first_scrobble_time(&self, user_id: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT MIN(timestamp) FROM scrobbles WHERE user_id = ?")
                .bind(user_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The user's plays summed per trackhash, over the whole history (to load play statistics).
    pub async fn play_aggregates(&self, user_id: i64) -> Result<Vec<TrackPlays>> {
        self.play_aggregates_between(user_id, i64::MIN, i64::MAX)
            .await
    }

    /// The user's plays with `from <= timestamp < to`, summed per trackhash (for charts).
    pub async fn play_aggregates_between(
        &self,
        user_id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<TrackPlays>> {
        Ok(sqlx::query_as(
            "SELECT trackhash, COUNT(*) AS count, SUM(duration) AS duration, \
             MAX(timestamp) AS last_played \
             FROM scrobbles WHERE user_id = ? AND timestamp >= ? AND timestamp < ? \
             GROUP BY trackhash",
        )
        .bind(user_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The user's plays with `from <= timestamp < to`, summed over every track.
    pub async fn play_totals_between(
        &self,
        user_id: i64,
        from: i64,
        to: i64,
    ) -> Result<PlayTotals> {
        let (count, duration): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(duration), 0) FROM scrobbles \
             WHERE user_id = ? AND timestamp >= ? AND timestamp < ?",
        )
        .bind(user_id)
        .bind(from)
        .bind(to)
        .fetch_one(&self.pool)
        .await?;
        Ok(PlayTotals { count, duration })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::store_with_two_users as store_with_users;

    fn play(trackhash: &str, timestamp: i64, duration: i64) -> NewScrobble {
        NewScrobble {
            trackhash: trackhash.into(),
            timestamp,
            duration,
            source: format!("al:{trackhash}"),
            extra: json!({"title": "t"}),
        }
    }

    #[tokio::test]
    async fn insert_ignores_an_exact_repeat_and_keeps_users_apart() {
        let (_dir, store, ann, bob) = store_with_users().await;
        let a = "aaaaaaaaaaaaaaaa";
        assert!(store
            .insert_scrobble(ann, &play(a, 100, 30))
            .await
            .unwrap()
            .is_some());
        assert!(store
            .insert_scrobble(ann, &play(a, 100, 30))
            .await
            .unwrap()
            .is_none());
        assert!(store
            .insert_scrobble(bob, &play(a, 100, 30))
            .await
            .unwrap()
            .is_some());
        assert_eq!(store.scrobble_count(ann).await.unwrap(), 1);
        assert_eq!(store.scrobble_count(bob).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_recorded_play_is_committed_and_leaves_the_wal_free() {
        let (dir, store, ann, _bob) = store_with_users().await;
        for at in 0..20 {
            store
                .insert_scrobble(ann, &play("aaaaaaaaaaaaaaaa", 1000 + at, 30))
                .await
                .unwrap();
        }
        // Another connection (another process, a crash and restart) sees every play at once.
        let other = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
        assert_eq!(other.scrobble_count(ann).await.unwrap(), 20);
        // No statement is left open on the writer's connections: a full checkpoint succeeds.
        let (busy, _log, _done): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&other.pool)
                .await
                .unwrap();
        assert_eq!(busy, 0, "a connection still holds the WAL");
    }

    #[tokio::test]
    async fn pages_newest_first_and_aggregates() {
        let (_dir, store, ann, bob) = store_with_users().await;
        let (a, b) = ("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb");
        for (hash, at, secs) in [(a, 100, 10), (b, 300, 20), (a, 200, 30), (b, 300 - 1, 40)] {
            store
                .insert_scrobble(ann, &play(hash, at, secs))
                .await
                .unwrap();
        }
        store.insert_scrobble(bob, &play(a, 500, 99)).await.unwrap();

        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.scrobbles_newest_first(ann, cursor, 3).await.unwrap();
            if page.is_empty() {
                break;
            }
            cursor = page.last().map(ScrobbleCursor::from);
            seen.extend(page.into_iter().map(|row| row.timestamp));
        }
        assert_eq!(seen, [300, 299, 200, 100]);

        let after: Vec<i64> = store
            .scrobbles_after_id(ann, 0, 10)
            .await
            .unwrap()
            .iter()
            .map(|row| row.timestamp)
            .collect();
        assert_eq!(after, [100, 300, 200, 299]);

        let mut all = store.play_aggregates(ann).await.unwrap();
        all.sort_by(|x, y| x.trackhash.cmp(&y.trackhash));
        assert_eq!(
            all,
            [
                TrackPlays {
                    trackhash: a.into(),
                    count: 2,
                    duration: 40,
                    last_played: 200
                },
                TrackPlays {
                    trackhash: b.into(),
                    count: 2,
                    duration: 60,
                    last_played: 300
                },
            ]
        );
        let window = store.play_aggregates_between(ann, 150, 300).await.unwrap();
        assert_eq!(window.len(), 2, "{window:?}");
        assert_eq!(
            store.play_totals_between(ann, 150, 300).await.unwrap(),
            PlayTotals {
                count: 2,
                duration: 70
            }
        );
        assert_eq!(
            store.play_totals_between(ann, 1000, 2000).await.unwrap(),
            PlayTotals::default()
        );
    }
}
