//! Reads behind the home rows and the mixes: every user's plays in id order (the home service keeps
//! them in memory and catches up with what was recorded since), a user's collections and the
//! playlist and favourite tiles that recently-played entries point at.

use serde::Deserialize;

use crate::raw::RawQuery;
use crate::{Result, Store, StoreError};

/// One stored play, as the home service keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlayRow {
    pub id: i64,
    pub user_id: i64,
    pub trackhash: String,
    /// Unix seconds.
    pub timestamp: i64,
    /// Seconds listened.
    pub duration: i64,
    pub source: String,
}

/// One item of a collection: `{type: "album" | "artist", hash}`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct HomeCollectionItem {
    #[serde(rename = "type")]
    pub kind: String,
    pub hash: String,
}

/// A collection as the home page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HomeCollection {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// In the order they were added.
    pub items: Vec<HomeCollectionItem>,
}

/// The fields of a playlist that a recently-played tile shows.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PlaylistTile {
    pub id: i64,
    pub name: String,
    pub image: Option<String>,
    /// JSON `{has_gif, banner_pos, square_img, pinned}`.
    pub settings: String,
    /// JSON list of trackhashes.
    pub trackhashes: String,
    /// Unix seconds.
    pub last_updated: i64,
}

impl Store {
    /// Every user's plays recorded after row `after_id`, in id order. Reads the raw statement: the
    /// first call loads whole histories (100k rows), where sqlx's row decoding is several times
    /// slower.
    pub async fn all_plays_after(&self, after_id: i64) -> Result<Vec<PlayRow>> {
        self.read_raw(move |handle| {
            let sql = format!(
                "SELECT id, user_id, trackhash, timestamp, duration, source FROM scrobbles \
                 WHERE id > {after_id} ORDER BY id"
            );
            let mut query = RawQuery::prepare(handle, &sql)?;
            let mut plays = Vec::new();
            while let Some(row) = query.next_row()? {
                plays.push(PlayRow {
                    id: row.required_int(0, "scrobbles.id")?,
                    user_id: row.required_int(1, "scrobbles.user_id")?,
                    trackhash: row.required_text(2, "scrobbles.trackhash")?,
                    timestamp: row.required_int(3, "scrobbles.timestamp")?,
                    duration: row.required_int(4, "scrobbles.duration")?,
                    source: row.required_text(5, "scrobbles.source")?,
                });
            }
            Ok(plays)
        })
        .await
    }

    /// The highest play id (0 when there is none). A value below one already seen means plays
    /// were deleted (a user removed), and kept copies must be reloaded.
    pub async fn newest_play_id(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM scrobbles")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The user's collections in creation order, with their item lists.
    pub async fn home_collections(&self, user_id: i64) -> Result<Vec<HomeCollection>> {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT id, name, description, items FROM collections WHERE user_id = ? ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, name, description, items)| {
                let items = serde_json::from_str(&items)
                    .map_err(|error| StoreError::corrupt("collections.items", error))?;
                Ok(HomeCollection {
                    id,
                    name,
                    description,
                    items,
                })
            })
            .collect()
    }

    /// One of the user's playlists, for a recently-played tile (None if it is gone or not theirs).
    pub async fn playlist_tile(&self, user_id: i64, id: i64) -> Result<Option<PlaylistTile>> {
        Ok(sqlx::query_as(
            "SELECT id, name, image, settings, trackhashes, last_updated FROM playlists \
             WHERE user_id = ? AND id = ?",
        )
        .bind(user_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// How many favourites (of every kind) the user has, for the favourites tile.
    pub async fn favorite_total(&self, user_id: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM favorites WHERE user_id = ?")
                .bind(user_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

impl Store {
    /// Records many plays of one user in one transaction (an import, a benchmark's history);
    /// repeats of a (track, second) the user already has are skipped. Returns how many were new.
    pub async fn insert_plays(
        &self,
        user_id: i64,
        plays: &[crate::scrobbles::NewScrobble],
    ) -> Result<u64> {
        let mut transaction = self.begin_write().await?;
        let mut added = 0;
        for play in plays {
            let extra = serde_json::to_string(&play.extra)
                .map_err(|error| StoreError::invalid("extra", error.to_string()))?;
            added += sqlx::query(
                "INSERT INTO scrobbles (user_id, trackhash, timestamp, duration, source, extra) \
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, trackhash, timestamp) DO NOTHING",
            )
            .bind(user_id)
            .bind(&play.trackhash)
            .bind(play.timestamp)
            .bind(play.duration)
            .bind(&play.source)
            .bind(extra)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        }
        transaction.commit().await?;
        Ok(added)
    }
}

impl Store {
    /// A short text that changes whenever the user's playlists, collections or saved mixes change
    /// (counts, versions, newest ids and times), so a cached home page can be keyed by it instead
    /// of every edit path having to invalidate it. Three indexed aggregate reads.
    pub async fn home_signature(&self, user_id: i64) -> Result<String> {
        let (playlists, collections, mixes): (String, String, String) = sqlx::query_as(
            "SELECT
               (SELECT COUNT(*) || '.' || COALESCE(SUM(version), 0) || '.' || COALESCE(MAX(id), 0)
                  FROM playlists WHERE user_id = ?1),
               (SELECT COUNT(*) || '.' || COALESCE(MAX(updated_at), 0) || '.' || COALESCE(MAX(id), 0)
                  FROM collections WHERE user_id = ?1),
               (SELECT COUNT(*) || '.' || COALESCE(MAX(saved_at), 0)
                  FROM saved_mixes WHERE user_id = ?1)",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(format!("p{playlists}c{collections}m{mixes}"))
    }
}
