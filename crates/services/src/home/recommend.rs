//! Related artists, built openly from the library and listening: genre likeness from the index
//! and co-listening, which artists *other* users play together (their per-artist sums, never
//! their individual plays). The rows "because you listened to", "artists you might like" and the
//! mixes all ask this.

use std::cell::RefCell;
use std::rc::Rc;

use swingfly_library::Library;
use swingfly_model::Hash;

use super::listening::{ByHash, Ledger, Tallies, Tally, UserPlays};
use super::HomeIndex;

/// How much co-listening counts against genre likeness when both are known.
const CO_LISTENING_WEIGHT: f32 = 0.6;
const GENRE_WEIGHT: f32 = 0.4;

/// A related-artist list: how many were asked for when it was computed, and the artists found.
type RelatedList = (usize, Rc<[(Hash, f32)]>);

/// Related-artist lists are computed this long at least (callers asking fewer share them).
const RELATED_KEPT: usize = 48;

/// One user's view of the library and of everyone's listening, for one request (related-artist
/// lists are memoised: the rows and the mixes ask for the same artists).
pub(crate) struct Taste<'a> {
    pub library: &'a Library,
    pub index: &'a HomeIndex,
    pub ledger: &'a Ledger,
    pub user_id: i64,
    /// Per artist: how many were asked for when computed, and the list.
    related: RefCell<ByHash<RelatedList>>,
    /// Per artist: their tracks in mix order (see `mixes::plan`).
    mix_orders: RefCell<ByHash<Rc<[Hash]>>>,
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
            related: RefCell::default(),
            mix_orders: RefCell::default(),
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
        if let Some((asked, known)) = self.related.borrow().get(&artisthash) {
            // Long enough, or all there is.
            if *asked >= limit || known.len() < *asked {
                return known.iter().take(limit).copied().collect();
            }
        }
        let asked = limit.max(RELATED_KEPT);
        let computed: Rc<[(Hash, f32)]> = Rc::from(self.compute_related(artisthash, asked));
        self.related
            .borrow_mut()
            .insert(artisthash, (asked, computed.clone()));
        computed.iter().take(limit).copied().collect()
    }

    fn compute_related(&self, artisthash: Hash, limit: usize) -> Vec<(Hash, f32)> {
        let mut scores: ByHash<f32> = ByHash::default();
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

    /// An artist's tracks in mix order, computed by `order` on first use in this request (every
    /// mix that draws on the artist asks again).
    pub fn mix_order(&self, artisthash: Hash, order: impl FnOnce() -> Vec<Hash>) -> Rc<[Hash]> {
        if let Some(known) = self.mix_orders.borrow().get(&artisthash) {
            return known.clone();
        }
        let computed: Rc<[Hash]> = Rc::from(order());
        self.mix_orders
            .borrow_mut()
            .insert(artisthash, computed.clone());
        computed
    }

    /// For each artist that other users play beside `artisthash`: the share of listening the two
    /// have in common, summed over those users and scaled to 0..=1. A user's share of an artist is
    /// the artist's plays over all their plays; two artists have in common the smaller share.
    fn co_listened(&self, artisthash: Hash) -> ByHash<f32> {
        let mut common: ByHash<f32> = ByHash::default();
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
