//! First-run admin creation, login, cookie vs Bearer transport, sign-up rules and rate limiting.

mod auth_support;

use reqwest::StatusCode;
use serde_json::json;

use auth_support::{access_cookie, access_cookie_line, json_of, start, start_with};

#[tokio::test]
async fn first_user_becomes_admin_and_is_logged_in() {
    let server = start().await;
    let (status, onboarding) = json_of(server.get("/onboarding-data", None).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(onboarding["adminExists"], false);
    assert_eq!(onboarding["onboardingComplete"], false);
    assert!(onboarding.get("userHome").is_none());

    let response = server
        .post_json(
            "/auth/profile/create",
            None,
            json!({"username": "ann", "password": "secret", "email": "ann@example.org"}),
        )
        .await;
    let cookie_line = access_cookie_line(response.headers()).unwrap();
    assert!(cookie_line.contains("HttpOnly"));
    assert!(cookie_line.contains("Path=/"));
    assert!(cookie_line.contains("Max-Age=2592000"));
    let token = access_cookie(response.headers()).unwrap();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["username"], "ann");
    assert_eq!(body["user"]["roles"], json!(["admin"]));
    assert!(body["userhome"].is_string());

    // The cookie alone authenticates (the web UI's way).
    let (status, me) = json_of(server.get_with_cookie("/auth/user", &token).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "ann");
    assert_eq!(me["image"], json!(null));

    let (_, onboarding) = json_of(server.get_with_cookie("/onboarding-data", &token).await).await;
    assert_eq!(onboarding["adminExists"], true);
    assert!(
        onboarding["userHome"].is_string(),
        "userHome is for logged-in callers"
    );
}

#[tokio::test]
async fn login_answers_with_swing_codes() {
    let server = start().await;
    server.create_admin("ann", "secret").await;

    let response = server
        .post_json(
            "/auth/login",
            None,
            json!({"username": "ann", "password": "secret"}),
        )
        .await;
    assert!(access_cookie(response.headers()).is_some());
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["msg"], "Logged in as ann");
    assert_eq!(body["maxage"], 2_592_000);
    let access = body["accesstoken"].as_str().unwrap();
    assert!(body["refreshtoken"].is_string());

    // Bearer works as well as the cookie (Android's way).
    let (status, me) = json_of(server.get("/auth/user", Some(access)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "ann");

    let (status, body) = json_of(
        server
            .post_json(
                "/auth/login",
                None,
                json!({"username": "nobody", "password": "x"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"msg": "User not found"}));

    let (status, body) = json_of(
        server
            .post_json(
                "/auth/login",
                None,
                json!({"username": "ann", "password": "wrong"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!({"msg": "Hehe! invalid password"}));

    // A body without the password is a pydantic-style 422.
    let (status, body) = json_of(
        server
            .post_json("/auth/login", None, json!({"username": "ann"}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body[0]["loc"], json!(["body", "password"]));
    assert_eq!(body[0]["type"], "missing");
}

#[tokio::test]
async fn a_missing_token_is_401_everywhere_but_public_paths() {
    let server = start().await;
    let (status, body) = json_of(server.get("/auth/user", None).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!({"msg": "Missing JWT in cookies or headers"}));
    // Unknown paths are guarded too, as in Swing.
    let (status, _) = json_of(server.get("/no/such/route", None).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    for path in ["/", "/onboarding-data", "/auth/users", "/docs/openapi.json"] {
        let response = server.get(path, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path} is public");
    }
}

#[tokio::test]
async fn sign_up_is_closed_by_default() {
    let server = start().await;
    let admin = server.create_admin("ann", "secret").await;

    let (status, body) = json_of(
        server
            .post_json(
                "/auth/profile/create",
                None,
                json!({"username": "eve", "password": "x"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["msg"], "Missing JWT in cookies or headers");

    let bob = server.create_user(&admin, "bob", "pw").await;
    let (status, body) = json_of(
        server
            .post_json(
                "/auth/profile/create",
                Some(&bob),
                json!({"username": "eve", "password": "x"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, json!({"msg": "Only admins can do that!"}));

    // An admin may create users, with roles; a duplicate name (any case) is a 400.
    let (status, body) = json_of(
        server
            .post_json(
                "/auth/profile/create",
                Some(&admin),
                json!({"username": "cat", "password": "x", "roles": ["curator"]}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["roles"], json!(["curator"]));
    let (status, body) = json_of(
        server
            .post_json(
                "/auth/profile/create",
                Some(&admin),
                json!({"username": "CAT", "password": "x"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["msg"], "Username already exists");
    let (status, _) = json_of(
        server
            .post_json(
                "/auth/profile/create",
                Some(&admin),
                json!({"username": "dan"}),
            )
            .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a missing password is a 400"
    );
}

#[tokio::test]
async fn open_sign_up_lets_anyone_register_without_roles() {
    let server = start_with(|config| config.open_signup = true).await;
    server.create_admin("ann", "secret").await;
    let (status, body) = json_of(
        server
            .post_json(
                "/auth/profile/create",
                None,
                json!({"username": "eve", "password": "x", "roles": ["admin"]}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["username"], "eve");
    assert_eq!(
        body["roles"],
        json!([]),
        "self-registration grants no roles"
    );
}

#[tokio::test]
async fn login_attempts_are_rate_limited() {
    let server = start().await;
    server.create_admin("ann", "secret").await;
    for attempt in 0..10 {
        let response = server
            .post_json(
                "/auth/login",
                None,
                json!({"username": "ann", "password": "wrong"}),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    let response = server
        .post_json(
            "/auth/login",
            None,
            json!({"username": "ann", "password": "secret"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get("retry-after").is_some());
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["msg"]
        .as_str()
        .unwrap()
        .starts_with("Too many attempts"));
}

#[tokio::test]
async fn root_page_sets_onboarding_cookies_until_done() {
    let server = start().await;
    let response = server.get("/", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_string())
        .collect();
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("x-admin-exists=false")));
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("x-root-dirs-set=false")));
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("x-onboarding-complete=false")));
    assert!(response.text().await.unwrap().contains("Swingfly"));
}
