//! Text helpers for sorting and searching: natural order, article-aware sort keys, folding, and
//! the ASCII case-insensitive scanning the title rules are built on.

use std::cmp::Ordering;

/// Leading articles ignored by article-aware artist sorting (Swing's `artistSortingArticles`:
/// English, Dutch, French, Portuguese, Italian, Spanish and German). The Italian plural "i" is
/// left out: it would turn English names such as "I Prevail" into "Prevail".
pub const SORT_ARTICLES: &[&str] = &[
    "the", "a", "an", // English
    "de", "het", "een", // Dutch
    "le", "la", "les", "l'", "un", "une", // French
    "o", "os", "as", "um", "uma", // Portuguese
    "il", "lo", "gli", "uno", "una", // Italian
    "el", "los", "las", // Spanish
    "der", "die", "das", "ein", "eine", // German
];

/// Natural, case-folded order: runs of ASCII digits compare by value ("Track 2" < "Track 10"),
/// everything else by lowercase character. Strings equal under these rules fall back to a plain
/// comparison, so the order is total and stable across runs.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    natural_cmp_folded(a, b).then_with(|| a.cmp(b))
}

fn natural_cmp_folded(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    // Fewer leading zeros sorts first among numerically equal runs ("1" < "01").
    let mut zeros_tiebreak = Ordering::Equal;
    loop {
        match (i < a.len(), j < b.len()) {
            (false, false) => return zeros_tiebreak,
            (false, true) => return Ordering::Less,
            (true, false) => return Ordering::Greater,
            (true, true) => {}
        }
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let (run_a, next_i) = digit_run(a, i);
            let (run_b, next_j) = digit_run(b, j);
            let (value_a, value_b) = (trim_zeros(run_a), trim_zeros(run_b));
            let by_value = value_a
                .len()
                .cmp(&value_b.len())
                .then_with(|| value_a.cmp(value_b));
            if by_value != Ordering::Equal {
                return by_value;
            }
            if zeros_tiebreak == Ordering::Equal {
                zeros_tiebreak = run_a.len().cmp(&run_b.len());
            }
            (i, j) = (next_i, next_j);
            continue;
        }
        let (char_a, len_a) = decode_char(a, i);
        let (char_b, len_b) = decode_char(b, j);
        let ordering = if char_a.is_ascii() && char_b.is_ascii() {
            char_a
                .to_ascii_lowercase()
                .cmp(&char_b.to_ascii_lowercase())
        } else {
            char_a.to_lowercase().cmp(char_b.to_lowercase())
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
        i += len_a;
        j += len_b;
    }
}

fn digit_run(bytes: &[u8], start: usize) -> (&[u8], usize) {
    let end = bytes[start..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map_or(bytes.len(), |offset| start + offset);
    (&bytes[start..end], end)
}

fn trim_zeros(run: &[u8]) -> &[u8] {
    let first = run.iter().position(|&b| b != b'0').unwrap_or(run.len());
    &run[first..]
}

/// The char starting at byte `index` of valid UTF-8, and its length.
fn decode_char(bytes: &[u8], index: usize) -> (char, usize) {
    let width = match bytes[index] {
        b if b < 0x80 => 1,
        b if b >= 0xF0 => 4,
        b if b >= 0xE0 => 3,
        _ => 2,
    };
    // The slices come from `&str`s and `index` is always on a char boundary.
    let text = std::str::from_utf8(&bytes[index..index + width]).unwrap_or("\u{FFFD}");
    (text.chars().next().unwrap_or('\u{FFFD}'), width)
}

/// `name` without a leading article, for sorting ("The Beatles" → "Beatles"). Articles match
/// case-insensitively and must be followed by whitespace, except elided ones such as "l'"
/// ("L'Impératrice" → "Impératrice"). A name that is only an article is kept whole.
pub fn strip_article<'a>(name: &'a str, articles: &[&str]) -> &'a str {
    let trimmed = name.trim_start();
    for article in articles {
        let Some(head) = trimmed.get(..article.len()) else {
            continue;
        };
        if article.is_empty() || !head.eq_ignore_ascii_case(article) {
            continue;
        }
        let rest = &trimmed[article.len()..];
        let elided = article.ends_with('\'') || article.ends_with('’');
        if !elided && !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let rest = rest.trim_start();
        if !rest.is_empty() {
            return rest;
        }
    }
    name
}

/// A search and sort key: transliterated to ASCII, then lowercased ("Beyoncé" → "beyonce").
pub fn fold(s: &str) -> String {
    let mut folded = if s.is_ascii() {
        s.to_owned()
    } else {
        deunicode::deunicode_with_tofu(s, "")
    };
    folded.make_ascii_lowercase();
    folded
}

/// Byte offset of the first ASCII-case-insensitive occurrence of `needle` (which must be
/// lowercase ASCII) in `haystack`, searching from `from`.
pub(crate) fn find_ascii_ci(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    let (&first, rest) = needle.split_first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let candidates = hay.get(from..=last_start)?;
    candidates
        .iter()
        .enumerate()
        .filter(|&(_, byte)| byte.to_ascii_lowercase() == first)
        .map(|(offset, _)| from + offset)
        .find(|&start| starts_with_ascii_ci(&hay[start + 1..], rest))
}

/// Whether `haystack` contains `needle` (lowercase ASCII), ignoring ASCII case.
pub(crate) fn contains_ascii_ci(haystack: &str, needle: &str) -> bool {
    find_ascii_ci(haystack, needle, 0).is_some()
}

/// Whether `haystack` starts with `needle` (lowercase ASCII), ignoring ASCII case.
pub(crate) fn starts_with_ascii_ci(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.len() >= needle.len()
        && haystack
            .iter()
            .zip(needle)
            .all(|(h, n)| h.to_ascii_lowercase() == *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut items: Vec<&str>) -> Vec<&str> {
        items.sort_by(|a, b| natural_cmp(a, b));
        items
    }

    #[test]
    fn natural_order_compares_numbers_by_value() {
        assert_eq!(
            sorted(vec!["Track 10", "track 2", "Track 1", "Track 02b"]),
            vec!["Track 1", "track 2", "Track 02b", "Track 10"]
        );
        assert_eq!(natural_cmp("a99", "a100"), Ordering::Less);
        assert_eq!(natural_cmp("x1", "x01"), Ordering::Less);
        assert_eq!(natural_cmp("abc", "ABD"), Ordering::Less);
        assert_eq!(natural_cmp("", "a"), Ordering::Less);
        assert_eq!(natural_cmp("Same", "Same"), Ordering::Equal);
    }

    #[test]
    fn natural_order_folds_case_and_is_total() {
        assert_eq!(natural_cmp("apple", "Banana"), Ordering::Less);
        assert_eq!(natural_cmp("Émile", "émile"), Ordering::Less);
        assert_ne!(natural_cmp("ABC", "abc"), Ordering::Equal);
        assert_eq!(natural_cmp("ÄB", "äa"), Ordering::Greater);
        let huge = "9".repeat(60);
        assert_eq!(natural_cmp(&huge, "1"), Ordering::Greater);
    }

    #[test]
    fn strip_article_handles_languages_and_edge_cases() {
        assert_eq!(strip_article("The Beatles", SORT_ARTICLES), "Beatles");
        assert_eq!(strip_article("the  weeknd", SORT_ARTICLES), "weeknd");
        assert_eq!(strip_article("Die Ärzte", SORT_ARTICLES), "Ärzte");
        assert_eq!(strip_article("L'Impératrice", SORT_ARTICLES), "Impératrice");
        assert_eq!(strip_article("Theory", SORT_ARTICLES), "Theory");
        assert_eq!(strip_article("The", SORT_ARTICLES), "The");
        assert_eq!(strip_article("A", SORT_ARTICLES), "A");
        assert_eq!(strip_article("Élan", SORT_ARTICLES), "Élan");
        assert_eq!(strip_article("The Beatles", &[]), "The Beatles");
        assert_eq!(strip_article("I Prevail", SORT_ARTICLES), "I Prevail");
    }

    #[test]
    fn fold_transliterates_and_lowercases() {
        assert_eq!(fold("Beyoncé"), "beyonce");
        assert_eq!(fold("MOTÖRHEAD"), "motorhead");
        assert_eq!(fold("Plain"), "plain");
        assert_eq!(fold("🎵"), "musical note");
    }

    #[test]
    fn ascii_case_insensitive_search() {
        assert_eq!(find_ascii_ci("Song (FEAT. X)", "feat", 0), Some(6));
        assert_eq!(find_ascii_ci("Süng feat", "feat", 0), Some(6));
        assert_eq!(find_ascii_ci("feat", "feat", 1), None);
        assert!(contains_ascii_ci("2011 REMASTER", "remaster"));
        assert!(!contains_ascii_ci("", "x"));
    }
}
