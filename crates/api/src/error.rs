//! The one error type of the HTTP adapter, answering in Swing Music's shapes: `{"msg": ..}`,
//! `{"error": ..}` or a pydantic-style 422 list. Internal failures are logged here and answered
//! with a generic 500 that reveals nothing.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use swingfly_services::auth::{AuthError, LoginError, PairError, UserError};
use utoipa::ToSchema;

/// An error response. Build one with [`ApiError::msg`], [`ApiError::error`],
/// [`ApiError::validation`], or convert a lower layer's error with `?`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
    retry_after_secs: Option<u64>,
}

/// One entry of a 422 list, in pydantic v2's shape (what flask-openapi3 answers).
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct ValidationIssue {
    /// pydantic's error type, e.g. "missing", "string_type", "json_invalid".
    #[serde(rename = "type")]
    pub kind: String,
    /// Where: `["body", "username"]`, `["query", "limit"]`, `["path", "albumhash"]`.
    pub loc: Vec<Value>,
    pub msg: String,
    pub input: Value,
    pub url: String,
}

impl ValidationIssue {
    pub fn new(kind: &str, loc: Vec<Value>, msg: impl Into<String>, input: Value) -> Self {
        Self {
            kind: kind.to_string(),
            loc,
            msg: msg.into(),
            input,
            url: format!("https://errors.pydantic.dev/2.9/v/{kind}"),
        }
    }
}

impl ApiError {
    /// `{"msg": text}` with `status`: Swing's most common error shape.
    pub fn msg(status: StatusCode, text: impl Into<String>) -> Self {
        Self::with_body(status, json!({ "msg": text.into() }))
    }

    /// `{"error": text}` with `status`: the shape some Swing routes use instead.
    pub fn error(status: StatusCode, text: impl Into<String>) -> Self {
        Self::with_body(status, json!({ "error": text.into() }))
    }

    /// A 422 with one pydantic-style entry (type "value_error") at `loc`, e.g.
    /// `ApiError::validation(&["query", "limit"], "Input should be a valid integer")`.
    pub fn validation(loc: &[&str], msg: impl Into<String>) -> Self {
        let loc = loc.iter().map(|part| Value::from(*part)).collect();
        Self::validation_issues(vec![ValidationIssue::new(
            "value_error",
            loc,
            msg,
            Value::Null,
        )])
    }

    /// A 422 carrying a full pydantic-style list.
    pub fn validation_issues(issues: Vec<ValidationIssue>) -> Self {
        Self::with_body(
            StatusCode::UNPROCESSABLE_ENTITY,
            serde_json::to_value(issues).unwrap_or_else(|_| json!([])),
        )
    }

    /// An unexpected failure: logged with its full chain, answered with a generic 500.
    pub fn internal(error: anyhow::Error) -> Self {
        tracing::error!(error = %format!("{error:#}"), "internal error while answering a request");
        Self::msg(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
    }

    /// 403 `{"msg":"Only admins can do that!"}` (Swing's wording).
    pub fn admins_only() -> Self {
        Self::msg(StatusCode::FORBIDDEN, "Only admins can do that!")
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn body(&self) -> &Value {
        &self.body
    }

    /// Adds a `Retry-After` header (rate limiting).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_secs = Some(seconds.max(1));
        self
    }

    fn with_body(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body,
            retry_after_secs: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after_secs {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        Self::internal(error)
    }
}

impl From<swingfly_store::StoreError> for ApiError {
    fn from(error: swingfly_store::StoreError) -> Self {
        Self::internal(error.into())
    }
}

/// Swing's token errors: a missing, expired or revoked token is 401 (clients show the login
/// screen); a forged or malformed one, or the wrong kind, is 422 (the web UI logs out).
impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        let status = match &error {
            AuthError::Missing | AuthError::Expired | AuthError::Revoked => {
                StatusCode::UNAUTHORIZED
            }
            AuthError::BadSignature | AuthError::Malformed(_) | AuthError::WrongKind { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AuthError::Internal(_) => {
                return Self::internal(anyhow::anyhow!(error));
            }
        };
        Self::msg(status, error.to_string())
    }
}

impl From<LoginError> for ApiError {
    fn from(error: LoginError) -> Self {
        match error {
            LoginError::UserNotFound => Self::msg(StatusCode::NOT_FOUND, error.to_string()),
            LoginError::WrongPassword => Self::msg(StatusCode::UNAUTHORIZED, error.to_string()),
            LoginError::RateLimited { retry_after } => {
                Self::msg(StatusCode::TOO_MANY_REQUESTS, error.to_string())
                    .retry_after(retry_after.as_secs())
            }
            LoginError::Internal(inner) => Self::internal(inner),
        }
    }
}

impl From<PairError> for ApiError {
    fn from(error: PairError) -> Self {
        match error {
            PairError::InvalidCode => Self::msg(StatusCode::BAD_REQUEST, error.to_string()),
            PairError::RateLimited { retry_after } => {
                Self::msg(StatusCode::TOO_MANY_REQUESTS, error.to_string())
                    .retry_after(retry_after.as_secs())
            }
            PairError::Internal(inner) => Self::internal(inner),
        }
    }
}

impl From<UserError> for ApiError {
    fn from(error: UserError) -> Self {
        match error {
            UserError::Rejected(text) => Self::msg(StatusCode::BAD_REQUEST, text),
            UserError::Forbidden(text) => Self::msg(StatusCode::FORBIDDEN, text),
            UserError::NotFound => Self::msg(StatusCode::NOT_FOUND, "User not found"),
            UserError::Internal(inner) => Self::internal(inner),
        }
    }
}

/// The `Result` of a handler in this crate.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_codes() {
        let error = ApiError::msg(StatusCode::NOT_FOUND, "User not found");
        assert_eq!(error.body(), &json!({"msg": "User not found"}));
        let error = ApiError::error(StatusCode::BAD_REQUEST, "nope");
        assert_eq!(error.body(), &json!({"error": "nope"}));

        let error = ApiError::validation(&["query", "limit"], "Input should be a valid integer");
        assert_eq!(error.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let entry = &error.body()[0];
        assert_eq!(entry["loc"], json!(["query", "limit"]));
        assert_eq!(entry["type"], "value_error");
        assert!(entry["url"]
            .as_str()
            .unwrap()
            .starts_with("https://errors.pydantic.dev/"));

        let error = ApiError::from(anyhow::anyhow!("disk on fire at /secret/path"));
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(error.body(), &json!({"msg": "Internal server error"}));

        assert_eq!(
            ApiError::from(AuthError::Missing).status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            ApiError::from(AuthError::Revoked).status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            ApiError::from(AuthError::BadSignature).body(),
            &json!({"msg": "Signature verification failed"})
        );
        assert_eq!(
            ApiError::from(AuthError::Internal(anyhow::anyhow!("db gone"))).body(),
            &json!({"msg": "Internal server error"})
        );
    }
}
