//! Album artwork (reference §5.10): find a cover (embedded first, then a folder image), write
//! WebP thumbnails at the client's sizes, and compute the album's dominant colour and BlurHash.

mod colour;
mod source;
mod thumbnails;
mod timing;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use source::folder_image;
use thumbnails::ThumbnailWriter;
use timing::timed;
#[doc(hidden)]
pub use timing::{reset_stage_times, stage_times, Stage};

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
const BLURHASH_COMPONENTS: u32 = 4;
const BLURHASH_MAX_SIDE: u32 = 100;

/// Extracts artwork for every job whose `thumbs_dir/large/<albumhash>.webp` is missing (all jobs
/// when `force`), in parallel. Returns one [`AlbumArt`] per job processed: with colours when
/// thumbnails were written, with `None` colours when the album has no usable image. Jobs whose
/// thumbnails already exist are not returned. Broken images are skipped with a warning.
pub fn extract_album_art(jobs: &[ArtworkJob], thumbs_dir: &Path, force: bool) -> Vec<AlbumArt> {
    jobs.par_iter()
        .filter(|job| force || !thumbnail_path(thumbs_dir, COMPLETION_MARKER_SIZE, &job.albumhash).exists())
        .map_init(ThumbnailWriter::default, |writer, job| {
            // Image decoders are fed untrusted bytes: a panic in one must not take the scan down.
            match catch_unwind(AssertUnwindSafe(|| process_job(job, thumbs_dir, writer))) {
                Ok(art) => art,
                Err(_) => {
                    tracing::warn!(albumhash = %job.albumhash, "artwork extraction panicked; album skipped");
                    None
                },
            }
        })
        .flatten()
        .collect()
}

/// Where one thumbnail lives.
pub fn thumbnail_path(thumbs_dir: &Path, size_name: &str, albumhash: &str) -> PathBuf {
    thumbs_dir.join(size_name).join(format!("{albumhash}.webp"))
}

fn process_job(
    job: &ArtworkJob,
    thumbs_dir: &Path,
    writer: &mut ThumbnailWriter,
) -> Option<AlbumArt> {
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
    match writer.write(&cover, thumbs_dir, &job.albumhash) {
        Ok(colour_source) => Some(AlbumArt {
            albumhash: job.albumhash.clone(),
            color: Some(timed(Stage::Colour, || {
                colour::dominant_colour(&colour_source)
            })),
            blurhash: timed(Stage::Blurhash, || {
                colour::blurhash(&colour_source, BLURHASH_COMPONENTS, BLURHASH_MAX_SIDE)
            }),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn album_hashes_must_be_hex() {
        assert!(is_valid_albumhash("0123456789abcdef"));
        assert!(!is_valid_albumhash("../../etc/passwd"));
        assert!(!is_valid_albumhash("0123456789abcde"));
    }
}
