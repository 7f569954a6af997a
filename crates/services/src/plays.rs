//! Play logging and listening statistics (reference §3.10, §5.9).
//!
//! A play is committed to the ledger before it is acknowledged and then counted in memory for the
//! track, its album and each of its artists ([`crate::user_data`]). Charts rank the user's plays
//! in the current week, month, year or all time, and mark each entry's trend against the window of
//! equal length just before (see [`period`]).

pub mod charts;
pub mod period;

use std::sync::Arc;

use serde_json::json;
use swingfly_library::Library;
use swingfly_model::Hash;
use swingfly_store::scrobbles::NewScrobble;

use crate::app::App;

pub use charts::{
    listening_stats, top_albums, top_artists, top_tracks, ChartOrder, ChartQuery, ListeningStats,
    ScrobbleSummary, TopAlbums, TopArtists, TopTracks,
};
pub use period::Period;

/// A play is shorter than this (seconds listened) is not recorded.
pub const MIN_PLAY_SECONDS: i64 = 5;
/// A play stamped further ahead of the server's clock than this is refused: it would sit at the top
/// of every history and chart.
const MAX_CLOCK_AHEAD_SECONDS: i64 = 24 * 3600;

/// A play as the client reports it (`POST /logger/track/log`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlayReport {
    pub trackhash: Hash,
    /// Unix seconds, when the play happened.
    pub timestamp: i64,
    /// Seconds actually listened.
    pub duration: i64,
    /// Where it was played from: "al:<hash>", "pl:<id>", "" ...
    pub source: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// No time, too short a play, or a time far in the future.
    #[error("Invalid entry.")]
    Invalid,
    #[error("Track not found.")]
    TrackNotFound,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Records a play for the user. Once this returns Ok the play is in the ledger and already counted
/// in the user's statistics. An exact repeat (same track, same second) is accepted and counted once.
pub async fn log_play(app: &App, user_id: i64, report: &PlayReport) -> Result<(), LogError> {
    let now = swingfly_library::humanize::now_unix();
    if report.timestamp <= 0
        || report.duration < MIN_PLAY_SECONDS
        || report.timestamp > now + MAX_CLOCK_AHEAD_SECONDS
    {
        return Err(LogError::Invalid);
    }
    let library: Arc<Library> = app.library();
    let track = library
        .track(report.trackhash)
        .ok_or(LogError::TrackNotFound)?;
    let play = NewScrobble {
        trackhash: swingfly_model::hash_hex(report.trackhash),
        timestamp: report.timestamp,
        duration: report.duration,
        source: report.source.clone(),
        // What the play was of, so the history stays readable if the file or its tags change.
        extra: json!({
            "filepath": &*track.filepath,
            "title": &*track.title,
            "artists": track.artists.iter().map(|a| &*a.name).collect::<Vec<_>>(),
            "album": &*track.album,
        }),
    };
    let recorded = app
        .user_data
        .record_play(user_id, &play, report.trackhash, &library)
        .await?;
    if recorded.is_some() {
        // Deliveries to linked scrobbling services walk the ledger; tell the worker there is more.
        app.scrobblers.wake();
    }
    Ok(())
}
