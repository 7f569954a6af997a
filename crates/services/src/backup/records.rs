//! Checks on rows coming from outside the ledger (a backup's `data.json`, Swing's database) before
//! they are imported: kinds and hashes must be Swing's, names present, image names plain file
//! names. A row that fails is skipped with a reason; a bad entry inside a playlist or a collection
//! is dropped from it.

use serde::Serialize;
use serde_json::Value;
use swingfly_model::parse_hash;
use swingfly_store::backup::UserRecords;
use swingfly_store::backup::{CollectionRecord, FavoriteRecord, PlaylistRecord, ScrobbleRecord};

/// The kinds of item a favourite can be.
pub const FAVORITE_KINDS: &[&str] = &["track", "album", "artist"];
/// The kinds of item a collection holds.
pub const COLLECTION_ITEM_KINDS: &[&str] = &["album", "artist"];

/// A row that was not imported, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedRow {
    /// "user", "favorite", "scrobble", "playlist", "collection", "root dir" ...
    pub kind: &'static str,
    /// What the row was (a name, a hash).
    pub item: String,
    pub reason: String,
}

impl SkippedRow {
    pub fn new(kind: &'static str, item: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            kind,
            item: item.into(),
            reason: reason.into(),
        }
    }
}

/// Keeps the rows that can be imported and lists the others.
pub fn sanitize(records: UserRecords) -> (UserRecords, Vec<SkippedRow>) {
    let mut skipped = Vec::new();
    let favorites = records
        .favorites
        .into_iter()
        .filter_map(|row| keep(check_favorite(row), &mut skipped))
        .collect();
    let scrobbles = records
        .scrobbles
        .into_iter()
        .filter_map(|row| keep(check_scrobble(row), &mut skipped))
        .collect();
    let playlists = records
        .playlists
        .into_iter()
        .filter_map(|row| keep(check_playlist(row), &mut skipped))
        .collect();
    let collections = records
        .collections
        .into_iter()
        .filter_map(|row| keep(check_collection(row), &mut skipped))
        .collect();
    let kept = UserRecords {
        favorites,
        scrobbles,
        playlists,
        collections,
    };
    (kept, skipped)
}

fn keep<T>(checked: Result<T, SkippedRow>, skipped: &mut Vec<SkippedRow>) -> Option<T> {
    checked.map_err(|row| skipped.push(row)).ok()
}

fn is_hash(text: &str) -> bool {
    parse_hash(text).is_some()
}

fn check_owner(kind: &'static str, username: &str, item: &str) -> Result<(), SkippedRow> {
    if username.trim().is_empty() {
        return Err(SkippedRow::new(kind, item, "no owner username"));
    }
    Ok(())
}

fn check_favorite(mut row: FavoriteRecord) -> Result<FavoriteRecord, SkippedRow> {
    check_owner("favorite", &row.username, &row.hash)?;
    if !FAVORITE_KINDS.contains(&row.kind.as_str()) {
        let reason = format!("unknown favourite type {:?}", row.kind);
        return Err(SkippedRow::new("favorite", &row.hash, reason));
    }
    if !is_hash(&row.hash) {
        return Err(SkippedRow::new(
            "favorite",
            &row.hash,
            "not a 16-character hex hash",
        ));
    }
    row.hash.make_ascii_lowercase();
    if !row.extra.is_object() {
        row.extra = Value::Object(Default::default());
    }
    Ok(row)
}

fn check_scrobble(mut row: ScrobbleRecord) -> Result<ScrobbleRecord, SkippedRow> {
    check_owner("scrobble", &row.username, &row.trackhash)?;
    if !is_hash(&row.trackhash) {
        return Err(SkippedRow::new(
            "scrobble",
            &row.trackhash,
            "not a 16-character hex hash",
        ));
    }
    row.trackhash.make_ascii_lowercase();
    row.duration = row.duration.max(0);
    if !row.extra.is_object() {
        row.extra = Value::Object(Default::default());
    }
    Ok(row)
}

fn check_playlist(mut row: PlaylistRecord) -> Result<PlaylistRecord, SkippedRow> {
    check_owner("playlist", &row.username, &row.name)?;
    row.name = row.name.trim().to_string();
    if row.name.is_empty() {
        return Err(SkippedRow::new("playlist", "", "the playlist has no name"));
    }
    row.trackhashes.retain(|hash| is_hash(hash));
    for hash in &mut row.trackhashes {
        hash.make_ascii_lowercase();
    }
    row.image = row.image.filter(|name| is_plain_file_name(name));
    if !row.settings.is_object() {
        row.settings = Value::Object(Default::default());
    }
    if !row.extra.is_object() {
        row.extra = Value::Object(Default::default());
    }
    Ok(row)
}

fn check_collection(mut row: CollectionRecord) -> Result<CollectionRecord, SkippedRow> {
    check_owner("collection", &row.username, &row.name)?;
    row.name = row.name.trim().to_string();
    if row.name.is_empty() {
        return Err(SkippedRow::new(
            "collection",
            "",
            "the collection has no name",
        ));
    }
    let Value::Array(items) = row.items else {
        return Err(SkippedRow::new(
            "collection",
            &row.name,
            "its items are not a list",
        ));
    };
    row.items = Value::Array(items.into_iter().filter_map(collection_item).collect());
    if !row.extra.is_object() {
        row.extra = Value::Object(Default::default());
    }
    Ok(row)
}

/// `{type, hash}` with a known type and a valid hash, reduced to those two fields.
fn collection_item(item: Value) -> Option<Value> {
    let kind = item.get("type")?.as_str()?;
    let hash = item.get("hash")?.as_str()?;
    (COLLECTION_ITEM_KINDS.contains(&kind) && is_hash(hash))
        .then(|| serde_json::json!({"type": kind, "hash": hash.to_ascii_lowercase()}))
}

/// A single file name: no separators, no parent references, nothing hidden.
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.contains(['/', '\\', '\0'])
        && !name.contains("..")
        && !name.starts_with('.')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const HASH: &str = "0123456789ABCDEF";

    #[test]
    fn bad_rows_are_skipped_with_reasons_and_bad_entries_dropped() {
        let records = UserRecords {
            favorites: vec![
                FavoriteRecord {
                    username: "ann".into(),
                    kind: "album".into(),
                    hash: HASH.into(),
                    timestamp: 1,
                    extra: json!(null),
                },
                FavoriteRecord {
                    username: "ann".into(),
                    kind: "folder".into(),
                    hash: HASH.into(),
                    timestamp: 1,
                    extra: json!({}),
                },
                FavoriteRecord {
                    username: "ann".into(),
                    kind: "track".into(),
                    hash: "short".into(),
                    timestamp: 1,
                    extra: json!({}),
                },
            ],
            scrobbles: vec![],
            playlists: vec![PlaylistRecord {
                username: "ann".into(),
                name: " Mix ".into(),
                image: Some("../../etc/passwd".into()),
                settings: json!({}),
                trackhashes: vec![HASH.into(), "nope".into()],
                created_at: 0,
                last_updated: 0,
                extra: json!({}),
            }],
            collections: vec![CollectionRecord {
                username: "ann".into(),
                name: "C".into(),
                description: String::new(),
                items: json!([{"type": "album", "hash": HASH}, {"type": "track", "hash": HASH}, 5]),
                created_at: 0,
                updated_at: 0,
                extra: json!({}),
            }],
        };
        let (kept, skipped) = sanitize(records);
        assert_eq!(kept.favorites.len(), 1);
        assert_eq!(kept.favorites[0].hash, HASH.to_ascii_lowercase());
        assert_eq!(kept.favorites[0].extra, json!({}));
        assert_eq!(skipped.len(), 2);
        assert!(skipped[0].reason.contains("folder"));
        let playlist = &kept.playlists[0];
        assert_eq!(playlist.name, "Mix");
        assert_eq!(playlist.image, None);
        assert_eq!(playlist.trackhashes, vec![HASH.to_ascii_lowercase()]);
        assert_eq!(
            kept.collections[0].items,
            json!([{"type": "album", "hash": HASH.to_ascii_lowercase()}])
        );
    }
}
