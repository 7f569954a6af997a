//! Building a [`SearchIndex`] from texts.

use std::cmp::Ordering;
use std::sync::Mutex;

use super::fold::{fold_into, WORD_SEPARATOR};
use super::vocabulary::{GramIndex, Vocabulary};
use super::SearchIndex;

/// Texts are folded from at most this many bytes; no title or name is anywhere near it, and the
/// cap keeps a pathological tag from bloating the index.
const MAX_TEXT_BYTES: usize = 2048;

pub(super) fn build<'a>(texts: impl IntoIterator<Item = &'a str>) -> SearchIndex {
    let texts = texts.into_iter();
    let mut folded = String::with_capacity(texts.size_hint().0 * 24);
    let mut text_ends: Vec<u32> = Vec::with_capacity(texts.size_hint().0);
    let mut text_chars: Vec<u16> = Vec::with_capacity(texts.size_hint().0);
    for text in texts {
        let start = folded.len();
        fold_into(cut_at_char_boundary(text, MAX_TEXT_BYTES), &mut folded);
        if u32::try_from(folded.len()).is_err() {
            // Past 4 GiB of folded text offsets no longer fit; later entries stay unsearchable
            // rather than corrupting the ones before.
            folded.truncate(start);
        }
        text_ends.push(folded.len() as u32);
        let chars = folded[start..]
            .chars()
            .filter(|&c| c != WORD_SEPARATOR)
            .count();
        text_chars.push(chars.min(u16::MAX as usize) as u16);
    }
    folded.shrink_to_fit();

    let words = Vocabulary::build(&folded, &text_ends);
    let grams = GramIndex::build(&words);
    let by_compact = sort_by_compact_text(&folded, &text_ends);
    SearchIndex {
        texts: folded,
        text_ends,
        text_chars,
        by_compact,
        words,
        grams,
        scratch_pool: Mutex::new(Vec::new()),
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub(super) fn cut_at_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

/// The bytes of a folded text without its word separators.
pub(super) fn compact_bytes(text: &str) -> impl Iterator<Item = u8> + '_ {
    text.bytes().filter(|&b| b != WORD_SEPARATOR as u8)
}

/// Entry ids ordered by compact text, then id. Sorting compares an 8-byte big-endian key of the
/// compact text first and walks the full texts only when those keys tie.
fn sort_by_compact_text(texts: &str, text_ends: &[u32]) -> Vec<u32> {
    let text_of = |id: u32| -> &str {
        let id = id as usize;
        let start = if id == 0 {
            0
        } else {
            text_ends[id - 1] as usize
        };
        &texts[start..text_ends[id] as usize]
    };
    let mut keyed: Vec<(u64, u32)> = (0..text_ends.len() as u32)
        .map(|id| {
            let mut key = [0u8; 8];
            for (slot, byte) in key.iter_mut().zip(compact_bytes(text_of(id))) {
                *slot = byte;
            }
            (u64::from_be_bytes(key), id)
        })
        .collect();
    keyed.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            if a.0.to_be_bytes()[7] == 0 {
                // Both compact texts are shorter than 8 bytes and equal.
                a.1.cmp(&b.1)
            } else {
                compact_bytes(text_of(a.1))
                    .cmp(compact_bytes(text_of(b.1)))
                    .then(a.1.cmp(&b.1))
            }
        })
    });
    keyed.into_iter().map(|(_, id)| id).collect()
}

/// Compares the start of a compact text with `prefix`: `Equal` if the compact text starts with
/// it, otherwise the order of the compact text relative to any text starting with `prefix`.
pub(super) fn compare_compact_prefix(text: &str, prefix: &[u8]) -> Ordering {
    let mut compact = compact_bytes(text);
    for &wanted in prefix {
        match compact.next() {
            None => return Ordering::Less,
            Some(byte) if byte != wanted => return byte.cmp(&wanted),
            Some(_) => {}
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_sort_by_text_without_separators() {
        let index = SearchIndex::build(["the beatles", "ac dc", "", "acdc", "a", "abba", "ac"]);
        let order: Vec<&str> = index.by_compact.iter().map(|&id| index.text(id)).collect();
        assert_eq!(
            order,
            ["", "a", "abba", "ac", "ac dc", "acdc", "the beatles"]
        );
    }

    #[test]
    fn long_compact_texts_sort_past_the_key() {
        let index = SearchIndex::build(["abcdefgh zz", "abcdefghij", "abcdefgh a"]);
        let order: Vec<u32> = index.by_compact.clone();
        assert_eq!(order, [2, 1, 0]);
    }

    #[test]
    fn compact_prefix_comparison() {
        assert_eq!(compare_compact_prefix("ac dc", b"acd"), Ordering::Equal);
        assert_eq!(compare_compact_prefix("ab", b"abc"), Ordering::Less);
        assert_eq!(compare_compact_prefix("b", b"abc"), Ordering::Greater);
        assert_eq!(compare_compact_prefix("aa z", b"ab"), Ordering::Less);
    }

    #[test]
    fn overlong_texts_are_cut_on_a_character_boundary() {
        let text = "é".repeat(MAX_TEXT_BYTES);
        let cut = cut_at_char_boundary(&text, 5);
        assert_eq!(cut, "éé");
        let index = SearchIndex::build([text.as_str()]);
        assert_eq!(index.text_chars[0] as usize, MAX_TEXT_BYTES / 2);
    }
}
