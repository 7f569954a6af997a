//! POST /album, GET /album/<h>/tracks, POST /album/from-artist, POST /album/other-versions and
//! GET /album/similar.

use std::collections::HashSet;

use swingfly_model::hash::hash_strings;
use swingfly_model::Hash;

use super::stats::GroupKind;
use crate::entities::{Album, IndexedTrack};
use crate::paging::cap;
use crate::user::UserView;
use crate::wire::{AlbumCardJson, AlbumPage, AlbumPageExtra, OrderedMap, TrackJson};
use crate::Library;

impl Library {
    /// POST /album: the album, its tracks (with `disc` and `track`), stats, more albums by its
    /// album artists (up to `albumlimit` each; negative means all) and its other versions.
    /// `None` when the album is unknown.
    pub fn album_page(
        &self,
        albumhash: Hash,
        albumlimit: i64,
        user: &dyn UserView,
    ) -> Option<AlbumPage> {
        let album = self.album(albumhash)?;
        let tracks: Vec<&IndexedTrack> = self.album_track_records(album).collect();

        let distinct_totals: HashSet<u32> = tracks
            .iter()
            .map(|track| track.track_total.filter(|&total| total > 0).unwrap_or(1))
            .collect();
        let bitrate_sum: u64 = tracks.iter().map(|track| u64::from(track.bitrate)).sum();
        let extra = AlbumPageExtra {
            avg_bitrate: bitrate_sum / (tracks.len().max(1) as u64),
            track_total: distinct_totals.iter().map(|&total| u64::from(total)).sum(),
        };

        let artisthashes: Vec<Hash> = album
            .albumartists
            .iter()
            .map(|artist| artist.hash)
            .collect();
        Some(AlbumPage {
            copyright: tracks.first().and_then(|track| track.copyright().cloned()),
            extra,
            info: self.album_json(album, user),
            more_from: self.albums_from_artists(&artisthashes, albumlimit, &album.base_title),
            other_versions: self.other_versions(albumhash),
            stats: self.track_group_stats(&tracks, GroupKind::Album, user),
            tracks: tracks
                .iter()
                .map(|track| TrackJson {
                    disc: Some(track.disc),
                    track: Some(track.track),
                    ..self.track_json(track, user)
                })
                .collect(),
        })
    }

    /// GET /album/<h>/tracks: the album's tracks by disc and track number. `None` when the album
    /// is unknown.
    pub fn album_tracks(&self, albumhash: Hash, user: &dyn UserView) -> Option<Vec<TrackJson>> {
        let album = self.album(albumhash)?;
        Some(self.tracks_json(self.album_track_records(album), user))
    }

    /// POST /album/from-artist: for each artist, up to `limit` (negative: all) albums where the
    /// artist is an album artist, newest first, leaving out albums whose base title matches
    /// `base_title` (the album being viewed and its versions) and albums already listed under an
    /// earlier artist. Unknown artists get an empty list.
    pub fn albums_from_artists(
        &self,
        artisthashes: &[Hash],
        limit: i64,
        base_title: &str,
    ) -> OrderedMap<Vec<AlbumCardJson>> {
        let excluded_title = hash_strings(&[base_title], false);
        let mut listed: HashSet<Hash> = HashSet::new();
        let mut result = Vec::with_capacity(artisthashes.len());
        let mut artists_seen: HashSet<Hash> = HashSet::new();
        // A repeated artist would be a repeated JSON key: answer each artist once.
        for &artisthash in artisthashes
            .iter()
            .filter(|&&hash| artists_seen.insert(hash))
        {
            let albums: Vec<&Album> = match self.artist(artisthash) {
                Some(artist) => self
                    .artist_album_records(artist)
                    .filter(|album| album.has_albumartist(artisthash))
                    .filter(|album| !listed.contains(&album.albumhash))
                    .filter(|album| hash_strings(&[&album.base_title], false) != excluded_title)
                    .take(cap(limit))
                    .collect(),
                None => Vec::new(),
            };
            listed.extend(albums.iter().map(|album| album.albumhash));
            let cards = albums
                .into_iter()
                .map(|album| self.album_card(album))
                .collect();
            result.push((format!("{artisthash:016x}"), cards));
        }
        OrderedMap(result)
    }

    /// POST /album/other-versions: albums by the album's first album artist with the same base
    /// title (compared as Swing hashes compare: case, spacing and punctuation ignored) but a
    /// different raw title. Empty when the album is unknown. Swing's `og_album_title` request
    /// field is not needed: the album's own raw title is authoritative.
    pub fn other_versions(&self, albumhash: Hash) -> Vec<AlbumCardJson> {
        let Some(album) = self.album(albumhash) else {
            return Vec::new();
        };
        let Some(first_artist) = album.albumartists.first() else {
            return Vec::new();
        };
        let Some(artist) = self.artist(first_artist.hash) else {
            return Vec::new();
        };
        let base_title = hash_strings(&[&album.base_title], false);
        self.artist_album_records(artist)
            .filter(|other| other.albumhash != album.albumhash)
            .filter(|other| other.has_albumartist(first_artist.hash))
            .filter(|other| *other.og_title != *album.og_title)
            .filter(|other| hash_strings(&[&other.base_title], false) == base_title)
            .map(|other| self.album_card(other))
            .collect()
    }

    /// GET /album/similar. Always empty: albums are suggested through similar-artist data, which
    /// Swingfly does not fetch yet (Swing's own fetch never fills it for new artists either,
    /// reference §5.12).
    pub fn album_similar(&self, artisthash: Hash, limit: i64) -> Vec<AlbumCardJson> {
        let _ = (artisthash, limit);
        Vec::new()
    }
}
