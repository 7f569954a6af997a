//! Every user's plays in memory, in time order, with per-user sums derived through one library
//! index. The ledger (`scrobbles`) stays the truth: this copy catches up on each use by reading the
//! rows recorded since the newest one it holds (one indexed read that usually returns nothing), so
//! a play logged by any path (the logger, an import, a restore) shows on the next home request, and
//! a user whose history was empty at start-up is no different from any other.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use swingfly_library::Library;
use swingfly_model::{parse_hash, Hash};
use swingfly_store::home::PlayRow;

/// A map keyed by a Swing hash (the library's pass-through hasher: the keys already are XXH3).
pub(crate) type ByHash<V> = swingfly_library::HashKeyed<V>;

/// One play.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Play {
    pub id: i64,
    pub timestamp: i64,
    pub trackhash: Hash,
    pub duration: u32,
    /// Index into the user's source strings.
    pub source: u32,
}

/// Plays summed for one item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub count: u32,
    /// Seconds listened.
    pub duration: u64,
    /// Unix seconds of the newest play.
    pub last: i64,
}

impl Tally {
    fn add(&mut self, play: &Play) {
        self.count += 1;
        self.duration += u64::from(play.duration);
        self.last = self.last.max(play.timestamp);
    }
}

/// Per-track and per-artist sums over a set of plays, through one library index (a track counts
/// for each of its artists).
#[derive(Debug, Default)]
pub(crate) struct Tallies {
    pub tracks: ByHash<Tally>,
    pub artists: ByHash<Tally>,
    /// Plays counted.
    pub plays: u64,
}

impl Tallies {
    /// Sums `plays`, resolving each distinct track in `library` once.
    pub fn over<'a>(plays: impl Iterator<Item = &'a Play>, library: &Library) -> Tallies {
        let mut tallies = Tallies::default();
        for play in plays {
            tallies.tracks.entry(play.trackhash).or_default().add(play);
            tallies.plays += 1;
        }
        for (trackhash, tally) in &tallies.tracks {
            let Some(track) = library.track(*trackhash) else {
                continue;
            };
            for artist in track.artists.iter() {
                let sum = tallies.artists.entry(artist.hash).or_default();
                sum.count += tally.count;
                sum.duration += tally.duration;
                sum.last = sum.last.max(tally.last);
            }
        }
        tallies
    }

    fn add(&mut self, play: &Play, library: &Library) {
        self.tracks.entry(play.trackhash).or_default().add(play);
        self.plays += 1;
        if let Some(track) = library.track(play.trackhash) {
            for artist in track.artists.iter() {
                self.artists.entry(artist.hash).or_default().add(play);
            }
        }
    }

    /// At most `limit` artists by seconds listened (then plays, then hash), most first.
    pub fn top_artists(&self, limit: usize) -> Vec<(Hash, Tally)> {
        top(&self.artists, limit, |tally| {
            (tally.duration, u64::from(tally.count))
        })
    }

    /// At most `limit` tracks by plays (then seconds, then hash), most first.
    pub fn top_tracks(&self, limit: usize) -> Vec<(Hash, Tally)> {
        top(&self.tracks, limit, |tally| {
            (u64::from(tally.count), tally.duration)
        })
    }
}

/// The `limit` entries with the largest `key` (ties by hash), largest first, without sorting
/// the whole map.
fn top(map: &ByHash<Tally>, limit: usize, key: fn(&Tally) -> (u64, u64)) -> Vec<(Hash, Tally)> {
    let order =
        |a: &(Hash, Tally), b: &(Hash, Tally)| key(&b.1).cmp(&key(&a.1)).then(a.0.cmp(&b.0));
    let mut entries: Vec<(Hash, Tally)> = map.iter().map(|(hash, tally)| (*hash, *tally)).collect();
    if limit == 0 {
        return Vec::new();
    }
    if entries.len() > limit {
        entries.select_nth_unstable_by(limit - 1, order);
        entries.truncate(limit);
    }
    entries.sort_by(order);
    entries
}

/// What the all-time sums were computed through.
struct Derived {
    library: Weak<Library>,
    tallies: Tallies,
    /// The artists by seconds listened, most first, cut to [`TOP_ARTISTS_KEPT`].
    top_artists: Vec<(Hash, Tally)>,
    /// `top_artists` needs sorting again.
    stale_top: bool,
    /// Sums since a period start (week, month), computed on demand.
    windows: HashMap<i64, Tallies>,
}

impl Derived {
    fn new(tallies: Tallies, library: &Arc<Library>) -> Derived {
        let mut derived = Derived {
            library: Arc::downgrade(library),
            tallies,
            top_artists: Vec::new(),
            stale_top: true,
            windows: HashMap::new(),
        };
        derived.refresh_top();
        derived
    }

    fn is_for(&self, library: &Arc<Library>) -> bool {
        std::ptr::eq(self.library.as_ptr(), Arc::as_ptr(library))
    }

    fn refresh_top(&mut self) {
        if self.stale_top {
            self.top_artists = self.tallies.top_artists(TOP_ARTISTS_KEPT);
            self.stale_top = false;
        }
    }
}

/// Co-listening reads this many of each user's top artists.
pub(crate) const TOP_ARTISTS_KEPT: usize = 200;

/// One user's plays.
#[derive(Default)]
pub(crate) struct UserPlays {
    /// Sorted by (timestamp, id).
    plays: Vec<Play>,
    sources: Vec<Arc<str>>,
    source_ids: HashMap<Arc<str>, u32>,
    derived: Option<Derived>,
}

static NO_TALLIES: std::sync::OnceLock<Tallies> = std::sync::OnceLock::new();

impl UserPlays {
    pub fn plays(&self) -> &[Play] {
        &self.plays
    }

    pub fn source(&self, play: &Play) -> &str {
        &self.sources[play.source as usize]
    }

    /// All-time sums (current once [`Ledger::absorb`] ran with the library).
    pub fn tallies(&self) -> &Tallies {
        match &self.derived {
            Some(derived) => &derived.tallies,
            None => NO_TALLIES.get_or_init(Tallies::default),
        }
    }

    /// The artists by seconds listened, most first (at most [`TOP_ARTISTS_KEPT`]).
    pub fn top_artists(&self) -> &[(Hash, Tally)] {
        self.derived
            .as_ref()
            .map_or(&[], |derived| derived.top_artists.as_slice())
    }

    /// Sums of the plays at or after `since`, once [`Ledger::prepare_windows`] computed them.
    pub fn window(&self, since: i64) -> Option<&Tallies> {
        self.derived.as_ref()?.windows.get(&since)
    }

    fn intern(&mut self, source: String) -> u32 {
        if let Some(&id) = self.source_ids.get(source.as_str()) {
            return id;
        }
        let id = self.sources.len() as u32;
        let source: Arc<str> = Arc::from(source);
        self.sources.push(source.clone());
        self.source_ids.insert(source, id);
        id
    }

    fn align_with(&mut self, library: &Arc<Library>) {
        match self.derived.as_mut() {
            Some(derived) if derived.is_for(library) => derived.refresh_top(),
            _ => {
                let tallies = Tallies::over(self.plays.iter(), library);
                self.derived = Some(Derived::new(tallies, library));
            }
        }
    }
}

/// Every user's plays, caught up with the ledger up to play `last_id`.
#[derive(Default)]
pub(crate) struct Ledger {
    last_id: i64,
    /// The newest row seen (id, user, timestamp), to notice when it was deleted (then everything
    /// is reloaded).
    last_row: Option<(i64, i64, i64)>,
    users: HashMap<i64, UserPlays>,
}

impl Ledger {
    pub fn last_id(&self) -> i64 {
        self.last_id
    }

    pub fn user(&self, user_id: i64) -> Option<&UserPlays> {
        self.users.get(&user_id)
    }

    pub fn users(&self) -> impl Iterator<Item = (i64, &UserPlays)> {
        self.users.iter().map(|(id, plays)| (*id, plays))
    }

    /// Whether `rows` (read as "id >= last_id") start with the newest row already held; when
    /// they do not, rows were deleted and the caller reloads everything.
    pub fn continues_with(&self, rows: &[PlayRow]) -> bool {
        let Some((id, user_id, timestamp)) = self.last_row else {
            return true;
        };
        rows.first()
            .is_some_and(|row| row.id == id && row.user_id == user_id && row.timestamp == timestamp)
    }

    /// Adds the rows with ids above `last_id`, keeping each user's plays in time order and their
    /// sums current for `library` (sums made through another index are rebuilt).
    pub fn absorb(&mut self, rows: Vec<PlayRow>, library: &Arc<Library>) {
        for user in self.users.values_mut() {
            if user
                .derived
                .as_ref()
                .is_some_and(|derived| !derived.is_for(library))
            {
                user.derived = None;
            }
        }
        let mut touched: Vec<i64> = Vec::new();
        for row in rows {
            if row.id <= self.last_id {
                continue;
            }
            self.last_id = row.id;
            self.last_row = Some((row.id, row.user_id, row.timestamp));
            // A trackhash that is not a hash cannot name a track; keep the row out.
            let Some(trackhash) = parse_hash(&row.trackhash) else {
                continue;
            };
            let user = self.users.entry(row.user_id).or_default();
            let play = Play {
                id: row.id,
                timestamp: row.timestamp,
                trackhash,
                duration: u32::try_from(row.duration.max(0)).unwrap_or(u32::MAX),
                source: user.intern(row.source),
            };
            let in_order = user
                .plays
                .last()
                .is_none_or(|last| (last.timestamp, last.id) <= (play.timestamp, play.id));
            user.plays.push(play);
            if !in_order && !touched.contains(&row.user_id) {
                touched.push(row.user_id);
            }
            if let Some(derived) = user.derived.as_mut() {
                derived.tallies.add(&play, library);
                derived.stale_top = true;
                // A window sums the plays at or after its start, whatever order they come in.
                for (since, window) in derived.windows.iter_mut() {
                    if play.timestamp >= *since {
                        window.add(&play, library);
                    }
                }
            }
        }
        for user_id in touched {
            if let Some(user) = self.users.get_mut(&user_id) {
                user.plays.sort_by_key(|play| (play.timestamp, play.id));
            }
        }
        for user in self.users.values_mut() {
            user.align_with(library);
        }
    }

    /// Computes (once per change) a user's sums since each of `starts`.
    pub fn prepare_windows(&mut self, user_id: i64, starts: &[i64], library: &Library) {
        let Some(user) = self.users.get_mut(&user_id) else {
            return;
        };
        let Some(derived) = user.derived.as_mut() else {
            return;
        };
        // Periods that ended long ago are not asked for again.
        if let Some(&earliest) = starts.iter().min() {
            derived
                .windows
                .retain(|since, _| *since >= earliest - 62 * 86_400);
        }
        for &since in starts {
            if derived.windows.contains_key(&since) {
                continue;
            }
            let first = user.plays.partition_point(|play| play.timestamp < since);
            let tallies = Tallies::over(user.plays[first..].iter(), library);
            derived.windows.insert(since, tallies);
        }
    }
}

impl Ledger {
    /// Drops the plays of users not in `existing` (deleted users).
    pub fn retain_users(&mut self, existing: &[i64]) {
        self.users.retain(|user_id, _| existing.contains(user_id));
    }

    /// Whether every user's sums are already those of `library` (then a catch-up with no new rows
    /// needs no write).
    pub fn is_aligned(&self, library: &Arc<Library>) -> bool {
        self.users.values().all(|user| {
            user.derived
                .as_ref()
                .is_some_and(|derived| derived.is_for(library) && !derived.stale_top)
        })
    }

    /// Whether the sums since each of `starts` are computed for the user.
    pub fn has_windows(&self, user_id: i64, starts: &[i64]) -> bool {
        self.users.get(&user_id).is_none_or(|user| {
            user.derived.as_ref().is_none_or(|derived| {
                starts
                    .iter()
                    .all(|since| derived.windows.contains_key(since))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use swingfly_model::{IndexSettings, RawTrack};

    use super::*;

    /// Two artists, two tracks each.
    fn library() -> Arc<Library> {
        let raw = |artist: &str, title: &str| RawTrack {
            filepath: format!("/music/{artist}/{title}.flac"),
            folder: format!("/music/{artist}"),
            title: Some(title.to_owned()),
            album: Some(format!("{artist} album")),
            artists: Some(artist.to_owned()),
            albumartists: Some(artist.to_owned()),
            duration: 100.0,
            ..RawTrack::default()
        };
        let tracks = vec![
            raw("Ann", "One"),
            raw("Ann", "Two"),
            raw("Bob", "Three"),
            raw("Bob", "Four"),
        ];
        Arc::new(Library::build(
            tracks,
            &IndexSettings::default(),
            &HashMap::new(),
            1,
        ))
    }

    fn row(id: i64, user_id: i64, trackhash: Hash, timestamp: i64) -> PlayRow {
        PlayRow {
            id,
            user_id,
            trackhash: format!("{trackhash:016x}"),
            timestamp,
            duration: 60,
            source: String::new(),
        }
    }

    #[test]
    fn plays_stay_in_time_order_and_sums_follow_every_change() {
        let library = library();
        let tracks: Vec<Hash> = library.distinct_tracks().map(|t| t.trackhash).collect();
        let mut ledger = Ledger::default();
        ledger.absorb(
            vec![row(1, 7, tracks[0], 100), row(2, 7, tracks[1], 300)],
            &library,
        );
        ledger.prepare_windows(7, &[200], &library);
        // A late log of an older play, a newer one, another user's, and a repeat of a known id.
        ledger.absorb(
            vec![
                row(2, 7, tracks[1], 300),
                row(3, 7, tracks[2], 50),
                row(4, 7, tracks[3], 400),
                row(5, 8, tracks[0], 500),
            ],
            &library,
        );
        let user = ledger.user(7).unwrap();
        let times: Vec<i64> = user.plays().iter().map(|play| play.timestamp).collect();
        assert_eq!(times, [50, 100, 300, 400]);
        assert_eq!(user.tallies().plays, 4);
        let window = user.window(200).unwrap();
        assert_eq!(window.plays, 2, "only plays at or after the start");
        let recomputed =
            Tallies::over(user.plays().iter().filter(|p| p.timestamp >= 200), &library);
        assert_eq!(window.artists, recomputed.artists);
        assert_eq!(ledger.user(8).unwrap().tallies().plays, 1);
        assert_eq!(ledger.last_id(), 5);

        // The newest row still read back: nothing was deleted; another row in its place: reload.
        assert!(ledger.continues_with(&[row(5, 8, tracks[0], 500)]));
        assert!(!ledger.continues_with(&[row(6, 7, tracks[0], 600)]));
        assert!(!ledger.continues_with(&[]));

        ledger.retain_users(&[8]);
        assert!(ledger.user(7).is_none());
    }

    #[test]
    fn a_new_index_rebuilds_the_sums() {
        let library = library();
        let trackhash = library.distinct_tracks().next().unwrap().trackhash;
        let mut ledger = Ledger::default();
        ledger.absorb(vec![row(1, 1, trackhash, 10)], &library);
        assert_eq!(ledger.user(1).unwrap().top_artists().len(), 1);
        let empty = Arc::new(Library::empty());
        assert!(!ledger.is_aligned(&empty));
        ledger.absorb(Vec::new(), &empty);
        assert!(ledger.is_aligned(&empty));
        assert!(
            ledger.user(1).unwrap().top_artists().is_empty(),
            "the track is gone"
        );
        assert_eq!(ledger.user(1).unwrap().plays().len(), 1, "the play is kept");
    }
}
