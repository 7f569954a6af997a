//! Settings (reference §1.1, §3.12): the settings object (never a secret in it), changing one
//! setting (admins only; checked against the key's type; index settings re-index), the root
//! folders (changing them starts a background scan) and triggering a scan.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use swingfly_services::settings::{settings_page, update_setting, SettingError};
use utoipa::{OpenApi, ToSchema};

use crate::auth_extract::{AdminUser, AuthUser};
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::ApiJson;
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notsettings", get(all_settings))
        .route("/notsettings/update", put(update))
        .route("/notsettings/get-root-dirs", get(root_dirs))
        .route("/notsettings/add-root-dirs", post(update_root_dirs))
        .route("/notsettings/trigger-scan", get(trigger_scan))
}

#[derive(OpenApi)]
#[openapi(
    paths(all_settings, update, root_dirs, update_root_dirs, trigger_scan),
    components(schemas(SettingChange, ConfigUpdated, RootDirs, RootDirChanges, UpdatedRootDirs, ScanTriggered)),
    tags((name = "settings", description = "Settings, root folders and scanning"))
)]
struct SettingsDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    SettingsDoc::openapi()
}

#[utoipa::path(get, path = "/notsettings", tag = "settings",
    responses(
        (status = 200, description = "The settings object: every setting of Swing's settings.json (stored value or default; sets as sorted lists) plus `plugins`, `version`, `lastfmSessionKey` (the caller's own, \"\" when not linked), `deviceName`, `deviceId` and `licenseInfo` (null). No secret is ever included (no server id or signing key, no Last.fm API account, no license key, no other user's session key)", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
    ))]
async fn all_settings(
    State(app): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<Map<String, Value>>> {
    Ok(Json(settings_page(&app, user.id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
struct SettingChange {
    /// The setting's name, as in settings.json (e.g. "removeProdBy").
    key: String,
    /// Its new value. `artistSeparators` (and `genreSeparators`) also take one comma-joined string.
    #[schema(value_type = Object)]
    value: Value,
}

/// The answer of a settings change.
#[derive(Debug, Serialize, ToSchema)]
struct ConfigUpdated {
    msg: &'static str,
}

#[utoipa::path(put, path = "/notsettings/update", tag = "settings", request_body = SettingChange,
    responses(
        (status = 200, description = "`{msg: \"Config updated!\"}`; a setting that changes how tags become albums and artists has re-indexed the library by then", body = ConfigUpdated),
        (status = 400, description = "An unknown or read-only key, or a value of the wrong type: `{msg}` says which and why; nothing is changed", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn update(
    State(app): State<AppState>,
    _admin: AdminUser,
    ApiJson(change): ApiJson<SettingChange>,
) -> ApiResult<Json<ConfigUpdated>> {
    match update_setting(&app, &change.key, change.value).await {
        Ok(()) => Ok(Json(ConfigUpdated {
            msg: "Config updated!",
        })),
        Err(SettingError::Internal(error)) => Err(ApiError::internal(error)),
        Err(refused) => Err(ApiError::msg(StatusCode::BAD_REQUEST, refused.to_string())),
    }
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
