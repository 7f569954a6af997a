//! Search routes (reference §3.4, §5.7). Matching and ranking are the library's; the fuzzy pass
//! over the whole index runs on the blocking pool so a large library never stalls other requests.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use swingfly_library::wire::{SearchResponse, TopSearchResponse};
use swingfly_library::{NoUser, SearchKind};

use crate::auth_extract::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::routes::library::capitalised;
use crate::AppState;

pub fn router() -> Router<AppState> {
    // The router trims trailing slashes before routing, so this also answers `/search/`.
    Router::new()
        .route("/search/top", get(search_top))
        .route("/search", get(search))
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

#[derive(Debug, Deserialize)]
struct TopQuery {
    q: Option<String>,
    /// Artists and albums shown; negative means as many as matched.
    #[serde(default = "default_top_limit")]
    limit: i64,
}

async fn search_top(
    State(app): State<AppState>,
    _user: AuthUser,
    ApiQuery(query): ApiQuery<TopQuery>,
) -> ApiResult<Json<TopSearchResponse>> {
    let text = query_text(query.q)?;
    let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
    let library = app.library();
    let response = tokio::task::spawn_blocking(move || library.search_top(&text, limit, &NoUser))
        .await
        .map_err(|error| ApiError::internal(error.into()))?;
    Ok(Json(response))
}

fn default_search_limit() -> i64 {
    30
}

fn default_itemtype() -> String {
    "tracks".to_string()
}

#[derive(Debug, Deserialize)]
struct SearchQuery {
    q: Option<String>,
    #[serde(default = "default_itemtype")]
    itemtype: String,
    #[serde(default)]
    start: usize,
    /// Negative means everything from `start` (Android sends -1).
    #[serde(default = "default_search_limit")]
    limit: i64,
}

async fn search(
    State(app): State<AppState>,
    _user: AuthUser,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> ApiResult<Json<SearchResponse>> {
    let text = query_text(query.q)?;
    let kind: SearchKind = query.itemtype.parse().map_err(|reason: String| {
        ApiError::validation(&["query", "itemtype"], capitalised(&reason))
    })?;
    let library = app.library();
    let (start, limit) = (query.start, query.limit);
    let response =
        tokio::task::spawn_blocking(move || library.search(&text, kind, start, limit, &NoUser))
            .await
            .map_err(|error| ApiError::internal(error.into()))?;
    Ok(Json(response))
}
