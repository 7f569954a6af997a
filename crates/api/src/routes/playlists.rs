//! Playlist routes (reference §3.7) and, beyond Swing, M3U/M3U8 export and import. Every playlist
//! is the caller's own: another user's id answers 404. Each stored playlist carries its version as
//! `extra.version`, and `GET /playlists/<id>` (and every edit) sends it as the `ETag`.

use axum::body::Bytes;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Path as UrlPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use swingfly_services::playlists::{
    self, ItemType, PlaylistError, PlaylistId, PlaylistUpdate, SortOptions,
};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth_extract::AuthUser;
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::{lenient_bool, ApiJson, ApiQuery};
use crate::openapi::ErrorText;
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/playlists", get(list_playlists))
        .route("/playlists/new", post(create_playlist))
        .route("/playlists/save-item", post(save_item))
        .route("/playlists/import", post(import_m3u))
        .route("/playlists/{id}", get(get_playlist))
        .route("/playlists/{id}/add", post(add_to_playlist))
        .route("/playlists/{id}/remove-tracks", post(remove_tracks))
        .route("/playlists/{id}/update", put(update_playlist))
        .route("/playlists/{id}/pin_unpin", post(pin_unpin))
        .route("/playlists/{id}/remove-img", delete(remove_image))
        .route("/playlists/{id}/delete", delete(delete_playlist))
        .route("/playlists/{id}/export.m3u8", get(export_m3u))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_playlists,
        create_playlist,
        save_item,
        import_m3u,
        get_playlist,
        add_to_playlist,
        remove_tracks,
        update_playlist,
        pin_unpin,
        remove_image,
        delete_playlist,
        export_m3u
    ),
    components(schemas(NewBody, AddBody, SortBody, RemoveBody, RemoveEntry, SaveItemBody, UpdateForm)),
    tags((name = "playlists", description = "The caller's playlists, their images, and M3U export and import"))
)]
struct PlaylistsDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    PlaylistsDoc::openapi()
}

/// The playlist errors in Swing's shapes.
fn playlist_error(error: PlaylistError) -> ApiError {
    let text = error.to_string();
    match error {
        PlaylistError::NotFound => ApiError::msg(StatusCode::NOT_FOUND, text),
        PlaylistError::NameTaken => ApiError::error(StatusCode::CONFLICT, text),
        PlaylistError::TrackExists => ApiError::msg(StatusCode::CONFLICT, text),
        PlaylistError::NoTracksFound => ApiError::error(StatusCode::NOT_FOUND, text),
        PlaylistError::ItemNotFound(_) => ApiError::msg(StatusCode::NOT_FOUND, text),
        PlaylistError::Invalid(_) | PlaylistError::NothingResolved(_) => {
            ApiError::msg(StatusCode::BAD_REQUEST, text)
        }
        PlaylistError::UnsupportedImage => ApiError::msg(StatusCode::UNSUPPORTED_MEDIA_TYPE, text),
        PlaylistError::ImageTooLarge => ApiError::msg(StatusCode::PAYLOAD_TOO_LARGE, text),
        PlaylistError::Internal(inner) => ApiError::internal(inner),
    }
}

fn not_found() -> ApiError {
    playlist_error(PlaylistError::NotFound)
}

/// A stored playlist's id from the path (Swing's `<int:id>`: anything else is a 404).
fn stored_id(text: &str) -> ApiResult<i64> {
    match PlaylistId::parse(text) {
        Some(PlaylistId::Stored(id)) => Ok(id),
        _ => Err(not_found()),
    }
}

/// The playlist version as a strong ETag: `"<version>"`.
fn etag(version: i64) -> [(header::HeaderName, HeaderValue); 1] {
    let value = HeaderValue::from_str(&format!("\"{version}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    [(header::ETAG, value)]
}

fn done(version: i64) -> Response {
    (etag(version), Json(json!({"msg": "Done"}))).into_response()
}

const NOT_FOUND_DOC: &str = "Playlist not found (or not the caller's): `{msg}`";

#[utoipa::path(get, path = "/playlists", tag = "playlists",
    summary = "The caller's playlists, most recently changed first.",
    params(("no_images" = Option<bool>, Query, description = "Ignored (Swing accepts it)")),
    responses(
        (status = 200, description = "`{data: [Playlist]}` with `trackhashes` emptied; playlists without their own image get `images` = the first 4 album images `[{image, color}]`", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
    ))]
async fn list_playlists(State(app): State<AppState>, user: AuthUser) -> ApiResult<Json<Value>> {
    let data = playlists::list(&app, user.id)
        .await
        .map_err(playlist_error)?;
    Ok(Json(json!({ "data": data })))
}

#[derive(Debug, Deserialize, ToSchema)]
struct NewBody {
    /// Unique among the caller's playlists.
    name: String,
}

#[utoipa::path(post, path = "/playlists/new", tag = "playlists", request_body = NewBody,
    responses(
        (status = 201, description = "`{playlist: Playlist}`", body = Object),
        (status = 400, description = "An empty name", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 409, description = "`{error: \"Playlist already exists\"}`", body = ErrorText),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn create_playlist(
    State(app): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<NewBody>,
) -> ApiResult<Response> {
    let playlist = playlists::create(&app, user.id, &body.name)
        .await
        .map_err(playlist_error)?;
    let version = playlist.extra["version"].as_i64().unwrap_or(1);
    Ok((
        StatusCode::CREATED,
        etag(version),
        Json(json!({ "playlist": playlist })),
    )
        .into_response())
}

fn default_limit() -> i64 {
    6
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// First track to send.
    #[serde(default)]
    start: usize,
    /// How many tracks (default 6; -1 for all).
    #[serde(default = "default_limit")]
    limit: i64,
    /// Send `info` only.
    #[serde(default, deserialize_with = "lenient_bool")]
    #[param(value_type = Option<bool>)]
    no_tracks: bool,
}

#[utoipa::path(get, path = "/playlists/{id}", tag = "playlists",
    summary = "A playlist and a page of its tracks.",
    params(
        ("id" = String, Path, description = "A playlist id, or `recentlyadded` / `recentlyplayed` (computed, 100 tracks, sent whole on the first page: `start > 0` gives `{tracks: []}`)"),
        PageQuery
    ),
    responses(
        (status = 200, description = "`{info: Playlist, tracks: [Track]}`; a stored playlist's version is the `ETag` header and `info.extra.version`", body = Object,
            headers(("ETag" = String, description = "`\"<version>\"` of a stored playlist"))),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = NOT_FOUND_DOC, body = Message),
        (status = 422, description = "A malformed query parameter", body = [ValidationIssue]),
    ))]
async fn get_playlist(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(id): UrlPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Response> {
    let id = PlaylistId::parse(&id).ok_or_else(not_found)?;
    let page = playlists::page(&app, user.id, id, query.start, query.limit, query.no_tracks)
        .await
        .map_err(playlist_error)?;
    Ok(match page.version {
        Some(version) => (etag(version), Json(page)).into_response(),
        None => Json(page).into_response(),
    })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
struct SortBody {
    /// A track sort key: title, album, artists, albumartists, duration, date, bitrate, last_mod,
    /// filepath, disc, playcount, playduration, lastplayed; anything else keeps the item's order.
    #[serde(default)]
    tracksortby: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    tracksortreverse: bool,
}

fn sort_options(body: Option<SortBody>) -> SortOptions {
    let body = body.unwrap_or_default();
    SortOptions {
        tracksortby: body.tracksortby,
        tracksortreverse: body.tracksortreverse,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
struct AddBody {
    /// `tracks`, `folder`, `album` or `artist`.
    itemtype: String,
    /// Comma-joined trackhashes for `tracks`; a folder path for `folder`; else the album or
    /// artist hash.
    itemhash: String,
    /// How album and artist tracks are ordered.
    #[serde(default)]
    sortoptions: Option<SortBody>,
}

#[utoipa::path(post, path = "/playlists/{id}/add", tag = "playlists", request_body = AddBody,
    summary = "Appends an item's tracks that are not in the playlist yet, keeping their order.",
    params(("id" = i64, Path, description = "The playlist id")),
    responses(
        (status = 200, description = "`{msg: \"Done\"}`; the new version is the `ETag`", body = Message),
        (status = 400, description = "Unknown itemtype, malformed or unknown trackhash", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "The playlist, album, artist or folder does not exist", body = Message),
        (status = 409, description = "`{msg: \"Track already exists in playlist\"}` (a single track)", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn add_to_playlist(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(id): UrlPath<String>,
    ApiJson(body): ApiJson<AddBody>,
) -> ApiResult<Response> {
    let id = stored_id(&id)?;
    let item = ItemType::parse(&body.itemtype).map_err(playlist_error)?;
    let sort = sort_options(body.sortoptions);
    let version = playlists::add(&app, user.id, id, item, &body.itemhash, &sort)
        .await
        .map_err(playlist_error)?;
    Ok(done(version))
}

#[derive(Debug, Deserialize, ToSchema)]
struct RemoveEntry {
    trackhash: String,
    /// Where the track is in the playlist: it is removed only if its first occurrence is here.
    index: usize,
}

#[derive(Debug, Deserialize, ToSchema)]
struct RemoveBody {
    tracks: Vec<RemoveEntry>,
}

#[utoipa::path(post, path = "/playlists/{id}/remove-tracks", tag = "playlists", request_body = RemoveBody,
    summary = "Removes tracks by position: an entry goes only if its trackhash first occurs at `index`.",
    params(("id" = i64, Path, description = "The playlist id")),
    responses(
        (status = 200, description = "`{msg: \"Done\"}`; the new version is the `ETag`", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = NOT_FOUND_DOC, body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn remove_tracks(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(id): UrlPath<String>,
    ApiJson(body): ApiJson<RemoveBody>,
) -> ApiResult<Response> {
    let id = stored_id(&id)?;
    let entries: Vec<(String, usize)> = body
        .tracks
        .into_iter()
        .map(|entry| (entry.trackhash, entry.index))
        .collect();
    let version = playlists::remove_tracks(&app, user.id, id, &entries)
        .await
        .map_err(playlist_error)?;
    Ok(done(version))
}

/// The multipart form of `/playlists/<id>/update` (every part optional here).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the form; the handler reads the parts one by one
struct UpdateForm {
    /// The new name.
    name: Option<String>,
    /// A JSON object merged over the settings: `{banner_pos, square_img, pinned}`.
    settings: Option<String>,
    /// The image (PNG, JPEG, WebP, GIF or BMP, at most 5 MB). Saved as WebP plus a 250 px high
    /// `thumb_`; a GIF stays a GIF and sets `settings.has_gif`.
    #[schema(value_type = Option<String>, format = Binary)]
    image: Option<Vec<u8>>,
}

#[utoipa::path(put, path = "/playlists/{id}/update", tag = "playlists",
    summary = "Renames a playlist, changes its settings or sets its image.",
    params(("id" = i64, Path, description = "The playlist id")),
    request_body(content = UpdateForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "`{data: Playlist}` with `last_updated` as \"x ago\"", body = Object),
        (status = 400, description = "Not a multipart form, an empty name, settings that are not a JSON object, or an image that cannot be decoded", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = NOT_FOUND_DOC, body = Message),
        (status = 409, description = "Another playlist of the caller has that name", body = ErrorText),
        (status = 413, description = "The image is larger than 5 MB", body = Message),
        (status = 415, description = "The image is not a PNG, JPEG, WebP, GIF or BMP", body = Message),
    ))]
async fn update_playlist(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(id): UrlPath<String>,
    request: Request,
) -> ApiResult<Json<Value>> {
    let id = stored_id(&id)?;
    let mut form = multipart(request, &app).await?;
    let mut update = PlaylistUpdate::default();
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "name" => update.name = Some(field.text().await.map_err(multipart_error)?),
            "settings" => {
                let text = field.text().await.map_err(multipart_error)?;
                if !text.trim().is_empty() && text.trim() != "null" {
                    let settings = serde_json::from_str(&text).map_err(|error| {
                        ApiError::msg(
                            StatusCode::BAD_REQUEST,
                            format!("settings is not valid JSON: {error}"),
                        )
                    })?;
                    update.settings = Some(settings);
                }
            }
            "image" => update.image = image_part(field).await?,
            _ => {}
        }
    }
    let playlist = playlists::update(&app, user.id, id, update)
        .await
        .map_err(playlist_error)?;
    Ok(Json(json!({ "data": playlist })))
}

async fn multipart(request: Request, app: &AppState) -> ApiResult<Multipart> {
    Multipart::from_request(request, app).await.map_err(|_| {
        ApiError::msg(
            StatusCode::BAD_REQUEST,
            "Expected a multipart/form-data body",
        )
    })
}

fn multipart_error(error: MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        playlist_error(PlaylistError::ImageTooLarge)
    } else {
        ApiError::msg(
            StatusCode::BAD_REQUEST,
            format!("Malformed multipart body: {}", error.body_text()),
        )
    }
}

/// The bytes of the `image` part, read with the size limit; `None` when the client sent no file
/// (web clients send the text "null" or an empty part when the image did not change).
async fn image_part(mut field: Field<'_>) -> ApiResult<Option<Vec<u8>>> {
    let is_file = field.file_name().is_some_and(|name| !name.is_empty());
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > playlists::images::MAX_IMAGE_BYTES {
            return Err(playlist_error(PlaylistError::ImageTooLarge));
        }
        bytes.extend_from_slice(&chunk);
    }
    let placeholder = !is_file && matches!(bytes.as_slice(), b"" | b"null" | b"undefined");
    Ok((!placeholder && !bytes.is_empty()).then_some(bytes))
}

#[utoipa::path(post, path = "/playlists/{id}/pin_unpin", tag = "playlists",
    summary = "Toggles `settings.pinned`.",
    params(("id" = i64, Path, description = "The playlist id")),
    responses(
        (status = 200, description = "`{msg: \"Done\"}`; the new version is the `ETag`", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = NOT_FOUND_DOC, body = Message),
    ))]
async fn pin_unpin(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Response> {
    let id = stored_id(&id)?;
    let version = playlists::pin_unpin(&app, user.id, id)
        .await
        .map_err(playlist_error)?;
    Ok(done(version))
}

#[utoipa::path(delete, path = "/playlists/{id}/remove-img", tag = "playlists",
    summary = "Removes the playlist's image (and its files).",
    params(("id" = i64, Path, description = "The playlist id")),
    responses(
        (status = 200, description = "`{playlist: Playlist}`", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = NOT_FOUND_DOC, body = Message),
    ))]
async fn remove_image(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Json<Value>> {
    let id = stored_id(&id)?;
    let playlist = playlists::remove_image(&app, user.id, id)
        .await
        .map_err(playlist_error)?;
    Ok(Json(json!({ "playlist": playlist })))
}

#[utoipa::path(delete, path = "/playlists/{id}/delete", tag = "playlists",
    summary = "Deletes a playlist and its image files.",
    params(("id" = i64, Path, description = "The playlist id")),
    responses(
        (status = 200, description = "`{msg: \"Done\"}`", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = NOT_FOUND_DOC, body = Message),
    ))]
async fn delete_playlist(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Json<Value>> {
    let id = stored_id(&id)?;
    playlists::delete(&app, user.id, id)
        .await
        .map_err(playlist_error)?;
    Ok(Json(json!({"msg": "Done"})))
}

#[derive(Debug, Deserialize, ToSchema)]
struct SaveItemBody {
    /// `tracks`, `folder`, `album` or `artist`.
    itemtype: String,
    playlist_name: String,
    /// As in `/playlists/<id>/add`.
    itemhash: String,
    #[serde(default)]
    sortoptions: Option<SortBody>,
}

#[utoipa::path(post, path = "/playlists/save-item", tag = "playlists", request_body = SaveItemBody,
    summary = "A new playlist holding an item's tracks; an album cover or artist picture becomes its image.",
    responses(
        (status = 201, description = "`{playlist: Playlist}` (here `images` is a list of image names)", body = Object),
        (status = 400, description = "Unknown itemtype, malformed trackhash or empty name", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "`{error: \"No tracks founds\"}`", body = ErrorText),
        (status = 409, description = "`{error: \"Playlist already exists\"}`", body = ErrorText),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn save_item(
    State(app): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<SaveItemBody>,
) -> ApiResult<Response> {
    let item = ItemType::parse(&body.itemtype).map_err(playlist_error)?;
    let sort = sort_options(body.sortoptions);
    let playlist = playlists::save_item(
        &app,
        user.id,
        item,
        &body.playlist_name,
        &body.itemhash,
        &sort,
    )
    .await
    .map_err(playlist_error)?;
    Ok((StatusCode::CREATED, Json(json!({ "playlist": playlist }))).into_response())
}

#[utoipa::path(get, path = "/playlists/{id}/export.m3u8", tag = "playlists",
    summary = "The playlist as an extended M3U (UTF-8): `#EXTINF:<seconds>,<artists> - <title>` and the file's absolute path per track.",
    params(("id" = i64, Path, description = "The playlist id")),
    responses(
        (status = 200, description = "The M3U8 text, as an attachment named after the playlist", content_type = "audio/x-mpegurl", body = String,
            headers(("ETag" = String, description = "`\"<version>\"` of the playlist"))),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = NOT_FOUND_DOC, body = Message),
    ))]
async fn export_m3u(
    State(app): State<AppState>,
    user: AuthUser,
    UrlPath(id): UrlPath<String>,
) -> ApiResult<Response> {
    let id = stored_id(&id)?;
    let export = playlists::export_m3u(&app, user.id, id)
        .await
        .map_err(playlist_error)?;
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("audio/x-mpegurl; charset=utf-8"),
        )],
        etag(export.version),
        export.text,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&attachment(&export.name)) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `attachment; filename="<ascii>.m3u8"; filename*=UTF-8''<percent-encoded>.m3u8`.
fn attachment(name: &str) -> String {
    let ascii: String = deunicode::deunicode(name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " -_.()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let ascii = if ascii.trim().is_empty() {
        "playlist".to_string()
    } else {
        ascii
    };
    let encoded: String = format!("{name}.m3u8")
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}.m3u8\"; filename*=UTF-8''{encoded}")
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportQuery {
    /// The new playlist's name (default: the file's `#PLAYLIST:` line, else the uploaded file's
    /// name, else "Imported playlist").
    name: Option<String>,
}

#[utoipa::path(post, path = "/playlists/import", tag = "playlists",
    summary = "A new playlist from an M3U/M3U8 file.",
    description = "Send the M3U text as the body, or a multipart form with a `file` part (and an optional `name` part). Each entry is resolved to an indexed track by absolute path (or `file://` URL), then by a path relative to a root folder (or a unique tail of at least folder/file), then by the `artist - title` of its `#EXTINF` line. Lines that match nothing are reported.",
    params(ImportQuery),
    request_body(content = String, content_type = "audio/x-mpegurl", description = "M3U text (UTF-8; Latin-1 is accepted), or multipart/form-data with `file`"),
    responses(
        (status = 201, description = "`{playlist: Playlist, resolved: int, unresolved: [{line, entry, reason}]}`", body = Object),
        (status = 400, description = "No entries, or none resolved (`{msg, unresolved}`)", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 409, description = "`{error: \"Playlist already exists\"}`", body = ErrorText),
    ))]
async fn import_m3u(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<ImportQuery>,
    request: Request,
) -> ApiResult<Response> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    let mut name = query.name;
    let mut file_name = None;
    let bytes: Vec<u8> = if is_multipart {
        let mut form = multipart(request, &app).await?;
        let mut file = None;
        while let Some(field) = form.next_field().await.map_err(multipart_error)? {
            match field.name().unwrap_or_default() {
                "file" => {
                    file_name = field.file_name().map(file_stem);
                    file = Some(field.bytes().await.map_err(multipart_error)?.to_vec());
                }
                "name" if name.is_none() => {
                    name = Some(field.text().await.map_err(multipart_error)?);
                }
                _ => {}
            }
        }
        file.ok_or_else(|| ApiError::msg(StatusCode::BAD_REQUEST, "The form has no `file` part"))?
    } else {
        Bytes::from_request(request, &app)
            .await
            .map_err(|_| ApiError::msg(StatusCode::BAD_REQUEST, "Could not read the request body"))?
            .to_vec()
    };
    let text = decode_text(&bytes);
    match playlists::import_m3u(&app, user.id, &text, name.as_deref(), file_name.as_deref()).await {
        Ok(report) => Ok((StatusCode::CREATED, Json(report)).into_response()),
        Err(PlaylistError::NothingResolved(unresolved)) => Ok((
            StatusCode::BAD_REQUEST,
            Json(json!({
                "msg": "No entry of the playlist matched an indexed track",
                "unresolved": unresolved,
            })),
        )
            .into_response()),
        Err(error) => Err(playlist_error(error)),
    }
}

fn file_stem(file_name: &str) -> String {
    std::path::Path::new(file_name)
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// UTF-8, else Latin-1 (plain `.m3u` files are often in a legacy 8-bit encoding).
fn decode_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_names_are_safe() {
        assert_eq!(
            attachment("Été \"mix\""),
            "attachment; filename=\"Ete _mix_.m3u8\"; filename*=UTF-8''%C3%89t%C3%A9%20%22mix%22.m3u8"
        );
        assert_eq!(decode_text(b"caf\xe9"), "café");
    }
}
