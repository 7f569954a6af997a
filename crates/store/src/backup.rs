//! Bulk export and import of each user's own rows (favourites, scrobbles, playlists, collections),
//! for backups and the Swing Music import. Rows name their owner by username, not by id, so a
//! backup restores onto another install (whose ids differ) by matching names.
//!
//! An import is one transaction and idempotent: a favourite is one (user, kind, hash), a scrobble
//! one (user, trackhash, timestamp), and a playlist or a collection whose name the user already has
//! is left alone. Running the same import twice adds nothing the second time.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{Row, Sqlite, Transaction};

use crate::users::fold_username;
use crate::{unix_now, NewUser, Result, Store, StoreError};

/// Every exported row of the chosen users, by table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserRecords {
    #[serde(default)]
    pub favorites: Vec<FavoriteRecord>,
    #[serde(default)]
    pub scrobbles: Vec<ScrobbleRecord>,
    #[serde(default)]
    pub playlists: Vec<PlaylistRecord>,
    #[serde(default)]
    pub collections: Vec<CollectionRecord>,
}

impl UserRecords {
    /// Appends another set of records (restoring several backups in one transaction).
    pub fn extend(&mut self, other: UserRecords) {
        self.favorites.extend(other.favorites);
        self.scrobbles.extend(other.scrobbles);
        self.playlists.extend(other.playlists);
        self.collections.extend(other.collections);
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FavoriteRecord {
    pub username: String,
    /// "track", "album" or "artist".
    #[serde(rename = "type")]
    pub kind: String,
    pub hash: String,
    /// Unix seconds.
    pub timestamp: i64,
    #[serde(default = "empty_object")]
    pub extra: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScrobbleRecord {
    pub username: String,
    pub trackhash: String,
    /// Unix seconds, when the play happened.
    pub timestamp: i64,
    /// Seconds listened.
    pub duration: i64,
    #[serde(default)]
    pub source: String,
    #[serde(default = "empty_object")]
    pub extra: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaylistRecord {
    pub username: String,
    pub name: String,
    /// File name under the playlist images folder.
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default = "empty_object")]
    pub settings: Value,
    #[serde(default)]
    pub trackhashes: Vec<String>,
    pub created_at: i64,
    pub last_updated: i64,
    #[serde(default = "empty_object")]
    pub extra: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CollectionRecord {
    pub username: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `[{type: "album"|"artist", hash}]`, in order.
    pub items: Value,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(default = "empty_object")]
    pub extra: Value,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

/// What an import did with the rows of one table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TableOutcome {
    pub added: u64,
    /// Already there (same identity or, for playlists and collections, same name for that user).
    pub already_present: u64,
    /// Owned by a username that has no account here.
    pub unknown_user: u64,
}

impl TableOutcome {
    fn count(&mut self, inserted: bool) {
        if inserted {
            self.added += 1;
        } else {
            self.already_present += 1;
        }
    }
}

/// What [`Store::import_user_records`] did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ImportOutcome {
    /// Users that did not exist and were created.
    pub users_created: Vec<String>,
    /// Users that existed already (they keep their password and roles).
    pub users_existing: Vec<String>,
    pub favorites: TableOutcome,
    pub scrobbles: TableOutcome,
    pub playlists: TableOutcome,
    pub collections: TableOutcome,
}

impl Store {
    /// Every favourite, scrobble, playlist and collection of one user (`Some(id)`) or of all users,
    /// each naming its owner, oldest first.
    pub async fn export_user_records(&self, user_id: Option<i64>) -> Result<UserRecords> {
        let mut conn = self.pool.acquire().await?;
        // `?1 IS NULL` selects every user.
        let owner = "(?1 IS NULL OR t.user_id = ?1)";
        let favorites = sqlx::query(&format!(
            "SELECT u.username, t.kind, t.hash, t.created_at, t.extra \
             FROM favorites t JOIN users u ON u.id = t.user_id WHERE {owner} ORDER BY t.id"
        ))
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| {
            Ok(FavoriteRecord {
                username: row.try_get(0)?,
                kind: row.try_get(1)?,
                hash: row.try_get(2)?,
                timestamp: row.try_get(3)?,
                extra: json_column(row.try_get(4)?, "favorites.extra")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let scrobbles = sqlx::query(&format!(
            "SELECT u.username, t.trackhash, t.timestamp, t.duration, t.source, t.extra \
             FROM scrobbles t JOIN users u ON u.id = t.user_id WHERE {owner} ORDER BY t.id"
        ))
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| {
            Ok(ScrobbleRecord {
                username: row.try_get(0)?,
                trackhash: row.try_get(1)?,
                timestamp: row.try_get(2)?,
                duration: row.try_get(3)?,
                source: row.try_get(4)?,
                extra: json_column(row.try_get(5)?, "scrobbles.extra")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let playlists = sqlx::query(&format!(
            "SELECT u.username, t.name, t.image, t.settings, t.trackhashes, t.created_at, \
             t.last_updated, t.extra \
             FROM playlists t JOIN users u ON u.id = t.user_id WHERE {owner} ORDER BY t.id"
        ))
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| {
            let trackhashes: String = row.try_get(4)?;
            Ok(PlaylistRecord {
                username: row.try_get(0)?,
                name: row.try_get(1)?,
                image: row.try_get(2)?,
                settings: json_column(row.try_get(3)?, "playlists.settings")?,
                trackhashes: serde_json::from_str(&trackhashes)
                    .map_err(|error| StoreError::corrupt("playlists.trackhashes", error))?,
                created_at: row.try_get(5)?,
                last_updated: row.try_get(6)?,
                extra: json_column(row.try_get(7)?, "playlists.extra")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let collections = sqlx::query(&format!(
            "SELECT u.username, t.name, t.description, t.items, t.created_at, t.updated_at, \
             t.extra \
             FROM collections t JOIN users u ON u.id = t.user_id WHERE {owner} ORDER BY t.id"
        ))
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| {
            Ok(CollectionRecord {
                username: row.try_get(0)?,
                name: row.try_get(1)?,
                description: row.try_get(2)?,
                items: json_column(row.try_get(3)?, "collections.items")?,
                created_at: row.try_get(4)?,
                updated_at: row.try_get(5)?,
                extra: json_column(row.try_get(6)?, "collections.extra")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(UserRecords {
            favorites,
            scrobbles,
            playlists,
            collections,
        })
    }

    /// Creates the `users` that do not exist yet (by username, case-insensitively; existing users
    /// are left as they are), then inserts `records` for users that exist, skipping rows already
    /// present. One transaction: all of it lands or none of it.
    pub async fn import_user_records(
        &self,
        users: &[NewUser],
        records: &UserRecords,
    ) -> Result<ImportOutcome> {
        let mut tx = self.begin_write().await?;
        let mut outcome = ImportOutcome::default();
        for user in users {
            if create_user_if_missing(&mut tx, user).await? {
                outcome.users_created.push(user.username.clone());
            } else {
                outcome.users_existing.push(user.username.clone());
            }
        }
        let user_ids = user_ids_by_folded_name(&mut tx).await?;
        let owner = |username: &str| user_ids.get(&fold_username(username)).copied();

        for favorite in &records.favorites {
            let Some(user_id) = owner(&favorite.username) else {
                outcome.favorites.unknown_user += 1;
                continue;
            };
            let inserted = sqlx::query(
                "INSERT INTO favorites (user_id, kind, hash, created_at, extra) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(user_id)
            .bind(&favorite.kind)
            .bind(&favorite.hash)
            .bind(favorite.timestamp)
            .bind(favorite.extra.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;
            outcome.favorites.count(inserted);
        }

        for scrobble in &records.scrobbles {
            let Some(user_id) = owner(&scrobble.username) else {
                outcome.scrobbles.unknown_user += 1;
                continue;
            };
            let inserted = sqlx::query(
                "INSERT INTO scrobbles (user_id, trackhash, timestamp, duration, source, extra) \
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(user_id)
            .bind(&scrobble.trackhash)
            .bind(scrobble.timestamp)
            .bind(scrobble.duration)
            .bind(&scrobble.source)
            .bind(scrobble.extra.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;
            outcome.scrobbles.count(inserted);
        }

        for playlist in &records.playlists {
            let Some(user_id) = owner(&playlist.username) else {
                outcome.playlists.unknown_user += 1;
                continue;
            };
            let trackhashes = serde_json::to_string(&playlist.trackhashes)
                .map_err(|error| StoreError::invalid("trackhashes", error.to_string()))?;
            // A restored playlist starts a new edit history here: version 1.
            let inserted = sqlx::query(
                "INSERT INTO playlists \
                 (user_id, name, image, settings, trackhashes, version, created_at, last_updated, extra) \
                 VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT DO NOTHING",
            )
            .bind(user_id)
            .bind(&playlist.name)
            .bind(&playlist.image)
            .bind(playlist.settings.to_string())
            .bind(trackhashes)
            .bind(playlist.created_at)
            .bind(playlist.last_updated)
            .bind(playlist.extra.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected()
                > 0;
            outcome.playlists.count(inserted);
        }

        for collection in &records.collections {
            let Some(user_id) = owner(&collection.username) else {
                outcome.collections.unknown_user += 1;
                continue;
            };
            // Collection names are not unique in the schema (Swing allows two of one name), so the
            // name check that keeps imports idempotent happens here.
            let exists = sqlx::query("SELECT 1 FROM collections WHERE user_id = ? AND name = ?")
                .bind(user_id)
                .bind(&collection.name)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            if !exists {
                sqlx::query(
                    "INSERT INTO collections \
                     (user_id, name, description, items, created_at, updated_at, extra) \
                     VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(user_id)
                .bind(&collection.name)
                .bind(&collection.description)
                .bind(collection.items.to_string())
                .bind(collection.created_at)
                .bind(collection.updated_at)
                .bind(collection.extra.to_string())
                .execute(&mut *tx)
                .await?;
            }
            outcome.collections.count(!exists);
        }

        tx.commit().await?;
        Ok(outcome)
    }
}

/// Creates `user` unless a user of that name (case-insensitively) exists. Returns whether it did.
async fn create_user_if_missing(
    tx: &mut Transaction<'static, Sqlite>,
    user: &NewUser,
) -> Result<bool> {
    if user.username.trim().is_empty() {
        return Err(StoreError::invalid("username", "the username is empty"));
    }
    let roles = serde_json::to_string(&user.roles)
        .map_err(|error| StoreError::invalid("roles", error.to_string()))?;
    let created = sqlx::query(
        "INSERT INTO users (username, username_folded, password_hash, roles, extra, created_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(&user.username)
    .bind(fold_username(&user.username))
    .bind(&user.password_hash)
    .bind(roles)
    .bind(user.extra.to_string())
    .bind(unix_now())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        > 0;
    Ok(created)
}

async fn user_ids_by_folded_name(
    tx: &mut Transaction<'static, Sqlite>,
) -> Result<HashMap<String, i64>> {
    let rows = sqlx::query("SELECT username_folded, id FROM users")
        .fetch_all(&mut **tx)
        .await?;
    rows.into_iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect()
}

fn json_column(text: String, field: &'static str) -> Result<Value> {
    serde_json::from_str(&text).map_err(|error| StoreError::corrupt(field, error))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    async fn store_with_users(dir: &tempfile::TempDir, names: &[&str]) -> Store {
        let store = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
        for name in names {
            store
                .create_user(&NewUser {
                    username: (*name).into(),
                    password_hash: "x".into(),
                    roles: vec![],
                    extra: json!({}),
                })
                .await
                .unwrap();
        }
        store
    }

    fn sample(username: &str) -> UserRecords {
        UserRecords {
            favorites: vec![FavoriteRecord {
                username: username.into(),
                kind: "album".into(),
                hash: "0123456789abcdef".into(),
                timestamp: 100,
                extra: json!({"title": "A"}),
            }],
            scrobbles: vec![ScrobbleRecord {
                username: username.into(),
                trackhash: "fedcba9876543210".into(),
                timestamp: 200,
                duration: 30,
                source: "al:0123456789abcdef".into(),
                extra: json!({}),
            }],
            playlists: vec![PlaylistRecord {
                username: username.into(),
                name: "Road".into(),
                image: Some("1abcde.webp".into()),
                settings: json!({"pinned": true}),
                trackhashes: vec!["fedcba9876543210".into()],
                created_at: 5,
                last_updated: 6,
                extra: json!({}),
            }],
            collections: vec![CollectionRecord {
                username: username.into(),
                name: "Best".into(),
                description: "d".into(),
                items: json!([{"type": "album", "hash": "0123456789abcdef"}]),
                created_at: 7,
                updated_at: 8,
                extra: json!({}),
            }],
        }
    }

    #[tokio::test]
    async fn export_then_import_round_trips_and_repeats_add_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_users(&dir, &["ann", "bob"]).await;
        let first = store
            .import_user_records(&[], &sample("Ann"))
            .await
            .unwrap();
        assert_eq!(first.favorites.added, 1);
        assert_eq!(first.collections.added, 1);
        let again = store
            .import_user_records(&[], &sample("ann"))
            .await
            .unwrap();
        for table in [
            again.favorites,
            again.scrobbles,
            again.playlists,
            again.collections,
        ] {
            assert_eq!((table.added, table.already_present), (0, 1));
        }

        let ann = store.user_by_name("ann").await.unwrap().unwrap();
        let exported = store.export_user_records(Some(ann.id)).await.unwrap();
        assert_eq!(exported, sample("ann"));
        let bob = store.user_by_name("bob").await.unwrap().unwrap();
        assert_eq!(
            store.export_user_records(Some(bob.id)).await.unwrap(),
            UserRecords::default()
        );
        assert_eq!(
            store.export_user_records(None).await.unwrap(),
            sample("ann")
        );
    }

    #[tokio::test]
    async fn unknown_owners_are_skipped_and_new_users_are_created_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_users(&dir, &["ann"]).await;
        let skipped = store
            .import_user_records(&[], &sample("carol"))
            .await
            .unwrap();
        assert_eq!(skipped.scrobbles.unknown_user, 1);
        assert_eq!(
            store.export_user_records(None).await.unwrap(),
            UserRecords::default()
        );

        let carol = NewUser {
            username: "carol".into(),
            password_hash: "h".into(),
            roles: vec![],
            extra: json!({}),
        };
        let ann_again = NewUser {
            username: "ANN".into(),
            password_hash: "other".into(),
            ..carol.clone()
        };
        let outcome = store
            .import_user_records(&[carol.clone(), ann_again], &sample("carol"))
            .await
            .unwrap();
        assert_eq!(outcome.users_created, vec!["carol".to_string()]);
        assert_eq!(outcome.users_existing, vec!["ANN".to_string()]);
        assert_eq!(outcome.playlists.added, 1);
        let ann = store.user_by_name("ann").await.unwrap().unwrap();
        assert_eq!(
            ann.password_hash, "x",
            "an existing user keeps their password"
        );
        let again = store
            .import_user_records(&[carol], &sample("carol"))
            .await
            .unwrap();
        assert!(again.users_created.is_empty());
        assert_eq!(again.playlists.added, 0);
    }
}
