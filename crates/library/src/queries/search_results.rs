//! GET /search/top and GET /search/ (reference §5.7). Fuzzy matching is the search index's job;
//! this module runs Swing's pipeline over the matches: the best match of any kind is the top
//! result, and it decides which tracks and albums lead the lists.

use std::collections::HashSet;
use std::str::FromStr;

use serde::Serialize;
use swingfly_model::Hash;

use crate::entities::IndexedTrack;
use crate::paging::{cap, has_more, page};
use crate::track_writer::TrackOut;
use crate::user::{ItemKind, UserView};
use crate::wire::{
    AlbumCardJson, ArtistCardJson, SearchItemJson, SearchResponse, TopSearchResponse, TrackJson,
};
use crate::Library;

/// Matches considered per kind.
const CANDIDATES: usize = 150;
/// Tracks shown by /search/top.
const TOP_TRACKS: usize = 4;

/// What GET /search/ lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchKind {
    Tracks,
    Albums,
    Artists,
}

impl FromStr for SearchKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "tracks" => Ok(SearchKind::Tracks),
            "albums" => Ok(SearchKind::Albums),
            "artists" => Ok(SearchKind::Artists),
            other => Err(format!(
                "unknown search item type {other:?} (expected tracks, albums or artists)"
            )),
        }
    }
}

/// The best match overall, as a position in the matching index's entity list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TopResult {
    /// A position in `tracks`.
    Track(u32),
    /// A position in `albums`.
    Album(u32),
    /// A position in `artists`.
    Artist(u32),
}

/// Fuzzy matches per kind, best first: (position in the index, score).
struct Matches {
    tracks: Vec<(u32, u32)>,
    albums: Vec<(u32, u32)>,
    artists: Vec<(u32, u32)>,
}

impl Matches {
    /// The best-scoring first match; on ties artists beat tracks, which beat albums.
    fn top(&self) -> Option<TopResult> {
        let track = self
            .tracks
            .first()
            .map(|&(id, score)| (score, TopResult::Track(id)));
        let album = self
            .albums
            .first()
            .map(|&(id, score)| (score, TopResult::Album(id)));
        let artist = self
            .artists
            .first()
            .map(|&(id, score)| (score, TopResult::Artist(id)));
        [artist, track, album]
            .into_iter()
            .flatten()
            .fold(None::<(u32, TopResult)>, |best, candidate| match best {
                Some(current) if current.0 >= candidate.0 => Some(current),
                _ => Some(candidate),
            })
            .map(|(_, top)| top)
    }
}

/// How many matches of each kind a query needs: the top result needs the first of every kind,
/// and a list needs as many as it shows (never more than [`CANDIDATES`]).
#[derive(Clone, Copy, Debug)]
struct Wanted {
    tracks: usize,
    albums: usize,
    artists: usize,
}

impl Wanted {
    /// The first match of every kind and `count` of `kind`.
    fn listing(kind: SearchKind, count: usize) -> Wanted {
        let count = count.clamp(1, CANDIDATES);
        Wanted {
            tracks: if kind == SearchKind::Tracks { count } else { 1 },
            albums: if kind == SearchKind::Albums { count } else { 1 },
            artists: if kind == SearchKind::Artists {
                count
            } else {
                1
            },
        }
    }
}

impl Library {
    /// The best matches of each kind, best first. The index ranks a query's matches the same
    /// whatever the limit, so fewer candidates give a prefix of the full lists.
    fn matches(&self, query: &str, wanted: Wanted) -> Matches {
        let query = query.trim();
        if query.is_empty() {
            return Matches {
                tracks: Vec::new(),
                albums: Vec::new(),
                artists: Vec::new(),
            };
        }
        let hits = |index: &crate::search::SearchIndex, limit: usize| -> Vec<(u32, u32)> {
            index
                .search(query, limit)
                .into_iter()
                .map(|hit| (hit.id, hit.score))
                .collect()
        };
        Matches {
            tracks: hits(&self.track_search, wanted.tracks)
                .into_iter()
                .filter_map(|(entry, score)| {
                    self.primary_tracks
                        .get(entry as usize)
                        .map(|&id| (id, score))
                })
                .collect(),
            albums: hits(&self.album_search, wanted.albums),
            artists: hits(&self.artist_search, wanted.artists),
        }
    }

    /// Tracks led by the top result's album or artist tracks (most listened first), then the
    /// matched tracks; one per trackhash, at most `limit`.
    fn ranked_tracks(
        &self,
        matches: &Matches,
        top: Option<TopResult>,
        limit: usize,
        user: &dyn UserView,
    ) -> Vec<&IndexedTrack> {
        let mut leading: Vec<&IndexedTrack> = match top {
            Some(TopResult::Album(index)) => self
                .album_track_records(&self.albums[index as usize])
                .collect(),
            Some(TopResult::Artist(index)) => self
                .artist_track_records(&self.artists[index as usize])
                .collect(),
            _ => Vec::new(),
        };
        leading.sort_by_cached_key(|track| {
            std::cmp::Reverse(user.plays(ItemKind::Track, track.trackhash).playduration)
        });
        let matched = matches
            .tracks
            .iter()
            .map(|&(id, _)| &self.tracks[id as usize]);
        let mut seen: HashSet<Hash> = HashSet::new();
        leading
            .into_iter()
            .chain(matched)
            .filter(|track| seen.insert(track.trackhash))
            .take(limit)
            .collect()
    }

    /// Albums led by the top artist's albums (newest first), then the matched albums; at most
    /// `limit`.
    fn ranked_albums(&self, matches: &Matches, top: Option<TopResult>, limit: usize) -> Vec<u32> {
        let leading: Vec<u32> = match top {
            Some(TopResult::Artist(index)) => self.artists[index as usize].albums.to_vec(),
            _ => Vec::new(),
        };
        let mut seen: HashSet<u32> = HashSet::new();
        leading
            .into_iter()
            .chain(matches.albums.iter().map(|&(id, _)| id))
            .filter(|&id| seen.insert(id))
            .take(limit)
            .collect()
    }

    fn album_cards(&self, ids: &[u32]) -> Vec<AlbumCardJson> {
        ids.iter()
            .map(|&id| self.album_card(&self.albums[id as usize]))
            .collect()
    }

    fn artist_cards(&self, matches: &[(u32, u32)]) -> Vec<ArtistCardJson> {
        matches
            .iter()
            .map(|&(id, _)| self.artist_card(&self.artists[id as usize]))
            .collect()
    }

    fn top_result_json(&self, top: TopResult, user: &dyn UserView) -> SearchItemJson {
        match top {
            TopResult::Track(id) => SearchItemJson::Track(TrackJson {
                item_type: Some("track"),
                ..self.track_json(&self.tracks[id as usize], user)
            }),
            TopResult::Album(index) => {
                SearchItemJson::Album(self.album_card(&self.albums[index as usize]))
            }
            TopResult::Artist(index) => {
                let artist = &self.artists[index as usize];
                SearchItemJson::Artist(ArtistCardJson {
                    albumcount: Some(artist.albumcount()),
                    trackcount: Some(artist.trackcount()),
                    ..self.artist_card(artist)
                })
            }
        }
    }

    /// GET /search/top: the top result, up to 4 tracks, and up to `limit` artists and albums.
    pub fn search_top(&self, query: &str, limit: usize, user: &dyn UserView) -> TopSearchResponse {
        let found = self.top_matches(query, limit, user);
        TopSearchResponse {
            albums: found.albums,
            artists: found.artists,
            top_result: found.top.map(|top| self.top_result_json(top, user)),
            tracks: self.tracks_json(found.tracks, user),
        }
    }

    /// [`Library::search_top`] as JSON bytes, written straight from the index (the same JSON).
    pub fn search_top_json(&self, query: &str, limit: usize, user: &dyn UserView) -> Vec<u8> {
        let found = self.top_matches(query, limit, user);
        let out = TopSearchOut {
            albums: &found.albums,
            artists: &found.artists,
            top_result: found.top.map(|top| match top {
                TopResult::Track(id) => TopOut::Track(
                    TrackOut::new(self, &self.tracks[id as usize], user).with_type("track"),
                ),
                other => TopOut::Card(Box::new(self.top_result_json(other, user))),
            }),
            tracks: found
                .tracks
                .iter()
                .map(|track| TrackOut::new(self, track, user))
                .collect(),
        };
        json_bytes(&out, 2048 + TRACK_JSON_SIZE * (found.tracks.len() + 1))
    }

    fn top_matches<'a>(&'a self, query: &str, limit: usize, user: &dyn UserView) -> TopMatches<'a> {
        // Every list is led by the first match of its kind or the top result's items, so `n`
        // items never need more than `n` matches (and the top result the first of each).
        let wanted = limit.clamp(1, CANDIDATES);
        let matches = self.matches(
            query,
            Wanted {
                tracks: TOP_TRACKS,
                albums: wanted,
                artists: wanted,
            },
        );
        let top = matches.top();
        TopMatches {
            albums: self.album_cards(&self.ranked_albums(&matches, top, limit)),
            artists: self.artist_cards(&matches.artists[..limit.min(matches.artists.len())]),
            top,
            tracks: self.ranked_tracks(&matches, top, TOP_TRACKS, user),
        }
    }

    /// GET /search/: one kind of result, at most 150, paged by `start`/`limit` (negative limit:
    /// everything from `start`). `more` says whether items remain after the page.
    pub fn search(
        &self,
        query: &str,
        kind: SearchKind,
        start: usize,
        limit: i64,
        user: &dyn UserView,
    ) -> SearchResponse {
        let (items, more) = self.search_page(query, kind, start, limit, user);
        let results = match items {
            PageItems::Tracks(tracks) => tracks
                .into_iter()
                .map(|track| SearchItemJson::Track(self.track_json(track, user)))
                .collect(),
            PageItems::Albums(albums) => albums.into_iter().map(SearchItemJson::Album).collect(),
            PageItems::Artists(artists) => {
                artists.into_iter().map(SearchItemJson::Artist).collect()
            }
        };
        SearchResponse { more, results }
    }

    /// [`Library::search`] as JSON bytes, written straight from the index (the same JSON).
    pub fn search_json(
        &self,
        query: &str,
        kind: SearchKind,
        start: usize,
        limit: i64,
        user: &dyn UserView,
    ) -> Vec<u8> {
        let (items, more) = self.search_page(query, kind, start, limit, user);
        let (results, size) = match &items {
            PageItems::Tracks(tracks) => (
                ResultsOut::Tracks(
                    tracks
                        .iter()
                        .map(|track| TrackOut::new(self, track, user))
                        .collect(),
                ),
                TRACK_JSON_SIZE * tracks.len(),
            ),
            PageItems::Albums(albums) => (ResultsOut::Albums(albums), 512 * albums.len()),
            PageItems::Artists(artists) => (ResultsOut::Artists(artists), 512 * artists.len()),
        };
        json_bytes(&SearchOut { more, results }, 64 + size)
    }

    /// One page of one kind of match, and whether more follow.
    fn search_page<'a>(
        &'a self,
        query: &str,
        kind: SearchKind,
        start: usize,
        limit: i64,
        user: &dyn UserView,
    ) -> (PageItems<'a>, bool) {
        // Only whether an item follows the page matters for `more`, so one past the page is
        // enough: the lists are prefixes of the full 150-match lists.
        let needed = start.saturating_add(cap(limit)).saturating_add(1);
        let matches = self.matches(query, Wanted::listing(kind, needed));
        let top = matches.top();
        let (items, total) = match kind {
            SearchKind::Tracks => {
                let tracks = self.ranked_tracks(&matches, top, needed.min(CANDIDATES), user);
                let total = tracks.len();
                (
                    PageItems::Tracks(page(&tracks, start, limit).to_vec()),
                    total,
                )
            }
            SearchKind::Albums => {
                let albums = self.ranked_albums(&matches, top, needed.min(CANDIDATES));
                let total = albums.len();
                (
                    PageItems::Albums(self.album_cards(page(&albums, start, limit))),
                    total,
                )
            }
            SearchKind::Artists => {
                let artists = page(&matches.artists, start, limit);
                (
                    PageItems::Artists(self.artist_cards(artists)),
                    matches.artists.len(),
                )
            }
        };
        (items, has_more(total, start, limit))
    }
}

/// Roughly the JSON size of one track, to size the answer's buffer once.
pub(crate) const TRACK_JSON_SIZE: usize = 1024;

/// `value` as JSON in a buffer of `capacity` bytes to start with (growing it from empty cost
/// several copies of a 30 KB answer).
pub(crate) fn json_bytes(value: &impl Serialize, capacity: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(capacity);
    // Writing to a Vec fails only if a Serialize impl fails, and these never do.
    serde_json::to_writer(&mut bytes, value).expect("search answers serialise");
    bytes
}

/// What /search/top found, before it is written.
struct TopMatches<'a> {
    albums: Vec<AlbumCardJson>,
    artists: Vec<ArtistCardJson>,
    top: Option<TopResult>,
    tracks: Vec<&'a IndexedTrack>,
}

/// One page of /search/, before it is written.
enum PageItems<'a> {
    Tracks(Vec<&'a IndexedTrack>),
    Albums(Vec<AlbumCardJson>),
    Artists(Vec<ArtistCardJson>),
}

/// [`TopSearchResponse`], borrowing.
#[derive(Serialize)]
struct TopSearchOut<'a> {
    albums: &'a [AlbumCardJson],
    artists: &'a [ArtistCardJson],
    top_result: Option<TopOut<'a>>,
    tracks: Vec<TrackOut<'a>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum TopOut<'a> {
    Track(TrackOut<'a>),
    Card(Box<SearchItemJson>),
}

/// [`SearchResponse`], borrowing.
#[derive(Serialize)]
struct SearchOut<'a> {
    more: bool,
    results: ResultsOut<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ResultsOut<'a> {
    Tracks(Vec<TrackOut<'a>>),
    Albums(&'a [AlbumCardJson]),
    Artists(&'a [ArtistCardJson]),
}
