//! `/docs/openapi.json` describes every route the server answers, and is a well-formed OpenAPI 3
//! document: fetched from a real server over a temporary data folder, without a token.

mod auth_support;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use swingfly_api::auth_extract::is_public_path;

use auth_support::{json_of, start, TestServer};

/// Every route the router registers, as `(method, path)` with axum's `{param}` syntax: one line per
/// `.route(` call in `src/lib.rs` and `src/routes/*.rs`. A route added there belongs here too, and
/// then this test fails until the route is documented.
const ROUTES: &[(&str, &str)] = &[
    // src/lib.rs
    ("GET", "/docs/openapi.json"),
    // src/routes/auth.rs
    ("POST", "/auth/login"),
    ("POST", "/auth/refresh"),
    ("GET", "/auth/logout"),
    ("GET", "/auth/user"),
    ("GET", "/auth/users"),
    ("POST", "/auth/profile/create"),
    ("PUT", "/auth/profile/update"),
    ("POST", "/auth/profile/guest/create"),
    ("DELETE", "/auth/profile/delete"),
    ("GET", "/auth/getpaircode"),
    ("GET", "/auth/pair"),
    // src/routes/onboarding.rs
    ("GET", "/onboarding-data"),
    ("GET", "/"),
    // src/routes/library.rs
    ("POST", "/album"),
    ("GET", "/album/{albumhash}/tracks"),
    ("POST", "/album/from-artist"),
    ("POST", "/album/other-versions"),
    ("GET", "/album/similar"),
    ("GET", "/artist/{artisthash}"),
    ("GET", "/artist/{artisthash}/albums"),
    ("GET", "/artist/{artisthash}/tracks"),
    ("GET", "/artist/{artisthash}/similar"),
    ("GET", "/getall/{itemtype}"),
    // src/routes/folder.rs
    ("POST", "/folder"),
    ("POST", "/folder/dir-browser"),
    ("GET", "/folder/tracks/all"),
    // src/routes/search.rs
    ("GET", "/search/top"),
    ("GET", "/search"),
    // src/routes/stream.rs
    ("GET", "/file/{trackhash}/legacy"),
    // src/routes/images.rs
    ("GET", "/img/thumbnail/{imgpath}"),
    ("GET", "/img/thumbnail/{size}/{imgpath}"),
    ("GET", "/img/artist/{imgpath}"),
    ("GET", "/img/artist/{size}/{imgpath}"),
    ("GET", "/img/playlist/{imgpath}"),
    // src/routes/settings.rs
    ("GET", "/notsettings/get-root-dirs"),
    ("POST", "/notsettings/add-root-dirs"),
    ("GET", "/notsettings/trigger-scan"),
    ("GET", "/notsettings"),
    ("PUT", "/notsettings/update"),
    // src/routes/favorites.rs
    ("POST", "/favorites/add"),
    ("POST", "/favorites/remove"),
    ("GET", "/favorites/check"),
    ("GET", "/favorites"),
    ("GET", "/favorites/tracks"),
    ("GET", "/favorites/albums"),
    ("GET", "/favorites/artists"),
    // src/routes/logger.rs
    ("POST", "/logger/track/log"),
    ("GET", "/logger/top-tracks"),
    ("GET", "/logger/top-artists"),
    ("GET", "/logger/top-albums"),
    ("GET", "/logger/stats"),
    // src/routes/playlists.rs
    ("GET", "/playlists"),
    ("POST", "/playlists/new"),
    ("POST", "/playlists/save-item"),
    ("POST", "/playlists/import"),
    ("GET", "/playlists/{id}"),
    ("POST", "/playlists/{id}/add"),
    ("POST", "/playlists/{id}/remove-tracks"),
    ("PUT", "/playlists/{id}/update"),
    ("POST", "/playlists/{id}/pin_unpin"),
    ("DELETE", "/playlists/{id}/remove-img"),
    ("DELETE", "/playlists/{id}/delete"),
    ("GET", "/playlists/{id}/export.m3u8"),
    // src/routes/collections.rs
    ("POST", "/collections"),
    ("GET", "/collections"),
    ("GET", "/collections/{id}"),
    ("PUT", "/collections/{id}"),
    ("DELETE", "/collections/{id}"),
    ("POST", "/collections/{id}/items"),
    ("DELETE", "/collections/{id}/items"),
    // src/routes/home.rs
    ("GET", "/nothome"),
    ("GET", "/nothome/recents/added"),
    ("GET", "/nothome/recents/played"),
    // src/routes/mixes.rs
    ("GET", "/plugins/mixes"),
    ("POST", "/plugins/mixes/save"),
    ("GET", "/plugins/mixes/{mixtype}"),
    // src/routes/lyrics.rs
    ("POST", "/lyrics"),
    ("POST", "/lyrics/check"),
    // src/routes/plugins.rs
    ("GET", "/plugins"),
    ("POST", "/plugins/setactive"),
    ("POST", "/plugins/settings"),
    // src/routes/lastfm.rs
    ("POST", "/plugins/lastfm/session/create"),
    ("POST", "/plugins/lastfm/session/delete"),
    ("POST", "/plugins/listenbrainz/token"),
    ("DELETE", "/plugins/listenbrainz/token"),
    ("POST", "/plugins/listenbrainz/token/delete"),
    ("GET", "/plugins/scrobblers/status"),
    // src/routes/backup.rs
    ("POST", "/backup/create"),
    ("GET", "/backup/list"),
    ("POST", "/backup/restore"),
    ("DELETE", "/backup/delete"),
    // src/routes/events.rs
    ("GET", "/events/stream"),
    ("GET", "/events/status"),
    // src/routes/dragonfly.rs
    ("GET", "/dragonfly/health"),
    ("GET", "/dragonfly/stats"),
    ("GET", "/dragonfly/services"),
    ("GET", "/dragonfly/keys"),
    ("GET", "/dragonfly/namespaces"),
    ("GET", "/dragonfly/history"),
    ("POST", "/dragonfly/clear/{namespace}"),
    ("POST", "/dragonfly/clear-all"),
    ("GET", "/metrics"),
    // src/routes/metadata.rs
    ("GET", "/metadata/artist/{artisthash}"),
    ("GET", "/metadata/album/{albumhash}"),
];

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The document as an anonymous client gets it (it is public).
async fn fetch_document(server: &TestServer) -> Value {
    let response = server.get("/docs/openapi.json", None).await;
    assert_eq!(response.status(), StatusCode::OK, "the document is public");
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    response.json().await.expect("the document is JSON")
}

/// `(METHOD, path) -> operation` for every documented operation.
fn operations(doc: &Value) -> BTreeMap<(String, String), Value> {
    let paths = doc["paths"].as_object().expect("`paths` is an object");
    let mut found = BTreeMap::new();
    for (path, item) in paths {
        let item = item.as_object().expect("a path item is an object");
        for (key, operation) in item {
            if HTTP_METHODS.contains(&key.as_str()) {
                found.insert((key.to_uppercase(), path.clone()), operation.clone());
            }
        }
    }
    found
}

fn listed_routes() -> BTreeSet<(String, String)> {
    let routes: BTreeSet<_> = ROUTES
        .iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    assert_eq!(routes.len(), ROUTES.len(), "a route is listed twice");
    routes
}

#[tokio::test]
async fn every_route_is_documented_with_its_method() {
    let server = start().await;
    let doc = fetch_document(&server).await;
    let version = doc["openapi"]
        .as_str()
        .expect("`openapi` names the version");
    assert!(version.starts_with("3."), "OpenAPI 3.x, not {version}");
    assert_eq!(doc["info"]["title"], "Swingfly");
    assert!(doc["info"]["version"].is_string());

    let documented: BTreeSet<_> = operations(&doc).into_keys().collect();
    let routes = listed_routes();
    let undocumented: Vec<_> = routes.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "routes without a description: {undocumented:?}"
    );
    let unknown: Vec<_> = documented.difference(&routes).collect();
    assert!(
        unknown.is_empty(),
        "described but not in the route list (a wrong path or method, or a list out of date): \
         {unknown:?}"
    );
}

#[tokio::test]
async fn operations_are_complete_and_consistent() {
    let server = start().await;
    let doc = fetch_document(&server).await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    let mut operation_ids = HashSet::new();

    for ((method, path), operation) in operations(&doc) {
        let route = format!("{method} {path}");
        let id = operation["operationId"].as_str().unwrap_or_default();
        assert!(
            operation_ids.insert(id.to_string()),
            "{route}: operationId {id:?} is not unique"
        );
        assert!(
            operation["tags"]
                .as_array()
                .is_some_and(|tags| !tags.is_empty()),
            "{route} has a tag"
        );

        let responses = operation["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|status| status.starts_with('2')),
            "{route} documents its success"
        );
        for (status, response) in responses {
            assert!(
                status.len() == 3 && status.parse::<u16>().is_ok(),
                "{route}: status {status}"
            );
            let description = response["description"].as_str().unwrap_or_default();
            assert!(
                !description.is_empty(),
                "{route} {status} has a description"
            );
        }
        if !is_public_path(&path) {
            assert!(
                responses.contains_key("401"),
                "{route} needs a token, so it documents the 401"
            );
        }

        // Path parameters are exactly the template's `{names}`, and required.
        let template: BTreeSet<String> = path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .map(str::to_string)
            .collect();
        let parameters = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut in_path = BTreeSet::new();
        for parameter in &parameters {
            let name = parameter["name"].as_str().unwrap().to_string();
            match parameter["in"].as_str().unwrap() {
                "path" => {
                    assert_eq!(parameter["required"], true, "{route}: {name} is required");
                    in_path.insert(name);
                }
                "query" | "header" | "cookie" => {}
                other => panic!("{route}: parameter {name} is in {other:?}"),
            }
        }
        assert_eq!(in_path, template, "{route}: path parameters");

        // Public routes say so with an empty list or an empty (optional) requirement; the rest
        // inherit the document's bearer-or-cookie requirement or name a scheme that exists.
        let security = operation.get("security").and_then(Value::as_array);
        let anonymous_allowed = security.is_some_and(|requirements| {
            requirements.is_empty()
                || requirements
                    .iter()
                    .any(|r| r.as_object().is_some_and(|r| r.is_empty()))
        });
        let needs_no_token = is_public_path(&path) && path != "/auth/refresh";
        assert_eq!(
            anonymous_allowed, needs_no_token,
            "{route}: security {security:?}"
        );
        for requirement in security.into_iter().flatten() {
            for scheme in requirement.as_object().unwrap().keys() {
                assert!(schemes.contains_key(scheme), "{route}: scheme {scheme}");
            }
        }
    }

    assert_eq!(
        doc["security"],
        json!([{"bearer": []}, {"access_token_cookie": []}]),
        "a token comes as a bearer header or the access cookie"
    );
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["bearer"]["bearerFormat"], "JWT");
    assert_eq!(schemes["access_token_cookie"]["type"], "apiKey");
    assert_eq!(schemes["access_token_cookie"]["in"], "cookie");
    assert_eq!(
        schemes["access_token_cookie"]["name"],
        "access_token_cookie"
    );

    let mut references = Vec::new();
    collect_references(&doc, &mut references);
    assert!(!references.is_empty());
    for reference in references {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected reference {reference}"));
        assert!(schemas.contains_key(name), "{reference} resolves");
    }
}

fn collect_references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) => found.push(reference.clone()),
                    _ => collect_references(value, found),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_references(item, found)),
        _ => {}
    }
}

/// A value for each path parameter, so a listed route can be called.
fn sample(parameter: &str) -> &'static str {
    match parameter {
        name if name.ends_with("hash") => "0123456789abcdef",
        "imgpath" => "missing.webp",
        "size" => "small",
        "itemtype" => "albums",
        "mixtype" => "artists",
        "id" => "1",
        "namespace" => "search",
        other => panic!("no sample value for the path parameter {other}: add one here"),
    }
}

fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            match segment
                .strip_prefix('{')
                .and_then(|rest| rest.strip_suffix('}'))
            {
                Some(name) => sample(name),
                None => segment,
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The list is checked against the router itself: every listed route reaches a handler (no 405,
/// and not the catch-all 404 `{"msg": "Not found"}`), so the list cannot name routes that are gone.
#[tokio::test]
async fn every_listed_route_reaches_a_handler() {
    let server = start().await;
    let admin = server.create_admin("ann", "secret").await;
    let (status, unrouted) = json_of(server.get("/no/such/route", Some(&admin)).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(unrouted, json!({"msg": "Not found"}));

    for (method, path) in ROUTES {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let url = server.url(&concrete(path));
        let mut request = server.http.request(method.clone(), url);
        if method != Method::GET {
            request = request.json(&json!({}));
        }
        // Public routes are called anonymously: a token on `/auth/logout` would end the session.
        if !is_public_path(path) {
            request = request.bearer_auth(&admin);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        // An event stream never ends: its headers are enough.
        let is_stream = response
            .headers()
            .get("content-type")
            .is_some_and(|value| value.as_bytes().starts_with(b"text/event-stream"));
        let body = if is_stream {
            Value::Null
        } else {
            response.json::<Value>().await.unwrap_or(Value::Null)
        };
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is routed"
        );
        assert!(
            !(status == StatusCode::NOT_FOUND && body == unrouted),
            "{method} {path} is routed"
        );
    }
}
