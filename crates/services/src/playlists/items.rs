//! What "add this to a playlist" means for each item type: a list of trackhashes, in order,
//! taken from the live index.

use std::cmp::Ordering;

use swingfly_library::{IndexedTrack, ItemKind, Library, UserView};
use swingfly_model::text::natural_cmp;
use swingfly_model::{parse_hash, Hash};

use super::PlaylistError;

/// The item kinds `/playlists/<id>/add` and `/playlists/save-item` accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemType {
    /// `itemhash` is a comma-joined list of trackhashes.
    Tracks,
    /// `itemhash` is a folder path: every indexed file in it and below.
    Folder,
    Album,
    Artist,
}

impl ItemType {
    pub fn parse(text: &str) -> Result<ItemType, PlaylistError> {
        Ok(match text {
            "tracks" | "track" => ItemType::Tracks,
            "folder" => ItemType::Folder,
            "album" => ItemType::Album,
            "artist" => ItemType::Artist,
            other => {
                return Err(PlaylistError::Invalid(format!(
                    "Unknown itemtype {other:?}: expected tracks, folder, album or artist"
                )))
            }
        })
    }
}

/// Swing's `sortoptions`: how album and artist tracks are ordered before they are added.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SortOptions {
    pub tracksortby: Option<String>,
    pub tracksortreverse: bool,
}

/// The trackhashes an item stands for, in the order they should be added. Errors name what was
/// wrong: a malformed or unknown hash, an unknown album, artist or folder.
pub fn item_trackhashes(
    library: &Library,
    item: ItemType,
    itemhash: &str,
    sort: &SortOptions,
    user: &dyn UserView,
) -> Result<Vec<Hash>, PlaylistError> {
    match item {
        ItemType::Tracks => {
            let mut hashes = Vec::new();
            for text in itemhash.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                let hash = parse_hash(text)
                    .ok_or_else(|| PlaylistError::Invalid(format!("Invalid trackhash {text:?}")))?;
                if library.track(hash).is_none() {
                    return Err(PlaylistError::Invalid(format!("Unknown track {text}")));
                }
                hashes.push(hash);
            }
            if hashes.is_empty() {
                return Err(PlaylistError::Invalid("No trackhash given".into()));
            }
            Ok(hashes)
        }
        ItemType::Album => {
            let album = parse_hash(itemhash.trim())
                .and_then(|hash| library.album(hash))
                .ok_or(PlaylistError::ItemNotFound("Album"))?;
            let tracks: Vec<&IndexedTrack> = library.album_track_records(album).collect();
            Ok(sorted_hashes(tracks, sort, user))
        }
        ItemType::Artist => {
            let artist = parse_hash(itemhash.trim())
                .and_then(|hash| library.artist(hash))
                .ok_or(PlaylistError::ItemNotFound("Artist"))?;
            let tracks: Vec<&IndexedTrack> = library.artist_track_records(artist).collect();
            Ok(sorted_hashes(tracks, sort, user))
        }
        ItemType::Folder => {
            let tracks = folder_tracks(library, itemhash);
            if tracks.is_empty() {
                return Err(PlaylistError::ItemNotFound("Folder"));
            }
            Ok(dedup(tracks.into_iter().map(|track| track.trackhash)))
        }
    }
}

/// Every indexed file in `folder` and below, in natural path order.
fn folder_tracks<'a>(library: &'a Library, folder: &str) -> Vec<&'a IndexedTrack> {
    let folder = folder.trim();
    let folder = folder.strip_suffix('/').unwrap_or(folder);
    if folder.is_empty() || !folder.starts_with('/') {
        return Vec::new();
    }
    let prefix = format!("{folder}/");
    let mut tracks: Vec<&IndexedTrack> = library
        .files()
        .iter()
        .filter(|track| track.filepath.starts_with(&prefix))
        .collect();
    tracks.sort_by(|a, b| natural_cmp(&a.filepath, &b.filepath));
    tracks
}

/// Keeps the first occurrence of each hash.
pub(crate) fn dedup(hashes: impl IntoIterator<Item = Hash>) -> Vec<Hash> {
    let mut seen = std::collections::HashSet::new();
    hashes
        .into_iter()
        .filter(|hash| seen.insert(*hash))
        .collect()
}

/// Orders tracks by Swing's track sort keys (unknown keys and "default" keep the given order);
/// ties keep the given order, since the sort is stable.
fn sorted_hashes(
    mut tracks: Vec<&IndexedTrack>,
    sort: &SortOptions,
    user: &dyn UserView,
) -> Vec<Hash> {
    let key = sort.tracksortby.as_deref().unwrap_or("default");
    tracks.sort_by(|a, b| compare_tracks(key, a, b, user));
    if sort.tracksortreverse {
        tracks.reverse();
    }
    dedup(tracks.into_iter().map(|track| track.trackhash))
}

/// One of Swing's track sort keys; `Equal` for keys it does not know.
fn compare_tracks(key: &str, a: &IndexedTrack, b: &IndexedTrack, user: &dyn UserView) -> Ordering {
    match key {
        "title" => natural_cmp(&a.title, &b.title),
        "album" => natural_cmp(&a.album, &b.album),
        "artists" => natural_cmp(first_name(&a.artists), first_name(&b.artists)),
        "albumartists" => natural_cmp(first_name(&a.albumartists), first_name(&b.albumartists)),
        "duration" => a.duration.cmp(&b.duration),
        "date" => a.date.cmp(&b.date),
        "bitrate" => a.bitrate.cmp(&b.bitrate),
        "last_mod" => a.last_mod.cmp(&b.last_mod),
        "filepath" => natural_cmp(&a.filepath, &b.filepath),
        "disc" => a.disc.cmp(&b.disc).then(a.track.cmp(&b.track)),
        "playcount" => plays(user, a).playcount.cmp(&plays(user, b).playcount),
        "playduration" => plays(user, a)
            .playduration
            .cmp(&plays(user, b).playduration),
        "lastplayed" => plays(user, a).lastplayed.cmp(&plays(user, b).lastplayed),
        _ => Ordering::Equal,
    }
}

fn first_name(artists: &[swingfly_model::ArtistRef]) -> &str {
    artists.first().map_or("", |artist| &artist.name)
}

fn plays(user: &dyn UserView, track: &IndexedTrack) -> swingfly_library::PlayStats {
    user.plays(ItemKind::Track, track.trackhash)
}
