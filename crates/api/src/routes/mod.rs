//! Swing Music's routes, one module per area. Each module exposes `router()` and `openapi()`, the
//! description of its routes, listed in [`openapi_parts`]. `tests/openapi_doc.rs` checks that
//! every route is described.

pub mod auth;
pub mod backup;
pub mod collections;
pub mod dragonfly;
pub mod events;
pub mod favorites;
pub mod folder;
pub mod home;
pub mod images;
pub mod lastfm;
pub mod library;
pub mod logger;
pub mod lyrics;
pub mod metadata;
pub mod mixes;
pub mod onboarding;
pub mod playlists;
pub mod plugins;
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
        .merge(favorites::router())
        .merge(logger::router())
        .merge(playlists::router())
        .merge(collections::router())
        .merge(home::router())
        .merge(mixes::router())
        .merge(lyrics::router())
        .merge(plugins::router())
        .merge(lastfm::router())
        .merge(backup::router())
        .merge(events::router())
        .merge(dragonfly::router())
        .merge(metadata::router())
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
        favorites::openapi(),
        logger::openapi(),
        playlists::openapi(),
        collections::openapi(),
        home::openapi(),
        mixes::openapi(),
        lyrics::openapi(),
        plugins::openapi(),
        lastfm::openapi(),
        backup::openapi(),
        events::openapi(),
        dragonfly::openapi(),
        metadata::openapi(),
    ]
}
