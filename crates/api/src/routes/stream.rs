//! Audio streaming: `GET /file/<trackhash>/legacy?filepath=` (reference §3.5, §5.14).
//!
//! The requested `filepath` is only a lookup key: the file that is opened always comes from the
//! index and must lie inside a root folder, so no request path reaches any other file. Without
//! `quality`/`container` the file is sent as is, with HTTP conditional and range semantics
//! ([`file`]); with them it goes through ffmpeg ([`crate::transcode`]).

use std::path::{Component, Path, PathBuf};

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::auth_extract::AuthUser;
use crate::error::{ApiError, ValidationIssue};
use crate::extract::{ApiQuery, HashParam};
use crate::routes::auth::Message;
use crate::transcode::{self, TranscodeError, TranscodePlan};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/file/{trackhash}/legacy", get(stream_track))
}

#[derive(OpenApi)]
#[openapi(
    paths(stream_track),
    components(schemas(Refusal)),
    tags((name = "stream", description = "Audio files, as they are or transcoded"))
)]
struct StreamDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    StreamDoc::openapi()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StreamQuery {
    /// The track's path as the client knows it: only a lookup key, the file sent always comes
    /// from the index and lies inside a root folder.
    filepath: String,
    /// A bitrate in kbps (`128`, `192k`) to transcode to, or `original` (the file as it is).
    quality: Option<String>,
    /// `mp3`, `aac`, `ogg`, `opus`, `flac` or `webm` to transcode to (ignored with
    /// `quality=original`); a bitrate alone means MP3.
    container: Option<String>,
}

/// A refused or failed stream: `{msg, error}`.
#[derive(Debug, Serialize, ToSchema)]
struct Refusal {
    msg: &'static str,
    error: String,
}

#[utoipa::path(get, path = "/file/{trackhash}/legacy", tag = "stream",
    summary = "A track's audio, as it is or transcoded",
    description = "The audio file, with ETag/Last-Modified validators, conditional requests and single \
        byte ranges; with `quality`/`container` it is transcoded by ffmpeg and streamed without \
        ranges (`Accept-Ranges: none`, `X-Transcoded-Bitrate`). HEAD answers the headers without \
        reading the file or starting an encoder.",
    params(("trackhash" = String, Path, description = "The track's hash: 16 hexadecimal characters"), StreamQuery),
    responses(
        (status = 200, description = "The whole file, or the transcoded stream", content_type = "audio/*",
            headers(("Content-Disposition" = String, description = "attachment, with the file name"))),
        (status = 206, description = "The requested byte range", content_type = "audio/*",
            headers(("Content-Range" = String, description = "`bytes start-end/length`"))),
        (status = 304, description = "Not modified (If-None-Match, If-Modified-Since)"),
        (status = 400, description = "A path with `..`, a path outside the root folders, or an invalid quality or container", body = Refusal),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 404, description = "File Not Found: not indexed, outside the root folders or gone from disk", body = Message),
        (status = 412, description = "Precondition failed (If-Match, If-Unmodified-Since)"),
        (status = 416, description = "Range not satisfiable",
            headers(("Content-Range" = String, description = "`bytes */length`"))),
        (status = 422, description = "Not a hash, or `filepath` missing", body = [ValidationIssue]),
        (status = 500, description = "Transcoding failed", body = Message),
        (status = 503, description = "Transcoding unavailable: ffmpeg is not installed", body = Refusal),
    ))]

async fn stream_track(
    State(app): State<AppState>,
    _user: AuthUser,
    HashParam(trackhash): HashParam,
    ApiQuery(query): ApiQuery<StreamQuery>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let roots = match app.root_paths().await {
        Ok(roots) => roots,
        Err(err) => return ApiError::internal(err).into_response(),
    };
    let library = app.library();
    let source = match resolve(&library, trackhash, &query.filepath, &roots) {
        Ok(source) => source,
        Err(rejection) => return rejection.into_response(),
    };

    let transcode_to =
        match transcode::requested_output(query.quality.as_deref(), query.container.as_deref()) {
            Ok(output) => output,
            Err(reason) => return bad_request(&reason),
        };
    let Some((container, requested_kbps)) = transcode_to else {
        let options = file::ServeOptions {
            content_type: audio_content_type(&source.path),
            disposition: Some(file::attachment_disposition(&file_name(&source.path))),
            cache_control: None,
        };
        return match file::serve(&source.path, &headers, &options).await {
            Ok(response) => response,
            Err(err) => {
                tracing::warn!(path = %source.path.display(), error = %err, "opening audio file");
                not_found()
            }
        };
    };

    let plan = TranscodePlan::new(container, source.bitrate_kbps, requested_kbps);
    let download_name = Path::new(&file_name(&source.path))
        .with_extension(container.extension())
        .to_string_lossy()
        .into_owned();
    let mut response_headers = HeaderMap::new();
    response_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(container.content_type()),
    );
    response_headers.insert(
        header::CONTENT_DISPOSITION,
        file::attachment_disposition(&download_name),
    );
    response_headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("none"));
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response_headers.insert(
        "x-transcoded-bitrate",
        HeaderValue::from(plan.reported_bitrate(source.bitrate_kbps)),
    );

    if method == Method::HEAD {
        // Headers only: starting an encoder whose output is thrown away would be waste.
        if !transcode::ffmpeg_available(&app.config.ffmpeg) {
            return transcoder_unavailable();
        }
        return (StatusCode::OK, response_headers).into_response();
    }
    match transcode::start(&app.config.ffmpeg, &source.path, &plan).await {
        Ok(running) => (StatusCode::OK, response_headers, running.into_body()).into_response(),
        Err(TranscodeError::FfmpegMissing(path)) => {
            tracing::warn!(ffmpeg = %path.display(), "transcoding requested but ffmpeg is missing");
            transcoder_unavailable()
        }
        Err(err) => {
            tracing::warn!(path = %source.path.display(), error = %err, "transcoding failed");
            ApiError::msg(StatusCode::INTERNAL_SERVER_ERROR, "Transcoding failed").into_response()
        }
    }
}

/// The file chosen for a request and what the encoder needs to know about it.
#[derive(Debug)]
struct Source {
    path: PathBuf,
    bitrate_kbps: u32,
}

/// Why a stream request was refused, in Swing's shapes.
#[derive(Debug, PartialEq)]
enum Rejection {
    Traversal,
    OutsideRoots,
    NotFound,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::Traversal => refusal(
                StatusCode::BAD_REQUEST,
                "Invalid filepath",
                "Path traversal detected",
            ),
            Rejection::OutsideRoots => refusal(
                StatusCode::BAD_REQUEST,
                "Invalid filepath",
                "File not inside root directories",
            ),
            Rejection::NotFound => not_found(),
        }
    }
}

/// Reference §5.14: refuse traversal and paths outside the roots, then let the index pick the
/// file (the exact path if it is indexed under this trackhash, else the best copy of the track).
/// The chosen file is checked against the roots again: the index may still hold files of a root
/// that was just removed.
fn resolve(
    library: &swingfly_library::Library,
    trackhash: swingfly_model::Hash,
    filepath: &str,
    roots: &[PathBuf],
) -> Result<Source, Rejection> {
    let requested = Path::new(filepath);
    if filepath.contains("/../") || requested.components().any(|c| c == Component::ParentDir) {
        return Err(Rejection::Traversal);
    }
    if !inside_roots(requested, roots) {
        return Err(Rejection::OutsideRoots);
    }
    let track = library
        .resolve_stream(trackhash, filepath)
        .ok_or(Rejection::NotFound)?;
    let path = PathBuf::from(&*track.filepath);
    if !inside_roots(&path, roots) {
        return Err(Rejection::NotFound);
    }
    Ok(Source {
        path,
        bitrate_kbps: track.bitrate,
    })
}

/// True when `path` is absolute and lies under one of the roots (compared by whole components,
/// so `/music2` is not inside `/music`).
fn inside_roots(path: &Path, roots: &[PathBuf]) -> bool {
    path.is_absolute()
        && roots
            .iter()
            .any(|root| path.starts_with(root) && path != root)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "audio".to_string())
}

/// Content types by extension, as Swing sends them (reference §3.5).
pub(crate) fn audio_content_type(path: &Path) -> String {
    let ext = path
        .extension()
        .map(|ext| ext.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "" => "application/octet-stream".to_string(),
        "mp3" => "audio/mpeg".to_string(),
        "flac" => "audio/flac".to_string(),
        "wav" => "audio/x-wav".to_string(),
        "m4a" | "alac" => "audio/mp4".to_string(),
        "ogg" | "opus" => "audio/ogg".to_string(),
        "wma" => "audio/x-ms-wma".to_string(),
        "aiff" | "aif" => "audio/x-aiff".to_string(),
        other => format!("audio/{other}"),
    }
}

fn not_found() -> Response {
    ApiError::msg(StatusCode::NOT_FOUND, "File Not Found").into_response()
}

fn refusal(status: StatusCode, msg: &'static str, error: &str) -> Response {
    let body = Refusal {
        msg,
        error: error.to_string(),
    };
    (status, Json(body)).into_response()
}

fn bad_request(reason: &str) -> Response {
    refusal(StatusCode::BAD_REQUEST, "Invalid request", reason)
}

fn transcoder_unavailable() -> Response {
    refusal(
        StatusCode::SERVICE_UNAVAILABLE,
        "Transcoding unavailable",
        "ffmpeg is not installed on the server; request the original quality instead",
    )
}

/// Sending a file from disk with HTTP validators, conditional requests and single byte ranges
/// (RFC 9110 §13, §14). Shared with the image routes.
pub(crate) mod file {
    use std::io::{self, SeekFrom};
    use std::path::Path;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use axum::body::Body;
    use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
    use axum::response::Response;
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    use tokio_util::io::ReaderStream;

    const READ_CHUNK: usize = 64 * 1024;

    pub(crate) struct ServeOptions {
        pub content_type: String,
        pub disposition: Option<HeaderValue>,
        pub cache_control: Option<&'static str>,
    }

    /// Sends `path` honouring If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since,
    /// Range and If-Range. The body is streamed from disk in chunks. Fails only when the file
    /// cannot be opened (the caller decides what "missing" means for its route).
    pub(crate) async fn serve(
        path: &Path,
        request: &HeaderMap,
        options: &ServeOptions,
    ) -> io::Result<Response> {
        let mut file = tokio::fs::File::open(path).await?;
        let metadata = file.metadata().await?;
        if !metadata.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "not a regular file",
            ));
        }
        let validators = Validators::new(metadata.len(), metadata.modified().unwrap_or(UNIX_EPOCH));
        let len = metadata.len();

        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        headers.insert(header::ETAG, header_value(&validators.etag));
        headers.insert(
            header::LAST_MODIFIED,
            header_value(&httpdate::fmt_http_date(validators.modified)),
        );
        if let Some(cache_control) = options.cache_control {
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            );
        }

        match precondition(request, &validators) {
            Precondition::Proceed => {}
            Precondition::NotModified => {
                return Ok(respond(StatusCode::NOT_MODIFIED, headers, Body::empty()))
            }
            Precondition::Failed => {
                return Ok(respond(
                    StatusCode::PRECONDITION_FAILED,
                    headers,
                    Body::empty(),
                ))
            }
        }

        headers.insert(header::CONTENT_TYPE, header_value(&options.content_type));
        if let Some(disposition) = &options.disposition {
            headers.insert(header::CONTENT_DISPOSITION, disposition.clone());
        }

        let range = match text(request, header::RANGE) {
            Some(range) if if_range_allows(request, &validators) => parse_range(range, len),
            _ => ByteRange::Full,
        };
        let (status, start, count) = match range {
            ByteRange::Full => (StatusCode::OK, 0, len),
            ByteRange::Partial { start, end } => {
                headers.insert(
                    header::CONTENT_RANGE,
                    header_value(&format!("bytes {start}-{end}/{len}")),
                );
                (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
            }
            ByteRange::Unsatisfiable => {
                headers.insert(
                    header::CONTENT_RANGE,
                    header_value(&format!("bytes */{len}")),
                );
                headers.insert(header::CONTENT_LENGTH, HeaderValue::from(0));
                headers.remove(header::CONTENT_DISPOSITION);
                return Ok(respond(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    headers,
                    Body::empty(),
                ));
            }
        };
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
        if start > 0 {
            file.seek(SeekFrom::Start(start)).await?;
        }
        let body = Body::from_stream(ReaderStream::with_capacity(file.take(count), READ_CHUNK));
        Ok(respond(status, headers, body))
    }

    fn respond(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
        let mut response = Response::new(body);
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        response
    }

    fn header_value(text: &str) -> HeaderValue {
        HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
        headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// A file's validators: a strong ETag from its size and modification time, and the
    /// modification time at one-second resolution (what Last-Modified can express).
    #[derive(Debug)]
    pub(crate) struct Validators {
        pub etag: String,
        pub modified: SystemTime,
    }

    impl Validators {
        pub(crate) fn new(len: u64, modified: SystemTime) -> Self {
            let since_epoch = modified.duration_since(UNIX_EPOCH).unwrap_or_default();
            Self {
                etag: format!("\"{len:x}-{:x}\"", since_epoch.as_nanos()),
                modified: UNIX_EPOCH + Duration::from_secs(since_epoch.as_secs()),
            }
        }
    }

    #[derive(Debug, PartialEq, Eq)]
    pub(crate) enum Precondition {
        Proceed,
        NotModified,
        Failed,
    }

    /// RFC 9110 §13.2.2 order: If-Match, else If-Unmodified-Since; then If-None-Match, else
    /// If-Modified-Since. Only GET and HEAD reach here, so a matching If-None-Match means 304.
    pub(crate) fn precondition(request: &HeaderMap, validators: &Validators) -> Precondition {
        if let Some(if_match) = text(request, header::IF_MATCH) {
            if !etag_list_matches(if_match, &validators.etag, false) {
                return Precondition::Failed;
            }
        } else if let Some(since) = text(request, header::IF_UNMODIFIED_SINCE).and_then(parse_date)
        {
            if validators.modified > since {
                return Precondition::Failed;
            }
        }
        if let Some(if_none_match) = text(request, header::IF_NONE_MATCH) {
            if etag_list_matches(if_none_match, &validators.etag, true) {
                return Precondition::NotModified;
            }
        } else if let Some(since) = text(request, header::IF_MODIFIED_SINCE).and_then(parse_date) {
            if validators.modified <= since {
                return Precondition::NotModified;
            }
        }
        Precondition::Proceed
    }

    /// If-Range: the range applies only when the validator matches exactly (a strong ETag or the
    /// exact Last-Modified date); otherwise the whole file is sent.
    fn if_range_allows(request: &HeaderMap, validators: &Validators) -> bool {
        let Some(value) = text(request, header::IF_RANGE).map(str::trim) else {
            return true;
        };
        if value.starts_with("W/") {
            return false;
        }
        if value.starts_with('"') {
            return value == validators.etag;
        }
        parse_date(value).is_some_and(|date| date == validators.modified)
    }

    fn parse_date(value: &str) -> Option<SystemTime> {
        httpdate::parse_http_date(value.trim()).ok()
    }

    /// Does a list like `"a", W/"b"` (or `*`) contain `etag`? Weak comparison ignores `W/`;
    /// strong comparison never matches a weak tag.
    pub(crate) fn etag_list_matches(list: &str, etag: &str, weak_comparison: bool) -> bool {
        if list.trim() == "*" {
            return true;
        }
        let mut rest = list;
        loop {
            rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
            if rest.is_empty() {
                return false;
            }
            let is_weak = rest.starts_with("W/");
            if is_weak {
                rest = &rest[2..];
            }
            let Some(body) = rest.strip_prefix('"') else {
                return false; // malformed list: treat as no match
            };
            let Some(close) = body.find('"') else {
                return false;
            };
            let candidate = &rest[..close + 2];
            if candidate == etag && (weak_comparison || !is_weak) {
                return true;
            }
            rest = &body[close + 1..];
        }
    }

    #[derive(Debug, PartialEq, Eq)]
    pub(crate) enum ByteRange {
        /// No usable Range header: send everything with 200.
        Full,
        /// Inclusive byte positions.
        Partial {
            start: u64,
            end: u64,
        },
        Unsatisfiable,
    }

    /// Parses a `Range` header for a file of `len` bytes. Syntax errors, other units and
    /// multi-range requests are ignored (RFC 9110 allows a server to ignore Range), which sends the
    /// whole file.
    pub(crate) fn parse_range(header: &str, len: u64) -> ByteRange {
        let header = header.trim();
        let Some(unit_end) = header.find('=') else {
            return ByteRange::Full;
        };
        if !header[..unit_end].trim().eq_ignore_ascii_case("bytes") {
            return ByteRange::Full;
        }
        let specs = &header[unit_end + 1..];
        if specs.contains(',') {
            return ByteRange::Full;
        }
        let Some((first, last)) = specs.trim().split_once('-') else {
            return ByteRange::Full;
        };
        let number = |text: &str| -> Option<u64> {
            let text = text.trim();
            (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse().ok())
                .flatten()
        };
        match (first.trim().is_empty(), number(first), number(last)) {
            // bytes=-N: the last N bytes.
            (true, _, Some(suffix)) => {
                if suffix == 0 || len == 0 {
                    ByteRange::Unsatisfiable
                } else {
                    ByteRange::Partial {
                        start: len.saturating_sub(suffix),
                        end: len - 1,
                    }
                }
            }
            (false, Some(start), None) if last.trim().is_empty() => {
                if start >= len {
                    ByteRange::Unsatisfiable
                } else {
                    ByteRange::Partial {
                        start,
                        end: len - 1,
                    }
                }
            }
            (false, Some(start), Some(end)) if start <= end => {
                if start >= len {
                    ByteRange::Unsatisfiable
                } else {
                    ByteRange::Partial {
                        start,
                        end: end.min(len - 1),
                    }
                }
            }
            _ => ByteRange::Full,
        }
    }

    /// `attachment; filename="..."`, plus an RFC 5987 `filename*` when the name is not plain
    /// ASCII, so any file name is sent safely and shown correctly.
    pub(crate) fn attachment_disposition(name: &str) -> HeaderValue {
        let plain = |c: char| c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\';
        let value = if name.chars().all(plain) {
            format!("attachment; filename=\"{name}\"")
        } else {
            let fallback: String = deunicode::deunicode(name)
                .chars()
                .map(|c| if plain(c) && c != '%' { c } else { '_' })
                .collect();
            format!(
                "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
                rfc5987_encode(name)
            )
        };
        HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
    }

    fn rfc5987_encode(text: &str) -> String {
        let mut out = String::with_capacity(text.len() * 3);
        for byte in text.bytes() {
            let keep = byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte);
            if keep {
                out.push(byte as char);
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn ranges() {
            assert_eq!(
                parse_range("bytes=0-99", 1000),
                ByteRange::Partial { start: 0, end: 99 }
            );
            assert_eq!(
                parse_range("bytes=900-", 1000),
                ByteRange::Partial {
                    start: 900,
                    end: 999
                }
            );
            assert_eq!(
                parse_range("bytes=-100", 1000),
                ByteRange::Partial {
                    start: 900,
                    end: 999
                }
            );
            assert_eq!(
                parse_range("bytes=-5000", 1000),
                ByteRange::Partial { start: 0, end: 999 }
            );
            assert_eq!(
                parse_range("bytes=500-5000", 1000),
                ByteRange::Partial {
                    start: 500,
                    end: 999
                }
            );
            assert_eq!(
                parse_range("Bytes = 1-1", 1000),
                ByteRange::Partial { start: 1, end: 1 }
            );
            assert_eq!(parse_range("bytes=1000-", 1000), ByteRange::Unsatisfiable);
            assert_eq!(parse_range("bytes=-0", 1000), ByteRange::Unsatisfiable);
            assert_eq!(parse_range("bytes=0-", 0), ByteRange::Unsatisfiable);
            assert_eq!(parse_range("bytes=5-1", 1000), ByteRange::Full);
            assert_eq!(parse_range("bytes=0-1,5-6", 1000), ByteRange::Full);
            assert_eq!(parse_range("items=0-1", 1000), ByteRange::Full);
            assert_eq!(parse_range("bytes=abc", 1000), ByteRange::Full);
            assert_eq!(parse_range("bytes=+1-2", 1000), ByteRange::Full);
        }

        #[test]
        fn etag_lists() {
            let etag = "\"abc-1\"";
            assert!(etag_list_matches("\"abc-1\"", etag, false));
            assert!(etag_list_matches("\"x\", W/\"abc-1\"", etag, true));
            assert!(!etag_list_matches("W/\"abc-1\"", etag, false));
            assert!(etag_list_matches("*", etag, false));
            assert!(!etag_list_matches("\"abc-2\"", etag, true));
            assert!(!etag_list_matches("abc-1", etag, true));
        }

        #[test]
        fn conditional_order() {
            let validators =
                Validators::new(10, UNIX_EPOCH + Duration::from_millis(1_700_000_000_500));
            let mut request = HeaderMap::new();
            assert_eq!(precondition(&request, &validators), Precondition::Proceed);
            request.insert(
                header::IF_MODIFIED_SINCE,
                header_value(&httpdate::fmt_http_date(validators.modified)),
            );
            assert_eq!(
                precondition(&request, &validators),
                Precondition::NotModified
            );
            // If-None-Match wins over If-Modified-Since.
            request.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"other\""));
            assert_eq!(precondition(&request, &validators), Precondition::Proceed);
            request.insert(header::IF_MATCH, HeaderValue::from_static("\"other\""));
            assert_eq!(precondition(&request, &validators), Precondition::Failed);
        }

        #[test]
        fn dispositions() {
            assert_eq!(
                attachment_disposition("01 - Song.flac"),
                "attachment; filename=\"01 - Song.flac\""
            );
            let unicode = attachment_disposition("Beyoncé \"Halo\" 100%.mp3");
            let unicode = unicode.to_str().unwrap();
            assert!(
                unicode.starts_with("attachment; filename=\"Beyonce _Halo_ 100_.mp3\"; "),
                "{unicode}"
            );
            assert!(
                unicode.ends_with("filename*=UTF-8''Beyonc%C3%A9%20%22Halo%22%20100%25.mp3"),
                "{unicode}"
            );
            let cjk = attachment_disposition("夜に駆ける.flac");
            assert!(cjk.to_str().unwrap().contains("filename*=UTF-8''%E5%A4%9C"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_compare_whole_components() {
        let roots = vec![PathBuf::from("/music")];
        assert!(inside_roots(Path::new("/music/a/b.mp3"), &roots));
        assert!(!inside_roots(Path::new("/music2/b.mp3"), &roots));
        assert!(!inside_roots(Path::new("/music"), &roots));
        assert!(!inside_roots(Path::new("music/b.mp3"), &roots));
    }

    #[test]
    fn content_types_follow_swing() {
        assert_eq!(audio_content_type(Path::new("/a/b.WAV")), "audio/x-wav");
        assert_eq!(audio_content_type(Path::new("/a/b.m4a")), "audio/mp4");
        assert_eq!(audio_content_type(Path::new("/a/b.opus")), "audio/ogg");
        assert_eq!(audio_content_type(Path::new("/a/b.aiff")), "audio/x-aiff");
        assert_eq!(audio_content_type(Path::new("/a/b.ape")), "audio/ape");
    }
}
