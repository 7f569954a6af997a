//! Index-side parts of the home page (reference §5.8): the "recently added" row, folder checks for
//! recently played folders, and the artist genre table that related-artist suggestions and mixes
//! score against. All of these depend on the index only, so the services layer computes them once
//! per index.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use swingfly_model::Hash;

use crate::entities::IndexedTrack;
use crate::folders::FolderNode;
use crate::Library;

/// What a "recently added" entry points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddedTarget {
    Track(Hash),
    Album(Hash),
    Artist(Hash),
    /// A folder of mixed music: its path (no trailing slash) and how many tracks it holds.
    Folder {
        path: Arc<str>,
        count: usize,
    },
}

/// One entry of the "recently added" row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddedEntry {
    pub target: AddedTarget,
    /// Unix seconds: the newest file mtime of the entry.
    pub timestamp: i64,
    /// "NEW TRACK", "NEW ALBUM", "NEW ARTIST" or "NEW MUSIC".
    pub help_text: &'static str,
}

/// A group is an album (or an artist's) when at least this share of its tracks belong to it.
const DOMINANT_SHARE_PERCENT: usize = 70;

impl Library {
    /// The "recently added" row: folders ordered by their newest file, each classified (§5.8):
    /// one track is a track; 70 % of one album is the album; 70 % of one artist is the artist
    /// ("NEW ARTIST" when all their tracks are in the folder); fewer than 3 tracks are listed one by
    /// one; anything else is the folder. Folders gone from disk are skipped, entries already listed
    /// (an album split over two disc folders) are not repeated, and the row stops at `cap`.
    pub fn recently_added(&self, cap: usize) -> Vec<AddedEntry> {
        let mut groups: Vec<(&FolderNode, i64)> = self
            .folders
            .nodes
            .iter()
            .filter_map(|node| {
                let newest = node.files.last()?;
                Some((node, self.tracks[*newest as usize].last_mod))
            })
            .collect();
        groups.sort_by(|(a, a_time), (b, b_time)| b_time.cmp(a_time).then(a.path.cmp(&b.path)));

        let mut row: Vec<AddedEntry> = Vec::new();
        for (node, newest) in groups {
            if row.len() >= cap {
                break;
            }
            if !Path::new(&*node.path).is_dir() {
                continue;
            }
            for entry in self.classify_group(node, newest) {
                if row.len() < cap && !row.iter().any(|seen| seen.target == entry.target) {
                    row.push(entry);
                }
            }
        }
        row
    }

    fn classify_group(&self, node: &FolderNode, newest: i64) -> Vec<AddedEntry> {
        // One file per trackhash, newest first.
        let mut tracks: Vec<&IndexedTrack> = Vec::with_capacity(node.files.len());
        for &id in node.files.iter().rev() {
            let track = &self.tracks[id as usize];
            if !tracks.iter().any(|seen| seen.trackhash == track.trackhash) {
                tracks.push(track);
            }
        }
        let entry = |target, help_text| AddedEntry {
            target,
            timestamp: newest,
            help_text,
        };
        let total = tracks.len();
        if total == 1 {
            return vec![entry(AddedTarget::Track(tracks[0].trackhash), "NEW TRACK")];
        }
        let dominant = |count: usize| count * 100 >= total * DOMINANT_SHARE_PERCENT;

        let (albumhash, album_tracks) = most_common(tracks.iter().map(|track| track.albumhash));
        if dominant(album_tracks) {
            return vec![entry(AddedTarget::Album(albumhash), "NEW ALBUM")];
        }
        let (artisthash, artist_tracks) = most_common(tracks.iter().flat_map(|track| {
            let mut credited: Vec<Hash> = Vec::new();
            for artist in track.artists.iter().chain(track.albumartists.iter()) {
                if !credited.contains(&artist.hash) {
                    credited.push(artist.hash);
                }
            }
            credited
        }));
        if dominant(artist_tracks) {
            let everything_here = self
                .artist(artisthash)
                .is_some_and(|artist| artist.trackcount() <= artist_tracks);
            let help_text = if everything_here {
                "NEW ARTIST"
            } else {
                "NEW MUSIC"
            };
            return vec![entry(AddedTarget::Artist(artisthash), help_text)];
        }
        if total < 3 {
            return tracks
                .iter()
                .map(|track| AddedEntry {
                    target: AddedTarget::Track(track.trackhash),
                    timestamp: track.last_mod,
                    help_text: "NEW TRACK",
                })
                .collect();
        }
        vec![entry(
            AddedTarget::Folder {
                path: node.path.clone(),
                count: total,
            },
            "NEW MUSIC",
        )]
    }

    /// How many indexed files a folder holds, recursively; None when the index has no such folder.
    /// `path` may end with a slash.
    pub fn folder_track_count(&self, path: &str) -> Option<usize> {
        let trimmed = crate::folders::trim_trailing_slashes(path);
        self.folders
            .get(trimmed)
            .map(|node| node.recursive_files as usize)
    }

    /// The genre table of this index's artists (build it once per index; it costs one pass over
    /// the artists).
    pub fn artist_genre_table(&self) -> ArtistGenreTable {
        ArtistGenreTable::build(self)
    }
}

/// The value seen most often and how often (the first one seen wins a tie).
fn most_common(values: impl Iterator<Item = Hash>) -> (Hash, usize) {
    let mut counts: Vec<(Hash, usize)> = Vec::new();
    for value in values {
        match counts.iter_mut().find(|(seen, _)| *seen == value) {
            Some((_, count)) => *count += 1,
            None => counts.push((value, 1)),
        }
    }
    counts.into_iter().fold(
        (0, 0),
        |best, entry| if entry.1 > best.1 { entry } else { best },
    )
}

/// Which artists share genres, weighted so that a rare genre says more than a common one: genre g
/// weighs `ln(1 + artists / artists_with_g)`, and two artists' likeness is the weight of their
/// shared genres over the geometric mean of their own totals (1 for identical genre sets).
#[derive(Debug, Default)]
pub struct ArtistGenreTable {
    /// Per artist (in `Library::artists()` order): genre ids.
    artist_genres: Vec<Box<[u32]>>,
    /// Per artist: the summed weight of its genres.
    artist_weight: Vec<f32>,
    /// Per genre id: the artists having it.
    genre_artists: Vec<Vec<u32>>,
    genre_weight: Vec<f32>,
}

impl ArtistGenreTable {
    fn build(library: &Library) -> ArtistGenreTable {
        let mut genre_ids: HashMap<&str, u32> = HashMap::new();
        let mut genre_artists: Vec<Vec<u32>> = Vec::new();
        let mut artist_genres = Vec::with_capacity(library.artists.len());
        for (index, artist) in library.artists.iter().enumerate() {
            let mut ids: Vec<u32> = Vec::with_capacity(artist.genres.len());
            for genre in artist.genres.iter() {
                let next = genre_ids.len() as u32;
                let id = *genre_ids.entry(genre.genrehash.as_str()).or_insert(next);
                if id == next {
                    genre_artists.push(Vec::new());
                }
                if !ids.contains(&id) {
                    ids.push(id);
                    genre_artists[id as usize].push(index as u32);
                }
            }
            artist_genres.push(ids.into_boxed_slice());
        }
        let artists = library.artists.len().max(1) as f32;
        let genre_weight: Vec<f32> = genre_artists
            .iter()
            .map(|having| (1.0 + artists / having.len().max(1) as f32).ln())
            .collect();
        let artist_weight = artist_genres
            .iter()
            .map(|ids| ids.iter().map(|&id| genre_weight[id as usize]).sum())
            .collect();
        ArtistGenreTable {
            artist_genres,
            artist_weight,
            genre_artists,
            genre_weight,
        }
    }

    /// Artists sharing a genre with the artist at `index` (a position in `Library::artists()`),
    /// as `(position, likeness in 0..=1)`, best first (ties by position), the artist itself left
    /// out, at most `limit`.
    pub fn neighbours(&self, index: usize, limit: usize) -> Vec<(u32, f32)> {
        let Some(genres) = self.artist_genres.get(index) else {
            return Vec::new();
        };
        let mut shared: HashMap<u32, f32> = HashMap::new();
        for &genre in genres.iter() {
            let weight = self.genre_weight[genre as usize];
            for &other in &self.genre_artists[genre as usize] {
                if other as usize != index {
                    *shared.entry(other).or_default() += weight;
                }
            }
        }
        let own = self.artist_weight[index];
        let mut scored: Vec<(u32, f32)> = shared
            .into_iter()
            .map(|(other, weight)| {
                let norm = (own * self.artist_weight[other as usize]).sqrt();
                (other, if norm > 0.0 { weight / norm } else { 0.0 })
            })
            .collect();
        let best_first = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if scored.len() > limit && limit > 0 {
            scored.select_nth_unstable_by(limit - 1, best_first);
        }
        scored.truncate(limit);
        scored.sort_by(best_first);
        scored
    }

    /// Whether two artists (positions) share at least one genre.
    pub fn share_a_genre(&self, a: usize, b: usize) -> bool {
        match (self.artist_genres.get(a), self.artist_genres.get(b)) {
            (Some(a), Some(b)) => a.iter().any(|genre| b.contains(genre)),
            _ => false,
        }
    }
}

impl Library {
    /// The position of an artist in [`Library::artists`].
    pub fn artist_position(&self, artisthash: Hash) -> Option<usize> {
        self.artists
            .binary_search_by_key(&artisthash, |artist| artist.artisthash)
            .ok()
    }
}
