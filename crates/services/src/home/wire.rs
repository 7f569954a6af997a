//! The home page's JSON (reference §3.9, §4.1 Home item): a list of single-key sections, each
//! `{title, description?, items: [{type, item}]}`, items carrying `help_text` and `time`.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use swingfly_library::wire::{AlbumJson, ArtistCardJson, TrackJson};

use crate::mixes::{MixImage, MixJson};

/// One entry of the home list: `{<key>: section}`.
#[derive(Clone, Debug, PartialEq)]
pub struct HomeEntry {
    pub key: String,
    pub section: SectionJson,
}

impl Serialize for HomeEntry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(&self.key, &self.section)?;
        map.end()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SectionJson {
    Row(Section),
    Collection(CollectionSection),
}

/// A row of the home page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Section {
    /// Absent on "because you listened to" (as in Swing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub items: Vec<HomeItem>,
    pub title: String,
}

/// A collection's row: `{id, title, description, items, url: "collections/<id>"}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CollectionSection {
    pub description: String,
    pub id: i64,
    pub items: Vec<HomeItem>,
    pub title: String,
    pub url: String,
}

/// `{type, item}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HomeItem {
    pub item: HomeItemJson,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// The expanded item: full albums, cards for the rest.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum HomeItemJson {
    Album(Box<Described<AlbumJson>>),
    Artist(Box<ArtistTile>),
    Track(Box<TrackJson>),
    Folder(FolderTile),
    Playlist(Box<PlaylistTile>),
    Favorites(FavoritesTile),
    Mix(Box<MixJson>),
}

/// An object that has no `help_text`/`time` of its own, with them added.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Described<T> {
    #[serde(flatten)]
    pub inner: T,
    pub help_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// An artist card (with `help_text`/`time` set on it), plus the "N plays" line of the top-artist
/// rows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArtistTile {
    #[serde(flatten)]
    pub card: ArtistCardJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary_text: Option<String>,
}

/// A folder: `{path, count}` (the path ends with "/").
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FolderTile {
    pub count: usize,
    pub help_text: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// The favourites tile: `{count, image}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FavoritesTile {
    pub count: i64,
    pub help_text: String,
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// A playlist card (reference §4.1 Playlist; `trackhashes` always empty).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlaylistTile {
    pub count: usize,
    /// Seconds.
    pub duration: u64,
    pub extra: serde_json::Value,
    pub has_image: bool,
    pub help_text: String,
    /// A number, or "recentlyadded"/"recentlyplayed".
    pub id: serde_json::Value,
    /// The file name, or "None".
    pub image: String,
    pub images: Vec<MixImage>,
    /// "YYYY-MM-DD HH:MM:SS".
    pub last_updated: String,
    pub name: String,
    pub pinned: bool,
    pub settings: serde_json::Value,
    /// "thumb_<image>", or "None".
    pub thumb: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    pub trackhashes: Vec<String>,
    pub userid: i64,
}
