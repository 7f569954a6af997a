//! Swing Music's routes, one module per area. Each module exposes `router()` and `openapi()`, the
//! description of its routes, listed in [`openapi_parts`]. `tests/openapi_doc.rs` checks that
//! every route is described.

pub mod auth;
pub mod folder;
pub mod images;
pub mod library;
pub mod onboarding;
pub mod search;
pub mod settings;
pub mod stream;

use axum::Router;

use crate::AppState;

/// Every Swing route, before the middleware of [`crate::router`].
pub fn swing_routes() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(onboarding::router())
        .merge(library::router())
        .merge(folder::router())
        .merge(search::router())
        .merge(stream::router())
        .merge(images::router())
        .merge(settings::router())
}

/// The OpenAPI parts of the route modules, in the order of [`swing_routes`].
pub fn openapi_parts() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        auth::openapi(),
        onboarding::openapi(),
        library::openapi(),
        folder::openapi(),
        search::openapi(),
        stream::openapi(),
        images::openapi(),
        settings::openapi(),
    ]
}
