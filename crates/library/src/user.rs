//! The per-user side of a query. The index is shared by every user; favourites and play counts
//! are not. Queries take a [`UserView`] so the services layer can plug in a user's data without the
//! queries knowing where it lives.

use swingfly_model::Hash;

/// What kind of library item a per-user fact is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Track,
    Album,
    Artist,
}

/// One user's play statistics for one item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlayStats {
    pub playcount: u32,
    /// Seconds listened, summed over plays.
    pub playduration: u64,
    /// Unix seconds of the last play; 0 when never played.
    pub lastplayed: i64,
}

/// A user's favourites and play statistics, as the queries see them. Every method has a
/// "nothing known" default so a view only implements what it has.
pub trait UserView: Sync {
    fn is_favorite(&self, kind: ItemKind, hash: Hash) -> bool {
        let _ = (kind, hash);
        false
    }

    fn plays(&self, kind: ItemKind, hash: Hash) -> PlayStats {
        let _ = (kind, hash);
        PlayStats::default()
    }
}

/// The view of a user with no favourites and no plays (also useful before per-user data exists).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoUser;

impl UserView for NoUser {}
