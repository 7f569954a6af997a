//! GET /file/<trackhash>/legacy with `quality`/`container`: transcoding through the real ffmpeg,
//! the chosen bitrate, bad parameters, a missing ffmpeg, and ffmpeg ending with the client.

mod library_support;

use std::path::PathBuf;
use std::time::Duration;

use library_support::*;
use reqwest::{header, Method};
use serde_json::Value;

async fn trackhash(server: &TestServer, relative: &str) -> String {
    server.track_at(relative).await["trackhash"]
        .as_str()
        .unwrap()
        .to_string()
}

fn is_mp3(bytes: &[u8]) -> bool {
    bytes.starts_with(b"ID3") || (bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0)
}

#[tokio::test]
async fn transcodes_to_the_requested_container_and_bitrate() {
    let server = TestServer::start().await;
    let hash = trackhash(&server, STANDARD_EDITION).await;
    let url = server.url(&format!("/file/{hash}/legacy"));
    let filepath = server.path_of(STANDARD_EDITION);
    let original_len = std::fs::metadata(server.music.join(STANDARD_EDITION))
        .unwrap()
        .len();

    let response = server
        .client
        .get(&url)
        .query(&[("filepath", filepath.as_str()), ("container", "mp3")])
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "audio/mpeg");
    assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(
        response.headers()[header::CONTENT_DISPOSITION],
        "attachment; filename=\"01 - City Lights.mp3\""
    );
    // The FLAC's bitrate (about 100 kbps for a sine) is below the 320 cap: kept.
    let source_kbps = server.track_at(STANDARD_EDITION).await["bitrate"]
        .as_u64()
        .unwrap();
    let reported: u64 = response.headers()["x-transcoded-bitrate"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(reported, source_kbps.clamp(32, 320));
    let body = response.bytes().await.unwrap();
    assert!(
        is_mp3(&body),
        "starts with an ID3 tag or an MPEG frame: {:02x?}",
        &body[..4]
    );
    assert_ne!(body.len() as u64, original_len);

    // quality alone means MP3 at min(source, requested).
    let response = server
        .client
        .get(&url)
        .query(&[("filepath", filepath.as_str()), ("quality", "64")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-transcoded-bitrate"], "64");
    assert!(is_mp3(&response.bytes().await.unwrap()));

    let response = server
        .client
        .get(&url)
        .query(&[
            ("filepath", filepath.as_str()),
            ("quality", "96k"),
            ("container", "opus"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "audio/ogg");
    assert!(response.bytes().await.unwrap().starts_with(b"OggS"));

    let response = server
        .client
        .get(&url)
        .query(&[("filepath", filepath.as_str()), ("container", "webm")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[header::CONTENT_TYPE], "audio/webm");
    assert!(
        response
            .bytes()
            .await
            .unwrap()
            .starts_with(&[0x1A, 0x45, 0xDF, 0xA3]),
        "EBML header"
    );

    // FLAC output has no bitrate to choose; the source's is reported.
    let mp3_hash = trackhash(&server, SOLO_MP3).await;
    let response = server
        .client
        .get(server.url(&format!("/file/{mp3_hash}/legacy")))
        .query(&[
            ("filepath", server.path_of(SOLO_MP3).as_str()),
            ("container", "flac"),
            ("quality", "32"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "audio/flac");
    let mp3_kbps = server.track_at(SOLO_MP3).await["bitrate"].as_u64().unwrap();
    assert_eq!(
        response.headers()["x-transcoded-bitrate"],
        mp3_kbps.to_string().as_str()
    );
    assert!(response.bytes().await.unwrap().starts_with(b"fLaC"));

    // HEAD answers the headers without encoding anything.
    let head = server
        .client
        .request(Method::HEAD, &url)
        .query(&[
            ("filepath", filepath.as_str()),
            ("container", "aac"),
            ("quality", "500"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()[header::CONTENT_TYPE], "audio/aac");
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn bad_parameters_are_refused() {
    let server = TestServer::start().await;
    let hash = trackhash(&server, STANDARD_EDITION).await;
    let url = server.url(&format!("/file/{hash}/legacy"));
    let filepath = server.path_of(STANDARD_EDITION);
    for (key, value) in [("container", "wav"), ("quality", "loud"), ("quality", "0")] {
        let response = server
            .client
            .get(&url)
            .query(&[("filepath", filepath.as_str()), (key, value)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{key}={value}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains(value), "{body}");
    }
}

#[tokio::test]
async fn a_missing_ffmpeg_is_a_503_with_a_reason() {
    let server =
        TestServer::start_with(|config| config.ffmpeg = PathBuf::from("/nonexistent/ffmpeg")).await;
    let hash = trackhash(&server, STANDARD_EDITION).await;
    let url = server.url(&format!("/file/{hash}/legacy"));
    let filepath = server.path_of(STANDARD_EDITION);
    for method in [Method::GET, Method::HEAD] {
        let response = server
            .client
            .request(method.clone(), &url)
            .query(&[("filepath", filepath.as_str()), ("container", "mp3")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 503, "{method}");
        if method == Method::GET {
            let body: Value = response.json().await.unwrap();
            assert!(body["error"].as_str().unwrap().contains("ffmpeg"), "{body}");
        }
    }
    // The original file still streams.
    let response = server
        .client
        .get(&url)
        .query(&[("filepath", filepath.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// Processes whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|cmdline| String::from_utf8_lossy(&cmdline).contains(needle))
                .unwrap_or(false)
        })
        .collect()
}

#[tokio::test]
async fn ffmpeg_stops_when_the_client_goes_away() {
    let server = TestServer::start().await;
    // Ten minutes of audio: far more MP3 than socket buffers hold, so ffmpeg is still running
    // (blocked on its pipe) when the client leaves.
    let long = Song {
        relative: "Long/Long Play/01 - Long Tone.flac",
        title: "Long Tone",
        artist: "Long Player",
        album: "Long Play",
        track: 1,
        seconds: 600,
        embed_cover: false,
    };
    let path = server.music.join(long.relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    write_song(&long, &path, None);
    server.app.scan(&|_| {}).await.unwrap();
    let hash = server.track_at(long.relative).await["trackhash"]
        .as_str()
        .unwrap()
        .to_string();
    let marker = "Long/Long Play/01 - Long Tone.flac";
    assert!(processes_mentioning(marker).is_empty());

    let mut response = server
        .client
        .get(server.url(&format!("/file/{hash}/legacy")))
        .query(&[
            ("filepath", server.path_of(long.relative).as_str()),
            ("quality", "320"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let first = response.chunk().await.unwrap().unwrap();
    assert!(is_mp3(&first));
    assert_eq!(processes_mentioning(marker).len(), 1, "ffmpeg is running");

    drop(response);
    let mut waited = Duration::ZERO;
    while !processes_mentioning(marker).is_empty() && waited < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
    }
    assert!(
        processes_mentioning(marker).is_empty(),
        "ffmpeg was killed after the client left"
    );
}
