//! GET /file/<trackhash>/legacy without transcoding: file resolution through the index, path
//! safety, and HTTP validators, conditional requests and ranges over real files.

mod library_support;

use library_support::*;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

struct Stream<'a> {
    server: &'a TestServer,
    url: String,
    file: Vec<u8>,
}

impl<'a> Stream<'a> {
    async fn of(server: &'a TestServer, relative: &str) -> Stream<'a> {
        let track = server.track_at(relative).await;
        let trackhash = track["trackhash"].as_str().unwrap();
        let url = format!("{}/file/{trackhash}/legacy", server.base);
        Stream {
            server,
            url,
            file: std::fs::read(server.music.join(relative)).unwrap(),
        }
    }

    fn request(&self, filepath: &str) -> reqwest::RequestBuilder {
        self.server
            .client
            .get(&self.url)
            .query(&[("filepath", filepath)])
    }
}

#[tokio::test]
async fn whole_files_with_validators_and_swing_headers() {
    let server = TestServer::start().await;
    let stream = Stream::of(&server, STANDARD_EDITION).await;
    let filepath = server.path_of(STANDARD_EDITION);

    let response = stream
        .request(&filepath)
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "audio/flac");
    assert_eq!(headers[header::ACCEPT_RANGES], "bytes");
    assert_eq!(
        headers[header::CONTENT_LENGTH],
        stream.file.len().to_string().as_str()
    );
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"01 - City Lights.flac\""
    );
    assert!(
        headers.get(header::CONTENT_ENCODING).is_none(),
        "audio is never compressed"
    );
    let etag = headers[header::ETAG].to_str().unwrap().to_string();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "a strong ETag: {etag}"
    );
    let modified = std::fs::metadata(server.music.join(STANDARD_EDITION))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(
        headers[header::LAST_MODIFIED],
        httpdate::fmt_http_date(modified).as_str()
    );
    assert_eq!(response.bytes().await.unwrap(), stream.file);

    // If-None-Match: 304 without a body.
    let cached = stream
        .request(&filepath)
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), 304);
    assert_eq!(cached.headers()[header::ETAG], etag.as_str());
    assert!(cached.bytes().await.unwrap().is_empty());
    let stale = stream
        .request(&filepath)
        .header(header::IF_NONE_MATCH, "\"other\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 200);

    // HEAD: the same headers, no body.
    let head = server
        .client
        .request(Method::HEAD, &stream.url)
        .query(&[("filepath", &filepath)])
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.headers()[header::CONTENT_LENGTH],
        stream.file.len().to_string().as_str()
    );
    assert_eq!(head.headers()[header::ETAG], etag.as_str());
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn byte_ranges_and_if_range() {
    let server = TestServer::start().await;
    let stream = Stream::of(&server, STANDARD_EDITION).await;
    let filepath = server.path_of(STANDARD_EDITION);
    let size = stream.file.len();

    let first = stream
        .request(&filepath)
        .header(header::RANGE, "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        first.headers()[header::CONTENT_RANGE],
        format!("bytes 0-99/{size}").as_str()
    );
    assert_eq!(first.headers()[header::CONTENT_LENGTH], "100");
    let etag = first.headers()[header::ETAG].to_str().unwrap().to_string();
    let last_modified = first.headers()[header::LAST_MODIFIED]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(first.bytes().await.unwrap(), stream.file[..100]);

    let middle = stream
        .request(&filepath)
        .header(header::RANGE, "bytes=1000-")
        .send()
        .await
        .unwrap();
    assert_eq!(middle.status(), 206);
    assert_eq!(
        middle.headers()[header::CONTENT_RANGE],
        format!("bytes 1000-{}/{size}", size - 1).as_str()
    );
    assert_eq!(middle.bytes().await.unwrap(), stream.file[1000..]);

    let suffix = stream
        .request(&filepath)
        .header(header::RANGE, "bytes=-10")
        .send()
        .await
        .unwrap();
    assert_eq!(suffix.status(), 206);
    assert_eq!(suffix.bytes().await.unwrap(), stream.file[size - 10..]);

    let beyond = stream
        .request(&filepath)
        .header(header::RANGE, format!("bytes={size}-"))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        beyond.headers()[header::CONTENT_RANGE],
        format!("bytes */{size}").as_str()
    );

    // A malformed range is ignored: the whole file.
    let malformed = stream
        .request(&filepath)
        .header(header::RANGE, "bytes=9-2")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 200);
    assert_eq!(malformed.bytes().await.unwrap().len(), size);

    // If-Range: the range only while the validator still matches.
    for validator in [etag.as_str(), last_modified.as_str()] {
        let resumed = stream
            .request(&filepath)
            .header(header::RANGE, "bytes=10-19")
            .header(header::IF_RANGE, validator)
            .send()
            .await
            .unwrap();
        assert_eq!(resumed.status(), 206, "If-Range {validator}");
        assert_eq!(resumed.bytes().await.unwrap(), stream.file[10..20]);
    }
    for validator in [
        "\"changed\"",
        "Wed, 21 Oct 2015 07:28:00 GMT",
        &format!("W/{etag}"),
    ] {
        let changed = stream
            .request(&filepath)
            .header(header::RANGE, "bytes=10-19")
            .header(header::IF_RANGE, validator)
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), 200, "If-Range {validator}");
        assert_eq!(changed.bytes().await.unwrap().len(), size);
    }
}

#[tokio::test]
async fn files_resolve_through_the_index_inside_the_roots_only() {
    let server = TestServer::start().await;
    let standard = Stream::of(&server, STANDARD_EDITION).await;
    let music = server.music.to_string_lossy().into_owned();

    // "City Lights" is one trackhash with two files: the requested one is served...
    let deluxe_bytes = std::fs::read(server.music.join(DELUXE_EDITION)).unwrap();
    assert_ne!(deluxe_bytes, standard.file);
    let response = standard
        .request(&server.path_of(DELUXE_EDITION))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap(), deluxe_bytes);
    // ...and a stale path inside a root still plays the track.
    let response = standard
        .request(&format!("{music}/moved/away.flac"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.bytes().await.unwrap();
    assert!(body == standard.file || body == deluxe_bytes);

    let rejections: Vec<(String, u16, Value)> = vec![
        (
            format!("{music}/../../etc/passwd"),
            400,
            json!({"msg": "Invalid filepath", "error": "Path traversal detected"}),
        ),
        (
            format!("{music}/Aurora Lane/.."),
            400,
            json!({"msg": "Invalid filepath", "error": "Path traversal detected"}),
        ),
        (
            "/etc/passwd".to_string(),
            400,
            json!({"msg": "Invalid filepath", "error": "File not inside root directories"}),
        ),
        (
            format!("{music}-other/x.flac"),
            400,
            json!({"msg": "Invalid filepath", "error": "File not inside root directories"}),
        ),
    ];
    for (filepath, status, body) in rejections {
        let response = standard.request(&filepath).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{filepath}");
        assert_eq!(response.json::<Value>().await.unwrap(), body, "{filepath}");
    }

    // A file inside the roots that the index does not know is never served.
    std::fs::write(server.music.join("notes.flac"), b"private").unwrap();
    let unknown = server
        .client
        .get(server.url("/file/0123456789abcdef/legacy"))
        .query(&[("filepath", format!("{music}/notes.flac"))])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<Value>().await.unwrap(),
        json!({"msg": "File Not Found"})
    );

    // An indexed file that disappeared: nothing left to play.
    let mp3 = Stream::of(&server, SOLO_MP3).await;
    std::fs::remove_file(server.music.join(SOLO_MP3)).unwrap();
    let response = mp3.request(&server.path_of(SOLO_MP3)).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"msg": "File Not Found"})
    );

    // Hashes are validated, the filepath is required, and a token is needed.
    let response = server
        .client
        .get(server.url("/file/abc/legacy"))
        .query(&[("filepath", "/x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let response = server.client.get(&standard.url).send().await.unwrap();
    assert_eq!(response.status(), 422);
    let response = reqwest::Client::new()
        .get(&standard.url)
        .query(&[("filepath", server.path_of(STANDARD_EDITION))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn content_types_and_unicode_file_names() {
    let server = TestServer::start().await;
    let wav = Stream::of(&server, SOLO_WAV).await;
    let response = wav.request(&server.path_of(SOLO_WAV)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "audio/x-wav");
    let disposition = response.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        disposition,
        "attachment; filename=\"02 - Echo d'ete.wav\"; filename*=UTF-8''02%20-%20%C3%89cho%20d%27%C3%A9t%C3%A9.wav"
    );
    assert_eq!(response.bytes().await.unwrap(), wav.file);

    let mp3 = Stream::of(&server, SOLO_MP3).await;
    let response = mp3.request(&server.path_of(SOLO_MP3)).send().await.unwrap();
    assert_eq!(response.headers()[header::CONTENT_TYPE], "audio/mpeg");

    // The web client sends quality=original&container=mp3 by default: the file itself.
    let flac = Stream::of(&server, STANDARD_EDITION).await;
    let response = flac
        .request(&server.path_of(STANDARD_EDITION))
        .query(&[("quality", "original"), ("container", "mp3")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "audio/flac");
    assert!(response.headers().get("x-transcoded-bitrate").is_none());
    assert_eq!(response.bytes().await.unwrap(), flac.file);
}
