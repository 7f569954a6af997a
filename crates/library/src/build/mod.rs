//! Building the index from raw tag records: Swing's track rules in parallel, then albums,
//! artists, folders and search indexes, with independent parts side by side.

mod albums;
mod artists;
mod convert;

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use swingfly_model::{Genre, Hash, IndexSettings, RawTrack};

use crate::entities::{Album, AlbumArt, Artist, IndexedTrack};
use crate::folders::{FolderTree, FolderTreeBuilder};
use crate::search::SearchIndex;
use crate::Library;

impl Library {
    /// Builds the index from the store's raw records. `art` holds colours by albumhash (and, when
    /// artist colours exist, by artisthash). `version` identifies this build to clients and caches.
    pub fn build(
        raw: Vec<RawTrack>,
        settings: &IndexSettings,
        art: &HashMap<Hash, AlbumArt>,
        version: i64,
    ) -> Library {
        // Run on a pool thread: the calling thread would otherwise compete for the cores with
        // pool workers that spin between the parallel phases.
        rayon::scope(|_| Self::build_in_pool(raw, settings, art, version))
    }

    fn build_in_pool(
        raw: Vec<RawTrack>,
        settings: &IndexSettings,
        art: &HashMap<Hash, AlbumArt>,
        version: i64,
    ) -> Library {
        let mut tracks = convert::convert_tracks(raw, settings);
        let mut folders = FolderTreeBuilder::default();
        for track in &mut tracks {
            let (index, path) = folders.intern(&track.folder);
            track.folder_index = index;
            track.folder = path;
        }
        let by_trackhash = trackhash_order(&tracks);
        let best_of = best_files(&tracks, &by_trackhash);
        let primary_tracks = group_starts(&tracks, &by_trackhash);

        // The track search index needs only titles: build it while the rest is assembled.
        let shared = &tracks;
        let (track_search, assembled) = rayon::join(
            || SearchIndex::build(primary_tracks.iter().map(|&id| &*shared[id as usize].title)),
            || assemble(shared, &best_of, folders, settings, art),
        );
        for (track, album_index) in tracks.iter_mut().zip(assembled.album_of_track) {
            track.album_index = album_index;
        }

        Library {
            version,
            tracks,
            by_trackhash,
            primary_tracks,
            albums: assembled.albums,
            artists: assembled.artists,
            folders: assembled.folders,
            folder_facts: Default::default(),
            ranks: OnceLock::new(),
            get_all_orders: Default::default(),
            track_search,
            album_search: assembled.album_search,
            artist_search: assembled.artist_search,
        }
    }
}

/// Everything built from the converted tracks besides the track search index.
struct Assembled {
    albums: Vec<Album>,
    /// For every track, the position of its album.
    album_of_track: Vec<u32>,
    artists: Vec<Artist>,
    folders: FolderTree,
    album_search: SearchIndex,
    artist_search: SearchIndex,
}

/// Albums first (artists need them), then artists with their search index beside the folder
/// tree and the album search index.
fn assemble(
    tracks: &[IndexedTrack],
    best_of: &[u32],
    folders: FolderTreeBuilder,
    settings: &IndexSettings,
    art: &HashMap<Hash, AlbumArt>,
) -> Assembled {
    let (albums, album_of_track) = albums::build_albums(tracks, settings, art);
    let ((artists, artist_search), (folders, album_search)) = rayon::join(
        || {
            let artists = artists::build_artists(tracks, &albums, &album_of_track, best_of, art);
            let search = SearchIndex::build(artists.iter().map(|artist| &*artist.name));
            (artists, search)
        },
        || {
            rayon::join(
                || folders.finish(tracks),
                || SearchIndex::build(albums.iter().map(|album| &*album.title)),
            )
        },
    );
    Assembled {
        albums,
        album_of_track,
        artists,
        folders,
        album_search,
        artist_search,
    }
}

/// Track positions ordered by trackhash; within a trackhash the best file (highest bitrate,
/// then path) comes first.
fn trackhash_order(tracks: &[IndexedTrack]) -> Vec<u32> {
    let mut keys: Vec<(Hash, Reverse<u32>, u32)> = tracks
        .iter()
        .enumerate()
        .map(|(index, track)| (track.trackhash, Reverse(track.bitrate), index as u32))
        .collect();
    // Sort compact keys (cache friendly); paths are compared only between equal keys.
    keys.sort_unstable_by(|a, b| {
        (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| {
            tracks[a.2 as usize]
                .filepath
                .cmp(&tracks[b.2 as usize].filepath)
        })
    });
    keys.into_iter().map(|(_, _, index)| index).collect()
}

/// For every track, the position of the best file sharing its trackhash.
fn best_files(tracks: &[IndexedTrack], by_trackhash: &[u32]) -> Vec<u32> {
    let mut best = vec![0u32; tracks.len()];
    let mut group_best = None;
    for &id in by_trackhash {
        let track = &tracks[id as usize];
        let leader = match group_best {
            Some(leader) if tracks[leader as usize].trackhash == track.trackhash => leader,
            _ => id,
        };
        group_best = Some(leader);
        best[id as usize] = leader;
    }
    best
}

/// The best file of each trackhash, in trackhash order.
fn group_starts(tracks: &[IndexedTrack], by_trackhash: &[u32]) -> Vec<u32> {
    let mut starts = Vec::new();
    let mut previous = None;
    for &id in by_trackhash {
        let trackhash = tracks[id as usize].trackhash;
        if previous != Some(trackhash) {
            starts.push(id);
            previous = Some(trackhash);
        }
    }
    starts
}

/// The run of `by_trackhash` holding the files of `trackhash` (best first); empty if unknown.
pub(crate) fn trackhash_group<'a>(
    tracks: &[IndexedTrack],
    by_trackhash: &'a [u32],
    trackhash: Hash,
) -> &'a [u32] {
    let start = by_trackhash.partition_point(|&id| tracks[id as usize].trackhash < trackhash);
    let length = by_trackhash[start..]
        .iter()
        .take_while(|&&id| tracks[id as usize].trackhash == trackhash)
        .count();
    &by_trackhash[start..start + length]
}

/// The union of genre lists, in order of first appearance. Lists are interned, so equal lists
/// are usually the same allocation: each distinct list is read once, and a single distinct list
/// is shared rather than copied.
pub(crate) fn genre_union<'a>(lists: impl IntoIterator<Item = &'a Arc<[Genre]>>) -> Arc<[Genre]> {
    let mut seen: Vec<&Arc<[Genre]>> = Vec::new();
    for list in lists {
        if !list.is_empty() && !seen.iter().any(|known| Arc::ptr_eq(known, list)) {
            seen.push(list);
        }
    }
    match seen.as_slice() {
        [] => Arc::from(Vec::new()),
        [only] => Arc::clone(only),
        _ => {
            let mut union: Vec<Genre> = Vec::new();
            for genre in seen.iter().flat_map(|list| list.iter()) {
                if !union.iter().any(|known| known.genrehash == genre.genrehash) {
                    union.push(genre.clone());
                }
            }
            Arc::from(union)
        }
    }
}
