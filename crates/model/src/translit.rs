//! Transliteration that reproduces Python Unidecode's output (what Swing Music hashes artist names
//! with) on top of the `deunicode` tables, patched where the two disagree.
//!
//! Unidecode maps each character independently and keeps every byte of its table entry, including
//! the trailing space of CJK syllables ("北京" → "Bei Jing "). deunicode's string functions trim
//! such spaces, so this works character by character with `deunicode_char` instead.

use crate::unidecode_compat::{OVERRIDES, SILENT};

/// Appends Unidecode's transliteration of `text` to `out`.
pub(crate) fn unidecode_into(text: &str, out: &mut String) {
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(unidecode_char(c));
        }
    }
}

/// Unidecode's output for one non-ASCII character ("" where it has none).
fn unidecode_char(c: char) -> &'static str {
    if let Ok(index) = OVERRIDES.binary_search_by_key(&c, |&(key, _)| key) {
        return OVERRIDES[index].1;
    }
    if is_silent(c as u32) {
        return "";
    }
    deunicode::deunicode_char(c).unwrap_or("")
}

fn is_silent(code_point: u32) -> bool {
    let index = SILENT.partition_point(|&(_, end)| end < code_point);
    SILENT
        .get(index)
        .is_some_and(|&(start, _)| start <= code_point)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unidecode(text: &str) -> String {
        let mut out = String::new();
        unidecode_into(text, &mut out);
        out
    }

    #[test]
    fn keeps_trailing_spaces_of_cjk_syllables() {
        assert_eq!(unidecode("北京"), "Bei Jing ");
    }

    #[test]
    fn matches_unidecode_where_deunicode_differs() {
        // Values observed from Python Unidecode 1.4.
        assert_eq!(unidecode("ヨルシカ"), "yorushika");
        assert_eq!(unidecode("ちっつ"), "chitsutsu");
        assert_eq!(unidecode("ー"), "-");
        assert_eq!(unidecode("ŋ"), "ng");
        // Unidecode has no entry for emoji; deunicode names them.
        assert_eq!(unidecode("🎵"), "");
        assert_eq!(unidecode("㐀"), "");
    }

    #[test]
    fn agrees_where_tables_agree() {
        assert_eq!(unidecode("beyoncé"), "beyonce");
        assert_eq!(unidecode("motörhead"), "motorhead");
        assert_eq!(unidecode("æ"), "ae");
        assert_eq!(unidecode("сплин"), "splin");
    }
}
