//! Running a query: whole-text matches from the compact-sorted entries, word matches from the
//! vocabulary (whole word, prefix, inside a word, within an edit distance), then scoring and
//! keeping the best `limit`.

use std::cmp::Reverse;
use std::ops::Range;

use super::build::{compact_bytes, compare_compact_prefix, cut_at_char_boundary};
use super::distance::{WordPattern, MAX_WORD_CHARS};
use super::fold::{fold, is_cjk, WORD_SEPARATOR};
use super::scratch::Scratch;
use super::vocabulary::{inner_trigrams, padded_trigrams, single_characters, GramIndex};
use super::{SearchHit, SearchIndex};

/// Only the start of a longer query is used; no name is longer, and it bounds the work.
const MAX_QUERY_BYTES: usize = 512;
/// Query words past this many are ignored (the whole-text match still sees them).
const MAX_QUERY_WORDS: usize = 8;
/// Shorter alphabetic query words only match whole words and word prefixes: "at" inside
/// words would match half the library.
const MIN_INSIDE_CHARS: usize = 3;
/// Shorter alphabetic query words get no typo tolerance: one edit away from a 3-letter word is
/// a different word.
const MIN_FUZZY_CHARS: usize = 4;
/// From this length on, a query word may be two edits away from a word.
const TWO_EDITS_FROM_CHARS: usize = 8;
/// At most this many vocabulary words are checked for their edit distance to one query word:
/// a bound on the work for words whose trigrams are everywhere. True one-edit neighbours share
/// nearly all trigrams and come first.
const MAX_DISTANCE_CHECKS: usize = 400;

/// Swing Music's cutoff: weaker matches are not results.
pub(super) const MIN_SCORE: u32 = 50;
const EXACT_SCORE: u32 = 100;
const COMPACT_EXACT_SCORE: u32 = 98;
/// The bottom of the whole-text prefix band; every word-match score is below it.
const WHOLE_TEXT_PREFIX_SCORE: u32 = 90;

/// How one query word matched a word of an entry, strongest first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
#[repr(u8)]
enum WordMatch {
    Whole = 0,
    Prefix = 1,
    Inside = 2,
    Fuzzy = 3,
}

impl WordMatch {
    fn from_u8(value: u8) -> WordMatch {
        match value {
            0 => WordMatch::Whole,
            1 => WordMatch::Prefix,
            2 => WordMatch::Inside,
            _ => WordMatch::Fuzzy,
        }
    }
}

struct QueryWord {
    text: String,
    chars: Vec<char>,
    cjk: bool,
    bit: u16,
}

struct PreparedQuery {
    folded: String,
    /// The folded query without separators, for whole-text matching.
    compact: Vec<u8>,
    compact_chars: usize,
    words: Vec<QueryWord>,
    /// Characters in `words` (what word matches are measured against).
    word_chars: usize,
}

impl PreparedQuery {
    fn new(query: &str) -> Option<PreparedQuery> {
        let folded = fold(cut_at_char_boundary(query, MAX_QUERY_BYTES));
        if folded.is_empty() {
            return None;
        }
        let compact: Vec<u8> = compact_bytes(&folded).collect();
        let compact_chars = folded.chars().filter(|&c| c != WORD_SEPARATOR).count();
        let words: Vec<QueryWord> = folded
            .split(WORD_SEPARATOR)
            .take(MAX_QUERY_WORDS)
            .enumerate()
            .map(|(i, word)| {
                let chars: Vec<char> = word.chars().take(MAX_WORD_CHARS).collect();
                QueryWord {
                    text: chars.iter().collect(),
                    cjk: is_cjk(chars[0]),
                    chars,
                    bit: 1 << i,
                }
            })
            .collect();
        let word_chars = words.iter().map(|w| w.chars.len()).sum();
        Some(PreparedQuery {
            folded,
            compact,
            compact_chars,
            words,
            word_chars,
        })
    }

    fn all_words(&self) -> u16 {
        ((1u32 << self.words.len()) - 1) as u16
    }
}

pub(super) fn search(index: &SearchIndex, query: &str, limit: usize) -> Vec<SearchHit> {
    if limit == 0 || index.is_empty() {
        return Vec::new();
    }
    let Some(query) = PreparedQuery::new(query) else {
        return Vec::new();
    };
    index.with_scratch(|scratch| {
        scratch.begin_query();
        let strong_whole_text_matches = match_whole_text(index, &query, scratch);
        if strong_whole_text_matches >= limit {
            // Word matches score under the whole-text prefix band, so they could not make it.
            return rank(index, &query, limit, scratch);
        }
        // Longest words first: once the words left cannot make up half of the query's
        // characters, an entry they reach for the first time could never score, so later
        // (short, common) words only refine entries already found.
        let mut order: Vec<&QueryWord> = query.words.iter().collect();
        order.sort_by_key(|w| Reverse(w.chars.len()));
        let mut chars_left = query.word_chars;
        for word in order {
            let may_add = 2 * chars_left >= query.word_chars;
            match_word(index, word, may_add, scratch);
            chars_left -= word.chars.len();
        }
        rank(index, &query, limit, scratch)
    })
}

/// Scores every entry whose compact text starts with the compact query; returns how many
/// scored in the whole-text prefix band or above.
fn match_whole_text(index: &SearchIndex, query: &PreparedQuery, scratch: &mut Scratch) -> usize {
    let lo = index
        .by_compact
        .partition_point(|&id| compare_compact_prefix(index.text(id), &query.compact).is_lt());
    let hi = lo
        + index.by_compact[lo..]
            .partition_point(|&id| compare_compact_prefix(index.text(id), &query.compact).is_eq());
    let mut strong = 0;
    for &id in &index.by_compact[lo..hi] {
        let score = whole_text_score(index, id, query);
        strong += usize::from(score >= WHOLE_TEXT_PREFIX_SCORE);
        if let Some(state) = scratch.entry(id, true) {
            state.whole_text_score = score as u8;
        }
    }
    strong
}

/// The score of an entry whose compact text starts with the compact query.
fn whole_text_score(index: &SearchIndex, id: u32, query: &PreparedQuery) -> u32 {
    let text = index.text(id);
    if text == query.folded {
        return EXACT_SCORE;
    }
    let text_chars = usize::from(index.text_chars[id as usize]).max(1);
    if text_chars == query.compact_chars {
        // Same letters, different separators: "acdc" for "AC/DC".
        return COMPACT_EXACT_SCORE;
    }
    let coverage =
        |band: u32| band * query.compact_chars.min(text_chars) as u32 / text_chars as u32;
    if text.starts_with(&query.folded) {
        WHOLE_TEXT_PREFIX_SCORE + coverage(6)
    } else {
        // The letters run on but the words split differently ("acd" for "AC/DC"): as good as
        // a word prefix.
        70 + coverage(9)
    }
}

/// Records, for every entry with a word matching `word`, the strongest such match.
fn match_word(index: &SearchIndex, word: &QueryWord, may_add: bool, scratch: &mut Scratch) {
    let record = |scratch: &mut Scratch, entries: &[u32], kind: WordMatch, edits: u8| {
        for &entry in entries {
            let Some(state) = scratch.entry(entry, may_add) else {
                continue;
            };
            if state.matched_words & word.bit != 0 {
                continue;
            }
            state.matched_words |= word.bit;
            state.matched_chars += word.chars.len() as u16;
            state.weakest = state.weakest.max(kind as u8);
            state.edits = state.edits.saturating_add(edits);
        }
    };
    // Kinds are recorded strongest first, so the first match of an entry is its best.
    let prefixed = index.words.prefix_range(&word.text);
    let mut longer = prefixed.clone();
    if !prefixed.is_empty() && index.words.word(prefixed.start) == word.text {
        let whole = prefixed.start..prefixed.start + 1;
        record(scratch, index.words.postings(whole), WordMatch::Whole, 0);
        longer.start += 1;
    }
    record(scratch, index.words.postings(longer), WordMatch::Prefix, 0);

    if word.cjk || word.chars.len() >= MIN_INSIDE_CHARS {
        let inside = words_containing(index, word, &prefixed, scratch);
        for &w in &inside {
            record(
                scratch,
                index.words.postings(w..w + 1),
                WordMatch::Inside,
                0,
            );
        }
        scratch.candidate_words = inside;
    }

    // Numbers get no typo tolerance: a year one digit off is another year.
    let is_number = word.chars.iter().all(char::is_ascii_digit);
    if !word.cjk && !is_number && word.chars.len() >= MIN_FUZZY_CHARS {
        let mut near = words_near(index, word, &prefixed, scratch);
        near.sort_unstable();
        for &(edits, w) in &near {
            record(
                scratch,
                index.words.postings(w..w + 1),
                WordMatch::Fuzzy,
                edits,
            );
        }
    }
}

/// Vocabulary words outside `prefixed` that contain `word`. Every such word holds all of the
/// word's inner trigrams (its characters, for CJK), so only words in the intersection of those
/// grams' lists are checked.
fn words_containing(
    index: &SearchIndex,
    word: &QueryWord,
    prefixed: &Range<u32>,
    scratch: &mut Scratch,
) -> Vec<u32> {
    let mut found = std::mem::take(&mut scratch.candidate_words);
    found.clear();
    if word.cjk {
        single_characters(&word.chars, &mut scratch.gram_keys);
    } else {
        inner_trigrams(&word.chars, &mut scratch.gram_keys);
    }
    // Only words at least as long as the query word can contain it.
    let long_enough = word.chars.len()..=usize::MAX;
    let mut lists: Vec<&[u32]> = scratch
        .gram_keys
        .iter()
        .map(|&key| {
            index
                .grams
                .words_with(key, long_enough.clone(), &index.words)
        })
        .collect();
    if lists.is_empty() || lists.iter().any(|list| list.is_empty()) {
        return found;
    }
    lists.sort_unstable_by_key(|list| list.len());
    for &w in lists[0] {
        if prefixed.contains(&w) {
            continue;
        }
        if lists[1..]
            .iter()
            .all(|list| GramIndex::list_contains(list, w, &index.words))
            && index.words.word(w).contains(word.text.as_str())
        {
            found.push(w);
        }
    }
    found
}

/// Vocabulary words outside `prefixed` within the allowed edit distance of `word`, as (edits,
/// word id). Candidates are words of a length within the bound that share enough padded
/// trigrams with the word: an edit changes at most three of them, and a transposition four, so
/// a word `k` edits away shares all but `4k` of the query word's distinct trigrams. At most
/// `MAX_DISTANCE_CHECKS` candidates are checked, those sharing the most trigrams first.
fn words_near(
    index: &SearchIndex,
    word: &QueryWord,
    prefixed: &Range<u32>,
    scratch: &mut Scratch,
) -> Vec<(u8, u32)> {
    let length = word.chars.len();
    let max_edits = if length >= TWO_EDITS_FROM_CHARS { 2 } else { 1 };
    let lengths = length - max_edits..=length + max_edits;
    padded_trigrams(&word.chars, &mut scratch.gram_keys);
    let needed = scratch.gram_keys.len().saturating_sub(4 * max_edits).max(1);
    scratch.begin_word();
    let keys = std::mem::take(&mut scratch.gram_keys);
    for &key in &keys {
        for &w in index.grams.words_with(key, lengths.clone(), &index.words) {
            scratch.count_shared_gram(w);
        }
    }
    scratch.gram_keys = keys;

    // (trigrams not shared, word): ascending puts the most promising first.
    let mut candidates: Vec<(u16, u32)> = scratch
        .candidate_words
        .iter()
        .map(|&w| (scratch.shared_grams(w), w))
        .filter(|&(shared, w)| usize::from(shared) >= needed && !prefixed.contains(&w))
        .map(|(shared, w)| (u16::MAX - shared, w))
        .collect();
    if candidates.len() > MAX_DISTANCE_CHECKS {
        candidates.select_nth_unstable(MAX_DISTANCE_CHECKS);
        candidates.truncate(MAX_DISTANCE_CHECKS);
    }

    let pattern = WordPattern::new(&word.chars);
    candidates
        .into_iter()
        .filter_map(|(_, w)| {
            let edits = pattern.distance(index.words.word(w));
            (edits <= max_edits).then_some((edits as u8, w))
        })
        .collect()
}

/// The score of an entry from its word matches (0 if too weak to be a result).
fn word_score(state: &super::scratch::EntryState, query: &PreparedQuery, text_chars: u32) -> u32 {
    if state.matched_words == 0 {
        return 0;
    }
    let query_chars = query.word_chars as u32;
    let text_chars = text_chars.max(1);
    // How much of the text the query accounts for, scaled to `band`.
    let coverage = |band: u32| band * query_chars.min(text_chars) / text_chars;
    if state.matched_words == query.all_words() {
        return match WordMatch::from_u8(state.weakest) {
            WordMatch::Whole => 80 + coverage(9),
            WordMatch::Prefix => 70 + coverage(9),
            WordMatch::Inside => 60 + coverage(9),
            // Fewer edits first; among as many edits, more coverage first.
            WordMatch::Fuzzy if state.edits <= 1 => 57 + coverage(2),
            WordMatch::Fuzzy => 55 + coverage(1),
        };
    }
    // Some query words matched nothing: a result only if the rest is most of the query.
    let matched = u32::from(state.matched_chars);
    if 2 * matched < query_chars {
        return 0;
    }
    MIN_SCORE + 4 * matched * query_chars.min(text_chars) / (query_chars * text_chars)
}

/// The best `limit` entries reached, best first.
fn rank(
    index: &SearchIndex,
    query: &PreparedQuery,
    limit: usize,
    scratch: &mut Scratch,
) -> Vec<SearchHit> {
    // Sort key: higher score, then fewer characters, then lower id, packed so that ascending
    // order is best first.
    let mut keys: Vec<u64> = Vec::with_capacity(scratch.touched.len().min(4096));
    for &id in &scratch.touched {
        let state = &scratch.entries[id as usize];
        let text_chars = index.text_chars[id as usize];
        let score =
            u32::from(state.whole_text_score).max(word_score(state, query, u32::from(text_chars)));
        if score >= MIN_SCORE {
            let key = (u64::from(EXACT_SCORE - score) << 48)
                | (u64::from(text_chars) << 32)
                | u64::from(id);
            keys.push(key);
        }
    }
    if keys.len() > limit {
        keys.select_nth_unstable(limit);
        keys.truncate(limit);
    }
    keys.sort_unstable();
    keys.into_iter()
        .map(|key| SearchHit {
            id: key as u32,
            score: EXACT_SCORE - (key >> 48) as u32,
        })
        .collect()
}
