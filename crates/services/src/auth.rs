//! Users, password hashing, tokens and sessions.
//!
//! Tokens are HS256 JWTs whose claims mirror Swing Music's (see `tokens`). Unlike Swing, every
//! issued token has a row in the session ledger (keyed by its jti), and a token is accepted only
//! while that row is live and its user exists, so logout, a password change or deleting a user end
//! tokens at once, on every instance sharing the database. The signing secret is random per data
//! folder and never leaves the server.

mod cache;
mod error;
mod limiter;
mod pairing;
mod password;
mod secret;
mod tokens;
mod users;

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use swingfly_cache::Cache;
use swingfly_store::{NewSession, Store, UserRow};

pub use error::{AuthError, LoginError, PairError, UserError};
pub use pairing::PAIR_CODE_LIFETIME;
pub use password::{
    hash_password, needs_rehash, swing_password_hash, swing_pbkdf2_hex, verify_password,
};
pub use users::{ProfileUpdate, UpdatedUser, GUEST_USERNAME, KNOWN_ROLES};

use cache::SessionCache;
use limiter::RateLimiter;
use pairing::PairCodes;
use tokens::TokenCodec;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);
/// Swing's access token lifetime (its cookie `maxage` too): 30 days.
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Refresh tokens also live 30 days (flask-jwt-extended's default, which Swing keeps).
pub const REFRESH_TOKEN_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// A cookie-authenticated request whose token expires sooner than this gets a fresh cookie.
pub const SLIDING_REFRESH_WINDOW: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Login attempts allowed per username and client address per minute.
pub const LOGIN_ATTEMPTS_PER_USER_AND_ADDRESS: usize = 10;
/// Login attempts allowed per client address per minute, whatever the usernames (against spraying).
pub const LOGIN_ATTEMPTS_PER_ADDRESS: usize = 30;
/// Pair code redemptions allowed per client address per minute.
pub const PAIR_ATTEMPTS_PER_ADDRESS: usize = 20;
const ATTEMPT_WINDOW: Duration = Duration::from_secs(60);
/// Expired session rows are purged at most this often (piggybacking on token issuance).
const SESSION_PURGE_INTERVAL: Duration = DAY;

/// Which of the two token kinds a token is (its `type` claim).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
        }
    }

    /// flask-jwt-extended treats every type other than "refresh" as a non-refresh token.
    fn from_claim(text: &str) -> Self {
        if text == "refresh" {
            TokenKind::Refresh
        } else {
            TokenKind::Access
        }
    }
}

/// A user as clients see it: Swing's user object without the password. The fields are in
/// alphabetical order because Swing (Flask) serialises keys sorted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub extra: Value,
    pub id: i64,
    pub image: Option<String>,
    pub roles: Vec<String>,
    pub username: String,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|role| role == "admin")
    }

    pub fn is_guest(&self) -> bool {
        self.roles.iter().any(|role| role == "guest")
    }
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            extra: row.extra,
            id: row.id,
            image: None,
            roles: row.roles,
            username: row.username,
        }
    }
}

/// The outcome of a successful token check: the user as the ledger has them now (not as the token
/// remembers them, so a role change applies at once) and the session behind the token.
#[derive(Clone, Debug)]
pub struct AuthedUser {
    pub user: User,
    pub session_id: String,
    pub kind: TokenKind,
    /// Unix seconds.
    pub expires_at: i64,
}

/// What login, refresh and pairing hand out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// The access token's lifetime in seconds (Swing's `maxage`).
    pub max_age: u64,
}

/// Who is calling, for rate limiting and the session ledger.
#[derive(Clone, Debug)]
pub struct ClientInfo {
    pub ip: IpAddr,
    pub user_agent: Option<String>,
}

/// The auth service. Cheap to clone; clones share rate limits and pair codes.
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    codec: TokenCodec,
    login_by_user_and_address: RateLimiter,
    login_by_address: RateLimiter,
    pair_by_address: RateLimiter,
    pair_codes: PairCodes,
    sessions: SessionCache,
    /// Serialises user writes so "first user", "last admin" and "guest exists" checks cannot race
    /// within this process.
    user_writes: tokio::sync::Mutex<()>,
    last_session_purge: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth").finish_non_exhaustive()
    }
}

impl Auth {
    /// Loads the signing secret from `secret_path`, generating it (mode 0600) on first start.
    /// Accepted sessions are remembered in `cache` (see `cache`).
    pub async fn load_or_create(
        store: Store,
        secret_path: &Path,
        cache: Cache,
    ) -> anyhow::Result<Auth> {
        let path = secret_path.to_path_buf();
        let secret = tokio::task::spawn_blocking(move || secret::load_or_create(&path)).await??;
        Ok(Auth {
            inner: Arc::new(Inner {
                store,
                codec: TokenCodec::new(&secret),
                login_by_user_and_address: RateLimiter::new(
                    LOGIN_ATTEMPTS_PER_USER_AND_ADDRESS,
                    ATTEMPT_WINDOW,
                ),
                login_by_address: RateLimiter::new(LOGIN_ATTEMPTS_PER_ADDRESS, ATTEMPT_WINDOW),
                pair_by_address: RateLimiter::new(PAIR_ATTEMPTS_PER_ADDRESS, ATTEMPT_WINDOW),
                pair_codes: PairCodes::default(),
                sessions: SessionCache::new(cache),
                user_writes: tokio::sync::Mutex::new(()),
                last_session_purge: Mutex::new(None),
            }),
        })
    }

    fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Checks a username and password and issues a token pair. Attempts are rate limited per
    /// username and address, and per address.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &ClientInfo,
    ) -> Result<(User, TokenPair), LoginError> {
        let now = Instant::now();
        let address = client.ip.to_string();
        let user_key = format!("{}|{address}", username.trim().to_lowercase());
        self.inner
            .login_by_address
            .check(&address, now)
            .and_then(|()| self.inner.login_by_user_and_address.check(&user_key, now))
            .map_err(|retry_after| LoginError::RateLimited { retry_after })?;

        let row = self
            .store()
            .user_by_name(username.trim())
            .await?
            .ok_or(LoginError::UserNotFound)?;
        let matches =
            password::verify_password_blocking(password.to_string(), row.password_hash.clone())
                .await?;
        if !matches {
            return Err(LoginError::WrongPassword);
        }
        if password::needs_rehash(&row.password_hash) {
            self.upgrade_password_hash(row.id, password).await?;
        }
        let user = User::from(row);
        let tokens = self
            .issue_tokens(&user, client.user_agent.as_deref())
            .await?;
        Ok((user, tokens))
    }

    /// Replaces a hash of an older scheme (an imported Swing hash) with Argon2id once the password
    /// is known to be right. The user's sessions stay: the password itself did not change.
    async fn upgrade_password_hash(&self, user_id: i64, password: &str) -> anyhow::Result<()> {
        let password_hash = password::hash_password_blocking(password.to_string()).await?;
        let update = swingfly_store::UserUpdate {
            password_hash: Some(password_hash),
            ..Default::default()
        };
        self.store().update_user(user_id, &update).await?;
        tracing::info!(user_id, "password hash upgraded to Argon2id");
        Ok(())
    }

    /// Issues an access and a refresh token for `user`, each with its own session row.
    pub async fn issue_tokens(
        &self,
        user: &User,
        user_agent: Option<&str>,
    ) -> anyhow::Result<TokenPair> {
        self.purge_expired_sessions_now_and_then().await;
        let pair = tokens::new_pair_id();
        let access_token = self
            .issue(
                user,
                &pair,
                TokenKind::Access,
                ACCESS_TOKEN_LIFETIME,
                user_agent,
            )
            .await?;
        let refresh_token = self
            .issue(
                user,
                &pair,
                TokenKind::Refresh,
                REFRESH_TOKEN_LIFETIME,
                user_agent,
            )
            .await?;
        Ok(TokenPair {
            access_token,
            refresh_token,
            max_age: ACCESS_TOKEN_LIFETIME.as_secs(),
        })
    }

    /// Issues a lone access token living `lifetime` (the sliding cookie refresh uses this).
    pub async fn issue_access_token(
        &self,
        user: &User,
        lifetime: Duration,
        user_agent: Option<&str>,
    ) -> anyhow::Result<String> {
        let pair = tokens::new_pair_id();
        self.issue(user, &pair, TokenKind::Access, lifetime, user_agent)
            .await
    }

    async fn issue(
        &self,
        user: &User,
        pair: &str,
        kind: TokenKind,
        lifetime: Duration,
        user_agent: Option<&str>,
    ) -> anyhow::Result<String> {
        let jti = tokens::jti_for(pair, kind);
        let issued_at = unix_now();
        let expires_at = issued_at.saturating_add(i64::try_from(lifetime.as_secs())?);
        self.store()
            .create_session(&NewSession {
                id: jti.clone(),
                user_id: user.id,
                kind: kind.as_str().to_string(),
                created_at: issued_at,
                expires_at,
                user_agent: user_agent.map(str::to_string),
            })
            .await?;
        self.inner
            .codec
            .encode(user, &jti, kind, issued_at, expires_at)
    }

    /// Accepts a token if its signature holds, it has not expired, it is of the `expected` kind,
    /// its session is live and its user still exists, in that order (Swing's order of checks).
    /// The last two checks are remembered in the cache tier (see `cache`).
    pub async fn authenticate(
        &self,
        token: &str,
        expected: TokenKind,
    ) -> Result<AuthedUser, AuthError> {
        let claims = self.inner.codec.decode(token)?;
        if claims.kind != expected {
            return Err(AuthError::WrongKind { expected });
        }
        if let Some(user_id) = claims.user_id {
            if let Some(authed) = self.inner.sessions.get(&claims.jti, user_id).await {
                if authed.kind == claims.kind {
                    return Ok(authed);
                }
            }
        }
        let authed = self.authenticate_with_ledger(&claims).await?;
        self.inner.sessions.insert(&claims.jti, &authed).await;
        Ok(authed)
    }

    async fn authenticate_with_ledger(
        &self,
        claims: &tokens::VerifiedClaims,
    ) -> Result<AuthedUser, AuthError> {
        let session = self
            .store()
            .session(&claims.jti)
            .await?
            .ok_or(AuthError::Revoked)?;
        if session.kind != claims.kind.as_str() || session.expires_at <= unix_now() {
            return Err(AuthError::Revoked);
        }
        let row = self
            .store()
            .user_by_id(session.user_id)
            .await?
            .ok_or(AuthError::Revoked)?;
        Ok(AuthedUser {
            user: User::from(row),
            session_id: session.id,
            kind: claims.kind,
            expires_at: claims.expires_at,
        })
    }

    /// Trades a refresh token for a new token pair. The refresh token stays valid until it expires
    /// or its pair is logged out (Swing's clients may keep using the first one).
    pub async fn refresh(
        &self,
        refresh_token: &str,
        user_agent: Option<&str>,
    ) -> Result<(User, TokenPair), AuthError> {
        let authed = self.authenticate(refresh_token, TokenKind::Refresh).await?;
        let tokens = self.issue_tokens(&authed.user, user_agent).await?;
        Ok((authed.user, tokens))
    }

    /// Revokes the session of `token` and of the token issued with it (access and refresh). An
    /// expired token still revokes its pair; a token that is not ours is ignored. Returns whether
    /// anything was revoked.
    pub async fn logout(&self, token: &str) -> anyhow::Result<bool> {
        let Ok(claims) = self.inner.codec.decode_ignoring_expiry(token) else {
            return Ok(false);
        };
        let mut revoked = false;
        for jti in tokens::pair_jtis(&claims.jti) {
            // Ledger first, then the tier: a request in between can only re-cache a revoked row
            // if it read the ledger before this write, and then the deletion below follows it.
            revoked |= self.store().revoke_session(&jti).await?;
            if let Some(user_id) = claims.user_id {
                self.inner.sessions.forget_session(&jti, user_id).await;
            }
        }
        Ok(revoked)
    }

    /// Ends every session of a user (all devices).
    pub async fn revoke_user_sessions(&self, user_id: i64) -> anyhow::Result<u64> {
        let revoked = self.store().revoke_user_sessions(user_id).await?;
        self.inner.sessions.forget_user(user_id).await;
        Ok(revoked)
    }

    /// Forgets cached authentications of a user whose row changed (roles, name) or went away.
    async fn forget_cached_user(&self, user_id: i64) {
        self.inner.sessions.forget_user(user_id).await;
    }

    /// Mints a new token pair for `user` and holds it under a pair code: the last 6 characters of
    /// the new access token, redeemable once within [`PAIR_CODE_LIFETIME`].
    pub async fn create_pair_code(&self, user: &User) -> anyhow::Result<String> {
        self.revoke_expired_pair_codes().await;
        // The code comes from the token's signature, so a clash with a held code is very unlikely;
        // a few fresh pairs settle it.
        for _ in 0..8 {
            let tokens = self.issue_tokens(user, None).await?;
            let code = pair_code_of(&tokens.access_token);
            if self
                .inner
                .pair_codes
                .offer(&code, tokens.clone(), Instant::now())
            {
                return Ok(code);
            }
            self.logout(&tokens.access_token).await?;
        }
        anyhow::bail!("could not find a free pair code")
    }

    /// Trades a pair code for its user and token pair. Redemptions are rate limited per address.
    pub async fn redeem_pair_code(
        &self,
        code: &str,
        client: &ClientInfo,
    ) -> Result<(User, TokenPair), PairError> {
        let now = Instant::now();
        self.inner
            .pair_by_address
            .check(&client.ip.to_string(), now)
            .map_err(|retry_after| PairError::RateLimited { retry_after })?;
        self.revoke_expired_pair_codes().await;
        let tokens = self
            .inner
            .pair_codes
            .redeem(code.trim(), now)
            .ok_or(PairError::InvalidCode)?;
        // The user may have been deleted or logged out everywhere since the code was made.
        let authed = self
            .authenticate(&tokens.access_token, TokenKind::Access)
            .await
            .map_err(|_| PairError::InvalidCode)?;
        Ok((authed.user, tokens))
    }

    /// Unclaimed pair codes hold live sessions nobody can use once the code is gone: end them.
    async fn revoke_expired_pair_codes(&self) {
        for tokens in self.inner.pair_codes.sweep_expired(Instant::now()) {
            if let Err(error) = self.logout(&tokens.access_token).await {
                tracing::warn!(error = %format!("{error:#}"), "could not revoke an expired pair code's tokens");
            }
        }
    }

    async fn purge_expired_sessions_now_and_then(&self) {
        let now = Instant::now();
        {
            let mut last = self.inner.last_session_purge.lock();
            if last.is_some_and(|at| now.duration_since(at) < SESSION_PURGE_INTERVAL) {
                return;
            }
            *last = Some(now);
        }
        match self.store().purge_expired_sessions(unix_now()).await {
            Ok(count) if count > 0 => tracing::debug!(count, "purged expired sessions"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not purge expired sessions"),
        }
    }
}

/// Swing's pair code: the last six characters of the access token.
fn pair_code_of(access_token: &str) -> String {
    let start = access_token.len().saturating_sub(6);
    access_token[start..].to_string()
}

/// The current time in unix seconds.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
