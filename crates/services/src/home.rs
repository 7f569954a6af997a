//! The home page (reference §3.9, §5.8): recently played, artist and track mixes, top artists of the
//! week and month, "because you listened to", "artists you might like", the user's collections and
//! recently added, plus the raw recents routes.
//!
//! Two kinds of precomputed data keep a request cheap (no SQL scan, no sort of the library):
//! - per index ([`HomeIndex`], built on the first request after an index swap): the recently
//!   added row and the artist genre table, with related-artist lists memoised as they are asked;
//! - per user ([`listening`]): every user's plays in time order with their per-track and
//!   per-artist sums, caught up with the ledger by reading only rows newer than the last seen.
//!
//! The rows Swing keeps behind a licence are built openly from listening: related artists mix
//! genre likeness with anonymous co-listening (which artists other users play together); nothing
//! of one user's plays reaches another user's rows except through those co-listening sums.

mod cached;
mod listening;
mod recents;
mod recommend;
mod rows;
pub mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use parking_lot::{Mutex, RwLock};
use swingfly_library::{AddedEntry, ArtistGenreTable, Library};
use swingfly_store::Store;

pub use cached::home_page_json;
pub(crate) use listening::{Ledger, Tallies};
pub use recents::{RecentlyAddedRaw, RecentlyPlayedRaw};
pub(crate) use recommend::Taste;
pub use rows::{home_page, recently_added_raw, recently_played_raw};

/// The "recently added" row is capped at this many entries (§5.8), as is "recently played".
pub const RECENTS_CAP: usize = 15;

/// Related-artist lists keep this many genre neighbours per artist.
const GENRE_NEIGHBOURS_KEPT: usize = 50;

/// How often the plays of deleted users are dropped from memory (their rows are gone from the
/// ledger with them; until then they only weigh in the anonymous co-listening sums, and user ids
/// are never reused).
const DELETED_USERS_CHECK: std::time::Duration = std::time::Duration::from_secs(60);

/// The home service's state, one per [`crate::app::App`].
#[derive(Default)]
pub struct Home {
    index: Mutex<Option<Arc<HomeIndex>>>,
    ledger: RwLock<Ledger>,
    users_checked: Mutex<Option<std::time::Instant>>,
}

/// Artists (positions in `Library::artists()`) with their genre likeness, most alike first.
pub(crate) type Neighbours = Arc<[(u32, f32)]>;

/// What the home rows need from one library index, computed once per index.
pub(crate) struct HomeIndex {
    library: Weak<Library>,
    pub recently_added: Vec<AddedEntry>,
    pub genres: ArtistGenreTable,
    /// Genre neighbours per artist position, filled as they are asked for.
    neighbours: RwLock<HashMap<u32, Neighbours>>,
}

impl HomeIndex {
    fn build(library: &Arc<Library>) -> HomeIndex {
        let started = std::time::Instant::now();
        let index = HomeIndex {
            library: Arc::downgrade(library),
            recently_added: library.recently_added(RECENTS_CAP),
            genres: library.artist_genre_table(),
            neighbours: RwLock::new(HashMap::new()),
        };
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "home tables built"
        );
        index
    }

    /// Artists sharing genres with the artist at `position`, most alike first.
    pub fn genre_neighbours(&self, position: usize) -> Neighbours {
        let key = position as u32;
        if let Some(found) = self.neighbours.read().get(&key) {
            return found.clone();
        }
        let computed: Neighbours =
            Arc::from(self.genres.neighbours(position, GENRE_NEIGHBOURS_KEPT));
        self.neighbours.write().insert(key, computed.clone());
        computed
    }
}

impl Home {
    pub fn new() -> Home {
        Home::default()
    }

    /// The per-index tables for `library`, built by the first caller after an index swap.
    pub(crate) fn index_for(&self, library: &Arc<Library>) -> Arc<HomeIndex> {
        let mut slot = self.index.lock();
        if let Some(index) = slot.as_ref() {
            if std::ptr::eq(index.library.as_ptr(), Arc::as_ptr(library)) {
                return index.clone();
            }
        }
        let index = Arc::new(HomeIndex::build(library));
        *slot = Some(index.clone());
        index
    }

    /// One user's plays with `from <= timestamp < to`, summed per trackhash, from the in-memory
    /// copy of the ledger (brought up to date first). The charts read their windows here: the
    /// plays are held in time order, so a window is a slice, not a SQL aggregate.
    pub(crate) async fn track_sums_between(
        &self,
        store: &Store,
        library: &Arc<Library>,
        user_id: i64,
        from: i64,
        to: i64,
    ) -> anyhow::Result<Vec<(swingfly_model::Hash, swingfly_library::PlayStats)>> {
        self.catch_up(store, library).await?;
        let ledger = self.ledger.read();
        let Some(user) = ledger.user(user_id) else {
            return Ok(Vec::new());
        };
        let plays = user.plays();
        let start = plays.partition_point(|play| play.timestamp < from);
        let end = plays.partition_point(|play| play.timestamp < to);
        let mut sums: listening::ByHash<swingfly_library::PlayStats> = Default::default();
        for play in &plays[start..end.max(start)] {
            let stats = sums.entry(play.trackhash).or_default();
            stats.playcount += 1;
            stats.playduration += u64::from(play.duration);
            stats.lastplayed = stats.lastplayed.max(play.timestamp);
        }
        Ok(sums.into_iter().collect())
    }

    /// Brings the in-memory plays up to date with the ledger and their sums with `library`.
    pub(crate) async fn catch_up(
        &self,
        store: &Store,
        library: &Arc<Library>,
    ) -> anyhow::Result<()> {
        self.drop_deleted_users(store).await?;
        let seen = self.ledger.read().last_id();
        // Reading from the newest row already held (not after it) shows whether it still exists.
        let rows = store.all_plays_after(seen.saturating_sub(1)).await?;
        {
            let ledger = self.ledger.read();
            let nothing_new = rows.iter().all(|row| row.id <= ledger.last_id());
            if nothing_new && ledger.continues_with(&rows) && ledger.is_aligned(library) {
                return Ok(());
            }
        }
        let deleted = {
            let mut ledger = self.ledger.write();
            let deleted = ledger.last_id() == seen && !ledger.continues_with(&rows);
            if !deleted {
                ledger.absorb(rows, library);
            }
            deleted
        };
        if deleted {
            // Plays were deleted (a user removed): start again from the whole ledger.
            let all = store.all_plays_after(0).await?;
            let mut fresh = Ledger::default();
            fresh.absorb(all, library);
            *self.ledger.write() = fresh;
        }
        Ok(())
    }

    async fn drop_deleted_users(&self, store: &Store) -> anyhow::Result<()> {
        {
            let mut checked = self.users_checked.lock();
            if checked.is_some_and(|at| at.elapsed() < DELETED_USERS_CHECK) {
                return Ok(());
            }
            *checked = Some(std::time::Instant::now());
        }
        let users: Vec<i64> = store
            .list_users()
            .await?
            .iter()
            .map(|user| user.id)
            .collect();
        self.ledger.write().retain_users(&users);
        Ok(())
    }

    /// Computes the user's week and month sums if a play or a new period made them stale.
    pub(crate) fn prepare_windows(&self, user_id: i64, starts: &[i64], library: &Library) {
        if self.ledger.read().has_windows(user_id, starts) {
            return;
        }
        self.ledger
            .write()
            .prepare_windows(user_id, starts, library);
    }

    pub(crate) fn ledger(&self) -> parking_lot::RwLockReadGuard<'_, Ledger> {
        self.ledger.read()
    }

    /// Forgets every play held in memory; the next request reloads them from the ledger. Call it
    /// after plays were deleted or rewritten in bulk (user removal, restore, import).
    pub fn forget_plays(&self) {
        *self.ledger.write() = Ledger::default();
    }
}

/// The starts (unix seconds) of the current local week (Monday 00:00) and month (the 1st, 00:00),
/// the periods of the top-artist rows. The rows show whenever the period holds plays (Swing fills
/// the week row only Friday to Sunday and the month row only late in the month).
pub(crate) fn period_starts(now: i64) -> (i64, i64) {
    use chrono::{Datelike, Local, NaiveTime, TimeZone};
    let Some(today) = Local
        .timestamp_opt(now, 0)
        .single()
        .map(|time| time.date_naive())
    else {
        return (now, now);
    };
    let start_of = |date: chrono::NaiveDate| {
        Local
            .from_local_datetime(&date.and_time(NaiveTime::MIN))
            .earliest()
            .map_or(now, |time| time.timestamp())
    };
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first = today.with_day(1).unwrap_or(today);
    (start_of(monday), start_of(first))
}
