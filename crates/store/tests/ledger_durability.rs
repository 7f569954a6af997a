//! The ledger principle at the SQL level: when a writing function of the store returns, its write
//! is committed (another connection sees it at once) and no statement is left open on the
//! writer's connections (a full `wal_checkpoint(TRUNCATE)` succeeds), so the WAL cannot grow
//! without bound. Every function that used to read its write back through `... RETURNING` is
//! covered, plus a burst of thousands of writes from several tasks at once.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;
use swingfly_store::collections::CollectionItem;
use swingfly_store::playlists::NewPlaylist;
use swingfly_store::{NewUser, RawTrack, Store, UserUpdate};
use tempfile::TempDir;

/// The store's `journal_size_limit`.
const WAL_SIZE_LIMIT: u64 = 8 * 1024 * 1024;

/// The store under test, plus an independent observer on the same file (as another process or
/// the server after a crash and restart would see it).
struct Ledger {
    _dir: TempDir,
    path: PathBuf,
    store: Store,
    observer: SqlitePool,
}

async fn ledger() -> Ledger {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("swingfly.db");
    let store = Store::open(&path).await.unwrap();
    let observer = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(SqliteConnectOptions::new().filename(&path))
        .await
        .unwrap();
    Ledger {
        _dir: dir,
        path,
        store,
        observer,
    }
}

impl Ledger {
    async fn user(&self, name: &str) -> i64 {
        self.store
            .create_user(&NewUser {
                username: name.into(),
                password_hash: "x".into(),
                roles: vec![],
                extra: json!({}),
            })
            .await
            .unwrap()
            .id
    }

    async fn observe_i64(&self, sql: &str, id: i64) -> Option<i64> {
        sqlx::query_scalar(sql)
            .bind(id)
            .fetch_optional(&self.observer)
            .await
            .unwrap()
    }

    async fn observe_text(&self, sql: &str, id: i64) -> Option<String> {
        sqlx::query_scalar(sql)
            .bind(id)
            .fetch_optional(&self.observer)
            .await
            .unwrap()
    }

    /// Runs a full checkpoint from the observer and asserts that nothing held it back (busy = 0):
    /// no connection of the store still has a statement (and so a snapshot) open.
    async fn assert_wal_free(&self, after: &str) {
        let (busy, _log, _moved): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&self.observer)
                .await
                .unwrap();
        assert_eq!(busy, 0, "after {after}: a connection still holds the WAL");
    }

    fn wal_bytes(&self) -> u64 {
        wal_size(&self.path)
    }
}

fn wal_size(db: &Path) -> u64 {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(PathBuf::from(wal)).map_or(0, |meta| meta.len())
}

fn playlist(name: &str) -> NewPlaylist {
    NewPlaylist {
        name: name.into(),
        image: None,
        settings: json!({}),
        trackhashes: vec!["aaaaaaaaaaaaaaaa".into()],
        extra: json!({}),
    }
}

fn item(hash: &str) -> CollectionItem {
    CollectionItem {
        kind: "album".into(),
        hash: hash.into(),
    }
}

#[tokio::test]
async fn user_writes_are_committed_on_return() {
    let ledger = ledger().await;
    let id = ledger.user("ana").await;
    let name_sql = "SELECT username FROM users WHERE id = ?";
    assert_eq!(
        ledger.observe_text(name_sql, id).await.as_deref(),
        Some("ana")
    );
    ledger.assert_wal_free("create_user").await;

    let updated = ledger
        .store
        .update_user(
            id,
            &UserUpdate {
                username: Some("Ana B".into()),
                ..UserUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.username, "Ana B");
    assert_eq!(
        ledger.observe_text(name_sql, id).await.as_deref(),
        Some("Ana B")
    );
    ledger.assert_wal_free("update_user").await;

    // The errors the RETURNING forms gave are kept: a taken name and an unknown id.
    let bob = ledger.user("bob").await;
    let clash = UserUpdate {
        username: Some("ANA b".into()),
        ..UserUpdate::default()
    };
    assert!(ledger.store.update_user(bob, &clash).await.is_err());
    assert!(ledger.store.update_user(9999, &clash).await.is_err());
    assert_eq!(
        ledger.observe_text(name_sql, bob).await.as_deref(),
        Some("bob")
    );
    ledger.assert_wal_free("failed update_user").await;

    assert!(ledger.store.delete_user(id).await.unwrap());
    assert_eq!(ledger.observe_text(name_sql, id).await, None);
    ledger.assert_wal_free("delete_user").await;
}

#[tokio::test]
async fn playlist_writes_are_committed_on_return() {
    let ledger = ledger().await;
    let user = ledger.user("ana").await;
    let created = ledger
        .store
        .create_playlist(user, &playlist("Road"))
        .await
        .unwrap();
    let version_sql = "SELECT version FROM playlists WHERE id = ?";
    assert_eq!(ledger.observe_i64(version_sql, created.id).await, Some(1));
    ledger.assert_wal_free("create_playlist").await;

    let (_, edited) = ledger
        .store
        .edit_playlist(user, created.id, |row| row.name = "Road trip".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((edited.version, edited.name.as_str()), (2, "Road trip"));
    assert_eq!(ledger.observe_i64(version_sql, created.id).await, Some(2));
    assert_eq!(
        ledger
            .observe_text("SELECT name FROM playlists WHERE id = ?", created.id)
            .await
            .as_deref(),
        Some("Road trip")
    );
    ledger.assert_wal_free("edit_playlist").await;

    let deleted = ledger
        .store
        .delete_playlist(user, created.id)
        .await
        .unwrap()
        .expect("the playlist existed");
    assert_eq!(deleted.name, "Road trip");
    assert_eq!(ledger.observe_i64(version_sql, created.id).await, None);
    assert_eq!(
        ledger
            .store
            .delete_playlist(user, created.id)
            .await
            .unwrap(),
        None
    );
    ledger.assert_wal_free("delete_playlist").await;
}

#[tokio::test]
async fn collection_writes_are_committed_on_return() {
    let ledger = ledger().await;
    let user = ledger.user("ana").await;
    let created = ledger
        .store
        .create_collection(user, "Jazz", "late nights", &[item("aaaaaaaaaaaaaaaa")])
        .await
        .unwrap();
    let name_sql = "SELECT name FROM collections WHERE id = ?";
    assert_eq!(
        ledger.observe_text(name_sql, created.id).await.as_deref(),
        Some("Jazz")
    );
    ledger.assert_wal_free("create_collection").await;

    let updated = ledger
        .store
        .update_collection(user, created.id, "Jazz & soul", "")
        .await
        .unwrap()
        .expect("the collection exists");
    assert_eq!(updated.items, vec![item("aaaaaaaaaaaaaaaa")]);
    assert_eq!(
        ledger.observe_text(name_sql, created.id).await.as_deref(),
        Some("Jazz & soul")
    );
    // Someone else's collection is not found, and not changed.
    let bob = ledger.user("bob").await;
    assert_eq!(
        ledger
            .store
            .update_collection(bob, created.id, "mine", "")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        ledger.observe_text(name_sql, created.id).await.as_deref(),
        Some("Jazz & soul")
    );
    ledger.assert_wal_free("update_collection").await;
}

fn track(n: usize) -> RawTrack {
    RawTrack {
        filepath: format!("/music/Album/{n:03} Song.flac"),
        folder: "/music/Album".into(),
        size: 1000,
        mtime: 1_700_000_000,
        title: Some(format!("Song {n}")),
        album: Some("Album".into()),
        artists: Some("Artist".into()),
        albumartists: Some("Artist".into()),
        genres: None,
        date: None,
        track: None,
        track_total: None,
        disc: None,
        disc_total: None,
        copyright: None,
        composer: None,
        comment: None,
        explicit: None,
        duration: 180.0,
        bitrate: 900,
        samplerate: 44_100,
        bitdepth: Some(16),
        channels: 2,
        has_picture: false,
        has_lyrics: false,
    }
}

#[tokio::test]
async fn a_scan_is_committed_on_return() {
    let ledger = ledger().await;
    let version = ledger
        .store
        .apply_scan(&[track(1), track(2)], &[])
        .await
        .unwrap();
    assert_eq!(version, 1);
    assert_eq!(
        ledger
            .observe_i64("SELECT version FROM library_state WHERE id = ?", 1)
            .await,
        Some(1)
    );
    assert_eq!(
        ledger
            .observe_i64("SELECT COUNT(*) FROM tracks WHERE ? = 1", 1)
            .await,
        Some(2)
    );
    ledger.assert_wal_free("apply_scan").await;
}

#[tokio::test]
async fn scrobble_service_writes_are_committed_on_return() {
    let ledger = ledger().await;
    let user = ledger.user("ana").await;
    let linked = ledger
        .store
        .link_user_service(user, "lastfm", "key1", Some("ana_fm"))
        .await
        .unwrap();
    assert_eq!((linked.attempts, linked.credential.as_str()), (0, "key1"));
    let attempts_sql = "SELECT attempts FROM user_services WHERE user_id = ?";
    assert_eq!(ledger.observe_i64(attempts_sql, user).await, Some(0));
    ledger.assert_wal_free("link_user_service").await;

    for expected in 1..=3 {
        let attempts = ledger
            .store
            .record_user_service_failure(user, "lastfm", "key1", 500, "down")
            .await
            .unwrap();
        assert_eq!(attempts, expected);
        assert_eq!(ledger.observe_i64(attempts_sql, user).await, Some(expected));
    }
    // A stale credential changes nothing and reports 0.
    let stale = ledger
        .store
        .record_user_service_failure(user, "lastfm", "old-key", 500, "down")
        .await
        .unwrap();
    assert_eq!(stale, 0);
    assert_eq!(ledger.observe_i64(attempts_sql, user).await, Some(3));
    ledger.assert_wal_free("record_user_service_failure").await;

    // A re-link resets the failure state, visibly at once.
    ledger
        .store
        .link_user_service(user, "lastfm", "key2", None)
        .await
        .unwrap();
    assert_eq!(ledger.observe_i64(attempts_sql, user).await, Some(0));
    ledger.assert_wal_free("re-link").await;
}

/// Thousands of writes as fast as the store takes them, from several tasks at once (so every
/// pooled connection writes). Every write is visible from outside afterwards, nothing holds the
/// WAL, the restarted log is trimmed to the size limit, and a full checkpoint empties it. (How
/// big the WAL gets during the burst depends on how readers and checkpoints interleave, so it
/// is printed, not asserted.)
#[tokio::test]
async fn a_burst_of_writes_leaves_the_wal_bounded_and_checkpointable() {
    const TASKS: usize = 4;
    const ROUNDS: usize = 600;
    let ledger = ledger().await;
    let mut users = Vec::new();
    for n in 0..TASKS {
        let id = ledger.user(&format!("user{n}")).await;
        ledger
            .store
            .link_user_service(id, "lastfm", "key", None)
            .await
            .unwrap();
        users.push(id);
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (n, user) in users.iter().copied().enumerate() {
        let store = ledger.store.clone();
        let path = ledger.path.clone();
        tasks.push(tokio::spawn(async move {
            let list = store
                .create_playlist(user, &playlist(&format!("burst {n}")))
                .await
                .unwrap();
            let mut peak_wal = 0;
            for round in 0..ROUNDS {
                store
                    .edit_playlist(user, list.id, |row| {
                        row.trackhashes.push(format!("{round:016x}"))
                    })
                    .await
                    .unwrap()
                    .unwrap();
                store
                    .create_collection(user, &format!("c{round}"), "", &[])
                    .await
                    .unwrap();
                store
                    .record_user_service_failure(user, "lastfm", "key", 0, "down")
                    .await
                    .unwrap();
                store
                    .update_user(
                        user,
                        &UserUpdate {
                            extra: Some(json!({ "round": round })),
                            ..UserUpdate::default()
                        },
                    )
                    .await
                    .unwrap();
                if round % 25 == 0 {
                    peak_wal = peak_wal.max(wal_size(&path));
                }
            }
            peak_wal
        }));
    }
    let mut peak_wal = 0;
    for task in tasks {
        peak_wal = peak_wal.max(task.await.unwrap());
    }
    let writes = TASKS * (ROUNDS * 4 + 1);
    let elapsed = started.elapsed();
    let wal_after_burst = ledger.wal_bytes();
    println!(
        "{writes} writes in {elapsed:.2?}; WAL peak during the burst: {} KiB, after it: {} KiB",
        peak_wal / 1024,
        wal_after_burst / 1024
    );

    // Every write is there, seen from outside.
    for user in &users {
        assert_eq!(
            ledger
                .observe_i64(
                    "SELECT attempts FROM user_services WHERE user_id = ?",
                    *user
                )
                .await,
            Some(ROUNDS as i64)
        );
        assert_eq!(
            ledger
                .observe_i64("SELECT COUNT(*) FROM collections WHERE user_id = ?", *user)
                .await,
            Some(ROUNDS as i64)
        );
        assert_eq!(
            ledger
                .observe_i64("SELECT version FROM playlists WHERE user_id = ?", *user)
                .await,
            Some(ROUNDS as i64 + 1)
        );
    }
    // Nothing holds the WAL: a passive checkpoint copies all of it, and the next write restarts
    // the log, which `journal_size_limit` trims back to its limit.
    let (busy, log, moved): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(&ledger.observer)
        .await
        .unwrap();
    assert_eq!((busy, moved), (0, log), "the whole log was checkpointed");
    ledger.user("one-more").await;
    let wal_after_restart = ledger.wal_bytes();
    println!(
        "WAL after a passive checkpoint and one write: {} KiB",
        wal_after_restart / 1024
    );
    assert!(
        wal_after_restart <= WAL_SIZE_LIMIT,
        "the restarted WAL was not trimmed: {wal_after_restart} bytes"
    );

    // A full checkpoint through the store empties the file, and so does one from outside.
    let checkpoint = ledger.store.checkpoint_wal().await.unwrap();
    assert!(checkpoint.complete, "{checkpoint:?}");
    assert_eq!(checkpoint.wal_bytes_after, 0, "{checkpoint:?}");
    ledger.user("last").await;
    ledger.assert_wal_free("the burst").await;
    assert_eq!(ledger.wal_bytes(), 0, "TRUNCATE empties the WAL");
}
