//! Typo-tolerant, accent- and case-folding search over names and titles.
//!
//! One [`SearchIndex`] serves one kind of name (track titles, album titles or artist names).
//! Texts are folded once at build time (lowercase, accents stripped, Latin-adjacent
//! scripts transliterated, CJK kept as written) and stored back to back. A query is folded the
//! same way, then matched in tiers, each scored into its own band of 0..=100:
//!
//! | tier | score |
//! |---|---|
//! | the whole folded text equals the query | 100 |
//! | equal once word separators are ignored ("acdc" and "AC/DC") | 98 |
//! | the whole text starts with the query | 90..=95 |
//! | every query word is a whole word of the text, in any order | 80..=89 |
//! | every query word starts a word of the text (or the letters run on across words) | 70..=79 |
//! | every query word occurs inside a word of the text | 60..=69 |
//! | every query word is within a small edit distance of a word (one edit in all: 57..=59) | 55..=59 |
//! | at least half of the query's letters match words of the text | 50..=54 |
//!
//! Within a band, the more of the text the query covers, the higher the score, so shorter texts
//! come first; equal scores are ordered by text length, then by entry id. Nothing under 50 is
//! returned (Swing Music's cutoff).
//!
//! Word rules: a query word matches inside words from 3 letters on (any CJK word does); typos
//! are tolerated from 4 letters on (one edit, two from 8 letters; a transposition is one edit),
//! never for numbers or CJK. Only the first 512 bytes and 8 words of a query are used.
//!
//! Lookup structures: entry ids sorted by compact text (whole-text exact and prefix by binary
//! search), a sorted vocabulary of distinct words with a posting list of entries per word
//! (word exact and prefix by binary search, one contiguous run of postings), and an n-gram index
//! over the vocabulary (padded character trigrams for alphabetic words, single characters for
//! CJK words) that yields the few vocabulary words worth checking for substring and
//! edit-distance matches. Per-query state lives in pooled scratch arrays, so a query allocates
//! next to nothing.

mod build;
mod distance;
mod fold;
mod query;
mod scratch;
mod vocabulary;

#[cfg(test)]
mod bench;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Mutex;

use scratch::Scratch;
use vocabulary::{GramIndex, Vocabulary};

/// One search result: the entry's position in the texts the index was built from, and how well
/// it matched (0..=100, higher is better; only 50 and above are ever returned).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchHit {
    pub id: u32,
    pub score: u32,
}

/// An immutable search index over a list of texts; entry `i` is the `i`-th text given to
/// [`SearchIndex::build`]. Queries may run concurrently from any number of threads.
pub struct SearchIndex {
    /// Every entry's folded text, back to back.
    texts: String,
    /// Where entry `i`'s folded text ends in `texts`; it starts where entry `i - 1`'s ends.
    text_ends: Vec<u32>,
    /// The number of letters and digits (separators not counted) in each entry's folded text,
    /// saturating at `u16::MAX`.
    text_chars: Vec<u16>,
    /// Entry ids sorted by their compact text (folded text without separators).
    by_compact: Vec<u32>,
    words: Vocabulary,
    grams: GramIndex,
    /// Reusable per-query arrays, sized for this index.
    scratch_pool: Mutex<Vec<Scratch>>,
}

impl SearchIndex {
    /// Builds an index whose entry `i` is the `i`-th text.
    pub fn build<'a>(texts: impl IntoIterator<Item = &'a str>) -> SearchIndex {
        build::build(texts)
    }

    /// The best matches for `query`, best first, at most `limit` of them. An empty, blank or
    /// punctuation-only query matches nothing.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        query::search(self, query, limit)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.text_ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text_ends.is_empty()
    }

    /// The folded form of entry `id`'s text (what queries are compared against).
    pub fn folded_text(&self, id: u32) -> Option<&str> {
        let id = id as usize;
        let end = *self.text_ends.get(id)? as usize;
        let start = if id == 0 {
            0
        } else {
            self.text_ends[id - 1] as usize
        };
        Some(&self.texts[start..end])
    }

    /// An estimate of the heap memory the index holds (its arrays, not pooled scratch).
    pub fn heap_bytes(&self) -> usize {
        self.texts.capacity()
            + vec_bytes(&self.text_ends)
            + vec_bytes(&self.text_chars)
            + vec_bytes(&self.by_compact)
            + self.words.heap_bytes()
            + self.grams.heap_bytes()
    }

    /// The folded text of an entry known to exist.
    fn text(&self, id: u32) -> &str {
        self.folded_text(id).unwrap_or_default()
    }
}

impl Default for SearchIndex {
    fn default() -> Self {
        SearchIndex::build(std::iter::empty())
    }
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("entries", &self.len())
            .field("words", &self.words.len())
            .field("heap_bytes", &self.heap_bytes())
            .finish()
    }
}

fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}
