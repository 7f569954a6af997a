//! Albums: files grouped by albumhash, de-duplicated by trackhash (highest bitrate wins), with
//! Swing's title, version and type rules applied once (the index never changes).

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use swingfly_model::album::{album_type, clean_album_title, AlbumTypeInput};
use swingfly_model::hash::weak_hash_album;
use swingfly_model::text::natural_cmp;
use swingfly_model::{Hash, IndexSettings};

use super::genre_union;
use crate::entities::{Album, AlbumArt, IndexedTrack};
use crate::hashing::HashKeyed;

/// The albums in albumhash order, and for every track the position of its album.
pub(super) fn build_albums(
    tracks: &[IndexedTrack],
    settings: &IndexSettings,
    art: &HashMap<Hash, AlbumArt>,
) -> (Vec<Album>, Vec<u32>) {
    // Files of one album are usually consecutive: look the group up only when the album changes.
    let mut files_by_album: HashKeyed<Vec<u32>> = HashKeyed::default();
    let mut current: Option<(Hash, Vec<u32>)> = None;
    for (id, track) in tracks.iter().enumerate() {
        match &mut current {
            Some((albumhash, files)) if *albumhash == track.albumhash => files.push(id as u32),
            _ => {
                if let Some((albumhash, files)) = current.take() {
                    files_by_album.entry(albumhash).or_default().extend(files);
                }
                current = Some((track.albumhash, vec![id as u32]));
            }
        }
    }
    if let Some((albumhash, files)) = current {
        files_by_album.entry(albumhash).or_default().extend(files);
    }
    let mut groups: Vec<(Hash, Vec<u32>)> = files_by_album.into_iter().collect();
    groups.sort_unstable_by_key(|(albumhash, _)| *albumhash);

    let albums: Vec<Album> = groups
        .par_iter_mut()
        .map(|(albumhash, files)| build_album(*albumhash, files, tracks, settings, art))
        .collect();

    let mut album_of_track = vec![0u32; tracks.len()];
    for (index, (_, files)) in groups.iter().enumerate() {
        for &file in files {
            album_of_track[file as usize] = index as u32;
        }
    }
    (albums, album_of_track)
}

fn build_album(
    albumhash: Hash,
    files: &mut [u32],
    tracks: &[IndexedTrack],
    settings: &IndexSettings,
    art: &HashMap<Hash, AlbumArt>,
) -> Album {
    // One file per trackhash: the highest bitrate (then the first path).
    files.sort_unstable_by(|&a, &b| {
        let (a, b) = (&tracks[a as usize], &tracks[b as usize]);
        (a.trackhash, Reverse(a.bitrate), &a.filepath).cmp(&(
            b.trackhash,
            Reverse(b.bitrate),
            &b.filepath,
        ))
    });
    let mut distinct: Vec<u32> = Vec::with_capacity(files.len());
    for &file in files.iter() {
        let is_new = distinct
            .last()
            .is_none_or(|&last| tracks[last as usize].trackhash != tracks[file as usize].trackhash);
        if is_new {
            distinct.push(file);
        }
    }
    distinct.sort_by(|&a, &b| {
        let (a, b) = (&tracks[a as usize], &tracks[b as usize]);
        (a.disc, a.track)
            .cmp(&(b.disc, b.track))
            .then_with(|| natural_cmp(&a.title, &b.title))
            .then_with(|| a.filepath.cmp(&b.filepath))
    });

    // The first track supplies the album's raw title, album artists and pathhash.
    let first = &tracks[distinct[0] as usize];
    let cleaned = clean_album_title(&first.og_album, settings.clean_album_title);
    let artist_names: Vec<&str> = first
        .albumartists
        .iter()
        .map(|artist| &*artist.name)
        .collect();
    let track_titles: Vec<&str> = distinct
        .iter()
        .map(|&id| &*tracks[id as usize].title)
        .collect();
    let kind = album_type(&AlbumTypeInput {
        og_title: &first.og_album,
        title: &first.album,
        albumartist_names: &artist_names,
        track_titles: &track_titles,
        show_albums_as_singles: settings.show_albums_as_singles,
    });

    let genres = genre_union(distinct.iter().map(|&id| &tracks[id as usize].genres));
    let colours = art.get(&albumhash);

    Album {
        albumhash,
        title: first.album.clone(),
        og_title: first.og_album.clone(),
        base_title: Arc::from(cleaned.base_title),
        versions: cleaned
            .versions
            .into_iter()
            .map(String::into_boxed_str)
            .collect(),
        albumartists: first.albumartists.clone(),
        pathhash: first.pathhash,
        weakhash: weak_hash_album(&first.og_album, &artist_names),
        date: distinct
            .iter()
            .map(|&id| tracks[id as usize].date)
            .min()
            .unwrap_or(0),
        created_date: files
            .iter()
            .map(|&id| tracks[id as usize].last_mod)
            .min()
            .unwrap_or(0),
        duration: distinct
            .iter()
            .map(|&id| u64::from(tracks[id as usize].duration))
            .sum(),
        genres,
        album_type: kind,
        color: colours.and_then(|art| art.color.as_deref()).map(Box::from),
        blurhash: colours
            .and_then(|art| art.blurhash.as_deref())
            .map(Box::from),
        tracks: distinct.into_boxed_slice(),
    }
}
