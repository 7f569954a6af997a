//! Album rules (reference §5.4): title cleaning, version labels and album types.

use std::sync::OnceLock;

use crate::hash::hash_strings;
use crate::text::{contains_ascii_ci, find_ascii_ci, starts_with_ascii_ci};

/// An album title split into its display title, its base title and its version labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanedAlbum {
    /// The title shown: the base title when cleaning is on and a version bracket was found,
    /// otherwise the original title.
    pub title: String,
    /// The original title without its trailing version bracket (used to find other versions).
    pub base_title: String,
    /// Version labels found in that bracket, e.g. ["deluxe", "remastered"].
    pub versions: Vec<String>,
}

/// One version: its label and the case-insensitive keywords that reveal it.
struct Version {
    label: &'static str,
    keywords: &'static [&'static str],
}

/// Swing's version keywords in its order. Labels are the version names lowercased with "_" as
/// " "; "Live", "Taylor's Version" and "- Single" are deliberately absent.
const VERSIONS: &[Version] = &[
    Version {
        label: "explicit",
        keywords: &["explicit"],
    },
    Version {
        label: "360 audio",
        keywords: &["360 audio"],
    },
    Version {
        label: "anniversary edition",
        keywords: &["anniversary"],
    },
    Version {
        label: "diamond edition",
        keywords: &["diamond"],
    },
    Version {
        label: "centennial edition",
        keywords: &["centennial"],
    },
    Version {
        label: "gold edition",
        keywords: &["gold"],
    },
    Version {
        label: "platinum edition",
        keywords: &["platinum"],
    },
    Version {
        label: "silver edition",
        keywords: &["silver"],
    },
    Version {
        label: "ultimate edition",
        keywords: &["ultimate"],
    },
    Version {
        label: "expanded",
        keywords: &["expanded"],
    },
    Version {
        label: "extended",
        keywords: &["extended"],
    },
    Version {
        label: "deluxe",
        keywords: &["deluxe"],
    },
    Version {
        label: "super deluxe",
        keywords: &["super deluxe"],
    },
    Version {
        label: "complete",
        keywords: &["complete"],
    },
    Version {
        label: "legacy edition",
        keywords: &["legacy"],
    },
    Version {
        label: "special edition",
        keywords: &["special"],
    },
    Version {
        label: "collectors edition",
        keywords: &["collector"],
    },
    Version {
        label: "archive edition",
        keywords: &["archive"],
    },
    Version {
        label: "acoustic",
        keywords: &["acoustic"],
    },
    Version {
        label: "instrumental",
        keywords: &["instrumental"],
    },
    Version {
        label: "double disc",
        keywords: &["double disc", "double disk"],
    },
    Version {
        label: "unplugged",
        keywords: &["unplugged"],
    },
    Version {
        label: "summer edition",
        keywords: &["summer"],
    },
    Version {
        label: "winter edition",
        keywords: &["winter"],
    },
    Version {
        label: "spring edition",
        keywords: &["spring"],
    },
    Version {
        label: "fall edition",
        keywords: &["fall"],
    },
    Version {
        label: "bonus edition",
        keywords: &["bonus"],
    },
    Version {
        label: "bonus track",
        keywords: &["bonus track"],
    },
    Version {
        label: "original",
        keywords: &["original", "og"],
    },
    Version {
        label: "international version",
        keywords: &["international"],
    },
    Version {
        label: "uk version",
        keywords: &["uk version"],
    },
    Version {
        label: "us version",
        keywords: &["us version"],
    },
    Version {
        label: "pa version",
        keywords: &["pa version"],
    },
    Version {
        label: "limited edition",
        keywords: &["limited"],
    },
    Version {
        label: "mono",
        keywords: &["mono"],
    },
    Version {
        label: "stereo",
        keywords: &["stereo"],
    },
    Version {
        label: "hi res",
        keywords: &["hi-res"],
    },
    Version {
        label: "re mix",
        keywords: &["re-mix"],
    },
    Version {
        label: "re recorded",
        keywords: &["re-recorded", "rerecorded"],
    },
    Version {
        label: "reissue",
        keywords: &["reissue"],
    },
    Version {
        label: "remastered",
        keywords: &["remaster"],
    },
];

/// Splits `og_title` into base title and versions. Only the last bracketed group, and only when
/// it ends the title, is examined; it is a version bracket if it contains any version keyword.
/// With `clean`, the display title drops that bracket.
pub fn clean_album_title(og_title: &str, clean: bool) -> CleanedAlbum {
    let Some((base, bracket)) = split_trailing_bracket(og_title) else {
        return unversioned(og_title);
    };
    let versions = version_labels(bracket);
    if versions.is_empty() {
        return unversioned(og_title);
    }
    CleanedAlbum {
        title: if clean {
            base.to_owned()
        } else {
            og_title.to_owned()
        },
        base_title: base.to_owned(),
        versions,
    }
}

/// The base title alone (no labels), for hot paths that need only the cleaned title.
pub(crate) fn album_base_title(og_title: &str) -> &str {
    match split_trailing_bracket(og_title) {
        Some((base, bracket)) if has_version_keyword(bracket) => base,
        _ => og_title,
    }
}

fn unversioned(og_title: &str) -> CleanedAlbum {
    CleanedAlbum {
        title: og_title.to_owned(),
        base_title: og_title.to_owned(),
        versions: Vec::new(),
    }
}

/// `("Title", "Deluxe Edition")` for "Title [Deluxe Edition]": the text before the last opening
/// bracket (trailing spaces removed) and the bracket's content, if the title ends with a bracket.
fn split_trailing_bracket(title: &str) -> Option<(&str, &str)> {
    let trimmed = title.trim_end();
    let inner_end = trimmed.len().checked_sub(1)?;
    if !matches!(trimmed.as_bytes()[inner_end], b')' | b']') {
        return None;
    }
    let open = trimmed[..inner_end].rfind(['(', '['])?;
    Some((trimmed[..open].trim_end(), &trimmed[open + 1..inner_end]))
}

/// Whether any version keyword occurs in `bracket`. Runs for every track at start-up, so the
/// keywords are bucketed by first letter and the bracket is walked once.
fn has_version_keyword(bracket: &str) -> bool {
    static BY_FIRST_BYTE: OnceLock<Vec<Vec<&'static [u8]>>> = OnceLock::new();
    let buckets = BY_FIRST_BYTE.get_or_init(|| {
        let mut buckets = vec![Vec::new(); 128];
        for keyword in VERSIONS.iter().flat_map(|version| version.keywords) {
            buckets[usize::from(keyword.as_bytes()[0])].push(keyword.as_bytes());
        }
        buckets
    });
    let bytes = bracket.as_bytes();
    (0..bytes.len()).any(|at| {
        let first = bytes[at].to_ascii_lowercase();
        first.is_ascii()
            && buckets[usize::from(first)]
                .iter()
                .any(|keyword| starts_with_ascii_ci(&bytes[at..], keyword))
    })
}

fn version_labels(bracket: &str) -> Vec<String> {
    let matched = |version: &Version| {
        version
            .keywords
            .iter()
            .any(|keyword| contains_ascii_ci(bracket, keyword))
    };
    let super_deluxe = contains_ascii_ci(bracket, "super deluxe");
    VERSIONS
        .iter()
        .filter(|version| matched(version))
        .filter(|version| !(super_deluxe && version.label == "deluxe"))
        .map(|version| version.label.to_owned())
        .collect()
}

/// What an album is, as clients label it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AlbumType {
    Album,
    Single,
    Ep,
    Compilation,
    Soundtrack,
    LiveAlbum,
}

impl AlbumType {
    /// The wire value of the album's `type` field.
    pub fn as_str(self) -> &'static str {
        match self {
            AlbumType::Album => "album",
            AlbumType::Single => "single",
            AlbumType::Ep => "ep",
            AlbumType::Compilation => "compilation",
            AlbumType::Soundtrack => "soundtrack",
            AlbumType::LiveAlbum => "live album",
        }
    }
}

/// Everything [`album_type`] looks at.
#[derive(Clone, Copy, Debug)]
pub struct AlbumTypeInput<'a> {
    /// The raw album tag.
    pub og_title: &'a str,
    /// The cleaned album title.
    pub title: &'a str,
    pub albumartist_names: &'a [&'a str],
    /// Titles of the album's (de-duplicated) tracks.
    pub track_titles: &'a [&'a str],
    pub show_albums_as_singles: bool,
}

const COMPILATION_WORDS: &[&str] = &[
    "the essential",
    "best of",
    "greatest hits",
    "#1 hits",
    "number ones",
    "super hits",
    "collection",
    "anthology",
    "great hits",
    "biggest hits",
    "the hits",
    "the ultimate",
    "compilation",
];

/// Decides the album type; the first matching rule wins (reference §5.4). Keyword rules look at
/// the raw title, because cleaning may have removed the very bracket that names the type
/// ("Dune (Original Motion Picture Soundtrack)" cleans to "Dune"); suffix rules ("… EP",
/// "… The Album") look at the cleaned title, which no version bracket follows.
pub fn album_type(input: &AlbumTypeInput) -> AlbumType {
    if is_single(input) {
        AlbumType::Single
    } else if is_soundtrack(input) {
        AlbumType::Soundtrack
    } else if is_live(input.og_title) {
        AlbumType::LiveAlbum
    } else if is_compilation(input) {
        AlbumType::Compilation
    } else if input.title.trim().ends_with(" EP") {
        AlbumType::Ep
    } else {
        AlbumType::Album
    }
}

fn is_single(input: &AlbumTypeInput) -> bool {
    if contains_ascii_ci(input.og_title, "single version")
        || contains_ascii_ci(input.og_title, "- single")
    {
        return true;
    }
    let [only_track] = input.track_titles else {
        return false;
    };
    if input.show_albums_as_singles {
        return true;
    }
    let track = hash_strings(&[only_track], false);
    track == hash_strings(&[input.title], false) || track == hash_strings(&[input.og_title], false)
}

fn is_soundtrack(input: &AlbumTypeInput) -> bool {
    let title = input.title.trim();
    contains_ascii_ci(input.og_title, "motion picture")
        || contains_ascii_ci(input.og_title, "soundtrack")
        || (title.chars().count() > 10 && ends_with_ascii_ci(title, "the album"))
}

fn is_live(title: &str) -> bool {
    [
        "live from",
        "live at",
        "live in",
        "live on",
        "mtv unplugged",
    ]
    .iter()
    .any(|word| contains_ascii_ci(title, word))
}

fn is_compilation(input: &AlbumTypeInput) -> bool {
    input
        .albumartist_names
        .iter()
        .any(|name| contains_ascii_ci(name, "various artists"))
        || COMPILATION_WORDS
            .iter()
            .any(|word| contains_ascii_ci(input.og_title, word))
}

fn ends_with_ascii_ci(text: &str, suffix: &str) -> bool {
    text.len()
        .checked_sub(suffix.len())
        .is_some_and(|start| find_ascii_ci(text, suffix, start).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(title: &str) -> Vec<String> {
        clean_album_title(title, true).versions
    }

    #[test]
    fn strips_a_trailing_version_bracket() {
        let cleaned = clean_album_title("Views (Deluxe Edition)", true);
        assert_eq!(cleaned.title, "Views");
        assert_eq!(cleaned.base_title, "Views");
        assert_eq!(cleaned.versions, ["deluxe"]);
        assert_eq!(
            clean_album_title("Abbey Road [2019 Remaster] ", true).title,
            "Abbey Road"
        );
    }

    #[test]
    fn keeps_the_title_when_cleaning_is_off() {
        let cleaned = clean_album_title("Views (Deluxe)", false);
        assert_eq!(cleaned.title, "Views (Deluxe)");
        assert_eq!(cleaned.base_title, "Views");
        assert_eq!(cleaned.versions, ["deluxe"]);
    }

    #[test]
    fn only_the_last_trailing_bracket_counts() {
        let cleaned = clean_album_title("Album (Deluxe) [Live]", true);
        assert_eq!(cleaned.title, "Album (Deluxe) [Live]");
        assert!(cleaned.versions.is_empty());
        assert_eq!(
            clean_album_title("Album (Live) [Deluxe]", true).title,
            "Album (Live)"
        );
        assert_eq!(
            clean_album_title("Deluxe (Remix) Album", true).title,
            "Deluxe (Remix) Album"
        );
    }

    #[test]
    fn non_versions_stay_in_the_title() {
        for title in [
            "Red (Taylor's Version)",
            "Alive (Live)",
            "Song - Single",
            "Album ()",
            ")",
        ] {
            let cleaned = clean_album_title(title, true);
            assert_eq!(cleaned.title, title);
            assert!(cleaned.versions.is_empty(), "{title}");
        }
    }

    #[test]
    fn version_labels() {
        assert_eq!(versions("X (Super Deluxe)"), ["super deluxe"]);
        assert_eq!(
            versions("X (20th Anniversary Edition)"),
            ["anniversary edition"]
        );
        assert_eq!(versions("X (Remastered)"), ["remastered"]);
        assert_eq!(versions("X [Special Edition]"), ["special edition"]);
        assert_eq!(
            versions("X (Deluxe Edition; Remastered 2011)"),
            ["deluxe", "remastered"]
        );
        assert_eq!(versions("X (Double Disk)"), ["double disc"]);
        assert_eq!(versions("X (Hi-Res)"), ["hi res"]);
        assert_eq!(versions("X [Explicit]"), ["explicit"]);
    }

    #[test]
    fn keyword_scan_agrees_with_labels() {
        for bracket in [
            "Deluxe",
            "2011 REMASTER",
            "Live",
            "Taylor's Version",
            "Hi-Res 24/96",
            "ß",
            "",
        ] {
            assert_eq!(
                has_version_keyword(bracket),
                !super::version_labels(bracket).is_empty(),
                "{bracket}"
            );
        }
    }

    #[test]
    fn album_base_title_matches_clean_album_title() {
        for title in [
            "Views (Deluxe)",
            "Red (Taylor's Version)",
            "A [B] (Expanded)",
            "",
        ] {
            assert_eq!(
                album_base_title(title),
                clean_album_title(title, true).base_title
            );
        }
    }

    fn album(og_title: &str, title: &str, artists: &[&str], tracks: &[&str]) -> AlbumType {
        album_type(&AlbumTypeInput {
            og_title,
            title,
            albumartist_names: artists,
            track_titles: tracks,
            show_albums_as_singles: false,
        })
    }

    #[test]
    fn album_types() {
        let two = ["a", "b"];
        assert_eq!(
            album("Hello - Single", "Hello - Single", &["A"], &two),
            AlbumType::Single
        );
        assert_eq!(
            album("Hello (Single Version)", "Hello", &["A"], &two),
            AlbumType::Single
        );
        assert_eq!(
            album("Hello!", "Hello!", &["A"], &["hello"]),
            AlbumType::Single
        );
        assert_eq!(
            album("Hello (Deluxe)", "Hello", &["A"], &["Hello"]),
            AlbumType::Single
        );
        assert_eq!(album("X", "X", &["A"], &["Other"]), AlbumType::Album);
        let dune = "Dune (Original Motion Picture Soundtrack)";
        assert_eq!(album(dune, "Dune", &["A"], &two), AlbumType::Soundtrack);
        let panther = "Black Panther The Album";
        assert_eq!(album(panther, panther, &["A"], &two), AlbumType::Soundtrack);
        assert_eq!(
            album("The Album", "The Album", &["A"], &two),
            AlbumType::Album
        );
        assert_eq!(
            album("Live at Wembley", "Live at Wembley", &["A"], &two),
            AlbumType::LiveAlbum
        );
        let unplugged = "MTV Unplugged in New York";
        assert_eq!(
            album(unplugged, unplugged, &["A"], &two),
            AlbumType::LiveAlbum
        );
        assert_eq!(
            album("Now 99", "Now 99", &["Various Artists"], &two),
            AlbumType::Compilation
        );
        let best = "The Best of Sade";
        assert_eq!(album(best, best, &["Sade"], &two), AlbumType::Compilation);
        assert_eq!(album("", "Gold EP", &["A"], &two), AlbumType::Ep);
        assert_eq!(album("", "Gold ep", &["A"], &two), AlbumType::Album);
        assert_eq!(AlbumType::LiveAlbum.as_str(), "live album");
    }

    #[test]
    fn show_albums_as_singles_makes_one_track_albums_singles() {
        let input = AlbumTypeInput {
            og_title: "X",
            title: "X",
            albumartist_names: &["A"],
            track_titles: &["Other"],
            show_albums_as_singles: true,
        };
        assert_eq!(album_type(&input), AlbumType::Single);
    }
}
