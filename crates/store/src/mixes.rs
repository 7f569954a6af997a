//! Saved mixes. A mix itself is computed from listening and never stored; a user's "saved" mark is
//! (mix id, kind, source hash), so a saved mix can be rebuilt later.

use crate::{unix_now, Result, Store};

/// A mix the user saved.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SavedMix {
    pub mixid: String,
    /// "artists" or "tracks".
    pub kind: String,
    pub sourcehash: String,
    /// Unix seconds.
    pub saved_at: i64,
}

impl Store {
    /// The user's saved mixes, newest first.
    pub async fn saved_mixes(&self, user_id: i64) -> Result<Vec<SavedMix>> {
        Ok(sqlx::query_as(
            "SELECT mixid, kind, sourcehash, saved_at FROM saved_mixes WHERE user_id = ? \
             ORDER BY saved_at DESC, mixid",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Saves the mix if it was not saved, unsaves it if it was (one transaction). Returns whether
    /// it is saved now.
    pub async fn toggle_saved_mix(
        &self,
        user_id: i64,
        mixid: &str,
        kind: &str,
        sourcehash: &str,
    ) -> Result<bool> {
        let mut transaction = self.begin_write().await?;
        let removed = sqlx::query("DELETE FROM saved_mixes WHERE user_id = ? AND mixid = ?")
            .bind(user_id)
            .bind(mixid)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        if removed == 0 {
            sqlx::query(
                "INSERT INTO saved_mixes (user_id, mixid, kind, sourcehash, saved_at) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(user_id)
            .bind(mixid)
            .bind(kind)
            .bind(sourcehash)
            .bind(unix_now())
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(removed == 0)
    }
}
