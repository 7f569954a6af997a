//! Fallback images served when an album, artist or playlist has no picture of its own:
//! `default.webp` (album), `artist.webp` and `playlist.svg`. They are drawn here at start-up
//! (no binary blobs in the repository) and written once into the assets folder.

use std::io::Cursor;
use std::path::Path;

use image::codecs::webp::WebPEncoder;
use image::{ImageEncoder, Rgba, RgbaImage};

pub const DEFAULT_ALBUM_IMAGE: &str = "default.webp";
pub const DEFAULT_ARTIST_IMAGE: &str = "artist.webp";
pub const DEFAULT_PLAYLIST_IMAGE: &str = "playlist.svg";

/// Edge length of the generated square images. Clients scale them; 256 px is sharp enough for
/// every size they ask for and keeps the lossless files a few kilobytes.
const SIZE: u32 = 256;
/// Samples per pixel edge for anti-aliasing (4×4 = 16 samples).
const SUPERSAMPLE: u32 = 4;

const BACKGROUND: [u8; 3] = [0x2c, 0x2c, 0x30];
const FOREGROUND: [u8; 3] = [0x5a, 0x5a, 0x62];
const ACCENT: [u8; 3] = [0x8a, 0x8a, 0x94];

/// Creates any missing fallback image in `dir` (which is created too). Existing files are kept,
/// so an operator may replace them with their own artwork.
pub fn ensure_assets(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_if_missing(&dir.join(DEFAULT_ALBUM_IMAGE), || {
        encode_webp(&album_image())
    })?;
    write_if_missing(&dir.join(DEFAULT_ARTIST_IMAGE), || {
        encode_webp(&artist_image())
    })?;
    write_if_missing(&dir.join(DEFAULT_PLAYLIST_IMAGE), || {
        Ok(PLAYLIST_SVG.as_bytes().to_vec())
    })?;
    Ok(())
}

fn write_if_missing(
    path: &Path,
    render: impl FnOnce() -> std::io::Result<Vec<u8>>,
) -> std::io::Result<()> {
    if path.is_file() {
        return Ok(());
    }
    let bytes = render()?;
    // Write beside the target and rename, so a concurrent reader never sees half a file.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, path)
}

fn encode_webp(image: &RgbaImage) -> std::io::Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    WebPEncoder::new_lossless(&mut out)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgba8,
        )
        .map_err(std::io::Error::other)?;
    Ok(out.into_inner())
}

/// A record: a disc with grooves and a lighter label.
fn album_image() -> RgbaImage {
    draw(|x, y| {
        let r = (x * x + y * y).sqrt();
        if r < 0.10 {
            BACKGROUND
        } else if r < 0.30 {
            ACCENT
        } else if r < 0.80 {
            // Two thin grooves make the disc read as a record, not a dot.
            if (0.52..0.54).contains(&r) || (0.66..0.68).contains(&r) {
                BACKGROUND
            } else {
                FOREGROUND
            }
        } else {
            BACKGROUND
        }
    })
}

/// A head and shoulders silhouette.
fn artist_image() -> RgbaImage {
    draw(|x, y| {
        let head = (x * x + (y + 0.25) * (y + 0.25)).sqrt() < 0.28;
        // Upper half of an ellipse for the shoulders.
        let shoulders =
            y > 0.15 && y < 0.80 && (x / 0.55).powi(2) + ((y - 0.80) / 0.55).powi(2) < 1.0;
        if head || shoulders {
            FOREGROUND
        } else {
            BACKGROUND
        }
    })
}

/// Renders a shape given as a colour function over the square [-1, 1]², averaging several samples
/// per pixel so edges are smooth.
fn draw(shade: impl Fn(f32, f32) -> [u8; 3]) -> RgbaImage {
    let samples = (SUPERSAMPLE * SUPERSAMPLE) as f32;
    RgbaImage::from_fn(SIZE, SIZE, |px, py| {
        let mut sum = [0f32; 3];
        for sy in 0..SUPERSAMPLE {
            for sx in 0..SUPERSAMPLE {
                let x =
                    (px as f32 + (sx as f32 + 0.5) / SUPERSAMPLE as f32) / SIZE as f32 * 2.0 - 1.0;
                let y =
                    (py as f32 + (sy as f32 + 0.5) / SUPERSAMPLE as f32) / SIZE as f32 * 2.0 - 1.0;
                let colour = shade(x, y);
                for (total, channel) in sum.iter_mut().zip(colour) {
                    *total += f32::from(channel);
                }
            }
        }
        let [r, g, b] = sum.map(|total| (total / samples).round() as u8);
        Rgba([r, g, b, 255])
    })
}

/// A stack of lines with a note: the usual "playlist" glyph, on the same dark square.
const PLAYLIST_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256" width="256" height="256">
  <rect width="256" height="256" fill="#2c2c30"/>
  <g fill="#5a5a62">
    <rect x="48" y="64" width="112" height="16" rx="8"/>
    <rect x="48" y="104" width="112" height="16" rx="8"/>
    <rect x="48" y="144" width="72" height="16" rx="8"/>
    <rect x="184" y="64" width="14" height="104" rx="4"/>
    <path d="M198 64 q22 8 26 34 q-12 -14 -26 -12 z"/>
    <ellipse cx="172" cy="172" rx="26" ry="20"/>
  </g>
</svg>
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_decodable_images_and_keeps_existing_ones() {
        let dir = tempfile::tempdir().unwrap();
        ensure_assets(dir.path()).unwrap();

        for name in [DEFAULT_ALBUM_IMAGE, DEFAULT_ARTIST_IMAGE] {
            let bytes = std::fs::read(dir.path().join(name)).unwrap();
            let decoded = image::load_from_memory(&bytes).unwrap();
            assert_eq!((decoded.width(), decoded.height()), (SIZE, SIZE));
            // Not a blank square: the centre and the corner differ.
            let rgba = decoded.to_rgba8();
            assert_ne!(
                rgba.get_pixel(0, 0),
                rgba.get_pixel(SIZE / 2, SIZE / 2 + 60),
                "{name}"
            );
            assert!(bytes.len() < 64 * 1024, "{name} is {} bytes", bytes.len());
        }
        let svg = std::fs::read_to_string(dir.path().join(DEFAULT_PLAYLIST_IMAGE)).unwrap();
        assert!(svg.starts_with("<svg"));

        std::fs::write(dir.path().join(DEFAULT_ALBUM_IMAGE), b"custom").unwrap();
        ensure_assets(dir.path()).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join(DEFAULT_ALBUM_IMAGE)).unwrap(),
            b"custom"
        );
    }
}
