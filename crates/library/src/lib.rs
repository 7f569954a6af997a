//! The immutable in-memory library index (tracks, albums, artists, folders, search structures)
//! built from the store's raw tracks, and every browse and search query over it.
//!
//! A [`Library`] is built once per scan ([`Library::build`]) and never changes; the services layer
//! swaps a new one in atomically. Queries return the JSON shapes of Swing Music's API ([`wire`]);
//! per-user fields (favourites, play counts) come from a [`UserView`] the caller passes in.

mod build;
mod entities;
mod folders;
mod hashing;
pub mod humanize;
mod lookups;
pub mod paging;
mod present;
mod queries;
mod ranks;
pub mod search;
mod track_writer;
mod user;
pub mod wire;

pub use entities::{Album, AlbumArt, Artist, IndexedTrack, LibraryStats};
pub use hashing::{HashKeyed, IdentityHasher};
pub use queries::folder::{FolderError, FolderRequest, FolderSortKey, TrackSortKey};
pub use queries::get_all::{GetAllError, GetAllKind, GetAllRequest};
pub use queries::home::{AddedEntry, AddedTarget, ArtistGenreTable};
pub use queries::search_results::SearchKind;
pub use user::{ItemKind, NoUser, PlayStats, UserView};

use std::sync::OnceLock;

use folders::FolderTree;
use ranks::SortRanks;
use search::SearchIndex;

/// The library index. Cheap to share (`Arc<Library>`), never mutated after [`Library::build`].
pub struct Library {
    version: i64,
    /// Every indexed file, in the order the store gave them.
    tracks: Vec<IndexedTrack>,
    /// Positions in `tracks` ordered by trackhash; in each trackhash group the best file (highest
    /// bitrate) comes first.
    by_trackhash: Vec<u32>,
    /// The best file of each trackhash (positions in `tracks`), in trackhash order.
    primary_tracks: Vec<u32>,
    /// Ordered by albumhash.
    albums: Vec<Album>,
    /// Ordered by artisthash.
    artists: Vec<Artist>,
    folders: FolderTree,
    /// What the disk says about listed folders (existence, file counts, subfolder mtimes).
    folder_facts: queries::folder_facts::FolderFactsCache,
    /// String sort positions for get-all, computed on first use (most builds are followed by
    /// requests that never sort by name, and the natural-order sorts are the costliest part).
    ranks: OnceLock<SortRanks>,
    /// Sorted get-all orders for the keys that do not depend on the user, computed on first use.
    get_all_orders: queries::get_all::GetAllOrders,
    /// Entry `i` is the title of `primary_tracks[i]`.
    track_search: SearchIndex,
    /// Entry `i` is the title of `albums[i]`.
    album_search: SearchIndex,
    /// Entry `i` is the name of `artists[i]`.
    artist_search: SearchIndex,
}

impl Library {
    /// A library with nothing in it (before the first scan).
    pub fn empty() -> Library {
        Library {
            version: 0,
            tracks: Vec::new(),
            by_trackhash: Vec::new(),
            primary_tracks: Vec::new(),
            albums: Vec::new(),
            artists: Vec::new(),
            folders: FolderTree::default(),
            folder_facts: Default::default(),
            ranks: OnceLock::new(),
            get_all_orders: Default::default(),
            track_search: SearchIndex::build(std::iter::empty()),
            album_search: SearchIndex::build(std::iter::empty()),
            artist_search: SearchIndex::build(std::iter::empty()),
        }
    }

    /// The version this index was built for.
    pub fn version(&self) -> i64 {
        self.version
    }

    fn ranks(&self) -> &SortRanks {
        self.ranks
            .get_or_init(|| SortRanks::build(&self.albums, &self.artists))
    }

    /// Pays the first-use costs (name-sort ranks, search working buffers) up front, so the first
    /// requests after an index swap are as fast as the rest. Call it off the request path.
    pub fn warm_up(&self) {
        self.ranks();
        for index in [&self.track_search, &self.album_search, &self.artist_search] {
            index.search("warm up", 1);
        }
    }

    pub fn stats(&self) -> LibraryStats {
        LibraryStats {
            files: self.tracks.len(),
            tracks: self.primary_tracks.len(),
            albums: self.albums.len(),
            artists: self.artists.len(),
            folders: self.folders.populated_count(),
        }
    }
}

impl std::fmt::Debug for Library {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Library")
            .field("version", &self.version)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}
