//! The compact records the index holds. Strings shared by many records (album titles, artist
//! lists, folders, copyright lines) are interned `Arc`s; relations are `u32` positions into the
//! index's vectors.

use std::sync::Arc;

use swingfly_model::album::AlbumType;
use swingfly_model::{ArtistRef, Genre, Hash};

/// Colour values for an album (or an artist) from the artwork pipeline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlbumArt {
    /// `"rgb(r, g, b)"`.
    pub color: Option<String>,
    pub blurhash: Option<String>,
}

/// One indexed audio file, with Swing Music's rules applied. Several files may share a trackhash
/// (the same song in two formats or editions).
#[derive(Clone, Debug, PartialEq)]
pub struct IndexedTrack {
    pub trackhash: Hash,
    pub albumhash: Hash,
    pub weakhash: Hash,
    pub pathhash: Hash,
    /// Cleaned title.
    pub title: Box<str>,
    /// Cleaned album title.
    pub album: Arc<str>,
    /// The raw album tag (or its fallback).
    pub og_album: Arc<str>,
    /// Track artists, featured artists included.
    pub artists: Arc<[ArtistRef]>,
    pub albumartists: Arc<[ArtistRef]>,
    pub genres: Arc<[Genre]>,
    pub filepath: Box<str>,
    /// The parent folder, without a trailing slash.
    pub folder: Arc<str>,
    /// Unix seconds: the date tag, else the file mtime.
    pub date: i64,
    /// File mtime, unix seconds.
    pub last_mod: i64,
    /// File size in bytes.
    pub size: u64,
    /// Whole seconds.
    pub duration: u32,
    /// kbps.
    pub bitrate: u32,
    pub samplerate: u32,
    pub disc: u32,
    pub track: u32,
    pub track_total: Option<u32>,
    pub disc_total: Option<u32>,
    pub bitdepth: Option<u8>,
    pub channels: u8,
    pub explicit: bool,
    pub has_lyrics: bool,
    /// The file carries an embedded picture (the artwork extractor's candidates).
    pub has_picture: bool,
    /// Copyright, composer and comment; boxed because most files have none of them.
    pub(crate) notes: Option<Box<TrackNotes>>,
    /// Position of this track's album in the index (set once albums are built).
    pub(crate) album_index: u32,
    /// Position of this track's folder in the folder tree.
    pub(crate) folder_index: u32,
}

/// The rarely present free-text tags of a track.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct TrackNotes {
    pub copyright: Option<Arc<str>>,
    pub composer: Option<Arc<str>>,
    pub comment: Option<Arc<str>>,
}

impl IndexedTrack {
    pub fn copyright(&self) -> Option<&Arc<str>> {
        self.notes
            .as_ref()
            .and_then(|notes| notes.copyright.as_ref())
    }

    pub fn composer(&self) -> Option<&Arc<str>> {
        self.notes
            .as_ref()
            .and_then(|notes| notes.composer.as_ref())
    }

    pub fn comment(&self) -> Option<&Arc<str>> {
        self.notes.as_ref().and_then(|notes| notes.comment.as_ref())
    }
}

/// An album: the files sharing an albumhash, de-duplicated by trackhash.
#[derive(Clone, Debug, PartialEq)]
pub struct Album {
    pub albumhash: Hash,
    /// Cleaned title (from the first track).
    pub title: Arc<str>,
    /// The raw album tag of the first track.
    pub og_title: Arc<str>,
    /// `og_title` without its trailing version bracket.
    pub base_title: Arc<str>,
    /// Version labels ("deluxe", "remastered", ...).
    pub versions: Box<[Box<str>]>,
    pub albumartists: Arc<[ArtistRef]>,
    pub pathhash: Hash,
    pub weakhash: Hash,
    /// Earliest track date.
    pub date: i64,
    /// Earliest file mtime.
    pub created_date: i64,
    /// Seconds, over distinct tracks.
    pub duration: u64,
    /// Union of the tracks' genres, in order of first appearance.
    pub genres: Arc<[Genre]>,
    pub album_type: AlbumType,
    pub color: Option<Box<str>>,
    pub blurhash: Option<Box<str>>,
    /// One file per distinct trackhash (the highest bitrate among this album's files), in disc
    /// and track order.
    pub(crate) tracks: Box<[u32]>,
}

impl Album {
    /// Distinct trackhashes in this album.
    pub fn trackcount(&self) -> usize {
        self.tracks.len()
    }

    /// True when `artisthash` is one of the album artists.
    pub fn has_albumartist(&self, artisthash: Hash) -> bool {
        self.albumartists
            .iter()
            .any(|artist| artist.hash == artisthash)
    }
}

/// An artist: every name credited as a track artist or an album artist, merged by artisthash.
#[derive(Clone, Debug, PartialEq)]
pub struct Artist {
    pub artisthash: Hash,
    /// The natural-sort first of the spellings sharing the hash.
    pub name: Arc<str>,
    /// Earliest date over the artist's tracks and albums.
    pub date: i64,
    /// Earliest file mtime over the artist's tracks and albums.
    pub created_date: i64,
    /// Seconds, over the artist's distinct tracks.
    pub duration: u64,
    /// Union of the tracks' (and own albums') genres, in order of first appearance.
    pub genres: Arc<[Genre]>,
    pub color: Option<Box<str>>,
    pub blurhash: Option<Box<str>>,
    /// Albums where the artist is an album artist or credited on a track, by date descending.
    pub(crate) albums: Box<[u32]>,
    /// How many of `albums` list the artist as an album artist.
    pub(crate) albumartist_albums: u32,
    /// Distinct tracks (the best file of each trackhash) crediting the artist as a track artist.
    pub(crate) tracks: Box<[u32]>,
}

impl Artist {
    /// Albums where the artist is an album artist (Swing's `albumcount`; albums reached only
    /// through track credits are appearances and not counted).
    pub fn albumcount(&self) -> usize {
        self.albumartist_albums as usize
    }

    pub fn trackcount(&self) -> usize {
        self.tracks.len()
    }
}

/// Counts for status pages and logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LibraryStats {
    /// Indexed files.
    pub files: usize,
    /// Distinct trackhashes.
    pub tracks: usize,
    pub albums: usize,
    pub artists: usize,
    /// Folders holding indexed files directly.
    pub folders: usize,
}
