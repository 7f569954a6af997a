//! The server killed with SIGKILL in the middle of a stream of play logs and playlist edits loses
//! none that it acknowledged: every `201` play and every `200` playlist addition is in the ledger
//! after a restart (design principle 1: committed before the answer).

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::{json, Value};
use swingfly_fixtures::{generate, FixtureOptions};
use swingfly_store::Store;

/// Concurrent clients logging plays while the server dies.
const LOGGERS: usize = 8;

async fn get(client: &reqwest::Client, url: String) -> Value {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_plays_and_playlist_edits_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    let data = dir.path().join("data");
    generate(&FixtureOptions::new(&music, 80)).expect("fixture library");
    let (mut server, _) = support::start_server(&data, Some(&music)).await;
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
    assert!(created.status().is_success());
    let user_id = get(&client, format!("{}/auth/user", server.base)).await["id"]
        .as_i64()
        .unwrap();

    // Wait for the first scan, then take every trackhash.
    let deadline = Instant::now() + Duration::from_secs(60);
    let trackhashes: Vec<String> = loop {
        let albums = get(
            &client,
            format!("{}/getall/albums?start=0&limit=50", server.base),
        )
        .await;
        let items = albums["items"].as_array().cloned().unwrap_or_default();
        if !items.is_empty() {
            let mut hashes = BTreeSet::new();
            for album in items {
                let hash = album["albumhash"].as_str().unwrap();
                let tracks = get(&client, format!("{}/album/{hash}/tracks", server.base)).await;
                for track in tracks.as_array().unwrap() {
                    hashes.insert(track["trackhash"].as_str().unwrap().to_owned());
                }
            }
            break hashes.into_iter().collect();
        }
        assert!(Instant::now() < deadline, "the first scan never finished");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(trackhashes.len() >= 20, "{} tracks", trackhashes.len());
    let playlist = client
        .post(format!("{}/playlists/new", server.base))
        .json(&json!({"name": "Survivors"}))
        .send()
        .await
        .unwrap();
    assert_eq!(playlist.status(), 201);
    let playlist_id = playlist.json::<Value>().await.unwrap()["playlist"]["id"]
        .as_i64()
        .unwrap();

    let acknowledged_plays = Arc::new(Mutex::new(Vec::<(String, i64)>::new()));
    let acknowledged_adds = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for logger in 0..LOGGERS {
        let (client, base, hashes, acked) = (
            client.clone(),
            server.base.clone(),
            trackhashes.clone(),
            acknowledged_plays.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for n in 0.. {
                let trackhash = hashes[(logger + n) % hashes.len()].clone();
                // A distinct second per play, so none is an exact repeat of another.
                let timestamp = 1_700_000_000 + (logger * 1_000_000 + n) as i64;
                let body = json!({"trackhash": trackhash, "timestamp": timestamp,
                                  "duration": 90, "source": ""});
                match client
                    .post(format!("{base}/logger/track/log"))
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(response) if response.status() == 201 => {
                        acked.lock().push((trackhash, timestamp))
                    }
                    Ok(response) => panic!("a play was refused: {}", response.status()),
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    {
        let (client, base, hashes, acked) = (
            client.clone(),
            server.base.clone(),
            trackhashes.clone(),
            acknowledged_adds.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for trackhash in hashes {
                let body = json!({"itemtype": "tracks", "itemhash": trackhash});
                let url = format!("{base}/playlists/{playlist_id}/add");
                match client.post(url).json(&body).send().await {
                    Ok(response) if response.status() == 200 => acked.lock().push(trackhash),
                    Ok(response) => panic!("an edit was refused: {}", response.status()),
                    Err(_) => return,
                }
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        }));
    }

    // Let the streams run, then kill the server without warning (SIGKILL).
    tokio::time::sleep(Duration::from_millis(1200)).await;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for task in tasks {
        task.await.unwrap();
    }
    let plays = acknowledged_plays.lock().clone();
    let adds = acknowledged_adds.lock().clone();
    assert!(
        plays.len() >= 50,
        "the stream ran before the kill: {} plays",
        plays.len()
    );
    assert!(!adds.is_empty(), "some playlist edits were acknowledged");

    // The ledger after a restart of the server holds every acknowledged change.
    drop(server);
    let (restarted, _) = support::start_server(&data, None).await;
    drop(restarted);
    let store = Store::open(&data.join("swingfly.db")).await.unwrap();
    let stored: BTreeSet<(String, i64)> = store
        .scrobbles_newest_first(user_id, None, 1_000_000)
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.trackhash, row.timestamp))
        .collect();
    let lost: Vec<_> = plays.iter().filter(|play| !stored.contains(play)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged plays lost: {lost:?}",
        lost.len(),
        plays.len()
    );
    let row = store.playlist(user_id, playlist_id).await.unwrap().unwrap();
    let missing: Vec<_> = adds
        .iter()
        .filter(|hash| !row.trackhashes.contains(hash))
        .collect();
    assert!(
        missing.is_empty(),
        "acknowledged playlist additions lost: {missing:?}"
    );
    println!(
        "{} acknowledged plays and {} playlist additions, all in the ledger after SIGKILL ({} plays stored)",
        plays.len(),
        adds.len(),
        stored.len()
    );
}
