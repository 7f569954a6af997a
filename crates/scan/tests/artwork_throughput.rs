//! Artwork throughput (ignored by default): albums per second through `extract_album_art` over
//! generated albums with realistic covers, and where the time goes. Run with
//! `cargo test -p swingfly-scan --release --test artwork_throughput -- --ignored --nocapture`.
//! `SWINGFLY_BENCH_ALBUMS` sets the album count (default 300), `SWINGFLY_BENCH_COVER_SIDES` the
//! cover side range in pixels (default `600-1500`), `SWINGFLY_BENCH_RUNS` the runs (default 3),
//! and `SWINGFLY_BENCH_ARTWORK_DIR` keeps the generated library there between invocations, so two
//! builds can be compared on identical input.

mod common;

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, Rgb, RgbImage};
use lofty::picture::{MimeType, Picture, PictureType};
use lofty::tag::ItemKey;
use swingfly_scan::artwork::{reset_stage_times, stage_times};
use swingfly_scan::{extract_album_art, ArtworkJob};

const TRACKS_PER_ALBUM: usize = 3;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Deterministic xorshift noise: covers differ per album but not per run.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A photo-like cover: a two-colour gradient, a few shapes with soft texture, and grain, so
/// decoders and the WebP encoder meet real detail rather than flat colour.
fn cover_image(seed: u64, width: u32, height: u32) -> RgbImage {
    let mut noise = Noise(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut colour = || {
        let v = noise.next();
        [v as u8, (v >> 8) as u8, (v >> 16) as u8]
    };
    let (from, to) = (colour(), colour());
    let shapes: Vec<([u8; 3], f32, f32, f32)> = (0..5)
        .map(|_| {
            let c = colour();
            let x = f32::from(c[0]) / 255.0 * width as f32;
            let y = f32::from(c[1]) / 255.0 * height as f32;
            let r = (0.08 + f32::from(c[2]) / 255.0 * 0.25) * width as f32;
            (colour(), x, y, r)
        })
        .collect();
    let mut grain = Noise(seed | 1);
    RgbImage::from_fn(width, height, |x, y| {
        let t = (x + y) as f32 / (width + height) as f32;
        let mut pixel = [0f32; 3];
        for (i, value) in pixel.iter_mut().enumerate() {
            *value = f32::from(from[i]) + (f32::from(to[i]) - f32::from(from[i])) * t;
        }
        for (shape_colour, cx, cy, r) in &shapes {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            if dx * dx + dy * dy < r * r {
                let ripple = ((dx * 0.05).sin() * (dy * 0.07).cos()) * 25.0;
                for (i, value) in pixel.iter_mut().enumerate() {
                    *value = f32::from(shape_colour[i]) + ripple;
                }
            }
        }
        let grain = (grain.next() % 21) as f32 - 10.0;
        Rgb(pixel.map(|v| (v + grain).clamp(0.0, 255.0) as u8))
    })
}

fn encode(image: &RgbImage, jpeg: bool) -> Vec<u8> {
    let mut bytes = Cursor::new(Vec::new());
    if jpeg {
        image
            .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 90))
            .unwrap();
    } else {
        image.write_to(&mut bytes, ImageFormat::Png).unwrap();
    }
    bytes.into_inner()
}

/// Albums cycle through embedded JPEG, embedded PNG, folder JPEG and folder PNG covers. An
/// embedded cover sits in the first track; folder albums' tracks have tags but no picture.
fn generate_library(root: &Path, albums: usize, sides: (u32, u32)) -> Vec<ArtworkJob> {
    let template = root.join("template.wav");
    write_wav(&template, 0.05, 8_000, 1);
    tag_file(&template, |tag| {
        tag.insert_text(ItemKey::TrackTitle, "Benchmark Title".into());
        tag.insert_text(ItemKey::AlbumTitle, "Benchmark Album".into());
    });
    let marker = root.join("complete");
    let already_made = marker.exists();
    let jobs: Vec<ArtworkJob> = (0..albums)
        .map(|index| {
            let folder = root.join(format!("album{index:05}"));
            let track_paths: Vec<PathBuf> = (0..TRACKS_PER_ALBUM)
                .map(|track| folder.join(format!("{track:02}.wav")))
                .collect();
            if !already_made {
                make_album(&folder, &template, &track_paths, index, sides);
            }
            ArtworkJob {
                albumhash: format!("{index:016x}"),
                track_paths,
            }
        })
        .collect();
    fs::write(marker, b"").unwrap();
    jobs
}

fn make_album(folder: &Path, template: &Path, tracks: &[PathBuf], index: usize, sides: (u32, u32)) {
    fs::create_dir_all(folder).unwrap();
    for track in tracks {
        fs::copy(template, track).unwrap();
    }
    let span = sides.1 - sides.0 + 1;
    let width = sides.0 + (index as u32).wrapping_mul(7919) % span;
    // Every fifth cover is not square, as some scans and digital releases are.
    let height = if index % 5 == 4 { width * 3 / 4 } else { width };
    let jpeg = index.is_multiple_of(2);
    let bytes = encode(&cover_image(index as u64 + 1, width, height), jpeg);
    if index % 4 < 2 {
        let mime = if jpeg { MimeType::Jpeg } else { MimeType::Png };
        tag_file(&tracks[0], |tag| {
            tag.insert_text(ItemKey::TrackTitle, "Benchmark Title".into());
            tag.push_picture(Picture::new_unchecked(
                PictureType::CoverFront,
                Some(mime),
                None,
                bytes,
            ));
        });
    } else {
        let name = if jpeg { "cover.jpg" } else { "folder.png" };
        fs::write(folder.join(name), bytes).unwrap();
    }
}

#[test]
#[ignore = "benchmark: run explicitly"]
fn artwork_throughput() {
    let albums: usize = env_or("SWINGFLY_BENCH_ALBUMS", 300);
    let runs: usize = env_or("SWINGFLY_BENCH_RUNS", 3);
    let sides_text: String = env_or("SWINGFLY_BENCH_COVER_SIDES", "600-1500".to_owned());
    let sides = sides_text
        .split_once('-')
        .and_then(|(low, high)| Some((low.parse().ok()?, high.parse().ok()?)))
        .filter(|(low, high)| low <= high)
        .unwrap_or((600, 1500));
    let temp = tempfile::tempdir().unwrap();
    let root = std::env::var_os("SWINGFLY_BENCH_ARTWORK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| temp.path().join("library"));
    fs::create_dir_all(&root).unwrap();

    let started = Instant::now();
    let jobs = generate_library(&root, albums, sides);
    println!(
        "{albums} albums, covers {}-{} px, library ready in {:.1} s, {} threads",
        sides.0,
        sides.1,
        started.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );

    let mut rates = Vec::new();
    for run in 0..runs {
        let thumbs = temp.path().join(format!("thumbs{run}"));
        reset_stage_times();
        let started = Instant::now();
        let art = extract_album_art(&jobs, &thumbs, false);
        let elapsed = started.elapsed();
        assert_eq!(art.len(), albums);
        assert!(art
            .iter()
            .all(|a| a.color.is_some() && a.blurhash.is_some()));
        let rate = albums as f64 / elapsed.as_secs_f64();
        rates.push(rate);
        let stages: Vec<String> = stage_times()
            .into_iter()
            .map(|(stage, total)| format!("{} {:.1}", stage.name(), per_album_ms(total, albums)))
            .collect();
        println!(
            "run {run}: {:.2} s, {rate:.1} albums/s; CPU ms per album: {}",
            elapsed.as_secs_f64(),
            stages.join(", ")
        );
        fs::remove_dir_all(&thumbs).unwrap();
    }
    rates.sort_by(f64::total_cmp);
    println!("median: {:.1} albums/s", rates[rates.len() / 2]);
}

fn per_album_ms(total: Duration, albums: usize) -> f64 {
    total.as_secs_f64() * 1000.0 / albums as f64
}
