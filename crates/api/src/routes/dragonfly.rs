//! The cache tier's monitoring API (extensions contract §1), admin only: health, server statistics,
//! per-namespace services and key counts, clearing, an hour of 5-second history for charts, the
//! namespace registry, and Prometheus text at `/metrics`. In embedded mode the same routes answer
//! for the in-process tier.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::Value;
use swingfly_cache::Namespace;
use utoipa::{OpenApi, ToSchema};

use crate::auth_extract::AdminUser;
use crate::routes::auth::Message;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dragonfly/health", get(health))
        .route("/dragonfly/stats", get(stats))
        .route("/dragonfly/services", get(services))
        .route("/dragonfly/keys", get(keys))
        .route("/dragonfly/namespaces", get(namespaces))
        .route("/dragonfly/history", get(history))
        .route("/dragonfly/clear/{namespace}", post(clear_namespace))
        .route("/dragonfly/clear-all", post(clear_all))
        .route("/metrics", get(prometheus))
}

#[derive(OpenApi)]
#[openapi(
    paths(health, stats, services, keys, namespaces, history, clear_namespace, clear_all, prometheus),
    components(schemas(Cleared, ClearedAll)),
    tags((name = "dragonfly", description = "The cache tier's monitoring API (admin only)"))
)]
struct DragonflyDoc;

pub fn openapi() -> utoipa::openapi::OpenApi {
    DragonflyDoc::openapi()
}

#[utoipa::path(get, path = "/dragonfly/health", operation_id = "dragonfly_health", tag = "dragonfly",
    responses(
        (status = 200, description = "`{connected, latency_ms, message, status: healthy|slow|disconnected, mode: embedded|dragonfly, breaker: closed|open, breaker_trips}` (a timed PING with a cache server)", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
    ))]
async fn health(State(app): State<AppState>, _admin: AdminUser) -> Json<swingfly_cache::Health> {
    Json(app.cache.health().await)
}

#[utoipa::path(get, path = "/dragonfly/stats", operation_id = "dragonfly_stats", tag = "dragonfly",
    responses(
        (status = 200, description = "INFO-like sections: `memory.used_memory_human`, `memory.used_memory_peak_human`, `clients.connected_clients`, `keyspace.db0.keys`, `server.uptime_in_seconds` and the rest of the server's INFO, plus `tier` (mode, breaker, in-process entries and bytes)", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
    ))]
async fn stats(State(app): State<AppState>, _admin: AdminUser) -> Json<Value> {
    Json(app.cache.stats().await)
}

#[derive(Serialize)]
struct Services {
    services: Vec<swingfly_cache::ServiceStats>,
}

#[utoipa::path(get, path = "/dragonfly/services", operation_id = "dragonfly_services", tag = "dragonfly",
    responses(
        (status = 200, description = "`{services: [{name, title, key_count, hit_rate, last_updated, use_case, data_type, ttl, scope, owner, invalidation, rebuild}]}`, one per registered namespace; hit_rate over the in-process and remote tiers", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
    ))]
async fn services(State(app): State<AppState>, _admin: AdminUser) -> Json<Services> {
    Json(Services {
        services: app.cache.services().await,
    })
}

#[derive(Serialize)]
struct Keys {
    keys: Vec<swingfly_cache::NamespaceKeys>,
}

#[utoipa::path(get, path = "/dragonfly/keys", operation_id = "dragonfly_keys", tag = "dragonfly",
    responses(
        (status = 200, description = "`{keys: [{namespace, count}]}`, counted with SCAN (never KEYS)", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
    ))]
async fn keys(State(app): State<AppState>, _admin: AdminUser) -> Json<Keys> {
    Json(Keys {
        keys: app.cache.key_counts().await,
    })
}

#[derive(Serialize)]
struct Namespaces {
    namespaces: &'static [swingfly_cache::NamespaceSpec],
}

#[utoipa::path(get, path = "/dragonfly/namespaces", operation_id = "dragonfly_namespaces", tag = "dragonfly",
    responses(
        (status = 200, description = "The namespace registry: `{namespaces: [{name, use_case, title, data_type, ttl (seconds or null), scope, owner, invalidation, rebuild}]}`", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
    ))]
async fn namespaces(_admin: AdminUser) -> Json<Namespaces> {
    Json(Namespaces {
        namespaces: swingfly_cache::REGISTRY,
    })
}

#[derive(Serialize)]
struct History {
    interval_seconds: u64,
    /// Cumulative figures since start, per namespace and tier.
    totals: Vec<swingfly_cache::metrics::CellSnapshot>,
    /// The last hour, oldest first; each point lists the namespace/tier cells active in it.
    points: Vec<swingfly_cache::metrics::HistoryPoint>,
}

#[utoipa::path(get, path = "/dragonfly/history", operation_id = "dragonfly_history", tag = "dragonfly",
    responses(
        (status = 200, description = "`{interval_seconds: 5, totals: [{namespace, tier: local|remote|source, hits, misses, errors, fallbacks, hit_rate, p50_ms, p99_ms}], points: [{timestamp, cells: [{namespace, tier, hits, misses, errors, fallbacks, p50_ms, p99_ms}]}]}`: the last hour at 5 s resolution", body = Object),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
    ))]
async fn history(State(app): State<AppState>, _admin: AdminUser) -> Json<History> {
    let metrics = app.cache.metrics();
    Json(History {
        interval_seconds: swingfly_cache::metrics::SAMPLE_INTERVAL.as_secs(),
        totals: metrics.snapshot(),
        points: metrics.history(),
    })
}

#[derive(Serialize, ToSchema)]
struct Cleared {
    success: bool,
    message: String,
    cleared_count: u64,
}

#[utoipa::path(post, path = "/dragonfly/clear/{namespace}", operation_id = "dragonfly_clear_namespace", tag = "dragonfly",
    params(("namespace" = String, Path, description = "A registered namespace name (see /dragonfly/namespaces)")),
    responses(
        (status = 200, description = "Every key of the namespace deleted on the server and in every instance's in-process layer; the data is rebuilt from SQL on demand", body = Cleared),
        (status = 404, description = "Not a registered namespace: `{success: false, message, cleared_count: 0}`", body = Cleared),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
    ))]
async fn clear_namespace(
    State(app): State<AppState>,
    _admin: AdminUser,
    Path(name): Path<String>,
) -> (StatusCode, Json<Cleared>) {
    let Some(namespace) = Namespace::from_name(&name) else {
        return (
            StatusCode::NOT_FOUND,
            Json(Cleared {
                success: false,
                message: format!("Unknown namespace \"{name}\""),
                cleared_count: 0,
            }),
        );
    };
    let cleared_count = app.cache.clear_namespace(namespace).await;
    (
        StatusCode::OK,
        Json(Cleared {
            success: true,
            message: format!("Cleared {cleared_count} keys from {}", namespace.name()),
            cleared_count,
        }),
    )
}

#[derive(Serialize, ToSchema)]
struct ClearedAll {
    success: bool,
    message: String,
}

#[utoipa::path(post, path = "/dragonfly/clear-all", operation_id = "dragonfly_clear_all", tag = "dragonfly",
    responses(
        (status = 200, description = "Every registered namespace cleared (only Swingfly's `sf:*` keys; other data on the server is kept)", body = ClearedAll),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
    ))]
async fn clear_all(State(app): State<AppState>, _admin: AdminUser) -> Json<ClearedAll> {
    let cleared = app.cache.clear_all().await;
    Json(ClearedAll {
        success: true,
        message: format!("Cleared {cleared} keys"),
    })
}

#[utoipa::path(get, path = "/metrics", operation_id = "dragonfly_prometheus_metrics", tag = "dragonfly",
    responses(
        (status = 200, description = "Prometheus text exposition: cache hits, misses, errors and fallbacks per namespace and tier, latency quantiles, the breaker state", content_type = "text/plain"),
        (status = 401, description = "Missing, expired or revoked token", body = Message),
        (status = 403, description = "Not an admin", body = Message),
    ))]
async fn prometheus(State(app): State<AppState>, _admin: AdminUser) -> impl IntoResponse {
    let mut text = app.cache.metrics().prometheus();
    let open = u8::from(app.cache.breaker_state() == swingfly_cache::BreakerState::Open);
    text.push_str(&format!(
        "# HELP swingfly_cache_breaker_open Whether the cache server is bypassed (1) or used (0).\n# TYPE swingfly_cache_breaker_open gauge\nswingfly_cache_breaker_open {open}\n"
    ));
    let library = app.library().stats();
    text.push_str(&format!(
        "# HELP swingfly_library_tracks Tracks in the index.\n# TYPE swingfly_library_tracks gauge\nswingfly_library_tracks {}\n",
        library.tracks
    ));
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
}
