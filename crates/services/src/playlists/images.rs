//! Playlist images: an upload is checked (size, format, a full decode under limits), then written
//! as `<id><5 random chars>.webp` plus `thumb_<name>` 250 px high. A GIF keeps its bytes (and its
//! animation) under a `.gif` name; its thumbnail is the same GIF. Files are written before the
//! playlist row points at them and the old files are removed only after the row changed, so a
//! failed request leaves the previous image in place.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::imageops::FilterType;
use image::{AnimationDecoder, DynamicImage, Frame, ImageFormat, ImageReader, Limits};
use rand::Rng;

use super::PlaylistError;

/// The largest accepted upload.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;
/// Height of `thumb_*`.
pub const THUMBNAIL_HEIGHT: u32 = 250;
/// Larger uploads are scaled down to this width for the banner itself.
const MAX_BANNER_WIDTH: u32 = 1920;
/// Refuse decoding anything bigger (decompression bombs).
const MAX_DIMENSION: u32 = 10_000;
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
const WEBP_QUALITY: f32 = 85.0;
/// An animated thumbnail is made only while the GIF's frames hold at most this many pixels in
/// total; beyond that the upload itself serves as its thumbnail.
const MAX_GIF_SCALING_PIXELS: u64 = 60_000_000;

/// A checked, encoded upload, ready to be written.
pub struct PreparedImage {
    pub is_gif: bool,
    banner: Vec<u8>,
    thumbnail: Vec<u8>,
}

/// Checks and encodes an upload. Slow (decoding, resizing, encoding): call it off the async
/// threads.
pub fn prepare(bytes: &[u8]) -> Result<PreparedImage, PlaylistError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(PlaylistError::ImageTooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| PlaylistError::UnsupportedImage)?;
    if !matches!(
        format,
        ImageFormat::Png
            | ImageFormat::Jpeg
            | ImageFormat::WebP
            | ImageFormat::Gif
            | ImageFormat::Bmp
    ) {
        return Err(PlaylistError::UnsupportedImage);
    }
    let decoded = decode(bytes, format)?;
    if format == ImageFormat::Gif {
        let thumbnail = gif_thumbnail(bytes, decoded.width(), decoded.height())
            .unwrap_or_else(|| bytes.to_vec());
        return Ok(PreparedImage {
            is_gif: true,
            banner: bytes.to_vec(),
            thumbnail,
        });
    }
    let banner = if decoded.width() > MAX_BANNER_WIDTH {
        decoded.resize(
            MAX_BANNER_WIDTH,
            u32::MAX,
            image::imageops::FilterType::Lanczos3,
        )
    } else {
        decoded.clone()
    };
    let thumbnail = if decoded.height() > THUMBNAIL_HEIGHT {
        decoded.resize(
            u32::MAX,
            THUMBNAIL_HEIGHT,
            image::imageops::FilterType::Lanczos3,
        )
    } else {
        decoded
    };
    Ok(PreparedImage {
        is_gif: false,
        banner: encode_webp(&banner)?,
        thumbnail: encode_webp(&thumbnail)?,
    })
}

fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, PlaylistError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    reader
        .decode()
        .map_err(|error| PlaylistError::Invalid(format!("The image cannot be read: {error}")))
}

/// The animation scaled to [`THUMBNAIL_HEIGHT`] (every composited frame, same delays, looping);
/// `None` when the GIF is no taller than that, too big to scale, or does not decode.
fn gif_thumbnail(bytes: &[u8], width: u32, height: u32) -> Option<Vec<u8>> {
    if height <= THUMBNAIL_HEIGHT {
        return None;
    }
    let target_width =
        (u64::from(width) * u64::from(THUMBNAIL_HEIGHT) / u64::from(height)).max(1) as u32;
    let frames = GifDecoder::new(Cursor::new(bytes)).ok()?.into_frames();
    let mut encoded = Vec::new();
    {
        let mut encoder = GifEncoder::new_with_speed(&mut encoded, 10);
        encoder.set_repeat(Repeat::Infinite).ok()?;
        let mut pixels = 0u64;
        for frame in frames {
            let frame = frame.ok()?;
            pixels += u64::from(width) * u64::from(height);
            if pixels > MAX_GIF_SCALING_PIXELS {
                return None;
            }
            let delay = frame.delay();
            let scaled = image::imageops::resize(
                frame.buffer(),
                target_width,
                THUMBNAIL_HEIGHT,
                FilterType::Triangle,
            );
            encoder
                .encode_frame(Frame::from_parts(scaled, 0, 0, delay))
                .ok()?;
        }
    }
    Some(encoded)
}

fn encode_webp(image: &DynamicImage) -> Result<Vec<u8>, PlaylistError> {
    let rgba = image.to_rgba8();
    let (width, height) = rgba.dimensions();
    let encoded = webp::Encoder::from_rgba(rgba.as_raw(), width, height).encode(WEBP_QUALITY);
    if encoded.is_empty() {
        return Err(PlaylistError::Internal(anyhow::anyhow!(
            "webp encoding of a {width}x{height} image failed"
        )));
    }
    Ok(encoded.to_vec())
}

/// A new image name for playlist `id`: `<id><5 random lowercase letters and digits>.<ext>`.
pub fn new_image_name(id: i64, is_gif: bool) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    let suffix: String = (0..5)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    let ext = if is_gif { "gif" } else { "webp" };
    format!("{id}{suffix}.{ext}")
}

/// `thumb_<name>`.
pub fn thumbnail_name(image: &str) -> String {
    format!("thumb_{image}")
}

/// Writes the image and its thumbnail under `dir` as `name` and `thumb_<name>`.
pub fn write(dir: &Path, name: &str, image: &PreparedImage) -> std::io::Result<()> {
    write_bytes(dir, name, &image.banner)?;
    if let Err(error) = write_bytes(dir, &thumbnail_name(name), &image.thumbnail) {
        let _ = std::fs::remove_file(dir.join(name));
        return Err(error);
    }
    Ok(())
}

/// Copies existing artwork (an album cover, an artist picture) as a playlist image and its
/// thumbnail. False when the source does not exist.
pub fn copy_banner(
    dir: &Path,
    name: &str,
    banner: &Path,
    thumbnail: &Path,
) -> std::io::Result<bool> {
    let Ok(bytes) = std::fs::read(banner) else {
        return Ok(false);
    };
    let thumb = std::fs::read(thumbnail).unwrap_or_else(|_| bytes.clone());
    write_bytes(dir, name, &bytes)?;
    write_bytes(dir, &thumbnail_name(name), &thumb)?;
    Ok(true)
}

/// Removes an image and its thumbnail (missing files are fine).
pub fn remove(dir: &Path, name: &str) {
    for file in [dir.join(name), dir.join(thumbnail_name(name))] {
        if let Err(error) = std::fs::remove_file(&file) {
            if error.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(file = %file.display(), %error, "cannot remove a playlist image");
            }
        }
    }
}

/// Removes files of `dir` that no playlist refers to (`in_use` holds image names; their
/// `thumb_` files count as used too): images left by deleted users, or by a crash between
/// writing an upload and committing the row. Files younger than `min_age` are kept, since an
/// upload writes its files before its row points at them. Returns how many files went.
pub fn remove_unreferenced(
    dir: &Path,
    in_use: &std::collections::HashSet<String>,
    min_age: std::time::Duration,
) -> std::io::Result<usize> {
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let image = name.strip_prefix("thumb_").unwrap_or(&name);
        if in_use.contains(image) || !entry.file_type()?.is_file() {
            continue;
        }
        let age = entry
            .metadata()?
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .unwrap_or_default();
        if age >= min_age && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

/// Writes through a temporary name and renames, so a reader never sees half a file.
fn write_bytes(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let target: PathBuf = dir.join(name);
    let partial = dir.join(format!(".{name}.{}.partial", std::process::id()));
    if let Err(error) =
        std::fs::write(&partial, bytes).and_then(|()| std::fs::rename(&partial, &target))
    {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_pixel(width, height, image::Rgb([10, 200, 30]));
        let mut bytes = Cursor::new(Vec::new());
        image.write_to(&mut bytes, ImageFormat::Png).unwrap();
        bytes.into_inner()
    }

    #[test]
    fn png_becomes_webp_with_a_250_px_thumbnail() {
        let prepared = prepare(&png(800, 500)).unwrap();
        assert!(!prepared.is_gif);
        let banner = image::load_from_memory(&prepared.banner).unwrap();
        assert_eq!((banner.width(), banner.height()), (800, 500));
        let thumb = image::load_from_memory(&prepared.thumbnail).unwrap();
        assert_eq!(thumb.height(), THUMBNAIL_HEIGHT);
        assert_eq!(thumb.width(), 400);
        assert_eq!(
            image::guess_format(&prepared.thumbnail).unwrap(),
            ImageFormat::WebP
        );
    }

    #[test]
    fn tall_gifs_get_an_animated_thumbnail() {
        let mut bytes = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut bytes);
            for shade in [30u8, 200] {
                let frame = image::RgbaImage::from_pixel(100, 500, image::Rgba([shade, 0, 0, 255]));
                encoder.encode_frame(Frame::new(frame)).unwrap();
            }
        }
        let prepared = prepare(&bytes).unwrap();
        assert!(prepared.is_gif);
        assert_eq!(prepared.banner, bytes, "the GIF itself is kept");
        let frames: Vec<Frame> = GifDecoder::new(Cursor::new(&prepared.thumbnail))
            .unwrap()
            .into_frames()
            .collect_frames()
            .unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].buffer().dimensions(), (50, THUMBNAIL_HEIGHT));
    }

    #[test]
    fn garbage_and_oversized_uploads_are_refused() {
        assert!(matches!(
            prepare(b"hello, not an image"),
            Err(PlaylistError::UnsupportedImage)
        ));
        let mut truncated = png(40, 40);
        truncated.truncate(60);
        assert!(matches!(
            prepare(&truncated),
            Err(PlaylistError::Invalid(_))
        ));
        let huge = vec![0u8; MAX_IMAGE_BYTES + 1];
        assert!(matches!(prepare(&huge), Err(PlaylistError::ImageTooLarge)));
    }

    #[test]
    fn unreferenced_files_are_swept_after_a_grace_period() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "1abcde.webp",
            "thumb_1abcde.webp",
            "2zzzzz.gif",
            "thumb_2zzzzz.gif",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let in_use = std::collections::HashSet::from(["1abcde.webp".to_string()]);
        let grace = std::time::Duration::from_secs(600);
        assert_eq!(remove_unreferenced(dir.path(), &in_use, grace).unwrap(), 0);
        let swept = remove_unreferenced(dir.path(), &in_use, std::time::Duration::ZERO).unwrap();
        assert_eq!(swept, 2);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["1abcde.webp", "thumb_1abcde.webp"]);
    }

    #[test]
    fn names_carry_the_id_and_the_format() {
        let name = new_image_name(12, false);
        assert!(name.starts_with("12") && name.ends_with(".webp") && name.len() == 12);
        assert!(new_image_name(3, true).ends_with(".gif"));
        assert_eq!(thumbnail_name("1abcde.webp"), "thumb_1abcde.webp");
    }
}
