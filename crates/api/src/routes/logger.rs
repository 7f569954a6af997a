//! Play logging and listening charts (reference §3.10). A logged play is committed before the 201
//! and counts at once in the caller's play counts, sorts and charts. Charts cover the current local
//! week (from Monday), month, year or all time; trends compare with the window of equal length just
//! before (Swing compared with all time before the period).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use swingfly_services::plays::{
    self, ChartOrder, ChartQuery, ListeningStats, LogError, Period, PlayReport, TopAlbums,
    TopArtists, TopTracks,
};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth_extract::AuthUser;
use crate::error::{ApiError, ApiResult, ValidationIssue};
use crate::extract::{ApiJson, ApiQuery, HashParam};
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/logger/track/log", post(log_track))
        .route("/logger/top-tracks", get(top_tracks))
        .route("/logger/top-artists", get(top_artists))
        .route("/logger/top-albums", get(top_albums))
        .route("/logger/stats", get(stats))
}

#[derive(OpenApi)]
#[openapi(
    paths(log_track, top_tracks, top_artists, top_albums, stats),
    tags((name = "logger", description = "Play logging and each user's listening charts"))
)]
struct LoggerDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    LoggerDoc::openapi()
}

#[derive(Debug, Deserialize, ToSchema)]
struct LogBody {
    /// The track's hash: 16 hexadecimal characters.
    #[schema(value_type = String, example = "0123456789abcdef")]
    trackhash: HashParam,
    /// When the play happened, unix seconds (0 is refused).
    timestamp: i64,
    /// Seconds actually listened (at least 5).
    duration: i64,
    /// Where it was played from: "al:<albumhash>", "ar:<artisthash>", "fo:<path>", "pl:<id>",
    /// "q:<query>", "favorite", "mix:<id>" or "".
    #[serde(default)]
    source: String,
}

#[utoipa::path(post, path = "/logger/track/log", tag = "logger", request_body = LogBody,
    responses(
        (status = 201, description = "`{msg: \"recorded\"}`: the play is stored and counted", body = Message),
        (status = 400, description = "`{msg: \"Invalid entry.\"}`: no timestamp, under 5 seconds listened, or a time more than a day ahead", body = Message),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "`{msg: \"Track not found.\"}`", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn log_track(
    State(app): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<LogBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let report = PlayReport {
        trackhash: body.trackhash.0,
        timestamp: body.timestamp,
        duration: body.duration,
        source: body.source,
    };
    plays::log_play(&app, user.id, &report)
        .await
        .map_err(|error| match error {
            LogError::Invalid => ApiError::msg(StatusCode::BAD_REQUEST, error.to_string()),
            LogError::TrackNotFound => ApiError::msg(StatusCode::NOT_FOUND, error.to_string()),
            LogError::Internal(error) => ApiError::internal(error),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "msg": "recorded" })),
    ))
}

fn default_duration() -> String {
    "year".to_owned()
}

fn default_limit() -> i64 {
    10
}

fn default_order() -> String {
    "playduration".to_owned()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ChartParams {
    /// week (from the local Monday), month, year (default) or alltime.
    #[serde(default = "default_duration")]
    duration: String,
    /// Entries to list (default 10; negative: all).
    #[serde(default = "default_limit")]
    limit: i64,
    /// playduration (default) or playcount.
    #[serde(default = "default_order")]
    order_by: String,
}

impl ChartParams {
    fn query(&self) -> ApiResult<ChartQuery> {
        let period = Period::parse(&self.duration).ok_or_else(|| {
            ApiError::validation(
                &["query", "duration"],
                "Input should be 'week', 'month', 'year' or 'alltime'",
            )
        })?;
        let order = ChartOrder::parse(&self.order_by).ok_or_else(|| {
            ApiError::validation(
                &["query", "order_by"],
                "Input should be 'playduration' or 'playcount'",
            )
        })?;
        Ok(ChartQuery {
            period,
            limit: self.limit,
            order,
        })
    }
}

#[utoipa::path(get, path = "/logger/top-tracks", tag = "logger", params(ChartParams),
    responses(
        (status = 200, description = "`{tracks: [Track + trend {trend, is_new} + help_text], scrobbles: {text, trend, dates}}`", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "An unknown period or order, or a malformed parameter", body = [ValidationIssue]),
    ))]
async fn top_tracks(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<ChartParams>,
) -> ApiResult<Json<TopTracks>> {
    Ok(Json(
        plays::top_tracks(&app, user.id, &params.query()?).await?,
    ))
}

#[utoipa::path(get, path = "/logger/top-artists", tag = "logger", params(ChartParams),
    responses(
        (status = 200, description = "`{artists: [ArtistCard + trend + help_text + extra {playcount}], scrobbles}`", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "An unknown period or order, or a malformed parameter", body = [ValidationIssue]),
    ))]
async fn top_artists(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<ChartParams>,
) -> ApiResult<Json<TopArtists>> {
    Ok(Json(
        plays::top_artists(&app, user.id, &params.query()?).await?,
    ))
}

#[utoipa::path(get, path = "/logger/top-albums", tag = "logger", params(ChartParams),
    responses(
        (status = 200, description = "`{albums: [AlbumCard + trend + help_text], scrobbles}`", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "An unknown period or order, or a malformed parameter", body = [ValidationIssue]),
    ))]
async fn top_albums(
    State(app): State<AppState>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<ChartParams>,
) -> ApiResult<Json<TopAlbums>> {
    Ok(Json(
        plays::top_albums(&app, user.id, &params.query()?).await?,
    ))
}

#[utoipa::path(get, path = "/logger/stats", tag = "logger",
    responses(
        (status = 200, description = "`{stats: [StatItem toptrack, streams, playtime, favorites, trackcount], dates}` for the current week", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
    ))]
async fn stats(State(app): State<AppState>, user: AuthUser) -> ApiResult<Json<ListeningStats>> {
    Ok(Json(plays::listening_stats(&app, user.id).await?))
}
