//! M3U/M3U8 playlists (beyond Swing): export as extended M3U with `#EXTINF:<seconds>,<artists> -
//! <title>` and absolute paths; import by resolving each entry to an indexed track by absolute
//! path, then by a path relative to a root folder (or the entry's folder-less tail), then by the
//! "artist - title" of its `#EXTINF` line.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;
use swingfly_library::{IndexedTrack, Library};
use swingfly_model::paths::lexical_normal;
use swingfly_model::text::fold;
use swingfly_model::Hash;

/// An extended M3U of `tracks` (UTF-8, so fit for `.m3u8`).
pub fn export<'a>(name: &str, tracks: impl IntoIterator<Item = &'a IndexedTrack>) -> String {
    let mut text = String::from("#EXTM3U\n");
    text.push_str(&format!("#PLAYLIST:{}\n", one_line(name)));
    for track in tracks {
        let artists: Vec<&str> = track.artists.iter().map(|artist| &*artist.name).collect();
        text.push_str(&format!(
            "#EXTINF:{},{} - {}\n{}\n",
            track.duration,
            one_line(&artists.join(", ")),
            one_line(&track.title),
            track.filepath
        ));
    }
    text
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// One entry of a parsed M3U: the path or URL line and the `#EXTINF` display text before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// 1-based line number of the path line.
    pub line: usize,
    pub location: String,
    /// The text after the comma of `#EXTINF:<seconds>,<text>`.
    pub display: Option<String>,
}

/// What an M3U file holds: its `#PLAYLIST:` name and its entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub name: Option<String>,
    pub entries: Vec<Entry>,
}

/// Parses M3U or extended M3U text (a UTF-8 BOM and CRLF line ends are fine).
pub fn parse(text: &str) -> Parsed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parsed = Parsed::default();
    let mut display = None;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(info) = line.strip_prefix("#EXTINF:") {
            display = info
                .split_once(',')
                .map(|(_, text)| text.trim().to_string())
                .filter(|text| !text.is_empty());
        } else if let Some(name) = line.strip_prefix("#PLAYLIST:") {
            let name = name.trim();
            if !name.is_empty() {
                parsed.name = Some(name.to_string());
            }
        } else if !line.starts_with('#') {
            parsed.entries.push(Entry {
                line: index + 1,
                location: line.to_string(),
                display: display.take(),
            });
        }
    }
    parsed
}

/// An entry no indexed track matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unresolved {
    pub line: usize,
    pub entry: String,
    pub reason: String,
}

/// Resolves entries to trackhashes (in order; repeats kept out) and lists what did not resolve.
pub fn resolve(
    library: &Library,
    roots: &[String],
    parsed: &Parsed,
) -> (Vec<Hash>, Vec<Unresolved>) {
    let by_path: HashMap<&str, Hash> = library
        .files()
        .iter()
        .map(|track| (&*track.filepath, track.trackhash))
        .collect();
    let mut by_name: Option<HashMap<(String, String), Hash>> = None;
    let mut found = Vec::new();
    let mut unresolved = Vec::new();
    for entry in &parsed.entries {
        let hash = by_location(&by_path, roots, &entry.location).or_else(|| {
            let display = entry.display.as_deref()?;
            let index = by_name.get_or_insert_with(|| name_index(library));
            by_display(index, display)
        });
        match hash {
            Some(hash) => found.push(hash),
            None => unresolved.push(Unresolved {
                line: entry.line,
                entry: entry.location.clone(),
                reason: if entry.display.is_some() {
                    "no indexed track has this path or this artist and title".into()
                } else {
                    "no indexed track has this path".into()
                },
            }),
        }
    }
    (super::items::dedup(found), unresolved)
}

fn by_location(by_path: &HashMap<&str, Hash>, roots: &[String], location: &str) -> Option<Hash> {
    let location = location
        .strip_prefix("file://")
        .map(percent_decode)
        .unwrap_or_else(|| location.replace('\\', "/"));
    let path = Path::new(&location);
    if path.is_absolute() {
        let normal = lexical_normal(path);
        if let Some(hash) = normal.to_str().and_then(|p| by_path.get(p)) {
            return Some(*hash);
        }
    }
    let relative = location.trim_start_matches('/');
    for root in roots {
        let joined = lexical_normal(&Path::new(root).join(relative));
        if let Some(hash) = joined.to_str().and_then(|p| by_path.get(p)) {
            return Some(*hash);
        }
    }
    // A path from another machine or a relative "../Music/...": the longest tail of at least
    // two components (folder and file) that names exactly one indexed file.
    let parts: Vec<&str> = location
        .split('/')
        .filter(|part| !part.is_empty() && *part != "." && *part != "..")
        .collect();
    for start in 0..parts.len().saturating_sub(1) {
        let tail = format!("/{}", parts[start..].join("/"));
        let mut matches = by_path.iter().filter(|(path, _)| path.ends_with(&tail));
        if let (Some((_, hash)), None) = (matches.next(), matches.next()) {
            return Some(*hash);
        }
    }
    None
}

/// `(folded artist, folded title) -> trackhash`, for each credited artist and for the joined
/// artist list.
fn name_index(library: &Library) -> HashMap<(String, String), Hash> {
    let mut index = HashMap::new();
    for track in library.distinct_tracks() {
        let title = fold(&track.title);
        let joined: Vec<&str> = track.artists.iter().map(|artist| &*artist.name).collect();
        index
            .entry((fold(&joined.join(", ")), title.clone()))
            .or_insert(track.trackhash);
        for artist in track.artists.iter() {
            index
                .entry((fold(&artist.name), title.clone()))
                .or_insert(track.trackhash);
        }
    }
    index
}

fn by_display(index: &HashMap<(String, String), Hash>, display: &str) -> Option<Hash> {
    // Artist names may contain " - " themselves, so try every split point.
    let mut rest = display;
    let mut offset = 0;
    while let Some(position) = rest.find(" - ") {
        let split = offset + position;
        let (artist, title) = (&display[..split], &display[split + 3..]);
        if let Some(hash) = index.get(&(fold(artist.trim()), fold(title.trim()))) {
            return Some(*hash);
        }
        offset = split + 3;
        rest = &display[offset..];
    }
    None
}

/// Decodes `%XX` escapes of a `file://` URL path.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_extended_m3u() {
        let parsed = parse(
            "\u{feff}#EXTM3U\r\n#PLAYLIST:Road trip\r\n#EXTINF:123,Aurora Lane - City Lights\r\n\
             /music/a.flac\r\n\r\n# a comment\r\nrelative/b.mp3\r\n",
        );
        assert_eq!(parsed.name.as_deref(), Some("Road trip"));
        assert_eq!(
            parsed.entries,
            vec![
                Entry {
                    line: 4,
                    location: "/music/a.flac".into(),
                    display: Some("Aurora Lane - City Lights".into())
                },
                Entry {
                    line: 7,
                    location: "relative/b.mp3".into(),
                    display: None
                },
            ]
        );
    }

    #[test]
    fn decodes_file_urls() {
        assert_eq!(percent_decode("/a%20b/%C3%A9t%C3%A9.mp3"), "/a b/été.mp3");
        assert_eq!(percent_decode("/100%"), "/100%");
        assert_eq!(percent_decode("/x%2"), "/x%2");
    }
}
