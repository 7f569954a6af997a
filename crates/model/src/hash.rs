//! Swing Music's hash scheme (reference §5.1). Hashes are XXH3-64 values; on the wire they are
//! 16 lowercase hex characters. In memory they are `u64` to keep the index small.
//!
//! Every hash normalises its input parts the way Swing's Python does (`str.lower`, `str.strip`,
//! removing spaces, keeping `str.isalnum` characters), concatenates them with no separator,
//! optionally transliterates the result like Unidecode, and hashes the UTF-8 bytes. Clients and
//! databases store these values, so each step must match byte for byte.

use std::cell::RefCell;

use unicode_normalization::char::is_combining_mark;
use xxhash_rust::xxh3::xxh3_64;

use crate::translit::unidecode_into;

/// A Swing Music hash (trackhash, albumhash, artisthash, weakhash, pathhash).
pub type Hash = u64;

/// Formats a hash the way clients see it: 16 lowercase hex characters.
pub fn hash_hex(hash: Hash) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // Hand-rolled: this runs for every genre of every track at start-up, and `format!` is slow.
    (0..16)
        .rev()
        .map(|nibble| char::from(DIGITS[((hash >> (nibble * 4)) & 0xF) as usize]))
        .collect()
}

/// Parses a wire hash. Only exactly 16 hex characters are accepted (Swing answers 422 otherwise).
pub fn parse_hash(text: &str) -> Option<Hash> {
    if text.len() != 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(text, 16).ok()
}

/// Swing's generic hash of several strings (see the module docs).
pub fn hash_strings(parts: &[&str], transliterate: bool) -> Hash {
    hash_parts(parts.iter().copied(), transliterate)
}

/// [`hash_strings`] over any sequence of parts, so callers need not collect them first.
pub fn hash_parts<'a>(parts: impl IntoIterator<Item = &'a str>, transliterate: bool) -> Hash {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let Scratch {
            normalised,
            transliterated,
        } = &mut *scratch;
        normalised.clear();
        for part in parts {
            push_normalised(normalised, part);
        }
        if transliterate && !normalised.is_ascii() {
            transliterated.clear();
            // Only whole UTF-8 sequences are ever pushed, so this cannot fail.
            let text = std::str::from_utf8(normalised).unwrap_or_default();
            unidecode_into(text, transliterated);
            xxh3_64(transliterated.as_bytes())
        } else {
            xxh3_64(normalised)
        }
    })
}

/// An artist's hash: the name, transliterated ("Beyoncé" and "Beyonce" collide).
pub fn artist_hash(name: &str) -> Hash {
    hash_strings(&[name], true)
}

/// An album's tag-time hash: the raw album tag, then the raw album-artist tag string.
pub fn album_hash(raw_album: &str, raw_albumartists: &str) -> Hash {
    hash_strings(&[raw_album, raw_albumartists], false)
}

/// The album hash used when `mergeAlbums` is on: the cleaned title, then each album artist.
pub fn merged_album_hash(clean_album: &str, albumartist_names: &[&str]) -> Hash {
    hash_parts(
        std::iter::once(clean_album).chain(albumartist_names.iter().copied()),
        false,
    )
}

/// A track's in-memory hash: cleaned title, cleaned album, then every track artist in order.
pub fn track_hash(title: &str, album: &str, artists: &[&str]) -> Hash {
    hash_parts(
        [title, album].into_iter().chain(artists.iter().copied()),
        false,
    )
}

/// The hash of a folder path, used as `?pathhash=` in image URLs.
pub fn path_hash(folder: &str) -> Hash {
    hash_strings(&[folder], false)
}

/// A genre's hash, as the wire carries it (16 hex characters).
pub fn genre_hash(name: &str) -> String {
    hash_hex(hash_strings(&[name], false))
}

/// A track's weak hash: the raw title, then the raw artist tag string.
pub fn weak_hash_track(raw_title: &str, raw_artists: &str) -> Hash {
    hash_strings(&[raw_title, raw_artists], false)
}

/// An album's weak hash: the raw album title, then the album-artist names joined by ",".
pub fn weak_hash_album(og_title: &str, albumartist_names: &[&str]) -> Hash {
    let joined = albumartist_names.join(",");
    hash_strings(&[og_title, &joined], false)
}

/// Reused buffers: hashing runs several times per track for every track at start-up.
#[derive(Default)]
struct Scratch {
    /// UTF-8 bytes; a `Vec` so ASCII bytes can be pushed without per-char encoding.
    normalised: Vec<u8>,
    transliterated: String,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Appends one part, normalised as Swing does: lowercase, strip, drop spaces, keep alphanumerics;
/// when nothing alphanumeric is left, the lowercased, stripped, space-free text is kept instead.
fn push_normalised(out: &mut Vec<u8>, part: &str) {
    let start = out.len();
    if part.is_ascii() {
        // Branch-free: write every byte's lowercase alphanumeric form, advance only on a keeper.
        out.resize(start + part.len(), 0);
        let mut kept = start;
        for &byte in part.as_bytes() {
            let folded = ASCII_ALNUM_LOWER[usize::from(byte)];
            out[kept] = folded;
            kept += usize::from(folded != 0);
        }
        out.truncate(kept);
        if kept == start {
            let stripped = part.trim_matches(is_python_space);
            out.extend(
                stripped
                    .bytes()
                    .filter(|&b| b != b' ')
                    .map(|b| b.to_ascii_lowercase()),
            );
        }
        return;
    }
    // `str::to_lowercase` applies the full mappings and the final-sigma rule, as Python does.
    let lowered = part.to_lowercase();
    let stripped = lowered.trim_matches(is_python_space);
    let mut push_char = |c: char| out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    let mut any_alnum = false;
    for c in stripped.chars().filter(|&c| is_python_alnum(c)) {
        any_alnum = true;
        push_char(c);
    }
    if !any_alnum {
        stripped.chars().filter(|&c| c != ' ').for_each(push_char);
    }
}

/// For each ASCII byte: its lowercase form if alphanumeric, else 0.
const ASCII_ALNUM_LOWER: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        if b.is_ascii_alphanumeric() {
            table[byte] = b.to_ascii_lowercase();
        }
        byte += 1;
    }
    table
};

/// Python's `str.isspace`: Unicode White_Space plus the four ASCII information separators.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.isalnum`: general category L* or N*. Rust's `is_alphanumeric` also accepts
/// combining marks and a few letter-like symbols (circled and squared Latin letters) through the
/// Other_Alphabetic property; those are excluded here. Checked against CPython for every code point.
pub(crate) fn is_python_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() && !is_combining_mark(c) && !is_letter_symbol(c)
}

/// Symbols (category So) that carry the Other_Alphabetic property.
fn is_letter_symbol(c: char) -> bool {
    matches!(
        c,
        '\u{24B6}'..='\u{24E9}'
            | '\u{1F130}'..='\u{1F149}'
            | '\u{1F150}'..='\u{1F169}'
            | '\u{1F170}'..='\u{1F189}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(parts: &[&str]) -> String {
        let mut out = Vec::new();
        for part in parts {
            push_normalised(&mut out, part);
        }
        String::from_utf8(out).expect("normalised text is UTF-8")
    }

    #[test]
    fn polo_g_has_swings_artist_hash() {
        assert_eq!(normalised(&["Polo G"]), "polog");
        assert_eq!(hash_hex(artist_hash("Polo G")), "652ae96fe15978c6");
    }

    #[test]
    fn normalisation_drops_punctuation_and_spaces() {
        assert_eq!(normalised(&["AC/DC"]), "acdc");
        assert_eq!(normalised(&["  Tyler, The Creator "]), "tylerthecreator");
        assert_eq!(normalised(&["A", "B; C"]), "abc");
    }

    #[test]
    fn parts_without_alphanumerics_keep_their_symbols() {
        assert_eq!(normalised(&[" !!! "]), "!!!");
        assert_eq!(normalised(&["! ! !"]), "!!!");
        assert_eq!(normalised(&["x", "?"]), "x?");
        assert_ne!(artist_hash("!!!"), artist_hash("???"));
    }

    #[test]
    fn non_ascii_follows_python_rules() {
        // Combining marks are not alphanumeric in Python: the decomposed é loses its accent.
        assert_eq!(normalised(&["Beyonce\u{301}"]), "beyonce");
        assert_eq!(normalised(&["Beyoncé"]), "beyoncé");
        // Devanagari vowel signs are marks, so Python drops them.
        assert_eq!(normalised(&["हिन्दी"]), "हनद");
        // Circled letters are symbols for Python.
        assert_eq!(normalised(&["Ⓐb"]), "b");
        // Final sigma, as Python's str.lower.
        assert_eq!(normalised(&["ΟΔΟΣ"]), "οδος");
        assert_eq!(normalised(&["ΣΑ"]), "σα");
    }

    #[test]
    fn artist_hash_transliterates_but_album_hash_does_not() {
        assert_eq!(artist_hash("Beyoncé"), artist_hash("Beyonce"));
        assert_eq!(artist_hash("MOTÖRHEAD"), artist_hash("Motorhead"));
        assert_ne!(album_hash("Café", "X"), album_hash("Cafe", "X"));
    }

    #[test]
    fn transliteration_keeps_unidecode_spacing_and_case() {
        // Unidecode("周杰伦") is "Zhou Jie Lun "; spaces and capitals survive into the hash.
        assert_eq!(artist_hash("周杰伦"), xxh3_64(b"Zhou Jie Lun "));
        assert_eq!(artist_hash("ヨルシカ"), xxh3_64(b"yorushika"));
    }

    #[test]
    fn hashes_concatenate_without_separator() {
        assert_eq!(album_hash("AB", "C"), album_hash("A", "BC"));
        assert_eq!(
            track_hash("T", "A", &["X", "Y"]),
            hash_strings(&["tax", "y"], false)
        );
        assert_eq!(
            merged_album_hash("Album", &["A", "B"]),
            album_hash("Album", "A; B")
        );
    }

    #[test]
    fn weak_and_path_hashes() {
        assert_eq!(
            weak_hash_album("X", &["A", "B"]),
            hash_strings(&["X", "A,B"], false)
        );
        assert_eq!(
            weak_hash_track("Song", "A; B"),
            hash_strings(&["songab"], false)
        );
        assert_eq!(path_hash("/music/A B"), path_hash("/music/A B/"));
        assert_eq!(genre_hash("RnB"), hash_hex(hash_strings(&["rnb"], false)));
    }

    #[test]
    fn hash_hex_pads_to_sixteen_digits() {
        assert_eq!(hash_hex(0), "0000000000000000");
        assert_eq!(hash_hex(0xabc), "0000000000000abc");
        assert_eq!(hash_hex(u64::MAX), "ffffffffffffffff");
    }

    #[test]
    fn parse_hash_round_trips() {
        let hash = artist_hash("Polo G");
        assert_eq!(parse_hash(&hash_hex(hash)), Some(hash));
        assert_eq!(parse_hash("652ae96fe15978c"), None);
        assert_eq!(parse_hash("652ae96fe15978cg"), None);
    }
}
