//! The listening charts (`/logger/top-tracks`, `/top-artists`, `/top-albums`) and the weekly stats
//! strip (`/logger/stats`): the user's plays in a window, summed per track and then per album or
//! artist through the current index, ranked, each entry with its trend against the previous window.

use std::cmp::Reverse;
use std::collections::HashMap;

use chrono::Local;
use serde::Serialize;
use swingfly_library::humanize::{count_text, duration_text, plays_text};
use swingfly_library::wire::{AlbumCardJson, ArtistCardJson, StatItem, TrackJson};
use swingfly_library::{Library, PlayStats};
use swingfly_model::Hash;

use super::period::{self, Period, Window, Windows};
use crate::app::App;
use crate::user_data::credited_items;

/// What a chart ranks by (`?order_by=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartOrder {
    PlayDuration,
    PlayCount,
}

impl ChartOrder {
    pub fn parse(text: &str) -> Option<ChartOrder> {
        match text {
            "playduration" => Some(ChartOrder::PlayDuration),
            "playcount" => Some(ChartOrder::PlayCount),
            _ => None,
        }
    }

    /// The entry's help text: its listening time or its play count.
    fn help_text(self, stats: &PlayStats) -> String {
        match self {
            ChartOrder::PlayDuration => duration_text(stats.playduration),
            ChartOrder::PlayCount => plays_text(stats.playcount, "0 plays"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChartQuery {
    pub period: Period,
    /// How many entries; negative means all.
    pub limit: i64,
    pub order: ChartOrder,
}

/// An entry's movement against the previous window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Trend {
    /// "rising", "falling" or "stable".
    pub trend: &'static str,
    /// Not played at all in the previous window.
    pub is_new: bool,
}

/// `scrobbles` of every chart: the window's total plays, their trend and the window's dates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScrobbleSummary {
    pub dates: String,
    pub text: String,
    pub trend: &'static str,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChartTrack {
    #[serde(flatten)]
    pub track: TrackJson,
    pub trend: Trend,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChartAlbum {
    #[serde(flatten)]
    pub album: AlbumCardJson,
    pub trend: Trend,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ArtistChartExtra {
    pub playcount: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChartArtist {
    #[serde(flatten)]
    pub artist: ArtistCardJson,
    pub extra: ArtistChartExtra,
    pub trend: Trend,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopTracks {
    pub scrobbles: ScrobbleSummary,
    pub tracks: Vec<ChartTrack>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopAlbums {
    pub albums: Vec<ChartAlbum>,
    pub scrobbles: ScrobbleSummary,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopArtists {
    pub artists: Vec<ChartArtist>,
    pub scrobbles: ScrobbleSummary,
}

/// `/logger/stats`: this week's strip.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListeningStats {
    pub dates: String,
    pub stats: Vec<StatItem>,
}

/// What a chart is grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Track,
    Album,
    Artist,
}

/// The user's plays in the current and previous windows, summed per trackhash.
struct Plays {
    windows: Windows,
    now: i64,
    current: Vec<(Hash, PlayStats)>,
    previous: Option<Vec<(Hash, PlayStats)>>,
}

impl Plays {
    async fn load(app: &App, user_id: i64, period: Period) -> anyhow::Result<Plays> {
        let first_play = match period {
            Period::AllTime => app.store.first_scrobble_time(user_id).await?,
            _ => None,
        };
        let (windows, now) = period::windows_now(period, first_play);
        let current = sums_in(app, user_id, windows.current).await?;
        let previous = match windows.previous {
            Some(window) => Some(sums_in(app, user_id, window).await?),
            None => None,
        };
        Ok(Plays {
            windows,
            now,
            current,
            previous,
        })
    }

    fn summary(&self) -> ScrobbleSummary {
        let count_now: u64 = self
            .current
            .iter()
            .map(|(_, s)| u64::from(s.playcount))
            .sum();
        let trend = match &self.previous {
            None => "stable",
            Some(previous) => {
                let count_before: u64 = previous.iter().map(|(_, s)| u64::from(s.playcount)).sum();
                movement(count_now, count_before)
            }
        };
        ScrobbleSummary {
            dates: period::dates_text(&Local, self.windows.shown_from, self.now),
            text: plays_text(u32::try_from(count_now).unwrap_or(u32::MAX), "0 plays"),
            trend,
        }
    }

    /// The current window's entries, ranked and cut to the limit, each with its trend.
    fn ranked(&self, library: &Library, group: Group, query: &ChartQuery) -> Vec<Ranked> {
        let current = rank(group_sums(library, group, &self.current), query.order);
        let before: Option<HashMap<Hash, usize>> = self.previous.as_ref().map(|previous| {
            rank(group_sums(library, group, previous), query.order)
                .into_iter()
                .enumerate()
                .map(|(position, (hash, _))| (hash, position))
                .collect()
        });
        let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
        current
            .into_iter()
            .take(limit)
            .enumerate()
            .map(|(position, (hash, stats))| Ranked {
                hash,
                stats,
                trend: trend(
                    position,
                    before.as_ref().map(|ranks| ranks.get(&hash).copied()),
                ),
            })
            .collect()
    }
}

struct Ranked {
    hash: Hash,
    stats: PlayStats,
    trend: Trend,
}

async fn sums_in(
    app: &App,
    user_id: i64,
    window: Window,
) -> anyhow::Result<Vec<(Hash, PlayStats)>> {
    app.home
        .track_sums_between(
            &app.store,
            &app.library(),
            user_id,
            window.start,
            window.end,
        )
        .await
}

/// Per-track sums regrouped by track, album or artist (as [`credited_items`] counts a play),
/// through `library`. Tracks the index no longer knows are left out.
fn group_sums(
    library: &Library,
    group: Group,
    tracks: &[(Hash, PlayStats)],
) -> HashMap<Hash, PlayStats> {
    let mut sums: HashMap<Hash, PlayStats> = HashMap::new();
    let mut add = |hash: Hash, stats: &PlayStats| {
        let sum = sums.entry(hash).or_default();
        sum.playcount = sum.playcount.saturating_add(stats.playcount);
        sum.playduration = sum.playduration.saturating_add(stats.playduration);
        sum.lastplayed = sum.lastplayed.max(stats.lastplayed);
    };
    for (trackhash, stats) in tracks {
        match group {
            Group::Track => {
                if library.track(*trackhash).is_some() {
                    add(*trackhash, stats);
                }
            }
            Group::Album => credited_items(library, *trackhash)
                .0
                .into_iter()
                .for_each(|albumhash| add(albumhash, stats)),
            Group::Artist => credited_items(library, *trackhash)
                .1
                .into_iter()
                .for_each(|artisthash| add(artisthash, stats)),
        }
    }
    sums
}

/// Highest first by the chosen figure, then by the other one, then the most recently played;
/// the hash settles the rest so the order is stable.
fn rank(sums: HashMap<Hash, PlayStats>, order: ChartOrder) -> Vec<(Hash, PlayStats)> {
    let mut entries: Vec<(Hash, PlayStats)> = sums.into_iter().collect();
    entries.sort_by_key(|(hash, stats)| {
        let (first, second) = match order {
            ChartOrder::PlayDuration => (stats.playduration, u64::from(stats.playcount)),
            ChartOrder::PlayCount => (u64::from(stats.playcount), stats.playduration),
        };
        (
            Reverse(first),
            Reverse(second),
            Reverse(stats.lastplayed),
            *hash,
        )
    });
    entries
}

/// `before` is None when there is no previous window (all time); Some(None) when the entry was not
/// played in it.
fn trend(position: usize, before: Option<Option<usize>>) -> Trend {
    match before {
        None => Trend {
            trend: "stable",
            is_new: false,
        },
        Some(None) => Trend {
            trend: "rising",
            is_new: true,
        },
        Some(Some(previous)) => Trend {
            // A smaller position is a better rank.
            trend: movement(previous as u64, position as u64),
            is_new: false,
        },
    }
}

/// "rising" when `now` is above `before`, "falling" below, "stable" equal.
fn movement(now: u64, before: u64) -> &'static str {
    match now.cmp(&before) {
        std::cmp::Ordering::Greater => "rising",
        std::cmp::Ordering::Less => "falling",
        std::cmp::Ordering::Equal => "stable",
    }
}

pub async fn top_tracks(app: &App, user_id: i64, query: &ChartQuery) -> anyhow::Result<TopTracks> {
    let (library, view) = app.library_for(user_id).await?;
    let plays = Plays::load(app, user_id, query.period).await?;
    let tracks = plays
        .ranked(&library, Group::Track, query)
        .into_iter()
        .filter_map(|entry| {
            let track = library.track(entry.hash)?;
            let mut json = library.track_json(track, &view);
            json.help_text = Some(query.order.help_text(&entry.stats));
            Some(ChartTrack {
                track: json,
                trend: entry.trend,
            })
        })
        .collect();
    Ok(TopTracks {
        scrobbles: plays.summary(),
        tracks,
    })
}

pub async fn top_albums(app: &App, user_id: i64, query: &ChartQuery) -> anyhow::Result<TopAlbums> {
    let library = app.library();
    let plays = Plays::load(app, user_id, query.period).await?;
    let albums = plays
        .ranked(&library, Group::Album, query)
        .into_iter()
        .filter_map(|entry| {
            let mut card = library.album_card(library.album(entry.hash)?);
            card.help_text = Some(query.order.help_text(&entry.stats));
            Some(ChartAlbum {
                album: card,
                trend: entry.trend,
            })
        })
        .collect();
    Ok(TopAlbums {
        albums,
        scrobbles: plays.summary(),
    })
}

pub async fn top_artists(
    app: &App,
    user_id: i64,
    query: &ChartQuery,
) -> anyhow::Result<TopArtists> {
    let library = app.library();
    let plays = Plays::load(app, user_id, query.period).await?;
    let artists = plays
        .ranked(&library, Group::Artist, query)
        .into_iter()
        .filter_map(|entry| {
            let mut card = library.artist_card(library.artist(entry.hash)?);
            card.help_text = Some(query.order.help_text(&entry.stats));
            Some(ChartArtist {
                artist: card,
                extra: ArtistChartExtra {
                    playcount: entry.stats.playcount,
                },
                trend: entry.trend,
            })
        })
        .collect();
    Ok(TopArtists {
        artists,
        scrobbles: plays.summary(),
    })
}

/// This week's strip: the top track, plays, listening time, new favourites and distinct tracks.
pub async fn listening_stats(app: &App, user_id: i64) -> anyhow::Result<ListeningStats> {
    let library = app.library();
    let plays = Plays::load(app, user_id, Period::Week).await?;
    let week_start = plays.windows.current.start;
    let streams: u64 = plays
        .current
        .iter()
        .map(|(_, s)| u64::from(s.playcount))
        .sum();
    let listened: u64 = plays.current.iter().map(|(_, s)| s.playduration).sum();
    let new_favorites = app
        .store
        .favorites_newest_first(user_id, None)
        .await?
        .iter()
        .take_while(|row| row.created_at >= week_start)
        .count();
    let top = rank(
        group_sums(&library, Group::Track, &plays.current),
        ChartOrder::PlayDuration,
    )
    .into_iter()
    .find_map(|(hash, _)| library.track(hash));
    let top_track = match top {
        Some(track) => StatItem {
            cssclass: "toptrack",
            image: Some(format!(
                "{:016x}.webp?pathhash={:016x}",
                track.albumhash, track.pathhash
            )),
            text: "top track".to_owned(),
            value: match track.artists.first() {
                Some(artist) => format!("{} - {}", track.title, artist.name),
                None => track.title.to_string(),
            },
        },
        None => StatItem {
            cssclass: "toptrack",
            image: None,
            text: "top track".to_owned(),
            value: "—".to_owned(),
        },
    };
    let stats = vec![
        top_track,
        StatItem {
            cssclass: "streams",
            image: None,
            text: "total streams".to_owned(),
            value: count_text(streams as usize, "stream"),
        },
        StatItem {
            cssclass: "playtime",
            image: None,
            text: "total playtime".to_owned(),
            value: duration_text(listened),
        },
        StatItem {
            cssclass: "favorites",
            image: None,
            text: "new favorites".to_owned(),
            value: count_text(new_favorites, "favorite"),
        },
        StatItem {
            cssclass: "trackcount",
            image: None,
            text: "tracks played".to_owned(),
            value: count_text(plays.current.len(), "track"),
        },
    ];
    Ok(ListeningStats {
        dates: plays.summary().dates,
        stats,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(playcount: u32, playduration: u64, lastplayed: i64) -> PlayStats {
        PlayStats {
            playcount,
            playduration,
            lastplayed,
        }
    }

    #[test]
    fn ranks_by_the_chosen_figure_then_the_other_then_recency() {
        let sums: HashMap<Hash, PlayStats> = [
            (1, stats(5, 100, 10)),
            (2, stats(2, 900, 10)),
            (3, stats(5, 300, 10)),
            (4, stats(5, 300, 20)),
        ]
        .into_iter()
        .collect();
        let by_count: Vec<Hash> = rank(sums.clone(), ChartOrder::PlayCount)
            .into_iter()
            .map(|(h, _)| h)
            .collect();
        assert_eq!(by_count, [4, 3, 1, 2]);
        let by_time: Vec<Hash> = rank(sums, ChartOrder::PlayDuration)
            .into_iter()
            .map(|(h, _)| h)
            .collect();
        assert_eq!(by_time, [2, 4, 3, 1]);
    }

    #[test]
    fn trends_compare_ranks_and_mark_new_entries() {
        assert_eq!(trend(0, Some(Some(3))).trend, "rising");
        assert_eq!(trend(3, Some(Some(0))).trend, "falling");
        assert_eq!(trend(2, Some(Some(2))).trend, "stable");
        assert_eq!(
            trend(5, Some(None)),
            Trend {
                trend: "rising",
                is_new: true
            }
        );
        assert_eq!(
            trend(0, None),
            Trend {
                trend: "stable",
                is_new: false
            }
        );
        assert_eq!(movement(10, 4), "rising");
        assert_eq!(movement(0, 4), "falling");
    }
}
