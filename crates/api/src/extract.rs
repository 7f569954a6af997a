//! Request extractors that fail the way Swing Music (flask-openapi3 + pydantic) fails: a 422 with a
//! pydantic-style list, never axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use swingfly_model::{parse_hash, Hash};

use crate::error::{ApiError, ValidationIssue};

/// A JSON body. A malformed body or one that does not fit `T` is a 422 list naming the field. An
/// empty body reads as `{}`, so a struct whose fields all have defaults accepts it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(body_rejection)?;
        parse_json_body(&bytes).map(ApiJson)
    }
}

fn body_rejection(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::msg(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large")
    } else {
        ApiError::msg(StatusCode::BAD_REQUEST, "Could not read the request body")
    }
}

/// Parses a JSON body into `T`, with pydantic-style errors.
pub fn parse_json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = match parsed {
        Ok(value) => value,
        Err(error) => {
            let input = serde_json::from_slice(text).unwrap_or(Value::Null);
            return Err(ApiError::validation_issues(vec![json_issue(error, input)]));
        }
    };
    deserializer.end().map_err(|error| {
        ApiError::validation_issues(vec![ValidationIssue::new(
            "json_invalid",
            vec!["body".into()],
            format!("JSON decode error: {error}"),
            Value::Null,
        )])
    })?;
    Ok(value)
}

fn json_issue(
    error: serde_path_to_error::Error<serde_json::Error>,
    input: Value,
) -> ValidationIssue {
    let mut loc: Vec<Value> = vec!["body".into()];
    for segment in error.path().iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => loc.push((*index).into()),
            serde_path_to_error::Segment::Map { key } => loc.push(key.clone().into()),
            serde_path_to_error::Segment::Enum { variant } => loc.push(variant.clone().into()),
            serde_path_to_error::Segment::Unknown => {}
        }
    }
    let inner = error.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        return ValidationIssue::new(
            "json_invalid",
            vec!["body".into()],
            format!("JSON decode error: {inner}"),
            Value::Null,
        );
    }
    data_issue(loc, &inner.to_string(), input)
}

/// Turns serde's message into pydantic's type and wording where they have an equivalent.
fn data_issue(mut loc: Vec<Value>, message: &str, input: Value) -> ValidationIssue {
    // serde's own text ends with " at line 1 column 12" for JSON; the position is noise here.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message, |(head, _)| head);
    if let Some(field) = backticked_after(message, "missing field ") {
        loc.push(field.into());
        return ValidationIssue::new("missing", loc, "Field required", input);
    }
    let (kind, text) = if message.contains("expected a string") {
        ("string_type", "Input should be a valid string".to_string())
    } else if message.contains("expected a boolean") {
        ("bool_type", "Input should be a valid boolean".to_string())
    } else if message.contains("expected i")
        || message.contains("expected u")
        || message.contains("invalid digit")
    {
        ("int_type", "Input should be a valid integer".to_string())
    } else if message.contains("expected a sequence") {
        ("list_type", "Input should be a valid list".to_string())
    } else if message.contains("expected struct") || message.contains("expected a map") {
        (
            "dict_type",
            "Input should be a valid dictionary".to_string(),
        )
    } else {
        ("value_error", message.to_string())
    };
    ValidationIssue::new(kind, loc, text, input)
}

/// The text between backticks that follows `prefix` in `message`, if any.
fn backticked_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = &message[message.find(prefix)? + prefix.len()..];
    let rest = rest.strip_prefix('`')?;
    Some(&rest[..rest.find('`')?])
}

/// A query string deserialised into `T`; failures are a 422 list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::try_from_uri(&parts.uri) {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => {
                let text = rejection.body_text();
                let text = text
                    .strip_prefix("Failed to deserialize query string: ")
                    .unwrap_or(&text);
                let input = Value::String(parts.uri.query().unwrap_or_default().to_string());
                Err(ApiError::validation_issues(vec![data_issue(
                    vec!["query".into()],
                    text,
                    input,
                )]))
            }
        }
    }
}

/// Path parameters deserialised into `T`; failures are a 422 list instead of axum's 400 text.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(ApiError::validation_issues(vec![data_issue(
                vec!["path".into()],
                &rejection.body_text(),
                Value::Null,
            )])),
        }
    }
}

/// A Swing hash (trackhash, albumhash, ...): exactly 16 hexadecimal characters, else 422.
///
/// As an extractor it reads the route's path parameter whose name ends in "hash" (or the only
/// path parameter). It also deserialises from a string, for hash fields in queries and bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HashParam(pub Hash);

impl HashParam {
    /// Parses a wire hash, or answers a 422 saying (pydantic-style, at `loc`) why it is not one.
    pub fn parse(text: &str, loc: Vec<Value>) -> Result<HashParam, ApiError> {
        parse_hash(text)
            .map(HashParam)
            .ok_or_else(|| ApiError::validation_issues(vec![hash_issue(text, loc)]))
    }
}

fn hash_issue(text: &str, loc: Vec<Value>) -> ValidationIssue {
    let length = text.chars().count();
    let input = Value::String(text.to_string());
    if length < 16 {
        ValidationIssue::new(
            "string_too_short",
            loc,
            "String should have at least 16 characters",
            input,
        )
    } else if length > 16 {
        ValidationIssue::new(
            "string_too_long",
            loc,
            "String should have at most 16 characters",
            input,
        )
    } else {
        ValidationIssue::new(
            "value_error",
            loc,
            "Value error, the hash must be 16 hexadecimal characters",
            input,
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for HashParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|rejection| {
                ApiError::internal(anyhow::anyhow!(
                    "HashParam used on a route without path parameters: {}",
                    rejection.body_text()
                ))
            })?;
        let all: Vec<(&str, &str)> = params.iter().collect();
        let hashes: Vec<&(&str, &str)> = all
            .iter()
            .filter(|(name, _)| name.ends_with("hash"))
            .collect();
        let (name, value) = match (hashes.as_slice(), all.as_slice()) {
            ([only], _) => **only,
            ([], [only]) => *only,
            _ => {
                return Err(ApiError::internal(anyhow::anyhow!(
                    "HashParam cannot tell which path parameter holds the hash: {:?}",
                    all.iter().map(|(name, _)| *name).collect::<Vec<_>>()
                )))
            }
        };
        HashParam::parse(value, vec!["path".into(), name.into()])
    }
}

impl<'de> Deserialize<'de> for HashParam {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_hash(&text)
            .map(HashParam)
            .ok_or_else(|| serde::de::Error::custom(hash_issue(&text, Vec::new()).msg))
    }
}

/// Deserialises a boolean the way pydantic reads one from a query string: `true`/`false`,
/// `1`/`0`, `yes`/`no`, `on`/`off`, `t`/`f`, `y`/`n` (any case), or a JSON boolean.
/// Use with `#[serde(default, deserialize_with = "crate::extract::lenient_bool")]`.
pub fn lenient_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum BoolOrText {
        Bool(bool),
        Text(String),
    }
    match BoolOrText::deserialize(deserializer)? {
        BoolOrText::Bool(value) => Ok(value),
        BoolOrText::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" | "t" | "y" => Ok(true),
            "false" | "0" | "no" | "off" | "f" | "n" => Ok(false),
            _ => Err(serde::de::Error::custom(
                "Input should be a valid boolean, unable to interpret input",
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    struct Login {
        username: String,
        #[allow(dead_code)]
        password: String,
        #[serde(default)]
        #[allow(dead_code)]
        tags: Vec<u32>,
    }

    fn issue(error: ApiError) -> Value {
        assert_eq!(error.status(), StatusCode::UNPROCESSABLE_ENTITY);
        error.body()[0].clone()
    }

    #[test]
    fn json_body_errors_are_pydantic_lists() {
        let ok: Login = parse_json_body(br#"{"username":"a","password":"b"}"#).unwrap();
        assert_eq!(ok.username, "a");

        let missing = issue(parse_json_body::<Login>(br#"{"username":"a"}"#).unwrap_err());
        assert_eq!(missing["type"], "missing");
        assert_eq!(missing["loc"], json!(["body", "password"]));
        assert_eq!(missing["msg"], "Field required");

        let wrong =
            issue(parse_json_body::<Login>(br#"{"username":5,"password":"b"}"#).unwrap_err());
        assert_eq!(wrong["type"], "string_type");
        assert_eq!(wrong["loc"], json!(["body", "username"]));

        let nested = issue(
            parse_json_body::<Login>(br#"{"username":"a","password":"b","tags":[1,"x"]}"#)
                .unwrap_err(),
        );
        assert_eq!(nested["loc"], json!(["body", "tags", 1]));

        let broken = issue(parse_json_body::<Login>(b"{not json").unwrap_err());
        assert_eq!(broken["type"], "json_invalid");

        let empty = issue(parse_json_body::<Login>(b"").unwrap_err());
        assert_eq!(empty["type"], "missing", "an empty body reads as {{}}");
    }

    #[test]
    fn hashes_are_exactly_sixteen_hex_characters() {
        assert_eq!(
            HashParam::parse("00000000000000ff", vec![]).unwrap(),
            HashParam(255)
        );
        for (text, kind) in [
            ("abc", "string_too_short"),
            ("00000000000000ff0", "string_too_long"),
            ("zzzzzzzzzzzzzzzz", "value_error"),
        ] {
            let error = HashParam::parse(text, vec!["path".into(), "albumhash".into()]);
            let entry = issue(error.unwrap_err());
            assert_eq!(entry["type"], kind, "{text}");
            assert_eq!(entry["loc"], json!(["path", "albumhash"]));
        }

        #[derive(Debug, Deserialize)]
        struct Body {
            albumhash: HashParam,
        }
        let body: Body = parse_json_body(br#"{"albumhash":"0123456789abcdef"}"#).unwrap();
        assert_eq!(body.albumhash, HashParam(0x0123456789abcdef));
        let bad = issue(parse_json_body::<Body>(br#"{"albumhash":"short"}"#).unwrap_err());
        assert_eq!(bad["loc"], json!(["body", "albumhash"]));
    }

    #[test]
    fn lenient_booleans() {
        #[derive(Deserialize)]
        struct Flags {
            #[serde(default, deserialize_with = "lenient_bool")]
            on: bool,
        }
        for (text, expected) in [("true", true), ("1", true), ("Yes", true), ("0", false)] {
            let uri: axum::http::Uri = format!("/x?on={text}").parse().unwrap();
            let Query(flags) = Query::<Flags>::try_from_uri(&uri).unwrap();
            assert_eq!(flags.on, expected, "{text}");
        }
        let uri: axum::http::Uri = "/x".parse().unwrap();
        assert!(!Query::<Flags>::try_from_uri(&uri).unwrap().0.on);
        let uri: axum::http::Uri = "/x?on=maybe".parse().unwrap();
        assert!(Query::<Flags>::try_from_uri(&uri).is_err());
    }
}
