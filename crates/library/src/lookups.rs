//! Direct lookups for the other layers: by hash, by path, and the raw lists.

use std::path::Path;

use swingfly_model::Hash;

use crate::build::trackhash_group;
use crate::entities::{Album, Artist, IndexedTrack};
use crate::Library;

impl Library {
    /// The best file (highest bitrate) of a trackhash.
    pub fn track(&self, trackhash: Hash) -> Option<&IndexedTrack> {
        self.track_files(trackhash).next()
    }

    /// Every file sharing a trackhash, best first (none when unknown).
    pub fn track_files(
        &self,
        trackhash: Hash,
    ) -> impl ExactSizeIterator<Item = &IndexedTrack> + '_ {
        trackhash_group(&self.tracks, &self.by_trackhash, trackhash)
            .iter()
            .map(|&id| &self.tracks[id as usize])
    }

    pub fn album(&self, albumhash: Hash) -> Option<&Album> {
        self.albums
            .binary_search_by_key(&albumhash, |album| album.albumhash)
            .ok()
            .map(|index| &self.albums[index])
    }

    pub fn artist(&self, artisthash: Hash) -> Option<&Artist> {
        self.artists
            .binary_search_by_key(&artisthash, |artist| artist.artisthash)
            .ok()
            .map(|index| &self.artists[index])
    }

    /// Every indexed file, in the order the store gave them.
    pub fn files(&self) -> &[IndexedTrack] {
        &self.tracks
    }

    /// The best file of every distinct trackhash.
    pub fn distinct_tracks(&self) -> impl ExactSizeIterator<Item = &IndexedTrack> + '_ {
        self.primary_tracks
            .iter()
            .map(|&id| &self.tracks[id as usize])
    }

    /// Every album, in albumhash order.
    pub fn albums(&self) -> &[Album] {
        &self.albums
    }

    /// Every artist, in artisthash order.
    pub fn artists(&self) -> &[Artist] {
        &self.artists
    }

    /// An album's tracks (one file per trackhash) in disc and track order.
    pub fn album_track_records<'a>(
        &'a self,
        album: &'a Album,
    ) -> impl ExactSizeIterator<Item = &'a IndexedTrack> + 'a {
        album.tracks.iter().map(|&id| &self.tracks[id as usize])
    }

    /// The distinct tracks crediting an artist as a track artist.
    pub fn artist_track_records<'a>(
        &'a self,
        artist: &'a Artist,
    ) -> impl ExactSizeIterator<Item = &'a IndexedTrack> + 'a {
        artist.tracks.iter().map(|&id| &self.tracks[id as usize])
    }

    /// An artist's albums (as album artist or through track credits), by date descending.
    pub fn artist_album_records<'a>(
        &'a self,
        artist: &'a Artist,
    ) -> impl ExactSizeIterator<Item = &'a Album> + 'a {
        artist.albums.iter().map(|&id| &self.albums[id as usize])
    }

    /// The album a track belongs to.
    pub fn album_of(&self, track: &IndexedTrack) -> &Album {
        &self.albums[track.album_index as usize]
    }

    /// The file to stream for `/file/<trackhash>/legacy?filepath=` (reference §5.14 steps 3-4):
    /// the indexed file at exactly `filepath` with this trackhash if it exists on disk, otherwise
    /// the highest-bitrate existing file of the trackhash. Steps 1-2 (no `..`, inside a root) are
    /// the caller's, since they need the root folders.
    pub fn resolve_stream(&self, trackhash: Hash, filepath: &str) -> Option<&IndexedTrack> {
        let exists = |track: &&IndexedTrack| Path::new(&*track.filepath).is_file();
        self.track_files(trackhash)
            .find(|track| &*track.filepath == filepath)
            .filter(exists)
            .or_else(|| self.track_files(trackhash).find(exists))
    }

    /// The folder (no trailing slash) whose files carry this pathhash; the image route uses it
    /// for the folder-art fallback.
    pub fn folder_for_pathhash(&self, pathhash: Hash) -> Option<&str> {
        self.folders
            .by_pathhash(pathhash)
            .map(|folder| &*folder.path)
    }

    /// For the artwork extractor: each album with the files that carry an embedded picture, in
    /// the album's track order (the first one that yields an image wins). An album without any
    /// such file gets its first track only, so the extractor looks for a folder image (cover.jpg,
    /// folder.png, ...) beside it.
    pub fn albums_for_artwork(&self) -> Vec<(Hash, Vec<String>)> {
        self.albums
            .iter()
            .filter_map(|album| {
                let mut tracks = self.album_track_records(album).peekable();
                let first = tracks.peek()?.filepath.to_string();
                let mut paths: Vec<String> = tracks
                    .filter(|track| track.has_picture)
                    .map(|track| track.filepath.to_string())
                    .collect();
                if paths.is_empty() {
                    paths.push(first);
                }
                Some((album.albumhash, paths))
            })
            .collect()
    }
}
