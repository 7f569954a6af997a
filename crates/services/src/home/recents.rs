//! Recently played (per user, from the play sources) and the raw shapes of both recents rows.

use serde::Serialize;
use swingfly_library::{AddedEntry, AddedTarget, Library};
use swingfly_model::{hash_hex, parse_hash, Hash};

use super::listening::UserPlays;
use crate::mixes::MixId;

/// Swing walks at most 20 batches of 200 plays looking for distinct sources.
const RECENT_PLAYS_WALKED: usize = 20 * 200;

/// What a recently played entry opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RecentTarget {
    Track(Hash),
    Album(Hash),
    Artist(Hash),
    /// A folder path without a trailing slash.
    Folder(String),
    /// A playlist id; `custom` for the "recentlyadded"/"recentlyplayed" pseudo-playlists.
    Playlist {
        id: String,
        custom: bool,
    },
    Mix(MixId),
    Favorites,
}

/// One recently played entry: what it opens and when it was last played.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RecentEntry {
    pub target: RecentTarget,
    pub timestamp: i64,
}

/// The pseudo-playlists that `pl:` sources may name.
pub(crate) const CUSTOM_PLAYLISTS: [&str; 2] = ["recentlyadded", "recentlyplayed"];

/// The user's recently played row: their plays newest first, each mapped through its source to
/// the item it was played from, one entry per item, at most `cap`. A source naming something the
/// index no longer has falls back to the track itself; a track gone from the index is skipped.
pub(crate) fn recently_played(user: &UserPlays, library: &Library, cap: usize) -> Vec<RecentEntry> {
    let mut row: Vec<RecentEntry> = Vec::new();
    for play in user.plays().iter().rev().take(RECENT_PLAYS_WALKED) {
        if row.len() >= cap {
            break;
        }
        let Some(target) = target_of(user.source(play), play.trackhash, library) else {
            continue;
        };
        if !row.iter().any(|entry| entry.target == target) {
            row.push(RecentEntry {
                target,
                timestamp: play.timestamp,
            });
        }
    }
    row
}

fn target_of(source: &str, trackhash: Hash, library: &Library) -> Option<RecentTarget> {
    let from_source = if let Some(hash) = source.strip_prefix("al:") {
        parse_hash(hash)
            .filter(|&hash| library.album(hash).is_some())
            .map(RecentTarget::Album)
    } else if let Some(hash) = source.strip_prefix("ar:") {
        parse_hash(hash)
            .filter(|&hash| library.artist(hash).is_some())
            .map(RecentTarget::Artist)
    } else if let Some(path) = source.strip_prefix("fo:") {
        library.folder_track_count(path).map(|_| {
            let trimmed = path.trim_end_matches('/');
            RecentTarget::Folder(if trimmed.is_empty() { "/" } else { trimmed }.to_owned())
        })
    } else if let Some(id) = source.strip_prefix("pl:") {
        let custom = CUSTOM_PLAYLISTS.contains(&id);
        (custom || id.parse::<i64>().is_ok()).then(|| RecentTarget::Playlist {
            id: id.to_owned(),
            custom,
        })
    } else if let Some(mix) = source.strip_prefix("mix:") {
        // "mix:<mixid>.<sourcehash>"
        let mixid = mix.split('.').next().unwrap_or_default();
        MixId::parse(mixid).map(RecentTarget::Mix)
    } else if source == "favorite" || source == "favorites" {
        Some(RecentTarget::Favorites)
    } else {
        None
    };
    from_source.or_else(|| {
        library
            .track(trackhash)
            .map(|_| RecentTarget::Track(trackhash))
    })
}

/// One raw entry of `/nothome/recents/played`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecentlyPlayedRaw {
    /// The item's hash, or a folder path, a playlist id, a mix id, "favorites".
    pub hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_custom: Option<bool>,
    pub timestamp: i64,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl RecentEntry {
    pub(crate) fn kind(&self) -> &'static str {
        match &self.target {
            RecentTarget::Track(_) => "track",
            RecentTarget::Album(_) => "album",
            RecentTarget::Artist(_) => "artist",
            RecentTarget::Folder(_) => "folder",
            RecentTarget::Playlist { .. } => "playlist",
            RecentTarget::Mix(_) => "mix",
            RecentTarget::Favorites => "favorite",
        }
    }

    pub(crate) fn raw(&self) -> RecentlyPlayedRaw {
        let (hash, is_custom) = match &self.target {
            RecentTarget::Track(hash) | RecentTarget::Album(hash) | RecentTarget::Artist(hash) => {
                (hash_hex(*hash), None)
            }
            RecentTarget::Folder(path) => (path.clone(), None),
            RecentTarget::Playlist { id, custom } => (id.clone(), Some(*custom)),
            RecentTarget::Mix(mixid) => (mixid.to_string(), None),
            RecentTarget::Favorites => ("favorites".to_owned(), None),
        };
        RecentlyPlayedRaw {
            hash,
            is_custom,
            timestamp: self.timestamp,
            kind: self.kind(),
        }
    }
}

/// One raw entry of `/nothome/recents/added`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecentlyAddedRaw {
    /// The item's hash, or the folder path (ending with "/").
    pub hash: String,
    pub help_text: &'static str,
    pub timestamp: i64,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

pub(crate) fn added_kind(entry: &AddedEntry) -> &'static str {
    match entry.target {
        AddedTarget::Track(_) => "track",
        AddedTarget::Album(_) => "album",
        AddedTarget::Artist(_) => "artist",
        AddedTarget::Folder { .. } => "folder",
    }
}

pub(crate) fn added_raw(entry: &AddedEntry) -> RecentlyAddedRaw {
    let hash = match &entry.target {
        AddedTarget::Track(hash) | AddedTarget::Album(hash) | AddedTarget::Artist(hash) => {
            hash_hex(*hash)
        }
        AddedTarget::Folder { path, .. } => folder_with_slash(path),
    };
    RecentlyAddedRaw {
        hash,
        help_text: entry.help_text,
        timestamp: entry.timestamp,
        kind: added_kind(entry),
    }
}

/// A folder path as clients show folders: ending with "/".
pub(crate) fn folder_with_slash(path: &str) -> String {
    if path.ends_with('/') {
        path.to_owned()
    } else {
        format!("{path}/")
    }
}
