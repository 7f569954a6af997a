//! Each user's favourites and play statistics in memory, loaded from the ledger on a user's first
//! request and updated in place by every favourite and play, so browse queries can mark favourites
//! and sort by plays without touching SQL. (Filled in by the activity work: favourites and plays.)

use swingfly_library::{NoUser, UserView};
use swingfly_store::Store;

/// The in-memory per-user state of every user seen since start-up.
pub struct UserData {
    #[allow(dead_code)]
    store: Store,
}

impl UserData {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// What the queries see of one user's data.
    pub async fn view(&self, user_id: i64) -> anyhow::Result<impl UserView + Send + 'static> {
        let _ = user_id;
        Ok(NoUser)
    }

    /// Forgets one user's state (it is reloaded from the ledger on the next request).
    pub fn invalidate(&self, user_id: i64) {
        let _ = user_id;
    }

    /// Forgets every user's state, after a bulk change of the ledger (restore, import).
    pub fn invalidate_all(&self) {}
}
