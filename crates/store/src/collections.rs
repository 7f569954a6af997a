//! Collections (Swing's `page` table): a user's named, ordered lists of album and artist
//! references. Item changes read and write the list in one write transaction.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::{returned_row, unix_now, Result, Store, StoreError};

/// One reference in a collection: `{type: "album"|"artist", hash}` on the wire and in SQL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionItem {
    #[serde(rename = "type")]
    pub kind: String,
    pub hash: String,
}

/// A stored collection.
#[derive(Clone, Debug, PartialEq)]
pub struct CollectionRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub description: String,
    /// In the order they were added.
    pub items: Vec<CollectionItem>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(FromRow)]
struct StoredCollection {
    id: i64,
    user_id: i64,
    name: String,
    description: String,
    items: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<StoredCollection> for CollectionRow {
    type Error = StoreError;

    fn try_from(stored: StoredCollection) -> Result<CollectionRow> {
        let items = serde_json::from_str(&stored.items)
            .map_err(|error| StoreError::corrupt("collections.items", error))?;
        Ok(CollectionRow {
            id: stored.id,
            user_id: stored.user_id,
            name: stored.name,
            description: stored.description,
            items,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        })
    }
}

const COLLECTION_COLUMNS: &str = "id, user_id, name, description, items, created_at, updated_at";

fn items_json(items: &[CollectionItem]) -> Result<String> {
    serde_json::to_string(items).map_err(|error| StoreError::invalid("items", error.to_string()))
}

impl Store {
    /// The user's collections, oldest first.
    pub async fn collections(&self, user_id: i64) -> Result<Vec<CollectionRow>> {
        let sql =
            format!("SELECT {COLLECTION_COLUMNS} FROM collections WHERE user_id = ? ORDER BY id");
        let stored: Vec<StoredCollection> = sqlx::query_as(&sql)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        stored.into_iter().map(CollectionRow::try_from).collect()
    }

    /// One of the user's collections; `None` when missing or someone else's.
    pub async fn collection(&self, user_id: i64, id: i64) -> Result<Option<CollectionRow>> {
        let sql =
            format!("SELECT {COLLECTION_COLUMNS} FROM collections WHERE user_id = ? AND id = ?");
        let stored: Option<StoredCollection> = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        stored.map(CollectionRow::try_from).transpose()
    }

    pub async fn create_collection(
        &self,
        user_id: i64,
        name: &str,
        description: &str,
        items: &[CollectionItem],
    ) -> Result<CollectionRow> {
        let now = unix_now();
        let sql = format!(
            "INSERT INTO collections (user_id, name, description, items, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING {COLLECTION_COLUMNS}"
        );
        // `fetch_all` runs the insert to its end, which commits it (see `returned_row`).
        let stored: Vec<StoredCollection> = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(name)
            .bind(description)
            .bind(items_json(items)?)
            .bind(now)
            .bind(now)
            .fetch_all(&self.pool)
            .await?;
        returned_row(stored)?.try_into()
    }

    /// Renames and re-describes one of the user's collections; `None` when it does not exist.
    pub async fn update_collection(
        &self,
        user_id: i64,
        id: i64,
        name: &str,
        description: &str,
    ) -> Result<Option<CollectionRow>> {
        let sql = format!(
            "UPDATE collections SET name = ?, description = ?, updated_at = ? \
             WHERE user_id = ? AND id = ? RETURNING {COLLECTION_COLUMNS}"
        );
        // `fetch_all` runs the update to its end, which commits it (see `returned_row`).
        let stored: Vec<StoredCollection> = sqlx::query_as(&sql)
            .bind(name)
            .bind(description)
            .bind(unix_now())
            .bind(user_id)
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        stored
            .into_iter()
            .next()
            .map(CollectionRow::try_from)
            .transpose()
    }

    /// Reads the collection's items, lets `edit` change them and writes them back in one write
    /// transaction (only when they changed). `None` when the collection does not exist.
    pub async fn edit_collection_items<T>(
        &self,
        user_id: i64,
        id: i64,
        edit: impl FnOnce(&mut Vec<CollectionItem>) -> T,
    ) -> Result<Option<T>> {
        let mut tx = self.begin_write().await?;
        let sql =
            format!("SELECT {COLLECTION_COLUMNS} FROM collections WHERE user_id = ? AND id = ?");
        let stored: Option<StoredCollection> = sqlx::query_as(&sql)
            .bind(user_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(stored) = stored else {
            return Ok(None);
        };
        let row = CollectionRow::try_from(stored)?;
        let mut items = row.items.clone();
        let outcome = edit(&mut items);
        if items != row.items {
            sqlx::query("UPDATE collections SET items = ?, updated_at = ? WHERE id = ?")
                .bind(items_json(&items)?)
                .bind(unix_now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(outcome))
    }

    /// Deletes one of the user's collections; false when there was none.
    pub async fn delete_collection(&self, user_id: i64, id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM collections WHERE user_id = ? AND id = ?")
            .bind(user_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
