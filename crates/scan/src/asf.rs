//! WMA files: a small reader for the ASF header, because lofty has no ASF support.
//!
//! Only the header object is read (it holds every tag and the stream properties); audio packets
//! are never touched. The layout follows the published ASF specification: a header object holding
//! child objects, each `GUID, u64 size, payload`, all little-endian. Tag names are the `WM/...`
//! attribute names that Windows Media Player and other taggers write.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use swingfly_model::RawTrack;

use crate::read::{leading_number, ReadError};

/// The header can hold large pictures, but a header bigger than this is not a real file.
const MAX_HEADER_BYTES: u64 = 64 * 1024 * 1024;
/// GUID, u64 size, u32 child count, two reserved bytes.
const HEADER_PREFIX_BYTES: usize = 30;

const HEADER: [u8; 16] = guid("75B22630-668E-11CF-A6D9-00AA0062CE6C");
const FILE_PROPERTIES: [u8; 16] = guid("8CABDCA1-A947-11CF-8EE4-00C00C205365");
const STREAM_PROPERTIES: [u8; 16] = guid("B7DC0791-A9B7-11CF-8EE6-00C00C205365");
const AUDIO_MEDIA: [u8; 16] = guid("F8699E40-5B4D-11CF-A8FD-00805F5C442B");
const CONTENT_DESCRIPTION: [u8; 16] = guid("75B22633-668E-11CF-A6D9-00AA0062CE6C");
const EXTENDED_CONTENT_DESCRIPTION: [u8; 16] = guid("D2D0A440-E307-11D2-97F0-00A0C95EA850");
const HEADER_EXTENSION: [u8; 16] = guid("5FBF03B5-A92E-11CF-8EE3-00C00C205365");
const METADATA: [u8; 16] = guid("C5F8CBEA-5BAF-4877-8467-AA8C44FA4CCA");
const METADATA_LIBRARY: [u8; 16] = guid("44231C94-9498-49D1-A141-1D134E457054");

/// ID3-style picture type of a front cover.
const FRONT_COVER_TYPE: u8 = 3;
/// WAVEFORMATEX format tags whose bits-per-sample is a real bit depth (PCM, WMA Lossless).
const LOSSLESS_FORMAT_TAGS: [u16; 2] = [0x0001, 0x0163];

/// A GUID as ASF stores it: the first three fields little-endian, the last eight bytes as written.
const fn guid(text: &str) -> [u8; 16] {
    let text = text.as_bytes();
    let mut canonical = [0u8; 16];
    let mut nibbles = 0;
    let mut index = 0;
    while index < text.len() {
        let digit = match text[index] {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'A'..=b'F' => c - b'A' + 10,
            c @ b'a'..=b'f' => c - b'a' + 10,
            _ => 16,
        };
        if digit < 16 {
            canonical[nibbles / 2] = (canonical[nibbles / 2] << 4) | digit;
            nibbles += 1;
        }
        index += 1;
    }
    let mut stored = canonical;
    let order = [3, 2, 1, 0, 5, 4, 7, 6];
    let mut position = 0;
    while position < 8 {
        stored[position] = canonical[order[position]];
        position += 1;
    }
    stored
}

/// True when the file starts with the ASF header GUID. Peeks at the buffer without consuming it.
pub(crate) fn has_asf_header(reader: &mut BufReader<File>) -> io::Result<bool> {
    let buffered = reader.fill_buf()?;
    Ok(buffered.len() >= HEADER.len() && buffered[..HEADER.len()] == HEADER)
}

/// Reads an ASF file's tags and audio properties from its header object.
pub(crate) fn read(reader: &mut BufReader<File>, file_size: u64) -> Result<RawTrack, ReadError> {
    Ok(read_header(reader, file_size, false)?.into_raw_track())
}

/// The bytes of the file's WM/Picture: the front cover (type 3) if there is one, else the first.
pub(crate) fn read_cover(
    reader: &mut BufReader<File>,
    file_size: u64,
) -> Result<Option<Vec<u8>>, ReadError> {
    let mut pictures = read_header(reader, file_size, true)?.pictures;
    let front = pictures
        .iter()
        .position(|(kind, _)| *kind == FRONT_COVER_TYPE);
    Ok(match front {
        Some(index) => Some(pictures.swap_remove(index).1),
        None => pictures.into_iter().next().map(|(_, bytes)| bytes),
    })
}

fn read_header(
    reader: &mut BufReader<File>,
    file_size: u64,
    keep_pictures: bool,
) -> Result<AsfHeader, ReadError> {
    let mut prefix = [0u8; HEADER_PREFIX_BYTES];
    read_all(reader, &mut prefix)?;
    let header_size = u64::from_le_bytes(prefix[16..24].try_into().expect("8 bytes"));
    if header_size < HEADER_PREFIX_BYTES as u64 || header_size > MAX_HEADER_BYTES {
        return Err(ReadError::Malformed(format!(
            "ASF header claims {header_size} bytes"
        )));
    }
    if header_size > file_size {
        return Err(ReadError::Truncated(format!(
            "ASF header claims {header_size} bytes but the file has {file_size}"
        )));
    }
    let mut children = vec![0u8; (header_size as usize) - HEADER_PREFIX_BYTES];
    read_all(reader, &mut children)?;

    let mut header = AsfHeader {
        keep_pictures,
        ..AsfHeader::default()
    };
    header.read_objects(&children)?;
    Ok(header)
}

fn read_all(reader: &mut impl Read, buffer: &mut [u8]) -> Result<(), ReadError> {
    reader.read_exact(buffer).map_err(|error| {
        if error.kind() == io::ErrorKind::UnexpectedEof {
            ReadError::Truncated("the ASF header is cut short".to_owned())
        } else {
            ReadError::Io(error)
        }
    })
}

fn cut_short(object: &str) -> ReadError {
    ReadError::Malformed(format!("the ASF {object} object is cut short"))
}

/// Bounds-checked little-endian reads over a byte slice.
struct ByteCursor<'a> {
    bytes: &'a [u8],
}

impl<'a> ByteCursor<'a> {
    fn take(&mut self, count: usize) -> Option<&'a [u8]> {
        if count > self.bytes.len() {
            return None;
        }
        let (taken, rest) = self.bytes.split_at(count);
        self.bytes = rest;
        Some(taken)
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Option<u64> {
        self.take(8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }
}

#[derive(Debug)]
enum AttributeValue {
    Text(String),
    Number(u64),
    Other,
}

#[derive(Default)]
struct AsfHeader {
    title: Option<String>,
    author: Option<String>,
    copyright: Option<String>,
    description: Option<String>,
    attributes: Vec<(String, AttributeValue)>,
    duration: f64,
    max_bitrate: u32,
    audio: Option<AudioFormat>,
    /// Only artwork extraction wants picture bytes; tag reading just notes that one exists.
    keep_pictures: bool,
    /// (picture type, image bytes) of each WM/Picture, when `keep_pictures`.
    pictures: Vec<(u8, Vec<u8>)>,
}

struct AudioFormat {
    format_tag: u16,
    channels: u16,
    sample_rate: u32,
    average_bytes_per_second: u32,
    bits_per_sample: u16,
}

impl AsfHeader {
    /// Walks a sequence of `GUID, u64 size, payload` objects.
    fn read_objects(&mut self, bytes: &[u8]) -> Result<(), ReadError> {
        let mut cursor = ByteCursor { bytes };
        while cursor.bytes.len() >= 24 {
            let id: [u8; 16] = cursor.take(16).expect("checked").try_into().expect("16");
            let size = cursor.u64().expect("checked");
            let payload_len = size
                .checked_sub(24)
                .and_then(|len| usize::try_from(len).ok())
                .filter(|len| *len <= cursor.bytes.len())
                .ok_or_else(|| cut_short("header child"))?;
            let payload = cursor.take(payload_len).expect("checked");
            match id {
                FILE_PROPERTIES => self.read_file_properties(payload)?,
                STREAM_PROPERTIES => self.read_stream_properties(payload)?,
                CONTENT_DESCRIPTION => self.read_content_description(payload)?,
                EXTENDED_CONTENT_DESCRIPTION => self.read_extended_content(payload)?,
                HEADER_EXTENSION => self.read_header_extension(payload)?,
                METADATA => self.read_metadata(payload, "metadata")?,
                METADATA_LIBRARY => self.read_metadata(payload, "metadata library")?,
                _ => {}
            }
        }
        Ok(())
    }

    fn read_file_properties(&mut self, payload: &[u8]) -> Result<(), ReadError> {
        let mut cursor = ByteCursor { bytes: payload };
        let parsed = (|| {
            cursor.take(16)?; // file id
            cursor.u64()?; // file size
            cursor.u64()?; // creation date
            cursor.u64()?; // data packets
            let play_duration_100ns = cursor.u64()?;
            cursor.u64()?; // send duration
            let preroll_ms = cursor.u64()?;
            cursor.u32()?; // flags
            cursor.u32()?; // minimum packet size
            cursor.u32()?; // maximum packet size
            let max_bitrate = cursor.u32()?;
            Some((play_duration_100ns, preroll_ms, max_bitrate))
        })();
        let (play_duration_100ns, preroll_ms, max_bitrate) =
            parsed.ok_or_else(|| cut_short("file properties"))?;
        // The play duration includes the preroll, which is not heard.
        self.duration = (play_duration_100ns as f64 / 1e7 - preroll_ms as f64 / 1e3).max(0.0);
        self.max_bitrate = max_bitrate;
        Ok(())
    }

    fn read_stream_properties(&mut self, payload: &[u8]) -> Result<(), ReadError> {
        if self.audio.is_some() {
            return Ok(()); // the first audio stream describes the file
        }
        let mut cursor = ByteCursor { bytes: payload };
        let parsed = (|| {
            let stream_type = cursor.take(16)?;
            cursor.take(16)?; // error correction type
            cursor.u64()?; // time offset
            let type_specific_len = cursor.u32()? as usize;
            cursor.u32()?; // error correction data length
            cursor.u16()?; // flags
            cursor.u32()?; // reserved
            let format = cursor.take(type_specific_len)?;
            Some((stream_type == AUDIO_MEDIA, format))
        })();
        let (is_audio, format) = parsed.ok_or_else(|| cut_short("stream properties"))?;
        if !is_audio {
            return Ok(());
        }
        // WAVEFORMATEX
        let mut format = ByteCursor { bytes: format };
        let audio = (|| {
            Some(AudioFormat {
                format_tag: format.u16()?,
                channels: format.u16()?,
                sample_rate: format.u32()?,
                average_bytes_per_second: format.u32()?,
                bits_per_sample: {
                    format.u16()?; // block align
                    format.u16()?
                },
            })
        })();
        self.audio = Some(audio.ok_or_else(|| cut_short("audio stream format"))?);
        Ok(())
    }

    fn read_content_description(&mut self, payload: &[u8]) -> Result<(), ReadError> {
        let mut cursor = ByteCursor { bytes: payload };
        let parsed = (|| {
            let lengths = [
                cursor.u16()?,
                cursor.u16()?,
                cursor.u16()?,
                cursor.u16()?,
                cursor.u16()?,
            ];
            let mut texts = lengths.map(|_| None);
            for (text, length) in texts.iter_mut().zip(lengths) {
                *text = non_empty(utf16_text(cursor.take(usize::from(length))?));
            }
            Some(texts)
        })();
        let [title, author, copyright, description, _rating] =
            parsed.ok_or_else(|| cut_short("content description"))?;
        self.title = title;
        self.author = author;
        self.copyright = copyright;
        self.description = description;
        Ok(())
    }

    fn read_extended_content(&mut self, payload: &[u8]) -> Result<(), ReadError> {
        let mut cursor = ByteCursor { bytes: payload };
        let parsed = (|| {
            let count = cursor.u16()?;
            for _ in 0..count {
                let name_len = usize::from(cursor.u16()?);
                let name = utf16_text(cursor.take(name_len)?);
                let value_type = cursor.u16()?;
                let value_len = usize::from(cursor.u16()?);
                self.add_attribute(name, value_type, cursor.take(value_len)?);
            }
            Some(())
        })();
        parsed.ok_or_else(|| cut_short("extended content description"))
    }

    fn read_header_extension(&mut self, payload: &[u8]) -> Result<(), ReadError> {
        let mut cursor = ByteCursor { bytes: payload };
        cursor
            .take(16)
            .ok_or_else(|| cut_short("header extension"))?;
        cursor.u16().ok_or_else(|| cut_short("header extension"))?;
        let data_len = cursor.u32().ok_or_else(|| cut_short("header extension"))? as usize;
        let data = cursor
            .take(data_len)
            .ok_or_else(|| cut_short("header extension"))?;
        self.read_objects(data)
    }

    /// Metadata and metadata-library objects: same record layout, larger values than the
    /// extended content description allows (big pictures, multi-valued genres).
    fn read_metadata(&mut self, payload: &[u8], object: &str) -> Result<(), ReadError> {
        let mut cursor = ByteCursor { bytes: payload };
        let parsed = (|| {
            let count = cursor.u16()?;
            for _ in 0..count {
                cursor.u16()?; // language index (library) or reserved
                cursor.u16()?; // stream number
                let name_len = usize::from(cursor.u16()?);
                let value_type = cursor.u16()?;
                let value_len = cursor.u32()? as usize;
                let name = utf16_text(cursor.take(name_len)?);
                self.add_attribute(name, value_type, cursor.take(value_len)?);
            }
            Some(())
        })();
        parsed.ok_or_else(|| cut_short(object))
    }

    fn add_attribute(&mut self, name: String, value_type: u16, bytes: &[u8]) {
        if self.keep_pictures && value_type == 1 && name.eq_ignore_ascii_case("WM/Picture") {
            if let Some(picture) = parse_wm_picture(bytes) {
                self.pictures.push(picture);
            }
        }
        self.attributes
            .push((name, attribute_value(value_type, bytes)));
    }

    fn texts<'a>(&'a self, name: &'a str) -> impl Iterator<Item = String> + 'a {
        self.attributes
            .iter()
            .filter(move |(key, _)| key.eq_ignore_ascii_case(name))
            .filter_map(|(_, value)| match value {
                AttributeValue::Text(text) if !text.trim().is_empty() => Some(text.clone()),
                AttributeValue::Number(number) => Some(number.to_string()),
                _ => None,
            })
    }

    fn joined(&self, name: &str) -> Option<String> {
        non_empty(self.texts(name).collect::<Vec<_>>().join("; "))
    }

    fn first(&self, name: &str) -> Option<String> {
        self.texts(name).next()
    }

    fn has(&self, name: &str) -> bool {
        self.attributes
            .iter()
            .any(|(key, _)| key.eq_ignore_ascii_case(name))
    }

    fn number_pair(&self, name: &str) -> (Option<u32>, Option<u32>) {
        let Some(text) = self.first(name) else {
            return (None, None);
        };
        let mut parts = text.splitn(2, '/');
        (
            parts.next().and_then(leading_number),
            parts.next().and_then(leading_number),
        )
    }

    fn into_raw_track(self) -> RawTrack {
        let (track, track_total) = match self.number_pair("WM/TrackNumber") {
            (None, _) => {
                // WM/Track is the older, zero-based track number.
                let zero_based = self.first("WM/Track").as_deref().and_then(leading_number);
                (zero_based.map(|n| n + 1), None)
            }
            pair => pair,
        };
        let (disc, disc_total) = self.number_pair("WM/PartOfSet");
        let audio = self.audio.as_ref();
        let audio_kbps = audio.map_or(0, |a| a.average_bytes_per_second.saturating_mul(8) / 1000);
        RawTrack {
            title: self.title.clone().or_else(|| self.first("Title")),
            album: self.first("WM/AlbumTitle"),
            artists: self.author.clone().or_else(|| self.joined("Author")),
            albumartists: self.joined("WM/AlbumArtist"),
            genres: self.joined("WM/Genre"),
            // "date" and "Description" attributes are what ffmpeg writes for these fields.
            date: self
                .first("WM/Year")
                .or_else(|| self.first("WM/OriginalReleaseYear"))
                .or_else(|| self.first("date")),
            track,
            track_total: track_total.or_else(|| {
                self.first("TotalTracks")
                    .as_deref()
                    .and_then(leading_number)
            }),
            disc,
            disc_total,
            copyright: self.copyright.clone(),
            composer: self.joined("WM/Composer"),
            comment: self
                .description
                .clone()
                .or_else(|| self.first("Description")),
            explicit: self.first("WM/ParentalRating"),
            duration: self.duration,
            bitrate: if audio_kbps > 0 {
                audio_kbps
            } else {
                self.max_bitrate / 1000
            },
            samplerate: audio.map_or(0, |a| a.sample_rate),
            bitdepth: audio
                .filter(|a| LOSSLESS_FORMAT_TAGS.contains(&a.format_tag))
                .and_then(|a| u8::try_from(a.bits_per_sample).ok()),
            channels: audio.map_or(0, |a| u8::try_from(a.channels).unwrap_or(u8::MAX)),
            has_picture: self.has("WM/Picture"),
            has_lyrics: self.has("WM/Lyrics") || self.has("WM/Lyrics_Synchronised"),
            ..RawTrack::default()
        }
    }
}

/// WM/Picture: u8 picture type, u32 data length, UTF-16 NUL-terminated MIME type and
/// description, then the image bytes.
fn parse_wm_picture(bytes: &[u8]) -> Option<(u8, Vec<u8>)> {
    let mut cursor = ByteCursor { bytes };
    let kind = cursor.take(1)?[0];
    let data_len = cursor.u32()? as usize;
    for _ in 0..2 {
        // Skip a UTF-16 string up to and including its NUL unit.
        loop {
            if cursor.u16()? == 0 {
                break;
            }
        }
    }
    cursor.take(data_len).map(|data| (kind, data.to_vec()))
}

fn attribute_value(value_type: u16, bytes: &[u8]) -> AttributeValue {
    match value_type {
        0 => AttributeValue::Text(utf16_text(bytes)),
        // BOOL, DWORD, QWORD, WORD: little-endian integers of their stored width.
        2..=5 if bytes.len() <= 8 => {
            let mut wide = [0u8; 8];
            wide[..bytes.len()].copy_from_slice(bytes);
            AttributeValue::Number(u64::from_le_bytes(wide))
        }
        _ => AttributeValue::Other,
    }
}

/// UTF-16LE text with its terminating NULs removed; unpaired surrogates become U+FFFD.
fn utf16_text(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    let mut text = String::from_utf16_lossy(&units);
    let kept = text.trim_end_matches('\0').len();
    text.truncate(kept);
    text
}

fn non_empty(text: String) -> Option<String> {
    (!text.trim().is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stored_with_mixed_endianness() {
        assert_eq!(
            HEADER,
            [
                0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62,
                0xCE, 0x6C
            ]
        );
    }

    #[test]
    fn utf16_text_drops_terminators() {
        let bytes: Vec<u8> = "Hi\0".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(utf16_text(&bytes), "Hi");
    }
}
