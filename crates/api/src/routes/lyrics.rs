//! Lyrics (reference §3.11, §5.11): a track's lyrics from its sidecar `.lrc`/`.rlrc` file or its
//! embedded tag, found through the index by trackhash.
//!
//! `/plugins/lyrics/search` (the online lookup) is deliberately not registered: Swing does it with
//! an unofficial Musixmatch token scheme, which this server does not use.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use swingfly_model::lrc::LyricsLines;
use swingfly_services::lyrics::{find_lyrics, FoundLyrics};
use utoipa::{OpenApi, ToSchema};

use crate::auth_extract::AuthUser;
use crate::error::{ApiResult, ValidationIssue};
use crate::extract::{ApiJson, HashParam};
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/lyrics", post(lyrics))
        .route("/lyrics/check", post(check_lyrics))
}

#[derive(OpenApi)]
#[openapi(
    paths(lyrics, check_lyrics),
    components(schemas(LyricsBody, LyricsAnswer, TimedLineJson, LyricsExist)),
    tags((name = "lyrics", description = "Lyrics from sidecar files and embedded tags"))
)]
struct LyricsDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    LyricsDoc::openapi()
}

#[derive(Debug, Deserialize, ToSchema)]
struct LyricsBody {
    /// The track's hash: 16 hexadecimal characters.
    #[schema(value_type = String, example = "0123456789abcdef")]
    trackhash: HashParam,
    /// The client's file path for the track. Only a hint: when it is one of the trackhash's
    /// indexed files that file is tried first; any other path is ignored, never read.
    #[serde(default)]
    filepath: String,
}

/// One timed line: `time` in milliseconds from the start of the track.
#[derive(Debug, Serialize, ToSchema)]
struct TimedLineJson {
    time: u64,
    text: String,
}

/// `lyrics` is `[{time, text}]` when `synced`, else a list of lines.
#[derive(Debug, Serialize, ToSchema)]
struct LyricsAnswer {
    #[schema(value_type = Vec<Object>)]
    lyrics: serde_json::Value,
    synced: bool,
    copyright: String,
}

impl From<FoundLyrics> for LyricsAnswer {
    fn from(found: FoundLyrics) -> Self {
        let (lyrics, synced) = match found.lines {
            LyricsLines::Synced(lines) => {
                let lines: Vec<TimedLineJson> = lines
                    .into_iter()
                    .map(|line| TimedLineJson {
                        time: line.time_ms,
                        text: line.text,
                    })
                    .collect();
                (serde_json::to_value(lines).unwrap_or_default(), true)
            }
            LyricsLines::Plain(lines) => (serde_json::json!(lines), false),
        };
        LyricsAnswer {
            lyrics,
            synced,
            copyright: found.copyright,
        }
    }
}

const NOT_FOUND: &str = "No lyrics found";

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum LyricsOrNone {
    Found(LyricsAnswer),
    NotFound { error: &'static str },
}

#[utoipa::path(post, path = "/lyrics", tag = "lyrics", request_body = LyricsBody,
    responses(
        (status = 200, description = "`{lyrics, synced, copyright}`; or, as in Swing, 200 `{error: \"No lyrics found\"}` when the track has none or is not indexed", body = LyricsAnswer),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A missing or malformed field (the trackhash must be 16 hexadecimal characters)", body = [ValidationIssue]),
    ))]
async fn lyrics(
    State(app): State<AppState>,
    _user: AuthUser,
    ApiJson(body): ApiJson<LyricsBody>,
) -> ApiResult<Json<LyricsOrNone>> {
    let found = find_lyrics(app.library(), body.trackhash.0, body.filepath).await?;
    Ok(Json(match found {
        Some(found) => LyricsOrNone::Found(found.into()),
        None => LyricsOrNone::NotFound { error: NOT_FOUND },
    }))
}

#[derive(Debug, Serialize, ToSchema)]
struct LyricsExist {
    exists: bool,
}

#[utoipa::path(post, path = "/lyrics/check", tag = "lyrics", request_body = LyricsBody,
    responses(
        (status = 200, description = "`{exists}`: whether POST /lyrics would find lyrics", body = LyricsExist),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 422, description = "A missing or malformed field", body = [ValidationIssue]),
    ))]
async fn check_lyrics(
    State(app): State<AppState>,
    _user: AuthUser,
    ApiJson(body): ApiJson<LyricsBody>,
) -> ApiResult<Json<LyricsExist>> {
    let found = find_lyrics(app.library(), body.trackhash.0, body.filepath).await?;
    Ok(Json(LyricsExist {
        exists: found.is_some(),
    }))
}
