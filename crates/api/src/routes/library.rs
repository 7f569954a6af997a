//! Album, artist and get-all routes (reference §3.1, §3.2, §3.13): parse, ask the library index,
//! serialise. Per-user fields (favourites, play counts and play sorting) come from the caller's own
//! view of their data (`App::library_for`).

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Deserializer};
use swingfly_library::wire::{
    AlbumCardJson, AlbumPage, ArtistAlbums, ArtistCardJson, GetAllResponse, OrderedMap, TrackJson,
};
use swingfly_library::{GetAllError, GetAllKind, GetAllRequest};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth_extract::AuthUser;
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::{lenient_bool, ApiJson, ApiQuery, HashParam};
use crate::openapi::ErrorText;
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/album", post(album_page))
        .route("/album/{albumhash}/tracks", get(album_tracks))
        .route("/album/from-artist", post(albums_from_artists))
        .route("/album/other-versions", post(other_versions))
        .route("/album/similar", get(similar_albums))
        .route("/artist/{artisthash}", get(artist_page))
        .route("/artist/{artisthash}/albums", get(artist_albums))
        .route("/artist/{artisthash}/tracks", get(artist_tracks))
        .route("/artist/{artisthash}/similar", get(similar_artists))
        .route("/getall/{itemtype}", get(get_all))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        album_page,
        album_tracks,
        albums_from_artists,
        other_versions,
        similar_albums,
        artist_page,
        artist_albums,
        artist_tracks,
        similar_artists,
        get_all
    ),
    components(schemas(AlbumBody, FromArtistBody, OtherVersionsBody)),
    tags((name = "library", description = "Albums, artists and the get-all listings"))
)]
struct LibraryDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    LibraryDoc::openapi()
}

fn album_not_found() -> ApiError {
    ApiError::error(StatusCode::NOT_FOUND, "Album not found")
}

fn artist_not_found() -> ApiError {
    ApiError::error(StatusCode::NOT_FOUND, "Artist not found")
}

fn default_album_limit() -> i64 {
    6
}

#[derive(Debug, Deserialize, ToSchema)]
struct AlbumBody {
    /// The album's hash: 16 hexadecimal characters.
    #[schema(value_type = String, example = "0123456789abcdef")]
    albumhash: HashParam,
    /// How many albums of the album's artists to include (default 6).
    #[serde(default = "default_album_limit")]
    albumlimit: i64,
}

#[utoipa::path(post, path = "/album", tag = "library", request_body = AlbumBody,
    responses(
        (status = 200, description = "`{info, tracks, extra, stats, copyright, more_from, other_versions}`: the album page", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "Album not found", body = ErrorText),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn album_page(
    State(app): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<AlbumBody>,
) -> ApiResult<Json<AlbumPage>> {
    let (library, view) = app.library_for(user.id).await?;
    library
        .album_page(body.albumhash.0, body.albumlimit, &view)
        .map(Json)
        .ok_or_else(album_not_found)
}

#[utoipa::path(get, path = "/album/{albumhash}/tracks", tag = "library",
    params(("albumhash" = String, Path, description = "The album's hash: 16 hexadecimal characters")),
    responses(
        (status = 200, description = "The album's tracks in disc and track order", body = [Object]),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "Album not found", body = ErrorText),
        (status = 422, description = "Not a hash", body = [ValidationIssue]),
    ))]
async fn album_tracks(
    State(app): State<AppState>,
    user: AuthUser,
    HashParam(albumhash): HashParam,
) -> ApiResult<Json<Vec<TrackJson>>> {
    let (library, view) = app.library_for(user.id).await?;
    library
        .album_tracks(albumhash, &view)
        .map(Json)
        .ok_or_else(album_not_found)
}

/// The web client also sends `limit`, which Swing ignores: only `albumlimit` counts.
#[derive(Debug, Deserialize, ToSchema)]
struct FromArtistBody {
    /// Artist hashes (16 hexadecimal characters each).
    #[schema(value_type = Vec<String>)]
    albumartists: Vec<HashParam>,
    /// Albums per artist (default 6).
    #[serde(default = "default_album_limit")]
    albumlimit: i64,
    /// The title of the album being shown, left out of the answer.
    #[serde(default)]
    base_title: String,
}

#[utoipa::path(post, path = "/album/from-artist", tag = "library", request_body = FromArtistBody,
    responses(
        (status = 200, description = "Album cards per artist hash, in the order asked", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn albums_from_artists(
    State(app): State<AppState>,
    _user: AuthUser,
    ApiJson(body): ApiJson<FromArtistBody>,
) -> Json<OrderedMap<Vec<AlbumCardJson>>> {
    let artisthashes: Vec<_> = body.albumartists.iter().map(|hash| hash.0).collect();
    Json(
        app.library()
            .albums_from_artists(&artisthashes, body.albumlimit, &body.base_title),
    )
}

/// `og_album_title` is accepted for compatibility; the album's own raw title is authoritative.
#[derive(Debug, Deserialize, ToSchema)]
struct OtherVersionsBody {
    /// The album's hash: 16 hexadecimal characters.
    #[schema(value_type = String, example = "0123456789abcdef")]
    albumhash: HashParam,
    #[serde(default, rename = "og_album_title")]
    _og_album_title: Option<String>,
}

#[utoipa::path(post, path = "/album/other-versions", tag = "library", request_body = OtherVersionsBody,
    responses(
        (status = 200, description = "Album cards of the album's other versions (deluxe, remaster, ...)", body = [Object]),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn other_versions(
    State(app): State<AppState>,
    _user: AuthUser,
    ApiJson(body): ApiJson<OtherVersionsBody>,
) -> Json<Vec<AlbumCardJson>> {
    Json(app.library().other_versions(body.albumhash.0))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SimilarAlbumsQuery {
    /// The artist's hash: 16 hexadecimal characters.
    #[param(value_type = String)]
    artisthash: HashParam,
    /// How many albums (default 6).
    #[serde(default = "default_album_limit")]
    albumlimit: i64,
}

#[utoipa::path(get, path = "/album/similar", tag = "library", params(SimilarAlbumsQuery),
    responses(
        (status = 200, description = "Album cards by artists similar to the given one", body = [Object]),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A missing or malformed parameter", body = [ValidationIssue]),
    ))]
async fn similar_albums(
    State(app): State<AppState>,
    _user: AuthUser,
    ApiQuery(query): ApiQuery<SimilarAlbumsQuery>,
) -> Json<Vec<AlbumCardJson>> {
    Json(
        app.library()
            .album_similar(query.artisthash.0, query.albumlimit),
    )
}

fn default_track_limit() -> i64 {
    5
}

fn default_artist_page_album_limit() -> i64 {
    7
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ArtistPageQuery {
    /// How many of the artist's tracks (default 5).
    #[serde(default = "default_track_limit")]
    tracklimit: i64,
    /// How many albums per group (default 7).
    #[serde(default = "default_artist_page_album_limit")]
    albumlimit: i64,
    /// Every album instead of `albumlimit` per group.
    #[serde(default, deserialize_with = "lenient_bool")]
    #[param(value_type = Option<bool>)]
    all: bool,
}

#[utoipa::path(get, path = "/artist/{artisthash}", tag = "library",
    params(("artisthash" = String, Path, description = "The artist's hash: 16 hexadecimal characters"), ArtistPageQuery),
    responses(
        (status = 200, description = "`{artist, tracks, albums, stats}`: the artist, top tracks and albums by group", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "Artist not found", body = ErrorText),
        (status = 422, description = "Not a hash, or a malformed parameter", body = [ValidationIssue]),
    ))]
async fn artist_page(
    State(app): State<AppState>,
    user: AuthUser,
    HashParam(artisthash): HashParam,
    ApiQuery(query): ApiQuery<ArtistPageQuery>,
) -> ApiResult<axum::response::Response> {
    let (library, view) = app.library_for(user.id).await?;
    library
        .artist_page_json(
            artisthash,
            query.tracklimit,
            query.albumlimit,
            query.all,
            &view,
        )
        .map(crate::json_response)
        .ok_or_else(artist_not_found)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ArtistAlbumsQuery {
    /// How many albums per group (default 6).
    #[serde(default = "default_album_limit")]
    albumlimit: i64,
    /// Every album instead of `albumlimit` per group.
    #[serde(default, deserialize_with = "lenient_bool")]
    #[param(value_type = Option<bool>)]
    all: bool,
}

#[utoipa::path(get, path = "/artist/{artisthash}/albums", tag = "library",
    params(("artisthash" = String, Path, description = "The artist's hash: 16 hexadecimal characters"), ArtistAlbumsQuery),
    responses(
        (status = 200, description = "`{artistname, albums, singles_and_eps, compilations, appearances}`: album cards by group", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "Artist not found", body = ErrorText),
        (status = 422, description = "Not a hash, or a malformed parameter", body = [ValidationIssue]),
    ))]
async fn artist_albums(
    State(app): State<AppState>,
    _user: AuthUser,
    HashParam(artisthash): HashParam,
    ApiQuery(query): ApiQuery<ArtistAlbumsQuery>,
) -> ApiResult<Json<ArtistAlbums>> {
    app.library()
        .artist_albums(artisthash, query.albumlimit, query.all)
        .map(Json)
        .ok_or_else(artist_not_found)
}

#[utoipa::path(get, path = "/artist/{artisthash}/tracks", tag = "library",
    params(("artisthash" = String, Path, description = "The artist's hash: 16 hexadecimal characters")),
    responses(
        (status = 200, description = "Every track of the artist", body = [Object]),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "Artist not found", body = ErrorText),
        (status = 422, description = "Not a hash", body = [ValidationIssue]),
    ))]
async fn artist_tracks(
    State(app): State<AppState>,
    user: AuthUser,
    HashParam(artisthash): HashParam,
) -> ApiResult<axum::response::Response> {
    let (library, view) = app.library_for(user.id).await?;
    library
        .artist_tracks_json(artisthash, &view)
        .map(crate::json_response)
        .ok_or_else(artist_not_found)
}

fn default_artist_limit() -> i64 {
    6
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SimilarArtistsQuery {
    /// How many artists (default 6).
    #[serde(default = "default_artist_limit")]
    artistlimit: i64,
}

#[utoipa::path(get, path = "/artist/{artisthash}/similar", tag = "library",
    params(("artisthash" = String, Path, description = "The artist's hash: 16 hexadecimal characters"), SimilarArtistsQuery),
    responses(
        (status = 200, description = "Artist cards of similar artists in the library (empty for an unknown artist)", body = [Object]),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "Not a hash, or a malformed parameter", body = [ValidationIssue]),
    ))]
async fn similar_artists(
    State(app): State<AppState>,
    _user: AuthUser,
    HashParam(artisthash): HashParam,
    ApiQuery(query): ApiQuery<SimilarArtistsQuery>,
) -> Json<Vec<ArtistCardJson>> {
    Json(app.library().artist_similar(artisthash, query.artistlimit))
}

fn default_get_all_limit() -> i64 {
    6
}

fn default_sortby() -> String {
    "created_date".to_string()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct GetAllQuery {
    /// The first item (default 0).
    #[serde(default)]
    start: usize,
    /// Items per page (default 6); negative means all.
    #[serde(default = "default_get_all_limit")]
    limit: i64,
    /// The sort key, e.g. `created_date` (the default), `title`, `playcount`.
    #[serde(default = "default_sortby")]
    sortby: String,
    /// `1` (or `true`) sorts descending; anything else ascending.
    #[serde(default, deserialize_with = "descending_flag")]
    #[param(value_type = Option<String>)]
    reverse: bool,
}

/// Swing compares `reverse` with the string "1" (Android sends the number 1, the web client the
/// string): "1" means descending, anything else ascending. "true" is read as descending too.
fn descending_flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let text = String::deserialize(deserializer)?;
    let text = text.trim();
    Ok(text == "1" || text.eq_ignore_ascii_case("true"))
}

#[utoipa::path(get, path = "/getall/{itemtype}", tag = "library",
    params(("itemtype" = String, Path, description = "`albums` or `artists`"), GetAllQuery),
    responses(
        (status = 200, description = "`{items, total}`: one page of album or artist cards, each with a `help_text` for the sort key", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "An item type other than albums or artists", body = ErrorText),
        (status = 422, description = "An unknown sort key or a malformed parameter", body = [ValidationIssue]),
    ))]
async fn get_all(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(itemtype): UrlPath<String>,
    ApiQuery(query): ApiQuery<GetAllQuery>,
) -> ApiResult<Json<GetAllResponse>> {
    let kind: GetAllKind = itemtype.parse().map_err(|error: GetAllError| {
        ApiError::error(StatusCode::NOT_FOUND, capitalised(&error.to_string()))
    })?;
    let request = GetAllRequest {
        kind,
        start: query.start,
        limit: query.limit,
        sortby: query.sortby,
        reverse: query.reverse,
        article_aware_sorting: app.article_aware_sorting(),
    };
    let (library, view) = app.library_for(user.id).await?;
    library
        .get_all(&request, &view)
        .map(Json)
        .map_err(|error| match error {
            GetAllError::UnknownSortKey(_) => {
                ApiError::validation(&["query", "sortby"], capitalised(&error.to_string()))
            }
            GetAllError::UnknownKind(_) => {
                ApiError::error(StatusCode::NOT_FOUND, capitalised(&error.to_string()))
            }
        })
}

/// Error texts from the layers below start in lower case; answers read as sentences.
pub(crate) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
