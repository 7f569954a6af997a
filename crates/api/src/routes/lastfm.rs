//! Linking scrobbling accounts (reference §3.15, the Last.fm session rows): each user links their
//! own Last.fm account (a session key from the token they authorised on last.fm) or ListenBrainz
//! account (a user token; Swing has no ListenBrainz support, these routes are Swingfly's own), and
//! sees how delivery of their plays is going. The operator's Last.fm API key and secret are never
//! served.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use swingfly_services::scrobblers::{LinkError, LASTFM, LISTENBRAINZ};
use utoipa::{OpenApi, ToSchema};

use crate::auth_extract::AuthUser;
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::ApiJson;
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/plugins/lastfm/session/create",
            post(create_lastfm_session),
        )
        .route(
            "/plugins/lastfm/session/delete",
            post(delete_lastfm_session),
        )
        .route(
            "/plugins/listenbrainz/token",
            post(link_listenbrainz).delete(unlink_listenbrainz),
        )
        .route(
            "/plugins/listenbrainz/token/delete",
            post(unlink_listenbrainz),
        )
        .route("/plugins/scrobblers/status", get(delivery_status))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        create_lastfm_session,
        delete_lastfm_session,
        link_listenbrainz,
        unlink_listenbrainz_delete,
        unlink_listenbrainz_post,
        delivery_status
    ),
    components(schemas(
        TokenBody,
        LastFmSession,
        ListenBrainzLinked,
        Status,
        ErrorBody,
        DeliveryStatus,
        ServiceState
    )),
    tags((name = "scrobbling", description = "Linking Last.fm and ListenBrainz accounts; delivery of plays"))
)]
struct ScrobblingDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ScrobblingDoc::openapi()
}

/// A token from the service: Last.fm's auth token (after the user authorised the app on
/// last.fm), or the ListenBrainz user token (from the user's settings page there).
#[derive(Debug, Deserialize, ToSchema)]
struct TokenBody {
    token: String,
}

#[derive(Debug, Serialize, ToSchema)]
struct LastFmSession {
    /// "success"
    status: &'static str,
    session_key: String,
}

#[derive(Debug, Serialize, ToSchema)]
struct ListenBrainzLinked {
    /// "success"
    status: &'static str,
    /// The ListenBrainz account name.
    user_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
struct Status {
    /// "success"
    status: &'static str,
}

/// `{error}`: why linking failed.
#[derive(Debug, Serialize, ToSchema)]
struct ErrorBody {
    error: String,
}

fn link_error(error: LinkError) -> ApiError {
    match error {
        LinkError::NotConfigured => {
            ApiError::error(StatusCode::SERVICE_UNAVAILABLE, error.to_string())
        }
        LinkError::Rejected(reason) => ApiError::error(StatusCode::BAD_REQUEST, reason),
        LinkError::Unavailable(reason) => ApiError::error(StatusCode::BAD_GATEWAY, reason),
        LinkError::Internal(inner) => ApiError::internal(inner),
    }
}

#[utoipa::path(post, path = "/plugins/lastfm/session/create", tag = "scrobbling", request_body = TokenBody,
    responses(
        (status = 200, description = "The account is linked: plays logged from now on are scrobbled to it. Re-linking replaces the previous session.", body = LastFmSession),
        (status = 400, description = "Last.fm refused the token (unknown, expired or not authorised)", body = ErrorBody),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A malformed body", body = [ValidationIssue]),
        (status = 502, description = "Last.fm could not be reached or failed", body = ErrorBody),
        (status = 503, description = "The server has no Last.fm API key and secret configured", body = ErrorBody),
    ))]
async fn create_lastfm_session(
    State(app): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<TokenBody>,
) -> ApiResult<Json<LastFmSession>> {
    let session_key = app
        .scrobblers
        .link_lastfm(user.id, &body.token)
        .await
        .map_err(link_error)?;
    Ok(Json(LastFmSession {
        status: "success",
        session_key,
    }))
}

#[utoipa::path(post, path = "/plugins/lastfm/session/delete", tag = "scrobbling",
    responses(
        (status = 200, description = "The Last.fm account is unlinked (also when none was linked); undelivered plays are not sent", body = Status),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
    ))]
async fn delete_lastfm_session(
    State(app): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<Status>> {
    app.scrobblers.unlink(user.id, LASTFM).await?;
    Ok(Json(Status { status: "success" }))
}

#[utoipa::path(post, path = "/plugins/listenbrainz/token", tag = "scrobbling", request_body = TokenBody,
    responses(
        (status = 200, description = "The token is valid and linked: plays logged from now on are submitted to ListenBrainz", body = ListenBrainzLinked),
        (status = 400, description = "ListenBrainz says the token is not valid", body = ErrorBody),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A malformed body", body = [ValidationIssue]),
        (status = 502, description = "ListenBrainz could not be reached or failed", body = ErrorBody),
    ))]
async fn link_listenbrainz(
    State(app): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<TokenBody>,
) -> ApiResult<Json<ListenBrainzLinked>> {
    let user_name = app
        .scrobblers
        .link_listenbrainz(user.id, &body.token)
        .await
        .map_err(link_error)?;
    Ok(Json(ListenBrainzLinked {
        status: "success",
        user_name,
    }))
}

async fn unlink_listenbrainz(
    State(app): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<Status>> {
    app.scrobblers.unlink(user.id, LISTENBRAINZ).await?;
    Ok(Json(Status { status: "success" }))
}

/// Documents the DELETE form of the unlink route (one handler serves both).
#[utoipa::path(delete, path = "/plugins/listenbrainz/token", tag = "scrobbling",
    responses(
        (status = 200, description = "The ListenBrainz account is unlinked (also when none was linked)", body = Status),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
    ))]
#[allow(dead_code)]
fn unlink_listenbrainz_delete() {}

/// Documents the POST form of the unlink route, for clients that cannot send DELETE.
#[utoipa::path(post, path = "/plugins/listenbrainz/token/delete", tag = "scrobbling",
    responses(
        (status = 200, description = "The ListenBrainz account is unlinked (also when none was linked)", body = Status),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
    ))]
#[allow(dead_code)]
fn unlink_listenbrainz_post() {}

#[derive(Debug, Serialize, ToSchema)]
struct DeliveryStatus {
    services: Vec<ServiceState>,
}

/// One service as the calling user sees it. The credential is never included.
#[derive(Debug, Serialize, ToSchema)]
struct ServiceState {
    /// "lastfm" or "listenbrainz"
    service: String,
    /// Whether the server can deliver to this service (Last.fm needs the operator's API key).
    available: bool,
    linked: bool,
    account_name: Option<String>,
    /// Plays logged since linking that are not delivered (or skipped as too short) yet.
    pending: i64,
    /// Consecutive failed delivery attempts.
    attempts: i64,
    last_error: Option<String>,
    /// Unix seconds of the next try after a failure; 0 when not backing off.
    next_attempt_at: i64,
    /// Unix seconds; null when not linked.
    linked_at: Option<i64>,
}

#[utoipa::path(get, path = "/plugins/scrobblers/status", tag = "scrobbling",
    responses(
        (status = 200, description = "The caller's linked services and how delivery of their plays is going", body = DeliveryStatus),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
    ))]
async fn delivery_status(
    State(app): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<DeliveryStatus>> {
    let services = app
        .scrobblers
        .status(user.id)
        .await?
        .into_iter()
        .map(|s| ServiceState {
            service: s.service.to_string(),
            available: s.available,
            linked: s.linked,
            account_name: s.account_name,
            pending: s.pending,
            attempts: s.attempts,
            last_error: s.last_error,
            next_attempt_at: s.next_attempt_at,
            linked_at: s.linked_at,
        })
        .collect();
    Ok(Json(DeliveryStatus { services }))
}
