//! The ledger of issued tokens (keyed by their jti), so any token can be revoked on every instance.

use sqlx::FromRow;

use crate::error::{is_foreign_key_violation, is_unique_violation};
use crate::{unix_now, Result, Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSession {
    /// The token's jti.
    pub id: String,
    pub user_id: i64,
    /// "access" or "refresh".
    pub kind: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub user_agent: Option<String>,
}

/// An issued, unrevoked token. Expiry is not checked here: compare `expires_at` with the clock.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct SessionRow {
    pub id: String,
    pub user_id: i64,
    pub kind: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub user_agent: Option<String>,
}

impl Store {
    /// Records an issued token. A reused id is a `Conflict`; an unknown user is `NotFound`.
    pub async fn create_session(&self, session: &NewSession) -> Result<()> {
        if session.id.is_empty() {
            return Err(StoreError::invalid("session id", "the session id is empty"));
        }
        sqlx::query(
            "INSERT INTO sessions (id, user_id, kind, created_at, expires_at, user_agent) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&session.id)
        .bind(session.user_id)
        .bind(&session.kind)
        .bind(session.created_at)
        .bind(session.expires_at)
        .bind(session.user_agent.as_deref())
        .execute(&self.pool)
        .await
        .map_err(|error| {
            if is_unique_violation(&error) {
                StoreError::Conflict(format!("session {:?}", session.id))
            } else if is_foreign_key_violation(&error) {
                StoreError::NotFound(format!("user {}", session.user_id))
            } else {
                StoreError::Database(error)
            }
        })?;
        Ok(())
    }

    /// The session with this id, or `None` when it was revoked or never issued.
    pub async fn session(&self, id: &str) -> Result<Option<SessionRow>> {
        Ok(sqlx::query_as(
            "SELECT id, user_id, kind, created_at, expires_at, user_agent FROM sessions \
             WHERE id = ? AND revoked_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Revokes one session. Returns whether a live session was revoked.
    pub async fn revoke_session(&self, id: &str) -> Result<bool> {
        let result =
            sqlx::query("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(unix_now())
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(result.rows_affected() > 0)
    }

    /// Revokes every live session of a user (logout everywhere, password change). Returns how many.
    pub async fn revoke_user_sessions(&self, user_id: i64) -> Result<u64> {
        let result = sqlx::query(
            "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
        )
        .bind(unix_now())
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected())
    }

    /// Deletes the sessions (revoked or not) that expired at or before `now`. Returns how many.
    pub async fn purge_expired_sessions(&self, now: i64) -> Result<u64> {
        let result = sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected())
    }
}
