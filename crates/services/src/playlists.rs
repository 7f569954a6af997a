//! Playlists (reference §3.7): each user's own, stored in the ledger and presented through the
//! live index, plus the two computed ones ("recently added", "recently played"), playlist images
//! and M3U export and import. Every change is one write transaction that bumps the playlist's
//! `version` (its ETag), committed before the caller answers.

pub mod images;
pub mod items;
pub mod m3u;
pub mod present;

use serde::Serialize;
use serde_json::{json, Value};
use swingfly_library::wire::TrackJson;
use swingfly_library::{IndexedTrack, Library, UserView};
use swingfly_model::{hash_hex, parse_hash, Hash};
use swingfly_store::playlists::{NewPlaylist, PlaylistRow};
use swingfly_store::StoreError;

use crate::app::App;
pub use items::{ItemType, SortOptions};
pub use present::{ImagesShape, PlaylistJson};

/// How many tracks the computed playlists hold.
pub const CUSTOM_PLAYLIST_SIZE: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum PlaylistError {
    #[error("Playlist not found")]
    NotFound,
    #[error("Playlist already exists")]
    NameTaken,
    #[error("Track already exists in playlist")]
    TrackExists,
    /// save-item found nothing to put in the new playlist.
    #[error("No tracks founds")]
    NoTracksFound,
    /// An album, artist or folder to add that the index does not know.
    #[error("{0} not found")]
    ItemNotFound(&'static str),
    /// Bad input, with the reason.
    #[error("{0}")]
    Invalid(String),
    #[error("Unsupported image type: send a PNG, JPEG, WebP, GIF or BMP image")]
    UnsupportedImage,
    #[error("Image too large: the limit is 5 MB")]
    ImageTooLarge,
    /// An M3U import none of whose entries matched an indexed track.
    #[error("No entry of the playlist matched an indexed track")]
    NothingResolved(Vec<m3u::Unresolved>),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for PlaylistError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(_) => PlaylistError::NameTaken,
            StoreError::Invalid { reason, .. } => PlaylistError::Invalid(reason),
            other => PlaylistError::Internal(other.into()),
        }
    }
}

pub type Result<T> = std::result::Result<T, PlaylistError>;

/// Which playlist a `/playlists/<id>` path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaylistId {
    Stored(i64),
    RecentlyAdded,
    RecentlyPlayed,
}

impl PlaylistId {
    /// None for anything else (the routes answer 404, as Swing's int converter does).
    pub fn parse(text: &str) -> Option<PlaylistId> {
        match text {
            "recentlyadded" => Some(PlaylistId::RecentlyAdded),
            "recentlyplayed" => Some(PlaylistId::RecentlyPlayed),
            _ => text.parse().ok().map(PlaylistId::Stored),
        }
    }
}

/// `GET /playlists/<id>`: `info` is absent on later pages of the computed playlists (Swing
/// sends them whole on the first page).
#[derive(Debug, Serialize)]
pub struct PlaylistPage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<PlaylistJson>,
    pub tracks: Vec<TrackJson>,
    /// The stored playlist's version, for the ETag.
    #[serde(skip)]
    pub version: Option<i64>,
}

/// What `/playlists/<id>/update` changes; `None` keeps the current value.
#[derive(Debug, Default)]
pub struct PlaylistUpdate {
    pub name: Option<String>,
    /// A JSON object merged over the current settings (`has_gif` is the server's).
    pub settings: Option<Value>,
    /// The uploaded image's bytes.
    pub image: Option<Vec<u8>>,
}

/// The result of an M3U import.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub playlist: PlaylistJson,
    pub resolved: usize,
    pub unresolved: Vec<m3u::Unresolved>,
}

fn tracks_of<'a>(
    library: &'a Library,
    trackhashes: &'a [String],
) -> impl Iterator<Item = &'a IndexedTrack> + Clone + 'a {
    trackhashes
        .iter()
        .filter_map(|hash| parse_hash(hash))
        .filter_map(|hash| library.track(hash))
}

async fn stored(app: &App, user_id: i64, id: i64) -> Result<PlaylistRow> {
    app.store
        .playlist(user_id, id)
        .await?
        .ok_or(PlaylistError::NotFound)
}

/// `GET /playlists`: the user's playlists, most recently changed first.
pub async fn list(app: &App, user_id: i64) -> Result<Vec<PlaylistJson>> {
    let library = app.library();
    let rows = app.store.playlists(user_id).await?;
    Ok(rows
        .iter()
        .map(|row| present::playlist_json(&library, row, ImagesShape::WithColors))
        .collect())
}

/// `POST /playlists/new`.
pub async fn create(app: &App, user_id: i64, name: &str) -> Result<PlaylistJson> {
    let row = app
        .store
        .create_playlist(user_id, &new_playlist(name, Vec::new())?)
        .await?;
    Ok(present::playlist_json(
        &app.library(),
        &row,
        ImagesShape::WithColors,
    ))
}

fn new_playlist(name: &str, trackhashes: Vec<String>) -> Result<NewPlaylist> {
    let name = name.trim();
    if name.is_empty() {
        return Err(PlaylistError::Invalid("The playlist name is empty".into()));
    }
    Ok(NewPlaylist {
        name: name.to_string(),
        image: None,
        settings: present::default_settings(),
        trackhashes,
        extra: json!({}),
    })
}

/// `GET /playlists/<id>`.
pub async fn page(
    app: &App,
    user_id: i64,
    id: PlaylistId,
    start: usize,
    limit: i64,
    no_tracks: bool,
) -> Result<PlaylistPage> {
    let library = app.library();
    let user = app.user_data.view(user_id, &library).await?;
    let id = match id {
        PlaylistId::Stored(id) => id,
        custom => {
            return custom_page(app, &library, &user, user_id, custom, start, no_tracks).await
        }
    };
    let row = stored(app, user_id, id).await?;
    let info = present::playlist_json(&library, &row, ImagesShape::WithColors);
    let tracks = if no_tracks {
        Vec::new()
    } else {
        let all: Vec<&IndexedTrack> = tracks_of(&library, &row.trackhashes).collect();
        let window = swingfly_library::paging::page(&all, start, limit);
        library.tracks_json(window.iter().copied(), &user)
    };
    Ok(PlaylistPage {
        info: Some(info),
        tracks,
        version: Some(row.version),
    })
}

async fn custom_page(
    app: &App,
    library: &Library,
    user: &(dyn UserView + Send),
    user_id: i64,
    id: PlaylistId,
    start: usize,
    no_tracks: bool,
) -> Result<PlaylistPage> {
    if start > 0 {
        return Ok(PlaylistPage {
            info: None,
            tracks: Vec::new(),
            version: None,
        });
    }
    let (key, name, hashes) = match id {
        PlaylistId::RecentlyPlayed => {
            let hashes = app
                .store
                .recently_played_trackhashes(user_id, CUSTOM_PLAYLIST_SIZE as i64 * 2)
                .await?;
            let hashes: Vec<Hash> = hashes
                .iter()
                .filter_map(|hash| parse_hash(hash))
                .filter(|hash| library.track(*hash).is_some())
                .take(CUSTOM_PLAYLIST_SIZE)
                .collect();
            ("recentlyplayed", "Recently Played", hashes)
        }
        _ => ("recentlyadded", "Recently Added", recently_added(library)),
    };
    let tracks: Vec<&IndexedTrack> = hashes.iter().filter_map(|h| library.track(*h)).collect();
    let newest = tracks.iter().map(|track| track.last_mod).max().unwrap_or(0);
    let info = PlaylistJson {
        last_updated_ago: swingfly_library::humanize::time_ago(
            newest,
            swingfly_library::humanize::now_unix(),
        ),
        score: 0,
        count: tracks.len(),
        duration: tracks.iter().map(|track| u64::from(track.duration)).sum(),
        extra: json!({}),
        has_image: false,
        id: key.into(),
        image: "None".into(),
        images: present::collage(
            library,
            tracks.iter().map(|track| track.albumhash),
            ImagesShape::WithColors,
        ),
        last_updated: present::datetime_text(newest),
        name: name.into(),
        pinned: false,
        settings: present::default_settings(),
        thumb: "None".into(),
        trackhashes: Vec::new(),
        userid: user_id,
    };
    let tracks = if no_tracks {
        Vec::new()
    } else {
        library.tracks_json(tracks, user)
    };
    Ok(PlaylistPage {
        info: Some(info),
        tracks,
        version: None,
    })
}

/// The newest files by mtime, one per trackhash.
fn recently_added(library: &Library) -> Vec<Hash> {
    let mut files: Vec<&IndexedTrack> = library.files().iter().collect();
    files.sort_by(|a, b| {
        b.last_mod
            .cmp(&a.last_mod)
            .then_with(|| a.filepath.cmp(&b.filepath))
    });
    let mut hashes = items::dedup(files.into_iter().map(|track| track.trackhash));
    hashes.truncate(CUSTOM_PLAYLIST_SIZE);
    hashes
}

/// `POST /playlists/<id>/add`: appends the item's tracks that are not in the playlist yet, in
/// order. A single track that is already there is a `TrackExists`. Returns the new version.
pub async fn add(
    app: &App,
    user_id: i64,
    id: i64,
    item: ItemType,
    itemhash: &str,
    sort: &SortOptions,
) -> Result<i64> {
    let library = app.library();
    let user = app.user_data.view(user_id, &library).await?;
    let hashes = items::item_trackhashes(&library, item, itemhash, sort, &user)?;
    let single = item == ItemType::Tracks && hashes.len() == 1;
    let (added, row) = app
        .store
        .edit_playlist(user_id, id, |row| {
            let mut added = 0;
            for hash in &hashes {
                let text = hash_hex(*hash);
                if !row.trackhashes.contains(&text) {
                    row.trackhashes.push(text);
                    added += 1;
                }
            }
            added
        })
        .await?
        .ok_or(PlaylistError::NotFound)?;
    if single && added == 0 {
        return Err(PlaylistError::TrackExists);
    }
    Ok(row.version)
}

/// `POST /playlists/<id>/remove-tracks`: removes each `(trackhash, index)` whose trackhash first
/// occurs at `index` (positions in the list before this request).
pub async fn remove_tracks(
    app: &App,
    user_id: i64,
    id: i64,
    entries: &[(String, usize)],
) -> Result<i64> {
    let (_, row) = app
        .store
        .edit_playlist(user_id, id, |row| {
            let doomed: std::collections::HashSet<usize> = entries
                .iter()
                .filter(|(hash, index)| {
                    row.trackhashes.iter().position(|h| h == hash) == Some(*index)
                })
                .map(|(_, index)| *index)
                .collect();
            let mut position = 0;
            row.trackhashes.retain(|_| {
                let keep = !doomed.contains(&position);
                position += 1;
                keep
            });
        })
        .await?
        .ok_or(PlaylistError::NotFound)?;
    Ok(row.version)
}

/// `PUT /playlists/<id>/update`: name, settings and image. A new image is written before the row
/// points at it, and the previous image files are removed only once the row changed.
pub async fn update(
    app: &App,
    user_id: i64,
    id: i64,
    update: PlaylistUpdate,
) -> Result<PlaylistJson> {
    stored(app, user_id, id).await?;
    if let Some(name) = &update.name {
        if name.trim().is_empty() {
            return Err(PlaylistError::Invalid("The playlist name is empty".into()));
        }
    }
    let settings = match update.settings {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => {
            return Err(PlaylistError::Invalid(
                "settings must be a JSON object".into(),
            ))
        }
    };
    let dir = app.paths.playlist_images.clone();
    let new_image = match update.image {
        None => None,
        Some(bytes) => {
            let dir = dir.clone();
            let written = tokio::task::spawn_blocking(move || -> Result<(String, bool)> {
                let prepared = images::prepare(&bytes)?;
                let name = images::new_image_name(id, prepared.is_gif);
                images::write(&dir, &name, &prepared).map_err(anyhow::Error::from)?;
                Ok((name, prepared.is_gif))
            })
            .await
            .map_err(|error| PlaylistError::Internal(error.into()))??;
            Some(written)
        }
    };
    let edited = app
        .store
        .edit_playlist(user_id, id, |row| {
            if let Some(name) = &update.name {
                row.name = name.trim().to_string();
            }
            let mut merged = match &row.settings {
                Value::Object(map) => map.clone(),
                _ => serde_json::Map::new(),
            };
            if let Some(settings) = &settings {
                for (key, value) in settings {
                    if key != "has_gif" {
                        merged.insert(key.clone(), value.clone());
                    }
                }
            }
            let mut old_image = None;
            if let Some((name, is_gif)) = &new_image {
                old_image = row.image.replace(name.clone());
                merged.insert("has_gif".into(), (*is_gif).into());
            }
            row.settings = Value::Object(merged);
            old_image
        })
        .await;
    let (old_image, row) = match edited {
        Ok(Some(done)) => done,
        failed => {
            if let Some((name, _)) = &new_image {
                images::remove(&dir, name);
            }
            return Err(match failed {
                Ok(None) => PlaylistError::NotFound,
                Err(error) => error.into(),
                Ok(Some(_)) => unreachable!("handled above"),
            });
        }
    };
    if let Some(old) = old_image {
        images::remove(&dir, &old);
    }
    let mut json = present::playlist_json(&app.library(), &row, ImagesShape::WithColors);
    json.last_updated = json.last_updated_ago.clone();
    Ok(json)
}

/// `POST /playlists/<id>/pin_unpin`: toggles `settings.pinned`.
pub async fn pin_unpin(app: &App, user_id: i64, id: i64) -> Result<i64> {
    let (_, row) = app
        .store
        .edit_playlist(user_id, id, |row| {
            let pinned = row.settings["pinned"].as_bool().unwrap_or(false);
            if let Value::Object(map) = &mut row.settings {
                map.insert("pinned".into(), (!pinned).into());
            } else {
                row.settings = json!({"pinned": !pinned});
            }
        })
        .await?
        .ok_or(PlaylistError::NotFound)?;
    Ok(row.version)
}

/// `DELETE /playlists/<id>/remove-img`.
pub async fn remove_image(app: &App, user_id: i64, id: i64) -> Result<PlaylistJson> {
    let (old_image, row) = app
        .store
        .edit_playlist(user_id, id, |row| {
            if let Value::Object(map) = &mut row.settings {
                map.insert("has_gif".into(), false.into());
            }
            row.image.take()
        })
        .await?
        .ok_or(PlaylistError::NotFound)?;
    if let Some(old) = old_image {
        images::remove(&app.paths.playlist_images, &old);
    }
    Ok(present::playlist_json(
        &app.library(),
        &row,
        ImagesShape::WithColors,
    ))
}

/// `DELETE /playlists/<id>/delete`: the row, then its image files.
pub async fn delete(app: &App, user_id: i64, id: i64) -> Result<()> {
    let row = app
        .store
        .delete_playlist(user_id, id)
        .await?
        .ok_or(PlaylistError::NotFound)?;
    if let Some(image) = row.image {
        images::remove(&app.paths.playlist_images, &image);
    }
    Ok(())
}

/// `POST /playlists/save-item`: a new playlist holding an item's tracks; an album's cover or an
/// artist's picture becomes its banner.
pub async fn save_item(
    app: &App,
    user_id: i64,
    item: ItemType,
    playlist_name: &str,
    itemhash: &str,
    sort: &SortOptions,
) -> Result<PlaylistJson> {
    let library = app.library();
    let user = app.user_data.view(user_id, &library).await?;
    let hashes = match items::item_trackhashes(&library, item, itemhash, sort, &user) {
        Ok(hashes) if !hashes.is_empty() => hashes,
        Ok(_) | Err(PlaylistError::ItemNotFound(_)) => return Err(PlaylistError::NoTracksFound),
        Err(error) => return Err(error),
    };
    let trackhashes = hashes.iter().map(|hash| hash_hex(*hash)).collect();
    let mut row = app
        .store
        .create_playlist(user_id, &new_playlist(playlist_name, trackhashes)?)
        .await?;
    if let Some((banner, thumbnail, square)) = banner_sources(app, item, itemhash) {
        let name = images::new_image_name(row.id, false);
        let dir = app.paths.playlist_images.clone();
        let file = name.clone();
        let copied = tokio::task::spawn_blocking(move || {
            images::copy_banner(&dir, &file, &banner, &thumbnail)
        })
        .await
        .map_err(|error| PlaylistError::Internal(error.into()))?;
        // The playlist exists by now: a banner that cannot be copied is logged, not an error.
        let copied = copied.unwrap_or_else(|error| {
            tracing::warn!(%error, playlist = row.id, "cannot copy the banner of a saved item");
            false
        });
        if copied {
            if let Some((_, edited)) = app
                .store
                .edit_playlist(user_id, row.id, |row| {
                    row.image = Some(name.clone());
                    if let Value::Object(map) = &mut row.settings {
                        map.insert("square_img".into(), square.into());
                    }
                })
                .await?
            {
                row = edited;
            }
        }
    }
    Ok(present::playlist_json(
        &library,
        &row,
        ImagesShape::NamesOnly,
    ))
}

/// The artwork files of an album or an artist: (banner, thumbnail, is square).
fn banner_sources(
    app: &App,
    item: ItemType,
    itemhash: &str,
) -> Option<(std::path::PathBuf, std::path::PathBuf, bool)> {
    let hash = parse_hash(itemhash.trim())?;
    let file = format!("{}.webp", hash_hex(hash));
    match item {
        ItemType::Album => {
            let thumbs = &app.paths.thumbnails;
            let original = thumbs.join("original").join(&file);
            let banner = if original.is_file() {
                original
            } else {
                thumbs.join("large").join(&file)
            };
            Some((banner, thumbs.join("medium").join(&file), true))
        }
        ItemType::Artist => {
            let artists = &app.paths.artist_images;
            Some((
                artists.join("large").join(&file),
                artists.join("medium").join(&file),
                false,
            ))
        }
        _ => None,
    }
}

/// An exported playlist.
#[derive(Debug)]
pub struct M3uExport {
    pub name: String,
    pub text: String,
    pub version: i64,
}

/// `GET /playlists/<id>/export.m3u8`.
pub async fn export_m3u(app: &App, user_id: i64, id: i64) -> Result<M3uExport> {
    let row = stored(app, user_id, id).await?;
    let library = app.library();
    let text = m3u::export(&row.name, tracks_of(&library, &row.trackhashes));
    Ok(M3uExport {
        name: row.name,
        text,
        version: row.version,
    })
}

/// `POST /playlists/import`: a new playlist from M3U text. The name is `name` if given, else the
/// file's `#PLAYLIST:` line, else `fallback_name`.
pub async fn import_m3u(
    app: &App,
    user_id: i64,
    text: &str,
    name: Option<&str>,
    fallback_name: Option<&str>,
) -> Result<ImportReport> {
    let parsed = m3u::parse(text);
    if parsed.entries.is_empty() {
        return Err(PlaylistError::Invalid(
            "The playlist has no entries: send M3U text with one path per line".into(),
        ));
    }
    let name = name
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .or(parsed.name.as_deref())
        .or(fallback_name.map(str::trim).filter(|name| !name.is_empty()))
        .unwrap_or("Imported playlist")
        .to_string();
    let roots: Vec<String> = app
        .root_paths()
        .await?
        .iter()
        .map(|root| root.to_string_lossy().into_owned())
        .collect();
    let library = app.library();
    let (hashes, unresolved) = m3u::resolve(&library, &roots, &parsed);
    if hashes.is_empty() {
        return Err(PlaylistError::NothingResolved(unresolved));
    }
    let resolved = parsed.entries.len() - unresolved.len();
    let trackhashes = hashes.iter().map(|hash| hash_hex(*hash)).collect();
    let row = app
        .store
        .create_playlist(user_id, &new_playlist(&name, trackhashes)?)
        .await?;
    Ok(ImportReport {
        playlist: present::playlist_json(&library, &row, ImagesShape::WithColors),
        resolved,
        unresolved,
    })
}

/// How old an unreferenced playlist image must be before [`sweep_images`] removes it.
pub const IMAGE_SWEEP_GRACE: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes playlist image files no playlist refers to any more (a deleted user's playlists go
/// with the user row, but their files stay until this runs). Safe to run at any time: files
/// younger than [`IMAGE_SWEEP_GRACE`] are kept. Returns how many files were removed.
pub async fn sweep_images(app: &App) -> Result<usize> {
    let in_use: std::collections::HashSet<String> = app
        .store
        .playlist_image_names()
        .await?
        .into_iter()
        .collect();
    let dir = app.paths.playlist_images.clone();
    let removed = tokio::task::spawn_blocking(move || {
        images::remove_unreferenced(&dir, &in_use, IMAGE_SWEEP_GRACE)
    })
    .await
    .map_err(|error| PlaylistError::Internal(error.into()))?
    .map_err(anyhow::Error::from)?;
    if removed > 0 {
        tracing::info!(removed, "removed unreferenced playlist images");
    }
    Ok(removed)
}
