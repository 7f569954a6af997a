//! Favourites (reference §3.8), per user. Unlike Swing, adding and removing are idempotent (a
//! repeated add never turns a favourite off), two users can favourite the same item, `/check`
//! answers for the caller only, and favouriting a hash the library does not hold is a 404 that
//! stores nothing.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use swingfly_library::paging::page;
use swingfly_services::favorites::{self, FavoriteError, RecentFavorite};
use swingfly_store::favorites::FavoriteKind;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth_extract::AuthUser;
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::{ApiJson, ApiQuery, HashParam};
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/favorites/add", post(add_favorite))
        .route("/favorites/remove", post(remove_favorite))
        .route("/favorites/check", get(check_favorite))
        .route("/favorites", get(all_favorites))
        .route("/favorites/tracks", get(favorite_tracks))
        .route("/favorites/albums", get(favorite_albums))
        .route("/favorites/artists", get(favorite_artists))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        add_favorite,
        remove_favorite,
        check_favorite,
        all_favorites,
        favorite_tracks,
        favorite_albums,
        favorite_artists
    ),
    tags((name = "favorites", description = "Each user's favourite tracks, albums and artists"))
)]
struct FavoritesDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    FavoritesDoc::openapi()
}

/// What kind of item a favourite is.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum ItemType {
    Track,
    Album,
    Artist,
}

impl From<ItemType> for FavoriteKind {
    fn from(kind: ItemType) -> Self {
        match kind {
            ItemType::Track => FavoriteKind::Track,
            ItemType::Album => FavoriteKind::Album,
            ItemType::Artist => FavoriteKind::Artist,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
struct FavoriteBody {
    /// The item's hash: 16 hexadecimal characters.
    #[schema(value_type = String, example = "0123456789abcdef")]
    hash: HashParam,
    /// "track", "album" or "artist".
    #[serde(rename = "type")]
    kind: ItemType,
}

#[utoipa::path(post, path = "/favorites/add", tag = "favorites", request_body = FavoriteBody,
    responses(
        (status = 200, description = "`{msg: \"Added to favorites\"}`, also when it already was one", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "`{msg: \"Track not found\"}` (or Album, Artist): the library holds no such item; nothing is stored", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn add_favorite(
    State(app): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<FavoriteBody>,
) -> ApiResult<Json<serde_json::Value>> {
    favorites::add(&app, user.id, body.kind.into(), body.hash.0)
        .await
        .map_err(|error| match error {
            FavoriteError::NotInLibrary(_) => {
                ApiError::msg(StatusCode::NOT_FOUND, error.to_string())
            }
            FavoriteError::Internal(error) => ApiError::internal(error),
        })?;
    Ok(Json(serde_json::json!({ "msg": "Added to favorites" })))
}

#[utoipa::path(post, path = "/favorites/remove", tag = "favorites", request_body = FavoriteBody,
    responses(
        (status = 200, description = "`{msg: \"Removed from favorites\"}`, also when it was not one", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn remove_favorite(
    State(app): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<FavoriteBody>,
) -> ApiResult<Json<serde_json::Value>> {
    favorites::remove(&app, user.id, body.kind.into(), body.hash.0).await?;
    Ok(Json(serde_json::json!({ "msg": "Removed from favorites" })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CheckQuery {
    /// The item's hash: 16 hexadecimal characters.
    #[param(value_type = String)]
    hash: HashParam,
    /// "track", "album" or "artist".
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = String)]
    kind: ItemType,
}

#[derive(Debug, Serialize, ToSchema)]
struct CheckResponse {
    is_favorite: bool,
}

#[utoipa::path(get, path = "/favorites/check", tag = "favorites", params(CheckQuery),
    responses(
        (status = 200, description = "`{is_favorite}` for the caller", body = CheckResponse),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A missing or malformed parameter", body = [ValidationIssue]),
    ))]
async fn check_favorite(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<CheckQuery>,
) -> ApiResult<Json<CheckResponse>> {
    let is_favorite = favorites::check(&app, user.id, query.kind.into(), query.hash.0).await?;
    Ok(Json(CheckResponse { is_favorite }))
}

fn six() -> i64 {
    6
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct OverviewQuery {
    /// Tracks to list (default 6; negative: all).
    #[serde(default = "six")]
    track_limit: i64,
    /// Albums to list, and the length of `recents` (default 6; negative: all).
    #[serde(default = "six")]
    album_limit: i64,
    /// Artists to list (default 6; negative: all).
    #[serde(default = "six")]
    artist_limit: i64,
}

#[derive(Debug, Serialize)]
struct FavoriteCounts {
    albums: usize,
    artists: usize,
    tracks: usize,
}

#[derive(Debug, Serialize)]
struct Overview {
    albums: Vec<swingfly_library::wire::AlbumCardJson>,
    artists: Vec<swingfly_library::wire::ArtistCardJson>,
    count: FavoriteCounts,
    recents: Vec<RecentFavorite>,
    tracks: Vec<swingfly_library::wire::TrackJson>,
}

#[utoipa::path(get, path = "/favorites", tag = "favorites", params(OverviewQuery),
    responses(
        (status = 200, description = "`{recents: [{type, item}], tracks, albums, artists, count: {tracks, albums, artists}}`, newest first", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A malformed parameter", body = [ValidationIssue]),
    ))]
async fn all_favorites(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<OverviewQuery>,
) -> ApiResult<Json<Overview>> {
    let all = favorites::list(&app, user.id, None).await?;
    let count = FavoriteCounts {
        albums: all.albums.len(),
        artists: all.artists.len(),
        tracks: all.tracks.len(),
    };
    Ok(Json(Overview {
        albums: page(&all.albums, 0, query.album_limit).to_vec(),
        artists: page(&all.artists, 0, query.artist_limit).to_vec(),
        count,
        recents: page(&all.recents, 0, query.album_limit).to_vec(),
        tracks: page(&all.tracks, 0, query.track_limit).to_vec(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// Where the page starts. **The default is 6** (Swing's: the first six are on `/favorites`).
    #[serde(default = "six")]
    start: i64,
    /// Page length (default 6); -1 means everything from `start`.
    #[serde(default = "six")]
    limit: i64,
}

impl PageQuery {
    /// The page of `items`, and `total`: the real count only when the page starts at 0, else -1
    /// (Swing's contract).
    fn apply<T: Clone>(&self, items: &[T]) -> (Vec<T>, i64) {
        let start = usize::try_from(self.start).unwrap_or(0);
        let total = if self.start == 0 {
            items.len() as i64
        } else {
            -1
        };
        (page(items, start, self.limit).to_vec(), total)
    }
}

#[derive(Debug, Serialize)]
struct TracksPage {
    total: i64,
    tracks: Vec<swingfly_library::wire::TrackJson>,
}

#[derive(Debug, Serialize)]
struct AlbumsPage {
    albums: Vec<swingfly_library::wire::AlbumCardJson>,
    total: i64,
}

#[derive(Debug, Serialize)]
struct ArtistsPage {
    artists: Vec<swingfly_library::wire::ArtistCardJson>,
    total: i64,
}

#[utoipa::path(get, path = "/favorites/tracks", tag = "favorites", params(PageQuery),
    responses(
        (status = 200, description = "`{tracks, total}`, newest first; `total` is -1 unless `start` is 0", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A malformed parameter", body = [ValidationIssue]),
    ))]
async fn favorite_tracks(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<TracksPage>> {
    let all = favorites::list(&app, user.id, Some(FavoriteKind::Track)).await?;
    let (tracks, total) = query.apply(&all.tracks);
    Ok(Json(TracksPage { total, tracks }))
}

#[utoipa::path(get, path = "/favorites/albums", tag = "favorites", params(PageQuery),
    responses(
        (status = 200, description = "`{albums, total}`, newest first; `total` is -1 unless `start` is 0", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A malformed parameter", body = [ValidationIssue]),
    ))]
async fn favorite_albums(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<AlbumsPage>> {
    let all = favorites::list(&app, user.id, Some(FavoriteKind::Album)).await?;
    let (albums, total) = query.apply(&all.albums);
    Ok(Json(AlbumsPage { albums, total }))
}

#[utoipa::path(get, path = "/favorites/artists", tag = "favorites", params(PageQuery),
    responses(
        (status = 200, description = "`{artists, total}`, newest first; `total` is -1 unless `start` is 0", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A malformed parameter", body = [ValidationIssue]),
    ))]
async fn favorite_artists(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<ArtistsPage>> {
    let all = favorites::list(&app, user.id, Some(FavoriteKind::Artist)).await?;
    let (artists, total) = query.apply(&all.artists);
    Ok(Json(ArtistsPage { artists, total }))
}
