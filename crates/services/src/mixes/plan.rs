//! Which mixes a user gets and which tracks each holds.

use std::cmp::Reverse;

use swingfly_library::Artist;
use swingfly_model::Hash;

use super::{MixId, MixKind};
use crate::home::{Tallies, Taste};

/// A mix holds at most this many tracks (Swing's limit).
pub(crate) const MIX_TRACKS: usize = 40;
/// Related artists a mix draws from, and tracks taken from each.
const RELATED_ARTISTS: usize = 12;
const TRACKS_PER_RELATED: usize = 3;
/// The seed artist's share of a mix while related artists have enough to fill the rest.
const SEED_ARTIST_TRACKS: usize = 20;

/// A computed mix, before it is dressed for the wire.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MixPlan {
    pub id: MixId,
    pub title: String,
    pub description: String,
    /// The artist the mix grows around.
    pub artisthash: Hash,
    /// In play order; the seed track first for a track mix.
    pub tracks: Vec<Hash>,
    /// The user's last play of the seed, 0 if never.
    pub timestamp: i64,
}

/// Artist mixes: the artists the user listened to longest recently (`recent`: this month's
/// sums), then of all time.
pub(crate) fn artist_mix_seeds(
    taste: &Taste,
    recent: Option<&Tallies>,
    limit: usize,
) -> Vec<MixId> {
    let mut seeds: Vec<MixId> = Vec::new();
    let recent_top = recent
        .map(|tallies| tallies.top_artists(limit * 2 + 8))
        .unwrap_or_default();
    let all_time = taste.me().map(|user| user.top_artists()).unwrap_or(&[]);
    for (artisthash, _) in recent_top.iter().chain(all_time.iter()) {
        if seeds.len() >= limit {
            break;
        }
        let id = MixId::artist(*artisthash);
        if !seeds.contains(&id) && taste.library.artist(*artisthash).is_some() {
            seeds.push(id);
        }
    }
    seeds
}

/// Track mixes: the tracks the user played most recently (`recent`), then of all time, one per
/// album so the mixes differ.
pub(crate) fn track_mix_seeds(taste: &Taste, recent: Option<&Tallies>, limit: usize) -> Vec<MixId> {
    let mut seeds: Vec<MixId> = Vec::new();
    let mut albums: Vec<Hash> = Vec::new();
    let recent_top = recent
        .map(|tallies| tallies.top_tracks(limit * 4 + 8))
        .unwrap_or_default();
    let all_time = if recent_top.len() < limit {
        taste.mine().top_tracks(limit * 4 + 8)
    } else {
        Vec::new()
    };
    for (trackhash, _) in recent_top.iter().chain(all_time.iter()) {
        if seeds.len() >= limit {
            break;
        }
        let Some(track) = taste.library.track(*trackhash) else {
            continue;
        };
        if !albums.contains(&track.albumhash) {
            albums.push(track.albumhash);
            seeds.push(MixId::track(*trackhash));
        }
    }
    seeds
}

/// The mix of `id`, or None when its seed is not in the library.
pub(crate) fn plan_mix(taste: &Taste, id: MixId) -> Option<MixPlan> {
    let library = taste.library;
    match id.kind {
        MixKind::Artists => {
            let artist = library.artist(id.seed)?;
            let (tracks, featured) = mix_tracks(taste, artist, None);
            Some(MixPlan {
                id,
                title: format!("{} Mix", artist.name),
                description: featuring(&featured, taste),
                artisthash: artist.artisthash,
                tracks,
                timestamp: taste
                    .mine()
                    .artists
                    .get(&artist.artisthash)
                    .map_or(0, |tally| tally.last),
            })
        }
        MixKind::Tracks => {
            let track = library.track(id.seed)?;
            let artist = track
                .artists
                .iter()
                .chain(track.albumartists.iter())
                .find_map(|credit| library.artist(credit.hash))?;
            let (tracks, featured) = mix_tracks(taste, artist, Some(track.trackhash));
            Some(MixPlan {
                id,
                title: format!("{} Mix", track.title),
                description: featuring(&featured, taste),
                artisthash: artist.artisthash,
                tracks,
                timestamp: taste.my_track_plays(track.trackhash).last,
            })
        }
    }
}

/// "Featuring A, B and C" over the first artists of the mix.
fn featuring(artists: &[Hash], taste: &Taste) -> String {
    let names: Vec<&str> = artists
        .iter()
        .filter_map(|hash| taste.library.artist(*hash))
        .map(|artist| &*artist.name)
        .take(3)
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [only] => format!("Featuring {only}"),
        [first, second] if artists.len() == 2 => format!("Featuring {first} and {second}"),
        [first, second] => format!("Featuring {first}, {second} and more"),
        [first, second, third, ..] if artists.len() == 3 => {
            format!("Featuring {first}, {second} and {third}")
        }
        [first, second, third, ..] => format!("Featuring {first}, {second}, {third} and more"),
    }
}

/// The tracks of a mix around `artist`: `first` (a seed track) if given, then the artist's tracks
/// that the user plays most, then the rest of theirs, interleaved with up to three tracks each of
/// the related artists. Also returns the artists featured, seed artist first.
fn mix_tracks(taste: &Taste, artist: &Artist, first: Option<Hash>) -> (Vec<Hash>, Vec<Hash>) {
    let own = mix_order(taste, artist);
    let mut featured = vec![artist.artisthash];
    let mut per_related: Vec<Vec<Hash>> = Vec::new();
    for (related, _) in taste.related_artists(artist.artisthash, RELATED_ARTISTS) {
        let Some(related_artist) = taste.library.artist(related) else {
            continue;
        };
        let order = mix_order(taste, related_artist);
        let tracks: Vec<Hash> = order.iter().take(TRACKS_PER_RELATED).copied().collect();
        if !tracks.is_empty() {
            featured.push(related);
            per_related.push(tracks);
        }
    }
    // Round-robin over the related artists: everyone's best track before anyone's second.
    let mut others: Vec<Hash> = Vec::new();
    for round in 0..TRACKS_PER_RELATED {
        for tracks in &per_related {
            if let Some(track) = tracks.get(round) {
                others.push(*track);
            }
        }
    }
    let own_quota = SEED_ARTIST_TRACKS.max(MIX_TRACKS.saturating_sub(others.len()));

    let mut mix: Vec<Hash> = Vec::with_capacity(MIX_TRACKS);
    let push = |mix: &mut Vec<Hash>, hash: Hash| {
        if mix.len() < MIX_TRACKS && !mix.contains(&hash) {
            mix.push(hash);
        }
    };
    if let Some(first) = first {
        push(&mut mix, first);
    }
    let mut own_iter = own.iter().copied().take(own_quota);
    let mut others_iter = others.into_iter();
    loop {
        let mine = own_iter.next();
        let theirs = others_iter.next();
        if mine.is_none() && theirs.is_none() {
            break;
        }
        for hash in mine.into_iter().chain(theirs) {
            push(&mut mix, hash);
        }
    }
    (mix, featured)
}

/// An artist's best tracks for a mix (at most [`MIX_TRACKS`]): the ones the user played most
/// first, the rest in an order that is stable for an artist but differs between artists (so two
/// artists' mixes do not open alike). Computed once per artist and request.
fn mix_order(taste: &Taste, artist: &Artist) -> std::rc::Rc<[Hash]> {
    taste.mix_order(artist.artisthash, || best_tracks(taste, artist, MIX_TRACKS))
}

fn best_tracks(taste: &Taste, artist: &Artist, limit: usize) -> Vec<Hash> {
    let salt = artist.artisthash;
    let mut tracks: Vec<(Reverse<u32>, u64, Hash)> = taste
        .library
        .artist_track_records(artist)
        .map(|track| {
            let plays = taste.my_track_plays(track.trackhash).count;
            (
                Reverse(plays),
                scramble(track.trackhash ^ salt),
                track.trackhash,
            )
        })
        .collect();
    if tracks.len() > limit {
        tracks.select_nth_unstable(limit - 1);
        tracks.truncate(limit);
    }
    tracks.sort_unstable();
    tracks.into_iter().map(|(_, _, hash)| hash).collect()
}

/// SplitMix64's finaliser: a cheap, well-spread permutation of 64-bit values.
fn scramble(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
