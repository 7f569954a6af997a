//! Each user's favourites and play statistics in memory, loaded from the ledger on a user's first
//! request and updated in place by every favourite and play, so browse queries can mark favourites
//! and sort by plays without touching SQL.
//!
//! Per user the ledger's plays are held summed per trackhash (one small entry per distinct track
//! played, whatever the length of the history: a 100k-play history of 20k tracks is 20k entries).
//! Album and artist figures are derived from those through one library index and rebuilt when the
//! index changes, so a rescan that changes hashes never leaves stale sums behind.
//!
//! Every change goes through [`UserData`]: it is committed to the ledger first and then applied in
//! memory under the user's write lock, the same lock a first load holds, so a load never misses a
//! change committed beside it.
//!
//! Several instances on one ledger stay coherent through the cache tier's generation counters
//! (`user-data:{u<id>}` per user, `user-data` for everyone): every change bumps the user's
//! generation, and a state loaded under another generation than the current one is reloaded from
//! the ledger, so a favourite or a play recorded on one instance shows on the others at once
//! (pub/sub), and within the tier's near-cache lifetime at worst.

mod state;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;
use serde_json::Value;
use swingfly_cache::Cache;
use swingfly_library::{ItemKind, Library, PlayStats, UserView};
use swingfly_model::Hash;
use swingfly_store::favorites::FavoriteKind;
use swingfly_store::scrobbles::NewScrobble;
use swingfly_store::Store;

pub use state::{credited_items, UserState};

/// The in-memory per-user state of every user seen since start-up.
pub struct UserData {
    store: Store,
    cache: Cache,
    slots: RwLock<HashMap<i64, Arc<UserSlot>>>,
}

/// The generation family of everyone's data (bumped by restores and imports).
const EVERYONE: &str = "user-data";

fn user_family(user_id: i64) -> String {
    format!("user-data:{{u{user_id}}}")
}

/// The generations a state was loaded under: (everyone's, the user's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Generations(u64, u64);

/// One user's place in memory. The slot lives as long as the process; its state comes and goes.
#[derive(Default)]
struct UserSlot {
    /// Held while the state is loaded from the ledger and while a change is written to the ledger
    /// and applied in memory (one writer per user at a time; SQLite has one writer anyway).
    write_lock: tokio::sync::Mutex<()>,
    /// None until the first request, and again after an invalidation.
    state: RwLock<Option<Arc<UserState>>>,
    /// The user's generation the state is current for (with `everyone`).
    generation: AtomicU64,
    everyone: AtomicU64,
}

/// What the queries see of one user: their favourites and play statistics, live (a play logged
/// while a query runs may or may not be counted by it; no query waits for a log).
#[derive(Clone)]
pub struct UserDataView {
    state: Arc<UserState>,
}

impl UserView for UserDataView {
    fn is_favorite(&self, kind: ItemKind, hash: Hash) -> bool {
        self.state.is_favorite(kind, hash)
    }

    fn plays(&self, kind: ItemKind, hash: Hash) -> PlayStats {
        self.state.plays(kind, hash)
    }
}

impl UserDataView {
    /// The user's state behind this view (for services that need more than the trait offers).
    pub fn state(&self) -> &Arc<UserState> {
        &self.state
    }
}

impl UserData {
    pub fn new(store: Store, cache: Cache) -> Self {
        Self {
            store,
            cache,
            slots: RwLock::new(HashMap::new()),
        }
    }

    /// The generations of everyone's and this user's data: they move with every change of the
    /// user's favourites or plays (on any instance) and with restores and imports. Caches of
    /// anything derived from that data put them in their keys.
    pub async fn generations_of(&self, user_id: i64) -> (u64, u64) {
        let Generations(everyone, user) = self.generations(user_id).await;
        (everyone, user)
    }

    async fn generations(&self, user_id: i64) -> Generations {
        Generations(
            self.cache.generation(EVERYONE).await,
            self.cache.generation(&user_family(user_id)).await,
        )
    }

    /// After this process changed the user's data: moves the user's generation on (so other
    /// instances reload) and keeps this process's state current, unless someone else changed the
    /// user in between, in which case the state is dropped and reloaded on the next request.
    async fn changed(&self, user_id: i64, slot: &UserSlot) {
        let family = user_family(user_id);
        let before = slot.generation.load(Ordering::Acquire);
        let after = self.cache.bump_generation(&family).await;
        if after == before.wrapping_add(1) {
            slot.generation.store(after, Ordering::Release);
        } else {
            *slot.state.write() = None;
        }
    }

    /// What the queries over `library` see of one user's data. Loads the user from the ledger on
    /// first use; brings album and artist figures in line with `library` if it is a new index.
    pub async fn view(&self, user_id: i64, library: &Arc<Library>) -> anyhow::Result<UserDataView> {
        let state = self.state(user_id).await?;
        state.align_with(library);
        Ok(UserDataView { state })
    }

    /// Marks (`favorite` true) or unmarks an item as the user's favourite, in the ledger and then
    /// in memory. Idempotent: returns whether anything changed.
    pub async fn set_favorite(
        &self,
        user_id: i64,
        kind: FavoriteKind,
        hash: Hash,
        extra: &Value,
        favorite: bool,
    ) -> anyhow::Result<bool> {
        let slot = self.slot(user_id);
        let _writing = slot.write_lock.lock().await;
        let hex = swingfly_model::hash_hex(hash);
        let changed = if favorite {
            self.store.add_favorite(user_id, kind, &hex, extra).await?
        } else {
            self.store.remove_favorite(user_id, kind, &hex).await?
        };
        if changed {
            if let Some(state) = slot.loaded() {
                state.set_favorite(item_kind(kind), hash, favorite);
            }
            self.changed(user_id, &slot).await;
        }
        Ok(changed)
    }

    /// Records a play in the ledger (committed when this returns) and then in memory, counted for
    /// the track, its album and each of its artists as `library` has them. Returns the new row's id,
    /// or None when the user already has a play of this track at this exact second.
    pub async fn record_play(
        &self,
        user_id: i64,
        play: &NewScrobble,
        trackhash: Hash,
        library: &Arc<Library>,
    ) -> anyhow::Result<Option<i64>> {
        let slot = self.slot(user_id);
        let _writing = slot.write_lock.lock().await;
        let id = self.store.insert_scrobble(user_id, play).await?;
        if id.is_some() {
            if let Some(state) = slot.loaded() {
                state.add_play(trackhash, play.duration, play.timestamp, library);
            }
            self.changed(user_id, &slot).await;
        }
        Ok(id)
    }

    /// Forgets one user's state (it is reloaded from the ledger on the next request), here and
    /// on every other instance.
    pub async fn invalidate(&self, user_id: i64) {
        if let Some(slot) = self.slots.read().get(&user_id) {
            *slot.state.write() = None;
        }
        self.cache.bump_generation(&user_family(user_id)).await;
    }

    /// Forgets every user's state, after a bulk change of the ledger (restore, import), here and
    /// on every other instance.
    pub async fn invalidate_all(&self) {
        for slot in self.slots.read().values() {
            *slot.state.write() = None;
        }
        self.cache.bump_generation(EVERYONE).await;
    }

    fn slot(&self, user_id: i64) -> Arc<UserSlot> {
        if let Some(slot) = self.slots.read().get(&user_id) {
            return slot.clone();
        }
        self.slots.write().entry(user_id).or_default().clone()
    }

    /// The user's state, loaded from the ledger if it is not in memory.
    async fn state(&self, user_id: i64) -> anyhow::Result<Arc<UserState>> {
        let slot = self.slot(user_id);
        let current = self.generations(user_id).await;
        if let Some(state) = slot.loaded_under(current) {
            return Ok(state);
        }
        let _writing = slot.write_lock.lock().await;
        // Another request may have loaded it while this one waited.
        let current = self.generations(user_id).await;
        if let Some(state) = slot.loaded_under(current) {
            return Ok(state);
        }
        let state = Arc::new(self.load(user_id).await?);
        slot.everyone.store(current.0, Ordering::Release);
        slot.generation.store(current.1, Ordering::Release);
        *slot.state.write() = Some(state.clone());
        Ok(state)
    }

    async fn load(&self, user_id: i64) -> anyhow::Result<UserState> {
        let started = std::time::Instant::now();
        let favorites = self.store.favorites_newest_first(user_id, None).await?;
        let plays = self.store.play_aggregates(user_id).await?;
        let state = UserState::from_ledger(&favorites, &plays);
        tracing::debug!(
            user_id,
            favorites = favorites.len(),
            tracks_played = plays.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "user data loaded"
        );
        Ok(state)
    }
}

impl UserSlot {
    fn loaded(&self) -> Option<Arc<UserState>> {
        self.state.read().clone()
    }

    /// The state, if it was loaded under these generations.
    fn loaded_under(&self, generations: Generations) -> Option<Arc<UserState>> {
        let current = Generations(
            self.everyone.load(Ordering::Acquire),
            self.generation.load(Ordering::Acquire),
        );
        (current == generations).then(|| self.loaded()).flatten()
    }
}

/// The library's name for a favourite's kind.
pub fn item_kind(kind: FavoriteKind) -> ItemKind {
    match kind {
        FavoriteKind::Track => ItemKind::Track,
        FavoriteKind::Album => ItemKind::Album,
        FavoriteKind::Artist => ItemKind::Artist,
    }
}
