//! Reading one audio file into a [`RawTrack`]: open, stat, parse tags and audio properties with
//! lofty (no audio decoding), map the tags. WMA (ASF), which lofty does not read, goes to [`crate::asf`].

use std::fs::{File, Metadata};
use std::io::{self, BufReader};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::UNIX_EPOCH;

use lofty::config::{apply_global_options, GlobalOptions, ParseOptions, ParsingMode};
use lofty::error::{ErrorKind, LoftyError};
use lofty::file::{AudioFile, FileType, TaggedFile, TaggedFileExt};
use lofty::probe::Probe;
use lofty::tag::{ItemKey, Tag};
use swingfly_model::RawTrack;

use crate::asf;

/// Upper bound for any single tag item lofty may allocate. A hostile header can claim a 4 GiB
/// frame; lofty checks the claim against this limit before allocating.
const MAX_TAG_ITEM_BYTES: usize = 64 * 1024 * 1024;
/// Floor of the per-file limit, so small files with a normal cover still read.
const MIN_TAG_ITEM_BYTES: usize = 1024 * 1024;

/// Why a file could not be read. The message is meant for a person reading a scan report.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read the file: {0}")]
    Io(#[from] io::Error),
    #[error("not a regular file")]
    NotAFile,
    #[error("the path is not valid UTF-8")]
    NonUtf8Path,
    #[error("the file is empty (0 bytes)")]
    Empty,
    #[error("not a recognised audio format (unknown or damaged header)")]
    UnknownFormat,
    #[error("the file ends early (truncated): {0}")]
    Truncated(String),
    #[error("a tag item claims more than {limit} bytes; refusing to allocate it")]
    TooLarge { limit: usize },
    #[error("malformed audio file: {0}")]
    Malformed(String),
    #[error("no audio stream found (zero duration and sample rate)")]
    NoAudio,
    #[error("the tag reader crashed on this file: {0}")]
    Panicked(String),
}

/// Reads one audio file's tags and properties. Never panics: a panic inside the tag parser is
/// caught and reported as [`ReadError::Panicked`].
pub fn read_track(path: &Path) -> Result<RawTrack, ReadError> {
    match catch_unwind(AssertUnwindSafe(|| read_track_unguarded(path))) {
        Ok(result) => result,
        Err(payload) => Err(ReadError::Panicked(panic_message(payload.as_ref()))),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_owned()
    }
}

fn read_track_unguarded(path: &Path) -> Result<RawTrack, ReadError> {
    let filepath = path.to_str().ok_or(ReadError::NonUtf8Path)?;
    let file = File::open(path)?;
    // fstat on the open handle: size and mtime describe exactly the bytes we are about to read.
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(ReadError::NotAFile);
    }
    if metadata.len() == 0 {
        return Err(ReadError::Empty);
    }
    let mut reader = BufReader::new(file);

    let mut track = if asf::has_asf_header(&mut reader)? {
        asf::read(&mut reader, metadata.len())?
    } else {
        let tagged = read_tagged_file(reader, path, metadata.len())?;
        raw_track_from_tagged(&tagged)
    };
    if track.duration == 0.0 && track.samplerate == 0 {
        return Err(ReadError::NoAudio);
    }

    track.filepath = filepath.to_owned();
    track.folder = folder_of(path);
    track.size = metadata.len();
    track.mtime = mtime_seconds(&metadata);
    Ok(track)
}

fn read_tagged_file(
    reader: BufReader<File>,
    path: &Path,
    file_size: u64,
) -> Result<TaggedFile, ReadError> {
    // Lofty's options are per thread; rayon workers each need them. Custom resolvers stay off:
    // looking them up takes a process-wide lock on every file.
    let item_limit = usize::try_from(file_size.saturating_mul(2))
        .unwrap_or(MAX_TAG_ITEM_BYTES)
        .clamp(MIN_TAG_ITEM_BYTES, MAX_TAG_ITEM_BYTES);
    apply_global_options(
        GlobalOptions::new()
            .use_custom_resolvers(false)
            .allocation_limit(item_limit),
    );
    let options = ParseOptions::new()
        .read_properties(true)
        .read_tags(true)
        // Pictures must be parsed to know whether one exists; their bytes are dropped at once.
        .read_cover_art(true)
        .parsing_mode(ParsingMode::BestAttempt);

    let probe = Probe::new(reader).options(options).guess_file_type()?;
    // Content sniffing can miss (e.g. MP3 without ID3 and with leading junk); the extension decides then.
    let probe = match probe.file_type() {
        Some(_) => probe,
        None => match FileType::from_path(path) {
            Some(from_extension) => probe.set_file_type(from_extension),
            None => return Err(ReadError::UnknownFormat),
        },
    };
    probe.read().map_err(|error| lofty_error(error, item_limit))
}

fn lofty_error(error: LoftyError, item_limit: usize) -> ReadError {
    match error.kind() {
        ErrorKind::UnknownFormat => ReadError::UnknownFormat,
        ErrorKind::TooMuchData | ErrorKind::Alloc(_) => ReadError::TooLarge { limit: item_limit },
        ErrorKind::Io(io_error) if io_error.kind() == io::ErrorKind::UnexpectedEof => {
            ReadError::Truncated(error.to_string())
        }
        _ => ReadError::Malformed(error.to_string()),
    }
}

/// Parent directory as a string, without a trailing slash (the filesystem root stays "/").
pub(crate) fn folder_of(path: &Path) -> String {
    let parent = path.parent().map(Path::to_string_lossy).unwrap_or_default();
    let trimmed = parent.trim_end_matches('/');
    if trimmed.is_empty() && parent.starts_with('/') {
        "/".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Modification time in whole unix seconds, rounded down (also for times before 1970).
pub(crate) fn mtime_seconds(metadata: &Metadata) -> i64 {
    let Ok(modified) = metadata.modified() else {
        return 0;
    };
    match modified.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let before = before.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            if before.subsec_nanos() > 0 {
                -whole - 1
            } else {
                -whole
            }
        }
    }
}

fn raw_track_from_tagged(tagged: &TaggedFile) -> RawTrack {
    // The primary tag (ID3v2 for MP3, Vorbis comments for FLAC, ...) wins; the others fill gaps.
    let mut tags: Vec<&Tag> = Vec::with_capacity(tagged.tags().len());
    if let Some(primary) = tagged.primary_tag() {
        tags.push(primary);
    }
    for tag in tagged.tags() {
        if !tags.iter().any(|seen| std::ptr::eq(*seen, tag)) {
            tags.push(tag);
        }
    }
    let tags = TagView { tags };

    let (track, track_total_in_number) = tags.number_pair(&ItemKey::TrackNumber);
    let (disc, disc_total_in_number) = tags.number_pair(&ItemKey::DiscNumber);
    let properties = tagged.properties();
    RawTrack {
        title: tags.joined(&ItemKey::TrackTitle),
        album: tags.joined(&ItemKey::AlbumTitle),
        artists: tags
            .joined(&ItemKey::TrackArtist)
            .or_else(|| tags.joined(&ItemKey::TrackArtists)),
        albumartists: tags.joined(&ItemKey::AlbumArtist),
        genres: tags.joined(&ItemKey::Genre),
        date: tags
            .first(&ItemKey::RecordingDate)
            .or_else(|| tags.first(&ItemKey::Year))
            .or_else(|| tags.first(&ItemKey::ReleaseDate))
            .or_else(|| tags.first(&ItemKey::OriginalReleaseDate)),
        track,
        track_total: tags.number(&ItemKey::TrackTotal).or(track_total_in_number),
        disc,
        disc_total: tags.number(&ItemKey::DiscTotal).or(disc_total_in_number),
        copyright: tags.first(&ItemKey::CopyrightMessage),
        composer: tags.joined(&ItemKey::Composer),
        comment: tags.comment(),
        explicit: tags
            .first(&ItemKey::ParentalAdvisory)
            .or_else(|| tags.first_unknown(&["ITUNESADVISORY", "EXPLICIT"])),
        duration: properties.duration().as_secs_f64(),
        bitrate: properties
            .audio_bitrate()
            .filter(|kbps| *kbps > 0)
            .or(properties.overall_bitrate())
            .unwrap_or(0),
        samplerate: properties.sample_rate().unwrap_or(0),
        bitdepth: properties.bit_depth(),
        channels: properties.channels().unwrap_or(0),
        has_picture: tags.tags.iter().any(|tag| !tag.pictures().is_empty()),
        has_lyrics: tags.has_text(&ItemKey::Lyrics)
            || tags
                .first_unknown(&["UNSYNCEDLYRICS", "UNSYNCED LYRICS"])
                .is_some(),
        ..RawTrack::default()
    }
}

/// The tags of one file, searched in priority order.
struct TagView<'a> {
    tags: Vec<&'a Tag>,
}

fn has_content(value: &str) -> bool {
    !value.trim().is_empty()
}

impl TagView<'_> {
    /// All non-empty values of the first tag that has any, joined with "; ".
    fn joined(&self, key: &ItemKey) -> Option<String> {
        self.tags.iter().find_map(|tag| {
            let mut values = tag.get_strings(key).filter(|value| has_content(value));
            let first = values.next()?;
            let mut joined = first.to_owned();
            for value in values {
                joined.push_str("; ");
                joined.push_str(value);
            }
            Some(joined)
        })
    }

    fn first(&self, key: &ItemKey) -> Option<String> {
        self.tags.iter().find_map(|tag| {
            tag.get_strings(key)
                .find(|value| has_content(value))
                .map(str::to_owned)
        })
    }

    fn has_text(&self, key: &ItemKey) -> bool {
        self.tags
            .iter()
            .any(|tag| tag.get_strings(key).any(has_content))
    }

    /// A field lofty has no key for (e.g. Vorbis `ITUNESADVISORY`), by name, case-insensitively.
    fn first_unknown(&self, names: &[&str]) -> Option<String> {
        self.tags.iter().find_map(|tag| {
            tag.items().find_map(|item| match item.key() {
                ItemKey::Unknown(name)
                    if names.iter().any(|wanted| name.eq_ignore_ascii_case(wanted)) =>
                {
                    item.value()
                        .text()
                        .filter(|value| has_content(value))
                        .map(str::to_owned)
                }
                _ => None,
            })
        })
    }

    /// The first comment that a person wrote: iTunes hides normalisation data (`iTunNORM`,
    /// `iTunSMPB`, ...) in described comment frames.
    fn comment(&self) -> Option<String> {
        self.tags.iter().find_map(|tag| {
            tag.get_items(&ItemKey::Comment).find_map(|item| {
                let description = item.description();
                let is_itunes_data = description.len() >= 4
                    && description.as_bytes()[..4].eq_ignore_ascii_case(b"itun");
                if is_itunes_data {
                    return None;
                }
                item.value()
                    .text()
                    .filter(|value| has_content(value))
                    .map(str::to_owned)
            })
        })
    }

    fn number(&self, key: &ItemKey) -> Option<u32> {
        self.tags
            .iter()
            .find_map(|tag| tag.get_strings(key).find_map(leading_number))
    }

    /// "3", "03" or "3/12": the number and, when written as a pair, the total.
    fn number_pair(&self, key: &ItemKey) -> (Option<u32>, Option<u32>) {
        let Some(text) = self.first(key) else {
            return (None, None);
        };
        let mut parts = text.splitn(2, '/');
        let number = parts.next().and_then(leading_number);
        let total = parts.next().and_then(leading_number);
        (number, total)
    }
}

/// The decimal number at the start of a value ("07", " 3 of 12" give 7 and 3); None if none.
pub(crate) fn leading_number(value: &str) -> Option<u32> {
    let trimmed = value.trim_start();
    let digits_end = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    trimmed[..digits_end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_numbers_are_lenient() {
        assert_eq!(leading_number("07"), Some(7));
        assert_eq!(leading_number(" 3 of 12"), Some(3));
        assert_eq!(leading_number("x3"), None);
        assert_eq!(leading_number(""), None);
    }

    #[test]
    fn folders_have_no_trailing_slash() {
        assert_eq!(folder_of(Path::new("/music/a/b.flac")), "/music/a");
        assert_eq!(folder_of(Path::new("/b.flac")), "/");
    }
}
