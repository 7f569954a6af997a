//! GET /getall/<albums|artists> (reference §3.13): every album or artist, sorted and paged, with a
//! `help_text` that matches the sort key.

use std::cmp::Ordering;
use std::str::FromStr;

use crate::humanize::{count_text, duration_text, now_unix, plays_text, time_ago, year_of};
use crate::paging::cap;
use crate::user::{ItemKind, PlayStats, UserView};
use crate::wire::{CardJson, GetAllResponse};
use crate::Library;

const NEVER_PLAYED: &str = "Never played";

/// What GET /getall lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GetAllKind {
    Albums,
    Artists,
}

impl FromStr for GetAllKind {
    type Err = GetAllError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "albums" => Ok(GetAllKind::Albums),
            "artists" => Ok(GetAllKind::Artists),
            other => Err(GetAllError::UnknownKind(other.to_owned())),
        }
    }
}

/// GET /getall parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetAllRequest {
    pub kind: GetAllKind,
    pub start: usize,
    /// Items per page; negative means all.
    pub limit: i64,
    pub sortby: String,
    /// Descending (Swing's `reverse="1"`).
    pub reverse: bool,
    /// Ignore leading articles in name sorts (the `artistArticleAwareSorting` setting).
    pub article_aware_sorting: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GetAllError {
    #[error("unknown item type {0:?} (expected albums or artists)")]
    UnknownKind(String),
    #[error("unknown sort key {0:?}")]
    UnknownSortKey(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortKey {
    CreatedDate,
    Duration,
    PlayCount,
    PlayDuration,
    LastPlayed,
    TrackCount,
    /// Albums: title. Artists: name.
    Name,
    /// Albums only: the first album artist's name.
    AlbumArtists,
    /// Albums only.
    Date,
    /// Artists only.
    AlbumCount,
}

impl SortKey {
    fn parse(kind: GetAllKind, key: &str) -> Option<SortKey> {
        Some(match (kind, key) {
            (_, "created_date") => SortKey::CreatedDate,
            (_, "duration") => SortKey::Duration,
            (_, "playcount") => SortKey::PlayCount,
            (_, "playduration") => SortKey::PlayDuration,
            (_, "lastplayed") => SortKey::LastPlayed,
            (_, "trackcount") => SortKey::TrackCount,
            (GetAllKind::Albums, "title") | (GetAllKind::Artists, "name") => SortKey::Name,
            (GetAllKind::Albums, "albumartists") => SortKey::AlbumArtists,
            (GetAllKind::Albums, "date") => SortKey::Date,
            (GetAllKind::Artists, "albumcount") => SortKey::AlbumCount,
            _ => return None,
        })
    }

    fn uses_plays(self) -> bool {
        matches!(
            self,
            SortKey::PlayCount | SortKey::PlayDuration | SortKey::LastPlayed
        )
    }
}

/// One item to sort: its key, a name rank to break ties, and its position in the index.
#[derive(Clone, Copy)]
struct Keyed {
    key: i64,
    tie: u32,
    index: u32,
}

impl Library {
    /// GET /getall/<itemtype>: `{items, total}`.
    pub fn get_all(
        &self,
        request: &GetAllRequest,
        user: &dyn UserView,
    ) -> Result<GetAllResponse, GetAllError> {
        let key = SortKey::parse(request.kind, &request.sortby)
            .ok_or_else(|| GetAllError::UnknownSortKey(request.sortby.clone()))?;
        let articles = request.article_aware_sorting;
        let now = now_unix();

        let (keyed, total) = match request.kind {
            GetAllKind::Albums => {
                let ranks = &self.ranks().albums;
                let keyed: Vec<Keyed> = self
                    .albums
                    .iter()
                    .enumerate()
                    .map(|(index, album)| {
                        let plays = play_stats(key, user, ItemKind::Album, album.albumhash);
                        let value = match key {
                            SortKey::CreatedDate => album.created_date,
                            SortKey::Duration => album.duration as i64,
                            SortKey::TrackCount => album.trackcount() as i64,
                            SortKey::Name => i64::from(ranks.title[index]),
                            SortKey::AlbumArtists if articles => {
                                i64::from(ranks.artist_without_article[index])
                            }
                            SortKey::AlbumArtists => i64::from(ranks.artist[index]),
                            SortKey::Date => album.date,
                            _ => play_key(key, &plays),
                        };
                        Keyed {
                            key: value,
                            tie: ranks.title[index],
                            index: index as u32,
                        }
                    })
                    .collect();
                (keyed, self.albums.len())
            }
            GetAllKind::Artists => {
                let ranks = &self.ranks().artists;
                let name_ranks = if articles {
                    &ranks.name_without_article
                } else {
                    &ranks.name
                };
                let keyed: Vec<Keyed> = self
                    .artists
                    .iter()
                    .enumerate()
                    .map(|(index, artist)| {
                        let plays = play_stats(key, user, ItemKind::Artist, artist.artisthash);
                        let value = match key {
                            SortKey::CreatedDate => artist.created_date,
                            SortKey::Duration => artist.duration as i64,
                            SortKey::TrackCount => artist.trackcount() as i64,
                            SortKey::Name => i64::from(name_ranks[index]),
                            SortKey::AlbumCount => artist.albumcount() as i64,
                            _ => play_key(key, &plays),
                        };
                        Keyed {
                            key: value,
                            tie: name_ranks[index],
                            index: index as u32,
                        }
                    })
                    .collect();
                (keyed, self.artists.len())
            }
        };

        let window = sorted_window(keyed, request.start, request.limit, request.reverse);
        let items = window
            .into_iter()
            .map(|item| match request.kind {
                GetAllKind::Albums => {
                    let album = &self.albums[item.index as usize];
                    let plays = play_stats(key, user, ItemKind::Album, album.albumhash);
                    let help_text = match key {
                        SortKey::CreatedDate => time_ago(album.created_date, now),
                        SortKey::Duration => duration_text(album.duration),
                        SortKey::TrackCount => count_text(album.trackcount(), "track"),
                        SortKey::Name | SortKey::AlbumArtists | SortKey::Date => {
                            year_of(album.date).to_string()
                        }
                        _ => play_help(key, &plays, now),
                    };
                    CardJson::Album(crate::wire::AlbumCardJson {
                        help_text: Some(help_text),
                        ..self.album_card(album)
                    })
                }
                GetAllKind::Artists => {
                    let artist = &self.artists[item.index as usize];
                    let plays = play_stats(key, user, ItemKind::Artist, artist.artisthash);
                    let help_text = match key {
                        SortKey::CreatedDate => time_ago(artist.created_date, now),
                        SortKey::Duration => duration_text(artist.duration),
                        SortKey::TrackCount | SortKey::Name => {
                            count_text(artist.trackcount(), "track")
                        }
                        SortKey::AlbumCount => count_text(artist.albumcount(), "album"),
                        _ => play_help(key, &plays, now),
                    };
                    CardJson::Artist(crate::wire::ArtistCardJson {
                        help_text: Some(help_text),
                        ..self.artist_card(artist)
                    })
                }
            })
            .collect();
        Ok(GetAllResponse { items, total })
    }
}

fn play_stats(key: SortKey, user: &dyn UserView, kind: ItemKind, hash: u64) -> PlayStats {
    if key.uses_plays() {
        user.plays(kind, hash)
    } else {
        PlayStats::default()
    }
}

fn play_key(key: SortKey, plays: &PlayStats) -> i64 {
    match key {
        SortKey::PlayCount => i64::from(plays.playcount),
        SortKey::PlayDuration => plays.playduration as i64,
        _ => plays.lastplayed,
    }
}

fn play_help(key: SortKey, plays: &PlayStats, now: i64) -> String {
    if plays.playcount == 0 {
        return NEVER_PLAYED.to_owned();
    }
    match key {
        SortKey::PlayCount => plays_text(plays.playcount, NEVER_PLAYED),
        SortKey::PlayDuration => duration_text(plays.playduration),
        _ => time_ago(plays.lastplayed, now),
    }
}

/// Sorts by key (descending when `reverse`; ties by name, ascending) and returns the page
/// `[start, start + limit)`. Only the items up to the end of the page are fully sorted.
fn sorted_window(mut keyed: Vec<Keyed>, start: usize, limit: i64, reverse: bool) -> Vec<Keyed> {
    let compare = |a: &Keyed, b: &Keyed| -> Ordering {
        let by_key = a.key.cmp(&b.key);
        let by_key = if reverse { by_key.reverse() } else { by_key };
        by_key.then(a.tie.cmp(&b.tie)).then(a.index.cmp(&b.index))
    };
    let end = start.saturating_add(cap(limit)).min(keyed.len());
    if start >= end {
        return Vec::new();
    }
    if end < keyed.len() {
        keyed.select_nth_unstable_by(end, compare);
        keyed.truncate(end);
    }
    keyed.sort_unstable_by(compare);
    keyed.drain(start..).collect()
}
