//! The `swingfly` binary end to end: a generated library with real tagged files, `scan --json`
//! compared with the fixture manifest, incremental rescans, `serve` over loopback (first scan,
//! restart without rescanning), and the `user` commands.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use swingfly_fixtures::{generate, FixtureOptions, Manifest};

mod support;

use support::{Server, BIN};

struct Library {
    _dir: tempfile::TempDir,
    music: PathBuf,
    data: PathBuf,
    manifest: Manifest,
}

fn library(tracks: usize) -> Library {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    let manifest = generate(&FixtureOptions::new(&music, tracks)).expect("fixture library");
    Library {
        data: dir.path().join("data"),
        music,
        manifest,
        _dir: dir,
    }
}

fn swingfly(args: &[&str], data: &Path) -> Output {
    let output = Command::new(BIN)
        .args(args)
        .arg("--data")
        .arg(data)
        .env("SWINGFLY_LOG", "warn")
        .output()
        .expect("run swingfly");
    assert!(
        output.status.success(),
        "swingfly {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn scan_json(lib: &Library, with_music: bool) -> Value {
    let music = lib.music.to_str().unwrap();
    let args: Vec<&str> = if with_music {
        vec!["scan", "--json", "--music", music]
    } else {
        vec!["scan", "--json"]
    };
    let output = swingfly(&args, &lib.data);
    serde_json::from_slice(&output.stdout).expect("scan --json prints one JSON object")
}

#[test]
fn scan_matches_the_manifest_and_rescans_incrementally() {
    let lib = library(240);
    let manifest = &lib.manifest;
    let report = scan_json(&lib, true);

    let expected_files = manifest.tracks.len() + manifest.broken.len();
    assert_eq!(report["files_seen"], json!(expected_files));
    assert_eq!(report["files_read"], json!(manifest.tracks.len()));
    assert_eq!(report["unchanged"], json!(0));

    let skipped: BTreeSet<String> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert!(
                !s["reason"].as_str().unwrap().is_empty(),
                "a reason for {s}"
            );
            s["path"].as_str().unwrap().to_string()
        })
        .collect();
    let broken: BTreeSet<String> = manifest
        .broken
        .iter()
        .map(|b| b.path.to_string_lossy().into_owned())
        .collect();
    assert_eq!(skipped, broken, "exactly the broken files are skipped");

    // Same song on a deluxe and a standard edition shares a trackhash, so indexed tracks may be
    // fewer than files, never more; every album of the manifest has at least one track.
    let indexed = report["tracks_indexed"].as_u64().unwrap() as usize;
    assert!(indexed <= manifest.tracks.len() && indexed > manifest.tracks.len() / 2);
    let albums = report["albums"].as_u64().unwrap() as usize;
    assert!(
        albums >= manifest.albums.len(),
        "{albums} albums < manifest's {}",
        manifest.albums.len()
    );
    assert!(report["artists"].as_u64().unwrap() > 0);

    // Unchanged rescan: nothing is read again.
    let again = scan_json(&lib, false);
    assert_eq!(again["unchanged"], json!(manifest.tracks.len()));
    assert_eq!(again["files_read"], json!(0));
    assert_eq!(again["tracks_indexed"], report["tracks_indexed"]);

    // One file changed, one deleted: exactly those are re-read and removed.
    let changed = &manifest.tracks[0].path;
    let deleted = &manifest.tracks[1].path;
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(changed)
        .unwrap();
    file.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
        .unwrap();
    drop(file);
    std::fs::remove_file(deleted).unwrap();
    let third = scan_json(&lib, false);
    assert_eq!(third["files_read"], json!(1));
    assert_eq!(third["removed"], json!(1));
    assert_eq!(third["unchanged"], json!(manifest.tracks.len() - 2));
}

#[test]
fn scan_without_music_folders_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .args(["scan", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no music folder"));
}

#[test]
fn user_commands_create_list_and_change_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let add = |name: &str, admin: bool, password: &str| {
        let mut command = Command::new(BIN);
        command.args(["user", "add", name, "--password-stdin", "--data"]);
        command.arg(dir.path());
        if admin {
            command.arg("--admin");
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    assert!(add("alice", true, "correct horse").status.success());
    assert!(add("bob", false, "battery staple").status.success());
    let duplicate = add("Alice", false, "whatever123");
    assert!(
        !duplicate.status.success(),
        "usernames are unique, ignoring case"
    );
    let empty = add("carol", false, "");
    assert!(!empty.status.success(), "an empty password is refused");

    let list = String::from_utf8(swingfly(&["user", "list"], dir.path()).stdout).unwrap();
    assert!(list.contains("alice\tadmin"), "{list}");
    assert!(list.lines().any(|l| l.ends_with("bob\t")), "{list}");

    let mut child = Command::new(BIN)
        .args(["user", "passwd", "bob", "--password-stdin", "--data"])
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "new password").unwrap();
    assert!(child.wait_with_output().unwrap().status.success());

    let mut child = Command::new(BIN)
        .args(["user", "passwd", "nobody", "--password-stdin", "--data"])
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "new password").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no user named"));
}

/// Starts the server on the library's data folder (with its music folder as a root when asked).
async fn start_server(lib: &Library, with_music: bool) -> (Server, Duration) {
    support::start_server(&lib.data, with_music.then_some(lib.music.as_path())).await
}

async fn album_total(client: &reqwest::Client, server: &Server) -> u64 {
    let response: Value = client
        .get(format!("{}/getall/albums?start=0&limit=5", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    response["total"].as_u64().unwrap()
}

#[tokio::test]
async fn serve_scans_new_folders_and_restarts_without_rescanning() {
    let lib = library(120);
    let (server, _) = start_server(&lib, true).await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let created = client
        .post(format!("{}/auth/profile/create", server.base))
        .json(&json!({"username": "admin", "password": "s3cret-pass"}))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "{}", created.status());

    let deadline = Instant::now() + Duration::from_secs(60);
    let mut total = 0;
    while total == 0 {
        assert!(Instant::now() < deadline, "the first scan never finished");
        tokio::time::sleep(Duration::from_millis(100)).await;
        total = album_total(&client, &server).await;
    }
    let onboarding: Value = client
        .get(format!("{}/onboarding-data", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(onboarding["onboardingComplete"], json!(true));
    drop(server);

    // A restart serves the stored library at once: the first answer already has every album.
    let (server, _) = start_server(&lib, false).await;
    let login = client
        .post(format!("{}/auth/login", server.base))
        .json(&json!({"username": "admin", "password": "s3cret-pass"}))
        .send()
        .await
        .unwrap();
    assert!(login.status().is_success());
    assert_eq!(album_total(&client, &server).await, total);
}

async fn coloured_albums(data: &Path) -> usize {
    let store = swingfly_store::Store::open(&data.join("swingfly.db"))
        .await
        .unwrap();
    let rows = store.load_album_art().await.unwrap();
    rows.iter().filter(|row| row.color.is_some()).count()
}

#[tokio::test]
async fn album_colours_survive_a_new_database_beside_old_thumbnails() {
    let lib = library(80);
    scan_json(&lib, true);
    let coloured = coloured_albums(&lib.data).await;
    assert!(coloured > 0, "the fixture library has covers");

    // A fresh database in a data folder that still holds the thumbnails of an earlier one.
    std::fs::remove_file(lib.data.join("swingfly.db")).unwrap();
    for side in ["swingfly.db-wal", "swingfly.db-shm"] {
        let _ = std::fs::remove_file(lib.data.join(side));
    }
    scan_json(&lib, true);
    assert_eq!(coloured_albums(&lib.data).await, coloured);
}
