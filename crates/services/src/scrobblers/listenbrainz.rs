//! ListenBrainz (API v1): `GET /1/validate-token` when a user links their token, and
//! `POST /1/submit-listens` with `Authorization: Token <user token>` to deliver plays.

use serde_json::{json, Value};

use super::{retry_after, DeliveryError, LinkError, Play};

/// Plays sent in one `submit-listens` call (ListenBrainz allows more; 50 keeps requests small).
pub const MAX_BATCH: usize = 50;

/// What Swingfly calls itself in `additional_info.submission_client`.
const CLIENT_NAME: &str = "Swingfly";

#[derive(Clone, Debug)]
pub struct ListenBrainz {
    http: reqwest::Client,
    base_url: String,
}

impl ListenBrainz {
    pub fn new(http: reqwest::Client, base_url: &str) -> Self {
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
        }
    }

    /// Checks a user token; returns the account's user name.
    pub async fn validate_token(&self, token: &str) -> Result<Option<String>, LinkError> {
        let response = self
            .http
            .get(format!("{}/1/validate-token", self.base_url))
            .header(reqwest::header::AUTHORIZATION, format!("Token {token}"))
            .send()
            .await
            .map_err(|error| {
                LinkError::Unavailable(format!("ListenBrainz is unreachable: {error}"))
            })?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status == reqwest::StatusCode::UNAUTHORIZED
            || (status.is_success() && body["valid"] == Value::Bool(false))
        {
            return Err(LinkError::Rejected(
                "ListenBrainz says the token is not valid".into(),
            ));
        }
        if status.is_success() && body["valid"] == Value::Bool(true) {
            return Ok(body["user_name"].as_str().map(str::to_string));
        }
        if status.is_client_error() && status != reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(LinkError::Rejected(format!(
                "ListenBrainz refused the token ({status})"
            )));
        }
        Err(LinkError::Unavailable(format!(
            "ListenBrainz answered {status}"
        )))
    }

    /// Submits plays: `listen_type` "single" for one play, "import" for several.
    pub async fn submit(&self, token: &str, plays: &[Play]) -> Result<(), DeliveryError> {
        let body = submission(plays);
        let response = self
            .http
            .post(format!("{}/1/submit-listens", self.base_url))
            .header(reqwest::header::AUTHORIZATION, format!("Token {token}"))
            .json(&body)
            .send()
            .await
            .map_err(|error| DeliveryError::Retry {
                reason: format!("ListenBrainz is unreachable: {error}"),
                retry_after: None,
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let wait = retry_after(response.headers());
        let text = response.text().await.unwrap_or_default();
        let detail: String = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or(text)
            .chars()
            .take(200)
            .collect();
        let reason = format!("ListenBrainz answered {status}: {detail}");
        Err(match status.as_u16() {
            401 => DeliveryError::Revoked(reason),
            400 => DeliveryError::Rejected(reason),
            _ => DeliveryError::Retry {
                reason,
                retry_after: wait,
            },
        })
    }
}

/// The `submit-listens` body for `plays`.
fn submission(plays: &[Play]) -> Value {
    let payload: Vec<Value> = plays
        .iter()
        .map(|play| {
            let mut additional_info = json!({
                "submission_client": CLIENT_NAME,
                "submission_client_version": env!("CARGO_PKG_VERSION"),
                "media_player": CLIENT_NAME,
            });
            if let Some(duration) = play.track_duration {
                additional_info["duration"] = json!(duration);
            }
            if !play.artists.is_empty() {
                additional_info["artist_names"] = json!(play.artists);
            }
            let mut metadata = json!({
                "artist_name": play.artist,
                "track_name": play.title,
                "additional_info": additional_info,
            });
            if let Some(album) = &play.album {
                metadata["release_name"] = json!(album);
            }
            json!({ "listened_at": play.timestamp, "track_metadata": metadata })
        })
        .collect();
    let listen_type = if plays.len() == 1 { "single" } else { "import" };
    json!({ "listen_type": listen_type, "payload": payload })
}
