//! Root folders and scanning (reference §3.12, the root-dir rows): list the roots, change them
//! (admins only; a scan starts in the background) and trigger a scan.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::auth_extract::{AdminUser, AuthUser};
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notsettings/get-root-dirs", get(root_dirs))
        .route("/notsettings/add-root-dirs", post(update_root_dirs))
        .route("/notsettings/trigger-scan", get(trigger_scan))
}

#[derive(Debug, Serialize)]
struct RootDirs {
    dirs: Vec<String>,
}

async fn root_dirs(State(app): State<AppState>, _user: AuthUser) -> ApiResult<Json<RootDirs>> {
    Ok(Json(RootDirs {
        dirs: app.root_dirs().await?,
    }))
}

#[derive(Debug, Deserialize)]
struct RootDirChanges {
    #[serde(default)]
    new_dirs: Vec<String>,
    #[serde(default)]
    removed: Vec<String>,
}

#[derive(Debug, Serialize)]
struct UpdatedRootDirs {
    root_dirs: Vec<String>,
}

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

#[derive(Debug, Serialize)]
struct Message {
    msg: &'static str,
}

async fn trigger_scan(State(app): State<AppState>, _user: AuthUser) -> Json<Message> {
    app.trigger_scan();
    Json(Message {
        msg: "Scan triggered!",
    })
}
