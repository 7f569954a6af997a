//! Swingfly's domain model: the types every layer shares and Swing Music's library rules
//! (hashes, artist splitting, featured artists, title cleaning, album versions and types, genres,
//! filename fallbacks). Pure functions only: this crate does no I/O.

pub mod album;
pub mod hash;
pub mod rules;
pub mod settings;
pub mod track;

pub use hash::{hash_hex, parse_hash, Hash};
pub use settings::IndexSettings;
pub use track::{ArtistRef, Genre, RawTrack, Track};
