//! Backups (reference §3.16), admins only: create one, list them, restore one or all, delete one.
//! A restore is idempotent and maps users by name; see `swingfly_services::backup`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use swingfly_services::backup::{self, BackupError, BackupSummary};
use utoipa::{OpenApi, ToSchema};

use crate::auth_extract::AdminUser;
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::ApiJson;
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/backup/create", post(create_backup))
        .route("/backup/list", get(list_backups))
        .route("/backup/restore", post(restore_backup))
        .route("/backup/delete", delete(delete_backup))
}

#[derive(OpenApi)]
#[openapi(
    paths(create_backup, list_backups, restore_backup, delete_backup),
    components(schemas(BackupInfo, BackupList, RestoreRequest, Restored, DeleteRequest, Deleted)),
    tags((name = "backup", description = "Backups of every user's favourites, scrobbles, playlists and collections (admins only)"))
)]
struct BackupDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    BackupDoc::openapi()
}

impl From<BackupError> for ApiError {
    fn from(error: BackupError) -> Self {
        match error {
            BackupError::InvalidName => ApiError::msg(StatusCode::BAD_REQUEST, error.to_string()),
            BackupError::NotFound => ApiError::msg(StatusCode::NOT_FOUND, error.to_string()),
            BackupError::Unreadable { .. } => {
                tracing::warn!(%error, "restore of an unreadable backup refused");
                ApiError::msg(StatusCode::BAD_REQUEST, error.to_string())
            }
            BackupError::Internal(inner) => ApiError::internal(inner),
        }
    }
}

/// One backup, as Swing lists it.
#[derive(Debug, Serialize, ToSchema)]
struct BackupInfo {
    /// The backup's folder name, `backup.<unix seconds>`.
    name: String,
    /// How long ago it was made, e.g. "2 hours ago".
    date: String,
    scrobbles: usize,
    favorites: usize,
    playlists: usize,
    collections: usize,
}

impl From<BackupSummary> for BackupInfo {
    fn from(summary: BackupSummary) -> Self {
        Self {
            date: summary.date_text(),
            name: summary.name,
            scrobbles: summary.counts.scrobbles,
            favorites: summary.counts.favorites,
            playlists: summary.counts.playlists,
            collections: summary.counts.collections,
        }
    }
}

#[utoipa::path(post, path = "/backup/create", tag = "backup",
    responses(
        (status = 200, description = "The new backup and how many rows of each kind it holds", body = BackupInfo),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
    ))]
async fn create_backup(
    State(app): State<AppState>,
    _admin: AdminUser,
) -> ApiResult<Json<BackupInfo>> {
    Ok(Json(backup::create(&app).await?.into()))
}

#[derive(Debug, Serialize, ToSchema)]
struct BackupList {
    backups: Vec<BackupInfo>,
}

#[utoipa::path(get, path = "/backup/list", tag = "backup",
    responses(
        (status = 200, description = "Every backup, newest first", body = BackupList),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
    ))]
async fn list_backups(
    State(app): State<AppState>,
    _admin: AdminUser,
) -> ApiResult<Json<BackupList>> {
    let backups = backup::list(&app).await?;
    Ok(Json(BackupList {
        backups: backups.into_iter().map(BackupInfo::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
struct RestoreRequest {
    /// The backup to restore; omit it to restore every backup.
    #[serde(default)]
    backup_dir: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
struct Restored {
    /// What was added, and what was skipped (rows of users not on this server, invalid rows).
    msg: String,
    /// The backups restored, oldest first.
    backups: Vec<String>,
}

#[utoipa::path(post, path = "/backup/restore", tag = "backup", request_body = RestoreRequest,
    responses(
        (status = 200, description = "Restored. Rows already present are skipped, so restoring twice adds nothing; rows of usernames without an account here are skipped", body = Restored),
        (status = 400, description = "An invalid backup name, or a backup whose data cannot be read", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
        (status = 404, description = "No such backup (or no backups at all)", body = Message),
        (status = 422, description = "A malformed body", body = [ValidationIssue]),
    ))]
async fn restore_backup(
    State(app): State<AppState>,
    _admin: AdminUser,
    ApiJson(request): ApiJson<RestoreRequest>,
) -> ApiResult<Json<Restored>> {
    let report = backup::restore(&app, request.backup_dir.as_deref()).await?;
    Ok(Json(Restored {
        msg: report.message(),
        backups: report.backups,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
struct DeleteRequest {
    /// The backup to delete.
    backup_dir: String,
}

#[derive(Debug, Serialize, ToSchema)]
struct Deleted {
    msg: String,
}

#[utoipa::path(delete, path = "/backup/delete", tag = "backup", request_body = DeleteRequest,
    responses(
        (status = 200, description = "Deleted", body = Deleted),
        (status = 400, description = "An invalid backup name", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
        (status = 404, description = "No such backup", body = Message),
        (status = 422, description = "A malformed body", body = [ValidationIssue]),
    ))]
async fn delete_backup(
    State(app): State<AppState>,
    _admin: AdminUser,
    ApiJson(request): ApiJson<DeleteRequest>,
) -> ApiResult<Json<Deleted>> {
    backup::delete(&app, &request.backup_dir).await?;
    Ok(Json(Deleted {
        msg: format!("Backup {} deleted", request.backup_dir),
    }))
}
