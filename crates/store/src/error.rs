//! The store's error type. Database internals stay inside `Database`; callers match on the others.

use std::path::PathBuf;

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value (username, session id) is already taken.
    #[error("{0} already exists")]
    Conflict(String),
    /// The row to change or reference does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The caller passed a value the ledger cannot hold.
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// A stored value does not decode (e.g. a JSON column edited by hand).
    #[error("corrupt stored value in {field}: {reason}")]
    Corrupt { field: &'static str, reason: String },
    #[error("cannot create database directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A failure reported by SQLite to the store's own bulk reader.
    #[error("sqlite error {code}: {message}")]
    Sqlite { code: i32, message: String },
    /// The blocking task running a bulk read panicked or was cancelled.
    #[error("database task failed: {0}")]
    TaskFailed(String),
}

impl StoreError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        StoreError::Invalid {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn corrupt(field: &'static str, reason: impl ToString) -> Self {
        StoreError::Corrupt {
            field,
            reason: reason.to_string(),
        }
    }
}

/// True when `error` is a unique or primary key violation.
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// True when `error` is a foreign key violation.
pub(crate) fn is_foreign_key_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_foreign_key_violation())
}
