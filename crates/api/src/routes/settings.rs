//! Root folders and scanning (reference §3.12, the root-dir rows): list the roots, change them
//! (admins only; a scan starts in the background) and trigger a scan.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::auth_extract::{AdminUser, AuthUser};
use crate::error::{ApiResult, ValidationIssue};
use crate::extract::ApiJson;
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notsettings/get-root-dirs", get(root_dirs))
        .route("/notsettings/add-root-dirs", post(update_root_dirs))
        .route("/notsettings/trigger-scan", get(trigger_scan))
}

#[derive(OpenApi)]
#[openapi(
    paths(root_dirs, update_root_dirs, trigger_scan),
    components(schemas(RootDirs, RootDirChanges, UpdatedRootDirs, ScanTriggered)),
    tags((name = "settings", description = "Root folders and scanning"))
)]
struct SettingsDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    SettingsDoc::openapi()
}

#[derive(Debug, Serialize, ToSchema)]
struct RootDirs {
    dirs: Vec<String>,
}

#[utoipa::path(get, path = "/notsettings/get-root-dirs", tag = "settings",
    responses(
        (status = 200, description = "The root folders", body = RootDirs),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
    ))]
async fn root_dirs(State(app): State<AppState>, _user: AuthUser) -> ApiResult<Json<RootDirs>> {
    Ok(Json(RootDirs {
        dirs: app.root_dirs().await?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
struct RootDirChanges {
    /// Folders to add; `$home` means the server user's home folder.
    #[serde(default)]
    new_dirs: Vec<String>,
    /// Folders to remove.
    #[serde(default)]
    removed: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
struct UpdatedRootDirs {
    root_dirs: Vec<String>,
}

#[utoipa::path(post, path = "/notsettings/add-root-dirs", tag = "settings", request_body = RootDirChanges,
    responses(
        (status = 200, description = "The root folders after the change (normalised); a scan starts in the background", body = UpdatedRootDirs),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
        (status = 422, description = "A malformed body", body = [ValidationIssue]),
    ))]
async fn update_root_dirs(
    State(app): State<AppState>,
    _admin: AdminUser,
    ApiJson(changes): ApiJson<RootDirChanges>,
) -> ApiResult<Json<UpdatedRootDirs>> {
    let root_dirs = app
        .update_root_dirs(&changes.new_dirs, &changes.removed)
        .await?;
    Ok(Json(UpdatedRootDirs { root_dirs }))
}

/// The answer of trigger-scan.
#[derive(Debug, Serialize, ToSchema)]
struct ScanTriggered {
    msg: &'static str,
}

#[utoipa::path(get, path = "/notsettings/trigger-scan", tag = "settings",
    responses(
        (status = 200, description = "`{msg: \"Scan triggered!\"}`; the scan runs in the background (coalesced with one already running)", body = ScanTriggered),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
    ))]
async fn trigger_scan(State(app): State<AppState>, _user: AuthUser) -> Json<ScanTriggered> {
    app.trigger_scan();
    Json(ScanTriggered {
        msg: "Scan triggered!",
    })
}
