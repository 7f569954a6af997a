//! Folding text into the form that search compares: lowercase, accents stripped, Latin-adjacent
//! scripts transliterated to ASCII, CJK (Han, kana, Hangul) kept as written, and every run of
//! punctuation, symbols or spaces turned into one word separator.
//!
//! Indexed texts and queries go through the same function, so whatever folding does to one it
//! does to the other.

use deunicode::deunicode_char;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// The separator between words in folded text. Folded text never starts or ends with it and
/// never holds two in a row.
pub(crate) const WORD_SEPARATOR: char = ' ';

/// Appends the folded form of `text` to `out`; `out` should be empty or end where a previous
/// folded text ended (no separator is added in front).
pub(crate) fn fold_into(text: &str, out: &mut String) {
    let mut folder = Folder {
        out,
        start: 0,
        last_class: None,
        pending_separator: false,
    };
    folder.start = folder.out.len();
    // Decomposed input (macOS file names, some taggers) is composed first, so that a
    // decomposed "が" or Hangul jamo sequence folds exactly like the precomposed character a
    // query will carry. ASCII and ordinary NFC text skip the extra pass.
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text.chars().for_each(|c| folder.push(c));
    } else {
        text.nfc().for_each(|c| folder.push(c));
    }
}

/// Returns the folded form of `text`.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// Whether `c` is a Han ideograph, kana or Hangul letter. These are kept as written: their
/// transliteration (Chinese readings for Japanese kanji, for instance) would make "東京" stop
/// matching itself as a substring and would match unrelated romanised words.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF        // Hangul jamo
        | 0x3005..=0x3007      // 々 〆 〇
        | 0x3041..=0x3096      // hiragana
        | 0x309D..=0x309F      // hiragana iteration marks
        | 0x30A1..=0x30FA      // katakana
        | 0x30FC..=0x30FF      // prolonged sound mark, katakana iteration marks
        | 0x3105..=0x312F      // bopomofo
        | 0x3131..=0x318E      // Hangul compatibility jamo
        | 0x31F0..=0x31FF      // katakana phonetic extensions
        | 0x3400..=0x4DBF      // CJK extension A
        | 0x4E00..=0x9FFF      // CJK unified ideographs
        | 0xA960..=0xA97F      // Hangul jamo extended A
        | 0xAC00..=0xD7AF      // Hangul syllables
        | 0xD7B0..=0xD7FF      // Hangul jamo extended B
        | 0xF900..=0xFAFF      // CJK compatibility ideographs
        | 0x20000..=0x323AF // CJK extensions B and later
    )
}

/// Apostrophes are dropped without separating words, so "Don't" folds to "dont".
fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '`' | '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{00B4}'
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CharClass {
    /// Letters and digits other than CJK (after transliteration, nearly always ASCII).
    Word,
    Cjk,
}

struct Folder<'a> {
    out: &'a mut String,
    /// Where this text's folded form starts in `out`.
    start: usize,
    last_class: Option<CharClass>,
    pending_separator: bool,
}

impl Folder<'_> {
    fn push(&mut self, c: char) {
        if c.is_ascii() {
            self.push_ascii(c);
        } else if is_cjk(c) {
            self.emit(c, CharClass::Cjk);
        } else if is_apostrophe(c) {
            // dropped: joins the word around it
        } else {
            decompose_compatible(c, |part| self.push_decomposed(part));
        }
    }

    fn push_ascii(&mut self, c: char) {
        if c.is_ascii_alphanumeric() {
            self.emit(c.to_ascii_lowercase(), CharClass::Word);
        } else if !is_apostrophe(c) {
            self.separate();
        }
    }

    /// Handles one character of a compatibility decomposition (fullwidth "Ａ" gives "A", "é"
    /// gives "e" plus a combining accent, "㍻" gives "平成").
    fn push_decomposed(&mut self, c: char) {
        if c.is_ascii() {
            self.push_ascii(c);
        } else if is_combining_mark(c) {
            // accents and other marks are folded away
        } else if is_cjk(c) {
            self.emit(c, CharClass::Cjk);
        } else if c.is_alphanumeric() {
            self.push_transliterated(c);
        } else {
            self.separate();
        }
    }

    /// Letters of other scripts become their ASCII transliteration ("Ж" gives "zh", "ø" gives
    /// "o"); a letter without one is kept, lowercased.
    fn push_transliterated(&mut self, c: char) {
        match deunicode_char(c) {
            Some(ascii) if ascii.bytes().any(|b| b.is_ascii_alphanumeric()) => {
                for t in ascii.chars() {
                    if t.is_ascii_alphanumeric() {
                        self.emit(t.to_ascii_lowercase(), CharClass::Word);
                    } else if t.is_ascii_whitespace() {
                        self.separate();
                    }
                    // other punctuation inside a transliteration (a soft sign's "'") is dropped
                    // so the word stays whole
                }
            }
            _ => {
                for lower in c.to_lowercase() {
                    self.emit(lower, CharClass::Word);
                }
            }
        }
    }

    fn separate(&mut self) {
        self.pending_separator = true;
    }

    /// Writes one folded character, with a separator in front of it if a separator is
    /// pending or the script class changes ("東京abc" gives two words).
    fn emit(&mut self, c: char, class: CharClass) {
        let has_text = self.out.len() > self.start;
        if has_text && (self.pending_separator || self.last_class != Some(class)) {
            self.out.push(WORD_SEPARATOR);
        }
        self.out.push(c);
        self.last_class = Some(class);
        self.pending_separator = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_and_strips_accents() {
        assert_eq!(fold("Beyoncé"), "beyonce");
        assert_eq!(fold("BJÖRK"), "bjork");
        assert_eq!(fold("Mötley Crüe"), "motley crue");
        assert_eq!(fold("Sigur Rós"), "sigur ros");
    }

    #[test]
    fn transliterates_letters_without_decomposition() {
        assert_eq!(fold("Røyksopp"), "royksopp");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Łódź"), "lodz");
        assert_eq!(fold("Кино"), "kino");
        assert_eq!(fold("Ελένη"), "elene");
    }

    #[test]
    fn keeps_cjk_as_written() {
        assert_eq!(fold("東京事変 - 群青日和"), "東京事変 群青日和");
        assert_eq!(fold("ありがとう"), "ありがとう");
        assert_eq!(fold("방탄소년단"), "방탄소년단");
    }

    #[test]
    fn splits_words_where_the_script_changes() {
        assert_eq!(fold("東京ABC"), "東京 abc");
        assert_eq!(fold("AKB48"), "akb48");
    }

    #[test]
    fn composes_decomposed_input_first() {
        // "が" written as か + combining dakuten, and a decomposed Hangul syllable
        assert_eq!(fold("\u{304B}\u{3099}"), "が");
        assert_eq!(fold("\u{1112}\u{1161}\u{11AB}"), "한");
        assert_eq!(fold("Beyonce\u{301}"), "beyonce");
    }

    #[test]
    fn compatibility_forms_fold_to_plain_letters() {
        assert_eq!(fold("ＡＢＣ１"), "abc1");
        assert_eq!(fold("ﬁre"), "fire");
    }

    #[test]
    fn punctuation_and_symbols_separate_words_once() {
        assert_eq!(fold("  AC/DC  "), "ac dc");
        assert_eq!(fold("Hello,   World!!!"), "hello world");
        assert_eq!(fold("a\u{0}b\tc\u{7f}d"), "a b c d");
        assert_eq!(fold("🎵 Music 🎶"), "music");
    }

    #[test]
    fn apostrophes_join_words() {
        assert_eq!(fold("Don't Stop"), "dont stop");
        assert_eq!(fold("Don’t Stop"), "dont stop");
        assert_eq!(fold("Rock 'n' Roll"), "rock n roll");
    }

    #[test]
    fn nothing_to_fold_gives_empty() {
        assert_eq!(fold(""), "");
        assert_eq!(fold("   "), "");
        assert_eq!(fold("!?…—"), "");
        assert_eq!(fold("🎵🎶"), "");
    }

    #[test]
    fn appending_keeps_earlier_text() {
        let mut out = String::from("abc");
        fold_into(" Déjà Vu ", &mut out);
        assert_eq!(out, "abcdeja vu");
    }
}
