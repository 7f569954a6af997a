//! Track rules (reference §5.2, §5.3): filename fallbacks, artist splitting, featured artists,
//! title cleaning, genres, lenient dates and hashes, compiled once from the index settings and
//! applied to every raw track.

use std::borrow::Cow;
use std::sync::Arc;

pub use crate::date::parse_date;

use crate::album::album_base_title;
use crate::filename::{guess_from_filename, FilenameGuess};
use crate::hash::{album_hash, artist_hash, genre_hash, hash_parts, path_hash, weak_hash_track};
use crate::ignore_list::BUILT_IN_IGNORE_LIST;
use crate::text::find_ascii_ci;
use crate::title::{extract_featured, remove_prod, remove_remaster};
use crate::{ArtistRef, Genre, IndexSettings, RawTrack, Track};

/// The value Swing gives missing albums and artists.
pub const UNKNOWN: &str = "Unknown";

/// Swing's library rules, compiled from [`IndexSettings`]. Cheap to share across threads.
#[derive(Clone, Debug)]
pub struct Rules {
    settings: IndexSettings,
    artist_separators: Separators,
    genre_separators: Separators,
    /// Ignore-list names that contain a separator (the others can never be split), lowercased,
    /// longest first so "Crosby, Stills, Nash & Young" wins over "Crosby, Stills & Nash".
    ignore_names: Vec<String>,
    /// Indexes into `ignore_names` by the name's first byte when it is ASCII, so most positions
    /// of an artist string are rejected with one lookup.
    ignore_by_first_ascii: Vec<Vec<usize>>,
    /// Indexes of names starting with a non-ASCII character.
    ignore_non_ascii_first: Vec<usize>,
}

impl Rules {
    pub fn new(settings: &IndexSettings) -> Rules {
        let artist_separators =
            Separators::new(settings.artist_separators.iter().map(String::as_str));
        let genre_separators =
            Separators::new(settings.genre_separators.iter().map(String::as_str));
        let mut ignore_names: Vec<String> = BUILT_IN_IGNORE_LIST
            .iter()
            .copied()
            .chain(settings.artist_split_ignore_list.iter().map(String::as_str))
            .map(str::trim)
            .filter(|name| artist_separators.occurs_in(name))
            .map(str::to_lowercase)
            .collect();
        ignore_names.sort_by(|a, b| {
            b.chars()
                .count()
                .cmp(&a.chars().count())
                .then_with(|| a.cmp(b))
        });
        ignore_names.dedup();
        let mut ignore_by_first_ascii = vec![Vec::new(); 128];
        let mut ignore_non_ascii_first = Vec::new();
        for (index, name) in ignore_names.iter().enumerate() {
            match name.as_bytes().first() {
                Some(&first) if first.is_ascii() => {
                    ignore_by_first_ascii[usize::from(first)].push(index)
                }
                Some(_) => ignore_non_ascii_first.push(index),
                None => {}
            }
        }
        Rules {
            settings: settings.clone(),
            artist_separators,
            genre_separators,
            ignore_names,
            ignore_by_first_ascii,
            ignore_non_ascii_first,
        }
    }

    /// The settings these rules were compiled from.
    pub fn settings(&self) -> &IndexSettings {
        &self.settings
    }

    /// Splits an artist tag into names (reference §5.3 step 1): separators from the settings and
    /// commas end a name, except inside an ignore-list name; names are trimmed, empty and
    /// repeated names dropped.
    pub fn split_artists(&self, s: &str) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        self.for_each_artist(s, |name| {
            if !names.iter().any(|known| known == name) {
                names.push(name.to_owned());
            }
        });
        names
    }

    /// Calls `visit` with every trimmed, non-empty name of an artist tag, in order (repeats
    /// included; callers drop them).
    fn for_each_artist<'a>(&self, s: &'a str, mut visit: impl FnMut(&'a str)) {
        let mut emit = |token: &'a str| {
            let name = token.trim_matches(is_python_space);
            if !name.is_empty() {
                visit(name);
            }
        };
        if !self.artist_separators.occurs_in(s) {
            emit(s);
            return;
        }
        let mut token_start = 0;
        let mut at = 0;
        while at < s.len() {
            if let Some(len) = self.ignore_name_at(s, at) {
                at += len;
                continue;
            }
            if let Some(len) = self.artist_separators.at(s, at) {
                emit(&s[token_start..at]);
                at += len;
                token_start = at;
                continue;
            }
            at += utf8_len(s.as_bytes()[at]);
        }
        emit(&s[token_start..]);
    }

    /// The artists of a tag as refs, repeated names dropped.
    fn artist_refs(&self, s: &str, known: &[ArtistRef]) -> Vec<ArtistRef> {
        let mut refs: Vec<ArtistRef> = Vec::with_capacity(2);
        self.for_each_artist(s, |name| {
            if refs.iter().any(|artist| &*artist.name == name) {
                return;
            }
            // Album artists are usually track artists too: share their name allocation.
            let artist = match known.iter().find(|artist| &*artist.name == name) {
                Some(artist) => artist.clone(),
                None => ArtistRef {
                    name: Arc::from(name),
                    hash: artist_hash(name),
                },
            };
            refs.push(artist);
        });
        refs
    }

    /// Byte length of the ignore-list name starting at `at`, matched case-insensitively.
    fn ignore_name_at(&self, s: &str, at: usize) -> Option<usize> {
        let first = s.as_bytes()[at];
        let candidates = if first.is_ascii() {
            &self.ignore_by_first_ascii[usize::from(first.to_ascii_lowercase())]
        } else {
            &self.ignore_non_ascii_first
        };
        let rest = &s[at..];
        candidates
            .iter()
            .find_map(|&index| prefix_len_ignoring_case(rest, &self.ignore_names[index]))
    }

    /// Parses a genre tag (reference §5.3 step 6): lowercased, "r&b" → "RnB", "rock & roll" →
    /// "rock", split on the genre separators and commas, trimmed; empty and repeated names dropped.
    pub fn parse_genres(&self, s: &str) -> Vec<Genre> {
        let mut lowered = if !s.is_ascii() {
            Cow::Owned(s.to_lowercase())
        } else if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(s.to_ascii_lowercase())
        } else {
            Cow::Borrowed(s)
        };
        if lowered.contains('&') {
            if find_ascii_ci(&lowered, "r&b", 0).is_some() {
                lowered = Cow::Owned(lowered.replace("r&b", "RnB"));
            }
            if find_ascii_ci(&lowered, "rock & roll", 0).is_some() {
                lowered = Cow::Owned(lowered.replace("rock & roll", "rock"));
            }
        }
        let mut genres: Vec<Genre> = Vec::new();
        let mut token_start = 0;
        let mut at = 0;
        while at < lowered.len() {
            match self.genre_separators.at(&lowered, at) {
                Some(len) => {
                    push_genre(&mut genres, &lowered[token_start..at]);
                    at += len;
                    token_start = at;
                }
                None => at += utf8_len(lowered.as_bytes()[at]),
            }
        }
        push_genre(&mut genres, &lowered[token_start..]);
        genres
    }

    /// Applies every rule to a raw track (reference §5.2–§5.3 and the §5.1 hashes).
    pub fn track(&self, raw: &RawTrack) -> Track {
        let mut track = self.derive(raw);
        track.filepath.clone_from(&raw.filepath);
        track.folder.clone_from(&raw.folder);
        track.copyright.clone_from(&raw.copyright);
        track.composer.clone_from(&raw.composer);
        track.comment.clone_from(&raw.comment);
        track
    }

    /// [`Rules::track`] for an owned raw track, moving its strings instead of copying them.
    pub fn into_track(&self, raw: RawTrack) -> Track {
        let mut track = self.derive(&raw);
        track.filepath = raw.filepath;
        track.folder = raw.folder;
        track.copyright = raw.copyright;
        track.composer = raw.composer;
        track.comment = raw.comment;
        track
    }

    /// Everything but the strings copied verbatim from the raw track, which are left empty.
    fn derive(&self, raw: &RawTrack) -> Track {
        let tags = FilledTags::new(raw);
        let settings = &self.settings;

        let mut artists = self.artist_refs(&tags.artists, &[]);
        let albumartists = self.artist_refs(&tags.albumartists, &artists);

        let og_title: &str = &tags.title;
        let og_album: &str = &tags.album;
        let mut title = Cow::Borrowed(og_title);
        let mut album = Cow::Borrowed(og_album);

        let featured = if settings.extract_featured_artists {
            extract_featured(og_title)
        } else {
            None
        };
        if let Some(featured) = featured {
            self.for_each_artist(featured.names, |name| {
                let hash = artist_hash(name);
                if !artists.iter().any(|artist| artist.hash == hash) {
                    artists.push(ArtistRef {
                        name: Arc::from(name),
                        hash,
                    });
                }
            });
            title = Cow::Owned(featured.title);
            if og_title == og_album {
                album = title.clone();
            }
        }
        if settings.remove_prod_by {
            if let Some(cleaned) = remove_prod(&title) {
                title = Cow::Owned(cleaned);
            }
        }
        if settings.remove_remaster_info {
            if let Some(cleaned) = remove_remaster(&title) {
                title = Cow::Owned(cleaned);
            }
        }
        let base_album = album_base_title(&album);
        if settings.clean_album_title && base_album.len() != album.len() {
            album = Cow::Owned(base_album.to_owned());
        }

        let albumhash = if settings.merge_albums {
            // The cleaned title: `album` already is when cleaning is on; never strip twice.
            let clean_album = if settings.clean_album_title {
                &album
            } else {
                album_base_title(&album)
            };
            let albumartist_names = albumartists.iter().map(|artist| &*artist.name);
            hash_parts(std::iter::once(clean_album).chain(albumartist_names), false)
        } else {
            album_hash(og_album, &tags.albumartists)
        };
        let artist_names = artists.iter().map(|artist| &*artist.name);
        let trackhash = hash_parts([&*title, &*album].into_iter().chain(artist_names), false);

        Track {
            trackhash,
            albumhash,
            weakhash: weak_hash_track(og_title, &tags.artists),
            pathhash: path_hash(&raw.folder),
            title: title.into_owned(),
            og_title: og_title.to_owned(),
            album: album.into_owned(),
            og_album: og_album.to_owned(),
            artists,
            albumartists,
            genres: raw
                .genres
                .as_deref()
                .map(|g| self.parse_genres(g))
                .unwrap_or_default(),
            date: raw
                .date
                .as_deref()
                .and_then(parse_date)
                .unwrap_or(raw.mtime),
            // `as` saturates: NaN and negative durations become 0, as Swing's int fallback.
            duration: raw.duration as u32,
            bitrate: raw.bitrate,
            samplerate: raw.samplerate,
            bitdepth: raw.bitdepth,
            channels: raw.channels,
            filepath: String::new(),
            folder: String::new(),
            last_mod: raw.mtime,
            size: raw.size,
            disc: raw.disc.unwrap_or(1),
            track: raw.track.unwrap_or(1),
            track_total: raw.track_total,
            disc_total: raw.disc_total,
            explicit: raw.explicit.as_deref().is_some_and(is_explicit),
            copyright: None,
            composer: None,
            comment: None,
            has_lyrics: raw.has_lyrics,
        }
    }
}

impl Track {
    /// Applies `rules` to `raw`; the same as [`Rules::track`].
    pub fn from_raw(raw: &RawTrack, rules: &Rules) -> Track {
        rules.track(raw)
    }
}

/// The tag strings after Swing's fallbacks (reference §5.2): album artist and artist stand in for
/// each other; the file name supplies a missing title, album (its title) or artist; the rest is
/// "Unknown". A tag counts as missing only when absent or empty, as in Swing.
struct FilledTags<'a> {
    title: Cow<'a, str>,
    album: Cow<'a, str>,
    artists: Cow<'a, str>,
    albumartists: Cow<'a, str>,
}

impl<'a> FilledTags<'a> {
    fn new(raw: &'a RawTrack) -> Self {
        let present = |tag: &'a Option<String>| tag.as_deref().filter(|value| !value.is_empty());
        let artists = present(&raw.artists).or(present(&raw.albumartists));
        let albumartists = present(&raw.albumartists).or(present(&raw.artists));
        let title = present(&raw.title);
        let album = present(&raw.album);

        let guess: Option<FilenameGuess> =
            (title.is_none() || album.is_none() || artists.is_none())
                .then(|| guess_from_filename(&raw.filepath));
        let guessed_title =
            || Cow::Owned(guess.as_ref().map(|g| g.title.clone()).unwrap_or_default());
        let guessed_artist = || {
            let artist = guess
                .as_ref()
                .and_then(|g| g.artist.as_deref())
                .filter(|a| !a.is_empty());
            Cow::Owned(artist.unwrap_or(UNKNOWN).to_owned())
        };
        FilledTags {
            title: title.map_or_else(guessed_title, Cow::Borrowed),
            album: album.map_or_else(guessed_title, Cow::Borrowed),
            artists: artists.map_or_else(guessed_artist, Cow::Borrowed),
            albumartists: albumartists.map_or_else(guessed_artist, Cow::Borrowed),
        }
    }
}

fn push_genre(genres: &mut Vec<Genre>, token: &str) {
    let name = token.trim_matches(is_python_space);
    if !name.is_empty() && !genres.iter().any(|genre| genre.name == name) {
        genres.push(Genre {
            name: name.to_owned(),
            genrehash: genre_hash(name),
        });
    }
}

fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// iTunes advisory / EXPLICIT values that mean explicit (reference §5.3 step 7).
fn is_explicit(value: &str) -> bool {
    let value = value.trim();
    ["1", "yes", "true"]
        .iter()
        .any(|yes| value.eq_ignore_ascii_case(yes))
}

/// Byte length of the UTF-8 sequence starting with `lead`.
fn utf8_len(lead: u8) -> usize {
    match lead {
        b if b < 0x80 => 1,
        b if b >= 0xF0 => 4,
        b if b >= 0xE0 => 3,
        _ => 2,
    }
}

/// If `text` starts with `lower_name` ignoring case, the byte length of that prefix of `text`.
fn prefix_len_ignoring_case(text: &str, lower_name: &str) -> Option<usize> {
    if lower_name.is_ascii() {
        let head = text.as_bytes().get(..lower_name.len())?;
        return head
            .eq_ignore_ascii_case(lower_name.as_bytes())
            .then_some(lower_name.len());
    }
    let mut expected = lower_name.chars();
    for (offset, c) in text.char_indices() {
        for lower in c.to_lowercase() {
            if expected.next() != Some(lower) {
                return None;
            }
        }
        if expected.as_str().is_empty() {
            return Some(offset + c.len_utf8());
        }
    }
    None
}

/// A set of separators: single characters (with a fast table for ASCII) and longer strings.
#[derive(Clone, Debug)]
struct Separators {
    ascii: [bool; 128],
    chars: Vec<char>,
    strings: Vec<String>,
}

impl Separators {
    /// The given separators plus the comma, which always separates.
    fn new<'a>(separators: impl Iterator<Item = &'a str>) -> Self {
        let mut set = Separators {
            ascii: [false; 128],
            chars: Vec::new(),
            strings: Vec::new(),
        };
        for separator in separators.chain([","]) {
            let mut chars = separator.chars();
            match (chars.next(), chars.next()) {
                (None, _) => {}
                (Some(c), None) if c.is_ascii() => set.ascii[c as usize] = true,
                (Some(c), None) => set.chars.push(c),
                _ => set.strings.push(separator.to_owned()),
            }
        }
        set.strings.sort_by_key(|s| std::cmp::Reverse(s.len()));
        set
    }

    /// Byte length of the separator at byte `at` of `s`.
    fn at(&self, s: &str, at: usize) -> Option<usize> {
        let lead = s.as_bytes()[at];
        if !self.strings.is_empty() {
            let rest = &s.as_bytes()[at..];
            if let Some(long) = self
                .strings
                .iter()
                .find(|sep| rest.starts_with(sep.as_bytes()))
            {
                return Some(long.len());
            }
        }
        if lead.is_ascii() {
            return self.ascii[usize::from(lead)].then_some(1);
        }
        let c = s[at..].chars().next()?;
        self.chars.contains(&c).then(|| c.len_utf8())
    }

    fn occurs_in(&self, s: &str) -> bool {
        s.bytes()
            .any(|b| b.is_ascii() && self.ascii[usize::from(b)])
            || (!self.chars.is_empty() && s.contains(self.chars.as_slice()))
            || self.strings.iter().any(|sep| s.contains(sep.as_str()))
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
