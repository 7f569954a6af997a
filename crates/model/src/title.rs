//! Track title cleaning (reference §5.3 steps 2–4): featured artists, producer credits and
//! remaster notes. Hand-written scanners, because these run for every track at start-up.

use crate::text::{contains_ascii_ci, find_ascii_ci, starts_with_ascii_ci};

/// A featured-artist bracket found in a title.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Featured<'a> {
    /// The names inside the first bracket, unsplit ("B & C" of "Song (feat. B & C)").
    pub names: &'a str,
    /// The title with every such bracket of the same kind removed; the whitespace around the
    /// bracket stays, as in Swing ("Song (feat. B)" → "Song ").
    pub title: String,
}

const FEAT_WORDS: &[&str] = &["feat", "ft", "featuring", "with"];

/// Finds "(feat|ft|featuring|with[.] names)", case-insensitively; square brackets are tried only
/// when no round bracket matches.
pub(crate) fn extract_featured(title: &str) -> Option<Featured<'_>> {
    if !title.contains(['(', '[']) {
        return None;
    }
    [('(', ')'), ('[', ']')]
        .into_iter()
        .find_map(|(open, close)| {
            let mut brackets = feat_brackets(title, open, close);
            let (first_span, names) = brackets.next()?;
            let mut cleaned = String::with_capacity(title.len());
            cleaned.push_str(&title[..first_span.0]);
            let mut kept_from = first_span.1;
            for (span, _) in brackets {
                cleaned.push_str(&title[kept_from..span.0]);
                kept_from = span.1;
            }
            cleaned.push_str(&title[kept_from..]);
            Some(Featured {
                names: &title[names.0..names.1],
                title: cleaned,
            })
        })
}

type Span = (usize, usize);

/// Every non-overlapping feat bracket, left to right: (whole bracket span, names span).
fn feat_brackets(title: &str, open: char, close: char) -> impl Iterator<Item = (Span, Span)> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(offset) = title[from..].find(open) {
            let start = from + offset;
            if let Some((end, names)) = feat_bracket_at(title, start, close) {
                from = end;
                return Some(((start, end), names));
            }
            from = start + 1;
        }
        None
    })
}

/// Matches `<open>(feat|ft|featuring|with)\.?\s+(.+?)<close>` at `start` (the opening bracket).
fn feat_bracket_at(title: &str, start: usize, close: char) -> Option<(usize, Span)> {
    let after_open = start + 1;
    FEAT_WORDS.iter().find_map(|word| {
        let bytes = &title.as_bytes()[after_open..];
        if !starts_with_ascii_ci(bytes, word.as_bytes()) {
            return None;
        }
        let mut cursor = after_open + word.len();
        if title[cursor..].starts_with('.') {
            cursor += 1;
        }
        let spaces = leading_whitespace(&title[cursor..]);
        if spaces == 0 {
            return None;
        }
        let names_start = cursor + spaces;
        // `.+?` takes at least one character (never a newline), then stops at the first close.
        let first = title[names_start..].chars().next().filter(|&c| c != '\n')?;
        let search_from = names_start + first.len_utf8();
        let rest = &title[search_from..];
        let close_at = search_from + rest.find([close, '\n'])?;
        (title[close_at..].starts_with(close)).then_some((close_at + 1, (names_start, close_at)))
    })
}

fn leading_whitespace(text: &str) -> usize {
    text.len() - text.trim_start_matches(is_regex_space).len()
}

/// Python's `\s` for str patterns.
fn is_regex_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Removes producer credits when the title contains "prod.": bracketed `(prod. …)` / `[prod. …]`
/// blocks when the title has any bracket, otherwise `prod. <word>`. `None` when nothing changes.
pub(crate) fn remove_prod(title: &str) -> Option<String> {
    if !title.contains('.') || !contains_ascii_ci(title, "prod.") {
        return None;
    }
    let spans = if title.contains(['(', ')', '[', ']']) {
        bracketed_prod_spans(title)
    } else {
        bare_prod_spans(title)
    };
    if spans.is_empty() {
        return Some(title.trim_matches(is_regex_space).to_owned());
    }
    Some(remove_spans(title, &spans))
}

/// `\s?[(\[]prod\..*?[)\]]\s?`
fn bracketed_prod_spans(title: &str) -> Vec<Span> {
    let bytes = title.as_bytes();
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(offset) = title[from..].find(['(', '[']) {
        let open = from + offset;
        from = open + 1;
        if !starts_with_ascii_ci(&bytes[open + 1..], b"prod.") {
            continue;
        }
        let body = open + 1 + "prod.".len();
        let Some(close) = title[body..].find([')', ']', '\n']).map(|at| body + at) else {
            continue;
        };
        if bytes[close] == b'\n' {
            continue;
        }
        let start =
            extend_one_space_back(title, open, spans.last().map_or(0, |span: &Span| span.1));
        let end = extend_one_space_forward(title, close + 1);
        spans.push((start, end));
        from = end;
    }
    spans
}

/// `\s?\bprod\.\s*\S+`
fn bare_prod_spans(title: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(at) = find_ascii_ci(title, "prod.", from) {
        from = at + 1;
        let at_word_start = title[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !is_word_char(c));
        if !at_word_start {
            continue;
        }
        let after_dot = at + "prod.".len();
        let word_start = after_dot + leading_whitespace(&title[after_dot..]);
        let word_len = title[word_start..]
            .find(is_regex_space)
            .unwrap_or(title.len() - word_start);
        if word_len == 0 {
            continue;
        }
        let start = extend_one_space_back(title, at, spans.last().map_or(0, |span: &Span| span.1));
        let end = word_start + word_len;
        spans.push((start, end));
        from = end;
    }
    spans
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn extend_one_space_back(title: &str, at: usize, floor: usize) -> usize {
    match title[floor..at].chars().next_back() {
        Some(c) if is_regex_space(c) => at - c.len_utf8(),
        _ => at,
    }
}

fn extend_one_space_forward(title: &str, at: usize) -> usize {
    match title[at..].chars().next() {
        Some(c) if is_regex_space(c) => at + c.len_utf8(),
        _ => at,
    }
}

/// Removes `spans` (sorted, disjoint) and strips the result. Where a removed span had whitespace
/// on both sides, one space joins the remaining words so they do not run together (hashes ignore
/// spaces, so this only affects the display).
fn remove_spans(title: &str, spans: &[Span]) -> String {
    let mut out = String::with_capacity(title.len());
    let mut kept_from = 0;
    for &(start, end) in spans {
        out.push_str(&title[kept_from..start]);
        let span = &title[start..end];
        let spaced = span.starts_with(is_regex_space) && span.ends_with(is_regex_space);
        if spaced && start > 0 && end < title.len() {
            out.push(' ');
        }
        kept_from = end;
    }
    out.push_str(&title[kept_from..]);
    out.trim_matches(is_regex_space).to_owned()
}

/// Removes remaster notes when the title contains "remaster": one candidate drops every bracket
/// group mentioning it, another drops every " - …" segment mentioning it; the shorter wins.
/// `None` when the title has no "remaster".
pub(crate) fn remove_remaster(title: &str) -> Option<String> {
    if !contains_ascii_ci(title, "remaster") {
        return None;
    }
    let bracketed = remove_spans(title, &bracketed_remaster_spans(title));
    let dashed = remove_spans(title, &dashed_remaster_spans(title));
    let shorter = if bracketed.chars().count() < dashed.chars().count() {
        bracketed
    } else {
        dashed
    };
    Some(shorter)
}

/// `\s*[\[(][^)\]]*remaster[^)\]]*[)\]]\s*`
fn bracketed_remaster_spans(title: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(offset) = title[from..].find(['(', '[']) {
        let open = from + offset;
        from = open + 1;
        let Some(close) = title[open + 1..].find([')', ']']).map(|at| open + 1 + at) else {
            break;
        };
        if !contains_ascii_ci(&title[open + 1..close], "remaster") {
            continue;
        }
        let floor = spans.last().map_or(0, |span: &Span| span.1);
        let start = floor + title[floor..open].trim_end_matches(is_regex_space).len();
        let end = close + 1 + leading_whitespace(&title[close + 1..]);
        spans.push((start, end));
        from = end;
    }
    spans
}

/// Segments that start at a dash preceded by whitespace and run to the next such dash.
fn dashed_remaster_spans(title: &str) -> Vec<Span> {
    let dash_starts: Vec<usize> = title
        .match_indices('-')
        .filter(|&(at, _)| title[..at].ends_with(is_regex_space))
        .map(|(at, _)| at - title[..at].chars().next_back().map_or(0, char::len_utf8))
        .collect();
    dash_starts
        .iter()
        .enumerate()
        .map(|(index, &start)| {
            (
                start,
                dash_starts.get(index + 1).copied().unwrap_or(title.len()),
            )
        })
        .filter(|&(start, end)| contains_ascii_ci(&title[start..end], "remaster"))
        .map(|(start, end)| (title[..start].trim_end_matches(is_regex_space).len(), end))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn featured(title: &str) -> Option<(&str, String)> {
        extract_featured(title).map(|found| (found.names, found.title))
    }

    #[test]
    fn feat_in_round_brackets() {
        assert_eq!(
            featured("Song (feat. Drake)"),
            Some(("Drake", "Song ".into()))
        );
        assert_eq!(
            featured("Song (Ft. A, B) Remix"),
            Some(("A, B", "Song  Remix".into()))
        );
        assert_eq!(
            featured("Song (featuring A & B)"),
            Some(("A & B", "Song ".into()))
        );
        assert_eq!(
            featured("Song (with Lil Baby)"),
            Some(("Lil Baby", "Song ".into()))
        );
        assert_eq!(featured("Song (FEAT  X)"), Some(("X", "Song ".into())));
    }

    #[test]
    fn feat_in_square_brackets_only_without_round_match() {
        assert_eq!(featured("Song [feat. A]"), Some(("A", "Song ".into())));
        assert_eq!(
            featured("Song [feat. A] (feat. B)"),
            Some(("B", "Song [feat. A] ".into()))
        );
    }

    #[test]
    fn removes_every_feat_bracket_of_the_matched_kind() {
        assert_eq!(featured("S (feat. A) (with B)"), Some(("A", "S  ".into())));
    }

    #[test]
    fn not_feat_brackets() {
        assert_eq!(featured("Song (feat.Drake)"), None);
        assert_eq!(featured("Song (Featured Mix)"), None);
        assert_eq!(featured("Song ( feat. X)"), None);
        assert_eq!(featured("Song (feat. X"), None);
        assert_eq!(featured("Song feat. X"), None);
        assert_eq!(featured("Without You"), None);
        assert_eq!(featured("Song (with)"), None);
    }

    #[test]
    fn removes_bracketed_producer_credits() {
        assert_eq!(
            remove_prod("Song (prod. Metro Boomin)").as_deref(),
            Some("Song")
        );
        assert_eq!(
            remove_prod("Song [Prod. by X] (Live)").as_deref(),
            Some("Song (Live)")
        );
        assert_eq!(remove_prod("A (prod. X) B").as_deref(), Some("A B"));
    }

    #[test]
    fn removes_bare_producer_credits() {
        assert_eq!(remove_prod("Song prod. Metro").as_deref(), Some("Song"));
        assert_eq!(
            remove_prod("Song PROD.  Metro Boomin").as_deref(),
            Some("Song Boomin")
        );
        assert_eq!(remove_prod("Reprod. X").as_deref(), Some("Reprod. X"));
    }

    #[test]
    fn prod_needs_the_dot() {
        assert_eq!(remove_prod("Production"), None);
        assert_eq!(remove_prod("Song (prod by X)"), None);
        // Brackets elsewhere mean only bracketed credits are removed.
        assert_eq!(
            remove_prod("Song prod. X (Live)").as_deref(),
            Some("Song prod. X (Live)")
        );
    }

    #[test]
    fn removes_remaster_notes() {
        assert_eq!(
            remove_remaster("Song - Remastered 2011").as_deref(),
            Some("Song")
        );
        assert_eq!(
            remove_remaster("Song (2011 Remaster)").as_deref(),
            Some("Song")
        );
        assert_eq!(
            remove_remaster("Song [Remastered] (Live)").as_deref(),
            Some("Song (Live)")
        );
        assert_eq!(
            remove_remaster("Song - Live - 2009 Remaster").as_deref(),
            Some("Song - Live")
        );
        assert_eq!(
            remove_remaster("Song (Remastered) - Mono").as_deref(),
            Some("Song - Mono")
        );
        assert_eq!(remove_remaster("Song"), None);
        assert_eq!(remove_remaster("Remastered").as_deref(), Some("Remastered"));
    }
}
