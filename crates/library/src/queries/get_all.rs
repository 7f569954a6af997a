//! GET /getall/<albums|artists> (reference §3.13): every album or artist, sorted and paged, with a
//! `help_text` that matches the sort key.

use std::cmp::Ordering;
use std::str::FromStr;
use std::sync::OnceLock;

use crate::humanize::{count_text, duration_text, now_unix, plays_text, time_ago, year_of};
use crate::paging::{cap, page};
use crate::user::{ItemKind, NoUser, PlayStats, UserView};
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

/// The discriminant indexes [`GetAllOrders`]; keep [`SORT_KEYS`] equal to the variant count.
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

/// The get-all orders that depend only on the index, one per (kind, sort key, article-aware
/// sorting, direction), each computed on first use. A request then only slices its page.
pub(crate) struct GetAllOrders {
    slots: [OnceLock<Box<[u32]>>; ORDER_SLOTS],
}

const SORT_KEYS: usize = 10;
const ORDER_SLOTS: usize = 2 * SORT_KEYS * 2 * 2;

impl Default for GetAllOrders {
    fn default() -> Self {
        GetAllOrders {
            slots: std::array::from_fn(|_| OnceLock::new()),
        }
    }
}

impl GetAllOrders {
    fn slot(kind: GetAllKind, key: SortKey, articles: bool, reverse: bool) -> usize {
        let kind = match kind {
            GetAllKind::Albums => 0,
            GetAllKind::Artists => 1,
        };
        ((kind * SORT_KEYS + key as usize) * 2 + usize::from(articles)) * 2 + usize::from(reverse)
    }
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
        let now = now_unix();
        let total = match request.kind {
            GetAllKind::Albums => self.albums.len(),
            GetAllKind::Artists => self.artists.len(),
        };

        let play_sorted: Vec<u32>;
        let window: &[u32] = if key.uses_plays() {
            // Play statistics are per user: sort this user's view, as far as the page needs.
            let keyed = self.keyed(request.kind, key, request.article_aware_sorting, user);
            play_sorted = sorted_window(keyed, request.start, request.limit, request.reverse);
            &play_sorted
        } else {
            page(
                self.index_order(
                    request.kind,
                    key,
                    request.article_aware_sorting,
                    request.reverse,
                ),
                request.start,
                request.limit,
            )
        };
        let items = window
            .iter()
            .map(|&index| match request.kind {
                GetAllKind::Albums => {
                    let album = &self.albums[index as usize];
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
                    let artist = &self.artists[index as usize];
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

    /// The whole sorted order (positions in `albums` or `artists`) for a key that does not depend
    /// on the user, computed once per index.
    fn index_order(&self, kind: GetAllKind, key: SortKey, articles: bool, reverse: bool) -> &[u32] {
        self.get_all_orders.slots[GetAllOrders::slot(kind, key, articles, reverse)].get_or_init(
            || {
                let keyed = self.keyed(kind, key, articles, &NoUser);
                sorted_window(keyed, 0, -1, reverse).into_boxed_slice()
            },
        )
    }

    /// Every album or artist with its sort key and name tie-breaker.
    fn keyed(
        &self,
        kind: GetAllKind,
        key: SortKey,
        articles: bool,
        user: &dyn UserView,
    ) -> Vec<Keyed> {
        match kind {
            GetAllKind::Albums => {
                let ranks = &self.ranks().albums;
                self.albums
                    .iter()
                    .enumerate()
                    .map(|(index, album)| {
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
                            _ => play_key(key, &user.plays(ItemKind::Album, album.albumhash)),
                        };
                        Keyed {
                            key: value,
                            tie: ranks.title[index],
                            index: index as u32,
                        }
                    })
                    .collect()
            }
            GetAllKind::Artists => {
                let ranks = &self.ranks().artists;
                let name_ranks = if articles {
                    &ranks.name_without_article
                } else {
                    &ranks.name
                };
                self.artists
                    .iter()
                    .enumerate()
                    .map(|(index, artist)| {
                        let value = match key {
                            SortKey::CreatedDate => artist.created_date,
                            SortKey::Duration => artist.duration as i64,
                            SortKey::TrackCount => artist.trackcount() as i64,
                            SortKey::Name => i64::from(name_ranks[index]),
                            SortKey::AlbumCount => artist.albumcount() as i64,
                            _ => play_key(key, &user.plays(ItemKind::Artist, artist.artisthash)),
                        };
                        Keyed {
                            key: value,
                            tie: name_ranks[index],
                            index: index as u32,
                        }
                    })
                    .collect()
            }
        }
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

/// Sorts by key (descending when `reverse`; ties by name, ascending) and returns the positions
/// of the page `[start, start + limit)`. Only the items up to the end of the page are fully
/// sorted.
fn sorted_window(mut keyed: Vec<Keyed>, start: usize, limit: i64, reverse: bool) -> Vec<u32> {
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
    keyed[start..].iter().map(|item| item.index).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use swingfly_model::{IndexSettings, RawTrack};

    use super::*;

    /// Few distinct dates, durations and counts, so most keys tie and the name decides; names
    /// with and without leading articles.
    fn library_with_ties() -> Library {
        let artists = ["The Band", "Band", "a Singer", "Zed", "the Zed", "Émile"];
        let raw = (0..90u32)
            .map(|index| {
                let artist = artists[index as usize % artists.len()];
                let album = format!(
                    "{} Record {}",
                    ["The", "A", ""][index as usize % 3],
                    index % 17
                );
                RawTrack {
                    filepath: format!("/music/{artist}/{album}/{index}.flac"),
                    folder: format!("/music/{artist}/{album}"),
                    title: Some(format!("Song {index}")),
                    artists: Some(artist.to_owned()),
                    album: Some(album),
                    albumartists: Some(artist.to_owned()),
                    date: Some(format!("{}", 1990 + index % 3)),
                    mtime: 1_600_000_000 + i64::from(index % 4) * 86_400,
                    size: 1_000,
                    duration: f64::from(100 + (index % 2) * 100),
                    bitrate: 320,
                    ..RawTrack::default()
                }
            })
            .collect();
        Library::build(raw, &IndexSettings::default(), &HashMap::new(), 1)
    }

    /// The order a plain stable sort of every item gives (the definition of the get-all order).
    fn fresh_order(
        library: &Library,
        kind: GetAllKind,
        key: SortKey,
        articles: bool,
        reverse: bool,
    ) -> Vec<u32> {
        let mut keyed = library.keyed(kind, key, articles, &NoUser);
        keyed.sort_by(|a, b| {
            let by_key = if reverse {
                b.key.cmp(&a.key)
            } else {
                a.key.cmp(&b.key)
            };
            by_key.then(a.tie.cmp(&b.tie))
        });
        keyed.iter().map(|item| item.index).collect()
    }

    #[test]
    fn precomputed_orders_equal_a_fresh_sort_for_every_index_key() {
        let library = library_with_ties();
        let keys = [
            (
                GetAllKind::Albums,
                [
                    "created_date",
                    "duration",
                    "trackcount",
                    "title",
                    "albumartists",
                    "date",
                ]
                .as_slice(),
            ),
            (
                GetAllKind::Artists,
                [
                    "created_date",
                    "duration",
                    "trackcount",
                    "name",
                    "albumcount",
                ]
                .as_slice(),
            ),
        ];
        let mut saw_ties = false;
        for (kind, names) in keys {
            for name in names {
                let key = SortKey::parse(kind, name).unwrap();
                assert!(!key.uses_plays());
                for articles in [false, true] {
                    for reverse in [false, true] {
                        let expected = fresh_order(&library, kind, key, articles, reverse);
                        let keyed = library.keyed(kind, key, articles, &NoUser);
                        let distinct: std::collections::HashSet<i64> =
                            keyed.iter().map(|item| item.key).collect();
                        saw_ties |= distinct.len() < keyed.len();
                        assert_eq!(
                            library.index_order(kind, key, articles, reverse),
                            expected.as_slice(),
                            "{kind:?} {name} articles={articles} reverse={reverse}"
                        );
                        // Pages are slices of the full order.
                        for (start, limit) in [(0, 5), (3, 7), (10, -1), (usize::MAX, 4)] {
                            let request = GetAllRequest {
                                kind,
                                start,
                                limit,
                                sortby: (*name).to_owned(),
                                reverse,
                                article_aware_sorting: articles,
                            };
                            let items = library.get_all(&request, &NoUser).unwrap().items;
                            let want = page(&expected, start, limit);
                            assert_eq!(items.len(), want.len());
                            for (item, &index) in items.iter().zip(want) {
                                let hash = match (item, kind) {
                                    (CardJson::Album(card), _) => card.albumhash.0,
                                    (CardJson::Artist(card), _) => card.artisthash.0,
                                };
                                let expected_hash = match kind {
                                    GetAllKind::Albums => library.albums[index as usize].albumhash,
                                    GetAllKind::Artists => {
                                        library.artists[index as usize].artisthash
                                    }
                                };
                                assert_eq!(hash, expected_hash);
                            }
                        }
                    }
                }
            }
        }
        assert!(saw_ties, "the sample must contain tied keys");
    }
}
