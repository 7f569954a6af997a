//! External metadata (design use case 1): what Spotify knows of a library artist or album, read through
//! the cache tier, the SQL cache and the API. A user's request never fails because Spotify does:
//! without credentials, or while Spotify is unreachable or rate limited, the answer says
//! `available: false` with `source: "none"`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use swingfly_model::hash_hex;
use swingfly_services::metadata::spotify::SpotifyImage;
use swingfly_services::metadata::Source;
use utoipa::{OpenApi, ToSchema};

use crate::auth_extract::AuthUser;
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::HashParam;
use crate::openapi::ErrorText;
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/metadata/artist/{artisthash}", get(artist_metadata))
        .route("/metadata/album/{albumhash}", get(album_metadata))
}

#[derive(OpenApi)]
#[openapi(
    paths(artist_metadata, album_metadata),
    components(schemas(ArtistMetadataJson, AlbumMetadataJson, ImageJson)),
    tags((name = "metadata", description = "External metadata from Spotify, cached"))
)]
struct MetadataDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    MetadataDoc::openapi()
}

/// One picture on Spotify's image server.
#[derive(Debug, Serialize, ToSchema)]
struct ImageJson {
    url: String,
    width: Option<u32>,
    height: Option<u32>,
}

impl From<SpotifyImage> for ImageJson {
    fn from(image: SpotifyImage) -> Self {
        Self {
            url: image.url,
            width: image.width,
            height: image.height,
        }
    }
}

/// What Spotify knows of an artist of the library.
#[derive(Debug, Serialize, ToSchema)]
struct ArtistMetadataJson {
    artisthash: String,
    /// The library's spelling of the name.
    name: String,
    /// Whether Spotify has the artist (false also when nothing could be found out).
    available: bool,
    /// Spotify's spelling, when available.
    spotify_name: Option<String>,
    spotify_id: Option<String>,
    genres: Vec<String>,
    /// 0-100.
    popularity: Option<u32>,
    followers: Option<u64>,
    /// Largest first.
    images: Vec<ImageJson>,
    /// Which level answered: `cache` (the cache tier), `sql` (the SQL cache), `spotify` (the API,
    /// just now), or `none` (Spotify not configured, unreachable or rate limited).
    #[schema(value_type = String, example = "cache")]
    source: Source,
}

#[utoipa::path(get, path = "/metadata/artist/{artisthash}", tag = "metadata",
    summary = "An artist's Spotify metadata: genres, popularity and images.",
    params(("artisthash" = String, Path, description = "The artist's hash: 16 hexadecimal characters")),
    responses(
        (status = 200, description = "The artist's metadata; `available: false` when Spotify has no such artist or cannot be asked", body = ArtistMetadataJson),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "No such artist in the library", body = ErrorText),
        (status = 422, description = "Not a hash", body = [ValidationIssue]),
    ))]
async fn artist_metadata(
    State(app): State<AppState>,
    _user: AuthUser,
    HashParam(artisthash): HashParam,
) -> ApiResult<Json<ArtistMetadataJson>> {
    let name = app
        .library()
        .artist(artisthash)
        .map(|artist| artist.name.to_string())
        .ok_or_else(|| ApiError::error(StatusCode::NOT_FOUND, "Artist not found"))?;
    let lookup = app.metadata.artist_metadata(artisthash, &name).await;
    let mut answer = ArtistMetadataJson {
        artisthash: hash_hex(artisthash),
        name,
        available: lookup.value.is_some(),
        spotify_name: None,
        spotify_id: None,
        genres: Vec::new(),
        popularity: None,
        followers: None,
        images: Vec::new(),
        source: lookup.source,
    };
    if let Some(found) = lookup.value {
        answer.spotify_name = Some(found.name);
        answer.spotify_id = Some(found.spotify_id);
        answer.genres = found.genres;
        answer.popularity = found.popularity;
        answer.followers = found.followers;
        answer.images = found.images.into_iter().map(ImageJson::from).collect();
    }
    Ok(Json(answer))
}

/// What Spotify knows of an album of the library.
#[derive(Debug, Serialize, ToSchema)]
struct AlbumMetadataJson {
    albumhash: String,
    /// The library's album title (the album tag).
    title: String,
    /// The library's first album artist.
    albumartist: String,
    /// Whether Spotify has the album (false also when nothing could be found out).
    available: bool,
    spotify_id: Option<String>,
    /// Spotify's spelling of the title, and its artists.
    spotify_title: Option<String>,
    artists: Vec<String>,
    album_type: Option<String>,
    label: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, as `release_date_precision` says.
    release_date: Option<String>,
    release_date_precision: Option<String>,
    total_tracks: Option<u32>,
    genres: Vec<String>,
    /// 0-100.
    popularity: Option<u32>,
    /// Largest first.
    images: Vec<ImageJson>,
    /// Which level answered: `cache`, `sql`, `spotify` or `none` (see the artist route).
    #[schema(value_type = String, example = "sql")]
    source: Source,
}

#[utoipa::path(get, path = "/metadata/album/{albumhash}", tag = "metadata",
    summary = "An album's Spotify metadata: label, release date, genres, popularity and images.",
    params(("albumhash" = String, Path, description = "The album's hash: 16 hexadecimal characters")),
    responses(
        (status = 200, description = "The album's metadata; `available: false` when Spotify has no such album or cannot be asked", body = AlbumMetadataJson),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "No such album in the library", body = ErrorText),
        (status = 422, description = "Not a hash", body = [ValidationIssue]),
    ))]
async fn album_metadata(
    State(app): State<AppState>,
    _user: AuthUser,
    HashParam(albumhash): HashParam,
) -> ApiResult<Json<AlbumMetadataJson>> {
    let (title, albumartist) = app
        .library()
        .album(albumhash)
        .map(|album| {
            let artist = album
                .albumartists
                .first()
                .map(|artist| artist.name.to_string())
                .unwrap_or_default();
            (album.og_title.to_string(), artist)
        })
        .ok_or_else(|| ApiError::error(StatusCode::NOT_FOUND, "Album not found"))?;
    let lookup = app
        .metadata
        .album_metadata(albumhash, &title, &albumartist)
        .await;
    let mut answer = AlbumMetadataJson {
        albumhash: hash_hex(albumhash),
        title,
        albumartist,
        available: lookup.value.is_some(),
        spotify_id: None,
        spotify_title: None,
        artists: Vec::new(),
        album_type: None,
        label: None,
        release_date: None,
        release_date_precision: None,
        total_tracks: None,
        genres: Vec::new(),
        popularity: None,
        images: Vec::new(),
        source: lookup.source,
    };
    if let Some(found) = lookup.value {
        answer.spotify_id = Some(found.spotify_id);
        answer.spotify_title = Some(found.title);
        answer.artists = found.artists;
        answer.album_type = found.album_type;
        answer.label = found.label;
        answer.release_date = found.release_date;
        answer.release_date_precision = found.release_date_precision;
        answer.total_tracks = found.total_tracks;
        answer.genres = found.genres;
        answer.popularity = found.popularity;
        answer.images = found.images.into_iter().map(ImageJson::from).collect();
    }
    Ok(Json(answer))
}
