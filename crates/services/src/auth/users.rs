//! User management with the rules of Swing's `/auth/profile/*` routes: the first user is the admin,
//! the guest cannot be changed, the last admin stays, nobody deletes themselves, only admins touch
//! roles or other people's profiles, and usernames are unique (case-insensitively).

use serde_json::Value;
use swingfly_store::{NewUser, UserUpdate};

use super::password::hash_password_blocking;
use super::{Auth, User, UserError};

/// The roles a user may hold. Only "admin" grants anything; "guest" marks the shared guest account.
pub const KNOWN_ROLES: &[&str] = &["admin", "curator", "guest"];
/// The guest account's name (its password is "guest", as in Swing).
pub const GUEST_USERNAME: &str = "guest";
const GUEST_PASSWORD: &str = "guest";
const MAX_USERNAME_CHARS: usize = 64;
const MAX_PASSWORD_BYTES: usize = 1024;

/// A profile change (`PUT /auth/profile/update`). `id` 0 means the acting user. `None` (or an empty
/// string, as Swing's web UI sends for untouched fields) keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct ProfileUpdate {
    pub id: i64,
    pub username: Option<String>,
    pub password: Option<String>,
    pub email: Option<String>,
    pub roles: Option<Vec<String>>,
}

/// The result of a profile change.
#[derive(Clone, Debug)]
pub struct UpdatedUser {
    pub user: User,
    /// The password changed, so every session of the user was ended.
    pub sessions_revoked: bool,
}

impl Auth {
    /// Every user, newest first.
    pub async fn list_users(&self) -> anyhow::Result<Vec<User>> {
        Ok(self
            .store()
            .list_users()
            .await?
            .into_iter()
            .map(User::from)
            .collect())
    }

    pub async fn user(&self, id: i64) -> anyhow::Result<Option<User>> {
        Ok(self.store().user_by_id(id).await?.map(User::from))
    }

    pub async fn user_count(&self) -> anyhow::Result<i64> {
        Ok(self.store().count_users().await?)
    }

    /// Whether a guest account exists (Swing's `enableGuest`).
    pub async fn guest_exists(&self) -> anyhow::Result<bool> {
        Ok(self.list_users().await?.iter().any(User::is_guest))
    }

    /// Creates a user. The first user ever becomes an admin whatever `roles` says.
    pub async fn create_user(
        &self,
        username: &str,
        password: &str,
        roles: Vec<String>,
        extra: Value,
    ) -> Result<User, UserError> {
        let _writing = self.inner.user_writes.lock().await;
        let mut roles = validate_roles(roles)?;
        if self.store().count_users().await? == 0 && !roles.iter().any(|r| r == "admin") {
            roles.insert(0, "admin".to_string());
        }
        self.insert_user(username, password, roles, extra).await
    }

    /// Creates the first user, as an admin, if and only if no user exists yet. Returns `None` when
    /// users already exist (the check and the insert happen under one lock, so two racing first
    /// sign-ups cannot both become admin through this door).
    pub async fn create_first_user(
        &self,
        username: &str,
        password: &str,
        extra: Value,
    ) -> Result<Option<User>, UserError> {
        let _writing = self.inner.user_writes.lock().await;
        if self.store().count_users().await? > 0 {
            return Ok(None);
        }
        let user = self
            .insert_user(username, password, vec!["admin".to_string()], extra)
            .await?;
        Ok(Some(user))
    }

    /// Creates the guest account (`guest` / `guest`, roles `["guest"]`).
    pub async fn create_guest(&self) -> Result<User, UserError> {
        let _writing = self.inner.user_writes.lock().await;
        if self.store().user_by_name(GUEST_USERNAME).await?.is_some() {
            return Err(UserError::rejected("Guest user already exists"));
        }
        self.insert_user(
            GUEST_USERNAME,
            GUEST_PASSWORD,
            vec!["guest".to_string()],
            Value::Object(Default::default()),
        )
        .await
    }

    async fn insert_user(
        &self,
        username: &str,
        password: &str,
        roles: Vec<String>,
        extra: Value,
    ) -> Result<User, UserError> {
        let username = validate_username(username)?;
        validate_password(password)?;
        let password_hash = hash_password_blocking(password.to_string()).await?;
        let row = self
            .store()
            .create_user(&NewUser {
                username,
                password_hash,
                roles,
                extra,
            })
            .await?;
        Ok(User::from(row))
    }

    /// Changes a profile. A password change ends every session of that user.
    pub async fn update_user(
        &self,
        actor: &User,
        update: ProfileUpdate,
    ) -> Result<UpdatedUser, UserError> {
        let _writing = self.inner.user_writes.lock().await;
        let target_id = if update.id == 0 { actor.id } else { update.id };
        // The actor's roles are re-read: a token minted before a demotion must not keep powers.
        let actor = self
            .store()
            .user_by_id(actor.id)
            .await?
            .map(User::from)
            .ok_or(UserError::NotFound)?;
        if target_id != actor.id && !actor.is_admin() {
            return Err(UserError::Forbidden("Only admins can do that!".into()));
        }
        let target = self
            .store()
            .user_by_id(target_id)
            .await?
            .map(User::from)
            .ok_or(UserError::NotFound)?;
        if target.is_guest() {
            return Err(UserError::rejected("The guest user cannot be updated"));
        }

        let mut change = UserUpdate::default();
        if let Some(roles) = update.roles {
            let roles = validate_roles(roles)?;
            if !same_roles(&roles, &target.roles) {
                if !actor.is_admin() {
                    return Err(UserError::Forbidden("Only admins can change roles".into()));
                }
                let loses_admin = target.is_admin() && !roles.iter().any(|r| r == "admin");
                if loses_admin && self.admin_count().await? <= 1 {
                    return Err(UserError::rejected("Cannot remove the only admin"));
                }
                change.roles = Some(roles);
            }
        }
        if let Some(username) = non_empty(update.username) {
            let username = validate_username(&username)?;
            if username != target.username {
                change.username = Some(username);
            }
        }
        if let Some(password) = non_empty(update.password) {
            validate_password(&password)?;
            change.password_hash = Some(hash_password_blocking(password).await?);
        }
        if let Some(email) = non_empty(update.email) {
            let mut extra = match target.extra.clone() {
                Value::Object(map) => map,
                _ => Default::default(),
            };
            extra.insert("email".into(), Value::String(email.trim().to_string()));
            change.extra = Some(Value::Object(extra));
        }

        let sessions_revoked = change.password_hash.is_some();
        let row = self.store().update_user(target.id, &change).await?;
        if sessions_revoked {
            self.store().revoke_user_sessions(target.id).await?;
        }
        self.forget_cached_user(target.id).await;
        Ok(UpdatedUser {
            user: User::from(row),
            sessions_revoked,
        })
    }

    /// Deletes a user by name (admins only). Their sessions end with them.
    pub async fn delete_user(&self, actor: &User, username: &str) -> Result<User, UserError> {
        let _writing = self.inner.user_writes.lock().await;
        let actor_is_admin = self
            .store()
            .user_by_id(actor.id)
            .await?
            .is_some_and(|row| User::from(row).is_admin());
        if !actor_is_admin {
            return Err(UserError::Forbidden("Only admins can do that!".into()));
        }
        let target = self
            .store()
            .user_by_name(username.trim())
            .await?
            .map(User::from)
            .ok_or(UserError::NotFound)?;
        if target.id == actor.id {
            return Err(UserError::rejected("Sorry! you cannot delete yourself"));
        }
        if target.is_admin() && self.admin_count().await? <= 1 {
            return Err(UserError::rejected("Cannot delete the only admin"));
        }
        // Deleting the row removes its sessions by cascade; revoking first also covers a ledger
        // without the cascade.
        self.store().revoke_user_sessions(target.id).await?;
        let deleted = self.store().delete_user(target.id).await?;
        self.forget_cached_user(target.id).await;
        if !deleted {
            return Err(UserError::NotFound);
        }
        Ok(target)
    }

    async fn admin_count(&self) -> anyhow::Result<usize> {
        Ok(self
            .list_users()
            .await?
            .iter()
            .filter(|user| user.is_admin())
            .count())
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.is_empty())
}

fn validate_username(username: &str) -> Result<String, UserError> {
    let username = username.trim();
    if username.is_empty() {
        return Err(UserError::rejected("Username is required"));
    }
    if username.chars().count() > MAX_USERNAME_CHARS {
        return Err(UserError::rejected(format!(
            "Username is longer than {MAX_USERNAME_CHARS} characters"
        )));
    }
    if username.chars().any(char::is_control) {
        return Err(UserError::rejected("Username contains control characters"));
    }
    Ok(username.to_string())
}

fn validate_password(password: &str) -> Result<(), UserError> {
    if password.is_empty() {
        return Err(UserError::rejected("Password is required"));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(UserError::rejected(format!(
            "Password is longer than {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    Ok(())
}

/// Keeps known roles only (in a stable order, without duplicates); an unknown role is an error.
fn validate_roles(roles: Vec<String>) -> Result<Vec<String>, UserError> {
    if let Some(unknown) = roles
        .iter()
        .find(|role| !KNOWN_ROLES.contains(&role.as_str()))
    {
        return Err(UserError::rejected(format!("Unknown role: {unknown}")));
    }
    Ok(KNOWN_ROLES
        .iter()
        .filter(|known| roles.iter().any(|role| role == *known))
        .map(|known| known.to_string())
        .collect())
}

fn same_roles(a: &[String], b: &[String]) -> bool {
    a.iter().all(|role| b.contains(role)) && b.iter().all(|role| a.contains(role))
}
