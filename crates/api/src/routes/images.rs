//! Artwork routes (reference §3.6, §5.10), all public: album thumbnails with the folder-image
//! fallback, artist images and playlist images, each with a drawn fallback when nothing exists.
//! Responses carry validators and `Cache-Control`, so clients revalidate with a cheap 304.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use image::imageops::FilterType;
use serde::Deserialize;
use serde_json::json;
use swingfly_model::parse_hash;
use utoipa::{IntoParams, IntoResponses, OpenApi};

use crate::assets::{self, DEFAULT_ALBUM_IMAGE, DEFAULT_ARTIST_IMAGE, DEFAULT_PLAYLIST_IMAGE};
use crate::extract::ApiQuery;
use crate::routes::auth::Message;
use crate::routes::stream::file::{self, ServeOptions};
use crate::AppState;

/// Real artwork: cached a day, then revalidated by ETag (thumbnails keep their URL when the
/// audio file's picture changes).
const CACHE_ARTWORK: &str = "public, max-age=86400";
/// A fallback image stands in for artwork that may appear after the next scan: always revalidate.
const CACHE_FALLBACK: &str = "public, no-cache";

/// Album thumbnail sizes a client may ask for; anything else means `large`.
const THUMBNAIL_SIZES: &[&str] = &["xsmall", "small", "medium", "large", "original"];
const DEFAULT_THUMBNAIL_SIZE: &str = "large";
/// Folder images are cached at these widths; `original` always sends the folder file itself.
const FOLDER_IMAGE_CACHE_WIDTHS: &[(&str, u32)] = &[
    ("xsmall", 64),
    ("small", 96),
    ("medium", 256),
    ("large", 512),
];
const FOLDER_IMAGE_WEBP_QUALITY: f32 = 80.0;

const ARTIST_SIZES: &[&str] = &["small", "medium", "large"];
const DEFAULT_ARTIST_SIZE: &str = "large";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/img/thumbnail/{imgpath}", get(album_thumbnail))
        .route(
            "/img/thumbnail/{size}/{imgpath}",
            get(album_thumbnail_sized),
        )
        .route("/img/artist/{imgpath}", get(artist_image))
        .route("/img/artist/{size}/{imgpath}", get(artist_image_sized))
        .route("/img/playlist/{imgpath}", get(playlist_image))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        album_thumbnail,
        album_thumbnail_sized,
        artist_image,
        artist_image_sized,
        playlist_image
    ),
    tags((name = "images", description = "Artwork (public), with drawn fallbacks"))
)]
struct ImagesDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ImagesDoc::openapi()
}

/// The answers every artwork route shares: the image or a drawn fallback, sent with validators,
/// conditional requests and byte ranges.
#[derive(IntoResponses)]
#[allow(dead_code)] // describes the answers; the handlers build them with `file::serve`
enum ImageResponses {
    #[response(
        status = 200,
        content_type = "image/*",
        description = "The image (WebP, JPEG, PNG, GIF or SVG), or a drawn fallback when there is none"
    )]
    Image,
    #[response(
        status = 206,
        content_type = "image/*",
        description = "The requested byte range"
    )]
    PartialImage,
    #[response(
        status = 304,
        description = "Not modified (If-None-Match, If-Modified-Since)"
    )]
    NotModified,
    #[response(
        status = 400,
        description = "Invalid image path: not a single file name"
    )]
    InvalidPath(Message),
    #[response(
        status = 404,
        description = "Image not found: neither the image nor a fallback could be sent"
    )]
    NotFound(Message),
    #[response(
        status = 412,
        description = "Precondition failed (If-Match, If-Unmodified-Since)"
    )]
    PreconditionFailed,
    #[response(status = 416, description = "Range not satisfiable")]
    RangeNotSatisfiable,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ThumbnailQuery {
    /// The hash of the track's folder: without a thumbnail, that folder's image is sent.
    pathhash: Option<String>,
}

#[utoipa::path(get, path = "/img/thumbnail/{imgpath}", tag = "images",
    summary = "An album thumbnail at the `large` size.",
    params(("imgpath" = String, Path, description = "The image file name, e.g. `<albumhash>.webp`"), ThumbnailQuery),
    responses(ImageResponses))]
async fn album_thumbnail(
    State(app): State<AppState>,
    UrlPath(imgpath): UrlPath<String>,
    ApiQuery(query): ApiQuery<ThumbnailQuery>,
    headers: HeaderMap,
) -> Response {
    thumbnail(
        &app,
        DEFAULT_THUMBNAIL_SIZE,
        &imgpath,
        query.pathhash.as_deref(),
        &headers,
    )
    .await
}

#[utoipa::path(get, path = "/img/thumbnail/{size}/{imgpath}", tag = "images",
    summary = "An album thumbnail at a size.",
    params(
        ("size" = String, Path, description = "`xsmall`, `small`, `medium`, `large` or `original`; anything else means `large`"),
        ("imgpath" = String, Path, description = "The image file name, e.g. `<albumhash>.webp`"),
        ThumbnailQuery
    ),
    responses(ImageResponses))]
async fn album_thumbnail_sized(
    State(app): State<AppState>,
    UrlPath((size, imgpath)): UrlPath<(String, String)>,
    ApiQuery(query): ApiQuery<ThumbnailQuery>,
    headers: HeaderMap,
) -> Response {
    let size = known_size(&size, THUMBNAIL_SIZES, DEFAULT_THUMBNAIL_SIZE);
    thumbnail(&app, size, &imgpath, query.pathhash.as_deref(), &headers).await
}

async fn thumbnail(
    app: &AppState,
    size: &str,
    imgpath: &str,
    pathhash: Option<&str>,
    headers: &HeaderMap,
) -> Response {
    if !is_safe_file_name(imgpath) {
        return invalid_image_path();
    }
    let thumbnail = app.paths.thumbnails.join(size).join(imgpath);
    if let Some(response) = serve_if_present(&thumbnail, headers, CACHE_ARTWORK).await {
        return response;
    }
    if let Some(pathhash) = pathhash.and_then(parse_hash) {
        if let Some(response) = folder_image_fallback(app, size, pathhash, headers).await {
            return response;
        }
    }
    serve_fallback(app, DEFAULT_ALBUM_IMAGE, headers).await
}

/// §5.10 request-time fallback: the cached resized copy of the folder's image if there is one,
/// else the folder image itself (resized copies are then made in the background).
async fn folder_image_fallback(
    app: &AppState,
    size: &str,
    pathhash: swingfly_model::Hash,
    headers: &HeaderMap,
) -> Option<Response> {
    let cache_dir = folder_image_cache_dir(&app.paths.thumbnails);
    let cache_name = format!("{pathhash:016x}.webp");
    if size != "original" {
        let cached = cache_dir.join(size).join(&cache_name);
        if let Some(response) = serve_if_present(&cached, headers, CACHE_ARTWORK).await {
            return Some(response);
        }
    }
    let folder = PathBuf::from(app.library().folder_for_pathhash(pathhash)?);
    let image = tokio::task::spawn_blocking(move || swingfly_scan::artwork::folder_image(&folder))
        .await
        .ok()
        .flatten()?;
    cache_folder_image_in_background(image.clone(), cache_dir, cache_name);
    serve_if_present(&image, headers, CACHE_ARTWORK).await
}

/// Where resized folder images are kept: `images/cache/<size>/<pathhash>.webp`, beside the
/// thumbnails folder.
fn folder_image_cache_dir(thumbnails: &Path) -> PathBuf {
    thumbnails
        .parent()
        .map(|images| images.join("cache"))
        .unwrap_or_else(|| thumbnails.join("cache"))
}

/// Folder images being resized right now, so a page of requests for one folder resizes it once.
static RESIZING: LazyLock<Mutex<HashSet<PathBuf>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

fn cache_folder_image_in_background(image: PathBuf, cache_dir: PathBuf, cache_name: String) {
    let marker = cache_dir.join(&cache_name);
    {
        let mut resizing = RESIZING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !resizing.insert(marker.clone()) {
            return;
        }
    }
    tokio::task::spawn_blocking(move || {
        if let Err(error) = write_resized_copies(&image, &cache_dir, &cache_name) {
            tracing::warn!(image = %image.display(), %error, "cannot cache the folder image");
        }
        RESIZING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&marker);
    });
}

fn write_resized_copies(image: &Path, cache_dir: &Path, cache_name: &str) -> anyhow::Result<()> {
    let decoded = image::ImageReader::open(image)?
        .with_guessed_format()?
        .decode()?
        .to_rgb8();
    let (width, height) = decoded.dimensions();
    for (size, target_width) in FOLDER_IMAGE_CACHE_WIDTHS {
        // Never upscale; keep the aspect ratio.
        let resized = if width <= *target_width {
            decoded.clone()
        } else {
            let target_height =
                ((u64::from(height) * u64::from(*target_width)) / u64::from(width)).max(1) as u32;
            image::imageops::resize(&decoded, *target_width, target_height, FilterType::Lanczos3)
        };
        let (w, h) = resized.dimensions();
        let encoded = webp::Encoder::from_rgb(resized.as_raw(), w, h)
            .encode_simple(false, FOLDER_IMAGE_WEBP_QUALITY)
            .map_err(|err| anyhow::anyhow!("webp encoding failed: {err:?}"))?;
        let dir = cache_dir.join(size);
        std::fs::create_dir_all(&dir)?;
        let target = dir.join(cache_name);
        let partial = dir.join(format!(".{cache_name}.{}.partial", std::process::id()));
        std::fs::write(&partial, &*encoded)?;
        std::fs::rename(&partial, &target)?;
    }
    Ok(())
}

#[utoipa::path(get, path = "/img/artist/{imgpath}", tag = "images",
    summary = "An artist image at the `large` size.",
    params(("imgpath" = String, Path, description = "The image file name, e.g. `<artisthash>.webp`")),
    responses(ImageResponses))]
async fn artist_image(
    State(app): State<AppState>,
    UrlPath(imgpath): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    artist(&app, DEFAULT_ARTIST_SIZE, &imgpath, &headers).await
}

#[utoipa::path(get, path = "/img/artist/{size}/{imgpath}", tag = "images",
    summary = "An artist image at a size.",
    params(
        ("size" = String, Path, description = "`small`, `medium` or `large`; anything else means `large`"),
        ("imgpath" = String, Path, description = "The image file name, e.g. `<artisthash>.webp`")
    ),
    responses(ImageResponses))]
async fn artist_image_sized(
    State(app): State<AppState>,
    UrlPath((size, imgpath)): UrlPath<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let size = known_size(&size, ARTIST_SIZES, DEFAULT_ARTIST_SIZE);
    artist(&app, size, &imgpath, &headers).await
}

async fn artist(app: &AppState, size: &str, imgpath: &str, headers: &HeaderMap) -> Response {
    if !is_safe_file_name(imgpath) {
        return invalid_image_path();
    }
    let path = app.paths.artist_images.join(size).join(imgpath);
    match serve_if_present(&path, headers, CACHE_ARTWORK).await {
        Some(response) => response,
        None => serve_fallback(app, DEFAULT_ARTIST_IMAGE, headers).await,
    }
}

#[utoipa::path(get, path = "/img/playlist/{imgpath}", tag = "images",
    summary = "A playlist image.",
    params(("imgpath" = String, Path, description = "The image file name")),
    responses(ImageResponses))]
async fn playlist_image(
    State(app): State<AppState>,
    UrlPath(imgpath): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    if !is_safe_file_name(&imgpath) {
        return invalid_image_path();
    }
    let path = app.paths.playlist_images.join(&imgpath);
    match serve_if_present(&path, &headers, CACHE_ARTWORK).await {
        Some(response) => response,
        None => serve_fallback(&app, DEFAULT_PLAYLIST_IMAGE, &headers).await,
    }
}

fn known_size<'a>(size: &str, known: &[&'a str], default: &'a str) -> &'a str {
    known
        .iter()
        .copied()
        .find(|name| *name == size)
        .unwrap_or(default)
}

/// An image name is a single file name: no separators, no parent references, nothing hidden.
fn is_safe_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.contains(['/', '\\', '\0'])
        && !name.contains("..")
        && !name.starts_with('.')
}

fn invalid_image_path() -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"msg": "Invalid image path"})),
    )
        .into_response()
}

async fn serve_if_present(
    path: &Path,
    headers: &HeaderMap,
    cache_control: &'static str,
) -> Option<Response> {
    let options = ServeOptions {
        content_type: image_content_type(path).to_string(),
        disposition: None,
        cache_control: Some(cache_control),
    };
    let mut response = file::serve(path, headers, &options).await.ok()?;
    // An SVG is active content: never let a browser sniff anything else into one.
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Some(response)
}

/// Sends one of the drawn fallback images, drawing them first if the assets folder lost them.
async fn serve_fallback(app: &AppState, name: &str, headers: &HeaderMap) -> Response {
    let path = app.paths.assets.join(name);
    if let Some(response) = serve_if_present(&path, headers, CACHE_FALLBACK).await {
        return response;
    }
    let dir = app.paths.assets.clone();
    match tokio::task::spawn_blocking(move || assets::ensure_assets(&dir)).await {
        Ok(Ok(())) => {}
        outcome => tracing::warn!(?outcome, "cannot create the fallback images"),
    }
    match serve_if_present(&path, headers, CACHE_FALLBACK).await {
        Some(response) => response,
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"msg": "Image not found"})),
        )
            .into_response(),
    }
}

fn image_content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|ext| ext.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "webp" => "image/webp",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_are_single_files() {
        assert!(is_safe_file_name("0123456789abcdef.webp"));
        assert!(is_safe_file_name("thumb_12.webp"));
        for bad in [
            "",
            "../x.webp",
            "a/b.webp",
            "a\\b.webp",
            "..",
            ".hidden.webp",
            "x..webp",
        ] {
            assert!(!is_safe_file_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn unknown_sizes_fall_back() {
        assert_eq!(
            known_size("xsmall", THUMBNAIL_SIZES, DEFAULT_THUMBNAIL_SIZE),
            "xsmall"
        );
        assert_eq!(
            known_size("huge", THUMBNAIL_SIZES, DEFAULT_THUMBNAIL_SIZE),
            "large"
        );
        assert_eq!(
            known_size("xsmall", ARTIST_SIZES, DEFAULT_ARTIST_SIZE),
            "large"
        );
    }
}
