//! Plugins (reference §3.15): the list (which answers, unlike Swing 3.0.1's 500), turning a plugin
//! on or off and changing its settings (admins only). The `/plugins/lastfm/...` and
//! `/plugins/mixes/...` routes live in their own modules; `/plugins/lyrics/search` is not served
//! (see `routes::lyrics`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use swingfly_services::plugins::{self, Plugin, PluginError};
use utoipa::{OpenApi, ToSchema};

use crate::auth_extract::{AdminUser, AuthUser};
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::ApiJson;
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plugins", get(list_plugins))
        .route("/plugins/setactive", post(set_active))
        .route("/plugins/settings", post(update_settings))
}

#[derive(OpenApi)]
#[openapi(
    paths(list_plugins, set_active, update_settings),
    components(schemas(PluginJson, PluginList, SetActiveBody, OkMessage, SettingsBody, SettingsSaved, PluginProblem)),
    tags((name = "plugins", description = "Server plugins: list, switch on or off, settings"))
)]
struct PluginsDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    PluginsDoc::openapi()
}

/// One plugin (its schema; the handlers serialise [`Plugin`]).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
struct PluginJson {
    name: String,
    active: bool,
    #[schema(value_type = Object)]
    settings: Map<String, Value>,
    #[schema(value_type = Object)]
    extra: Map<String, Value>,
}

#[derive(Debug, Serialize, ToSchema)]
struct PluginList {
    #[schema(value_type = Vec<PluginJson>)]
    plugins: Vec<Plugin>,
}

/// `{error}` with a reason: an unknown plugin or a setting it cannot take.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
struct PluginProblem {
    error: String,
}

fn plugin_error(error: PluginError) -> ApiError {
    match error {
        PluginError::NotFound(_) => ApiError::error(StatusCode::NOT_FOUND, error.to_string()),
        PluginError::InvalidSettings(text) => ApiError::error(StatusCode::BAD_REQUEST, text),
        PluginError::Internal(inner) => ApiError::internal(inner),
    }
}

#[utoipa::path(get, path = "/plugins", tag = "plugins",
    responses(
        (status = 200, description = "`{plugins: [{name, active, settings, extra}]}`, by name (Swing's path `/plugins/` answers too)", body = PluginList),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
    ))]
async fn list_plugins(State(app): State<AppState>, _user: AuthUser) -> ApiResult<Json<PluginList>> {
    let plugins = plugins::list(&app.store).await.map_err(plugin_error)?;
    Ok(Json(PluginList { plugins }))
}

#[derive(Debug, Deserialize, ToSchema)]
struct SetActiveBody {
    /// The plugin's name, e.g. "lyrics_finder".
    plugin: String,
    /// Defaults to false, as in Swing.
    #[serde(default)]
    active: bool,
}

#[derive(Debug, Serialize, ToSchema)]
struct OkMessage {
    message: &'static str,
}

#[utoipa::path(post, path = "/plugins/setactive", tag = "plugins", request_body = SetActiveBody,
    responses(
        (status = 200, description = "`{message: \"OK\"}`", body = OkMessage),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
        (status = 404, description = "No such plugin", body = PluginProblem),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn set_active(
    State(app): State<AppState>,
    _admin: AdminUser,
    ApiJson(body): ApiJson<SetActiveBody>,
) -> ApiResult<Json<OkMessage>> {
    plugins::set_active(&app.store, &body.plugin, body.active)
        .await
        .map_err(plugin_error)?;
    Ok(Json(OkMessage { message: "OK" }))
}

#[derive(Debug, Deserialize, ToSchema)]
struct SettingsBody {
    plugin: String,
    /// The settings to change; keys not named keep their values.
    #[schema(value_type = Object)]
    settings: Map<String, Value>,
}

#[derive(Debug, Serialize, ToSchema)]
struct SettingsSaved {
    status: &'static str,
    /// Every setting of the plugin after the change.
    #[schema(value_type = Object)]
    settings: Map<String, Value>,
}

#[utoipa::path(post, path = "/plugins/settings", tag = "plugins", request_body = SettingsBody,
    responses(
        (status = 200, description = "`{status: \"success\", settings}`", body = SettingsSaved),
        (status = 400, description = "A setting the plugin does not have, or a value of the wrong type", body = PluginProblem),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
        (status = 404, description = "No such plugin", body = PluginProblem),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn update_settings(
    State(app): State<AppState>,
    _admin: AdminUser,
    ApiJson(body): ApiJson<SettingsBody>,
) -> ApiResult<Json<SettingsSaved>> {
    let settings = plugins::update_settings(&app.store, &body.plugin, &body.settings)
        .await
        .map_err(plugin_error)?;
    Ok(Json(SettingsSaved {
        status: "success",
        settings,
    }))
}
