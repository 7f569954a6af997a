//! Playlists: one row per playlist, per user, with the ordered track list as JSON. Every change
//! goes through [`Store::edit_playlist`], which reads, changes and writes the row in one write
//! transaction and bumps `version` and `last_updated` in the same statement, so the version
//! (the playlist's `ETag`) moves exactly when the stored playlist does.

use serde_json::Value;
use sqlx::FromRow;

use crate::error::is_unique_violation;
use crate::{returned_row, unix_now, Result, Store, StoreError};

/// A stored playlist.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaylistRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// File name under the playlist images folder.
    pub image: Option<String>,
    /// JSON object `{has_gif, banner_pos, square_img, pinned}`.
    pub settings: Value,
    /// Trackhashes in playlist order.
    pub trackhashes: Vec<String>,
    /// Grows by one on every change.
    pub version: i64,
    pub created_at: i64,
    /// Unix seconds of the last change.
    pub last_updated: i64,
    pub extra: Value,
}

/// A playlist to create.
#[derive(Clone, Debug, PartialEq)]
pub struct NewPlaylist {
    pub name: String,
    pub image: Option<String>,
    pub settings: Value,
    pub trackhashes: Vec<String>,
    pub extra: Value,
}

#[derive(FromRow)]
struct StoredPlaylist {
    id: i64,
    user_id: i64,
    name: String,
    image: Option<String>,
    settings: String,
    trackhashes: String,
    version: i64,
    created_at: i64,
    last_updated: i64,
    extra: String,
}

impl TryFrom<StoredPlaylist> for PlaylistRow {
    type Error = StoreError;

    fn try_from(stored: StoredPlaylist) -> Result<PlaylistRow> {
        let settings = serde_json::from_str(&stored.settings)
            .map_err(|error| StoreError::corrupt("playlists.settings", error))?;
        let trackhashes = serde_json::from_str(&stored.trackhashes)
            .map_err(|error| StoreError::corrupt("playlists.trackhashes", error))?;
        let extra = serde_json::from_str(&stored.extra)
            .map_err(|error| StoreError::corrupt("playlists.extra", error))?;
        Ok(PlaylistRow {
            id: stored.id,
            user_id: stored.user_id,
            name: stored.name,
            image: stored.image,
            settings,
            trackhashes,
            version: stored.version,
            created_at: stored.created_at,
            last_updated: stored.last_updated,
            extra,
        })
    }
}

const PLAYLIST_COLUMNS: &str =
    "id, user_id, name, image, settings, trackhashes, version, created_at, last_updated, extra";

fn to_json(field: &'static str, value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|error| StoreError::invalid(field, error.to_string()))
}

fn name_taken(error: sqlx::Error) -> StoreError {
    if is_unique_violation(&error) {
        StoreError::Conflict("playlist name".into())
    } else {
        error.into()
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(StoreError::invalid("playlist name", "the name is empty"));
    }
    Ok(())
}

impl Store {
    /// The user's playlists, most recently changed first.
    pub async fn playlists(&self, user_id: i64) -> Result<Vec<PlaylistRow>> {
        let sql = format!(
            "SELECT {PLAYLIST_COLUMNS} FROM playlists WHERE user_id = ? \
             ORDER BY last_updated DESC, id DESC"
        );
        let stored: Vec<StoredPlaylist> = sqlx::query_as(&sql)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        stored.into_iter().map(PlaylistRow::try_from).collect()
    }

    /// One of the user's playlists; `None` when it does not exist or belongs to someone else.
    pub async fn playlist(&self, user_id: i64, id: i64) -> Result<Option<PlaylistRow>> {
        let sql = format!("SELECT {PLAYLIST_COLUMNS} FROM playlists WHERE user_id = ? AND id = ?");
        let stored: Option<StoredPlaylist> = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        stored.map(PlaylistRow::try_from).transpose()
    }

    /// Creates a playlist at version 1. `Conflict` when the user has one of that name.
    pub async fn create_playlist(&self, user_id: i64, new: &NewPlaylist) -> Result<PlaylistRow> {
        check_name(&new.name)?;
        let now = unix_now();
        let sql = format!(
            "INSERT INTO playlists \
             (user_id, name, image, settings, trackhashes, version, created_at, last_updated, extra) \
             VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING {PLAYLIST_COLUMNS}"
        );
        // `fetch_all` runs the insert to its end, which commits it (see `returned_row`).
        let stored: Vec<StoredPlaylist> = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(&new.name)
            .bind(&new.image)
            .bind(to_json("settings", &new.settings)?)
            .bind(to_json("trackhashes", &new.trackhashes)?)
            .bind(now)
            .bind(now)
            .bind(to_json("extra", &new.extra)?)
            .fetch_all(&self.pool)
            .await
            .map_err(name_taken)?;
        returned_row(stored)?.try_into()
    }

    /// Reads one of the user's playlists, lets `edit` change it, and writes it back in the same
    /// write transaction, so concurrent edits never lose each other's changes. The row is written
    /// (with `version + 1` and `last_updated = now`) only when `edit` changed it. Returns `None`
    /// when the playlist does not exist for this user; otherwise what `edit` returned and the row
    /// as stored afterwards. A rename onto another playlist's name is a `Conflict`.
    pub async fn edit_playlist<T>(
        &self,
        user_id: i64,
        id: i64,
        edit: impl FnOnce(&mut PlaylistRow) -> T,
    ) -> Result<Option<(T, PlaylistRow)>> {
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {PLAYLIST_COLUMNS} FROM playlists WHERE user_id = ? AND id = ?");
        let stored: Option<StoredPlaylist> = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(stored) = stored else {
            return Ok(None);
        };
        let before = PlaylistRow::try_from(stored)?;
        let mut row = before.clone();
        let outcome = edit(&mut row);
        // The identity and the bookkeeping columns are the store's, whatever `edit` did.
        row.id = before.id;
        row.user_id = before.user_id;
        row.created_at = before.created_at;
        row.version = before.version;
        row.last_updated = before.last_updated;
        if row == before {
            tx.commit().await?;
            return Ok(Some((outcome, row)));
        }
        check_name(&row.name)?;
        let now = unix_now();
        let sql = format!(
            "UPDATE playlists SET name = ?, image = ?, settings = ?, trackhashes = ?, extra = ?, \
             version = version + 1, last_updated = ? \
             WHERE user_id = ? AND id = ? RETURNING {PLAYLIST_COLUMNS}"
        );
        // Inside the transaction too: the statement must be done before the commit.
        let stored: Vec<StoredPlaylist> = sqlx::query_as(&sql)
            .bind(&row.name)
            .bind(&row.image)
            .bind(to_json("settings", &row.settings)?)
            .bind(to_json("trackhashes", &row.trackhashes)?)
            .bind(to_json("extra", &row.extra)?)
            .bind(now)
            .bind(user_id)
            .bind(id)
            .fetch_all(&mut *tx)
            .await
            .map_err(name_taken)?;
        let stored = returned_row(stored)?;
        tx.commit().await?;
        Ok(Some((outcome, stored.try_into()?)))
    }

    /// Deletes one of the user's playlists and returns it; `None` when there was none.
    pub async fn delete_playlist(&self, user_id: i64, id: i64) -> Result<Option<PlaylistRow>> {
        let sql = format!(
            "DELETE FROM playlists WHERE user_id = ? AND id = ? RETURNING {PLAYLIST_COLUMNS}"
        );
        // `fetch_all` runs the delete to its end, which commits it (see `returned_row`).
        let stored: Vec<StoredPlaylist> = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        stored
            .into_iter()
            .next()
            .map(PlaylistRow::try_from)
            .transpose()
    }

    /// Every playlist image file name in use, over all users (to sweep files no row refers to).
    pub async fn playlist_image_names(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT image FROM playlists WHERE image IS NOT NULL")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The user's most recently played distinct trackhashes, newest first (the "recently played"
    /// playlist), from the play history.
    pub async fn recently_played_trackhashes(
        &self,
        user_id: i64,
        limit: i64,
    ) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT trackhash FROM scrobbles WHERE user_id = ? \
             GROUP BY trackhash ORDER BY MAX(timestamp) DESC, MAX(id) DESC LIMIT ?",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::store_with_two_users as store_with_users;

    fn new_playlist(name: &str) -> NewPlaylist {
        NewPlaylist {
            name: name.into(),
            image: None,
            settings: json!({"pinned": false}),
            trackhashes: vec![],
            extra: json!({}),
        }
    }

    #[tokio::test]
    async fn names_are_unique_per_user_and_rows_private() {
        let (_dir, store, ann, bob) = store_with_users().await;
        let first = store
            .create_playlist(ann, &new_playlist("Mix"))
            .await
            .unwrap();
        assert_eq!(first.version, 1);
        assert!(matches!(
            store.create_playlist(ann, &new_playlist("Mix")).await,
            Err(StoreError::Conflict(_))
        ));
        store
            .create_playlist(bob, &new_playlist("Mix"))
            .await
            .unwrap();
        assert!(store.playlist(bob, first.id).await.unwrap().is_none());
        assert!(store
            .edit_playlist(bob, first.id, |row| row.name = "x".into())
            .await
            .unwrap()
            .is_none());
        assert!(store
            .delete_playlist(bob, first.id)
            .await
            .unwrap()
            .is_none());
        assert_eq!(store.playlists(ann).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn edits_bump_the_version_only_when_something_changed() {
        let (_dir, store, ann, _) = store_with_users().await;
        let created = store
            .create_playlist(ann, &new_playlist("A"))
            .await
            .unwrap();
        store
            .create_playlist(ann, &new_playlist("B"))
            .await
            .unwrap();
        let (_, row) = store
            .edit_playlist(ann, created.id, |row| row.trackhashes.push("h1".into()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.version, 2);
        assert_eq!(row.trackhashes, vec!["h1".to_string()]);
        let (_, row) = store
            .edit_playlist(ann, created.id, |_| ())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.version, 2, "no change, no new version");
        let renamed = store
            .edit_playlist(ann, created.id, |row| row.name = "B".into())
            .await;
        assert!(matches!(renamed, Err(StoreError::Conflict(_))));
        let row = store.playlist(ann, created.id).await.unwrap().unwrap();
        assert_eq!((row.name.as_str(), row.version), ("A", 2));
    }
}
