//! Album artwork (reference §5.10): find a cover (embedded first, then a folder image), write
//! WebP thumbnails at the client's sizes, and compute the album's dominant colour and BlurHash.

mod colour;
mod source;

use std::fs;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use image::imageops::{self, FilterType};
use image::RgbImage;
use rayon::prelude::*;

pub use source::folder_image;

/// One album whose artwork is wanted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtworkJob {
    /// 16 hex characters; names the thumbnail files.
    pub albumhash: String,
    /// The album's tracks in order; the first with an embedded picture provides the cover.
    pub track_paths: Vec<PathBuf>,
}

/// The colours of an album whose thumbnails were (re)generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlbumArt {
    pub albumhash: String,
    /// Dominant colour, formatted `rgb(r, g, b)`; None when no image was found.
    pub color: Option<String>,
    /// BlurHash with 4x4 components; None when no image was found.
    pub blurhash: Option<String>,
}

/// Thumbnail directory names and their widths. Images are never upscaled.
pub const THUMBNAIL_SIZES: &[(&str, u32)] = &[
    ("xsmall", 64),
    ("small", 96),
    ("medium", 256),
    ("large", 512),
    ("original", 1200),
];

/// The size whose file marks an album as done: it is written last.
const COMPLETION_MARKER_SIZE: &str = "large";
/// The size the dominant colour is taken from.
const COLOUR_SOURCE_SIZE: &str = "small";
/// Lossy WebP quality (0-100).
const WEBP_QUALITY: f32 = 80.0;
const BLURHASH_COMPONENTS: u32 = 4;
const BLURHASH_MAX_SIDE: u32 = 100;

/// Extracts artwork for every job whose `thumbs_dir/large/<albumhash>.webp` is missing (all jobs
/// when `force`), in parallel. Returns one [`AlbumArt`] per job processed: with colours when
/// thumbnails were written, with `None` colours when the album has no usable image. Jobs whose
/// thumbnails already exist are not returned. Broken images are skipped with a warning.
pub fn extract_album_art(jobs: &[ArtworkJob], thumbs_dir: &Path, force: bool) -> Vec<AlbumArt> {
    jobs.par_iter()
        .filter(|job| force || !thumbnail_path(thumbs_dir, COMPLETION_MARKER_SIZE, &job.albumhash).exists())
        .filter_map(|job| {
            // Image decoders are fed untrusted bytes: a panic in one must not take the scan down.
            match catch_unwind(AssertUnwindSafe(|| process_job(job, thumbs_dir))) {
                Ok(art) => art,
                Err(_) => {
                    tracing::warn!(albumhash = %job.albumhash, "artwork extraction panicked; album skipped");
                    None
                },
            }
        })
        .collect()
}

/// Where one thumbnail lives.
pub fn thumbnail_path(thumbs_dir: &Path, size_name: &str, albumhash: &str) -> PathBuf {
    thumbs_dir.join(size_name).join(format!("{albumhash}.webp"))
}

fn process_job(job: &ArtworkJob, thumbs_dir: &Path) -> Option<AlbumArt> {
    if !is_valid_albumhash(&job.albumhash) {
        tracing::warn!(albumhash = %job.albumhash, "refusing artwork for a malformed album hash");
        return None;
    }
    let Some(cover) = source::decode_first_cover(&job.track_paths) else {
        return Some(AlbumArt {
            albumhash: job.albumhash.clone(),
            color: None,
            blurhash: None,
        });
    };
    match write_thumbnails(&cover, thumbs_dir, &job.albumhash) {
        Ok(thumbnails) => Some(AlbumArt {
            albumhash: job.albumhash.clone(),
            color: Some(colour::dominant_colour(&thumbnails.colour_source)),
            blurhash: colour::blurhash(
                &thumbnails.colour_source,
                BLURHASH_COMPONENTS,
                BLURHASH_MAX_SIDE,
            ),
        }),
        Err(error) => {
            tracing::warn!(albumhash = %job.albumhash, %error, "cannot write thumbnails");
            None
        }
    }
}

/// The hash becomes a file name: only 16 hex digits may pass (no path separators, no "..").
fn is_valid_albumhash(albumhash: &str) -> bool {
    albumhash.len() == 16 && albumhash.bytes().all(|b| b.is_ascii_hexdigit())
}

struct Thumbnails {
    /// The 96 px copy, kept for the colour and the BlurHash.
    colour_source: RgbImage,
}

#[derive(Debug, thiserror::Error)]
enum ThumbnailError {
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("WebP encoding failed for a {width}x{height} image")]
    Encode { width: u32, height: u32 },
}

fn write_thumbnails(
    cover: &RgbImage,
    thumbs_dir: &Path,
    albumhash: &str,
) -> Result<Thumbnails, ThumbnailError> {
    let (source_width, source_height) = cover.dimensions();
    // Largest first, each size resized from the previous one: the big Lanczos pass runs once.
    let mut sizes: Vec<(&str, u32)> = THUMBNAIL_SIZES.to_vec();
    sizes.sort_by_key(|(_, width)| std::cmp::Reverse(*width));
    let mut previous: Option<RgbImage> = None;
    let mut colour_source = None;
    let mut marker = None;
    for (size_name, width) in sizes {
        let (width, height) = fitted_dimensions(source_width, source_height, width);
        let from = previous.as_ref().unwrap_or(cover);
        let resized = if from.dimensions() == (width, height) {
            from.clone()
        } else {
            imageops::resize(from, width, height, FilterType::Lanczos3)
        };
        let encoded = encode_webp(&resized)?;
        if size_name == COMPLETION_MARKER_SIZE {
            marker = Some(encoded);
        } else {
            write_atomically(&thumbnail_path(thumbs_dir, size_name, albumhash), &encoded)?;
        }
        if size_name == COLOUR_SOURCE_SIZE {
            colour_source = Some(resized.clone());
        }
        previous = Some(resized);
    }
    if let Some(encoded) = marker {
        write_atomically(
            &thumbnail_path(thumbs_dir, COMPLETION_MARKER_SIZE, albumhash),
            &encoded,
        )?;
    }
    Ok(Thumbnails {
        colour_source: colour_source.unwrap_or_else(|| cover.clone()),
    })
}

/// `target_width` wide with the aspect ratio kept, but never wider than the source.
fn fitted_dimensions(source_width: u32, source_height: u32, target_width: u32) -> (u32, u32) {
    if source_width <= target_width {
        return (source_width, source_height);
    }
    let height =
        (f64::from(source_height) * f64::from(target_width) / f64::from(source_width)).round();
    (target_width, (height as u32).max(1))
}

fn encode_webp(image: &RgbImage) -> Result<Vec<u8>, ThumbnailError> {
    let (width, height) = image.dimensions();
    webp::Encoder::from_rgb(image.as_raw(), width, height)
        .encode_simple(false, WEBP_QUALITY)
        .map(|memory| memory.to_vec())
        .map_err(|_| ThumbnailError::Encode { width, height })
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes to a hidden temporary name in the same directory, then renames: a reader sees either
/// the old file or the whole new one.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ThumbnailError> {
    let io_error = |source| ThumbnailError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_error)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let unique = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".{file_name}.{}.{unique}.tmp", std::process::id()));
    if let Err(error) = fs::write(&temp, bytes).and_then(|()| fs::rename(&temp, path)) {
        let _ = fs::remove_file(&temp);
        return Err(io_error(error));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitted_dimensions_keep_aspect_and_never_upscale() {
        assert_eq!(fitted_dimensions(1000, 500, 512), (512, 256));
        assert_eq!(fitted_dimensions(300, 300, 512), (300, 300));
        assert_eq!(fitted_dimensions(5000, 1, 64), (64, 1));
    }

    #[test]
    fn album_hashes_must_be_hex() {
        assert!(is_valid_albumhash("0123456789abcdef"));
        assert!(!is_valid_albumhash("../../etc/passwd"));
        assert!(!is_valid_albumhash("0123456789abcde"));
    }
}
