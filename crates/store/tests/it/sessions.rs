use swingfly_store::{NewSession, NewUser, SessionRow, Store, StoreError};

use crate::support::fresh_store;

async fn user(store: &Store, name: &str) -> i64 {
    store
        .create_user(&NewUser {
            username: name.into(),
            password_hash: "h".into(),
            roles: vec![],
            extra: serde_json::json!({}),
        })
        .await
        .unwrap()
        .id
}

fn session(id: &str, user_id: i64, kind: &str, expires_at: i64) -> NewSession {
    NewSession {
        id: id.into(),
        user_id,
        kind: kind.into(),
        created_at: 1_000,
        expires_at,
        user_agent: (kind == "refresh").then(|| "Swing Music Android/2.0 (Pixel 8)".into()),
    }
}

#[tokio::test]
async fn a_session_reads_back_until_revoked() {
    let (_dir, store) = fresh_store().await;
    let alice = user(&store, "alice").await;
    let issued = session("jti-1", alice, "refresh", 5_000);
    store.create_session(&issued).await.unwrap();

    assert_eq!(
        store.session("jti-1").await.unwrap(),
        Some(SessionRow {
            id: "jti-1".into(),
            user_id: alice,
            kind: "refresh".into(),
            created_at: 1_000,
            expires_at: 5_000,
            user_agent: Some("Swing Music Android/2.0 (Pixel 8)".into()),
        })
    );
    assert!(store.revoke_session("jti-1").await.unwrap());
    assert_eq!(store.session("jti-1").await.unwrap(), None);
    // Revoking twice, or revoking what was never issued, reports nothing revoked.
    assert!(!store.revoke_session("jti-1").await.unwrap());
    assert!(!store.revoke_session("never").await.unwrap());

    let reused = store.create_session(&issued).await.unwrap_err();
    assert!(matches!(reused, StoreError::Conflict(_)), "{reused}");
}

#[tokio::test]
async fn revoking_a_users_sessions_spares_other_users() {
    let (_dir, store) = fresh_store().await;
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    for (id, owner) in [("a1", alice), ("a2", alice), ("a3", alice), ("b1", bob)] {
        store
            .create_session(&session(id, owner, "access", 5_000))
            .await
            .unwrap();
    }
    store.revoke_session("a3").await.unwrap();

    assert_eq!(store.revoke_user_sessions(alice).await.unwrap(), 2);
    assert_eq!(store.revoke_user_sessions(alice).await.unwrap(), 0);
    for id in ["a1", "a2", "a3"] {
        assert_eq!(store.session(id).await.unwrap(), None, "{id}");
    }
    assert!(store.session("b1").await.unwrap().is_some());
}

#[tokio::test]
async fn purging_removes_exactly_the_expired_sessions() {
    let (_dir, store) = fresh_store().await;
    let alice = user(&store, "alice").await;
    for (id, expires_at) in [("old", 1_999), ("edge", 2_000), ("live", 2_001)] {
        store
            .create_session(&session(id, alice, "access", expires_at))
            .await
            .unwrap();
    }
    assert_eq!(store.purge_expired_sessions(2_000).await.unwrap(), 2);
    assert_eq!(store.session("old").await.unwrap(), None);
    assert_eq!(store.session("edge").await.unwrap(), None);
    assert!(store.session("live").await.unwrap().is_some());
    assert_eq!(store.purge_expired_sessions(2_000).await.unwrap(), 0);
}

#[tokio::test]
async fn sessions_need_an_id_and_an_existing_user() {
    let (_dir, store) = fresh_store().await;
    let alice = user(&store, "alice").await;
    let empty = store
        .create_session(&session("", alice, "access", 10))
        .await
        .unwrap_err();
    assert!(matches!(empty, StoreError::Invalid { .. }), "{empty}");
    let orphan = store
        .create_session(&session("x", alice + 100, "access", 10))
        .await
        .unwrap_err();
    assert!(matches!(orphan, StoreError::NotFound(_)), "{orphan}");
}
