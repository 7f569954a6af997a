//! What the store's unit tests share: a ledger in a temporary folder with a few users in it.

use serde_json::json;

use crate::{NewUser, Store};

/// Opens a fresh ledger and creates one plain user per name; returns their ids in order. Keep the
/// folder alive as long as the store.
pub(crate) async fn store_with_users(names: &[&str]) -> (tempfile::TempDir, Store, Vec<i64>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
    let mut ids = Vec::new();
    for name in names {
        let user = store
            .create_user(&NewUser {
                username: (*name).into(),
                password_hash: "x".into(),
                roles: vec![],
                extra: json!({}),
            })
            .await
            .unwrap();
        ids.push(user.id);
    }
    (dir, store, ids)
}

/// [`store_with_users`] for the usual two users, ann and bob.
pub(crate) async fn store_with_two_users() -> (tempfile::TempDir, Store, i64, i64) {
    let (dir, store, ids) = store_with_users(&["ann", "bob"]).await;
    (dir, store, ids[0], ids[1])
}
