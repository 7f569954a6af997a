//! Related artists, built openly from the library and listening: genre likeness from the index
//! and co-listening, which artists *other* users play together (their per-artist sums, never
//! their individual plays). The rows "because you listened to", "artists you might like" and the
//! mixes all ask this.

use std::collections::HashMap;

use swingfly_library::Library;
use swingfly_model::Hash;

use super::listening::{Ledger, Tallies, Tally, UserPlays};
use super::HomeIndex;

/// How much co-listening counts against genre likeness when both are known.
const CO_LISTENING_WEIGHT: f32 = 0.6;
const GENRE_WEIGHT: f32 = 0.4;

/// One user's view of the library and of everyone's listening.
pub(crate) struct Taste<'a> {
    pub library: &'a Library,
    pub index: &'a HomeIndex,
    pub ledger: &'a Ledger,
    pub user_id: i64,
}

impl<'a> Taste<'a> {
    pub fn new(
        library: &'a Library,
        index: &'a HomeIndex,
        ledger: &'a Ledger,
        user_id: i64,
    ) -> Taste<'a> {
        Taste {
            library,
            index,
            ledger,
            user_id,
        }
    }

    pub fn me(&self) -> Option<&'a UserPlays> {
        self.ledger.user(self.user_id)
    }

    /// The user's all-time sums.
    pub fn mine(&self) -> &'a Tallies {
        match self.me() {
            Some(user) => user.tallies(),
            None => empty_tallies(),
        }
    }

    /// The user's plays of one track.
    pub fn my_track_plays(&self, trackhash: Hash) -> Tally {
        self.mine()
            .tracks
            .get(&trackhash)
            .copied()
            .unwrap_or_default()
    }

    /// Artists related to `artisthash`, best first, at most `limit`: a blend of genre likeness
    /// and co-listening by other users, each in 0..=1.
    pub fn related_artists(&self, artisthash: Hash, limit: usize) -> Vec<(Hash, f32)> {
        let mut scores: HashMap<Hash, f32> = HashMap::new();
        let co_listened = self.co_listened(artisthash);
        let (co_weight, genre_weight) = if co_listened.is_empty() {
            (0.0, 1.0)
        } else {
            (CO_LISTENING_WEIGHT, GENRE_WEIGHT)
        };
        for (other, likeness) in co_listened {
            *scores.entry(other).or_default() += co_weight * likeness;
        }
        if let Some(position) = self.library.artist_position(artisthash) {
            let artists = self.library.artists();
            for &(other, likeness) in self.index.genre_neighbours(position).iter() {
                let other = artists[other as usize].artisthash;
                *scores.entry(other).or_default() += genre_weight * likeness;
            }
        }
        scores.remove(&artisthash);
        let mut ranked: Vec<(Hash, f32)> = scores
            .into_iter()
            .filter(|(other, score)| *score > 0.0 && self.library.artist(*other).is_some())
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit);
        ranked
    }

    /// For each artist that other users play beside `artisthash`: the share of listening the two
    /// have in common, summed over those users and scaled to 0..=1. A user's share of an artist is
    /// the artist's plays over all their plays; two artists have in common the smaller share.
    fn co_listened(&self, artisthash: Hash) -> HashMap<Hash, f32> {
        let mut common: HashMap<Hash, f32> = HashMap::new();
        let mut seed_total = 0.0f32;
        for (user_id, user) in self.ledger.users() {
            if user_id == self.user_id {
                continue;
            }
            let tallies = user.tallies();
            let Some(seed) = tallies.artists.get(&artisthash) else {
                continue;
            };
            let plays = tallies.plays.max(1) as f32;
            let seed_share = seed.count as f32 / plays;
            seed_total += seed_share;
            for (other, tally) in user.top_artists() {
                if *other != artisthash {
                    let share = tally.count as f32 / plays;
                    *common.entry(*other).or_default() += seed_share.min(share);
                }
            }
        }
        if seed_total > 0.0 {
            for value in common.values_mut() {
                *value /= seed_total;
            }
        }
        common
    }
}

fn empty_tallies() -> &'static Tallies {
    static EMPTY: std::sync::OnceLock<Tallies> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Tallies::default)
}
