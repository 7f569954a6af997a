//! Collections (reference §3.14, Swing's "pages"): a user's named lists of albums and artists.
//! Items are checked against the live index when added; a collection lists the cards of the items
//! the index still knows, newest first.

use serde::Serialize;
use serde_json::{json, Value};
use swingfly_library::Library;
use swingfly_model::{hash_hex, parse_hash};
use swingfly_store::collections::{CollectionItem, CollectionRow};

use crate::app::App;

#[derive(Debug, thiserror::Error)]
pub enum CollectionError {
    #[error("Collection not found")]
    NotFound,
    #[error("No items to add")]
    NoItems,
    #[error("Item already in collection")]
    AlreadyPresent,
    /// An unknown item type, a malformed hash or an item the index does not know, with why.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<swingfly_store::StoreError> for CollectionError {
    fn from(error: swingfly_store::StoreError) -> Self {
        CollectionError::Internal(error.into())
    }
}

pub type Result<T> = std::result::Result<T, CollectionError>;

/// A collection as `GET /collections` lists it.
#[derive(Debug, Serialize)]
pub struct CollectionSummary {
    pub extra: Value,
    pub id: i64,
    pub items: Vec<CollectionItem>,
    pub name: String,
    pub userid: i64,
}

/// `GET /collections/<id>`: cards of the items, newest first.
#[derive(Debug, Serialize)]
pub struct CollectionPage {
    pub extra: Value,
    pub id: i64,
    pub items: Vec<Value>,
    pub name: String,
}

/// `PUT /collections/<id>` echoes this.
#[derive(Debug, Serialize)]
pub struct CollectionInfo {
    pub extra: Value,
    pub id: i64,
    pub name: String,
}

fn extra(row: &CollectionRow) -> Value {
    json!({"description": row.description})
}

/// Checks an item against the index and spells its hash canonically (lowercase).
fn checked_item(library: &Library, item: &CollectionItem) -> Result<CollectionItem> {
    let hash = parse_hash(item.hash.trim()).ok_or_else(|| {
        CollectionError::Invalid(format!(
            "Invalid hash {:?}: expected 16 hex characters",
            item.hash
        ))
    })?;
    let known = match item.kind.as_str() {
        "album" => library.album(hash).is_some(),
        "artist" => library.artist(hash).is_some(),
        other => {
            return Err(CollectionError::Invalid(format!(
                "Unknown item type {other:?}: expected album or artist"
            )))
        }
    };
    if !known {
        return Err(CollectionError::Invalid(format!(
            "No {} with hash {}",
            item.kind,
            hash_hex(hash)
        )));
    }
    Ok(CollectionItem {
        kind: item.kind.clone(),
        hash: hash_hex(hash),
    })
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CollectionError::Invalid(
            "The collection name is empty".into(),
        ));
    }
    Ok(name.to_string())
}

/// `POST /collections`. Repeated items are kept once.
pub async fn create(
    app: &App,
    user_id: i64,
    name: &str,
    description: &str,
    items: &[CollectionItem],
) -> Result<CollectionRow> {
    let name = check_name(name)?;
    if items.is_empty() {
        return Err(CollectionError::NoItems);
    }
    let library = app.library();
    let mut checked: Vec<CollectionItem> = Vec::new();
    for item in items {
        let item = checked_item(&library, item)?;
        if !checked.contains(&item) {
            checked.push(item);
        }
    }
    Ok(app
        .store
        .create_collection(user_id, &name, description, &checked)
        .await?)
}

/// `GET /collections`.
pub async fn list(app: &App, user_id: i64) -> Result<Vec<CollectionSummary>> {
    let rows = app.store.collections(user_id).await?;
    Ok(rows
        .into_iter()
        .map(|row| CollectionSummary {
            extra: extra(&row),
            id: row.id,
            name: row.name,
            items: row.items,
            userid: row.user_id,
        })
        .collect())
}

/// `GET /collections/<id>`.
pub async fn page(app: &App, user_id: i64, id: i64) -> Result<CollectionPage> {
    let row = app
        .store
        .collection(user_id, id)
        .await?
        .ok_or(CollectionError::NotFound)?;
    let library = app.library();
    let items = row
        .items
        .iter()
        .rev()
        .filter_map(|item| card(&library, item))
        .collect();
    Ok(CollectionPage {
        extra: extra(&row),
        id: row.id,
        items,
        name: row.name,
    })
}

fn card(library: &Library, item: &CollectionItem) -> Option<Value> {
    let hash = parse_hash(&item.hash)?;
    match item.kind.as_str() {
        "album" => serde_json::to_value(library.album_card(library.album(hash)?)).ok(),
        "artist" => serde_json::to_value(library.artist_card(library.artist(hash)?)).ok(),
        _ => None,
    }
}

/// `PUT /collections/<id>`.
pub async fn update(
    app: &App,
    user_id: i64,
    id: i64,
    name: &str,
    description: &str,
) -> Result<CollectionInfo> {
    let name = check_name(name)?;
    let row = app
        .store
        .update_collection(user_id, id, &name, description)
        .await?
        .ok_or(CollectionError::NotFound)?;
    Ok(CollectionInfo {
        extra: extra(&row),
        id: row.id,
        name: row.name,
    })
}

/// `DELETE /collections/<id>`.
pub async fn delete(app: &App, user_id: i64, id: i64) -> Result<()> {
    if app.store.delete_collection(user_id, id).await? {
        Ok(())
    } else {
        Err(CollectionError::NotFound)
    }
}

/// `POST /collections/<id>/items`: appends an item; `AlreadyPresent` if it is there.
pub async fn add_item(app: &App, user_id: i64, id: i64, item: &CollectionItem) -> Result<()> {
    let item = checked_item(&app.library(), item)?;
    let added = app
        .store
        .edit_collection_items(user_id, id, |items| {
            if items.contains(&item) {
                false
            } else {
                items.push(item.clone());
                true
            }
        })
        .await?
        .ok_or(CollectionError::NotFound)?;
    if added {
        Ok(())
    } else {
        Err(CollectionError::AlreadyPresent)
    }
}

/// `DELETE /collections/<id>/items`: removes an item (removing an absent item changes nothing).
/// The item is not checked against the index, so items whose album or artist left the library can
/// still be removed.
pub async fn remove_item(app: &App, user_id: i64, id: i64, item: &CollectionItem) -> Result<()> {
    if !matches!(item.kind.as_str(), "album" | "artist") {
        return Err(CollectionError::Invalid(format!(
            "Unknown item type {:?}: expected album or artist",
            item.kind
        )));
    }
    let hash = item.hash.trim().to_ascii_lowercase();
    app.store
        .edit_collection_items(user_id, id, |items| {
            items.retain(|stored| !(stored.kind == item.kind && stored.hash == hash));
        })
        .await?
        .ok_or(CollectionError::NotFound)
}
