//! The stats strip of the album and artist pages: listening time, unplayed tracks, the top track,
//! and the album's completeness or the artist's top album.

use swingfly_model::Hash;

use crate::entities::IndexedTrack;
use crate::humanize::duration_text;
use crate::user::{ItemKind, UserView};
use crate::wire::StatItem;
use crate::Library;

/// Which extra tile closes the strip.
pub(super) enum GroupKind {
    Album,
    Artist,
}

impl Library {
    pub(super) fn track_group_stats(
        &self,
        tracks: &[&IndexedTrack],
        kind: GroupKind,
        user: &dyn UserView,
    ) -> Vec<StatItem> {
        if tracks.is_empty() {
            return Vec::new();
        }
        let plays: Vec<_> = tracks
            .iter()
            .map(|track| user.plays(ItemKind::Track, track.trackhash))
            .collect();
        let unplayed = plays.iter().filter(|stats| stats.playcount == 0).count();
        let listened: u64 = plays.iter().map(|stats| stats.playduration).sum();

        let mut items = vec![
            StatItem {
                cssclass: "play_duration",
                image: None,
                text: "listened all time".to_owned(),
                value: duration_text(listened),
            },
            StatItem {
                cssclass: "played",
                image: None,
                text: "never played".to_owned(),
                value: format!("{unplayed}/{} tracks", tracks.len()),
            },
        ];

        let top_track = tracks
            .iter()
            .zip(&plays)
            .filter(|(_, stats)| stats.playcount > 0)
            .max_by_key(|(_, stats)| stats.playduration);
        items.push(match top_track {
            Some((track, stats)) => StatItem {
                cssclass: "toptrack",
                image: Some(format!(
                    "{:016x}.webp?pathhash={:016x}",
                    track.albumhash, track.pathhash
                )),
                text: format!("top track ({} listened)", duration_text(stats.playduration)),
                value: track.title.to_string(),
            },
            None => StatItem {
                cssclass: "toptrack",
                image: None,
                text: "top track".to_owned(),
                value: "—".to_owned(),
            },
        });

        items.push(match kind {
            GroupKind::Album => completeness(tracks),
            GroupKind::Artist => self.top_album(tracks, &plays),
        });
        items
    }

    fn top_album(&self, tracks: &[&IndexedTrack], plays: &[crate::PlayStats]) -> StatItem {
        // Listening time per album, in order of first appearance.
        let mut per_album: Vec<(Hash, u64, &IndexedTrack)> = Vec::new();
        for (track, stats) in tracks.iter().zip(plays) {
            match per_album
                .iter_mut()
                .find(|(albumhash, _, _)| *albumhash == track.albumhash)
            {
                Some(entry) => entry.1 += stats.playduration,
                None => per_album.push((track.albumhash, stats.playduration, track)),
            }
        }
        let best = per_album
            .iter()
            .filter(|(_, listened, _)| *listened > 0)
            .fold(
                None::<&(Hash, u64, &IndexedTrack)>,
                |best, entry| match best {
                    Some(current) if current.1 >= entry.1 => Some(current),
                    _ => Some(entry),
                },
            );
        match best {
            Some((albumhash, listened, track)) => StatItem {
                cssclass: "topalbum",
                image: Some(format!(
                    "{albumhash:016x}.webp?pathhash={:016x}",
                    track.pathhash
                )),
                text: format!("top album ({} listened)", duration_text(*listened)),
                value: track.album.to_string(),
            },
            None => StatItem {
                cssclass: "topalbum",
                image: None,
                text: "top album".to_owned(),
                value: "—".to_owned(),
            },
        }
    }
}

/// How many of the tagged track total the album holds.
fn completeness(tracks: &[&IndexedTrack]) -> StatItem {
    let available = tracks.len();
    let tagged_total = tracks
        .iter()
        .filter_map(|track| track.track_total)
        .max()
        .unwrap_or(0) as usize;
    if tagged_total == 0 {
        return StatItem {
            cssclass: "completeness",
            image: None,
            text: format!("{available}/? tracks available"),
            value: "?".to_owned(),
        };
    }
    let percent = available * 100 / tagged_total;
    StatItem {
        cssclass: "completeness",
        image: None,
        text: format!("{available}/{tagged_total} tracks available"),
        value: if percent <= 100 {
            format!("{percent}% complete")
        } else {
            "?".to_owned()
        },
    }
}
