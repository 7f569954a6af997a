//! The mix objects clients read (reference §4.1 Mix).

use serde::Serialize;
use swingfly_library::wire::TrackJson;

/// An album picture of a mix: `{image: "<albumhash>.webp", color}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MixImage {
    pub color: Option<String>,
    pub image: String,
}

/// `extra` of a mix.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MixExtra {
    /// The artist the mix grows around (for a track mix, the track's first artist).
    pub artisthash: String,
    /// The artist's picture for an artist mix, the seed album's for a track mix.
    pub image: String,
    /// Up to four album pictures of the mix's tracks.
    pub images: Vec<MixImage>,
    /// The seed's hash (as `sourcehash`).
    pub og_sourcehash: String,
    /// "artist" or "track".
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// A mix card.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MixJson {
    pub description: String,
    pub extra: MixExtra,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_text: Option<String>,
    /// `a<artisthash>` or `t<trackhash>`.
    pub id: String,
    pub saved: bool,
    /// The hash of the artist or track the mix grows from.
    pub sourcehash: String,
    /// "x ago" of `timestamp`; absent when the mix was never played from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Unix seconds: the user's last play of the seed (or when they saved the mix), 0 if neither.
    pub timestamp: i64,
    pub title: String,
    /// A hash of the track list: it changes when the mix does.
    pub trackshash: String,
    /// Always "mix".
    #[serde(rename = "type")]
    pub item_type: &'static str,
    pub userid: i64,
}

/// A mix with its tracks.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FullMixJson {
    #[serde(flatten)]
    pub mix: MixJson,
    /// "2 hrs, 5 mins".
    pub duration: String,
    pub trackcount: usize,
    pub tracks: Vec<TrackJson>,
}
