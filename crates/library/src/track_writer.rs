//! Tracks serialised straight from the index, for the track-heavy answers (search, folders, the
//! artist page).
//!
//! [`Library::track_json`] builds an owned [`TrackJson`](crate::wire::TrackJson): about ten heap
//! strings and lists per track, each copied again into the response. Under 32 clients the
//! allocator was a quarter of `/search/`'s CPU time. [`TrackOut`] borrows everything from the index
//! and writes the same object, key for key (a test compares the two on every sample track); only
//! the per-user `is_favorite` is looked up per request.

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use swingfly_model::{ArtistRef, Genre};

use crate::entities::IndexedTrack;
use crate::user::{ItemKind, UserView};
use crate::wire::HexHash;
use crate::Library;

/// One track as [`Library::track_json`] shows it, serialised without building it.
pub(crate) struct TrackOut<'a> {
    library: &'a Library,
    track: &'a IndexedTrack,
    is_favorite: bool,
    /// `help_text` (the artist page says how often the user played it).
    help_text: Option<String>,
    /// `type` (the top search result says "track").
    item_type: Option<&'static str>,
}

impl<'a> TrackOut<'a> {
    pub fn new(library: &'a Library, track: &'a IndexedTrack, user: &dyn UserView) -> Self {
        TrackOut {
            library,
            track,
            is_favorite: user.is_favorite(ItemKind::Track, track.trackhash),
            help_text: None,
            item_type: None,
        }
    }

    pub fn with_help_text(mut self, help_text: String) -> Self {
        self.help_text = Some(help_text);
        self
    }

    pub fn with_type(mut self, item_type: &'static str) -> Self {
        self.item_type = Some(item_type);
        self
    }
}

impl Serialize for TrackOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let track = self.track;
        let album = self.library.album_of(track);
        // Keys in the order `TrackJson` declares them (alphabetical, as Swing sends them).
        let mut object = serializer.serialize_struct("TrackJson", 21)?;
        object.serialize_field("album", &*track.album)?;
        object.serialize_field("albumartists", &Artists(&track.albumartists))?;
        object.serialize_field("albumhash", &HexHash(track.albumhash))?;
        object.serialize_field("artisthashes", &ArtistHashes(&track.artists))?;
        object.serialize_field("artists", &Artists(&track.artists))?;
        object.serialize_field("bitrate", &track.bitrate)?;
        object.serialize_field("blurhash", album.blurhash.as_deref().unwrap_or_default())?;
        object.serialize_field("color", album.color.as_deref().unwrap_or_default())?;
        object.serialize_field("duration", &track.duration)?;
        object.serialize_field("explicit", &track.explicit)?;
        object.serialize_field("extra", &Extra(track))?;
        object.serialize_field("filepath", &*track.filepath)?;
        object.serialize_field("folder", &FolderWithSlash(&track.folder))?;
        if let Some(help_text) = &self.help_text {
            object.serialize_field("help_text", help_text)?;
        }
        object.serialize_field("image", &TrackImage(track))?;
        object.serialize_field("is_favorite", &self.is_favorite)?;
        object.serialize_field("title", &*track.title)?;
        object.serialize_field("trackhash", &HexHash(track.trackhash))?;
        if let Some(item_type) = self.item_type {
            object.serialize_field("type", item_type)?;
        }
        object.serialize_field("weakhash", &HexHash(track.weakhash))?;
        object.end()
    }
}

/// `[{artisthash, name}]`.
struct Artists<'a>(&'a [ArtistRef]);

impl Serialize for Artists<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct One<'a>(&'a ArtistRef);
        impl Serialize for One<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut object = serializer.serialize_struct("ArtistRef", 2)?;
                object.serialize_field("artisthash", &HexHash(self.0.hash))?;
                object.serialize_field("name", &*self.0.name)?;
                object.end()
            }
        }
        let mut list = serializer.serialize_seq(Some(self.0.len()))?;
        for artist in self.0 {
            list.serialize_element(&One(artist))?;
        }
        list.end()
    }
}

/// The artists' hashes.
struct ArtistHashes<'a>(&'a [ArtistRef]);

impl Serialize for ArtistHashes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|artist| HexHash(artist.hash)))
    }
}

/// The artists' names.
struct ArtistNames<'a>(&'a [ArtistRef]);

impl Serialize for ArtistNames<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|artist| &*artist.name))
    }
}

/// The genres' names.
struct GenreNames<'a>(&'a [Genre]);

impl Serialize for GenreNames<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|genre| genre.name.as_str()))
    }
}

/// `track.extra`, as [`TrackExtra`](crate::wire::TrackExtra) writes it.
struct Extra<'a>(&'a IndexedTrack);

impl Serialize for Extra<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let track = self.0;
        let mut object = serializer.serialize_struct("TrackExtra", 10)?;
        object.serialize_field("artist", &ArtistNames(&track.artists))?;
        if let Some(bitdepth) = track.bitdepth {
            object.serialize_field("bitdepth", &bitdepth)?;
        }
        object.serialize_field("channels", &track.channels)?;
        if let Some(comment) = track.comment() {
            object.serialize_field("comment", &**comment)?;
        }
        if let Some(composer) = track.composer() {
            object.serialize_field("composer", &**composer)?;
        }
        if let Some(disc_total) = track.disc_total {
            object.serialize_field("disc_total", &disc_total)?;
        }
        object.serialize_field("filesize", &track.size)?;
        object.serialize_field("genre", &GenreNames(&track.genres))?;
        object.serialize_field("samplerate", &track.samplerate)?;
        if let Some(track_total) = track.track_total {
            object.serialize_field("track_total", &track_total)?;
        }
        object.end()
    }
}

/// The folder with one trailing slash.
struct FolderWithSlash<'a>(&'a str);

impl Serialize for FolderWithSlash<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.ends_with('/') {
            serializer.serialize_str(self.0)
        } else {
            serializer.collect_str(&format_args!("{}/", self.0))
        }
    }
}

/// `"<albumhash>.webp?pathhash=<pathhash>"`, written on the stack.
struct TrackImage<'a>(&'a IndexedTrack);

impl Serialize for TrackImage<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        const MIDDLE: &[u8] = b".webp?pathhash=";
        let mut image = [0u8; 16 + MIDDLE.len() + 16];
        image[..16].copy_from_slice(&HexHash(self.0.albumhash).digits());
        image[16..16 + MIDDLE.len()].copy_from_slice(MIDDLE);
        image[16 + MIDDLE.len()..].copy_from_slice(&HexHash(self.0.pathhash).digits());
        // Hex digits and the fixed middle are ASCII.
        serializer.serialize_str(std::str::from_utf8(&image).unwrap_or_default())
    }
}
