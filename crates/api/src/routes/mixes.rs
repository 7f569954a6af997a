//! Mix routes (reference §3.15; Swing serves them only with a licence, Swingfly builds them openly
//! from listening, see `swingfly_services::mixes`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use swingfly_services::mixes::{self, FullMixJson, MixError, MixJson, MixKind};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth_extract::AuthUser;
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plugins/mixes", get(full_mix))
        .route("/plugins/mixes/save", post(save_mix))
        .route("/plugins/mixes/{mixtype}", get(list_mixes))
}

#[derive(OpenApi)]
#[openapi(
    paths(list_mixes, full_mix, save_mix),
    components(schemas(SaveBody, SaveAnswer)),
    tags((name = "mixes", description = "Artist and track mixes grown from listening"))
)]
struct MixesDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    MixesDoc::openapi()
}

impl From<MixError> for ApiError {
    fn from(error: MixError) -> Self {
        match error {
            MixError::InvalidId => ApiError::msg(StatusCode::BAD_REQUEST, error.to_string()),
            MixError::NotFound => ApiError::msg(StatusCode::NOT_FOUND, error.to_string()),
            MixError::Internal(inner) => ApiError::internal(inner),
        }
    }
}

#[utoipa::path(get, path = "/plugins/mixes/{mixtype}", tag = "mixes",
    params(("mixtype" = String, Path, description = "`artists` or `tracks`")),
    responses(
        (status = 200, description = "The caller's mixes of that kind: those grown from what they play most, then their saved ones. Each `{id, title, description, sourcehash, userid, timestamp, saved, extra{type, artisthash, og_sourcehash, image, images}, trackshash, type: \"mix\", time?}`", body = [Object]),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "Not a mix type", body = [ValidationIssue]),
    ))]
async fn list_mixes(
    State(app): State<AppState>,
    user: AuthUser,
    ApiPath(mixtype): ApiPath<String>,
) -> ApiResult<Json<Vec<MixJson>>> {
    let kind = MixKind::parse(&mixtype).ok_or_else(|| {
        ApiError::validation(
            &["path", "mixtype"],
            "Input should be 'artists' or 'tracks'",
        )
    })?;
    Ok(Json(mixes::list_mixes(&app, user.id, kind).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct MixQuery {
    /// `a<artisthash>` (artist mix) or `t<trackhash>` (track mix).
    mixid: String,
    /// The mix's seed hash; when given it must be the mix's own.
    #[serde(default)]
    sourcehash: Option<String>,
    /// Sent by the web client; ignored.
    #[serde(default)]
    #[allow(dead_code)]
    og_sourcehash: Option<String>,
}

#[utoipa::path(get, path = "/plugins/mixes", tag = "mixes", params(MixQuery),
    responses(
        (status = 200, description = "The mix with `tracks` (at most 40), `duration` text and `trackcount`", body = Object),
        (status = 400, description = "`{msg: \"Invalid mix ID\"}`", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "`{msg: \"Mix not found\"}`: its artist or track is not in the library", body = Message),
        (status = 422, description = "No mixid", body = [ValidationIssue]),
    ))]
async fn full_mix(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<MixQuery>,
) -> ApiResult<Json<FullMixJson>> {
    let mix = mixes::full_mix(&app, user.id, &query.mixid, query.sourcehash.as_deref()).await?;
    Ok(Json(mix))
}

#[derive(Debug, Deserialize, ToSchema)]
struct SaveBody {
    /// The mix's id.
    mixid: String,
    /// `artists` or `tracks`; when given it must match the id.
    #[serde(default, rename = "type")]
    kind: Option<String>,
    /// Accepted for compatibility; the id names the seed.
    #[serde(default)]
    #[allow(dead_code)]
    sourcehash: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
struct SaveAnswer {
    /// "Mixes saved" or "Mix unsaved".
    msg: &'static str,
    /// Whether the mix is saved now.
    saved: bool,
}

#[utoipa::path(post, path = "/plugins/mixes/save", tag = "mixes", request_body = SaveBody,
    responses(
        (status = 200, description = "Saved if it was not, unsaved if it was", body = SaveAnswer),
        (status = 400, description = "`{msg: \"Invalid mix ID\"}` (or a type that does not match it)", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "`{msg: \"Mix not found\"}`", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn save_mix(
    State(app): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<SaveBody>,
) -> ApiResult<Json<SaveAnswer>> {
    let saved = mixes::toggle_saved(&app, user.id, &body.mixid, body.kind.as_deref()).await?;
    Ok(Json(SaveAnswer {
        msg: if saved { "Mixes saved" } else { "Mix unsaved" },
        saved,
    }))
}
