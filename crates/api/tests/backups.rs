//! Backups over real HTTP (reference §3.16): create → list → lose data → restore → the same rows;
//! restoring twice adds nothing; a backup restores onto another install by username; only admins
//! may use the routes; bad names are refused before anything is touched.

mod auth_support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use swingfly_store::backup::{
    CollectionRecord, FavoriteRecord, PlaylistRecord, ScrobbleRecord, UserRecords,
};

use auth_support::{json_of, start, TestServer};

const IMAGE: &[u8] = b"pretend webp bytes";

fn records_for(username: &str, seed: u8) -> UserRecords {
    let hash = |n: u8| format!("{:016x}", u64::from(seed) * 1000 + u64::from(n));
    UserRecords {
        favorites: vec![
            FavoriteRecord {
                username: username.into(),
                kind: "track".into(),
                hash: hash(1),
                timestamp: 1_700_000_000,
                extra: json!({"title": "One"}),
            },
            FavoriteRecord {
                username: username.into(),
                kind: "album".into(),
                hash: hash(2),
                timestamp: 1_700_000_010,
                extra: json!({}),
            },
        ],
        scrobbles: (0..3)
            .map(|n| ScrobbleRecord {
                username: username.into(),
                trackhash: hash(1),
                timestamp: 1_700_001_000 + i64::from(n) * 300,
                duration: 200,
                source: format!("al:{}", hash(2)),
                extra: json!({"title": "One"}),
            })
            .collect(),
        playlists: vec![PlaylistRecord {
            username: username.into(),
            name: format!("{username}'s mix"),
            image: Some(format!("{seed}abcde.webp")),
            settings: json!({"has_gif": false, "banner_pos": 50, "square_img": false, "pinned": true}),
            trackhashes: vec![hash(1), hash(3)],
            created_at: 1_700_000_500,
            last_updated: 1_700_000_600,
            extra: json!({}),
        }],
        collections: vec![CollectionRecord {
            username: username.into(),
            name: "Favourite things".into(),
            description: "mine".into(),
            items: json!([{"type": "album", "hash": hash(2)}]),
            created_at: 1_700_000_700,
            updated_at: 1_700_000_800,
            extra: json!({}),
        }],
    }
}

/// Gives `username` the rows of [`records_for`] and writes their playlist image.
async fn seed(server: &TestServer, username: &str, seed: u8) -> UserRecords {
    let records = records_for(username, seed);
    let image = records.playlists[0].image.clone().unwrap();
    let images = &server.app.paths.playlist_images;
    std::fs::write(images.join(&image), IMAGE).unwrap();
    std::fs::write(images.join(format!("thumb_{image}")), b"thumbnail").unwrap();
    let outcome = server
        .app
        .store
        .import_user_records(&[], &records)
        .await
        .unwrap();
    assert_eq!(outcome.favorites.added, 2);
    records
}

async fn all_rows(server: &TestServer) -> UserRecords {
    let mut rows = server.app.store.export_user_records(None).await.unwrap();
    // Restored rows get new ids, so compare in a fixed order.
    rows.favorites
        .sort_by(|a, b| (&a.username, &a.hash).cmp(&(&b.username, &b.hash)));
    rows.scrobbles
        .sort_by(|a, b| (&a.username, a.timestamp).cmp(&(&b.username, b.timestamp)));
    rows.playlists.sort_by(|a, b| a.name.cmp(&b.name));
    rows.collections.sort_by(|a, b| a.username.cmp(&b.username));
    rows
}

async fn call(
    server: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    body: Value,
) -> (StatusCode, Value) {
    json_of(server.send_json(method, path, Some(token), body).await).await
}

async fn delete_user(server: &TestServer, admin: &str, username: &str) {
    let (status, body) = call(
        server,
        Method::DELETE,
        "/auth/profile/delete",
        admin,
        json!({"username": username}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn backup_restore_round_trip_is_idempotent_and_maps_users_by_name() {
    let server = start().await;
    let admin = server.create_admin("admin", "admin-pass").await;
    let ann = server.create_user(&admin, "ann", "ann-pass").await;
    server.create_user(&admin, "bob", "bob-pass").await;
    seed(&server, "ann", 1).await;
    seed(&server, "bob", 2).await;
    let original = all_rows(&server).await;

    // Only admins.
    for (method, path) in [
        (Method::POST, "/backup/create"),
        (Method::GET, "/backup/list"),
        (Method::POST, "/backup/restore"),
        (Method::DELETE, "/backup/delete"),
    ] {
        let (status, body) = call(
            &server,
            method,
            path,
            &ann,
            json!({"backup_dir": "backup.1"}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body, json!({"msg": "Only admins can do that!"}));
    }
    let (status, _) = json_of(server.post_json("/backup/create", None, json!({})).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, created) = call(&server, Method::POST, "/backup/create", &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let name = created["name"].as_str().unwrap().to_string();
    assert!(name.starts_with("backup."), "{name}");
    assert_eq!(created["date"], "a few seconds ago");
    assert_eq!(
        (
            &created["favorites"],
            &created["scrobbles"],
            &created["playlists"],
            &created["collections"]
        ),
        (&json!(4), &json!(6), &json!(2), &json!(2))
    );
    let folder = server.app.paths.data_dir.join("backups").join(&name);
    assert!(folder.join("data.json").is_file());
    assert_eq!(
        std::fs::read(folder.join("images/playlists/1abcde.webp")).unwrap(),
        IMAGE
    );

    let (status, listed) = call(&server, Method::GET, "/backup/list", &admin, Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed, json!({"backups": [created.clone()]}));

    // Bob is deleted (his rows go with him) and comes back as a new account; Ann's playlist image
    // is lost from the data folder.
    delete_user(&server, &admin, "bob").await;
    server.create_user(&admin, "bob", "new-pass").await;
    std::fs::remove_file(server.app.paths.playlist_images.join("1abcde.webp")).unwrap();
    assert_ne!(all_rows(&server).await, original);

    let (status, restored) = call(
        &server,
        Method::POST,
        "/backup/restore",
        &admin,
        json!({"backup_dir": name}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(restored["backups"], json!([name]));
    assert!(
        restored["msg"]
            .as_str()
            .unwrap()
            .contains("added 2 favorites"),
        "{restored}"
    );
    assert_eq!(
        all_rows(&server).await,
        original,
        "the backup's rows are back, under the new bob"
    );
    let image = server.app.paths.playlist_images.join("1abcde.webp");
    assert_eq!(std::fs::read(image).unwrap(), IMAGE);
    let thumbnail = server.app.paths.playlist_images.join("thumb_1abcde.webp");
    assert_eq!(std::fs::read(thumbnail).unwrap(), b"thumbnail");

    // Again, and as "restore everything" (no body): nothing more.
    let (status, again) = call(
        &server,
        Method::POST,
        "/backup/restore",
        &admin,
        json!({"backup_dir": name}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        again["msg"]
            .as_str()
            .unwrap()
            .contains("added 0 favorites, 0 scrobbles, 0 playlists, 0 collections"),
        "{again}"
    );
    let response = server
        .http
        .post(server.url("/backup/restore"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let (status, everything) = json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{everything}");
    assert_eq!(everything["backups"], json!([name]));
    assert_eq!(all_rows(&server).await, original);
    let playlist_files = std::fs::read_dir(&server.app.paths.playlist_images)
        .unwrap()
        .count();
    assert_eq!(
        playlist_files, 4,
        "two images and two thumbnails, no copies"
    );

    // A second backup in the same second gets its own name and lists first.
    let (_, second) = call(&server, Method::POST, "/backup/create", &admin, json!({})).await;
    let second_name = second["name"].as_str().unwrap().to_string();
    assert_ne!(second_name, name);
    let (_, listed) = call(&server, Method::GET, "/backup/list", &admin, Value::Null).await;
    let names: Vec<&str> = listed["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec![second_name.as_str(), name.as_str()]);

    let (status, body) = call(
        &server,
        Method::DELETE,
        "/backup/delete",
        &admin,
        json!({"backup_dir": second_name}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["msg"].as_str().unwrap().contains("deleted"));
    let (status, _) = call(
        &server,
        Method::DELETE,
        "/backup/delete",
        &admin,
        json!({"backup_dir": second_name}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = call(&server, Method::GET, "/backup/list", &admin, Value::Null).await;
    assert_eq!(listed["backups"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_names_and_bodies_are_refused_and_change_nothing() {
    let server = start().await;
    let admin = server.create_admin("admin", "admin-pass").await;
    seed(&server, "admin", 3).await;
    // Restoring everything with no backups at all.
    let (status, body) = call(&server, Method::POST, "/backup/restore", &admin, json!({})).await;
    assert_eq!(
        (status, body),
        (StatusCode::NOT_FOUND, json!({"msg": "Backup not found"}))
    );

    let (_, created) = call(&server, Method::POST, "/backup/create", &admin, json!({})).await;
    let name = created["name"].as_str().unwrap().to_string();
    let before = all_rows(&server).await;
    // A file beside the backups that a traversal would reach.
    std::fs::write(server.app.paths.data_dir.join("data.json"), b"{}").unwrap();

    for bad in [
        "../backups",
        "..",
        "",
        ".hidden",
        "a/b",
        "backup.1/../../x",
        "%2e%2e",
    ] {
        for (method, path) in [
            (Method::POST, "/backup/restore"),
            (Method::DELETE, "/backup/delete"),
        ] {
            let (status, body) =
                call(&server, method, path, &admin, json!({"backup_dir": bad})).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {bad:?}: {body}");
            assert_eq!(body, json!({"msg": "Invalid backup name"}));
        }
    }
    for (method, path) in [
        (Method::POST, "/backup/restore"),
        (Method::DELETE, "/backup/delete"),
    ] {
        let (status, body) = call(
            &server,
            method.clone(),
            path,
            &admin,
            json!({"backup_dir": "backup.12345"}),
        )
        .await;
        assert_eq!(
            (status, body),
            (StatusCode::NOT_FOUND, json!({"msg": "Backup not found"}))
        );
        let (status, body) = call(&server, method, path, &admin, json!({"backup_dir": 5})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body[0]["loc"], json!(["body", "backup_dir"]));
    }
    let (status, body) = call(&server, Method::DELETE, "/backup/delete", &admin, json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // A damaged backup is refused with a reason, and nothing is imported from it.
    let broken = server.app.paths.data_dir.join("backups/backup.99");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("data.json"), b"{not json").unwrap();
    let (status, body) = call(
        &server,
        Method::POST,
        "/backup/restore",
        &admin,
        json!({"backup_dir": "backup.99"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["msg"].as_str().unwrap().contains("backup.99"));

    assert_eq!(all_rows(&server).await, before);
    let (_, listed) = call(&server, Method::GET, "/backup/list", &admin, Value::Null).await;
    let names: Vec<&str> = listed["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![name.as_str()],
        "the damaged backup is not listed"
    );
}

#[tokio::test]
async fn a_backup_restores_onto_another_install_by_username() {
    let first = start().await;
    let admin = first.create_admin("admin", "admin-pass").await;
    first.create_user(&admin, "ann", "ann-pass").await;
    first.create_user(&admin, "bob", "bob-pass").await;
    let ann_rows = seed(&first, "ann", 1).await;
    seed(&first, "bob", 2).await;
    let (_, created) = call(&first, Method::POST, "/backup/create", &admin, json!({})).await;
    let name = created["name"].as_str().unwrap();

    // Another install, where only ann has an account (with another id: "zed" was created first).
    let second = start().await;
    let other_admin = second.create_admin("root", "root-pass").await;
    second.create_user(&other_admin, "zed", "zed-pass").await;
    second.create_user(&other_admin, "Ann", "ann-pass").await;
    let target = second.app.paths.data_dir.join("backups").join(name);
    copy_dir(
        &first.app.paths.data_dir.join("backups").join(name),
        &target,
    );
    // Ann here already has a playlist image of the same file name, but a different picture.
    std::fs::write(
        second.app.paths.playlist_images.join("1abcde.webp"),
        b"another picture",
    )
    .unwrap();

    let (status, restored) = call(
        &second,
        Method::POST,
        "/backup/restore",
        &other_admin,
        json!({"backup_dir": name}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    let msg = restored["msg"].as_str().unwrap();
    assert!(
        msg.contains("skipped 7 row(s) of users not on this server"),
        "{msg}"
    );

    let ann = second.app.store.user_by_name("ann").await.unwrap().unwrap();
    let mut rows = second
        .app
        .store
        .export_user_records(Some(ann.id))
        .await
        .unwrap();
    for row in &mut rows.favorites {
        row.username = "ann".into();
    }
    assert_eq!(rows.favorites, ann_rows.favorites);
    assert_eq!(rows.scrobbles.len(), 3);
    assert_eq!(rows.collections.len(), 1);
    // The restored playlist got its own image file; the one already there is untouched.
    let image = rows.playlists[0].image.clone().unwrap();
    assert_ne!(image, "1abcde.webp");
    let images = &second.app.paths.playlist_images;
    assert_eq!(std::fs::read(images.join(&image)).unwrap(), IMAGE);
    assert_eq!(
        std::fs::read(images.join("1abcde.webp")).unwrap(),
        b"another picture"
    );
    let everyone = second.app.store.export_user_records(None).await.unwrap();
    assert!(everyone.favorites.iter().all(|row| row.username == "Ann"));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
