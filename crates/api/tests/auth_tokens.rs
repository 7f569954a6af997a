//! Token failures and their Swing codes, refresh, logout, password changes and the sliding cookie.

mod auth_support;

use std::time::Duration;

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{json, Value};
use swingfly_services::auth::TokenKind;

use auth_support::{access_cookie, json_of, start, TestServer};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sign(secret: &[u8], claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn server_secret(server: &TestServer) -> Vec<u8> {
    let text = std::fs::read_to_string(&server.app.paths.secret).unwrap();
    hex::decode(text.trim()).unwrap()
}

async fn expect(server: &TestServer, token: &str, status: StatusCode, msg: &str) {
    let (got, body) = json_of(server.get("/auth/user", Some(token)).await).await;
    assert_eq!(got, status, "{msg}: {body}");
    assert_eq!(body["msg"], msg);
}

#[tokio::test]
async fn bad_tokens_get_swing_codes() {
    let server = start().await;
    server.create_admin("ann", "secret").await;
    let (access, refresh) = server.login("ann", "secret").await;

    let claims = |exp: i64| {
        json!({"fresh": false, "iat": now() - 100, "nbf": now() - 100, "jti": "x.a",
               "type": "access", "sub": {"id": 1, "username": "ann"}, "exp": exp})
    };
    let secret = server_secret(&server);
    let expired = sign(&secret, &claims(now() - 10));
    expect(
        &server,
        &expired,
        StatusCode::UNAUTHORIZED,
        "Token has expired",
    )
    .await;

    let forged = sign(
        b"not the server's secret, not at all!",
        &claims(now() + 3600),
    );
    expect(
        &server,
        &forged,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Signature verification failed",
    )
    .await;

    expect(
        &server,
        "garbage",
        StatusCode::UNPROCESSABLE_ENTITY,
        "Not enough segments",
    )
    .await;

    // A well-signed token that the ledger never issued is not accepted either.
    let unissued = sign(&secret, &claims(now() + 3600));
    expect(
        &server,
        &unissued,
        StatusCode::UNAUTHORIZED,
        "Token has been revoked",
    )
    .await;

    expect(
        &server,
        &refresh,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Only non-refresh tokens are allowed",
    )
    .await;

    let response = server
        .http
        .post(server.url("/auth/refresh"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["msg"], "Only refresh tokens are allowed");
}

#[tokio::test]
async fn refresh_takes_the_refresh_token_from_the_header_only() {
    let server = start().await;
    server.create_admin("ann", "secret").await;
    let (_, refresh) = server.login("ann", "secret").await;

    let response = server
        .http
        .post(server.url("/auth/refresh"))
        .bearer_auth(&refresh)
        .send()
        .await
        .unwrap();
    assert!(access_cookie(response.headers()).is_none(), "no cookie");
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    let new_access = body["accesstoken"].as_str().unwrap();
    assert!(body["refreshtoken"].is_string());
    assert_eq!(body["maxage"], 2_592_000);
    let (status, _) = json_of(server.get("/auth/user", Some(new_access)).await).await;
    assert_eq!(status, StatusCode::OK);

    let response = server
        .http
        .post(server.url("/auth/refresh"))
        .header("Cookie", format!("access_token_cookie={refresh}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "cookies do not work for refresh"
    );
}

#[tokio::test]
async fn logout_revokes_the_token_and_deletes_the_cookie() {
    let server = start().await;
    server.create_admin("ann", "secret").await;
    let (access, refresh) = server.login("ann", "secret").await;
    let (other_device, _) = server.login("ann", "secret").await;

    let response = server.get_with_cookie("/auth/logout", &access).await;
    assert_eq!(access_cookie(response.headers()).as_deref(), Some(""));
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"msg": "Logged out"}));

    expect(
        &server,
        &access,
        StatusCode::UNAUTHORIZED,
        "Token has been revoked",
    )
    .await;
    let response = server
        .http
        .post(server.url("/auth/refresh"))
        .bearer_auth(&refresh)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "the pair's refresh token ends too"
    );
    let (status, _) = json_of(server.get("/auth/user", Some(&other_device)).await).await;
    assert_eq!(status, StatusCode::OK, "other devices stay signed in");

    // Logging out without a token is harmless.
    let (status, _) = json_of(server.get("/auth/logout", None).await).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn password_change_ends_old_sessions() {
    let server = start().await;
    let admin = server.create_admin("ann", "secret").await;
    let bob = server.create_user(&admin, "bob", "pw").await;
    let (bob_phone, _) = server.login("bob", "pw").await;

    let response = server
        .send_json(
            reqwest::Method::PUT,
            "/auth/profile/update",
            Some(&bob),
            json!({"id": 0, "username": "", "password": "new-pw", "email": ""}),
        )
        .await;
    let fresh = access_cookie(response.headers()).expect("the caller gets a fresh cookie");
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["username"], "bob");

    for old in [&bob, &bob_phone] {
        expect(
            &server,
            old,
            StatusCode::UNAUTHORIZED,
            "Token has been revoked",
        )
        .await;
    }
    let (status, _) = json_of(server.get_with_cookie("/auth/user", &fresh).await).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = json_of(server.get("/auth/user", Some(&admin)).await).await;
    assert_eq!(status, StatusCode::OK, "other users are untouched");
    server.login("bob", "new-pw").await;
}

#[tokio::test]
async fn cookie_sessions_near_expiry_slide() {
    let server = start().await;
    server.create_admin("ann", "secret").await;
    let ann = server.app.auth.list_users().await.unwrap().remove(0);
    let short = server
        .app
        .auth
        .issue_access_token(&ann, Duration::from_secs(24 * 3600), None)
        .await
        .unwrap();
    let authed = server
        .app
        .auth
        .authenticate(&short, TokenKind::Access)
        .await
        .unwrap();
    assert!(authed.expires_at < now() + 2 * 24 * 3600);

    // By Bearer nothing slides.
    let response = server.get("/auth/user", Some(&short)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(access_cookie(response.headers()).is_none());

    // By cookie, a token expiring within 7 days is replaced by a fresh 30-day one.
    let response = server.get_with_cookie("/auth/user", &short).await;
    assert_eq!(response.status(), StatusCode::OK);
    let fresh = access_cookie(response.headers()).expect("a fresh cookie");
    let renewed = server
        .app
        .auth
        .authenticate(&fresh, TokenKind::Access)
        .await
        .unwrap();
    assert!(renewed.expires_at > now() + 29 * 24 * 3600);

    // A cookie with plenty of time left is not replaced.
    let response = server.get_with_cookie("/auth/user", &fresh).await;
    assert!(access_cookie(response.headers()).is_none());
}

#[tokio::test]
async fn deleting_a_user_ends_their_sessions() {
    let server = start().await;
    let admin = server.create_admin("ann", "secret").await;
    let bob = server.create_user(&admin, "bob", "pw").await;
    let bob_id = server
        .app
        .store
        .user_by_name("bob")
        .await
        .unwrap()
        .unwrap()
        .id;
    let library = server.app.library();
    let loaded = server.app.user_data.view(bob_id, &library).await.unwrap();
    let (status, body) = json_of(
        server
            .send_json(
                reqwest::Method::DELETE,
                "/auth/profile/delete",
                Some(&admin),
                json!({"username": "bob"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Their in-memory data was dropped: a later look loads afresh (from an empty ledger).
    let after = server.app.user_data.view(bob_id, &library).await.unwrap();
    assert!(!std::sync::Arc::ptr_eq(loaded.state(), after.state()));
    expect(
        &server,
        &bob,
        StatusCode::UNAUTHORIZED,
        "Token has been revoked",
    )
    .await;
    let (status, _) = json_of(
        server
            .post_json(
                "/auth/login",
                None,
                json!({"username": "bob", "password": "pw"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
