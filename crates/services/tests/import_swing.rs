//! `import_swing` over a Swing-shaped config folder: a real SQLite `swingmusic.db` in WAL mode with
//! the reference's table and column names (§4.2), a `settings.json` with a known `serverId`, and a
//! playlist image. Imported users log in with their Swing password through the real login path
//! (and are rehashed to Argon2id); a second import duplicates nothing.

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::Arc;

use serde_json::json;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection};
use swingfly_services::app::{App, AppConfig};
use swingfly_services::auth::{swing_pbkdf2_hex, ClientInfo, LoginError};
use swingfly_services::import_swing::{import_swing, ImportReport};
use swingfly_store::backup::{FavoriteRecord, UserRecords};

const SERVER_ID: &str = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";
const TRACK: &str = "aaaaaaaaaaaaaaaa";
const TRACK_2: &str = "bbbbbbbbbbbbbbbb";
const ALBUM: &str = "cccccccccccccccc";
const ARTIST: &str = "dddddddddddddddd";
const PLAYLIST_IMAGE: &[u8] = b"RIFF....WEBPVP8 pretend image bytes";

fn client() -> ClientInfo {
    ClientInfo {
        ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        user_agent: None,
    }
}

/// Writes a Swing config folder under `dir` with two users (alice, an admin; bob), a third user
/// whose hash is not hex, and rows for each, including rows that must be skipped.
async fn write_swing_config(dir: &Path, music_root: &Path) {
    std::fs::create_dir_all(dir.join("images/playlists")).unwrap();
    std::fs::write(dir.join("images/playlists/1qwert.webp"), PLAYLIST_IMAGE).unwrap();
    std::fs::write(dir.join("images/playlists/thumb_1qwert.webp"), b"thumb").unwrap();
    let settings = json!({
        "serverId": SERVER_ID,
        "rootDirs": [music_root.to_string_lossy(), "/no/such/swing/root"],
        "usersOnLogin": true,
    });
    std::fs::write(dir.join("settings.json"), settings.to_string()).unwrap();

    let mut conn = SqliteConnectOptions::new()
        .filename(dir.join("swingmusic.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // Off so that an orphaned row (a favourite of a deleted user) can be written.
        .foreign_keys(false)
        .connect()
        .await
        .unwrap();
    let schema = [
        "CREATE TABLE user (id INTEGER PRIMARY KEY, image TEXT, password TEXT NOT NULL, \
         username TEXT NOT NULL, roles JSON, extra JSON)",
        "CREATE TABLE favorite (id INTEGER PRIMARY KEY, hash TEXT UNIQUE, type TEXT, \
         timestamp INTEGER, userid INTEGER REFERENCES user(id) ON DELETE CASCADE, extra JSON)",
        "CREATE TABLE scrobble (id INTEGER PRIMARY KEY, trackhash TEXT, duration INTEGER, \
         timestamp INTEGER, source TEXT, userid INTEGER, extra JSON)",
        "CREATE TABLE playlist (id INTEGER PRIMARY KEY, name TEXT, last_updated INTEGER, \
         image TEXT, userid INTEGER, settings JSON, trackhashes JSON, extra JSON)",
        "CREATE TABLE page (id INTEGER PRIMARY KEY, name TEXT, userid INTEGER, items JSON, \
         extra JSON)",
    ];
    for statement in schema {
        sqlx::query(statement).execute(&mut conn).await.unwrap();
    }
    let users = [
        (
            1,
            "alice",
            swing_pbkdf2_hex("wonderland", SERVER_ID),
            r#"["admin"]"#,
        ),
        (2, "bob", swing_pbkdf2_hex("builder", SERVER_ID), "[]"),
        (
            3,
            "carol",
            "not-a-hash".to_string(),
            r#"["curator","wizard"]"#,
        ),
    ];
    for (id, name, password, roles) in users {
        sqlx::query(
            "INSERT INTO user (id, username, password, roles, extra) VALUES (?, ?, ?, ?, '{}')",
        )
        .bind(id)
        .bind(name)
        .bind(password)
        .bind(roles)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let favorites = [
        (format!("track_{TRACK}"), "track", 1_700_000_001, 1),
        (format!("album_{ALBUM}"), "album", 1_700_000_002, 1),
        (format!("artist_{ARTIST}"), "artist", 1_700_000_003, 2),
        ("folder_/music".to_string(), "folder", 1_700_000_004, 1),
        (format!("track_{TRACK_2}"), "track", 1_700_000_005, 99),
    ];
    for (hash, kind, timestamp, userid) in favorites {
        sqlx::query(
            "INSERT INTO favorite (hash, type, timestamp, userid, extra) VALUES (?, ?, ?, ?, '{}')",
        )
        .bind(hash)
        .bind(kind)
        .bind(timestamp)
        .bind(userid)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let scrobbles = [
        (TRACK, 180, 1_700_000_100, "al:cccccccccccccccc", 1),
        (TRACK_2, 200, 1_700_000_400, "", 1),
        // Swing has no unique key on plays: the same play logged twice is one play here.
        (TRACK_2, 200, 1_700_000_400, "", 1),
        (TRACK, 60, 1_700_000_500, "", 2),
    ];
    for (trackhash, duration, timestamp, source, userid) in scrobbles {
        sqlx::query(
            "INSERT INTO scrobble (trackhash, duration, timestamp, source, userid, extra) \
             VALUES (?, ?, ?, ?, ?, '{\"title\":\"x\"}')",
        )
        .bind(trackhash)
        .bind(duration)
        .bind(timestamp)
        .bind(source)
        .bind(userid)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO playlist (name, last_updated, image, userid, settings, trackhashes, extra) \
         VALUES ('Road trip', '2024-05-01 10:00:00', '1qwert.webp', 1, \
         '{\"has_gif\":false,\"banner_pos\":40,\"square_img\":false,\"pinned\":true}', ?, NULL), \
         ('Bob mix', '2024-06-01 08:00:00', NULL, 2, '{}', ?, NULL)",
    )
    .bind(json!([TRACK, TRACK_2]).to_string())
    .bind(json!([TRACK]).to_string())
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query("INSERT INTO page (name, userid, items, extra) VALUES ('Weekend', 1, ?, ?)")
        .bind(
            json!([{"type": "album", "hash": ALBUM}, {"type": "artist", "hash": ARTIST}])
                .to_string(),
        )
        .bind(json!({"description": "for saturdays"}).to_string())
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

async fn open_app(data: &Path, home: &Path) -> Arc<App> {
    let mut config = AppConfig::new(data);
    config.home_dir = home.to_path_buf();
    App::open(config).await.unwrap()
}

async fn records_of(app: &App, username: &str) -> UserRecords {
    let user = app.store.user_by_name(username).await.unwrap().unwrap();
    app.store.export_user_records(Some(user.id)).await.unwrap()
}

fn skipped_reasons(report: &ImportReport) -> Vec<(String, String)> {
    report
        .skipped
        .iter()
        .map(|row| (row.kind.to_string(), row.item.clone()))
        .collect()
}

#[tokio::test]
async fn import_brings_users_and_their_data_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let swing = dir.path().join("swing-config/swingmusic");
    let music = dir.path().join("Music");
    std::fs::create_dir_all(&music).unwrap();
    write_swing_config(&swing, &music).await;

    let app = open_app(&dir.path().join("data"), dir.path()).await;
    // Bob already has an account here: he keeps his own password.
    app.auth
        .create_user("admin", "root-pass", vec!["admin".into()], json!({}))
        .await
        .unwrap();
    app.auth
        .create_user("Bob", "local-pass", vec![], json!({}))
        .await
        .unwrap();

    // The parent of the config folder works too. Swing's database is only read.
    let swing_db_before = std::fs::read(swing.join("swingmusic.db")).unwrap();
    let report = import_swing(&app, &dir.path().join("swing-config"))
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(swing.join("swingmusic.db")).unwrap(),
        swing_db_before
    );
    assert_eq!(report.users_created, vec!["alice", "carol"]);
    assert_eq!(report.users_existing, vec!["bob"]);
    assert_eq!(report.favorites.added, 3);
    assert_eq!(report.scrobbles.added, 3);
    assert_eq!(
        report.scrobbles.already_present, 1,
        "the doubled play is one play"
    );
    assert_eq!(report.playlists.added, 2);
    assert_eq!(report.collections.added, 1);
    assert_eq!(report.playlist_images, 1);
    let skipped = skipped_reasons(&report);
    assert!(
        skipped.contains(&("favorite".into(), "/music".into())),
        "{skipped:?}"
    );
    assert!(
        skipped.contains(&("favorite".into(), format!("track_{TRACK_2}"))),
        "{skipped:?}"
    );
    assert!(
        skipped.contains(&("user password".into(), "carol".into())),
        "{skipped:?}"
    );
    assert!(
        skipped.contains(&("root dir".into(), "/no/such/swing/root".into())),
        "{skipped:?}"
    );
    let music_root = std::fs::canonicalize(&music)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(report.root_dirs_added, vec![music_root.clone()]);
    assert_eq!(app.root_dirs().await.unwrap(), vec![music_root]);

    // Alice logs in with her Swing password through the real login path; it is rehashed.
    let before = app.store.user_by_name("alice").await.unwrap().unwrap();
    assert!(before.password_hash.starts_with("swing-pbkdf2$"));
    assert_eq!(before.roles, vec!["admin"]);
    let wrong = app.auth.login("alice", "Wonderland", &client()).await;
    assert!(matches!(wrong, Err(LoginError::WrongPassword)));
    let (user, _tokens) = app
        .auth
        .login("alice", "wonderland", &client())
        .await
        .unwrap();
    assert_eq!(user.username, "alice");
    let after = app.store.user_by_name("alice").await.unwrap().unwrap();
    assert!(
        after.password_hash.starts_with("$argon2id$"),
        "{}",
        after.password_hash
    );
    app.auth
        .login("alice", "wonderland", &client())
        .await
        .unwrap();
    // Bob keeps his own password; Carol's could not be carried over, and unknown roles are dropped.
    assert!(app.auth.login("bob", "builder", &client()).await.is_err());
    app.auth
        .login("bob", "local-pass", &client())
        .await
        .unwrap();
    assert!(app
        .auth
        .login("carol", "not-a-hash", &client())
        .await
        .is_err());
    let carol = app.store.user_by_name("carol").await.unwrap().unwrap();
    assert_eq!(carol.roles, vec!["curator"]);

    // Each user's rows landed with them and only with them.
    let alice = records_of(&app, "alice").await;
    assert_eq!(
        alice.favorites,
        vec![
            FavoriteRecord {
                username: "alice".into(),
                kind: "track".into(),
                hash: TRACK.into(),
                timestamp: 1_700_000_001,
                extra: json!({}),
            },
            FavoriteRecord {
                username: "alice".into(),
                kind: "album".into(),
                hash: ALBUM.into(),
                timestamp: 1_700_000_002,
                extra: json!({}),
            },
        ]
    );
    assert_eq!(alice.scrobbles.len(), 2);
    assert_eq!(alice.scrobbles[0].source, "al:cccccccccccccccc");
    assert_eq!(alice.scrobbles[0].extra, json!({"title": "x"}));
    let road_trip = &alice.playlists[0];
    assert_eq!(road_trip.name, "Road trip");
    assert_eq!(road_trip.trackhashes, vec![TRACK, TRACK_2]);
    assert_eq!(road_trip.settings["banner_pos"], 40);
    assert_eq!(road_trip.last_updated, 1_714_557_600, "2024-05-01 10:00:00");
    let image = road_trip.image.as_deref().unwrap();
    assert_eq!(
        std::fs::read(app.paths.playlist_images.join(image)).unwrap(),
        PLAYLIST_IMAGE
    );
    assert_eq!(
        std::fs::read(app.paths.playlist_images.join(format!("thumb_{image}"))).unwrap(),
        b"thumb"
    );
    assert_eq!(alice.collections.len(), 1);
    assert_eq!(alice.collections[0].description, "for saturdays");
    assert_eq!(
        alice.collections[0].items,
        json!([{"type": "album", "hash": ALBUM}, {"type": "artist", "hash": ARTIST}])
    );
    let bob = records_of(&app, "bob").await;
    assert_eq!(bob.favorites.len(), 1);
    assert_eq!(bob.favorites[0].kind, "artist");
    assert_eq!(bob.scrobbles.len(), 1);
    assert_eq!(bob.playlists.len(), 1);
    assert!(bob.collections.is_empty());
    assert_eq!(records_of(&app, "admin").await, UserRecords::default());

    // A second import adds nothing and creates no one.
    let everything = app.store.export_user_records(None).await.unwrap();
    let users = app.store.list_users().await.unwrap().len();
    let again = import_swing(&app, &swing).await.unwrap();
    assert!(again.users_created.is_empty());
    for table in [
        again.favorites,
        again.scrobbles,
        again.playlists,
        again.collections,
    ] {
        assert_eq!(table.added, 0);
    }
    assert!(again.root_dirs_added.is_empty());
    assert_eq!(
        app.store.export_user_records(None).await.unwrap(),
        everything
    );
    assert_eq!(app.store.list_users().await.unwrap().len(), users);
    let images = std::fs::read_dir(&app.paths.playlist_images)
        .unwrap()
        .count();
    assert_eq!(images, 2, "the image and its thumbnail, once");
    // Alice's upgraded password survives the second import.
    app.auth
        .login("alice", "wonderland", &client())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_folder_without_swing_data_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let app = open_app(&dir.path().join("data"), dir.path()).await;
    let error = import_swing(&app, &dir.path().join("nowhere"))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("not a Swing Music config folder"),
        "{error:#}"
    );

    let fake = dir.path().join("fake");
    std::fs::create_dir_all(&fake).unwrap();
    std::fs::write(fake.join("swingmusic.db"), b"this is not sqlite").unwrap();
    assert!(import_swing(&app, &fake).await.is_err());
    assert!(app.store.list_users().await.unwrap().is_empty());
}
