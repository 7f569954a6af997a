//! Raw tag records (what the scanner reads and the store keeps) and the derived in-memory track.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::Hash;

/// What the scanner read from one audio file: raw tag strings exactly as tagged, the audio
/// properties, and the file's identity for incremental scans. The store persists this; every
/// derived field (hashes, split artists, cleaned titles) is recomputed from it by [`Track::from_raw`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RawTrack {
    /// Absolute path of the audio file.
    pub filepath: String,
    /// Parent directory, absolute, without a trailing slash.
    pub folder: String,
    /// File size in bytes.
    pub size: u64,
    /// File modification time, unix seconds (rounded down).
    pub mtime: i64,
    pub title: Option<String>,
    pub album: Option<String>,
    /// Raw artist tag. Several tag values are joined with "; ".
    pub artists: Option<String>,
    /// Raw album-artist tag. Several tag values are joined with "; ".
    pub albumartists: Option<String>,
    /// Raw genre tag. Several tag values are joined with "; ".
    pub genres: Option<String>,
    /// Raw date/year tag (e.g. "2020", "2020-03-01").
    pub date: Option<String>,
    pub track: Option<u32>,
    pub track_total: Option<u32>,
    pub disc: Option<u32>,
    pub disc_total: Option<u32>,
    pub copyright: Option<String>,
    pub composer: Option<String>,
    pub comment: Option<String>,
    /// iTunes advisory / EXPLICIT tag value, raw.
    pub explicit: Option<String>,
    /// Duration in seconds (fractional).
    pub duration: f64,
    /// Bitrate in kbps.
    pub bitrate: u32,
    pub samplerate: u32,
    pub bitdepth: Option<u8>,
    pub channels: u8,
    /// True when the file carries an embedded picture.
    pub has_picture: bool,
    /// True when the file carries embedded (unsynced or synced) lyrics.
    pub has_lyrics: bool,
}

/// An artist as referenced from a track or album: `{name, artisthash}` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ArtistRef {
    pub name: Arc<str>,
    pub hash: Hash,
}

/// A genre: `{name, genrehash}` on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Genre {
    pub name: String,
    pub genrehash: String,
}

/// A track as the library serves it: Swing Music's rules applied to a [`RawTrack`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Track {
    pub trackhash: Hash,
    pub albumhash: Hash,
    pub weakhash: Hash,
    /// Hash of the folder path; used as `?pathhash=` in image URLs.
    pub pathhash: Hash,
    /// Cleaned title (featured artists, prod. and remaster info removed as configured).
    pub title: String,
    /// The raw title tag (or its filename fallback).
    pub og_title: String,
    /// Cleaned album title.
    pub album: String,
    /// The raw album tag (or its fallback).
    pub og_album: String,
    /// Track artists, featured artists appended.
    pub artists: Vec<ArtistRef>,
    pub albumartists: Vec<ArtistRef>,
    pub genres: Vec<Genre>,
    /// Unix seconds: the date tag parsed leniently, else the file mtime.
    pub date: i64,
    /// Whole seconds.
    pub duration: u32,
    pub bitrate: u32,
    pub samplerate: u32,
    pub bitdepth: Option<u8>,
    pub channels: u8,
    pub filepath: String,
    /// Without a trailing slash.
    pub folder: String,
    pub last_mod: i64,
    pub size: u64,
    pub disc: u32,
    pub track: u32,
    pub track_total: Option<u32>,
    pub disc_total: Option<u32>,
    pub explicit: bool,
    pub copyright: Option<String>,
    pub composer: Option<String>,
    pub comment: Option<String>,
    pub has_lyrics: bool,
}
