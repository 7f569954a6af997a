//! Where an album's cover comes from: the first track with an embedded picture (front cover
//! preferred), else an image file in the album's folder.

use std::fs::{self, File};
use std::io::{BufReader, Cursor};
use std::path::{Path, PathBuf};

use image::{ImageReader, Limits, RgbImage};
use lofty::config::{apply_global_options, GlobalOptions, ParseOptions, ParsingMode};
use lofty::file::{FileType, TaggedFileExt};
use lofty::picture::PictureType;
use lofty::probe::Probe;

use super::timing::{timed, Stage};
use crate::asf;

/// Cover files larger than this are not real covers.
const MAX_IMAGE_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest side accepted from a decoder (WebP cannot encode more than 16383 anyway).
const MAX_IMAGE_SIDE: u32 = 16_383;
/// Decoder memory ceiling: a decompression bomb fails instead of allocating gigabytes.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;
/// Folder-image name prefixes, in priority order (compared case-insensitively).
const FOLDER_IMAGE_PREFIXES: &[&str] = &["cover", "front", "folder", "album", "artwork", "back"];
const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp"];

/// The album's cover, decoded: embedded pictures first (track order), then folder images.
/// Candidates that cannot be read or decoded are skipped with a warning.
pub(super) fn decode_first_cover(track_paths: &[PathBuf]) -> Option<RgbImage> {
    for track in track_paths {
        let Some(bytes) = timed(Stage::Read, || embedded_picture(track)) else {
            continue;
        };
        match timed(Stage::Decode, || decode(&bytes)) {
            Ok(image) => return Some(image),
            Err(error) => {
                tracing::warn!(track = %track.display(), %error, "embedded picture cannot be decoded; trying the next source");
            }
        }
    }
    let mut folders: Vec<&Path> = Vec::new();
    for folder in track_paths.iter().filter_map(|track| track.parent()) {
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }
    for folder in folders {
        let Some(image_path) = timed(Stage::Read, || folder_image(folder)) else {
            continue;
        };
        let decoded = timed(Stage::Read, || read_image_file(&image_path))
            .and_then(|bytes| timed(Stage::Decode, || decode(&bytes)).map_err(|e| e.to_string()));
        match decoded {
            Ok(image) => return Some(image),
            Err(error) => {
                tracing::warn!(image = %image_path.display(), %error, "folder image cannot be used; trying the next source");
            }
        }
    }
    None
}

/// The best cover image in a folder: a name starting with cover, front, folder, album, artwork
/// or back (that priority, any case), else any image; .jpg/.jpeg/.png/.webp in any case.
/// Ties go to the alphabetically first name. Hidden files are ignored.
pub fn folder_image(folder: &Path) -> Option<PathBuf> {
    let entries = fs::read_dir(folder).ok()?;
    let mut images: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_owned();
            if name.starts_with('.') {
                return None;
            }
            let path = entry.path();
            let extension = path.extension()?.to_str()?;
            if !IMAGE_EXTENSIONS
                .iter()
                .any(|known| extension.eq_ignore_ascii_case(known))
            {
                return None;
            }
            // Follows symlinks: a linked cover is fine, a directory named "x.jpg" is not.
            fs::metadata(&path).ok().filter(|m| m.is_file())?;
            Some((name, path))
        })
        .collect();
    images.sort();
    let stem_lower = |name: &str| {
        Path::new(name)
            .file_stem()
            .map(|stem| stem.to_string_lossy().to_lowercase())
            .unwrap_or_default()
    };
    for prefix in FOLDER_IMAGE_PREFIXES {
        if let Some((_, path)) = images
            .iter()
            .find(|(name, _)| stem_lower(name).starts_with(prefix))
        {
            return Some(path.clone());
        }
    }
    images.into_iter().next().map(|(_, path)| path)
}

fn read_image_file(path: &Path) -> Result<Vec<u8>, String> {
    let size = fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_IMAGE_FILE_BYTES {
        return Err(format!(
            "image file is {size} bytes, over the {MAX_IMAGE_FILE_BYTES} byte limit"
        ));
    }
    fs::read(path).map_err(|e| e.to_string())
}

/// The embedded picture of one audio file: the front cover if tagged as such, else the first.
fn embedded_picture(path: &Path) -> Option<Vec<u8>> {
    let file = File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    let mut reader = BufReader::new(file);
    if asf::has_asf_header(&mut reader).ok()? {
        return match asf::read_cover(&mut reader, size) {
            Ok(cover) => cover,
            Err(error) => {
                tracing::warn!(track = %path.display(), %error, "cannot read the WMA header");
                None
            }
        };
    }
    apply_global_options(
        GlobalOptions::new()
            .use_custom_resolvers(false)
            .allocation_limit(MAX_IMAGE_FILE_BYTES as usize),
    );
    let options = ParseOptions::new()
        .read_properties(false)
        .read_tags(true)
        .read_cover_art(true)
        .parsing_mode(ParsingMode::BestAttempt);
    let probe = Probe::new(reader).options(options).guess_file_type().ok()?;
    let probe = match probe.file_type() {
        Some(_) => probe,
        None => probe.set_file_type(FileType::from_path(path)?),
    };
    let tagged = match probe.read() {
        Ok(tagged) => tagged,
        Err(error) => {
            tracing::warn!(track = %path.display(), %error, "cannot read tags for artwork");
            return None;
        }
    };
    let pictures = || tagged.tags().iter().flat_map(|tag| tag.pictures());
    pictures()
        .find(|picture| picture.pic_type() == PictureType::CoverFront)
        .or_else(|| pictures().next())
        .map(|picture| picture.data().to_vec())
}

/// Decodes an image of any supported format (sniffed from its bytes) under size limits.
fn decode(bytes: &[u8]) -> Result<RgbImage, image::ImageError> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    Ok(reader.decode()?.into_rgb8())
}
