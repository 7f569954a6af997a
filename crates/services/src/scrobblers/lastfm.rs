//! The official Last.fm API (version 2.0): `auth.getSession` to turn a user's auth token into a
//! session key, and `track.scrobble` in batches of up to 50. Every call is signed with `api_sig`:
//! the MD5 of the parameters sorted by name, each written as name then value, followed by the
//! shared secret (`format` is not signed).

use std::collections::BTreeMap;

use md5::{Digest, Md5};
use serde_json::Value;

use super::{retry_after, DeliveryError, LinkError, Play};

/// Last.fm accepts at most this many scrobbles in one `track.scrobble` call.
pub const MAX_BATCH: usize = 50;

/// Last.fm's error codes that matter here (https://www.last.fm/api/errorcodes).
const INVALID_PARAMETERS: i64 = 6;
const INVALID_SESSION_KEY: i64 = 9;
const SERVICE_OFFLINE: i64 = 11;
const TEMPORARILY_UNAVAILABLE: i64 = 16;
const RATE_LIMIT_EXCEEDED: i64 = 29;

/// A Last.fm client for the operator's API account.
#[derive(Clone, Debug)]
pub struct LastFm {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
    api_secret: String,
}

impl LastFm {
    pub fn new(http: reqwest::Client, base_url: &str, api_key: &str, api_secret: &str) -> Self {
        Self {
            http,
            base_url: base_url.to_string(),
            api_key: api_key.to_string(),
            api_secret: api_secret.to_string(),
        }
    }

    /// `auth.getSession`: exchanges the token the user authorised on last.fm for a session key.
    /// Returns `(session key, account name)`.
    pub async fn get_session(&self, token: &str) -> Result<(String, Option<String>), LinkError> {
        let mut params = BTreeMap::new();
        params.insert("method".to_string(), "auth.getSession".to_string());
        params.insert("token".to_string(), token.to_string());
        let (status, body) = self
            .call(params)
            .await
            .map_err(|error| LinkError::Unavailable(format!("Last.fm is unreachable: {error}")))?;
        if let Some((code, message)) = api_error(&body) {
            return Err(match code {
                SERVICE_OFFLINE | TEMPORARILY_UNAVAILABLE | RATE_LIMIT_EXCEEDED => {
                    LinkError::Unavailable(format!("Last.fm error {code}: {message}"))
                }
                _ => LinkError::Rejected(format!("Last.fm error {code}: {message}")),
            });
        }
        let session = &body["session"];
        match session["key"].as_str().filter(|key| !key.is_empty()) {
            Some(key) => Ok((
                key.to_string(),
                session["name"].as_str().map(str::to_string),
            )),
            None => Err(LinkError::Unavailable(format!(
                "Last.fm answered {status} without a session"
            ))),
        }
    }

    /// `track.scrobble` for up to [`MAX_BATCH`] plays.
    pub async fn scrobble(&self, session_key: &str, plays: &[Play]) -> Result<(), DeliveryError> {
        debug_assert!(plays.len() <= MAX_BATCH);
        let mut params = BTreeMap::new();
        params.insert("method".to_string(), "track.scrobble".to_string());
        params.insert("sk".to_string(), session_key.to_string());
        for (i, play) in plays.iter().enumerate() {
            params.insert(format!("artist[{i}]"), play.artist.clone());
            params.insert(format!("track[{i}]"), play.title.clone());
            params.insert(format!("timestamp[{i}]"), play.timestamp.to_string());
            if let Some(album) = &play.album {
                params.insert(format!("album[{i}]"), album.clone());
            }
            if let Some(album_artist) = &play.album_artist {
                params.insert(format!("albumArtist[{i}]"), album_artist.clone());
            }
            if let Some(duration) = play.track_duration {
                params.insert(format!("duration[{i}]"), duration.to_string());
            }
        }
        let response = self
            .send(params)
            .await
            .map_err(|error| DeliveryError::Retry {
                reason: format!("Last.fm is unreachable: {error}"),
                retry_after: None,
            })?;
        let status = response.status();
        let wait = retry_after(response.headers());
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if let Some((code, message)) = api_error(&body) {
            let reason = format!("Last.fm error {code}: {message}");
            return Err(match code {
                INVALID_SESSION_KEY => DeliveryError::Revoked(reason),
                INVALID_PARAMETERS => DeliveryError::Rejected(reason),
                _ => DeliveryError::Retry {
                    reason,
                    retry_after: wait,
                },
            });
        }
        if status.is_success() && body.get("scrobbles").is_some() {
            return Ok(());
        }
        Err(DeliveryError::Retry {
            reason: format!("Last.fm answered {status} without a scrobble result"),
            retry_after: wait,
        })
    }

    /// Signs and posts `params`; returns the status and the JSON body (Null when it is not JSON).
    async fn call(
        &self,
        params: BTreeMap<String, String>,
    ) -> Result<(reqwest::StatusCode, Value), reqwest::Error> {
        let response = self.send(params).await?;
        let status = response.status();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }

    async fn send(
        &self,
        mut params: BTreeMap<String, String>,
    ) -> Result<reqwest::Response, reqwest::Error> {
        params.insert("api_key".to_string(), self.api_key.clone());
        let signature = api_signature(&params, &self.api_secret);
        params.insert("api_sig".to_string(), signature);
        params.insert("format".to_string(), "json".to_string());
        self.http.post(&self.base_url).form(&params).send().await
    }
}

/// `api_sig`: MD5 (hex) over every parameter but `format` and `callback`, sorted by name, written
/// as `<name><value>`, followed by the shared secret.
pub fn api_signature(params: &BTreeMap<String, String>, secret: &str) -> String {
    let mut hasher = Md5::new();
    for (name, value) in params {
        if name == "format" || name == "callback" || name == "api_sig" {
            continue;
        }
        hasher.update(name.as_bytes());
        hasher.update(value.as_bytes());
    }
    hasher.update(secret.as_bytes());
    hex::encode(hasher.finalize())
}

/// `{error: code, message}` in a Last.fm answer.
fn api_error(body: &Value) -> Option<(i64, String)> {
    let code = body.get("error")?.as_i64()?;
    let message = body["message"].as_str().unwrap_or("").to_string();
    Some((code, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_sorts_params_skips_format_and_appends_the_secret() {
        let mut params = BTreeMap::new();
        params.insert("method".to_string(), "auth.getSession".to_string());
        params.insert("api_key".to_string(), "k".to_string());
        params.insert("token".to_string(), "t".to_string());
        params.insert("format".to_string(), "json".to_string());
        let expected = hex::encode(Md5::digest(b"api_keykmethodauth.getSessiontokentsecret"));
        assert_eq!(api_signature(&params, "secret"), expected);
        // The well-known MD5 of the empty string, to pin the digest itself.
        assert_eq!(
            api_signature(&BTreeMap::new(), ""),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
    }
}
