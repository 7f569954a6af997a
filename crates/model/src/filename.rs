//! Title and artist guessed from a file name, for files whose tags lack them (reference §5.2).

use std::path::Path;

use crate::text::contains_ascii_ci;

/// What a file name says about its track.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FilenameGuess {
    pub title: String,
    pub artist: Option<String>,
}

/// Parses the file stem: "(…official…)" parts are dropped, the rest is split on " - ". One part
/// is the title; three or more parts with a numeric first part are "NN - artist - title…";
/// otherwise the parts are "artist - title". Underscores become spaces.
pub(crate) fn guess_from_filename(filepath: &str) -> FilenameGuess {
    let stem = Path::new(filepath)
        .file_stem()
        .map(|stem| stem.to_string_lossy())
        .unwrap_or_default();
    let stem = remove_official_brackets(&stem);
    let parts: Vec<&str> = stem.split(" - ").map(str::trim).collect();
    let (artist, title) = match parts.as_slice() {
        [] | [_] => (None, stem.trim().to_owned()),
        [number, artist, rest @ ..] if !rest.is_empty() && is_integer(number) => {
            (Some(*artist), rest.join(" - "))
        }
        [artist, title, ..] => (Some(*artist), (*title).to_owned()),
    };
    FilenameGuess {
        title: despace(&title),
        artist: artist.map(despace),
    }
}

fn despace(text: &str) -> String {
    text.replace('_', " ").trim().to_owned()
}

/// Python's `int()` acceptance for plain numbers: an optional sign, then ASCII digits.
fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Drops every "( … official … )" group ("Song (Official Video)" → "Song").
fn remove_official_brackets(stem: &str) -> String {
    let mut out = String::with_capacity(stem.len());
    let mut rest = stem;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|at| open + at) else {
            break;
        };
        out.push_str(&rest[..open]);
        if !contains_ascii_ci(&rest[open..close], "official") {
            out.push_str(&rest[open..=close]);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(path: &str) -> (Option<&'static str>, String) {
        let found = guess_from_filename(path);
        (
            found.artist.map(|a| &*Box::leak(a.into_boxed_str())),
            found.title,
        )
    }

    #[test]
    fn artist_and_title() {
        assert_eq!(
            guess("/m/Drake - Hotline Bling.mp3"),
            (Some("Drake"), "Hotline Bling".into())
        );
        assert_eq!(guess("/m/A - B - C.mp3"), (Some("A"), "B".into()));
    }

    #[test]
    fn numbered_files() {
        assert_eq!(
            guess("/m/01 - Drake - Hotline Bling.flac"),
            (Some("Drake"), "Hotline Bling".into())
        );
        assert_eq!(guess("/m/01 - A - B - C.flac"), (Some("A"), "B - C".into()));
        // Two parts: the number is taken as the artist, as Swing does.
        assert_eq!(guess("/m/01 - Song.flac"), (Some("01"), "Song".into()));
    }

    #[test]
    fn title_only_and_cleanup() {
        assert_eq!(guess("/m/Some_Song.ogg"), (None, "Some Song".into()));
        assert_eq!(
            guess("/m/Artist - Song (Official Music Video).mp3"),
            (Some("Artist"), "Song".into())
        );
        assert_eq!(guess("/m/Song (Live).mp3"), (None, "Song (Live)".into()));
        assert_eq!(
            guess("/m/My_Band - My_Song.mp3"),
            (Some("My Band"), "My Song".into())
        );
        assert_eq!(guess("/m/no-extension"), (None, "no-extension".into()));
        assert_eq!(
            guess("/m/Unclosed (official.mp3"),
            (None, "Unclosed (official".into())
        );
    }
}
