//! Home routes (reference §3.9): the home rows and the raw recents. The rows are the services'
//! (`swingfly_services::home`); this module parses the limit and serialises.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use swingfly_services::home::{self, RecentlyAddedRaw, RecentlyPlayedRaw};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth_extract::AuthUser;
use crate::error::{ApiResult, ValidationIssue};
use crate::extract::ApiQuery;
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    // Trailing slashes are trimmed before routing, so this also answers `/nothome/`.
    Router::new()
        .route("/nothome", get(home_rows))
        .route("/nothome/recents/added", get(recently_added))
        .route("/nothome/recents/played", get(recently_played))
}

#[derive(OpenApi)]
#[openapi(
    paths(home_rows, recently_added, recently_played),
    components(schemas(RecentsAdded, RecentsPlayed)),
    tags((name = "home", description = "The home page rows"))
)]
struct HomeDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    HomeDoc::openapi()
}

/// No row holds more than this, whatever the client asks.
const MAX_LIMIT: i64 = 100;

fn clamp(limit: i64) -> usize {
    limit.clamp(0, MAX_LIMIT) as usize
}

fn default_home_limit() -> i64 {
    9
}

fn default_recents_limit() -> i64 {
    6
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct HomeQuery {
    /// Items per row (default 9, at most 100).
    #[serde(default = "default_home_limit")]
    limit: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RecentsQuery {
    /// How many entries (default 6; the rows hold at most 15).
    #[serde(default = "default_recents_limit")]
    limit: i64,
}

#[utoipa::path(get, path = "/nothome", tag = "home", params(HomeQuery),
    responses(
        (status = 200, description = "A list of single-key rows in Swing's order: `recently_played`, `artist_mixes`, `custom_mixes`, `top_streamed_weekly_artists`, `top_streamed_monthly_artists`, `because_you_listened_to_artist`, `artists_you_might_like` (only rows holding items), then one `{<collection id>: {id, title, description, items, url}}` per collection, then `recently_added`. A row is `{title, description?, items: [{type, item}]}`; items carry `help_text` and `time`.", body = [Object]),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A malformed limit", body = [ValidationIssue]),
    ))]
async fn home_rows(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<HomeQuery>,
) -> ApiResult<impl IntoResponse> {
    let json = home::home_page_json(&app, user.id, clamp(query.limit)).await?;
    Ok(crate::json_response(json))
}

/// `{items}` of /nothome/recents/added.
#[derive(Debug, Serialize, ToSchema)]
struct RecentsAdded {
    /// `[{type, hash, timestamp, help_text}]`; a folder's `hash` is its path.
    #[schema(value_type = Vec<Object>)]
    items: Vec<RecentlyAddedRaw>,
}

/// `{items}` of /nothome/recents/played.
#[derive(Debug, Serialize, ToSchema)]
struct RecentsPlayed {
    /// `[{type, hash, timestamp, is_custom?}]`; `hash` is a path, playlist id or mix id where the
    /// type says so.
    #[schema(value_type = Vec<Object>)]
    items: Vec<RecentlyPlayedRaw>,
}

#[utoipa::path(get, path = "/nothome/recents/added", tag = "home", params(RecentsQuery),
    responses(
        (status = 200, description = "The recently added row, raw (not expanded)", body = RecentsAdded),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A malformed limit", body = [ValidationIssue]),
    ))]
async fn recently_added(
    State(app): State<AppState>,
    _user: AuthUser,
    ApiQuery(query): ApiQuery<RecentsQuery>,
) -> Json<RecentsAdded> {
    Json(RecentsAdded {
        items: home::recently_added_raw(&app, clamp(query.limit)).await,
    })
}

#[utoipa::path(get, path = "/nothome/recents/played", tag = "home", params(RecentsQuery),
    responses(
        (status = 200, description = "The caller's recently played row, raw (not expanded)", body = RecentsPlayed),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A malformed limit", body = [ValidationIssue]),
    ))]
async fn recently_played(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<RecentsQuery>,
) -> ApiResult<Json<RecentsPlayed>> {
    Ok(Json(RecentsPlayed {
        items: home::recently_played_raw(&app, user.id, clamp(query.limit)).await?,
    }))
}
