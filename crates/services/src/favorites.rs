//! Favourites (reference §3.8), per user: adding and removing are idempotent (Swing toggled a flag,
//! so a repeated add turned a favourite off, and its table let only one user favourite an item).
//! An item must be in the library to be added; removing works whatever the library holds, so a
//! favourite whose file went away can still be removed. Lists come from the ledger, newest first,
//! leaving out items the current index does not hold.

use serde::Serialize;
use serde_json::{json, Value};
use swingfly_library::humanize::{now_unix, time_ago};
use swingfly_library::wire::{AlbumCardJson, ArtistCardJson, TrackJson};
use swingfly_library::{Library, UserView};
use swingfly_model::Hash;
use swingfly_store::favorites::{FavoriteKind, FavoriteRow};

use crate::app::App;

#[derive(Debug, thiserror::Error)]
pub enum FavoriteError {
    /// The hash names no item of that kind in the library.
    #[error("{} not found", capitalised_kind(*.0))]
    NotInLibrary(FavoriteKind),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn capitalised_kind(kind: FavoriteKind) -> &'static str {
    match kind {
        FavoriteKind::Track => "Track",
        FavoriteKind::Album => "Album",
        FavoriteKind::Artist => "Artist",
    }
}

/// Marks an item as the user's favourite. Returns false when it already was one (nothing changes).
pub async fn add(
    app: &App,
    user_id: i64,
    kind: FavoriteKind,
    hash: Hash,
) -> Result<bool, FavoriteError> {
    let library = app.library();
    let extra = recognition(&library, kind, hash).ok_or(FavoriteError::NotInLibrary(kind))?;
    Ok(app
        .user_data
        .set_favorite(user_id, kind, hash, &extra, true)
        .await?)
}

/// Unmarks an item. Returns false when it was not a favourite (nothing changes).
pub async fn remove(
    app: &App,
    user_id: i64,
    kind: FavoriteKind,
    hash: Hash,
) -> anyhow::Result<bool> {
    app.user_data
        .set_favorite(user_id, kind, hash, &Value::Null, false)
        .await
}

/// Whether the item is one of the user's favourites.
pub async fn check(
    app: &App,
    user_id: i64,
    kind: FavoriteKind,
    hash: Hash,
) -> anyhow::Result<bool> {
    let (_, view) = app.library_for(user_id).await?;
    Ok(view.is_favorite(crate::user_data::item_kind(kind), hash))
}

/// What identifies the item if its hash changes one day (kept in `favorites.extra`); None when the
/// library has no such item.
fn recognition(library: &Library, kind: FavoriteKind, hash: Hash) -> Option<Value> {
    Some(match kind {
        FavoriteKind::Track => {
            let track = library.track(hash)?;
            json!({
                "title": &*track.title,
                "album": &*track.album,
                "artists": track.artists.iter().map(|a| &*a.name).collect::<Vec<_>>(),
            })
        }
        FavoriteKind::Album => {
            let album = library.album(hash)?;
            json!({
                "title": &*album.og_title,
                "albumartists": album.albumartists.iter().map(|a| &*a.name).collect::<Vec<_>>(),
            })
        }
        FavoriteKind::Artist => json!({ "name": &*library.artist(hash)?.name }),
    })
}

/// One favourite, as the `/favorites` lists show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FavoriteItem {
    Track(TrackJson),
    Album(AlbumCardJson),
    Artist(ArtistCardJson),
}

/// `recents` of `/favorites`: `{type, item}`, the item carrying `help_text` (its type) and `time`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecentFavorite {
    pub item: FavoriteItem,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// A user's favourites that the library holds, newest first.
pub struct Favorites {
    pub tracks: Vec<TrackJson>,
    pub albums: Vec<AlbumCardJson>,
    pub artists: Vec<ArtistCardJson>,
    /// Every kind mixed, newest first, with `help_text` and `time`.
    pub recents: Vec<RecentFavorite>,
}

/// The user's favourites (of one kind, or all when `kind` is None), resolved through the current
/// index, newest first.
pub async fn list(
    app: &App,
    user_id: i64,
    kind: Option<FavoriteKind>,
) -> anyhow::Result<Favorites> {
    let (library, view) = app.library_for(user_id).await?;
    let rows = app.store.favorites_newest_first(user_id, kind).await?;
    Ok(resolve(&library, &view, &rows, now_unix()))
}

fn resolve(library: &Library, user: &dyn UserView, rows: &[FavoriteRow], now: i64) -> Favorites {
    let mut favorites = Favorites {
        tracks: Vec::new(),
        albums: Vec::new(),
        artists: Vec::new(),
        recents: Vec::new(),
    };
    for row in rows {
        let Some(hash) = swingfly_model::parse_hash(&row.hash) else {
            continue;
        };
        let time = Some(time_ago(row.created_at, now));
        let help_text = Some(row.kind.as_str().to_owned());
        let item = match row.kind {
            FavoriteKind::Track => {
                let Some(track) = library.track(hash) else {
                    continue;
                };
                let json = library.track_json(track, user);
                favorites.tracks.push(json.clone());
                FavoriteItem::Track(TrackJson {
                    help_text,
                    time,
                    ..json
                })
            }
            FavoriteKind::Album => {
                let Some(album) = library.album(hash) else {
                    continue;
                };
                let card = library.album_card(album);
                favorites.albums.push(card.clone());
                FavoriteItem::Album(AlbumCardJson {
                    help_text,
                    time,
                    ..card
                })
            }
            FavoriteKind::Artist => {
                let Some(artist) = library.artist(hash) else {
                    continue;
                };
                let card = library.artist_card(artist);
                favorites.artists.push(card.clone());
                FavoriteItem::Artist(ArtistCardJson {
                    help_text,
                    time,
                    ..card
                })
            }
        };
        favorites.recents.push(RecentFavorite {
            item,
            kind: row.kind.as_str(),
        });
    }
    favorites
}
