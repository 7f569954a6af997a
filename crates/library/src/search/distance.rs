//! Edit distance between a query word and vocabulary words: Levenshtein plus adjacent
//! transpositions (optimal string alignment), so "beatels" is one edit from "beatles".
//!
//! Computed bit-parallel (Myers' algorithm with Hyyrö's transposition extension): the query
//! word's character positions are bitmasks in one `u64`, so each character of the other word
//! costs a handful of word operations, whatever the lengths. Fuzzy matching checks hundreds of
//! candidate words per query word, so this is the inner loop of typo tolerance.

/// The longest query word matched; longer query words are cut to it (one bit per character).
pub(crate) const MAX_WORD_CHARS: usize = 64;

/// A query word prepared for distance computations against many other words.
pub(crate) struct WordPattern {
    /// For each ASCII character, the positions where it occurs in the word.
    ascii: [u64; 128],
    /// The same for the (rare) non-ASCII characters.
    other: Vec<(char, u64)>,
    len: usize,
}

impl WordPattern {
    /// `word` is cut to `MAX_WORD_CHARS` characters.
    pub(crate) fn new(word: &[char]) -> WordPattern {
        let mut pattern = WordPattern {
            ascii: [0; 128],
            other: Vec::new(),
            len: word.len().min(MAX_WORD_CHARS),
        };
        for (i, &c) in word.iter().take(MAX_WORD_CHARS).enumerate() {
            let bit = 1u64 << i;
            if c.is_ascii() {
                pattern.ascii[c as usize] |= bit;
            } else if let Some(entry) = pattern.other.iter_mut().find(|(o, _)| *o == c) {
                entry.1 |= bit;
            } else {
                pattern.other.push((c, bit));
            }
        }
        pattern
    }

    fn positions(&self, c: char) -> u64 {
        if c.is_ascii() {
            self.ascii[c as usize]
        } else {
            self.other
                .iter()
                .find(|(o, _)| *o == c)
                .map_or(0, |&(_, bits)| bits)
        }
    }

    /// The optimal-string-alignment distance between the pattern's word and `text`.
    pub(crate) fn distance(&self, text: &str) -> usize {
        if self.len == 0 {
            return text.chars().count();
        }
        let last = 1u64 << (self.len - 1);
        // Vertical deltas of the DP column: +1 where VP is set, -1 where VN is set.
        let mut vp = u64::MAX;
        let mut vn = 0u64;
        let mut d0 = 0u64;
        let mut previous_matches = 0u64;
        let mut distance = self.len;
        for c in text.chars() {
            let matches = self.positions(c);
            // Positions where the previous text character matched the next pattern character
            // and this one the pattern character before: a transposition.
            let transposed = ((!d0 & matches) << 1) & previous_matches;
            d0 = ((((matches & vp).wrapping_add(vp)) ^ vp) | matches | vn) | transposed;
            let hp = vn | !(d0 | vp);
            let hn = d0 & vp;
            if hp & last != 0 {
                distance += 1;
            } else if hn & last != 0 {
                distance -= 1;
            }
            let hp = (hp << 1) | 1;
            let hn = hn << 1;
            vp = hn | !(d0 | hp);
            vn = hp & d0;
            previous_matches = matches;
        }
        distance
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        WordPattern::new(&a).distance(b)
    }

    /// The textbook dynamic program, as the reference.
    fn reference_distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn counts_single_edits() {
        assert_eq!(distance("beatles", "beatles"), 0);
        assert_eq!(distance("metalica", "metallica"), 1);
        assert_eq!(distance("kendrik", "kendrick"), 1);
        assert_eq!(distance("bjork", "bjark"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn a_transposition_is_one_edit() {
        assert_eq!(distance("beatels", "beatles"), 1);
        assert_eq!(distance("ab", "ba"), 1);
        // optimal string alignment: no edits inside a transposed pair
        assert_eq!(distance("ca", "abc"), 3);
    }

    #[test]
    fn handles_empty_and_non_ascii_words() {
        assert_eq!(distance("", "ab"), 2);
        assert_eq!(distance("ab", ""), 2);
        assert_eq!(distance("東京事変", "東京事件"), 1);
        assert_eq!(distance("кино", "книо"), 1);
    }

    #[test]
    fn works_up_to_the_longest_word() {
        let long: String = "ab".repeat(MAX_WORD_CHARS / 2);
        assert_eq!(distance(&long, &long), 0);
        let mut typo = long.clone();
        typo.replace_range(10..11, "x");
        assert_eq!(distance(&long, &typo), 1);
        // longer words are cut to the limit
        let longer = "a".repeat(MAX_WORD_CHARS + 10);
        assert_eq!(distance(&longer, &"a".repeat(MAX_WORD_CHARS)), 0);
    }

    #[test]
    fn agrees_with_the_reference_on_random_words() {
        let mut rng = super::super::tests::Rng::new(42);
        let alphabet = ['a', 'b', 'c', 'd', 'é'];
        for _ in 0..3000 {
            let mut word = |max: usize| -> String {
                let n = rng.below(max + 1);
                (0..n).map(|_| *rng.pick(&alphabet)).collect()
            };
            let a = word(12);
            let b = word(12);
            assert_eq!(distance(&a, &b), reference_distance(&a, &b), "{a:?} {b:?}");
        }
    }
}
