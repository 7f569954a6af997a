//! A short-lived, in-process memory of accepted tokens, so a burst of requests (a page load, an
//! album's worth of range requests) does not query the session ledger for each one.
//!
//! Everything this process revokes (logout, password change, user deletion, role change) is
//! forgotten here at once. A revocation made elsewhere (another instance, the CLI) is honoured
//! within [`CACHE_TTL`].

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::AuthedUser;

/// How long an accepted token is trusted without asking the ledger again.
pub const CACHE_TTL: Duration = Duration::from_secs(5);
/// Beyond this many entries the cache starts over (a crude but sufficient bound).
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub(crate) struct SessionCache {
    entries: Mutex<HashMap<String, (AuthedUser, Instant)>>,
}

impl SessionCache {
    pub fn get(&self, jti: &str, now: Instant) -> Option<AuthedUser> {
        let entries = self.entries.lock();
        let (authed, cached_at) = entries.get(jti)?;
        (now.saturating_duration_since(*cached_at) < CACHE_TTL).then(|| authed.clone())
    }

    pub fn insert(&self, jti: &str, authed: &AuthedUser, now: Instant) {
        let mut entries = self.entries.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(jti.to_string(), (authed.clone(), now));
    }

    pub fn forget_session(&self, jti: &str) {
        self.entries.lock().remove(jti);
    }

    pub fn forget_user(&self, user_id: i64) {
        self.entries
            .lock()
            .retain(|_, (authed, _)| authed.user.id != user_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{TokenKind, User};

    fn authed(user_id: i64, jti: &str) -> AuthedUser {
        AuthedUser {
            user: User {
                extra: serde_json::json!({}),
                id: user_id,
                image: None,
                roles: vec![],
                username: format!("user{user_id}"),
            },
            session_id: jti.to_string(),
            kind: TokenKind::Access,
            expires_at: 0,
        }
    }

    #[test]
    fn entries_expire_and_can_be_forgotten() {
        let cache = SessionCache::default();
        let now = Instant::now();
        cache.insert("a", &authed(1, "a"), now);
        cache.insert("b", &authed(1, "b"), now);
        cache.insert("c", &authed(2, "c"), now);
        assert!(cache.get("a", now).is_some());
        assert!(cache.get("a", now + CACHE_TTL).is_none(), "stale");

        cache.forget_session("a");
        assert!(cache.get("a", now).is_none());
        cache.forget_user(1);
        assert!(cache.get("b", now).is_none());
        assert_eq!(cache.get("c", now).unwrap().user.id, 2);
    }
}
