//! The JSON objects Swing Music's clients read (reference §4.1), with Swing's key names. Hashes are
//! 16-hex strings; keys are declared in alphabetical order, as Flask emits them.
//!
//! These are owned values: a query builds them from the index, the adapter serialises them.

use std::sync::Arc;

use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use swingfly_model::{ArtistRef, Genre, Hash};

/// A hash on the wire: 16 lowercase hex characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HexHash(pub Hash);

impl HexHash {
    /// The 16 lowercase hex digits, without `format!`'s machinery (a track carries ten or more
    /// hashes, and track-heavy answers spent a visible share of their time formatting them).
    pub fn digits(self) -> [u8; 16] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 16];
        for (index, digit) in out.iter_mut().enumerate() {
            *digit = DIGITS[((self.0 >> (60 - 4 * index)) & 0xf) as usize];
        }
        out
    }
}

impl Serialize for HexHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let digits = self.digits();
        // Hex digits are ASCII.
        serializer.serialize_str(std::str::from_utf8(&digits).unwrap_or_default())
    }
}

/// A shared artist list serialised as `[{name, artisthash}]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ArtistRefs(pub Arc<[ArtistRef]>);

impl Serialize for ArtistRefs {
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
        for artist in self.0.iter() {
            list.serialize_element(&One(artist))?;
        }
        list.end()
    }
}

/// A JSON object whose keys keep their insertion order (Swing builds these from Python dicts).
#[derive(Clone, Debug, PartialEq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// `{}` on the wire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EmptyObject {}

/// Leftover tag values shipped inside a track (`track.extra`). Embedded lyrics are deliberately not
/// included (Swing sends them with every track; `/lyrics` serves them instead). Absent tags are
/// omitted rather than sent as null.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrackExtra {
    /// The track artists' names.
    pub artist: Vec<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bitdepth: Option<u8>,
    pub channels: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub composer: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disc_total: Option<u32>,
    pub filesize: u64,
    /// Genre names.
    pub genre: Vec<String>,
    pub samplerate: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track_total: Option<u32>,
}

/// A track (`serialize_track`). `disc`/`track` appear only on POST /album; `help_text`, `time`
/// and `type` only where a route adds them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrackJson {
    pub album: Arc<str>,
    pub albumartists: ArtistRefs,
    pub albumhash: HexHash,
    /// Track artists (featured artists included).
    pub artisthashes: Vec<HexHash>,
    pub artists: ArtistRefs,
    pub bitrate: u32,
    pub blurhash: String,
    pub color: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disc: Option<u32>,
    pub duration: u32,
    pub explicit: bool,
    pub extra: TrackExtra,
    pub filepath: String,
    /// The parent folder, ending with "/".
    pub folder: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_text: Option<String>,
    /// `"<albumhash>.webp?pathhash=<pathhash>"`.
    pub image: String,
    pub is_favorite: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    pub title: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track: Option<u32>,
    pub trackhash: HexHash,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub item_type: Option<&'static str>,
    pub weakhash: HexHash,
}

/// An album card (`serialize_for_card`). `type` is always "album" here: it names the item kind,
/// not the album type (that one is on [`AlbumJson`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlbumCardJson {
    pub albumartists: ArtistRefs,
    pub albumhash: HexHash,
    pub blurhash: String,
    /// `"rgb(r, g, b)"`, or null while unknown.
    pub color: Option<String>,
    /// Unix seconds of the earliest track date.
    pub date: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_text: Option<String>,
    /// `"<albumhash>.webp"`; clients add `?pathhash=` from `pathhash` for the folder-art fallback.
    pub image: String,
    pub pathhash: HexHash,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    pub title: Arc<str>,
    #[serde(rename = "type")]
    pub item_type: &'static str,
    pub versions: Vec<String>,
}

/// The full album object (POST /album `info`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlbumJson {
    pub albumartists: ArtistRefs,
    pub albumhash: HexHash,
    /// The album artists' hashes.
    pub artisthashes: Vec<HexHash>,
    pub base_title: Arc<str>,
    pub blurhash: String,
    pub color: Option<String>,
    /// The earliest file mtime, unix seconds.
    pub created_date: i64,
    pub date: i64,
    /// Seconds, summed over the album's distinct tracks.
    pub duration: u64,
    pub extra: EmptyObject,
    /// Always empty: favourites are per user and reported by `is_favorite`.
    pub fav_userids: Vec<i64>,
    /// The genre hashes joined with spaces (Swing's shape).
    pub genrehashes: String,
    pub genres: Vec<Genre>,
    /// Always -1, as in Swing.
    pub id: i64,
    pub image: String,
    pub is_favorite: bool,
    pub lastplayed: i64,
    pub og_title: Arc<str>,
    pub pathhash: HexHash,
    pub playcount: u32,
    pub playduration: u64,
    pub title: Arc<str>,
    pub trackcount: usize,
    /// album, single, ep, compilation, soundtrack or "live album".
    #[serde(rename = "type")]
    pub album_type: &'static str,
    pub versions: Vec<String>,
    pub weakhash: HexHash,
}

/// An artist card. The optional fields appear where a route adds them (the artist page header,
/// a search top result, get-all help texts).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArtistCardJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub albumcount: Option<usize>,
    pub artisthash: HexHash,
    pub blurhash: String,
    /// `"rgb(r, g, b)"`, or "" while unknown.
    pub color: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub genres: Option<Vec<Genre>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_text: Option<String>,
    /// `"<artisthash>.webp"`.
    pub image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_favorite: Option<bool>,
    pub name: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trackcount: Option<usize>,
    #[serde(rename = "type")]
    pub item_type: &'static str,
}

/// A folder in the folder view.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FolderJson {
    pub is_sym: bool,
    pub name: String,
    /// Ends with "/".
    pub path: String,
    /// Indexed files below this folder, recursively.
    pub trackcount: usize,
}

/// One tile of the stats strip on the album and artist pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatItem {
    pub cssclass: &'static str,
    pub image: Option<String>,
    pub text: String,
    pub value: String,
}

/// `extra` of POST /album.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AlbumPageExtra {
    pub avg_bitrate: u64,
    /// The sum of the distinct per-track `track_total` values (1 where a track has none).
    pub track_total: u64,
}

/// POST /album.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlbumPage {
    /// The first track's copyright, null when it has none.
    pub copyright: Option<Arc<str>>,
    pub extra: AlbumPageExtra,
    pub info: AlbumJson,
    /// `{artisthash: [AlbumCard]}` per album artist.
    pub more_from: OrderedMap<Vec<AlbumCardJson>>,
    pub other_versions: Vec<AlbumCardJson>,
    pub stats: Vec<StatItem>,
    /// With `disc` and `track`, in disc/track order.
    pub tracks: Vec<TrackJson>,
}

/// GET /artist/<h>/albums (also `albums` of the artist page).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArtistAlbums {
    pub albums: Vec<AlbumCardJson>,
    pub appearances: Vec<AlbumCardJson>,
    pub artistname: Arc<str>,
    pub compilations: Vec<AlbumCardJson>,
    pub singles_and_eps: Vec<AlbumCardJson>,
}

/// GET /artist/<h>.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ArtistPage {
    pub albums: ArtistAlbums,
    pub artist: ArtistCardJson,
    pub stats: Vec<StatItem>,
    pub tracks: Vec<TrackJson>,
}

/// POST /folder.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FolderResponse {
    pub folders: Vec<FolderJson>,
    /// The listed directory (after auto-descend), without a trailing slash; "$home" when the
    /// root folders themselves are listed.
    pub path: String,
    /// Audio files in the directory on disk, indexed or not.
    pub total: usize,
    pub tracks: Vec<TrackJson>,
}

/// An album or an artist card, as get-all and search lists hold them.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CardJson {
    Album(AlbumCardJson),
    Artist(ArtistCardJson),
}

/// GET /getall/<itemtype>.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GetAllResponse {
    pub items: Vec<CardJson>,
    pub total: usize,
}

/// Any search result.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SearchItemJson {
    Track(TrackJson),
    Album(AlbumCardJson),
    Artist(ArtistCardJson),
}

/// GET /search/top.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopSearchResponse {
    pub albums: Vec<AlbumCardJson>,
    pub artists: Vec<ArtistCardJson>,
    /// A track (with `type: "track"`), an album card or an artist card (with `albumcount` and
    /// `trackcount`); null when nothing matched.
    pub top_result: Option<SearchItemJson>,
    pub tracks: Vec<TrackJson>,
}

/// GET /search/.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchResponse {
    pub more: bool,
    pub results: Vec<SearchItemJson>,
}
