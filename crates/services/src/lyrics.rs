//! Finding a track's lyrics (reference §5.11). The track is resolved through the index by its
//! trackhash; the request's file path only picks which of the trackhash's files comes first, so no
//! path outside the index is ever read. Lookup order:
//! 1. a sidecar beside that file with the same stem: `.lrc`, else `.rlrc` (extension in any case);
//! 2. embedded lyrics (ID3 USLT, Vorbis/FLAC `LYRICS`, MP4 `©lyr`, APE `Lyrics`) of that file, then
//!    of every other file with the same trackhash;
//! 3. the sidecars of those other files.
//!
//! Everything found goes through [`swingfly_model::lrc::parse`], so embedded LRC text comes out
//! synced. There is no online lookup (Swing's `/plugins/lyrics/search` uses an unofficial
//! Musixmatch token scheme, which this server does not do).

use std::fs::File;
use std::io::{BufReader, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lofty::config::{ParseOptions, ParsingMode};
use lofty::file::TaggedFileExt;
use lofty::probe::Probe;
use lofty::tag::{ItemKey, Tag};
use swingfly_library::{IndexedTrack, Library};
use swingfly_model::lrc::{self, LyricsLines};
use swingfly_model::Hash;

/// Sidecar extensions, in the order they are tried.
const SIDECAR_EXTENSIONS: &[&str] = &["lrc", "rlrc"];

/// A sidecar larger than this is not lyrics; it is skipped rather than read into memory.
const MAX_SIDECAR_BYTES: u64 = 4 * 1024 * 1024;

/// Lyrics found for a track.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundLyrics {
    pub lines: LyricsLines,
    /// The track's copyright tag, "" when it has none.
    pub copyright: String,
    pub source: LyricsSource,
}

/// Where the lyrics came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LyricsSource {
    Sidecar(PathBuf),
    Embedded(PathBuf),
    DuplicateSidecar(PathBuf),
}

/// Finds the lyrics of `trackhash`; `filepath_hint` (the client's idea of the file) chooses which
/// of the trackhash's indexed files is tried first. `None` when the trackhash is not indexed or no
/// source has any. File reads run on the blocking pool.
pub async fn find_lyrics(
    library: Arc<Library>,
    trackhash: Hash,
    filepath_hint: String,
) -> anyhow::Result<Option<FoundLyrics>> {
    Ok(tokio::task::spawn_blocking(move || {
        find_lyrics_blocking(&library, trackhash, &filepath_hint)
    })
    .await?)
}

/// [`find_lyrics`] without the thread hop.
pub fn find_lyrics_blocking(
    library: &Library,
    trackhash: Hash,
    filepath_hint: &str,
) -> Option<FoundLyrics> {
    let files = ordered_files(library, trackhash, filepath_hint);
    let chosen = files.first()?;
    let copyright = chosen
        .copyright()
        .map(|text| text.to_string())
        .unwrap_or_default();
    let found = |lines, source| {
        Some(FoundLyrics {
            lines,
            copyright: copyright.clone(),
            source,
        })
    };

    if let Some((lines, path)) = sidecar_lyrics(Path::new(&*chosen.filepath)) {
        return found(lines, LyricsSource::Sidecar(path));
    }
    for file in files.iter().filter(|file| file.has_lyrics) {
        let path = Path::new(&*file.filepath);
        if let Some(lines) = embedded_lyrics(path) {
            return found(lines, LyricsSource::Embedded(path.to_path_buf()));
        }
    }
    for file in &files[1..] {
        if let Some((lines, path)) = sidecar_lyrics(Path::new(&*file.filepath)) {
            return found(lines, LyricsSource::DuplicateSidecar(path));
        }
    }
    None
}

/// The trackhash's indexed files: the one at `filepath_hint` first when it is one of them, else
/// the best (highest bitrate) first.
fn ordered_files<'a>(
    library: &'a Library,
    trackhash: Hash,
    filepath_hint: &str,
) -> Vec<&'a IndexedTrack> {
    let mut files: Vec<&IndexedTrack> = library.track_files(trackhash).collect();
    if let Some(at) = files
        .iter()
        .position(|file| &*file.filepath == filepath_hint)
    {
        let hinted = files.remove(at);
        files.insert(0, hinted);
    }
    files
}

/// The first non-empty sidecar of `audio`, parsed.
fn sidecar_lyrics(audio: &Path) -> Option<(LyricsLines, PathBuf)> {
    SIDECAR_EXTENSIONS.iter().find_map(|extension| {
        let path = find_sidecar(audio, extension)?;
        let text = read_text_file(&path)?;
        let parsed = lrc::parse(&text);
        (!parsed.is_empty()).then_some((parsed.lines, path))
    })
}

/// `<stem>.<extension>` beside `audio`; the extension matches in any case (`Song.LRC`), the stem
/// exactly.
fn find_sidecar(audio: &Path, extension: &str) -> Option<PathBuf> {
    let exact = audio.with_extension(extension);
    if exact.is_file() {
        return Some(exact);
    }
    let stem = audio.file_stem()?;
    let folder = audio.parent()?;
    std::fs::read_dir(folder)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|candidate| {
            candidate.file_stem() == Some(stem)
                && candidate
                    .extension()
                    .is_some_and(|ext| ext.eq_ignore_ascii_case(extension))
                && candidate.is_file()
        })
}

/// A small text file as a string: UTF-8 (BOM or not), UTF-16 with a BOM, else Latin-1-ish lossy
/// UTF-8. `None` when it cannot be read or is too big.
fn read_text_file(path: &Path) -> Option<String> {
    let file = File::open(path).ok()?;
    if file.metadata().ok()?.len() > MAX_SIDECAR_BYTES {
        tracing::warn!(path = %path.display(), "lyrics sidecar too large; skipped");
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX_SIDECAR_BYTES).read_to_end(&mut bytes).ok()?;
    Some(decode_text(&bytes))
}

fn decode_text(bytes: &[u8]) -> String {
    let utf16 = |bytes: &[u8], from: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|pair| from([pair[0], pair[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The embedded lyrics of one audio file, parsed; `None` when it has none or cannot be read.
/// A panic inside the tag reader is contained, as in the scanner.
fn embedded_lyrics(path: &Path) -> Option<LyricsLines> {
    let text = match catch_unwind(AssertUnwindSafe(|| read_embedded_text(path))) {
        Ok(text) => text?,
        Err(_) => {
            tracing::warn!(path = %path.display(), "the tag reader crashed reading lyrics");
            return None;
        }
    };
    let parsed = lrc::parse(&text);
    (!parsed.is_empty()).then_some(parsed.lines)
}

fn read_embedded_text(path: &Path) -> Option<String> {
    let file = File::open(path).ok()?;
    let options = ParseOptions::new()
        .read_properties(false)
        .read_cover_art(false)
        .parsing_mode(ParsingMode::BestAttempt);
    let tagged = Probe::new(BufReader::new(file))
        .options(options)
        .guess_file_type()
        .ok()?
        .read()
        .map_err(|error| {
            tracing::debug!(path = %path.display(), %error, "cannot read tags for lyrics");
        })
        .ok()?;
    // The primary tag first (ID3v2 for MP3, Vorbis comments for FLAC), then the others.
    let primary = tagged.primary_tag();
    primary
        .into_iter()
        .chain(tagged.tags())
        .find_map(lyrics_text)
}

fn lyrics_text(tag: &Tag) -> Option<String> {
    let is_lyrics = |key: &ItemKey| match key {
        ItemKey::Lyrics => true,
        ItemKey::Unknown(name) => {
            name.eq_ignore_ascii_case("UNSYNCEDLYRICS")
                || name.eq_ignore_ascii_case("UNSYNCED LYRICS")
        }
        _ => false,
    };
    tag.items()
        .filter(|item| is_lyrics(item.key()))
        .filter_map(|item| item.value().text())
        .find(|text| !text.trim().is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_and_utf16_with_boms() {
        assert_eq!(decode_text(b"[00:01.00]hi"), "[00:01.00]hi");
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("héllo".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_text(&le), "héllo");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("héllo".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode_text(&be), "héllo");
        assert_eq!(decode_text(&[0xE9, b'a']), "\u{FFFD}a");
    }

    #[test]
    fn sidecar_extension_matches_in_any_case() {
        let dir = tempfile::tempdir().unwrap();
        let audio = dir.path().join("Song.flac");
        std::fs::write(&audio, b"not audio").unwrap();
        assert_eq!(find_sidecar(&audio, "lrc"), None);
        std::fs::write(dir.path().join("Song.LRC"), "[00:01.00]x").unwrap();
        std::fs::write(dir.path().join("song.lrc"), "other stem").unwrap();
        assert_eq!(
            find_sidecar(&audio, "lrc"),
            Some(dir.path().join("Song.LRC"))
        );
        let (lines, _) = sidecar_lyrics(&audio).unwrap();
        assert!(matches!(lines, LyricsLines::Synced(ref l) if l.len() == 1));
    }

    #[test]
    fn empty_sidecar_falls_through_to_rlrc() {
        let dir = tempfile::tempdir().unwrap();
        let audio = dir.path().join("a.mp3");
        std::fs::write(dir.path().join("a.lrc"), "\n[ti:nothing]\n").unwrap();
        std::fs::write(dir.path().join("a.rlrc"), "plain words").unwrap();
        let (lines, path) = sidecar_lyrics(&audio).unwrap();
        assert_eq!(lines, LyricsLines::Plain(vec!["plain words".into()]));
        assert_eq!(path, dir.path().join("a.rlrc"));
    }

    #[test]
    fn unreadable_audio_has_no_embedded_lyrics() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.mp3");
        std::fs::write(&junk, vec![0u8; 1000]).unwrap();
        assert_eq!(embedded_lyrics(&junk), None);
        assert_eq!(embedded_lyrics(&dir.path().join("missing.flac")), None);
    }
}
