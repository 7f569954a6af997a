//! User management over HTTP: admin-only routes, the guest, profile rules and `/auth/users`.

mod auth_support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use auth_support::{json_of, start};

#[tokio::test]
async fn admin_routes_refuse_other_users() {
    let server = start().await;
    let admin = server.create_admin("ann", "secret").await;
    let bob = server.create_user(&admin, "bob", "pw").await;

    let (status, body) = json_of(
        server
            .post_json("/auth/profile/guest/create", Some(&bob), json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, json!({"msg": "Only admins can do that!"}));

    let (status, body) = json_of(
        server
            .send_json(
                Method::DELETE,
                "/auth/profile/delete",
                Some(&bob),
                json!({"username": "ann"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, json!({"msg": "Only admins can do that!"}));

    let (status, body) = json_of(
        server
            .send_json(
                Method::DELETE,
                "/auth/profile/delete",
                Some(&admin),
                json!({"username": "ann"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, _) = json_of(
        server
            .send_json(
                Method::DELETE,
                "/auth/profile/delete",
                Some(&admin),
                json!({"username": "nobody"}),
            )
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn guest_account_rules() {
    let server = start().await;
    let admin = server.create_admin("ann", "secret").await;
    let (status, body) = json_of(
        server
            .post_json("/auth/profile/guest/create", Some(&admin), json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["msg"].is_string());
    let (status, _) = json_of(
        server
            .post_json("/auth/profile/guest/create", Some(&admin), json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "only one guest");

    let (guest, _) = server.login("guest", "guest").await;
    let (_, me) = json_of(server.get("/auth/user", Some(&guest)).await).await;
    assert_eq!(me["roles"], json!(["guest"]));

    for (token, id) in [(&guest, 0), (&admin, me["id"].as_i64().unwrap())] {
        let (status, _) = json_of(
            server
                .send_json(
                    Method::PUT,
                    "/auth/profile/update",
                    Some(token),
                    json!({"id": id, "password": "changed"}),
                )
                .await,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "the guest cannot be updated"
        );
    }

    let (_, listing) = json_of(server.get("/auth/users", Some(&admin)).await).await;
    assert_eq!(listing["settings"]["enableGuest"], true);
}

#[tokio::test]
async fn profile_update_rules() {
    let server = start().await;
    let admin = server.create_admin("ann", "secret").await;
    let bob = server.create_user(&admin, "bob", "pw").await;
    server.create_user(&admin, "cat", "pw").await;
    let update = |token: String, body: Value| {
        let server = &server;
        async move {
            json_of(
                server
                    .send_json(Method::PUT, "/auth/profile/update", Some(&token), body)
                    .await,
            )
            .await
        }
    };

    let (status, body) = update(bob.clone(), json!({"roles": ["admin"]})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, me) = json_of(server.get("/auth/user", Some(&admin)).await).await;
    let (status, _) = update(bob.clone(), json!({"id": me["id"], "username": "x"})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "non-admins only change themselves"
    );

    let (status, body) = update(bob.clone(), json!({"username": "Bobby"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["username"], "Bobby");
    let (status, body) = update(bob.clone(), json!({"username": "CAT"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["msg"], "Username already exists");

    let (status, _) = update(admin.clone(), json!({"roles": []})).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the last admin stays an admin"
    );

    // An admin's role change applies to the user's next request, with the same token.
    let (_, bob_me) = json_of(server.get("/auth/user", Some(&bob)).await).await;
    let (status, _) = update(
        admin.clone(),
        json!({"id": bob_me["id"], "roles": ["admin"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = json_of(
        server
            .post_json("/auth/profile/guest/create", Some(&bob), json!({}))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn user_listing_depends_on_the_caller() {
    let server = start().await;
    let admin = server.create_admin("ann", "secret").await;
    let bob = server.create_user(&admin, "bob", "pw").await;
    server.create_user(&admin, "cat", "pw").await;

    // Admin: everything, admins first, then newest first, the caller first.
    let (status, listing) = json_of(server.get("/auth/users", Some(&admin)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        listing["settings"],
        json!({"enableGuest": false, "usersOnLogin": true})
    );
    let names: Vec<&str> = listing["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ann", "cat", "bob"]);
    assert!(listing["users"][0]["roles"].is_array());

    // A logged-in non-admin sees nothing.
    let (_, listing) = json_of(server.get("/auth/users", Some(&bob)).await).await;
    assert_eq!(listing, json!({"settings": {}, "users": []}));

    // Anonymous, with usersOnLogin on (Swing's default): every user, simplified on request.
    let (_, listing) = json_of(server.get("/auth/users?simplified=true", None).await).await;
    assert_eq!(listing["settings"], json!({}));
    assert_eq!(listing["users"].as_array().unwrap().len(), 3);
    assert_eq!(
        listing["users"][0],
        json!({"firstname": "", "id": 1, "username": "ann"})
    );

    // With usersOnLogin off, only a guest would be listed.
    server
        .app
        .store
        .set_setting("usersOnLogin", &json!(false))
        .await
        .unwrap();
    let (_, listing) = json_of(server.get("/auth/users", None).await).await;
    assert_eq!(listing["users"], json!([]));
    server
        .post_json("/auth/profile/guest/create", Some(&admin), json!({}))
        .await;
    let (_, listing) = json_of(server.get("/auth/users?simplified=1", None).await).await;
    let names: Vec<&str> = listing["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["guest"]);
}
