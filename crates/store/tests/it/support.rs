//! Shared test helpers: a store in a fresh temporary directory and synthetic tracks.

use swingfly_store::{RawTrack, Store};
use tempfile::TempDir;

/// A store on a fresh file; keep the `TempDir` alive as long as the store.
pub async fn fresh_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("swingfly.db"))
        .await
        .expect("open store");
    (dir, store)
}

/// A track with every optional field set, distinguishable by `n`.
pub fn full_track(n: usize) -> RawTrack {
    RawTrack {
        filepath: format!(
            "/music/Artist {}/Album {}/{n:06} Song.flac",
            n % 97,
            n % 1009
        ),
        folder: format!("/music/Artist {}/Album {}", n % 97, n % 1009),
        size: 20_000_000 + n as u64,
        mtime: 1_700_000_000 + n as i64,
        title: Some(format!("Song number {n} (feat. Guest {})", n % 13)),
        album: Some(format!("Album {}", n % 1009)),
        artists: Some(format!("Artist {}; Other {}", n % 97, n % 31)),
        albumartists: Some(format!("Artist {}", n % 97)),
        genres: Some("Rock/Pop; Indie".to_string()),
        date: Some(format!("{}-03-01", 1960 + n % 60)),
        track: Some((n % 20) as u32 + 1),
        track_total: Some(20),
        disc: Some(1),
        disc_total: Some(2),
        copyright: Some(format!("℗ {} Label", 1960 + n % 60)),
        composer: Some("Composer Name".to_string()),
        comment: Some("ripped with care".to_string()),
        explicit: Some("1".to_string()),
        duration: 183.25 + (n % 100) as f64,
        bitrate: 900 + (n % 500) as u32,
        samplerate: 44_100,
        bitdepth: Some(16),
        channels: 2,
        has_picture: n % 4 < 2,
        has_lyrics: n % 3 < 1,
    }
}
