//! The WebP thumbnails of one cover. Sizes are made largest first, each resized from the one
//! before it (the expensive Lanczos pass over the full source runs once), with SIMD resizing;
//! a size no smaller than the one before it (small sources are never upscaled) reuses that
//! size's encoded bytes instead of encoding the same pixels again.

use std::borrow::Cow;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;

use super::timing::{timed, Stage};
use super::{thumbnail_path, COLOUR_SOURCE_SIZE, COMPLETION_MARKER_SIZE, THUMBNAIL_SIZES};

/// Lossy WebP quality (0-100).
const WEBP_QUALITY: f32 = 80.0;
/// libwebp's speed/size trade-off (0 fastest .. 6 smallest; its default is 4). At quality 80 on
/// 1000-1200 px covers, method 1 encoded 2.7x faster than 4 with the same PSNR (within 0.15 dB)
/// and files 2-8% larger: methods 3 and up add rate-distortion passes that shave bytes, not
/// visible detail. (Method 2: 2x faster, files within 4%; method 0: larger still at 512 px.)
const WEBP_METHOD: i32 = 1;
const RESIZE_FILTER: FilterType = FilterType::Lanczos3;

#[derive(Debug, thiserror::Error)]
pub(super) enum ThumbnailError {
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("WebP encoding failed for a {width}x{height} image")]
    Encode { width: u32, height: u32 },
    #[error("cannot resize a {width}x{height} image: {reason}")]
    Resize {
        width: u32,
        height: u32,
        reason: String,
    },
}

/// Makes and writes thumbnails; one per worker, so the resizer's scratch buffers are reused.
#[derive(Default)]
pub(super) struct ThumbnailWriter {
    resizer: Resizer,
}

impl ThumbnailWriter {
    /// Writes every size of `cover` (`large` last, as the completion marker) and returns the
    /// `small` copy, from which the colour and BlurHash are taken.
    pub(super) fn write(
        &mut self,
        cover: &RgbImage,
        thumbs_dir: &Path,
        albumhash: &str,
    ) -> Result<RgbImage, ThumbnailError> {
        let (source_width, source_height) = cover.dimensions();
        let mut sizes: Vec<(&str, u32)> = THUMBNAIL_SIZES.to_vec();
        sizes.sort_by_key(|(_, width)| std::cmp::Reverse(*width));
        let mut previous: Option<(Cow<'_, RgbImage>, Vec<u8>)> = None;
        let mut colour_source = None;
        let mut marker = None;
        for (size_name, width) in sizes {
            let (width, height) = fitted_dimensions(source_width, source_height, width);
            let (image, encoded) = match previous.take() {
                Some((image, encoded)) if image.dimensions() == (width, height) => (image, encoded),
                earlier => {
                    let from = earlier.as_ref().map_or(cover, |(image, _)| &**image);
                    // Only the source itself can match here: a smaller size equal to the one
                    // before it took the arm above.
                    let image = if from.dimensions() == (width, height) {
                        Cow::Borrowed(cover)
                    } else {
                        Cow::Owned(timed(Stage::Resize, || self.resize(from, width, height))?)
                    };
                    let encoded = timed(Stage::Encode, || encode_webp(&image))?;
                    (image, encoded)
                }
            };
            if size_name == COMPLETION_MARKER_SIZE {
                marker = Some(encoded.clone());
            } else {
                timed(Stage::Write, || {
                    write_atomically(&thumbnail_path(thumbs_dir, size_name, albumhash), &encoded)
                })?;
            }
            if size_name == COLOUR_SOURCE_SIZE {
                colour_source = Some(image.clone().into_owned());
            }
            previous = Some((image, encoded));
        }
        if let Some(encoded) = marker {
            timed(Stage::Write, || {
                write_atomically(
                    &thumbnail_path(thumbs_dir, COMPLETION_MARKER_SIZE, albumhash),
                    &encoded,
                )
            })?;
        }
        // Every size is written, so the colour source is always set; the cover is a safe fallback.
        Ok(colour_source.unwrap_or_else(|| cover.clone()))
    }

    fn resize(
        &mut self,
        from: &RgbImage,
        width: u32,
        height: u32,
    ) -> Result<RgbImage, ThumbnailError> {
        let error = |reason: String| ThumbnailError::Resize {
            width: from.width(),
            height: from.height(),
            reason,
        };
        let source = ImageRef::new(from.width(), from.height(), from.as_raw(), PixelType::U8x3)
            .map_err(|e| error(e.to_string()))?;
        let mut target = Image::new(width, height, PixelType::U8x3);
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(RESIZE_FILTER));
        self.resizer
            .resize(&source, &mut target, &options)
            .map_err(|e| error(e.to_string()))?;
        RgbImage::from_raw(width, height, target.into_vec())
            .ok_or_else(|| error("resized buffer has the wrong length".into()))
    }
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
    let failed = || ThumbnailError::Encode { width, height };
    let mut config = webp::WebPConfig::new().map_err(|()| failed())?;
    config.quality = WEBP_QUALITY;
    config.method = WEBP_METHOD;
    webp::Encoder::from_rgb(image.as_raw(), width, height)
        .encode_advanced(&config)
        .map(|memory| memory.to_vec())
        .map_err(|_| failed())
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
}
