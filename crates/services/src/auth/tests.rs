//! The auth service over a real SQLite ledger in a temporary folder.

use std::net::{IpAddr, Ipv4Addr};

use serde_json::json;
use swingfly_store::Store;

use super::*;

struct Fixture {
    _dir: tempfile::TempDir,
    auth: Auth,
    store: Store,
    secret: std::path::PathBuf,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
    let secret = dir.path().join("secret.key");
    let auth = Auth::load_or_create(store.clone(), &secret, swingfly_cache::Cache::embedded())
        .await
        .unwrap();
    Fixture {
        _dir: dir,
        auth,
        store,
        secret,
    }
}

fn client() -> ClientInfo {
    ClientInfo {
        ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        user_agent: Some("test".into()),
    }
}

async fn user(auth: &Auth, name: &str) -> User {
    auth.create_user(name, "pw", vec![], json!({}))
        .await
        .unwrap()
}

#[tokio::test]
async fn first_user_is_admin_and_names_are_unique() {
    let f = fixture().await;
    let first = user(&f.auth, "Ann").await;
    assert_eq!(first.roles, vec!["admin"]);
    let second = user(&f.auth, "bob").await;
    assert!(second.roles.is_empty());
    match f.auth.create_user("ANN", "x", vec![], json!({})).await {
        Err(UserError::Rejected(text)) => assert_eq!(text, "Username already exists"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(
        f.auth.create_user("  ", "x", vec![], json!({})).await,
        Err(UserError::Rejected(_))
    ));
    assert!(matches!(
        f.auth.create_user("carl", "", vec![], json!({})).await,
        Err(UserError::Rejected(_))
    ));
    assert!(matches!(
        f.auth
            .create_user("carl", "x", vec!["superuser".into()], json!({}))
            .await,
        Err(UserError::Rejected(_))
    ));
    assert_eq!(
        f.auth
            .create_first_user("dave", "x", json!({}))
            .await
            .unwrap(),
        None,
        "the first-user door closes once a user exists"
    );
    let stored = f.store.user_by_name("ann").await.unwrap().unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn login_checks_name_and_password_and_is_rate_limited() {
    let f = fixture().await;
    user(&f.auth, "ann").await;
    let (logged_in, tokens) = f.auth.login("ann", "pw", &client()).await.unwrap();
    assert_eq!(logged_in.username, "ann");
    assert_eq!(tokens.max_age, 30 * 24 * 3600);
    let authed = f
        .auth
        .authenticate(&tokens.access_token, TokenKind::Access)
        .await
        .unwrap();
    assert_eq!(authed.user.id, logged_in.id);

    assert!(matches!(
        f.auth.login("nobody", "pw", &client()).await,
        Err(LoginError::UserNotFound)
    ));
    assert!(matches!(
        f.auth.login("ann", "wrong", &client()).await,
        Err(LoginError::WrongPassword)
    ));
    // Two attempts so far for ann from this address; the limit is per minute.
    for _ in 2..LOGIN_ATTEMPTS_PER_USER_AND_ADDRESS {
        let _ = f.auth.login("ann", "wrong", &client()).await;
    }
    assert!(matches!(
        f.auth.login("ann", "pw", &client()).await,
        Err(LoginError::RateLimited { .. })
    ));
    let elsewhere = ClientInfo {
        ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
        user_agent: None,
    };
    assert!(
        f.auth.login("ann", "pw", &elsewhere).await.is_ok(),
        "another address is not limited"
    );
}

#[tokio::test]
async fn token_kinds_refresh_and_logout() {
    let f = fixture().await;
    let ann = user(&f.auth, "ann").await;
    let tokens = f.auth.issue_tokens(&ann, None).await.unwrap();

    assert!(matches!(
        f.auth
            .authenticate(&tokens.refresh_token, TokenKind::Access)
            .await,
        Err(AuthError::WrongKind {
            expected: TokenKind::Access
        })
    ));
    assert!(matches!(
        f.auth
            .authenticate(&tokens.access_token, TokenKind::Refresh)
            .await,
        Err(AuthError::WrongKind {
            expected: TokenKind::Refresh
        })
    ));

    let (_, refreshed) = f.auth.refresh(&tokens.refresh_token, None).await.unwrap();
    assert_ne!(refreshed.access_token, tokens.access_token);

    assert!(f.auth.logout(&tokens.access_token).await.unwrap());
    for (token, kind) in [
        (&tokens.access_token, TokenKind::Access),
        (&tokens.refresh_token, TokenKind::Refresh),
    ] {
        assert!(
            matches!(
                f.auth.authenticate(token, kind).await,
                Err(AuthError::Revoked)
            ),
            "logout ends both tokens of the pair"
        );
    }
    assert!(
        f.auth
            .authenticate(&refreshed.access_token, TokenKind::Access)
            .await
            .is_ok(),
        "other sessions live on"
    );
    assert!(!f.auth.logout("garbage").await.unwrap());
}

#[tokio::test]
async fn password_change_and_deletion_end_sessions_and_roles_apply_at_once() {
    let f = fixture().await;
    let admin = user(&f.auth, "admin").await;
    let bob = user(&f.auth, "bob").await;
    let bob_tokens = f.auth.issue_tokens(&bob, None).await.unwrap();
    let admin_tokens = f.auth.issue_tokens(&admin, None).await.unwrap();

    // A role change shows up in the next authentication, without a new token.
    f.auth
        .update_user(
            &admin,
            ProfileUpdate {
                id: bob.id,
                roles: Some(vec!["admin".into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let authed = f
        .auth
        .authenticate(&bob_tokens.access_token, TokenKind::Access)
        .await
        .unwrap();
    assert!(authed.user.is_admin());

    let updated = f
        .auth
        .update_user(
            &bob,
            ProfileUpdate {
                password: Some("new".into()),
                email: Some("bob@example.org".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(updated.sessions_revoked);
    assert_eq!(updated.user.extra["email"], "bob@example.org");
    assert!(matches!(
        f.auth
            .authenticate(&bob_tokens.access_token, TokenKind::Access)
            .await,
        Err(AuthError::Revoked)
    ));
    assert!(f.auth.login("bob", "new", &client()).await.is_ok());
    assert!(matches!(
        f.auth.login("bob", "pw", &client()).await,
        Err(LoginError::WrongPassword)
    ));
    assert!(
        f.auth
            .authenticate(&admin_tokens.access_token, TokenKind::Access)
            .await
            .is_ok(),
        "only bob's sessions end"
    );

    let bob_tokens = f.auth.issue_tokens(&bob, None).await.unwrap();
    f.auth.delete_user(&admin, "BOB").await.unwrap();
    assert!(matches!(
        f.auth
            .authenticate(&bob_tokens.access_token, TokenKind::Access)
            .await,
        Err(AuthError::Revoked)
    ));
    assert!(f.auth.user(bob.id).await.unwrap().is_none());
}

#[tokio::test]
async fn profile_rules() {
    let f = fixture().await;
    let admin = user(&f.auth, "admin").await;
    let bob = user(&f.auth, "bob").await;
    let carl = user(&f.auth, "carl").await;
    let guest = f.auth.create_guest().await.unwrap();
    assert_eq!(guest.roles, vec!["guest"]);
    assert!(matches!(
        f.auth.create_guest().await,
        Err(UserError::Rejected(_))
    ));
    assert!(f.auth.guest_exists().await.unwrap());
    assert!(f.auth.login("guest", "guest", &client()).await.is_ok());

    let forbidden = |result: Result<UpdatedUser, UserError>| {
        assert!(matches!(result, Err(UserError::Forbidden(_))), "{result:?}")
    };
    let rejected = |result: Result<UpdatedUser, UserError>| {
        assert!(matches!(result, Err(UserError::Rejected(_))), "{result:?}")
    };

    // Nobody updates the guest, not even an admin, and the guest cannot update itself.
    rejected(
        f.auth
            .update_user(
                &admin,
                ProfileUpdate {
                    id: guest.id,
                    password: Some("x".into()),
                    ..Default::default()
                },
            )
            .await,
    );
    rejected(
        f.auth
            .update_user(
                &guest,
                ProfileUpdate {
                    password: Some("x".into()),
                    ..Default::default()
                },
            )
            .await,
    );
    // A non-admin can neither change roles nor touch someone else.
    forbidden(
        f.auth
            .update_user(
                &bob,
                ProfileUpdate {
                    roles: Some(vec!["admin".into()]),
                    ..Default::default()
                },
            )
            .await,
    );
    forbidden(
        f.auth
            .update_user(
                &bob,
                ProfileUpdate {
                    id: carl.id,
                    password: Some("x".into()),
                    ..Default::default()
                },
            )
            .await,
    );
    // Sending one's unchanged roles is not a role change.
    assert!(f
        .auth
        .update_user(
            &bob,
            ProfileUpdate {
                roles: Some(vec![]),
                username: Some("Bobby".into()),
                password: Some(String::new()),
                ..Default::default()
            },
        )
        .await
        .is_ok());
    // The last admin keeps the role; a duplicate name is refused.
    rejected(
        f.auth
            .update_user(
                &admin,
                ProfileUpdate {
                    roles: Some(vec![]),
                    ..Default::default()
                },
            )
            .await,
    );
    rejected(
        f.auth
            .update_user(
                &admin,
                ProfileUpdate {
                    id: carl.id,
                    username: Some("BOBBY".into()),
                    ..Default::default()
                },
            )
            .await,
    );

    // Deletion: admins only, never oneself, unknown names are not found.
    assert!(matches!(
        f.auth.delete_user(&bob, "carl").await,
        Err(UserError::Forbidden(_))
    ));
    assert!(matches!(
        f.auth.delete_user(&admin, "admin").await,
        Err(UserError::Rejected(_))
    ));
    assert!(matches!(
        f.auth.delete_user(&admin, "nobody").await,
        Err(UserError::NotFound)
    ));
    // With two admins, one may demote the other.
    f.auth
        .update_user(
            &admin,
            ProfileUpdate {
                id: carl.id,
                roles: Some(vec!["admin".into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let demoted = f
        .auth
        .update_user(
            &carl,
            ProfileUpdate {
                id: admin.id,
                roles: Some(vec![]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(!demoted.user.is_admin());
    // The demoted admin's stale token carries no powers.
    assert!(matches!(
        f.auth.delete_user(&admin, "carl").await,
        Err(UserError::Forbidden(_))
    ));
}

#[tokio::test]
async fn pair_codes_are_single_use() {
    let f = fixture().await;
    let ann = user(&f.auth, "ann").await;
    let code = f.auth.create_pair_code(&ann).await.unwrap();
    assert_eq!(code.len(), 6);
    let (paired, tokens) = f.auth.redeem_pair_code(&code, &client()).await.unwrap();
    assert_eq!(paired.id, ann.id);
    assert!(tokens.access_token.ends_with(&code));
    assert!(f
        .auth
        .authenticate(&tokens.access_token, TokenKind::Access)
        .await
        .is_ok());
    assert!(matches!(
        f.auth.redeem_pair_code(&code, &client()).await,
        Err(PairError::InvalidCode)
    ));

    // A code whose user logged out everywhere meanwhile gives nothing.
    let code = f.auth.create_pair_code(&ann).await.unwrap();
    f.auth.revoke_user_sessions(ann.id).await.unwrap();
    assert!(matches!(
        f.auth.redeem_pair_code(&code, &client()).await,
        Err(PairError::InvalidCode)
    ));
}

#[tokio::test]
async fn tokens_survive_a_restart_but_not_a_new_secret() {
    let f = fixture().await;
    let ann = user(&f.auth, "ann").await;
    let tokens = f.auth.issue_tokens(&ann, None).await.unwrap();

    let reloaded = Auth::load_or_create(
        f.store.clone(),
        &f.secret,
        swingfly_cache::Cache::embedded(),
    )
    .await
    .unwrap();
    assert!(reloaded
        .authenticate(&tokens.access_token, TokenKind::Access)
        .await
        .is_ok());

    let other_dir = tempfile::tempdir().unwrap();
    let other = Auth::load_or_create(
        f.store.clone(),
        &other_dir.path().join("s.key"),
        swingfly_cache::Cache::embedded(),
    )
    .await
    .unwrap();
    assert!(matches!(
        other
            .authenticate(&tokens.access_token, TokenKind::Access)
            .await,
        Err(AuthError::BadSignature)
    ));
    assert!(matches!(
        other.authenticate("", TokenKind::Access).await,
        Err(AuthError::Malformed(_))
    ));
}

#[tokio::test]
async fn short_lived_access_tokens_expire() {
    let f = fixture().await;
    let ann = user(&f.auth, "ann").await;
    let token = f
        .auth
        .issue_access_token(&ann, Duration::from_secs(0), None)
        .await
        .unwrap();
    // Expiry is checked before the session: the answer is "expired", not "revoked".
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(matches!(
        f.auth.authenticate(&token, TokenKind::Access).await,
        Err(AuthError::Expired)
    ));
}
