//! Folder routes (reference §3.3, §5.6): the folder view over the index, every track below a
//! folder, and the admin's directory picker used to choose root folders.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use swingfly_library::wire::TrackJson;
use swingfly_library::{FolderError, FolderRequest};
use swingfly_model::paths::{lexical_normal, HOME_ROOT};
use swingfly_model::text::natural_cmp;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth_extract::{AdminUser, AuthUser};
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::{ApiJson, ApiQuery};
use crate::openapi::ErrorText;
use crate::routes::auth::Message;
use crate::routes::library::capitalised;
use crate::AppState;

/// Swing's special folder values for the directory picker.
const MOUNT_POINTS: &str = "$root";
const PARENT_ENTRY: &str = "↑";
const SELF_ENTRY: &str = ". (this folder)";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/folder", post(folder))
        .route("/folder/dir-browser", post(dir_browser))
        .route("/folder/tracks/all", get(folder_tracks_all))
}

#[derive(OpenApi)]
#[openapi(
    paths(folder, dir_browser, folder_tracks_all),
    components(schemas(DirBrowserBody, DirListing, DirEntry, TracksAll)),
    tags((name = "folder", description = "The folder view and the directory picker"))
)]
struct FolderDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    FolderDoc::openapi()
}

/// The 403 answer of `POST /folder`: Swing sends empty lists with the error.
#[derive(Debug, Serialize, ToSchema)]
struct FolderForbidden {
    error: &'static str,
    /// Always empty.
    #[schema(value_type = Vec<Object>)]
    folders: Vec<()>,
    /// Always empty.
    #[schema(value_type = Vec<Object>)]
    tracks: Vec<()>,
}

// The library crate's `FolderRequest` has no schema of its own, so the body is described here.
#[utoipa::path(post, path = "/folder", tag = "folder",
    request_body(content = Object, description = "`{folder, start, limit, tracks_only, sorttracksby, \
        tracksort_reverse, sortfoldersby, foldersort_reverse}`, all optional. `folder` is a path, or \
        `$home` (the default) for the root folders; `limit` (default 50) counts tracks, negative \
        means all; `sorttracksby` defaults to `default`, `sortfoldersby` to `lastmod`."),
    responses(
        (status = 200, description = "`{path, folders, tracks, total}`: the subfolders and one page of the folder's tracks", body = Object),
        (status = 400, description = "Invalid directory", body = ErrorText),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Path not within the root folders", body = FolderForbidden),
        (status = 404, description = "No root folders are set, or a folder that is not served here (favourites, playlists)", body = ErrorText),
        (status = 422, description = "An unknown sort key or a malformed field", body = [ValidationIssue]),
    ))]
async fn folder(
    State(app): State<AppState>,
    user: AuthUser,
    ApiJson(mut request): ApiJson<FolderRequest>,
) -> ApiResult<Response> {
    request.article_aware_sorting = app.article_aware_sorting();
    let root_dirs = app.root_dirs().await?;
    let home_dir = app.config.home_dir.to_string_lossy().into_owned();
    let (library, view) = app.library_for(user.id).await?;
    // Runs on the request's task: the library remembers what the disk said about a folder and
    // checks it with one stat, so only a folder's first listing (or one changed on disk) reads
    // its entries. The blocking pool's hand-off cost more than the listing under 32 clients.
    let listing = library.folder_json(&request, &root_dirs, &home_dir, &view);
    Ok(match listing {
        Ok(body) => crate::json_response(body),
        Err(FolderError::Forbidden) => (
            StatusCode::FORBIDDEN,
            Json(FolderForbidden {
                error: "Path not within allowed directories",
                folders: Vec::new(),
                tracks: Vec::new(),
            }),
        )
            .into_response(),
        Err(FolderError::Invalid) => {
            ApiError::error(StatusCode::BAD_REQUEST, "Invalid directory").into_response()
        }
        Err(error @ FolderError::NoRoots) => {
            ApiError::error(StatusCode::NOT_FOUND, error.to_string()).into_response()
        }
        // Favourites and playlists as folders need per-user data, which is not served here yet.
        Err(FolderError::PseudoFolder(name)) => ApiError::error(
            StatusCode::NOT_FOUND,
            format!("Folder {name} is not available"),
        )
        .into_response(),
        Err(error @ FolderError::UnknownTrackSort(_)) => {
            ApiError::validation(&["body", "sorttracksby"], capitalised(&error.to_string()))
                .into_response()
        }
        Err(error @ FolderError::UnknownFolderSort(_)) => {
            ApiError::validation(&["body", "sortfoldersby"], capitalised(&error.to_string()))
                .into_response()
        }
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TracksAllQuery {
    /// The folder.
    path: String,
}

#[derive(Debug, Serialize, ToSchema)]
struct TracksAll {
    /// Every indexed track below the folder that is still on disk.
    #[schema(value_type = Vec<Object>)]
    tracks: Vec<TrackJson>,
}

#[utoipa::path(get, path = "/folder/tracks/all", tag = "folder", params(TracksAllQuery),
    responses(
        (status = 200, description = "Every track below the folder, recursively", body = TracksAll),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "`path` is missing", body = [ValidationIssue]),
    ))]
async fn folder_tracks_all(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<TracksAllQuery>,
) -> ApiResult<Json<TracksAll>> {
    let (library, view) = app.library_for(user.id).await?;
    // Each listed file is checked on disk.
    let tracks = tokio::task::spawn_blocking(move || library.folder_tracks_all(&query.path, &view))
        .await
        .map_err(|error| ApiError::internal(error.into()))?;
    Ok(Json(TracksAll { tracks }))
}

fn default_browser_folder() -> String {
    HOME_ROOT.to_string()
}

#[derive(Debug, Deserialize, ToSchema)]
struct DirBrowserBody {
    /// An absolute path, `$home` (the default) or `$root` for the mount points.
    #[serde(default = "default_browser_folder")]
    folder: String,
}

#[derive(Debug, PartialEq, Eq, Serialize, ToSchema)]
struct DirEntry {
    name: String,
    path: String,
}

#[derive(Debug, Serialize, ToSchema)]
struct DirListing {
    folders: Vec<DirEntry>,
}

/// The server's directories, for choosing root folders (admins only).
// Admins only: it shows the whole filesystem, not just the library.
#[utoipa::path(post, path = "/folder/dir-browser", tag = "folder", request_body = DirBrowserBody,
    responses(
        (status = 200, description = "`↑` (the parent), `. (this folder)`, then the visible subdirectories in natural order; for `$root`, the mount points", body = DirListing),
        (status = 400, description = "Invalid directory (relative, missing or unreadable)", body = ErrorText),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
        (status = 422, description = "A malformed body", body = [ValidationIssue]),
    ))]
async fn dir_browser(
    State(app): State<AppState>,
    _admin: AdminUser,
    ApiJson(body): ApiJson<DirBrowserBody>,
) -> ApiResult<Json<DirListing>> {
    let home = app.config.home_dir.clone();
    let folders = tokio::task::spawn_blocking(move || browse(&body.folder, &home))
        .await
        .map_err(|error| ApiError::internal(error.into()))??;
    Ok(Json(DirListing { folders }))
}

/// `$root`: the mount points. Otherwise `↑` (the parent; `$root` above `/`), `. (this folder)`,
/// then the subdirectories in natural order without hidden (`.`) and `$` ones.
fn browse(folder: &str, home: &Path) -> ApiResult<Vec<DirEntry>> {
    let folder = folder.trim();
    if folder == MOUNT_POINTS {
        return Ok(mount_points()
            .into_iter()
            .map(|path| DirEntry {
                name: path.clone(),
                path,
            })
            .collect());
    }
    let directory = if folder == HOME_ROOT || folder.is_empty() {
        home.to_path_buf()
    } else {
        lexically_normal(Path::new(folder)).ok_or_else(invalid_directory)?
    };
    let entries = std::fs::read_dir(&directory).map_err(|_| invalid_directory())?;
    let mut subfolders: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| !name.starts_with('.') && !name.starts_with('$'))
        // Follows symlinks: a link to a directory is browsable like one.
        .filter(|name| directory.join(name).is_dir())
        .collect();
    subfolders.sort_by(|a, b| natural_cmp(a, b).then_with(|| a.cmp(b)));

    let parent = match directory.parent() {
        Some(parent) => parent.to_string_lossy().into_owned(),
        None => MOUNT_POINTS.to_string(),
    };
    let mut listing = vec![
        DirEntry {
            name: PARENT_ENTRY.to_string(),
            path: parent,
        },
        DirEntry {
            name: SELF_ENTRY.to_string(),
            path: directory.to_string_lossy().into_owned(),
        },
    ];
    listing.extend(subfolders.into_iter().map(|name| DirEntry {
        path: directory.join(&name).to_string_lossy().into_owned(),
        name,
    }));
    Ok(listing)
}

fn invalid_directory() -> ApiError {
    ApiError::error(StatusCode::BAD_REQUEST, "Invalid directory")
}

/// An absolute path with `.` and `..` resolved without touching the disk; `None` if relative.
fn lexically_normal(path: &Path) -> Option<PathBuf> {
    path.is_absolute().then(|| lexical_normal(path))
}

/// Mount points of disk-backed filesystems (what a user would pick music from), `/` first.
/// Pseudo filesystems (proc, tmpfs, overlay, ...) and read-only images (squashfs snaps) are left
/// out; without `/proc` only `/` is listed.
fn mount_points() -> Vec<String> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let filesystems = std::fs::read_to_string("/proc/filesystems").unwrap_or_default();
    let mut points = disk_mount_points(&mounts, &filesystems);
    points.retain(|point| Path::new(point).is_dir());
    if !points.iter().any(|point| point == "/") {
        points.insert(0, "/".to_string());
    }
    points
}

fn disk_mount_points(mounts: &str, filesystems: &str) -> Vec<String> {
    // /proc/filesystems marks the types without a backing device "nodev".
    let disk_types: Vec<&str> = filesystems
        .lines()
        .filter(|line| !line.starts_with("nodev"))
        .map(str::trim)
        .filter(|fs_type| !fs_type.is_empty() && *fs_type != "squashfs")
        .collect();
    let mut points: Vec<String> = mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (_device, point, fs_type) = (fields.next()?, fields.next()?, fields.next()?);
            disk_types
                .contains(&fs_type)
                .then(|| unescape_mount_path(point))
        })
        .collect();
    points.sort_by(|a, b| match (a.as_str(), b.as_str()) {
        ("/", "/") => Ordering::Equal,
        ("/", _) => Ordering::Less,
        (_, "/") => Ordering::Greater,
        _ => natural_cmp(a, b),
    });
    points.dedup();
    points
}

/// /proc/mounts writes space, tab, newline and backslash as octal escapes (`\040`).
fn unescape_mount_path(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = bytes.get(index + 1..index + 4).filter(|digits| {
            bytes[index] == b'\\' && digits.iter().all(|digit| (b'0'..=b'7').contains(digit))
        });
        match escaped {
            Some(digits) => {
                let value = digits
                    .iter()
                    .fold(0u32, |acc, digit| acc * 8 + u32::from(digit - b'0'));
                out.push(value as u8);
                index += 4;
            }
            None => {
                out.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_points_keep_disk_filesystems_only() {
        let filesystems = "nodev\tsysfs\nnodev\tproc\n\text4\n\tsquashfs\nnodev\toverlay\n\tvfat\n";
        let mounts = "proc /proc proc rw 0 0\n\
                      /dev/vda / ext4 rw 0 0\n\
                      /dev/sdb1 /media/My\\040Music vfat rw 0 0\n\
                      /dev/loop0 /snap/core/1 squashfs ro 0 0\n\
                      overlay /var/lib/docker overlay rw 0 0\n\
                      /dev/sdc1 /mnt/disk10 ext4 rw 0 0\n\
                      /dev/sdc2 /mnt/disk9 ext4 rw 0 0\n";
        assert_eq!(
            disk_mount_points(mounts, filesystems),
            vec!["/", "/media/My Music", "/mnt/disk9", "/mnt/disk10"]
        );
    }

    #[test]
    fn browsing_lists_parent_self_and_visible_subfolders_in_natural_order() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["Disc 10", "Disc 9", ".hidden", "$RECYCLE.BIN", "alpha"] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
        }
        std::fs::write(dir.path().join("file.mp3"), b"x").unwrap();
        let listing = browse(&dir.path().to_string_lossy(), Path::new("/")).unwrap();
        let names: Vec<&str> = listing.iter().map(|entry| entry.name.as_str()).collect();
        assert_eq!(
            names,
            vec![PARENT_ENTRY, SELF_ENTRY, "alpha", "Disc 9", "Disc 10"]
        );
        assert_eq!(
            listing[0].path,
            dir.path().parent().unwrap().to_string_lossy()
        );
        assert_eq!(listing[1].path, dir.path().to_string_lossy());
        assert_eq!(listing[3].path, dir.path().join("Disc 9").to_string_lossy());

        let root = browse("/", Path::new("/")).unwrap();
        assert_eq!(
            root[0],
            DirEntry {
                name: PARENT_ENTRY.into(),
                path: MOUNT_POINTS.into()
            }
        );

        let up = browse(
            &format!("{}/alpha/..", dir.path().display()),
            Path::new("/"),
        )
        .unwrap();
        assert_eq!(up[1].path, dir.path().to_string_lossy());
        assert!(browse("relative/path", Path::new("/")).is_err());
        assert!(browse(
            &dir.path().join("missing").to_string_lossy(),
            Path::new("/")
        )
        .is_err());
    }
}
