//! Real audio and image files for the tests: hand-written WAV, lofty-written tags, and other
//! formats from ffmpeg when it is installed.

#![allow(dead_code)] // each test binary uses a different subset

use std::f64::consts::TAU;
use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use image::{ImageFormat, Rgb, RgbImage};
use lofty::config::WriteOptions;
use lofty::file::TaggedFileExt;
use lofty::picture::{MimeType, Picture, PictureType};
use lofty::tag::{Tag, TagExt};

/// A 16-bit PCM WAV with a quiet 440 Hz tone.
pub fn write_wav(path: &Path, seconds: f64, sample_rate: u32, channels: u16) {
    let frames = (seconds * f64::from(sample_rate)) as u32;
    let block_align = channels * 2;
    let data_len = frames * u32::from(block_align);
    let mut bytes = Vec::with_capacity(44 + data_len as usize);
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&channels.to_le_bytes());
    bytes.extend_from_slice(&sample_rate.to_le_bytes());
    bytes.extend_from_slice(&(sample_rate * u32::from(block_align)).to_le_bytes());
    bytes.extend_from_slice(&block_align.to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    for frame in 0..frames {
        let sample = (f64::from(frame) * TAU * 440.0 / f64::from(sample_rate)).sin() * 3000.0;
        for _ in 0..channels {
            bytes.extend_from_slice(&(sample as i16).to_le_bytes());
        }
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, bytes).unwrap();
}

/// Replaces the file's primary tag with a fresh one filled by `fill`.
pub fn tag_file(path: &Path, fill: impl FnOnce(&mut Tag)) {
    let tagged = lofty::read_from_path(path).expect("test file must be readable by lofty");
    let mut tag = Tag::new(tagged.primary_tag_type());
    fill(&mut tag);
    tag.save_to_path(path, WriteOptions::default())
        .expect("lofty writes the tag");
}

pub fn solid_image(width: u32, height: u32, colour: [u8; 3], format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_pixel(width, height, Rgb(colour));
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

pub fn png_picture(width: u32, height: u32, colour: [u8; 3], kind: PictureType) -> Picture {
    Picture::new_unchecked(
        kind,
        Some(MimeType::Png),
        None,
        solid_image(width, height, colour, ImageFormat::Png),
    )
}

pub fn set_mtime(path: &Path, unix_seconds: u64) {
    let file = fs::File::options().write(true).open(path).unwrap();
    file.set_modified(UNIX_EPOCH + Duration::from_secs(unix_seconds))
        .unwrap();
}

/// ffmpeg, if installed. Tests that need it print why they did nothing when it is absent.
pub fn ffmpeg() -> Option<PathBuf> {
    ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
        .or_else(|| {
            Command::new("ffmpeg")
                .arg("-version")
                .output()
                .ok()
                .filter(|out| out.status.success())
                .map(|_| PathBuf::from("ffmpeg"))
        })
}

/// Encodes one second of a 440 Hz tone with ffmpeg: `codec_args` pick the codec and container,
/// `metadata` become `-metadata key=value`.
pub fn ffmpeg_encode(ffmpeg: &Path, output: &Path, codec_args: &[&str], metadata: &[(&str, &str)]) {
    if let Some(parent) = output.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    let mut command = Command::new(ffmpeg);
    command.args([
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=44100:duration=1",
        "-ac",
        "2",
    ]);
    for (key, value) in metadata {
        command.arg("-metadata").arg(format!("{key}={value}"));
    }
    command.args(codec_args).arg(output);
    let result = command.output().expect("ffmpeg runs");
    assert!(
        result.status.success(),
        "ffmpeg failed for {}: {}",
        output.display(),
        String::from_utf8_lossy(&result.stderr)
    );
}

/// An attribute value in a hand-built ASF (WMA) header.
pub enum AsfValue<'a> {
    Text(&'a str),
    Dword(u32),
    Bytes(Vec<u8>),
}

fn utf16z(text: &str) -> Vec<u8> {
    text.encode_utf16()
        .chain([0])
        .flat_map(u16::to_le_bytes)
        .collect()
}

fn asf_object(guid: [u8; 16], payload: &[u8]) -> Vec<u8> {
    let mut object = guid.to_vec();
    object.extend_from_slice(&(24 + payload.len() as u64).to_le_bytes());
    object.extend_from_slice(payload);
    object
}

/// A WM/Picture value: type, length, MIME and description (UTF-16, NUL-terminated), bytes.
pub fn wm_picture(kind: u8, mime: &str, data: &[u8]) -> Vec<u8> {
    let mut value = vec![kind];
    value.extend_from_slice(&(data.len() as u32).to_le_bytes());
    value.extend_from_slice(&utf16z(mime));
    value.extend_from_slice(&utf16z(""));
    value.extend_from_slice(data);
    value
}

/// Writes an ASF file by hand from the specification's layout (GUIDs spelled out as stored):
/// a header with file and stream properties (3 s, 44.1 kHz stereo, 128 kbps WMA 2),
/// a content description (title, author) and the given extended attributes; no packets.
pub fn write_asf(path: &Path, title: &str, author: &str, attributes: &[(&str, AsfValue)]) {
    const HEADER: [u8; 16] = [
        0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE,
        0x6C,
    ];
    const FILE_PROPERTIES: [u8; 16] = [
        0xA1, 0xDC, 0xAB, 0x8C, 0x47, 0xA9, 0xCF, 0x11, 0x8E, 0xE4, 0x00, 0xC0, 0x0C, 0x20, 0x53,
        0x65,
    ];
    const STREAM_PROPERTIES: [u8; 16] = [
        0x91, 0x07, 0xDC, 0xB7, 0xB7, 0xA9, 0xCF, 0x11, 0x8E, 0xE6, 0x00, 0xC0, 0x0C, 0x20, 0x53,
        0x65,
    ];
    const AUDIO_MEDIA: [u8; 16] = [
        0x40, 0x9E, 0x69, 0xF8, 0x4D, 0x5B, 0xCF, 0x11, 0xA8, 0xFD, 0x00, 0x80, 0x5F, 0x5C, 0x44,
        0x2B,
    ];
    const CONTENT_DESCRIPTION: [u8; 16] = [
        0x33, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE,
        0x6C,
    ];
    const EXTENDED_CONTENT: [u8; 16] = [
        0x40, 0xA4, 0xD0, 0xD2, 0x07, 0xE3, 0xD2, 0x11, 0x97, 0xF0, 0x00, 0xA0, 0xC9, 0x5E, 0xA8,
        0x50,
    ];

    let mut file_properties = vec![0u8; 16 + 8 + 8 + 8]; // file id, size, date, packets
    file_properties.extend_from_slice(&45_000_000u64.to_le_bytes()); // play duration: 4.5 s in 100 ns
    file_properties.extend_from_slice(&0u64.to_le_bytes()); // send duration
    file_properties.extend_from_slice(&1_500u64.to_le_bytes()); // preroll 1.5 s
    file_properties.extend_from_slice(&[0u8; 12]); // flags, min and max packet size
    file_properties.extend_from_slice(&128_000u32.to_le_bytes());

    let mut wave_format = Vec::new();
    wave_format.extend_from_slice(&0x0161u16.to_le_bytes()); // WMA 2
    wave_format.extend_from_slice(&2u16.to_le_bytes());
    wave_format.extend_from_slice(&44_100u32.to_le_bytes());
    wave_format.extend_from_slice(&16_000u32.to_le_bytes());
    wave_format.extend_from_slice(&1_485u16.to_le_bytes());
    wave_format.extend_from_slice(&16u16.to_le_bytes());
    wave_format.extend_from_slice(&0u16.to_le_bytes());
    let mut stream = AUDIO_MEDIA.to_vec();
    stream.extend_from_slice(&[0u8; 16 + 8]); // error correction type, time offset
    stream.extend_from_slice(&(wave_format.len() as u32).to_le_bytes());
    stream.extend_from_slice(&0u32.to_le_bytes());
    stream.extend_from_slice(&1u16.to_le_bytes()); // stream number 1
    stream.extend_from_slice(&0u32.to_le_bytes());
    stream.extend_from_slice(&wave_format);

    let strings = [
        utf16z(title),
        utf16z(author),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    ];
    let mut content = Vec::new();
    for text in &strings {
        content.extend_from_slice(&(text.len() as u16).to_le_bytes());
    }
    for text in &strings {
        content.extend_from_slice(text);
    }

    let mut extended = (attributes.len() as u16).to_le_bytes().to_vec();
    for (name, value) in attributes {
        let name = utf16z(name);
        extended.extend_from_slice(&(name.len() as u16).to_le_bytes());
        extended.extend_from_slice(&name);
        let (kind, bytes) = match value {
            AsfValue::Text(text) => (0u16, utf16z(text)),
            AsfValue::Bytes(bytes) => (1, bytes.clone()),
            AsfValue::Dword(number) => (3, number.to_le_bytes().to_vec()),
        };
        extended.extend_from_slice(&kind.to_le_bytes());
        extended.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
        extended.extend_from_slice(&bytes);
    }

    let children = [
        asf_object(FILE_PROPERTIES, &file_properties),
        asf_object(STREAM_PROPERTIES, &stream),
        asf_object(CONTENT_DESCRIPTION, &content),
        asf_object(EXTENDED_CONTENT, &extended),
    ];
    let children_len: usize = children.iter().map(Vec::len).sum();
    let mut bytes = HEADER.to_vec();
    bytes.extend_from_slice(&(30 + children_len as u64).to_le_bytes());
    bytes.extend_from_slice(&(children.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&[1, 2]); // reserved
    for child in children {
        bytes.extend_from_slice(&child);
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, bytes).unwrap();
}
