//! Index records to wire objects.

use std::sync::Arc;

use swingfly_model::Genre;

use crate::entities::{Album, Artist, IndexedTrack};
use crate::user::{ItemKind, UserView};
use crate::wire::{
    AlbumCardJson, AlbumJson, ArtistCardJson, ArtistRefs, EmptyObject, HexHash, TrackExtra,
    TrackJson,
};
use crate::Library;

/// `"<albumhash>.webp"`.
fn album_image(album: &Album) -> String {
    format!("{:016x}.webp", album.albumhash)
}

impl Library {
    /// A track as clients see it (`serialize_track`), without the route-specific extras.
    pub fn track_json(&self, track: &IndexedTrack, user: &dyn UserView) -> TrackJson {
        let album = self.album_of(track);
        let folder = if track.folder.ends_with('/') {
            track.folder.to_string()
        } else {
            format!("{}/", track.folder)
        };
        TrackJson {
            album: track.album.clone(),
            albumartists: ArtistRefs(track.albumartists.clone()),
            albumhash: HexHash(track.albumhash),
            artisthashes: track
                .artists
                .iter()
                .map(|artist| HexHash(artist.hash))
                .collect(),
            artists: ArtistRefs(track.artists.clone()),
            bitrate: track.bitrate,
            blurhash: album.blurhash.as_deref().unwrap_or_default().to_owned(),
            color: album.color.as_deref().unwrap_or_default().to_owned(),
            disc: None,
            duration: track.duration,
            explicit: track.explicit,
            extra: TrackExtra {
                artist: track
                    .artists
                    .iter()
                    .map(|artist| artist.name.clone())
                    .collect(),
                bitdepth: track.bitdepth,
                channels: track.channels,
                comment: track.comment().cloned(),
                composer: track.composer().cloned(),
                disc_total: track.disc_total,
                filesize: track.size,
                genre: track
                    .genres
                    .iter()
                    .map(|genre| genre.name.clone())
                    .collect(),
                samplerate: track.samplerate,
                track_total: track.track_total,
            },
            filepath: track.filepath.to_string(),
            folder,
            help_text: None,
            image: format!(
                "{:016x}.webp?pathhash={:016x}",
                track.albumhash, track.pathhash
            ),
            is_favorite: user.is_favorite(ItemKind::Track, track.trackhash),
            time: None,
            title: Arc::from(&*track.title),
            track: None,
            trackhash: HexHash(track.trackhash),
            item_type: None,
            weakhash: HexHash(track.weakhash),
        }
    }

    /// Tracks as clients see them.
    pub fn tracks_json<'a>(
        &self,
        tracks: impl IntoIterator<Item = &'a IndexedTrack>,
        user: &dyn UserView,
    ) -> Vec<TrackJson> {
        tracks
            .into_iter()
            .map(|track| self.track_json(track, user))
            .collect()
    }

    /// An album card.
    pub fn album_card(&self, album: &Album) -> AlbumCardJson {
        AlbumCardJson {
            albumartists: ArtistRefs(album.albumartists.clone()),
            albumhash: HexHash(album.albumhash),
            blurhash: album.blurhash.as_deref().unwrap_or_default().to_owned(),
            color: album.color.as_deref().map(str::to_owned),
            date: album.date,
            help_text: None,
            image: album_image(album),
            pathhash: HexHash(album.pathhash),
            time: None,
            title: album.title.clone(),
            item_type: "album",
            versions: album
                .versions
                .iter()
                .map(|version| version.to_string())
                .collect(),
        }
    }

    /// The full album object (POST /album `info`, home rows).
    pub fn album_json(&self, album: &Album, user: &dyn UserView) -> AlbumJson {
        let plays = user.plays(ItemKind::Album, album.albumhash);
        AlbumJson {
            albumartists: ArtistRefs(album.albumartists.clone()),
            albumhash: HexHash(album.albumhash),
            artisthashes: album
                .albumartists
                .iter()
                .map(|artist| HexHash(artist.hash))
                .collect(),
            base_title: album.base_title.clone(),
            blurhash: album.blurhash.as_deref().unwrap_or_default().to_owned(),
            color: album.color.as_deref().map(str::to_owned),
            created_date: album.created_date,
            date: album.date,
            duration: album.duration,
            extra: EmptyObject {},
            fav_userids: Vec::new(),
            genrehashes: album
                .genres
                .iter()
                .map(|genre| genre.genrehash.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            genres: album.genres.to_vec(),
            id: -1,
            image: album_image(album),
            is_favorite: user.is_favorite(ItemKind::Album, album.albumhash),
            lastplayed: plays.lastplayed,
            og_title: album.og_title.clone(),
            pathhash: HexHash(album.pathhash),
            playcount: plays.playcount,
            playduration: plays.playduration,
            title: album.title.clone(),
            trackcount: album.trackcount(),
            album_type: album.album_type.as_str(),
            versions: album
                .versions
                .iter()
                .map(|version| version.to_string())
                .collect(),
            weakhash: HexHash(album.weakhash),
        }
    }

    /// An artist card.
    pub fn artist_card(&self, artist: &Artist) -> ArtistCardJson {
        ArtistCardJson {
            albumcount: None,
            artisthash: HexHash(artist.artisthash),
            blurhash: artist.blurhash.as_deref().unwrap_or_default().to_owned(),
            color: artist.color.as_deref().unwrap_or_default().to_owned(),
            duration: None,
            genres: None,
            help_text: None,
            image: format!("{:016x}.webp", artist.artisthash),
            is_favorite: None,
            name: artist.name.clone(),
            time: None,
            trackcount: None,
            item_type: "artist",
        }
    }
}

/// The decade pseudo-genre of the artist page ("90s" for 1994, "00s" for 2003).
pub(crate) fn decade_genre(year: i64) -> Genre {
    let decade = format!("{:02}s", (year.rem_euclid(100) / 10) * 10);
    Genre {
        name: decade.clone(),
        genrehash: decade,
    }
}
