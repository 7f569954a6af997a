//! Raw records to compact tracks: Swing's track rules, then interning of the strings and lists
//! many tracks share.

use std::collections::HashSet;
use std::sync::Arc;

use rayon::prelude::*;
use swingfly_model::rules::Rules;
use swingfly_model::{ArtistRef, Genre, IndexSettings, RawTrack, Track};

use crate::entities::{IndexedTrack, TrackNotes};

/// Records per parallel job at least: each job has its own interner, so jobs must not be tiny.
const MIN_RECORDS_PER_JOB: usize = 2048;

/// Applies the track rules and interns, in parallel. Each job interns on its own (consecutive
/// records share albums, so little is duplicated across jobs) and writes its results straight
/// into place. The folder of each track is still a job-local string afterwards.
pub(super) fn convert_tracks(raw: Vec<RawTrack>, settings: &IndexSettings) -> Vec<IndexedTrack> {
    let rules = Rules::new(settings);
    let mut tracks = Vec::with_capacity(raw.len());
    raw.into_par_iter()
        .with_min_len(MIN_RECORDS_PER_JOB)
        .map_init(Interner::default, |interner, record| {
            let has_picture = record.has_picture;
            interner.track(rules.into_track(record), has_picture)
        })
        .collect_into_vec(&mut tracks);
    tracks
}

/// Shares equal strings and lists between records. Consecutive records usually come from the
/// same album, so the last value of each field is checked before any hashing.
#[derive(Default)]
struct Interner {
    strings: HashSet<Arc<str>>,
    artist_lists: HashSet<Arc<[ArtistRef]>>,
    genre_lists: HashSet<Arc<[Genre]>>,
    last_album: Option<Arc<str>>,
    last_og_album: Option<Arc<str>>,
    last_artists: Option<Arc<[ArtistRef]>>,
    last_albumartists: Option<Arc<[ArtistRef]>>,
    last_genres: Option<Arc<[Genre]>>,
    last_folder: Option<Arc<str>>,
}

/// `cached` if it equals `value`, else `intern(value)` (which then becomes the cached value).
fn reuse<T: ?Sized + PartialEq>(
    cached: &mut Option<Arc<T>>,
    value: &T,
    intern: impl FnOnce() -> Arc<T>,
) -> Arc<T> {
    match cached {
        Some(shared) if **shared == *value => shared.clone(),
        _ => {
            let shared = intern();
            *cached = Some(shared.clone());
            shared
        }
    }
}

impl Interner {
    fn string(strings: &mut HashSet<Arc<str>>, text: &str) -> Arc<str> {
        if let Some(shared) = strings.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        strings.insert(shared.clone());
        shared
    }

    fn optional(&mut self, text: Option<String>) -> Option<Arc<str>> {
        text.filter(|text| !text.is_empty())
            .map(|text| Self::string(&mut self.strings, &text))
    }

    fn artists(
        strings: &mut HashSet<Arc<str>>,
        lists: &mut HashSet<Arc<[ArtistRef]>>,
        list: &[ArtistRef],
    ) -> Arc<[ArtistRef]> {
        if let Some(shared) = lists.get(list) {
            return shared.clone();
        }
        let list: Vec<ArtistRef> = list
            .iter()
            .map(|artist| ArtistRef {
                name: Self::string(strings, &artist.name),
                hash: artist.hash,
            })
            .collect();
        let shared: Arc<[ArtistRef]> = Arc::from(list);
        lists.insert(shared.clone());
        shared
    }

    fn genres(lists: &mut HashSet<Arc<[Genre]>>, list: &[Genre]) -> Arc<[Genre]> {
        if let Some(shared) = lists.get(list) {
            return shared.clone();
        }
        let shared: Arc<[Genre]> = Arc::from(list);
        lists.insert(shared.clone());
        shared
    }

    /// The compact record; `folder` is a batch-local string until the folder tree replaces it.
    fn track(&mut self, track: Track, has_picture: bool) -> IndexedTrack {
        let Interner {
            strings,
            artist_lists,
            genre_lists,
            ..
        } = self;
        let album = reuse(&mut self.last_album, track.album.as_str(), || {
            Self::string(strings, &track.album)
        });
        let og_album = if track.og_album == track.album {
            album.clone()
        } else {
            reuse(&mut self.last_og_album, track.og_album.as_str(), || {
                Self::string(strings, &track.og_album)
            })
        };
        let artists = reuse(&mut self.last_artists, track.artists.as_slice(), || {
            Self::artists(strings, artist_lists, &track.artists)
        });
        let albumartists = reuse(
            &mut self.last_albumartists,
            track.albumartists.as_slice(),
            || Self::artists(strings, artist_lists, &track.albumartists),
        );
        let genres = reuse(&mut self.last_genres, track.genres.as_slice(), || {
            Self::genres(genre_lists, &track.genres)
        });
        let folder = reuse(&mut self.last_folder, track.folder.as_str(), || {
            Arc::from(track.folder.as_str())
        });
        let notes =
            if track.copyright.is_some() || track.composer.is_some() || track.comment.is_some() {
                Some(Box::new(TrackNotes {
                    copyright: self.optional(track.copyright),
                    composer: self.optional(track.composer),
                    comment: self.optional(track.comment),
                }))
            } else {
                None
            };

        IndexedTrack {
            trackhash: track.trackhash,
            albumhash: track.albumhash,
            weakhash: track.weakhash,
            pathhash: track.pathhash,
            title: track.title.into_boxed_str(),
            album,
            og_album,
            artists,
            albumartists,
            genres,
            filepath: track.filepath.into_boxed_str(),
            folder,
            date: track.date,
            last_mod: track.last_mod,
            size: track.size,
            duration: track.duration,
            bitrate: track.bitrate,
            samplerate: track.samplerate,
            disc: track.disc,
            track: track.track,
            track_total: track.track_total,
            disc_total: track.disc_total,
            bitdepth: track.bitdepth,
            channels: track.channels,
            explicit: track.explicit,
            has_lyrics: track.has_lyrics,
            has_picture,
            notes,
            album_index: 0,
            folder_index: 0,
        }
    }
}
