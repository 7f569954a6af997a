//! Accepted sessions in the cache tier (design use case 3), so a burst of requests (a page load,
//! an album's worth of range requests) does not query the session ledger for each one. SQL stays
//! the ledger: a miss, a flushed or unreachable cache server all fall back to it.
//!
//! Keys are `sf:sessions:<jti>:g<n>`, where `n` is the generation of the session's user
//! (`sessions:{u<id>}`): logout deletes one key, and a password change, role change or deletion
//! bumps the user's generation so all their cached sessions go stale at once. With a cache server
//! both reach every instance over pub/sub; a process keeps an entry in its own memory for at most
//! the namespace's `local_ttl` (5 s), which bounds how long a revocation made by another process
//! without the shared tier (the CLI on an embedded install) takes to apply.

use serde::{Deserialize, Serialize};
use swingfly_cache::{Bytes, Cache, Key, Namespace};

use super::{AuthedUser, TokenKind, User};

/// What the tier holds for an accepted session.
#[derive(Serialize, Deserialize)]
struct CachedSession {
    user: User,
    session_id: String,
    refresh: bool,
    expires_at: i64,
}

#[derive(Clone)]
pub(crate) struct SessionCache {
    cache: Cache,
}

fn family(user_id: i64) -> String {
    format!("sessions:{{u{user_id}}}")
}

impl SessionCache {
    pub fn new(cache: Cache) -> Self {
        Self { cache }
    }

    async fn key(&self, jti: &str, user_id: i64) -> Key {
        let key = Key::global(Namespace::Sessions, &[&jti]);
        self.cache.versioned(&key, &family(user_id)).await
    }

    /// The cached session of `jti`, if the tier has it and it belongs to `user_id`.
    pub async fn get(&self, jti: &str, user_id: i64) -> Option<AuthedUser> {
        let bytes = self.cache.get(&self.key(jti, user_id).await).await?;
        let cached: CachedSession = serde_json::from_slice(&bytes).ok()?;
        (cached.user.id == user_id).then_some(AuthedUser {
            user: cached.user,
            session_id: cached.session_id,
            kind: if cached.refresh {
                TokenKind::Refresh
            } else {
                TokenKind::Access
            },
            expires_at: cached.expires_at,
        })
    }

    pub async fn insert(&self, jti: &str, authed: &AuthedUser) {
        let cached = CachedSession {
            user: authed.user.clone(),
            session_id: authed.session_id.clone(),
            refresh: authed.kind == TokenKind::Refresh,
            expires_at: authed.expires_at,
        };
        if let Ok(bytes) = serde_json::to_vec(&cached) {
            let key = self.key(jti, authed.user.id).await;
            self.cache.set(&key, Bytes::from(bytes)).await;
        }
    }

    /// Forgets one session (logout), on every instance.
    pub async fn forget_session(&self, jti: &str, user_id: i64) {
        let key = self.key(jti, user_id).await;
        self.cache.invalidate(&key).await;
    }

    /// Forgets every cached session of a user, on every instance.
    pub async fn forget_user(&self, user_id: i64) {
        self.cache.bump_generation(&family(user_id)).await;
    }
}
