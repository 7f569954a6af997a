//! Swingfly's domain model: the types every layer shares and Swing Music's library rules
//! (hashes, artist splitting, featured artists, title cleaning, album versions and types, genres,
//! filename fallbacks). Pure functions only: this crate does no I/O.

pub mod album;
mod date;
mod filename;
pub mod hash;
mod ignore_list;
pub mod lrc;
pub mod paths;
pub mod rules;
pub mod settings;
pub mod text;
mod title;
pub mod track;
mod translit;
mod unidecode_compat;

pub use album::{album_type, clean_album_title, AlbumType, AlbumTypeInput, CleanedAlbum};
pub use date::civil_from_unix;
pub use hash::{hash_hex, parse_hash, Hash};
pub use rules::{parse_date, Rules};
pub use settings::IndexSettings;
pub use track::{ArtistRef, Genre, RawTrack, Track};

/// Audio file extensions the library indexes (reference §5.2), lower case.
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "flac", "mp3", "wav", "m4a", "ogg", "opus", "wma", "alac", "aiff", "aif",
];

/// True when `extension` (without the dot) is one of [`AUDIO_EXTENSIONS`], in any case.
pub fn is_audio_extension(extension: &[u8]) -> bool {
    AUDIO_EXTENSIONS
        .iter()
        .any(|known| extension.eq_ignore_ascii_case(known.as_bytes()))
}
