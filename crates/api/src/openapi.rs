//! The OpenAPI document (utoipa), served at `/docs/openapi.json`. Each route module describes its
//! own routes with `pub fn openapi() -> utoipa::openapi::OpenApi`; this file merges them, declares
//! how callers authenticate and marks the routes the auth guard lets through as public.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::{OpenApi, ToSchema};

use crate::auth_extract::{is_public_path, ACCESS_COOKIE};
use crate::routes;

/// The security scheme of an access token sent as `Authorization: Bearer` (the Android client).
pub const BEARER_SCHEME: &str = "bearer";
/// The security scheme of a refresh token sent as `Authorization: Bearer` (`/auth/refresh` only).
pub const BEARER_REFRESH_SCHEME: &str = "bearer_refresh";
/// The security scheme of an access token in the `access_token_cookie` cookie (the web client).
/// Named after the cookie, so the name says what to send.
pub const COOKIE_SCHEME: &str = ACCESS_COOKIE;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Swingfly",
        description = "A self-hosted music server that speaks Swing Music's HTTP API. Routes need \
                       an access token, sent as `Authorization: Bearer <jwt>` or in the cookie \
                       `access_token_cookie`, unless their `security` is empty (public). A \
                       missing, expired or revoked token is a 401; a malformed one, or a refresh \
                       token where an access token belongs, is a 422."
    ),
    paths(serve_document),
    components(schemas(ErrorText)),
    tags((name = "docs", description = "This document"))
)]
struct BaseDoc;

/// `{"error": text}`: the error shape of the library, folder and search routes (Swing's).
#[derive(Debug, ToSchema)]
pub struct ErrorText {
    pub error: String,
}

/// The whole document: the base plus every route module's part, with the security schemes.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = BaseDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    for part in routes::openapi_parts() {
        doc.merge(part);
    }
    add_security_schemes(&mut doc);
    // Every route needs an access token, by either scheme...
    doc.security = Some(vec![
        SecurityRequirement::new(BEARER_SCHEME, Vec::<String>::new()),
        SecurityRequirement::new(COOKIE_SCHEME, Vec::<String>::new()),
    ]);
    // ...except those the guard lets through. Asking the guard keeps the two from disagreeing.
    // A route that says something itself (optional auth, the refresh token) keeps its say.
    for (path, item) in doc.paths.paths.iter_mut() {
        if !is_public_path(path) {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            mark_public(operation);
        }
    }
    doc
}

/// An empty `security` list overrides the document's: no token is needed.
fn mark_public(operation: &mut Operation) {
    operation.security.get_or_insert_with(Vec::new);
}

fn add_security_schemes(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER_SCHEME,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "An access token from `/auth/login`, `/auth/refresh` or `/auth/pair`",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        BEARER_REFRESH_SCHEME,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some("A refresh token (`refreshtoken` of a login answer)"))
                .build(),
        ),
    );
    components.add_security_scheme(
        COOKIE_SCHEME,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            ACCESS_COOKIE,
            "The access token as the cookie that login sets (HttpOnly, SameSite=Lax)",
        ))),
    );
}

/// This OpenAPI document.
#[utoipa::path(get, path = "/docs/openapi.json", tag = "docs",
    responses((status = 200, description = "This OpenAPI document", body = Object)))]
pub async fn serve_document() -> Response {
    // Built once: the routes do not change while the server runs.
    static JSON: OnceLock<String> = OnceLock::new();
    let json = JSON.get_or_init(|| document().to_json().unwrap_or_else(|_| "{}".to_string()));
    ([(header::CONTENT_TYPE, "application/json")], json.as_str()).into_response()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// `merge` keeps the first schema of a name and drops the rest silently, so two modules
    /// naming different shapes alike would publish one of them wrongly.
    #[test]
    fn schema_names_are_unambiguous_across_modules() {
        let mut seen: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        let parts = std::iter::once(BaseDoc::openapi()).chain(routes::openapi_parts());
        for part in parts {
            for (name, schema) in part.components.map(|c| c.schemas).unwrap_or_default() {
                let schema = serde_json::to_value(schema).unwrap();
                if let Some(earlier) = seen.insert(name.clone(), schema.clone()) {
                    assert_eq!(earlier, schema, "two different schemas are named {name}");
                }
            }
        }
    }

    #[test]
    fn public_routes_need_no_token_and_the_rest_need_one() {
        let doc = serde_json::to_value(document()).unwrap();
        let schemes = &doc["components"]["securitySchemes"];
        assert_eq!(schemes[COOKIE_SCHEME]["type"], "apiKey");
        assert_eq!(schemes[COOKIE_SCHEME]["in"], "cookie");
        assert_eq!(schemes[COOKIE_SCHEME]["name"], "access_token_cookie");
        assert_eq!(schemes[BEARER_SCHEME]["scheme"], "bearer");
        assert_eq!(
            doc["security"],
            serde_json::json!([{"bearer": []}, {"access_token_cookie": []}])
        );
        assert_eq!(
            doc["paths"]["/auth/login"]["post"]["security"],
            serde_json::json!([])
        );
        assert_eq!(
            doc["paths"]["/img/artist/{imgpath}"]["get"]["security"],
            serde_json::json!([])
        );
        assert_eq!(
            doc["paths"]["/auth/refresh"]["post"]["security"],
            serde_json::json!([{"bearer_refresh": []}])
        );
        assert!(doc["paths"]["/album"]["post"].get("security").is_none());
    }
}
