//! Artwork extraction with real files: embedded and folder covers, sizes, colours, skipping.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use image::ImageFormat;
use lofty::picture::PictureType;
use lofty::tag::ItemKey;
use swingfly_scan::artwork::thumbnail_path;
use swingfly_scan::{extract_album_art, folder_image, AlbumArt, ArtworkJob, THUMBNAIL_SIZES};

const HASH: &str = "0123456789abcdef";

fn dimensions(path: &Path) -> (u32, u32) {
    image::image_dimensions(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn job(paths: &[&Path]) -> ArtworkJob {
    ArtworkJob {
        albumhash: HASH.to_owned(),
        track_paths: paths.iter().map(|p| p.to_path_buf()).collect(),
    }
}

fn rgb(colour: [u8; 3]) -> String {
    format!("rgb({}, {}, {})", colour[0], colour[1], colour[2])
}

#[test]
fn embedded_cover_of_the_first_track_that_has_one_becomes_thumbnails() {
    let dir = tempfile::tempdir().unwrap();
    let thumbs = dir.path().join("thumbs");
    let no_art = dir.path().join("album/01.wav");
    let with_art = dir.path().join("album/02.wav");
    write_wav(&no_art, 0.1, 8_000, 1);
    write_wav(&with_art, 0.1, 8_000, 1);
    let cover = [200, 30, 60];
    tag_file(&with_art, |tag| {
        tag.insert_text(ItemKey::TrackTitle, "Two".into());
        tag.push_picture(png_picture(10, 10, [0, 255, 0], PictureType::Other));
        tag.push_picture(png_picture(800, 400, cover, PictureType::CoverFront));
    });

    let art = extract_album_art(&[job(&[&no_art, &with_art])], &thumbs, false);
    assert_eq!(art.len(), 1);
    assert_eq!(art[0].albumhash, HASH);
    assert_eq!(art[0].color.as_deref(), Some(rgb(cover).as_str()));
    let blurhash = art[0].blurhash.as_deref().expect("blurhash");
    assert_eq!(blurhash.len(), 36, "4x4 components: {blurhash}");

    let expected = [
        ("xsmall", (64, 32)),
        ("small", (96, 48)),
        ("medium", (256, 128)),
        ("large", (512, 256)),
        ("original", (800, 400)), // never upscaled to 1200
    ];
    assert_eq!(THUMBNAIL_SIZES.len(), expected.len());
    for (size, dims) in expected {
        let path = thumbnail_path(&thumbs, size, HASH);
        assert_eq!(dimensions(&path), dims, "{size}");
        let bytes = fs::read(&path).unwrap();
        assert_eq!(&bytes[..4], b"RIFF");
        assert_eq!(&bytes[8..12], b"WEBP");
        // Lossy (VP8), not lossless (VP8L).
        assert_eq!(&bytes[12..16], b"VP8 ", "{size} must be lossy WebP");
        let decoded = image::open(&path).unwrap().to_rgb8();
        let centre = decoded.get_pixel(dims.0 / 2, dims.1 / 2).0;
        for (got, want) in centre.iter().zip(cover) {
            assert!(
                got.abs_diff(want) <= 8,
                "{size} centre {centre:?} vs {cover:?}"
            );
        }
    }
    // No temporary files are left behind.
    for (size, _) in THUMBNAIL_SIZES {
        let leftovers: Vec<_> = fs::read_dir(thumbs.join(size))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}

#[test]
fn existing_thumbnails_are_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let thumbs = dir.path().join("thumbs");
    let track = dir.path().join("a/t.wav");
    write_wav(&track, 0.1, 8_000, 1);
    tag_file(&track, |tag| {
        tag.push_picture(png_picture(
            300,
            300,
            [10, 20, 200],
            PictureType::CoverFront,
        ))
    });

    assert_eq!(
        extract_album_art(&[job(&[&track])], &thumbs, false).len(),
        1
    );
    let large = thumbnail_path(&thumbs, "large", HASH);
    let first_write = fs::metadata(&large).unwrap().modified().unwrap();
    assert!(extract_album_art(&[job(&[&track])], &thumbs, false).is_empty());

    tag_file(&track, |tag| {
        tag.push_picture(png_picture(
            300,
            300,
            [250, 200, 10],
            PictureType::CoverFront,
        ))
    });
    std::thread::sleep(std::time::Duration::from_millis(20));
    let forced = extract_album_art(&[job(&[&track])], &thumbs, true);
    assert_eq!(forced[0].color.as_deref(), Some("rgb(250, 200, 10)"));
    assert_ne!(
        fs::metadata(&large).unwrap().modified().unwrap(),
        first_write
    );
}

#[test]
fn folder_image_is_used_when_no_track_has_art() {
    let dir = tempfile::tempdir().unwrap();
    let album = dir.path().join("album");
    let track = album.join("t.wav");
    write_wav(&track, 0.1, 8_000, 1);
    let cover = [40, 160, 90];
    fs::write(
        album.join("back.jpg"),
        solid_image(50, 50, [0, 0, 255], ImageFormat::Jpeg),
    )
    .unwrap();
    fs::write(
        album.join("Cover.PNG"),
        solid_image(120, 60, cover, ImageFormat::Png),
    )
    .unwrap();
    fs::write(
        album.join("aaa.webp"),
        solid_image(50, 50, [255, 0, 0], ImageFormat::WebP),
    )
    .unwrap();

    let thumbs = dir.path().join("thumbs");
    let art = extract_album_art(&[job(&[&track])], &thumbs, false);
    assert_eq!(art[0].color.as_deref(), Some(rgb(cover).as_str()));
    assert_eq!(
        dimensions(&thumbnail_path(&thumbs, "small", HASH)),
        (96, 48)
    );
    assert_eq!(
        dimensions(&thumbnail_path(&thumbs, "large", HASH)),
        (120, 60)
    );
}

#[test]
fn folder_image_priority() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path();
    let write = |name: &str| fs::write(folder.join(name), b"x").unwrap();
    assert_eq!(folder_image(folder), None);
    write("zzz.jpeg");
    write("notes.txt");
    write(".hidden.jpg");
    assert_eq!(folder_image(folder), Some(folder.join("zzz.jpeg")));
    write("back.webp");
    assert_eq!(folder_image(folder), Some(folder.join("back.webp")));
    write("Artwork.jpg");
    assert_eq!(folder_image(folder), Some(folder.join("Artwork.jpg")));
    write("album.PNG");
    assert_eq!(folder_image(folder), Some(folder.join("album.PNG")));
    write("folder.Jpg");
    assert_eq!(folder_image(folder), Some(folder.join("folder.Jpg")));
    write("FRONT.jpg");
    assert_eq!(folder_image(folder), Some(folder.join("FRONT.jpg")));
    write("cover-big.jpg");
    assert_eq!(folder_image(folder), Some(folder.join("cover-big.jpg")));
    assert_eq!(folder_image(&folder.join("does-not-exist")), None);
}

#[test]
fn broken_images_fall_through_and_albums_without_art_report_none() {
    let dir = tempfile::tempdir().unwrap();
    let album = dir.path().join("album");
    let track = album.join("t.wav");
    write_wav(&track, 0.1, 8_000, 1);
    // An embedded "PNG" that is not one, then a folder cover that is real.
    tag_file(&track, |tag| {
        tag.push_picture(lofty::picture::Picture::new_unchecked(
            PictureType::CoverFront,
            Some(lofty::picture::MimeType::Png),
            None,
            b"\x89PNG\r\n\x1a\n definitely broken".to_vec(),
        ))
    });
    fs::write(
        album.join("cover.jpg"),
        solid_image(64, 64, [120, 120, 250], ImageFormat::Jpeg),
    )
    .unwrap();

    let lonely = dir.path().join("lonely/t.wav");
    write_wav(&lonely, 0.1, 8_000, 1);
    fs::write(dir.path().join("lonely/cover.jpg"), b"not a jpeg").unwrap();

    let thumbs = dir.path().join("thumbs");
    let jobs = vec![
        job(&[&track]),
        ArtworkJob {
            albumhash: "fedcba9876543210".into(),
            track_paths: vec![lonely.clone(), dir.path().join("missing.flac")],
        },
        ArtworkJob {
            albumhash: "../../escape".into(),
            track_paths: vec![track.clone()],
        },
    ];
    let mut art = extract_album_art(&jobs, &thumbs, false);
    art.sort_by(|a, b| a.albumhash.cmp(&b.albumhash));
    assert_eq!(art.len(), 2, "{art:?}");
    let colour = art[0].color.as_deref().expect("folder cover used");
    assert!(colour.starts_with("rgb("), "{colour}");
    assert_eq!(
        art[1],
        AlbumArt {
            albumhash: "fedcba9876543210".into(),
            color: None,
            blurhash: None
        }
    );
    assert!(!thumbnail_path(&thumbs, "large", "fedcba9876543210").exists());
}

#[test]
fn wma_embedded_pictures_are_extracted() {
    let dir = tempfile::tempdir().unwrap();
    let cover = [250, 120, 0];
    let track = dir.path().join("album/w.wma");
    write_asf(
        &track,
        "T",
        "A",
        &[
            (
                "WM/Picture",
                AsfValue::Bytes(wm_picture(
                    4,
                    "image/png",
                    &solid_image(8, 8, [0, 0, 0], ImageFormat::Png),
                )),
            ),
            (
                "WM/Picture",
                AsfValue::Bytes(wm_picture(
                    3,
                    "image/png",
                    &solid_image(200, 100, cover, ImageFormat::Png),
                )),
            ),
        ],
    );
    let read = swingfly_scan::read_track(&track).unwrap();
    assert!(read.has_picture, "WM/Picture noticed by the tag reader");
    let thumbs = dir.path().join("thumbs");
    let art = extract_album_art(&[job(&[&track])], &thumbs, false);
    assert_eq!(
        art[0].color.as_deref(),
        Some(rgb(cover).as_str()),
        "the front cover (type 3) wins"
    );
    assert_eq!(
        dimensions(&thumbnail_path(&thumbs, "small", HASH)),
        (96, 48)
    );
}
