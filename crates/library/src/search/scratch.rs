//! Per-query working memory: one state slot per entry and per vocabulary word, reset in O(1)
//! by bumping a generation stamp, and pooled per index so queries allocate almost nothing.

use super::SearchIndex;

/// What one query has found out about one entry so far. Valid only when `stamp` equals the
/// scratch's current generation.
#[derive(Clone, Copy, Default)]
pub(crate) struct EntryState {
    pub stamp: u32,
    /// Bit `i` is set once query word `i` has matched a word of the entry.
    pub matched_words: u16,
    /// Characters of the query words matched so far.
    pub matched_chars: u16,
    /// The weakest kind of word match used (a `WordMatch` as a number).
    pub weakest: u8,
    /// Edits spent on fuzzy word matches.
    pub edits: u8,
    /// The whole-text score (exact or prefix), 0 if the whole text did not match.
    pub whole_text_score: u8,
}

/// A vocabulary word's count of grams shared with the current query word.
#[derive(Clone, Copy, Default)]
pub(crate) struct WordSlot {
    pub stamp: u32,
    pub shared_grams: u16,
}

pub(crate) struct Scratch {
    generation: u32,
    pub entries: Vec<EntryState>,
    /// Entries whose state belongs to the current generation.
    pub touched: Vec<u32>,
    word_generation: u32,
    pub words: Vec<WordSlot>,
    /// Vocabulary words collected for the current query word.
    pub candidate_words: Vec<u32>,
    /// Gram keys of the current query word.
    pub gram_keys: Vec<u64>,
}

impl Scratch {
    fn new(entries: usize, words: usize) -> Scratch {
        Scratch {
            generation: 0,
            entries: vec![EntryState::default(); entries],
            touched: Vec::new(),
            word_generation: 0,
            words: vec![WordSlot::default(); words],
            candidate_words: Vec::new(),
            gram_keys: Vec::new(),
        }
    }

    /// Forgets every entry state of the previous query.
    pub(crate) fn begin_query(&mut self) {
        self.touched.clear();
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.entries.fill(EntryState::default());
            self.generation = 1;
        }
    }

    /// The current generation's state of `entry`, or `None` if the entry has not been reached
    /// and `may_add` is false.
    #[inline]
    pub(crate) fn entry(&mut self, entry: u32, may_add: bool) -> Option<&mut EntryState> {
        let state = &mut self.entries[entry as usize];
        if state.stamp != self.generation {
            if !may_add {
                return None;
            }
            *state = EntryState {
                stamp: self.generation,
                ..EntryState::default()
            };
            self.touched.push(entry);
        }
        Some(state)
    }

    /// Forgets every word slot of the previous query word.
    pub(crate) fn begin_word(&mut self) {
        self.candidate_words.clear();
        self.word_generation = self.word_generation.wrapping_add(1);
        if self.word_generation == 0 {
            self.words.fill(WordSlot::default());
            self.word_generation = 1;
        }
    }

    /// Counts one more gram shared by vocabulary word `word`, collecting the word the first
    /// time.
    #[inline]
    pub(crate) fn count_shared_gram(&mut self, word: u32) {
        let slot = &mut self.words[word as usize];
        if slot.stamp != self.word_generation {
            slot.stamp = self.word_generation;
            slot.shared_grams = 0;
            self.candidate_words.push(word);
        }
        slot.shared_grams = slot.shared_grams.saturating_add(1);
    }

    pub(crate) fn shared_grams(&self, word: u32) -> u16 {
        self.words[word as usize].shared_grams
    }
}

/// At most this many idle scratches are kept per index; more concurrent queries than that
/// allocate and drop their own.
const MAX_POOLED: usize = 4;

impl SearchIndex {
    /// Runs `f` with a scratch sized for this index, taken from the pool and returned after.
    pub(crate) fn with_scratch<R>(&self, f: impl FnOnce(&mut Scratch) -> R) -> R {
        let pooled = self
            .scratch_pool
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let mut scratch = pooled.unwrap_or_else(|| Scratch::new(self.len(), self.words.len()));
        let result = f(&mut scratch);
        let mut pool = self
            .scratch_pool
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if pool.len() < MAX_POOLED {
            pool.push(scratch);
        }
        result
    }
}
