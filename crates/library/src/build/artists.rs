//! Artists: one entity per name credited as a track artist or an album artist (reference §5.5).

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use swingfly_model::text::natural_cmp;
use swingfly_model::Hash;

use super::genre_union;
use crate::entities::{Album, AlbumArt, Artist, IndexedTrack};
use crate::hashing::HashKeyed;

#[derive(Default)]
struct ArtistAccumulator {
    spellings: Vec<Arc<str>>,
    albums: Vec<u32>,
    tracks: Vec<u32>,
    /// Albums where the artist is an album artist (they carry dates for album-artist-only artists).
    own_albums: Vec<u32>,
}

impl ArtistAccumulator {
    fn add_spelling(&mut self, name: &Arc<str>) {
        if !self
            .spellings
            .iter()
            .any(|known| Arc::ptr_eq(known, name) || **known == **name)
        {
            self.spellings.push(name.clone());
        }
    }
}

/// The artists in artisthash order. `album_of_track` gives each track's album position and
/// `best_of` each track's best file (artists list one file per trackhash).
pub(super) fn build_artists(
    tracks: &[IndexedTrack],
    albums: &[Album],
    album_of_track: &[u32],
    best_of: &[u32],
    art: &HashMap<Hash, AlbumArt>,
) -> Vec<Artist> {
    let mut accumulators: HashKeyed<ArtistAccumulator> = HashKeyed::default();
    for (album_index, album) in albums.iter().enumerate() {
        let album_index = album_index as u32;
        for artist in album.albumartists.iter() {
            let entry = accumulators.entry(artist.hash).or_default();
            entry.add_spelling(&artist.name);
            entry.albums.push(album_index);
            entry.own_albums.push(album_index);
        }
        for &file in album.tracks.iter() {
            let track = &tracks[file as usize];
            let best = best_of[file as usize];
            for artist in track.artists.iter() {
                let entry = accumulators.entry(artist.hash).or_default();
                entry.add_spelling(&artist.name);
                if entry.albums.last() != Some(&album_index) {
                    entry.albums.push(album_index);
                }
                entry.tracks.push(best);
            }
        }
    }

    let mut accumulated: Vec<(Hash, ArtistAccumulator)> = accumulators.into_iter().collect();
    accumulated.sort_unstable_by_key(|(artisthash, _)| *artisthash);
    accumulated
        .into_par_iter()
        .map(|(artisthash, accumulator)| {
            finish_artist(artisthash, accumulator, tracks, albums, album_of_track, art)
        })
        .collect()
}

fn finish_artist(
    artisthash: Hash,
    mut accumulator: ArtistAccumulator,
    tracks: &[IndexedTrack],
    albums: &[Album],
    album_of_track: &[u32],
    art: &HashMap<Hash, AlbumArt>,
) -> Artist {
    let name = accumulator
        .spellings
        .iter()
        .min_by(|a, b| natural_cmp(a, b))
        .cloned()
        .unwrap_or_else(|| Arc::from(""));

    let album_of = |id: u32| &albums[album_of_track[id as usize] as usize];
    let mut artist_tracks = std::mem::take(&mut accumulator.tracks);
    artist_tracks.sort_unstable();
    artist_tracks.dedup();
    artist_tracks.sort_by(|&a, &b| {
        let (album_a, album_b) = (album_of(a), album_of(b));
        let (track_a, track_b) = (&tracks[a as usize], &tracks[b as usize]);
        (
            Reverse(album_a.date),
            album_a.albumhash,
            track_a.disc,
            track_a.track,
        )
            .cmp(&(
                Reverse(album_b.date),
                album_b.albumhash,
                track_b.disc,
                track_b.track,
            ))
    });

    let mut artist_albums = std::mem::take(&mut accumulator.albums);
    artist_albums.sort_unstable();
    artist_albums.dedup();
    artist_albums.sort_by(|&a, &b| {
        let (a, b) = (&albums[a as usize], &albums[b as usize]);
        b.date
            .cmp(&a.date)
            .then_with(|| natural_cmp(&a.title, &b.title))
    });

    accumulator.own_albums.sort_unstable();
    accumulator.own_albums.dedup();
    let own_albums = accumulator
        .own_albums
        .iter()
        .map(|&id| &albums[id as usize]);
    let date = artist_tracks
        .iter()
        .map(|&id| tracks[id as usize].date)
        .chain(own_albums.clone().map(|album| album.date))
        .min()
        .unwrap_or(0);
    let created_date = artist_tracks
        .iter()
        .map(|&id| tracks[id as usize].last_mod)
        .chain(own_albums.clone().map(|album| album.created_date))
        .min()
        .unwrap_or(0);

    let track_genres = artist_tracks.iter().map(|&id| &tracks[id as usize].genres);
    let genres = genre_union(track_genres.chain(own_albums.map(|album| &album.genres)));
    let colours = art.get(&artisthash);

    Artist {
        artisthash,
        name,
        date,
        created_date,
        duration: artist_tracks
            .iter()
            .map(|&id| u64::from(tracks[id as usize].duration))
            .sum(),
        genres,
        color: colours.and_then(|art| art.color.as_deref()).map(Box::from),
        blurhash: colours
            .and_then(|art| art.blurhash.as_deref())
            .map(Box::from),
        albums: artist_albums.into_boxed_slice(),
        albumartist_albums: accumulator.own_albums.len() as u32,
        tracks: artist_tracks.into_boxed_slice(),
    }
}
