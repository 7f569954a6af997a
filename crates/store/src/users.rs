//! User accounts. Roles are stored as a JSON list and `extra` as a JSON value; usernames are unique
//! case-insensitively (through an application-folded copy, so non-ASCII letters fold too).

use serde_json::Value;
use sqlx::FromRow;

use crate::error::is_unique_violation;
use crate::{returned_row, unix_now, Result, Store, StoreError};

#[derive(Clone, Debug, PartialEq)]
pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    pub roles: Vec<String>,
    pub extra: Value,
}

/// A change to a user: `None` keeps the stored value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserUpdate {
    pub username: Option<String>,
    pub password_hash: Option<String>,
    pub roles: Option<Vec<String>>,
    pub extra: Option<Value>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub roles: Vec<String>,
    pub extra: Value,
    pub created_at: i64,
}

/// A user row as stored, before its JSON columns are parsed.
#[derive(FromRow)]
struct StoredUser {
    id: i64,
    username: String,
    password_hash: String,
    roles: String,
    extra: String,
    created_at: i64,
}

impl TryFrom<StoredUser> for UserRow {
    type Error = StoreError;

    fn try_from(stored: StoredUser) -> Result<UserRow> {
        let roles = serde_json::from_str(&stored.roles)
            .map_err(|error| StoreError::corrupt("users.roles", error))?;
        let extra = serde_json::from_str(&stored.extra)
            .map_err(|error| StoreError::corrupt("users.extra", error))?;
        Ok(UserRow {
            id: stored.id,
            username: stored.username,
            password_hash: stored.password_hash,
            roles,
            extra,
            created_at: stored.created_at,
        })
    }
}

const USER_COLUMNS: &str = "id, username, password_hash, roles, extra, created_at";

/// The key that makes usernames unique regardless of case.
pub(crate) fn fold_username(username: &str) -> String {
    username.to_lowercase()
}

fn validate_username(username: &str) -> Result<()> {
    if username.trim().is_empty() {
        return Err(StoreError::invalid("username", "the username is empty"));
    }
    Ok(())
}

fn to_json(value: &impl serde::Serialize, field: &'static str) -> Result<String> {
    serde_json::to_string(value).map_err(|error| StoreError::invalid(field, error.to_string()))
}

fn username_conflict(username: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |error| {
        if is_unique_violation(&error) {
            StoreError::Conflict(format!("user {username:?}"))
        } else {
            StoreError::Database(error)
        }
    }
}

impl Store {
    /// Creates a user. A username already taken (compared case-insensitively) is a `Conflict`.
    pub async fn create_user(&self, new: &NewUser) -> Result<UserRow> {
        validate_username(&new.username)?;
        let sql = format!(
            "INSERT INTO users (username, username_folded, password_hash, roles, extra, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING {USER_COLUMNS}"
        );
        // `fetch_all` runs the insert to its end, which commits it (see `returned_row`).
        let stored: Vec<StoredUser> = sqlx::query_as(&sql)
            .bind(&new.username)
            .bind(fold_username(&new.username))
            .bind(&new.password_hash)
            .bind(to_json(&new.roles, "roles")?)
            .bind(to_json(&new.extra, "extra")?)
            .bind(unix_now())
            .fetch_all(&self.pool)
            .await
            .map_err(username_conflict(&new.username))?;
        returned_row(stored)?.try_into()
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?");
        let stored: Option<StoredUser> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        stored.map(UserRow::try_from).transpose()
    }

    /// Looks a user up by name, case-insensitively.
    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username_folded = ?");
        let stored: Option<StoredUser> = sqlx::query_as(&sql)
            .bind(fold_username(username))
            .fetch_optional(&self.pool)
            .await?;
        stored.map(UserRow::try_from).transpose()
    }

    /// Every user, newest first.
    pub async fn list_users(&self) -> Result<Vec<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY created_at DESC, id DESC");
        let stored: Vec<StoredUser> = sqlx::query_as(&sql).fetch_all(&self.pool).await?;
        stored.into_iter().map(UserRow::try_from).collect()
    }

    /// Changes the given fields of a user and returns the updated row. An unknown id is
    /// `NotFound`; a new username already taken by someone else is a `Conflict`.
    pub async fn update_user(&self, id: i64, update: &UserUpdate) -> Result<UserRow> {
        if let Some(username) = &update.username {
            validate_username(username)?;
        }
        let roles = update
            .roles
            .as_ref()
            .map(|roles| to_json(roles, "roles"))
            .transpose()?;
        let extra = update
            .extra
            .as_ref()
            .map(|extra| to_json(extra, "extra"))
            .transpose()?;
        // One statement, so the change is atomic without an explicit transaction; read with
        // `fetch_all` so that it runs to its end and commits (see `returned_row`).
        let sql = format!(
            "UPDATE users SET \
             username = COALESCE(?, username), \
             username_folded = COALESCE(?, username_folded), \
             password_hash = COALESCE(?, password_hash), \
             roles = COALESCE(?, roles), \
             extra = COALESCE(?, extra) \
             WHERE id = ? RETURNING {USER_COLUMNS}"
        );
        let new_name = update.username.as_deref().unwrap_or_default();
        let stored: Vec<StoredUser> = sqlx::query_as(&sql)
            .bind(update.username.as_deref())
            .bind(update.username.as_deref().map(fold_username))
            .bind(update.password_hash.as_deref())
            .bind(roles)
            .bind(extra)
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .map_err(username_conflict(new_name))?;
        stored
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound(format!("user {id}")))?
            .try_into()
    }

    /// Deletes a user and (by cascade) their sessions. Returns whether the user existed.
    pub async fn delete_user(&self, id: i64) -> Result<bool> {
        let result = sqlx::query("DELETE FROM users WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected() > 0)
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }
}
