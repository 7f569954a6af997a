//! Why an auth operation failed. The HTTP adapter maps each variant to Swing Music's status code and
//! message; the messages here are Swing's wording where Swing has one.

use std::time::Duration;

use super::TokenKind;

/// A token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("Missing JWT in cookies or headers")]
    Missing,
    #[error("Token has expired")]
    Expired,
    #[error("Signature verification failed")]
    BadSignature,
    /// Not a decodable JWT of ours (the text says why, e.g. "Not enough segments").
    #[error("{0}")]
    Malformed(String),
    /// A refresh token where an access token is needed, or the other way round.
    #[error("{}", wrong_kind_message(*.expected))]
    WrongKind { expected: TokenKind },
    /// Logged out, superseded by a password change, or its user was deleted.
    #[error("Token has been revoked")]
    Revoked,
    #[error("internal error while checking a token: {0:#}")]
    Internal(#[from] anyhow::Error),
}

fn wrong_kind_message(expected: TokenKind) -> &'static str {
    match expected {
        TokenKind::Refresh => "Only refresh tokens are allowed",
        TokenKind::Access => "Only non-refresh tokens are allowed",
    }
}

/// A login was refused.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("User not found")]
    UserNotFound,
    #[error("Hehe! invalid password")]
    WrongPassword,
    /// Too many attempts for this username from this address (or from this address overall).
    #[error("Too many attempts, try again in {} seconds", .retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },
    #[error("internal error during login: {0:#}")]
    Internal(#[from] anyhow::Error),
}

/// A pair code was not redeemed.
#[derive(Debug, thiserror::Error)]
pub enum PairError {
    /// Unknown, already used or expired.
    #[error("Invalid code")]
    InvalidCode,
    #[error("Too many attempts, try again in {} seconds", .retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },
    #[error("internal error while pairing: {0:#}")]
    Internal(#[from] anyhow::Error),
}

/// A user management request broke a rule.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// Bad input or a rule of §2.1 (duplicate name, guest update, last admin, deleting oneself).
    #[error("{0}")]
    Rejected(String),
    /// The acting user may not do this.
    #[error("{0}")]
    Forbidden(String),
    #[error("User not found")]
    NotFound,
    #[error("internal error while managing users: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl UserError {
    pub(crate) fn rejected(text: impl Into<String>) -> Self {
        UserError::Rejected(text.into())
    }
}

impl From<swingfly_store::StoreError> for UserError {
    fn from(error: swingfly_store::StoreError) -> Self {
        match error {
            swingfly_store::StoreError::Conflict(_) => {
                UserError::rejected("Username already exists")
            }
            swingfly_store::StoreError::NotFound(_) => UserError::NotFound,
            swingfly_store::StoreError::Invalid { reason, .. } => UserError::Rejected(reason),
            other => UserError::Internal(other.into()),
        }
    }
}

impl From<swingfly_store::StoreError> for AuthError {
    fn from(error: swingfly_store::StoreError) -> Self {
        AuthError::Internal(error.into())
    }
}

impl From<swingfly_store::StoreError> for LoginError {
    fn from(error: swingfly_store::StoreError) -> Self {
        LoginError::Internal(error.into())
    }
}

impl From<swingfly_store::StoreError> for PairError {
    fn from(error: swingfly_store::StoreError) -> Self {
        PairError::Internal(error.into())
    }
}
