use swingfly_store::{NewUser, Store};

use crate::support::{fresh_store, full_track};

#[tokio::test]
async fn a_fresh_file_gets_the_whole_schema() {
    let (dir, store) = fresh_store().await;
    assert!(dir.path().join("swingfly.db").exists());
    assert_eq!(store.track_count().await.unwrap(), 0);
    assert_eq!(store.library_version().await.unwrap(), 0);
    assert_eq!(store.count_users().await.unwrap(), 0);
    assert!(store.load_album_art().await.unwrap().is_empty());
    assert!(store.all_settings().await.unwrap().is_empty());
    assert!(store.session("nope").await.unwrap().is_none());
}

#[tokio::test]
async fn open_creates_missing_parent_directories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/c/swingfly.db");
    let store = Store::open(&path).await.unwrap();
    assert_eq!(store.track_count().await.unwrap(), 0);
    assert!(path.exists());
}

#[tokio::test]
async fn open_reports_an_unusable_directory_as_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"not a directory").unwrap();
    let error = Store::open(&blocker.join("swingfly.db")).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("cannot create database directory"),
        "{error}"
    );
}

#[tokio::test]
async fn reopening_keeps_every_kind_of_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("swingfly.db");
    let store = Store::open(&path).await.unwrap();
    store.apply_scan(&[full_track(1)], &[]).await.unwrap();
    let user = store
        .create_user(&NewUser {
            username: "admin".into(),
            password_hash: "hash".into(),
            roles: vec!["admin".into()],
            extra: serde_json::json!({}),
        })
        .await
        .unwrap();
    store
        .set_setting("rootDirs", &serde_json::json!(["/music"]))
        .await
        .unwrap();
    store.close().await;

    // Migrations run again on an up-to-date file and must leave it as it is.
    let reopened = Store::open(&path).await.unwrap();
    assert_eq!(reopened.load_tracks().await.unwrap(), vec![full_track(1)]);
    assert_eq!(reopened.library_version().await.unwrap(), 1);
    assert_eq!(reopened.user_by_id(user.id).await.unwrap(), Some(user));
    assert_eq!(
        reopened.setting("rootDirs").await.unwrap(),
        Some(serde_json::json!(["/music"]))
    );
}

#[tokio::test]
async fn the_database_runs_in_wal_mode_with_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("swingfly.db");
    let store = Store::open(&path).await.unwrap();
    store.apply_scan(&[full_track(1)], &[]).await.unwrap();
    // While the store is open in WAL mode, SQLite keeps the write-ahead log beside the file.
    assert!(dir.path().join("swingfly.db-wal").exists());
    // Foreign keys are enforced: a session for a missing user is refused.
    let error = store
        .create_session(&swingfly_store::NewSession {
            id: "jti".into(),
            user_id: 42,
            kind: "access".into(),
            created_at: 0,
            expires_at: 10,
            user_agent: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(error, swingfly_store::StoreError::NotFound(_)),
        "{error}"
    );
}
