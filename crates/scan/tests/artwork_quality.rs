//! Thumbnail quality and reuse with detailed (not flat) covers: the fast path must look like a
//! direct Lanczos resize of the source, and equal sizes of a small cover share one encoding.

mod common;

use std::fs;
use std::io::Cursor;
use std::path::Path;

use common::*;
use image::imageops::{self, FilterType};
use image::{ImageFormat, Rgb, RgbImage};
use swingfly_scan::artwork::thumbnail_path;
use swingfly_scan::{extract_album_art, ArtworkJob};

const HASH: &str = "00112233445566ff";

/// Gradients, rings and fine stripes: detail a careless resize or encoder setting would smear.
fn detailed_cover(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
        let (dx, dy) = (fx - 0.5, fy - 0.5);
        let ring = ((dx * dx + dy * dy).sqrt() * 40.0).sin() * 0.5 + 0.5;
        let stripes = if (x / 6) % 2 == 0 { 40.0 } else { 0.0 };
        Rgb([
            (fx * 215.0 + stripes) as u8,
            (ring * 255.0) as u8,
            (fy * 200.0 + 30.0) as u8,
        ])
    })
}

fn album_with_folder_cover(dir: &Path, cover: &RgbImage) -> ArtworkJob {
    let track = dir.join("album/01.wav");
    write_wav(&track, 0.05, 8_000, 1);
    let mut png = Cursor::new(Vec::new());
    cover.write_to(&mut png, ImageFormat::Png).unwrap();
    fs::write(dir.join("album/cover.png"), png.into_inner()).unwrap();
    ArtworkJob {
        albumhash: HASH.into(),
        track_paths: vec![track],
    }
}

fn psnr(a: &RgbImage, b: &RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let squared: f64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
        .sum();
    let mse = squared / a.as_raw().len() as f64;
    10.0 * (255.0 * 255.0 / mse.max(1e-9)).log10()
}

#[test]
fn every_size_stays_close_to_a_direct_lanczos_resize_of_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let cover = detailed_cover(1500, 1000);
    let job = album_with_folder_cover(dir.path(), &cover);
    let thumbs = dir.path().join("thumbs");
    let art = extract_album_art(&[job], &thumbs, false);
    assert!(art[0].color.is_some());

    for (size, (width, height)) in [
        ("original", (1200, 800)),
        ("large", (512, 341)),
        ("medium", (256, 171)),
        ("small", (96, 64)),
    ] {
        let written = image::open(thumbnail_path(&thumbs, size, HASH))
            .unwrap()
            .to_rgb8();
        let reference = imageops::resize(&cover, width, height, FilterType::Lanczos3);
        let quality = psnr(&written, &reference);
        // Lossy WebP at quality 80 of this image scores about 29-35 dB; a blurred or
        // misaligned resize falls far below.
        assert!(quality > 27.0, "{size}: PSNR {quality:.1} dB");
    }
}

#[test]
fn sizes_a_small_cover_cannot_fill_share_one_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let job = album_with_folder_cover(dir.path(), &detailed_cover(200, 200));
    let thumbs = dir.path().join("thumbs");
    extract_album_art(&[job], &thumbs, false);
    let read = |size| fs::read(thumbnail_path(&thumbs, size, HASH)).unwrap();
    assert_eq!(read("medium"), read("original"));
    assert_eq!(read("large"), read("original"));
    assert_ne!(read("small"), read("medium"));
    let small = image::load_from_memory(&read("small")).unwrap();
    assert_eq!((small.width(), small.height()), (96, 96));
}
