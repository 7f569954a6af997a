//! The OpenAPI document (utoipa), served at `/docs/openapi.json`. Each route module describes its
//! own routes with `pub fn openapi() -> utoipa::openapi::OpenApi`; this file merges them.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;

use crate::routes;

#[derive(OpenApi)]
#[openapi(info(
    title = "Swingfly",
    description = "A self-hosted music server that speaks Swing Music's HTTP API. Routes need an \
                   access token (cookie `access_token_cookie` or `Authorization: Bearer`) unless \
                   marked public in the Swing Music reference."
))]
struct BaseDoc;

/// The whole document: the base plus every route module's part.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = BaseDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    for part in routes::openapi_parts() {
        doc.merge(part);
    }
    let components = doc.components.get_or_insert_with(Default::default);
    for name in ["bearer", "bearer_refresh"] {
        components.add_security_scheme(
            name,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
    doc
}

/// `GET /docs/openapi.json` (public). The document is built once.
pub async fn serve_document() -> Response {
    static JSON: OnceLock<String> = OnceLock::new();
    let json = JSON.get_or_init(|| document().to_json().unwrap_or_else(|_| "{}".to_string()));
    ([(header::CONTENT_TYPE, "application/json")], json.as_str()).into_response()
}
