//! The SQL level of the external-metadata cache: JSON answers of external APIs by key, each with
//! the time it was fetched and the time it stops being trusted. Rows are a cache, not a ledger:
//! expired rows are ignored by [`Store::metadata_cache_get`] and deleted by the purge.

use crate::{unix_now, Result, Store, StoreError};

/// One cached answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataCacheEntry {
    /// JSON text, as it was put.
    pub value: String,
    /// Unix seconds.
    pub fetched_at: i64,
    /// Unix seconds; the entry is stale from this moment on.
    pub expires_at: i64,
}

impl MetadataCacheEntry {
    pub fn is_fresh(&self, now: i64) -> bool {
        now < self.expires_at
    }
}

impl Store {
    /// The entry under `key` if it has not expired.
    pub async fn metadata_cache_get(&self, key: &str) -> Result<Option<MetadataCacheEntry>> {
        Ok(self
            .metadata_cache_get_any(key)
            .await?
            .filter(|entry| entry.is_fresh(unix_now())))
    }

    /// The entry under `key`, expired or not (an expired entry still names what to refresh).
    pub async fn metadata_cache_get_any(&self, key: &str) -> Result<Option<MetadataCacheEntry>> {
        let row: Option<(String, i64, i64)> = sqlx::query_as(
            "SELECT value, fetched_at, expires_at FROM metadata_cache WHERE key = ?",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(
            row.map(|(value, fetched_at, expires_at)| MetadataCacheEntry {
                value,
                fetched_at,
                expires_at,
            }),
        )
    }

    /// Stores `value` (JSON text) under `key`, fetched now and trusted for `ttl_seconds`,
    /// replacing what was there.
    pub async fn metadata_cache_put(&self, key: &str, value: &str, ttl_seconds: i64) -> Result<()> {
        if key.is_empty() {
            return Err(StoreError::invalid(
                "metadata cache key",
                "the key is empty",
            ));
        }
        if ttl_seconds <= 0 {
            return Err(StoreError::invalid(
                "metadata cache lifetime",
                "the lifetime must be positive",
            ));
        }
        let now = unix_now();
        sqlx::query(
            "INSERT INTO metadata_cache (key, value, fetched_at, expires_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
             fetched_at = excluded.fetched_at, expires_at = excluded.expires_at",
        )
        .bind(key)
        .bind(value)
        .bind(now)
        .bind(now.saturating_add(ttl_seconds))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes the entry under `key` (whether or not it existed).
    pub async fn metadata_cache_delete(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM metadata_cache WHERE key = ?")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes every entry expired for `grace_seconds` or longer (an entry just expired is kept:
    /// it still names the item to refresh, and is served while the API cannot answer); returns
    /// how many.
    pub async fn metadata_cache_purge_expired(&self, grace_seconds: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM metadata_cache WHERE expires_at <= ?")
            .bind(unix_now().saturating_sub(grace_seconds.max(0)))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_expire_are_replaced_and_purged() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
        assert_eq!(store.metadata_cache_get("a").await.unwrap(), None);

        store
            .metadata_cache_put("a", "{\"x\":1}", 60)
            .await
            .unwrap();
        let entry = store.metadata_cache_get("a").await.unwrap().unwrap();
        assert_eq!(entry.value, "{\"x\":1}");
        assert_eq!(entry.expires_at - entry.fetched_at, 60);

        store.metadata_cache_put("a", "null", 120).await.unwrap();
        let entry = store.metadata_cache_get("a").await.unwrap().unwrap();
        assert_eq!(entry.value, "null");

        // An expired row is invisible to `get`, still readable by `get_any`, and purged.
        sqlx::query("UPDATE metadata_cache SET expires_at = ? WHERE key = 'a'")
            .bind(unix_now() - 1)
            .execute(&store.pool)
            .await
            .unwrap();
        store.metadata_cache_put("b", "1", 60).await.unwrap();
        assert_eq!(store.metadata_cache_get("a").await.unwrap(), None);
        assert!(store.metadata_cache_get_any("a").await.unwrap().is_some());
        assert_eq!(store.metadata_cache_purge_expired(3600).await.unwrap(), 0);
        assert_eq!(store.metadata_cache_purge_expired(0).await.unwrap(), 1);
        assert_eq!(store.metadata_cache_get_any("a").await.unwrap(), None);
        assert!(store.metadata_cache_get("b").await.unwrap().is_some());

        assert!(store.metadata_cache_put("", "1", 60).await.is_err());
        assert!(store.metadata_cache_put("c", "1", 0).await.is_err());
        store.metadata_cache_delete("b").await.unwrap();
        assert_eq!(store.metadata_cache_get("b").await.unwrap(), None);
    }
}
