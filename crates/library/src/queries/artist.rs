//! GET /artist/<h>, /artist/<h>/albums, /artist/<h>/tracks and /artist/<h>/similar.

use swingfly_model::album::AlbumType;
use swingfly_model::Hash;

use super::search_results::{json_bytes, TRACK_JSON_SIZE};
use super::stats::GroupKind;
use crate::entities::{Artist, IndexedTrack};
use crate::humanize::{plays_text, year_of};
use crate::paging::cap;
use crate::present::decade_genre;
use crate::track_writer::TrackOut;
use crate::user::{ItemKind, UserView};
use crate::wire::{ArtistAlbums, ArtistCardJson, ArtistPage, StatItem, TrackJson};
use crate::Library;

/// The artist page before its tracks are turned into JSON.
struct ArtistPageParts<'a> {
    albums: ArtistAlbums,
    artist: ArtistCardJson,
    stats: Vec<StatItem>,
    tracks: Vec<&'a IndexedTrack>,
}

/// [`ArtistPage`], borrowing (same keys, same order).
#[derive(serde::Serialize)]
struct ArtistPageOut<'a> {
    albums: &'a ArtistAlbums,
    artist: &'a ArtistCardJson,
    stats: &'a [StatItem],
    tracks: Vec<TrackOut<'a>>,
}

/// An artist with no albums and fewer tracks than this gets all of them on the artist page.
const SHOW_ALL_TRACKS_BELOW: usize = 10;

impl Library {
    /// GET /artist/<h>: the artist header, up to `tracklimit` tracks by play count (zero or
    /// negative: all), the album buckets (up to `albumlimit` each unless `all`) and stats.
    /// `None` when the artist is unknown.
    pub fn artist_page(
        &self,
        artisthash: Hash,
        tracklimit: i64,
        albumlimit: i64,
        all: bool,
        user: &dyn UserView,
    ) -> Option<ArtistPage> {
        let parts = self.artist_page_parts(artisthash, tracklimit, albumlimit, all, user)?;
        Some(ArtistPage {
            albums: parts.albums,
            artist: parts.artist,
            stats: parts.stats,
            tracks: self.tracks_with_play_help(parts.tracks.into_iter(), user),
        })
    }

    /// [`Library::artist_page`] as JSON bytes, its tracks written straight from the index.
    pub fn artist_page_json(
        &self,
        artisthash: Hash,
        tracklimit: i64,
        albumlimit: i64,
        all: bool,
        user: &dyn UserView,
    ) -> Option<Vec<u8>> {
        let parts = self.artist_page_parts(artisthash, tracklimit, albumlimit, all, user)?;
        let size = 4096 + TRACK_JSON_SIZE * parts.tracks.len();
        let out = ArtistPageOut {
            albums: &parts.albums,
            artist: &parts.artist,
            stats: &parts.stats,
            tracks: self.tracks_out(&parts.tracks, user),
        };
        Some(json_bytes(&out, size))
    }

    fn artist_page_parts<'a>(
        &'a self,
        artisthash: Hash,
        tracklimit: i64,
        albumlimit: i64,
        all: bool,
        user: &dyn UserView,
    ) -> Option<ArtistPageParts<'a>> {
        let artist = self.artist(artisthash)?;
        let mut tracks = self.tracks_by_playcount(artist, user);
        let show_all =
            tracklimit <= 0 || (artist.albumcount() == 0 && tracks.len() < SHOW_ALL_TRACKS_BELOW);
        let shown = if show_all {
            tracks.len()
        } else {
            cap(tracklimit)
        };

        let mut genres = Vec::with_capacity(artist.genres.len() + 1);
        if artist.date > 0 {
            genres.push(decade_genre(year_of(artist.date)));
        }
        genres.extend(artist.genres.iter().cloned());

        let header = ArtistCardJson {
            albumcount: Some(artist.albumcount()),
            duration: Some(tracks.iter().map(|track| u64::from(track.duration)).sum()),
            genres: Some(genres),
            is_favorite: Some(user.is_favorite(ItemKind::Artist, artisthash)),
            trackcount: Some(tracks.len()),
            ..self.artist_card(artist)
        };
        let stats = self.track_group_stats(&tracks, GroupKind::Artist, user);
        tracks.truncate(shown);
        Some(ArtistPageParts {
            albums: self.albums_of_artist(artist, albumlimit, all),
            artist: header,
            stats,
            tracks,
        })
    }

    /// GET /artist/<h>/albums: the artist's albums in four buckets, newest first, each cut to
    /// `limit` (negative: all) unless `all`. `None` when the artist is unknown.
    pub fn artist_albums(&self, artisthash: Hash, limit: i64, all: bool) -> Option<ArtistAlbums> {
        self.artist(artisthash)
            .map(|artist| self.albums_of_artist(artist, limit, all))
    }

    /// GET /artist/<h>/tracks: every track, by play count descending, with "unplayed" /
    /// "N play(s)" as `help_text`. `None` when the artist is unknown.
    pub fn artist_tracks(&self, artisthash: Hash, user: &dyn UserView) -> Option<Vec<TrackJson>> {
        let artist = self.artist(artisthash)?;
        let tracks = self.tracks_by_playcount(artist, user);
        Some(self.tracks_with_play_help(tracks.into_iter(), user))
    }

    /// [`Library::artist_tracks`] as JSON bytes, written straight from the index.
    pub fn artist_tracks_json(&self, artisthash: Hash, user: &dyn UserView) -> Option<Vec<u8>> {
        let artist = self.artist(artisthash)?;
        let tracks = self.tracks_by_playcount(artist, user);
        let size = 16 + TRACK_JSON_SIZE * tracks.len();
        Some(json_bytes(&self.tracks_out(&tracks, user), size))
    }

    /// GET /artist/<h>/similar. Always empty: Swingfly does not fetch similar-artist data yet
    /// (and Swing's own fetch never fills it for new artists, reference §5.12).
    pub fn artist_similar(&self, artisthash: Hash, limit: i64) -> Vec<ArtistCardJson> {
        let _ = (artisthash, limit);
        Vec::new()
    }

    /// Singles and EPs, compilations, appearances (not an album artist) and the rest, in that
    /// order of precedence (reference §5.4).
    fn albums_of_artist(&self, artist: &Artist, limit: i64, all: bool) -> ArtistAlbums {
        let mut buckets = ArtistAlbums {
            albums: Vec::new(),
            appearances: Vec::new(),
            artistname: artist.name.clone(),
            compilations: Vec::new(),
            singles_and_eps: Vec::new(),
        };
        let limit = if all { usize::MAX } else { cap(limit) };
        for album in self.artist_album_records(artist) {
            let bucket = match album.album_type {
                AlbumType::Single | AlbumType::Ep => &mut buckets.singles_and_eps,
                AlbumType::Compilation => &mut buckets.compilations,
                _ if !album.has_albumartist(artist.artisthash) => &mut buckets.appearances,
                _ => &mut buckets.albums,
            };
            if bucket.len() < limit {
                bucket.push(self.album_card(album));
            }
        }
        buckets
    }

    /// The artist's tracks by this user's play count, most played first (ties keep album order).
    fn tracks_by_playcount<'a>(
        &'a self,
        artist: &'a Artist,
        user: &dyn UserView,
    ) -> Vec<&'a IndexedTrack> {
        let mut counted: Vec<(u32, &IndexedTrack)> = self
            .artist_track_records(artist)
            .map(|track| {
                (
                    user.plays(ItemKind::Track, track.trackhash).playcount,
                    track,
                )
            })
            .collect();
        counted.sort_by_key(|(playcount, _)| std::cmp::Reverse(*playcount));
        counted.into_iter().map(|(_, track)| track).collect()
    }

    /// The tracks as the artist routes write them: with "unplayed" / "N play(s)" as `help_text`.
    fn tracks_out<'a>(
        &'a self,
        tracks: &[&'a IndexedTrack],
        user: &dyn UserView,
    ) -> Vec<TrackOut<'a>> {
        tracks
            .iter()
            .map(|&track| {
                let playcount = user.plays(ItemKind::Track, track.trackhash).playcount;
                TrackOut::new(self, track, user).with_help_text(plays_text(playcount, "unplayed"))
            })
            .collect()
    }

    fn tracks_with_play_help<'a>(
        &self,
        tracks: impl Iterator<Item = &'a IndexedTrack>,
        user: &dyn UserView,
    ) -> Vec<TrackJson> {
        tracks
            .map(|track| {
                let playcount = user.plays(ItemKind::Track, track.trackhash).playcount;
                TrackJson {
                    help_text: Some(plays_text(playcount, "unplayed")),
                    ..self.track_json(track, user)
                }
            })
            .collect()
    }
}
