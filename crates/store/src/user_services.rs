//! Linked scrobbling services and their delivery cursors (table `user_services`).
//!
//! A linked service is one (user, service) row holding the user's credential (a Last.fm session key,
//! a ListenBrainz token) and `delivered_through`: the id of the newest `scrobbles` row already
//! handled for that service. Delivery walks `scrobbles` past the cursor and moves it only after the
//! service accepted a batch, so a crash resends at worst and never loses a play.

use sqlx::FromRow;

use crate::{returned_row, unix_now, Result, Store};

/// One linked service of one user.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct UserServiceRow {
    pub user_id: i64,
    /// "lastfm" or "listenbrainz".
    pub service: String,
    /// The Last.fm session key or the ListenBrainz user token.
    pub credential: String,
    /// The account's name on the service, when it told us.
    pub account_name: Option<String>,
    /// The newest `scrobbles.id` already handled (sent, or skipped as ineligible).
    pub delivered_through: i64,
    /// Consecutive failed delivery attempts.
    pub attempts: i64,
    /// Unix seconds before which no delivery is tried (backoff after failures).
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub linked_at: i64,
}

/// A play waiting to be delivered: one `scrobbles` row.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct PendingPlay {
    pub id: i64,
    pub trackhash: String,
    /// Unix seconds, when the play happened.
    pub timestamp: i64,
    /// Seconds actually listened.
    pub duration: i64,
    pub source: String,
    /// JSON `{filepath, title, artists, album, ...}` recorded at play time.
    pub extra: String,
}

const COLUMNS: &str = "user_id, service, credential, account_name, delivered_through, attempts, \
                       next_attempt_at, last_error, linked_at";

impl Store {
    /// Links (or re-links) a service for a user. The cursor starts at the user's newest play, so
    /// only plays logged after linking are delivered; a re-link also clears any failure state.
    pub async fn link_user_service(
        &self,
        user_id: i64,
        service: &str,
        credential: &str,
        account_name: Option<&str>,
    ) -> Result<UserServiceRow> {
        let mut tx = self.begin_write().await?;
        // `fetch_all` so that the statement is done before the commit (see `returned_row`).
        let rows = sqlx::query_as::<_, UserServiceRow>(&format!(
            "INSERT INTO user_services
                 (user_id, service, credential, account_name, delivered_through, attempts,
                  next_attempt_at, last_error, linked_at)
             VALUES (?1, ?2, ?3, ?4,
                     (SELECT COALESCE(MAX(id), 0) FROM scrobbles WHERE user_id = ?1),
                     0, 0, NULL, ?5)
             ON CONFLICT (user_id, service) DO UPDATE SET
                 credential = excluded.credential,
                 account_name = excluded.account_name,
                 delivered_through = excluded.delivered_through,
                 attempts = 0,
                 next_attempt_at = 0,
                 last_error = NULL,
                 linked_at = excluded.linked_at
             RETURNING {COLUMNS}"
        ))
        .bind(user_id)
        .bind(service)
        .bind(credential)
        .bind(account_name)
        .bind(unix_now())
        .fetch_all(&mut *tx)
        .await?;
        let row = returned_row(rows)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Removes a user's link to a service. Returns whether there was one.
    pub async fn unlink_user_service(&self, user_id: i64, service: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM user_services WHERE user_id = ? AND service = ?")
            .bind(user_id)
            .bind(service)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Removes a link only if it still holds `credential` (a delivery that found the credential
    /// revoked must not remove a newer link the user made meanwhile).
    pub async fn unlink_user_service_if(
        &self,
        user_id: i64,
        service: &str,
        credential: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM user_services WHERE user_id = ? AND service = ? AND credential = ?",
        )
        .bind(user_id)
        .bind(service)
        .bind(credential)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// One user's link to one service (None when not linked).
    pub async fn user_service(
        &self,
        user_id: i64,
        service: &str,
    ) -> Result<Option<UserServiceRow>> {
        Ok(sqlx::query_as::<_, UserServiceRow>(&format!(
            "SELECT {COLUMNS} FROM user_services WHERE user_id = ? AND service = ?"
        ))
        .bind(user_id)
        .bind(service)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Every link whose backoff has expired by `now` (unix seconds), oldest attempt first.
    pub async fn user_services_due(&self, now: i64) -> Result<Vec<UserServiceRow>> {
        Ok(sqlx::query_as::<_, UserServiceRow>(&format!(
            "SELECT {COLUMNS} FROM user_services WHERE next_attempt_at <= ?
             ORDER BY next_attempt_at, user_id, service"
        ))
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Up to `limit` of a user's plays with an id above `after_id`, oldest first.
    pub async fn plays_after(
        &self,
        user_id: i64,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<PendingPlay>> {
        Ok(sqlx::query_as::<_, PendingPlay>(
            "SELECT id, trackhash, timestamp, duration, source, extra FROM scrobbles
             WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?",
        )
        .bind(user_id)
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// How many of a user's plays lie past `after_id` (not yet handled by a service).
    pub async fn plays_after_count(&self, user_id: i64, after_id: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM scrobbles WHERE user_id = ? AND id > ?")
                .bind(user_id)
                .bind(after_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Moves the cursor to `through` after a service accepted the plays up to it, and clears the
    /// failure state. Only for the link that still holds `credential`, and never backwards.
    /// Returns whether the link was still there.
    pub async fn advance_user_service(
        &self,
        user_id: i64,
        service: &str,
        credential: &str,
        through: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE user_services SET delivered_through = MAX(delivered_through, ?),
                 attempts = 0, next_attempt_at = 0, last_error = NULL
             WHERE user_id = ? AND service = ? AND credential = ?",
        )
        .bind(through)
        .bind(user_id)
        .bind(service)
        .bind(credential)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Records a failed delivery: one more attempt, the next try not before `next_attempt_at`.
    /// Returns the attempts count now stored (0 when the link is gone).
    pub async fn record_user_service_failure(
        &self,
        user_id: i64,
        service: &str,
        credential: &str,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<i64> {
        // `fetch_all` runs the update to its end, which commits it (see `returned_row`).
        let attempts: Vec<i64> = sqlx::query_scalar(
            "UPDATE user_services SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
             WHERE user_id = ? AND service = ? AND credential = ?
             RETURNING attempts",
        )
        .bind(next_attempt_at)
        .bind(error)
        .bind(user_id)
        .bind(service)
        .bind(credential)
        .fetch_all(&self.pool)
        .await?;
        Ok(attempts.first().copied().unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store_with_user() -> (tempfile::TempDir, Store, i64) {
        let (dir, store, ids) = crate::test_support::store_with_users(&["ana"]).await;
        (dir, store, ids[0])
    }

    async fn insert_play(store: &Store, user_id: i64, timestamp: i64) -> i64 {
        sqlx::query(
            "INSERT INTO scrobbles (user_id, trackhash, timestamp, duration, source)
             VALUES (?, 'aaaaaaaaaaaaaaaa', ?, 200, '')",
        )
        .bind(user_id)
        .bind(timestamp)
        .execute(&store.pool)
        .await
        .unwrap()
        .last_insert_rowid()
    }

    #[tokio::test]
    async fn link_starts_after_existing_plays_and_cursor_only_moves_forward() {
        let (_dir, store, user) = store_with_user().await;
        let before = insert_play(&store, user, 100).await;
        let row = store
            .link_user_service(user, "lastfm", "key1", Some("ana_fm"))
            .await
            .unwrap();
        assert_eq!(row.delivered_through, before);
        assert!(store
            .plays_after(user, row.delivered_through, 10)
            .await
            .unwrap()
            .is_empty());

        let a = insert_play(&store, user, 200).await;
        let b = insert_play(&store, user, 300).await;
        let pending = store
            .plays_after(user, row.delivered_through, 10)
            .await
            .unwrap();
        assert_eq!(pending.iter().map(|p| p.id).collect::<Vec<_>>(), [a, b]);
        assert_eq!(
            store
                .plays_after_count(user, row.delivered_through)
                .await
                .unwrap(),
            2
        );

        assert_eq!(
            store
                .record_user_service_failure(user, "lastfm", "key1", 999, "offline")
                .await
                .unwrap(),
            1
        );
        assert!(store.user_services_due(998).await.unwrap().is_empty());
        assert_eq!(store.user_services_due(999).await.unwrap().len(), 1);

        // A stale credential moves nothing.
        assert!(!store
            .advance_user_service(user, "lastfm", "old", b)
            .await
            .unwrap());
        assert!(store
            .advance_user_service(user, "lastfm", "key1", b)
            .await
            .unwrap());
        assert!(store
            .advance_user_service(user, "lastfm", "key1", a)
            .await
            .unwrap());
        let row = store.user_service(user, "lastfm").await.unwrap().unwrap();
        assert_eq!(
            (row.delivered_through, row.attempts, row.last_error),
            (b, 0, None)
        );

        assert!(!store
            .unlink_user_service_if(user, "lastfm", "old")
            .await
            .unwrap());
        assert!(store.unlink_user_service(user, "lastfm").await.unwrap());
        assert!(store.user_service(user, "lastfm").await.unwrap().is_none());
        assert!(!store.unlink_user_service(user, "lastfm").await.unwrap());
    }
}
