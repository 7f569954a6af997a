//! Artwork routes: thumbnails at every size, the folder-image fallback with its cache, artist
//! and playlist images, the drawn fallbacks, validators and 304s, and unsafe names.

mod library_support;

use std::time::Duration;

use library_support::*;
use reqwest::header;

async fn image_dimensions(response: reqwest::Response) -> (u32, u32) {
    let bytes = response.bytes().await.unwrap();
    let decoded = image::load_from_memory(&bytes).expect("a decodable image");
    (decoded.width(), decoded.height())
}

#[tokio::test]
async fn thumbnails_come_in_every_size_and_are_public() {
    let server = TestServer::start().await;
    let solo = server.albumhash_of(SOLO_MP3).await;
    // Artwork needs no token.
    let anonymous = reqwest::Client::new();

    // The MP3's embedded 300x300 cover: never upscaled, smaller sizes scaled down.
    for (path, width) in [
        (format!("/img/thumbnail/{solo}.webp"), 300),
        (format!("/img/thumbnail/large/{solo}.webp"), 300),
        (format!("/img/thumbnail/medium/{solo}.webp"), 256),
        (format!("/img/thumbnail/small/{solo}.webp"), 96),
        (format!("/img/thumbnail/xsmall/{solo}.webp"), 64),
        (format!("/img/thumbnail/gigantic/{solo}.webp"), 300),
    ] {
        let response = anonymous.get(server.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "image/webp",
            "{path}"
        );
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "public, max-age=86400"
        );
        assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(image_dimensions(response).await.0, width, "{path}");
    }

    // Validators: a matching If-None-Match is a 304 with no body.
    let url = server.url(&format!("/img/thumbnail/small/{solo}.webp"));
    let first = anonymous.get(&url).send().await.unwrap();
    let etag = first.headers()[header::ETAG].clone();
    assert!(first.headers().contains_key(header::LAST_MODIFIED));
    let again = anonymous
        .get(&url)
        .header(header::IF_NONE_MATCH, etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()[header::ETAG], etag);
    assert!(again.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn missing_artwork_falls_back_to_the_drawn_images() {
    let server = TestServer::start().await;
    let deluxe = server.albumhash_of(DELUXE_EDITION).await;
    let default_album = std::fs::read(server.app.paths.assets.join("default.webp")).unwrap();

    // No embedded art, no folder image, no pathhash: the default album image.
    let response = server
        .client
        .get(server.url(&format!("/img/thumbnail/medium/{deluxe}.webp")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/webp");
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "public, no-cache"
    );
    assert_eq!(response.bytes().await.unwrap(), default_album);

    let artist = server
        .client
        .get(server.url("/img/artist/small/0123456789abcdef.webp"))
        .send()
        .await
        .unwrap();
    assert_eq!(artist.status(), 200);
    let default_artist = std::fs::read(server.app.paths.assets.join("artist.webp")).unwrap();
    assert_eq!(artist.bytes().await.unwrap(), default_artist);

    let playlist = server
        .client
        .get(server.url("/img/playlist/7.webp"))
        .send()
        .await
        .unwrap();
    assert_eq!(playlist.status(), 200);
    assert_eq!(playlist.headers()[header::CONTENT_TYPE], "image/svg+xml");
    assert!(playlist.text().await.unwrap().starts_with("<svg"));

    // Fallbacks are drawn again if the assets folder lost them.
    std::fs::remove_file(server.app.paths.assets.join("default.webp")).unwrap();
    let redrawn = server
        .client
        .get(server.url(&format!("/img/thumbnail/{deluxe}.webp")))
        .send()
        .await
        .unwrap();
    assert_eq!(redrawn.status(), 200);
    assert_eq!(image_dimensions(redrawn).await, (256, 256));
}

#[tokio::test]
async fn artist_and_playlist_images_are_served_from_their_folders() {
    let server = TestServer::start().await;
    let artist_hash = "00000000000000aa";
    for (size, width) in [("small", 128u32), ("medium", 256), ("large", 500)] {
        let dir = server.app.paths.artist_images.join(size);
        std::fs::create_dir_all(&dir).unwrap();
        image::RgbImage::new(width, width)
            .save(dir.join(format!("{artist_hash}.webp")))
            .unwrap();
    }
    for (path, width) in [
        (format!("/img/artist/{artist_hash}.webp"), 500),
        (format!("/img/artist/small/{artist_hash}.webp"), 128),
        (format!("/img/artist/medium/{artist_hash}.webp"), 256),
        (format!("/img/artist/unknown/{artist_hash}.webp"), 500),
    ] {
        let response = server.client.get(server.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(image_dimensions(response).await.0, width, "{path}");
    }

    std::fs::create_dir_all(&server.app.paths.playlist_images).unwrap();
    image::RgbImage::new(40, 30)
        .save(server.app.paths.playlist_images.join("thumb_3.png"))
        .unwrap();
    let response = server
        .client
        .get(server.url("/img/playlist/thumb_3.png"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(image_dimensions(response).await, (40, 30));
}

#[tokio::test]
async fn folder_images_stand_in_for_missing_thumbnails_and_get_cached() {
    let server = TestServer::start().await;
    let track = server.track_at(STANDARD_EDITION).await;
    // Clients append the track's `image` verbatim: "<albumhash>.webp?pathhash=<pathhash>".
    let image = track["image"].as_str().unwrap().to_string();
    let pathhash = image.split("pathhash=").nth(1).unwrap().to_string();
    let albumhash = track["albumhash"].as_str().unwrap().to_string();

    // The scan already made thumbnails from the folder's cover.jpg.
    let scanned = server
        .client
        .get(server.url(&format!("/img/thumbnail/small/{image}")))
        .send()
        .await
        .unwrap();
    assert_eq!(scanned.headers()[header::CONTENT_TYPE], "image/webp");
    assert_eq!(image_dimensions(scanned).await, (96, 96));

    // Without them (not extracted yet, or the cache was cleared) the folder image stands in.
    for size in ["xsmall", "small", "medium", "large", "original"] {
        let thumbnail = server
            .app
            .paths
            .thumbnails
            .join(size)
            .join(format!("{albumhash}.webp"));
        std::fs::remove_file(&thumbnail).unwrap();
    }

    let first = server
        .client
        .get(server.url(&format!("/img/thumbnail/small/{image}")))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    // The folder's cover.jpg itself is sent while resized copies are made in the background.
    assert_eq!(first.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(image_dimensions(first).await, (600, 600));

    let cached = server
        .app
        .paths
        .thumbnails
        .parent()
        .unwrap()
        .join("cache/small")
        .join(format!("{pathhash}.webp"));
    let mut waited = Duration::ZERO;
    while !cached.exists() && waited < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    }
    assert!(
        cached.exists(),
        "a resized copy was cached at {}",
        cached.display()
    );

    let second = server
        .client
        .get(server.url(&format!("/img/thumbnail/small/{image}")))
        .send()
        .await
        .unwrap();
    assert_eq!(second.headers()[header::CONTENT_TYPE], "image/webp");
    assert_eq!(image_dimensions(second).await, (96, 96));

    // `original` always sends the folder image itself.
    let original = server
        .client
        .get(server.url(&format!("/img/thumbnail/original/{image}")))
        .send()
        .await
        .unwrap();
    assert_eq!(original.headers()[header::CONTENT_TYPE], "image/jpeg");

    // Without the pathhash (or with an unknown one) there is no folder to look in.
    for query in ["", "?pathhash=0000000000000000", "?pathhash=../../etc"] {
        let response = server
            .client
            .get(server.url(&format!("/img/thumbnail/xsmall/{albumhash}.webp{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            image_dimensions(response).await,
            (256, 256),
            "default image for {query:?}"
        );
    }
}

#[tokio::test]
async fn image_names_cannot_leave_their_folder() {
    let server = TestServer::start().await;
    std::fs::write(
        server.app.paths.thumbnails.join("secret.webp"),
        b"not for you",
    )
    .unwrap();
    for path in [
        "/img/thumbnail/large/..%2Fsecret.webp",
        "/img/thumbnail/..%2F..%2Fswingfly.db",
        "/img/artist/small/..%2F..%2Fthumbnails%2Fsecret.webp",
        "/img/playlist/..%2F..%2Fsecret.key",
        "/img/playlist/%2Fetc%2Fpasswd",
    ] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 400, "{path}");
        let body = response.text().await.unwrap();
        assert_eq!(body, r#"{"msg":"Invalid image path"}"#, "{path}");
    }
}
