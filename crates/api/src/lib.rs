//! HTTP adapters: Swing Music's routes over axum, auth extraction, error mapping and OpenAPI.
//! Handlers parse, call a service, serialise; business rules live in `swingfly-services`.

pub mod assets;
pub mod auth_extract;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod routes;
pub mod server;
pub mod transcode;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, Extensions, HeaderMap, StatusCode, Version};
use axum::routing::get;
use axum::Router;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};
use tower_http::normalize_path::NormalizePath;
use tower_http::trace::TraceLayer;

pub use error::{ApiError, ApiResult};
pub use server::{serve, serve_listener, shutdown_signal};

/// The state every handler receives.
pub type AppState = Arc<swingfly_services::app::App>;

/// The largest request body any extractor reads (playlist images are the biggest uploads).
/// A route needing more can set its own `DefaultBodyLimit`.
pub const MAX_REQUEST_BODY_BYTES: usize = 16 * 1024 * 1024;

/// How long browsers may cache a CORS preflight answer.
const CORS_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// The whole HTTP application: Swing's routes behind the auth guard, with both trailing-slash forms
/// of every path answering the same route, CORS that echoes the caller's origin with credentials
/// (as Swing does), JSON-only compression, a request body limit and request tracing.
pub fn router(state: AppState) -> Router {
    let routes = routes::swing_routes()
        .route("/docs/openapi.json", get(openapi::serve_document))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth_extract::auth_guard,
        ))
        .with_state(state);
    // Routing happens after the trailing slash is trimmed, so `/search/` and `/search` (and every
    // other pair) reach the same handler without a redirect.
    let routes = NormalizePath::trim_trailing_slash(routes);
    Router::new()
        .fallback_service(routes)
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY_BYTES))
        .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(is_json)))
        .layer(cors())
        .layer(TraceLayer::new_for_http())
}

/// A response whose JSON body a service or the library has already written (the track-heavy
/// answers are written straight from the index, the home page comes from the cache tier).
pub(crate) fn json_response(body: impl Into<axum::body::Body>) -> axum::response::Response {
    axum::response::IntoResponse::into_response((
        [(header::CONTENT_TYPE, "application/json")],
        body.into(),
    ))
}

async fn not_found() -> ApiError {
    ApiError::msg(StatusCode::NOT_FOUND, "Not found")
}

/// Swing (flask-cors with `origins="*"` and credentials) echoes the request's Origin, allows every
/// method and header, and answers preflights without auth.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_credentials(true)
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .max_age(CORS_MAX_AGE)
}

/// Only JSON is compressed: audio and images are already compressed, and event streams must not be
/// buffered.
fn is_json(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"))
}
