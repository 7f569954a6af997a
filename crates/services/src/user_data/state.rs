//! One user's favourites and play sums in memory.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Weak};

use parking_lot::RwLock;
use swingfly_library::{ItemKind, Library, PlayStats};
use swingfly_model::{parse_hash, Hash};
use swingfly_store::favorites::FavoriteRow;
use swingfly_store::scrobbles::TrackPlays;

/// A user's favourites and play statistics. Readers take short read locks per lookup; a change
/// takes the write lock only for the in-memory update (the ledger write happens before, outside).
pub struct UserState {
    favorites: RwLock<Favorites>,
    plays: RwLock<Plays>,
}

#[derive(Default)]
struct Favorites {
    tracks: HashSet<Hash>,
    albums: HashSet<Hash>,
    artists: HashSet<Hash>,
}

impl Favorites {
    fn set(&mut self, kind: ItemKind) -> &mut HashSet<Hash> {
        match kind {
            ItemKind::Track => &mut self.tracks,
            ItemKind::Album => &mut self.albums,
            ItemKind::Artist => &mut self.artists,
        }
    }
}

#[derive(Default)]
struct Plays {
    /// The ledger's plays summed per trackhash: the truth, independent of any index.
    tracks: HashMap<Hash, PlayStats>,
    /// Album and artist sums computed from `tracks` through one index.
    derived: Derived,
}

#[derive(Default)]
struct Derived {
    /// The index these sums were computed with. A `Weak` keeps the allocation's address from being
    /// reused, so comparing addresses tells one index from another.
    library: Weak<Library>,
    albums: HashMap<Hash, PlayStats>,
    artists: HashMap<Hash, PlayStats>,
}

impl Derived {
    fn for_library(library: &Arc<Library>, tracks: &HashMap<Hash, PlayStats>) -> Derived {
        let mut derived = Derived {
            library: Arc::downgrade(library),
            albums: HashMap::new(),
            artists: HashMap::new(),
        };
        for (&trackhash, stats) in tracks {
            derived.count(library, trackhash, stats);
        }
        derived
    }

    fn is_for(&self, library: &Arc<Library>) -> bool {
        std::ptr::eq(self.library.as_ptr(), Arc::as_ptr(library))
    }

    /// Adds a track's plays to its albums and artists (see [`credited_items`]).
    fn count(&mut self, library: &Library, trackhash: Hash, stats: &PlayStats) {
        let (albums, artists) = credited_items(library, trackhash);
        for albumhash in albums {
            merge(self.albums.entry(albumhash).or_default(), stats);
        }
        for artisthash in artists {
            merge(self.artists.entry(artisthash).or_default(), stats);
        }
    }
}

/// The albums and artists a play of `trackhash` counts for, each once: the album of every file
/// sharing the trackhash (the same song on a standard and a deluxe edition is one trackhash, and
/// a play cannot tell which was meant) and each of the track's artists. Nothing when the index
/// does not know the track.
pub fn credited_items(library: &Library, trackhash: Hash) -> (Vec<Hash>, Vec<Hash>) {
    let mut albums: Vec<Hash> = Vec::new();
    let mut artists: Vec<Hash> = Vec::new();
    for file in library.track_files(trackhash) {
        if !albums.contains(&file.albumhash) {
            albums.push(file.albumhash);
        }
        for artist in file.artists.iter() {
            if !artists.contains(&artist.hash) {
                artists.push(artist.hash);
            }
        }
    }
    (albums, artists)
}

fn merge(into: &mut PlayStats, add: &PlayStats) {
    into.playcount = into.playcount.saturating_add(add.playcount);
    into.playduration = into.playduration.saturating_add(add.playduration);
    into.lastplayed = into.lastplayed.max(add.lastplayed);
}

impl UserState {
    /// The state the ledger holds for a user. Rows with a malformed hash (a hand-edited ledger) are
    /// skipped. Album and artist sums are computed on the first [`UserState::align_with`].
    pub(super) fn from_ledger(favorites: &[FavoriteRow], plays: &[TrackPlays]) -> UserState {
        let mut sets = Favorites::default();
        for row in favorites {
            if let Some(hash) = parse_hash(&row.hash) {
                sets.set(super::item_kind(row.kind)).insert(hash);
            }
        }
        let tracks = plays
            .iter()
            .filter_map(|row| {
                let hash = parse_hash(&row.trackhash)?;
                let stats = PlayStats {
                    playcount: u32::try_from(row.count.max(0)).unwrap_or(u32::MAX),
                    playduration: u64::try_from(row.duration.max(0)).unwrap_or(0),
                    lastplayed: row.last_played,
                };
                Some((hash, stats))
            })
            .collect();
        UserState {
            favorites: RwLock::new(sets),
            plays: RwLock::new(Plays {
                tracks,
                derived: Derived::default(),
            }),
        }
    }

    pub fn is_favorite(&self, kind: ItemKind, hash: Hash) -> bool {
        let favorites = self.favorites.read();
        match kind {
            ItemKind::Track => favorites.tracks.contains(&hash),
            ItemKind::Album => favorites.albums.contains(&hash),
            ItemKind::Artist => favorites.artists.contains(&hash),
        }
    }

    /// Play statistics of a track (by trackhash), or of an album or artist as the index last
    /// aligned with sees them.
    pub fn plays(&self, kind: ItemKind, hash: Hash) -> PlayStats {
        let plays = self.plays.read();
        let found = match kind {
            ItemKind::Track => plays.tracks.get(&hash),
            ItemKind::Album => plays.derived.albums.get(&hash),
            ItemKind::Artist => plays.derived.artists.get(&hash),
        };
        found.copied().unwrap_or_default()
    }

    /// Every track the user has played, with its sums (for charts over all time and home rows).
    pub fn played_tracks(&self) -> Vec<(Hash, PlayStats)> {
        let plays = self.plays.read();
        plays
            .tracks
            .iter()
            .map(|(&hash, &stats)| (hash, stats))
            .collect()
    }

    /// Recomputes album and artist sums if they were computed with another index.
    pub(super) fn align_with(&self, library: &Arc<Library>) {
        if self.plays.read().derived.is_for(library) {
            return;
        }
        let mut plays = self.plays.write();
        if !plays.derived.is_for(library) {
            plays.derived = Derived::for_library(library, &plays.tracks);
        }
    }

    pub(super) fn set_favorite(&self, kind: ItemKind, hash: Hash, favorite: bool) {
        let mut favorites = self.favorites.write();
        let set = favorites.set(kind);
        if favorite {
            set.insert(hash);
        } else {
            set.remove(&hash);
        }
    }

    /// Counts one play for the track and, through `library`, for its album and artists.
    pub(super) fn add_play(
        &self,
        trackhash: Hash,
        duration: i64,
        timestamp: i64,
        library: &Arc<Library>,
    ) {
        let play = PlayStats {
            playcount: 1,
            playduration: u64::try_from(duration.max(0)).unwrap_or(0),
            lastplayed: timestamp,
        };
        let mut plays = self.plays.write();
        merge(plays.tracks.entry(trackhash).or_default(), &play);
        if plays.derived.is_for(library) {
            plays.derived.count(library, trackhash, &play);
        } else {
            plays.derived = Derived::for_library(library, &plays.tracks);
        }
    }
}
