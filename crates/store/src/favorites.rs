//! Favourites per user: one row per (user, kind, hash). Adding and removing are idempotent (Swing's
//! table made the hash unique across all users and toggled in memory; here a repeated add keeps the
//! favourite and a repeated remove is a no-op).

use serde_json::Value;
use sqlx::FromRow;

use crate::{unix_now, Result, Store, StoreError};

/// What a favourite points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FavoriteKind {
    Track,
    Album,
    Artist,
}

impl FavoriteKind {
    pub const ALL: [FavoriteKind; 3] = [
        FavoriteKind::Track,
        FavoriteKind::Album,
        FavoriteKind::Artist,
    ];

    /// The stored (and wire) spelling: "track", "album", "artist".
    pub fn as_str(self) -> &'static str {
        match self {
            FavoriteKind::Track => "track",
            FavoriteKind::Album => "album",
            FavoriteKind::Artist => "artist",
        }
    }

    pub fn parse(text: &str) -> Option<FavoriteKind> {
        match text {
            "track" => Some(FavoriteKind::Track),
            "album" => Some(FavoriteKind::Album),
            "artist" => Some(FavoriteKind::Artist),
            _ => None,
        }
    }
}

/// One stored favourite.
#[derive(Clone, Debug, PartialEq)]
pub struct FavoriteRow {
    pub id: i64,
    pub user_id: i64,
    pub kind: FavoriteKind,
    /// 16 hex characters, as on the wire.
    pub hash: String,
    /// Unix seconds.
    pub created_at: i64,
    /// What identifies the item if its hash changes (title, artists), as JSON.
    pub extra: Value,
}

/// How many favourites of each kind a user has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FavoriteCounts {
    pub tracks: i64,
    pub albums: i64,
    pub artists: i64,
}

#[derive(FromRow)]
struct StoredFavorite {
    id: i64,
    user_id: i64,
    kind: String,
    hash: String,
    created_at: i64,
    extra: String,
}

impl TryFrom<StoredFavorite> for FavoriteRow {
    type Error = StoreError;

    fn try_from(stored: StoredFavorite) -> Result<FavoriteRow> {
        let kind = FavoriteKind::parse(&stored.kind)
            .ok_or_else(|| StoreError::corrupt("favorites.kind", &stored.kind))?;
        let extra = serde_json::from_str(&stored.extra)
            .map_err(|error| StoreError::corrupt("favorites.extra", error))?;
        Ok(FavoriteRow {
            id: stored.id,
            user_id: stored.user_id,
            kind,
            hash: stored.hash,
            created_at: stored.created_at,
            extra,
        })
    }
}

const FAVORITE_COLUMNS: &str = "id, user_id, kind, hash, created_at, extra";

impl Store {
    /// Marks an item as one of the user's favourites, now. Returns false when it already was one
    /// (the row, and its original time, stay as they were).
    pub async fn add_favorite(
        &self,
        user_id: i64,
        kind: FavoriteKind,
        hash: &str,
        extra: &Value,
    ) -> Result<bool> {
        self.add_favorite_at(user_id, kind, hash, extra, unix_now())
            .await
    }

    /// [`Store::add_favorite`] with an explicit time (imports, restores, tests).
    pub async fn add_favorite_at(
        &self,
        user_id: i64,
        kind: FavoriteKind,
        hash: &str,
        extra: &Value,
        created_at: i64,
    ) -> Result<bool> {
        let extra = serde_json::to_string(extra)
            .map_err(|error| StoreError::invalid("extra", error.to_string()))?;
        let done = sqlx::query(
            "INSERT OR IGNORE INTO favorites (user_id, kind, hash, created_at, extra) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(user_id)
        .bind(kind.as_str())
        .bind(hash)
        .bind(created_at)
        .bind(extra)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a favourite. Returns false when it was not one.
    pub async fn remove_favorite(
        &self,
        user_id: i64,
        kind: FavoriteKind,
        hash: &str,
    ) -> Result<bool> {
        let done = sqlx::query("DELETE FROM favorites WHERE user_id = ? AND kind = ? AND hash = ?")
            .bind(user_id)
            .bind(kind.as_str())
            .bind(hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn is_favorite(&self, user_id: i64, kind: FavoriteKind, hash: &str) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM favorites WHERE user_id = ? AND kind = ? AND hash = ?",
        )
        .bind(user_id)
        .bind(kind.as_str())
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// A user's favourites, newest first (ties: the later added first); `kind` None means all kinds.
    pub async fn favorites_newest_first(
        &self,
        user_id: i64,
        kind: Option<FavoriteKind>,
    ) -> Result<Vec<FavoriteRow>> {
        let sql = format!(
            "SELECT {FAVORITE_COLUMNS} FROM favorites WHERE user_id = ? AND (? IS NULL OR kind = ?) \
             ORDER BY created_at DESC, id DESC"
        );
        let kind = kind.map(FavoriteKind::as_str);
        let stored: Vec<StoredFavorite> = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(kind)
            .bind(kind)
            .fetch_all(&self.pool)
            .await?;
        stored.into_iter().map(FavoriteRow::try_from).collect()
    }

    /// How many favourites of each kind the user has in the ledger.
    pub async fn favorite_counts(&self, user_id: i64) -> Result<FavoriteCounts> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT kind, COUNT(*) FROM favorites WHERE user_id = ? GROUP BY kind")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
        let mut counts = FavoriteCounts::default();
        for (kind, count) in rows {
            match FavoriteKind::parse(&kind) {
                Some(FavoriteKind::Track) => counts.tracks = count,
                Some(FavoriteKind::Album) => counts.albums = count,
                Some(FavoriteKind::Artist) => counts.artists = count,
                None => {}
            }
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::store_with_two_users as store_with_users;

    #[tokio::test]
    async fn add_and_remove_are_idempotent_and_per_user() {
        let (_dir, store, ann, bob) = store_with_users().await;
        let hash = "0123456789abcdef";
        let extra = json!({"title": "x"});
        assert!(store
            .add_favorite_at(ann, FavoriteKind::Album, hash, &extra, 10)
            .await
            .unwrap());
        assert!(!store
            .add_favorite_at(ann, FavoriteKind::Album, hash, &extra, 20)
            .await
            .unwrap());
        assert!(store
            .add_favorite(bob, FavoriteKind::Album, hash, &extra)
            .await
            .unwrap());
        assert!(store
            .is_favorite(ann, FavoriteKind::Album, hash)
            .await
            .unwrap());
        assert!(!store
            .is_favorite(ann, FavoriteKind::Track, hash)
            .await
            .unwrap());

        let rows = store.favorites_newest_first(ann, None).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].created_at, 10,
            "a repeated add keeps the first time"
        );
        assert_eq!(rows[0].extra, extra);

        assert!(store
            .remove_favorite(ann, FavoriteKind::Album, hash)
            .await
            .unwrap());
        assert!(!store
            .remove_favorite(ann, FavoriteKind::Album, hash)
            .await
            .unwrap());
        assert!(store
            .is_favorite(bob, FavoriteKind::Album, hash)
            .await
            .unwrap());
        assert_eq!(
            store.favorite_counts(ann).await.unwrap(),
            FavoriteCounts::default()
        );
    }

    #[tokio::test]
    async fn lists_newest_first_and_counts_by_kind() {
        let (_dir, store, ann, _bob) = store_with_users().await;
        let extra = json!({});
        for (kind, hash, at) in [
            (FavoriteKind::Track, "aaaaaaaaaaaaaaaa", 5),
            (FavoriteKind::Track, "bbbbbbbbbbbbbbbb", 7),
            (FavoriteKind::Artist, "cccccccccccccccc", 6),
        ] {
            store
                .add_favorite_at(ann, kind, hash, &extra, at)
                .await
                .unwrap();
        }
        let all: Vec<String> = store
            .favorites_newest_first(ann, None)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.hash)
            .collect();
        assert_eq!(
            all,
            ["bbbbbbbbbbbbbbbb", "cccccccccccccccc", "aaaaaaaaaaaaaaaa"]
        );
        let tracks = store
            .favorites_newest_first(ann, Some(FavoriteKind::Track))
            .await
            .unwrap();
        assert_eq!(tracks.len(), 2);
        assert_eq!(
            store.favorite_counts(ann).await.unwrap(),
            FavoriteCounts {
                tracks: 2,
                albums: 0,
                artists: 1
            }
        );
    }
}
