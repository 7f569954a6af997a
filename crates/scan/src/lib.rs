//! Swingfly's scanner: walks music roots, reads tags and audio properties (lofty, plus a small
//! ASF reader for WMA) into [`RawTrack`](swingfly_model::RawTrack) records, incrementally against
//! what the store already knows, and extracts album artwork. It knows nothing of SQL, HTTP or caches.

pub mod artwork;
mod asf;
mod paths;
mod read;
mod scanner;

pub use artwork::{extract_album_art, folder_image, AlbumArt, ArtworkJob, THUMBNAIL_SIZES};
pub use paths::is_audio_path;
pub use read::{read_track, ReadError};
pub use scanner::{scan, KnownFile, ScanOutcome, ScanProgress, ScanRequest, SkippedFile};
