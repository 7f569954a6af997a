//! Search routes (reference §3.4, §5.7). Matching and ranking are the library's, and so is writing
//! the answer: the library writes the JSON straight from the index (see its `track_writer`).
//!
//! The search runs on the request's own task: over 100k tracks it takes ~40 µs (p99 ~0.3 ms over
//! varied queries, typos included), less than handing it to the blocking pool and back cost under
//! 32 clients, and the pool grew a thread (and a set of search buffers) per concurrent query.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use swingfly_library::SearchKind;
use utoipa::{IntoParams, OpenApi};

use crate::auth_extract::AuthUser;
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::ApiQuery;
use crate::json_response;
use crate::openapi::ErrorText;
use crate::routes::auth::Message;
use crate::routes::library::capitalised;
use crate::AppState;

pub fn router() -> Router<AppState> {
    // The router trims trailing slashes before routing, so this also answers `/search/`.
    Router::new()
        .route("/search/top", get(search_top))
        .route("/search", get(search))
}

#[derive(OpenApi)]
#[openapi(
    paths(search_top, search),
    tags((name = "search", description = "Fuzzy search over tracks, albums and artists"))
)]
struct SearchDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    SearchDoc::openapi()
}

fn no_query() -> ApiError {
    ApiError::error(StatusCode::BAD_REQUEST, "No query provided")
}

/// The query text, or Swing's 400 when it is missing or blank.
fn query_text(q: Option<String>) -> ApiResult<String> {
    q.filter(|text| !text.trim().is_empty())
        .ok_or_else(no_query)
}

fn default_top_limit() -> i64 {
    6
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TopQuery {
    /// The search text (required; blank is a 400).
    q: Option<String>,
    /// Artists and albums shown (default 6); negative means as many as matched.
    #[serde(default = "default_top_limit")]
    limit: i64,
}

#[utoipa::path(get, path = "/search/top", tag = "search", params(TopQuery),
    responses(
        (status = 200, description = "`{top_result, tracks, albums, artists}`: the best match and the first matches of each kind", body = Object),
        (status = 400, description = "No query provided", body = ErrorText),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A malformed parameter", body = [ValidationIssue]),
    ))]
async fn search_top(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<TopQuery>,
) -> ApiResult<Response> {
    let text = query_text(query.q)?;
    let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
    let (library, view) = app.library_for(user.id).await?;
    Ok(json_response(library.search_top_json(&text, limit, &view)))
}

fn default_search_limit() -> i64 {
    30
}

fn default_itemtype() -> String {
    "tracks".to_string()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// The search text (required; blank is a 400).
    q: Option<String>,
    /// `tracks` (the default), `albums` or `artists`.
    #[serde(default = "default_itemtype")]
    itemtype: String,
    /// The first result (default 0).
    #[serde(default)]
    start: usize,
    /// Results per page (default 30); negative means everything from `start` (Android sends -1).
    #[serde(default = "default_search_limit")]
    limit: i64,
}

#[utoipa::path(get, path = "/search", tag = "search", params(SearchQuery),
    responses(
        (status = 200, description = "`{results, more}`: one page of matches of one kind, and whether more follow", body = Object),
        (status = 400, description = "No query provided", body = ErrorText),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "An unknown item type or a malformed parameter", body = [ValidationIssue]),
    ))]
async fn search(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> ApiResult<Response> {
    let text = query_text(query.q)?;
    let kind: SearchKind = query.itemtype.parse().map_err(|reason: String| {
        ApiError::validation(&["query", "itemtype"], capitalised(&reason))
    })?;
    let (library, view) = app.library_for(user.id).await?;
    Ok(json_response(library.search_json(
        &text,
        kind,
        query.start,
        query.limit,
        &view,
    )))
}
