use serde_json::json;
use swingfly_store::{NewSession, NewUser, Store, StoreError, UserUpdate};

use crate::support::fresh_store;

fn new_user(username: &str, roles: &[&str]) -> NewUser {
    NewUser {
        username: username.into(),
        password_hash: format!("$argon2id$v=19$hash-of-{username}"),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        extra: json!({"firstname": "Ünïcode", "email": null}),
    }
}

async fn add_session(store: &Store, id: &str, user_id: i64, expires_at: i64) {
    store
        .create_session(&NewSession {
            id: id.into(),
            user_id,
            kind: "refresh".into(),
            created_at: 100,
            expires_at,
            user_agent: Some("test".into()),
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn users_are_created_read_listed_and_counted() {
    let (_dir, store) = fresh_store().await;
    let admin = store
        .create_user(&new_user("Admin", &["admin"]))
        .await
        .unwrap();
    let guest = store
        .create_user(&new_user("guest", &["guest"]))
        .await
        .unwrap();
    assert_eq!(admin.username, "Admin");
    assert_eq!(admin.roles, vec!["admin"]);
    assert_eq!(admin.extra, json!({"firstname": "Ünïcode", "email": null}));
    assert!(admin.created_at > 1_600_000_000);
    assert!(guest.id > admin.id);

    assert_eq!(
        store.user_by_id(admin.id).await.unwrap(),
        Some(admin.clone())
    );
    assert_eq!(store.user_by_id(9999).await.unwrap(), None);
    assert_eq!(
        store.user_by_name("aDMIN").await.unwrap(),
        Some(admin.clone())
    );
    assert_eq!(store.user_by_name("nobody").await.unwrap(), None);
    assert_eq!(store.count_users().await.unwrap(), 2);
    assert_eq!(store.list_users().await.unwrap(), vec![guest, admin]);
}

#[tokio::test]
async fn usernames_are_unique_regardless_of_case() {
    let (_dir, store) = fresh_store().await;
    store.create_user(&new_user("Zoë", &[])).await.unwrap();
    for taken in ["Zoë", "zoë", "ZOË"] {
        let error = store.create_user(&new_user(taken, &[])).await.unwrap_err();
        assert!(matches!(error, StoreError::Conflict(_)), "{taken}: {error}");
    }
    assert_eq!(store.count_users().await.unwrap(), 1);

    let empty = store.create_user(&new_user("  ", &[])).await.unwrap_err();
    assert!(matches!(empty, StoreError::Invalid { .. }), "{empty}");
}

#[tokio::test]
async fn updates_change_only_the_given_fields() {
    let (_dir, store) = fresh_store().await;
    let user = store.create_user(&new_user("alice", &[])).await.unwrap();
    let other = store.create_user(&new_user("bob", &[])).await.unwrap();

    let renamed = store
        .update_user(
            user.id,
            &UserUpdate {
                username: Some("Alicia".into()),
                roles: Some(vec!["admin".into(), "curator".into()]),
                ..UserUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.username, "Alicia");
    assert_eq!(renamed.roles, vec!["admin", "curator"]);
    assert_eq!(renamed.password_hash, user.password_hash);
    assert_eq!(renamed.extra, user.extra);
    assert_eq!(renamed.created_at, user.created_at);
    assert_eq!(store.user_by_name("alicia").await.unwrap(), Some(renamed));
    assert_eq!(store.user_by_name("alice").await.unwrap(), None);

    let rehashed = store
        .update_user(
            user.id,
            &UserUpdate {
                password_hash: Some("new-hash".into()),
                extra: Some(json!(null)),
                ..UserUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(rehashed.password_hash, "new-hash");
    assert_eq!(rehashed.extra, json!(null));
    assert_eq!(rehashed.username, "Alicia");

    // An empty update returns the row unchanged.
    let same = store
        .update_user(user.id, &UserUpdate::default())
        .await
        .unwrap();
    assert_eq!(same, rehashed);

    let taken = store
        .update_user(
            user.id,
            &UserUpdate {
                username: Some("BOB".into()),
                ..UserUpdate::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(taken, StoreError::Conflict(_)), "{taken}");
    assert_eq!(store.user_by_id(other.id).await.unwrap(), Some(other));

    let missing = store
        .update_user(4242, &UserUpdate::default())
        .await
        .unwrap_err();
    assert!(matches!(missing, StoreError::NotFound(_)), "{missing}");
}

#[tokio::test]
async fn deleting_a_user_removes_their_sessions_and_never_reuses_the_id() {
    let (_dir, store) = fresh_store().await;
    let doomed = store.create_user(&new_user("doomed", &[])).await.unwrap();
    let kept = store.create_user(&new_user("kept", &[])).await.unwrap();
    add_session(&store, "doomed-1", doomed.id, 1000).await;
    add_session(&store, "doomed-2", doomed.id, 1000).await;
    add_session(&store, "kept-1", kept.id, 1000).await;

    assert!(store.delete_user(doomed.id).await.unwrap());
    assert!(!store.delete_user(doomed.id).await.unwrap());
    assert_eq!(store.user_by_id(doomed.id).await.unwrap(), None);
    assert_eq!(store.session("doomed-1").await.unwrap(), None);
    assert_eq!(store.session("doomed-2").await.unwrap(), None);
    assert!(store.session("kept-1").await.unwrap().is_some());
    assert_eq!(store.count_users().await.unwrap(), 1);

    // The deleted user's row was the newest; a new user must still get a fresh id.
    store.delete_user(kept.id).await.unwrap();
    let newcomer = store.create_user(&new_user("doomed", &[])).await.unwrap();
    assert!(newcomer.id > kept.id);
}
