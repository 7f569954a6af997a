//! Pairing, CORS, trailing slashes, compression and the OpenAPI document.

mod auth_support;

use reqwest::{Method, StatusCode};
use serde_json::json;

use auth_support::{json_of, start};

#[tokio::test]
async fn pair_codes_are_single_use() {
    let server = start().await;
    let admin = server.create_admin("ann", "secret").await;

    let (status, body) = json_of(server.get("/auth/getpaircode", None).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    let (status, body) = json_of(server.get_with_cookie("/auth/getpaircode", &admin).await).await;
    assert_eq!(status, StatusCode::OK);
    let code = body["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);

    let (status, tokens) =
        json_of(server.get(&format!("/auth/pair?code={code}"), None).await).await;
    assert_eq!(status, StatusCode::OK);
    let access = tokens["accesstoken"].as_str().unwrap();
    assert!(
        access.ends_with(&code),
        "the code is the token's last 6 characters"
    );
    assert!(tokens["refreshtoken"].is_string());
    let (status, me) = json_of(server.get("/auth/user", Some(access)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "ann");

    let (status, body) = json_of(server.get(&format!("/auth/pair?code={code}"), None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, json!({"msg": "Invalid code"}));
    let (status, _) = json_of(server.get("/auth/pair", None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn cors_echoes_the_origin_and_preflight_needs_no_auth() {
    let server = start().await;
    let response = server
        .http
        .request(Method::OPTIONS, server.url("/auth/user"))
        .header("Origin", "http://music.example:5173")
        .header("Access-Control-Request-Method", "PUT")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let headers = response.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://music.example:5173"
    );
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert!(headers["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("PUT"));
    assert!(headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("authorization"));

    // Ordinary answers, errors included, carry the CORS headers too.
    let response = server
        .http
        .get(server.url("/auth/user"))
        .header("Origin", "http://music.example:5173")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "http://music.example:5173"
    );
}

#[tokio::test]
async fn both_trailing_slash_forms_answer() {
    let server = start().await;
    let admin = server.create_admin("ann", "secret").await;
    for path in ["/auth/user", "/auth/user/"] {
        let response = server.get(path, Some(&admin)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    for path in ["/onboarding-data", "/onboarding-data/", "/auth/users/"] {
        let response = server.get(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn json_is_compressed_when_accepted() {
    let server = start().await;
    let response = server
        .http
        .get(server.url("/docs/openapi.json"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let response = server
        .http
        .get(server.url("/"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(
        response.headers().get("content-encoding").is_none(),
        "only JSON is compressed"
    );
}

#[tokio::test]
async fn openapi_document_lists_the_auth_routes() {
    let server = start().await;
    let (status, doc) = json_of(server.get("/docs/openapi.json", None).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/auth/login",
        "/auth/refresh",
        "/auth/users",
        "/auth/profile/create",
        "/auth/pair",
        "/onboarding-data",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    assert!(doc["components"]["schemas"].get("TokenResponse").is_some());
}
