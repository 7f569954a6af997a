//! The distinct words of all indexed texts, sorted, each with the ascending list of entries that
//! contain it; and an n-gram index from character n-grams to the vocabulary words holding them.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::{Range, RangeInclusive};

use super::fold::{is_cjk, WORD_SEPARATOR};
use super::vec_bytes;

/// The sorted distinct words. Word ids are positions in sorted order, so every prefix of a word
/// selects one contiguous id range, and that range's postings are one contiguous slice.
pub(crate) struct Vocabulary {
    /// Every word, back to back, in sorted order.
    text: String,
    /// Where word `i` ends in `text`.
    ends: Vec<u32>,
    /// Each word's length in characters, saturating at `u8::MAX`.
    chars: Vec<u8>,
    /// Where word `i`'s entries end in `postings`.
    posting_ends: Vec<u32>,
    /// Entry ids, grouped by word, ascending within a word.
    postings: Vec<u32>,
}

impl Vocabulary {
    /// Collects the words of every folded text (`texts` split at `text_ends`).
    pub(crate) fn build(texts: &str, text_ends: &[u32]) -> Vocabulary {
        let mut ids: HashMap<&str, u32, FastHash> =
            HashMap::with_capacity_and_hasher(text_ends.len(), FastHash::default());
        let mut words: Vec<&str> = Vec::new();
        // (first-seen word id, entry) for each distinct word of each entry, in entry order.
        let mut occurrences: Vec<(u32, u32)> = Vec::with_capacity(text_ends.len() * 4);
        let mut entry_words: Vec<u32> = Vec::new();
        let mut start = 0usize;
        for (entry, &end) in text_ends.iter().enumerate() {
            let text = &texts[start..end as usize];
            start = end as usize;
            entry_words.clear();
            for word in text.split(WORD_SEPARATOR).filter(|w| !w.is_empty()) {
                let id = *ids.entry(word).or_insert_with(|| {
                    words.push(word);
                    (words.len() - 1) as u32
                });
                entry_words.push(id);
            }
            entry_words.sort_unstable();
            entry_words.dedup();
            occurrences.extend(entry_words.iter().map(|&w| (w, entry as u32)));
        }
        drop(ids);

        let mut sorted: Vec<u32> = (0..words.len() as u32).collect();
        sorted.sort_unstable_by_key(|&w| words[w as usize]);
        let mut sorted_id = vec![0u32; words.len()];
        let mut text = String::with_capacity(words.iter().map(|w| w.len()).sum());
        let mut ends = Vec::with_capacity(words.len());
        let mut chars = Vec::with_capacity(words.len());
        for (position, &first_seen) in sorted.iter().enumerate() {
            sorted_id[first_seen as usize] = position as u32;
            let word = words[first_seen as usize];
            text.push_str(word);
            ends.push(text.len() as u32);
            chars.push(word.chars().count().min(u8::MAX as usize) as u8);
        }

        // Counting sort of the occurrences by sorted word id; entries stay ascending per word
        // because occurrences are in entry order.
        let mut posting_ends = vec![0u32; words.len()];
        for &(word, _) in &occurrences {
            posting_ends[sorted_id[word as usize] as usize] += 1;
        }
        let mut total = 0u32;
        for end in posting_ends.iter_mut() {
            total += *end;
            *end = total;
        }
        let mut cursor: Vec<u32> = std::iter::once(0)
            .chain(posting_ends.iter().copied())
            .take(words.len())
            .collect();
        let mut postings = vec![0u32; occurrences.len()];
        for &(word, entry) in &occurrences {
            let slot = &mut cursor[sorted_id[word as usize] as usize];
            postings[*slot as usize] = entry;
            *slot += 1;
        }

        Vocabulary {
            text,
            ends,
            chars,
            posting_ends,
            postings,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn word(&self, id: u32) -> &str {
        let id = id as usize;
        let start = if id == 0 {
            0
        } else {
            self.ends[id - 1] as usize
        };
        &self.text[start..self.ends[id] as usize]
    }

    /// The word's length in characters (saturating at 255).
    pub(crate) fn chars(&self, id: u32) -> usize {
        self.chars[id as usize] as usize
    }

    /// The ids of all words starting with `prefix` (the word equal to it comes first).
    pub(crate) fn prefix_range(&self, prefix: &str) -> Range<u32> {
        let first = partition(0, self.len() as u32, |id| self.word(id) < prefix);
        let end = partition(first, self.len() as u32, |id| {
            self.word(id).starts_with(prefix)
        });
        first..end
    }

    /// The entries containing any word in `ids`, word by word (an entry may appear once per
    /// word).
    pub(crate) fn postings(&self, ids: Range<u32>) -> &[u32] {
        if ids.is_empty() {
            return &[];
        }
        let start = match ids.start {
            0 => 0,
            id => self.posting_ends[id as usize - 1] as usize,
        };
        let end = self.posting_ends[ids.end as usize - 1] as usize;
        &self.postings[start..end]
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + vec_bytes(&self.ends)
            + vec_bytes(&self.chars)
            + vec_bytes(&self.posting_ends)
            + vec_bytes(&self.postings)
    }
}

/// Index from character n-grams to the vocabulary words that contain them. Alphabetic words
/// are indexed by padded trigrams (used for substring and edit-distance candidates); CJK words,
/// whose characters carry far more information each, by their single characters.
///
/// Each gram's words are ordered by (length in characters, id), so the words of a length
/// window (within the edit bound of a query word, or long enough to contain it) are one
/// sub-slice found by binary search.
pub(crate) struct GramIndex {
    /// Sorted gram keys.
    keys: Vec<u64>,
    /// Where gram `i`'s words end in `words`.
    ends: Vec<u32>,
    /// Word ids, grouped by gram, ordered by (length, id) within a gram.
    words: Vec<u32>,
}

impl GramIndex {
    pub(crate) fn build(vocabulary: &Vocabulary) -> GramIndex {
        let mut gram_ids: HashMap<u64, u32, FastHash> = HashMap::default();
        let mut keys: Vec<u64> = Vec::new();
        // (first-seen gram id, word), in word order.
        let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(vocabulary.len() * 8);
        let mut chars: Vec<char> = Vec::new();
        let mut word_keys: Vec<u64> = Vec::new();
        // Emitting words by (length, id) makes the counting sort below leave every gram's list
        // in that order.
        let mut by_length: Vec<u32> = (0..vocabulary.len() as u32).collect();
        by_length.sort_by_key(|&w| vocabulary.chars[w as usize]);
        for word in by_length {
            chars.clear();
            chars.extend(vocabulary.word(word).chars());
            word_grams(&chars, &mut word_keys);
            for &key in &word_keys {
                let id = *gram_ids.entry(key).or_insert_with(|| {
                    keys.push(key);
                    (keys.len() - 1) as u32
                });
                pairs.push((id, word));
            }
        }
        drop(gram_ids);

        let mut sorted: Vec<u32> = (0..keys.len() as u32).collect();
        sorted.sort_unstable_by_key(|&g| keys[g as usize]);
        let mut sorted_id = vec![0u32; keys.len()];
        for (position, &first_seen) in sorted.iter().enumerate() {
            sorted_id[first_seen as usize] = position as u32;
        }
        let mut ends = vec![0u32; keys.len()];
        for &(gram, _) in &pairs {
            ends[sorted_id[gram as usize] as usize] += 1;
        }
        let mut total = 0u32;
        for end in ends.iter_mut() {
            total += *end;
            *end = total;
        }
        let mut cursor: Vec<u32> = std::iter::once(0)
            .chain(ends.iter().copied())
            .take(keys.len())
            .collect();
        let mut words = vec![0u32; pairs.len()];
        for &(gram, word) in &pairs {
            let slot = &mut cursor[sorted_id[gram as usize] as usize];
            words[*slot as usize] = word;
            *slot += 1;
        }
        let sorted_keys = sorted.iter().map(|&g| keys[g as usize]).collect();

        GramIndex {
            keys: sorted_keys,
            ends,
            words,
        }
    }

    /// The words holding gram `key` whose length in characters is in `lengths`, ordered by
    /// (length, id).
    pub(crate) fn words_with(
        &self,
        key: u64,
        lengths: RangeInclusive<usize>,
        vocabulary: &Vocabulary,
    ) -> &[u32] {
        let Ok(i) = self.keys.binary_search(&key) else {
            return &[];
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let all = &self.words[start..self.ends[i] as usize];
        let first = all.partition_point(|&w| vocabulary.chars(w) < *lengths.start());
        let end = all.partition_point(|&w| vocabulary.chars(w) <= *lengths.end());
        &all[first..end.max(first)]
    }

    /// Whether `word` is in `list`, a list returned by `words_with`.
    pub(crate) fn list_contains(list: &[u32], word: u32, vocabulary: &Vocabulary) -> bool {
        let key = |w: u32| (vocabulary.chars(w), w);
        list.binary_search_by_key(&key(word), |&w| key(w)).is_ok()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        vec_bytes(&self.keys) + vec_bytes(&self.ends) + vec_bytes(&self.words)
    }
}

/// Stands in for the characters before the start and after the end of a word.
const PAD: char = '\0';

fn trigram_key(a: char, b: char, c: char) -> u64 {
    ((a as u64) << 42) | ((b as u64) << 21) | c as u64
}

fn unigram_key(c: char) -> u64 {
    (1 << 63) | c as u64
}

/// The distinct grams a vocabulary word is indexed under, sorted.
fn word_grams(chars: &[char], out: &mut Vec<u64>) {
    if chars.first().is_some_and(|&c| is_cjk(c)) {
        single_characters(chars, out);
    } else {
        padded_trigrams(chars, out);
    }
}

/// The distinct trigrams of the word padded with two `PAD`s on each side ("ab" gives "␀␀a",
/// "␀ab", "ab␀", "b␀␀"), sorted. Padding gives short words grams to match on, and marks which
/// grams sit at the word's edges.
pub(crate) fn padded_trigrams(chars: &[char], out: &mut Vec<u64>) {
    out.clear();
    if chars.is_empty() {
        return;
    }
    let at = |i: usize| -> char {
        if i < 2 || i >= chars.len() + 2 {
            PAD
        } else {
            chars[i - 2]
        }
    };
    for i in 0..chars.len() + 2 {
        out.push(trigram_key(at(i), at(i + 1), at(i + 2)));
    }
    out.sort_unstable();
    out.dedup();
}

/// The distinct unpadded trigrams of the word, sorted: a word containing another word holds all
/// of these.
pub(crate) fn inner_trigrams(chars: &[char], out: &mut Vec<u64>) {
    out.clear();
    out.extend(chars.windows(3).map(|w| trigram_key(w[0], w[1], w[2])));
    out.sort_unstable();
    out.dedup();
}

/// The distinct characters of a CJK word as gram keys, sorted.
pub(crate) fn single_characters(chars: &[char], out: &mut Vec<u64>) {
    out.clear();
    out.extend(chars.iter().map(|&c| unigram_key(c)));
    out.sort_unstable();
    out.dedup();
}

/// The first position in `lo..hi` where `is_before` turns false (`is_before` must be true for a
/// prefix of the range and false after it).
fn partition(mut lo: u32, mut hi: u32, is_before: impl Fn(u32) -> bool) -> u32 {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if is_before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// A fast non-cryptographic hasher (the FxHash mixing step) for build-time maps keyed by words
/// and gram keys; the default SipHash would take a good share of the build time.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher {
    hash: u64,
}

type FastHash = BuildHasherDefault<FastHasher>;

impl FastHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary(texts: &[&str]) -> Vocabulary {
        let mut all = String::new();
        let mut ends = Vec::new();
        for text in texts {
            all.push_str(text);
            ends.push(all.len() as u32);
        }
        Vocabulary::build(&all, &ends)
    }

    fn words(v: &Vocabulary, ids: Range<u32>) -> Vec<&str> {
        ids.map(|id| v.word(id)).collect()
    }

    #[test]
    fn words_are_sorted_and_distinct_with_their_entries() {
        let v = vocabulary(&["love me do", "love love love", "", "do it"]);
        assert_eq!(words(&v, 0..v.len() as u32), ["do", "it", "love", "me"]);
        let love = v.prefix_range("love");
        assert_eq!(v.postings(love), [0, 1]);
        let d = v.prefix_range("d");
        assert_eq!(v.postings(d), [0, 3]);
        assert_eq!(v.chars(0), 2);
    }

    #[test]
    fn prefix_range_selects_every_word_with_the_prefix() {
        let v = vocabulary(&["beat beatles beast bee", "be", "zoo"]);
        let range = v.prefix_range("bea");
        assert_eq!(words(&v, range), ["beast", "beat", "beatles"]);
        assert!(v.prefix_range("x").is_empty());
        assert!(v.prefix_range("zoos").is_empty());
        assert_eq!(words(&v, v.prefix_range("")).len(), v.len());
    }

    #[test]
    fn postings_of_a_range_are_contiguous() {
        let v = vocabulary(&["beat", "beatles", "beat it", "zoo"]);
        let mut all: Vec<u32> = v.postings(v.prefix_range("beat")).to_vec();
        all.sort_unstable();
        assert_eq!(all, [0, 1, 2]);
        assert!(v.postings(0..0).is_empty());
    }

    #[test]
    fn grams_find_words_by_trigram_and_cjk_character() {
        let v = vocabulary(&["beatles battle", "東京事変"]);
        let grams = GramIndex::build(&v);
        let any = 0..=usize::MAX;
        let with_atl: Vec<&str> = grams
            .words_with(trigram_key('a', 't', 'l'), any.clone(), &v)
            .iter()
            .map(|&w| v.word(w))
            .collect();
        assert_eq!(with_atl, ["beatles"]);
        let starting_b = grams.words_with(trigram_key(PAD, PAD, 'b'), any.clone(), &v);
        assert_eq!(starting_b.len(), 2);
        let with_jing: Vec<&str> = grams
            .words_with(unigram_key('京'), any.clone(), &v)
            .iter()
            .map(|&w| v.word(w))
            .collect();
        assert_eq!(with_jing, ["東京事変"]);
        assert!(grams
            .words_with(trigram_key('x', 'y', 'z'), any, &v)
            .is_empty());
    }

    #[test]
    fn gram_lists_are_ordered_by_length_and_cut_to_a_window() {
        let v = vocabulary(&["bab ab abab ba abba b"]);
        let grams = GramIndex::build(&v);
        let starting_a = trigram_key(PAD, PAD, 'a');
        let all: Vec<&str> = grams
            .words_with(starting_a, 0..=usize::MAX, &v)
            .iter()
            .map(|&w| v.word(w))
            .collect();
        assert_eq!(all, ["ab", "abab", "abba"]);
        let long: Vec<&str> = grams
            .words_with(starting_a, 3..=4, &v)
            .iter()
            .map(|&w| v.word(w))
            .collect();
        assert_eq!(long, ["abab", "abba"]);
        assert!(grams.words_with(starting_a, 5..=9, &v).is_empty());
        let list = grams.words_with(starting_a, 0..=9, &v);
        let abba = v.prefix_range("abba").start;
        let bab = v.prefix_range("bab").start;
        assert!(GramIndex::list_contains(list, abba, &v));
        assert!(!GramIndex::list_contains(list, bab, &v));
    }

    #[test]
    fn padded_trigrams_cover_short_words() {
        let mut out = Vec::new();
        padded_trigrams(&['a', 'b'], &mut out);
        assert_eq!(out.len(), 4);
        padded_trigrams(&[], &mut out);
        assert!(out.is_empty());
        inner_trigrams(&['a', 'b'], &mut out);
        assert!(out.is_empty());
        inner_trigrams(&['a', 'a', 'a', 'a'], &mut out);
        assert_eq!(out.len(), 1);
    }
}
