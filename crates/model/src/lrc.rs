//! LRC lyrics parsing (reference §5.11): time tags, meta tags, the `offset` tag, enhanced word
//! timings, comments and plain (unsynced) text. Pure and total: any input parses, nothing panics.
//!
//! Two of Swing Music's bugs are fixed here: the fraction of `[mm:ss.xx]` is a fraction of a second
//! (`[01:02.50]` is 62 500 ms, not 62 050 ms), and `offset` belongs to the one file being parsed.

use std::collections::BTreeMap;

/// Meta tags an LRC header may carry (`[ti:Title]`, `[offset:+250]`, ...).
pub const META_KEYS: &[&str] = &[
    "ti", "ar", "al", "au", "lr", "length", "by", "offset", "re", "tool", "ve",
];

/// One timed line: when it starts (milliseconds from the start of the track) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimedLine {
    pub time_ms: u64,
    pub text: String,
}

/// The lines of a lyrics text: timed when any line carries a time tag, otherwise plain lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LyricsLines {
    /// Sorted by time; lines that share several time tags appear once per tag.
    Synced(Vec<TimedLine>),
    /// The text lines in order, blank lines (verse breaks) kept, leading and trailing ones dropped.
    Plain(Vec<String>),
}

/// A parsed lyrics text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lrc {
    /// Meta tags by lower-case key ("ti", "ar", ...); the last occurrence wins.
    pub meta: BTreeMap<String, String>,
    pub lines: LyricsLines,
}

impl Lrc {
    /// True when there is nothing to show: no timed line and no plain text.
    pub fn is_empty(&self) -> bool {
        match &self.lines {
            LyricsLines::Synced(lines) => lines.is_empty(),
            LyricsLines::Plain(lines) => lines.iter().all(|line| line.trim().is_empty()),
        }
    }

    pub fn is_synced(&self) -> bool {
        matches!(self.lines, LyricsLines::Synced(_))
    }

    /// The `offset` meta tag in milliseconds (positive shows lines earlier), 0 when absent or
    /// unreadable.
    pub fn offset_ms(&self) -> i64 {
        self.meta
            .get("offset")
            .and_then(|text| parse_offset(text))
            .unwrap_or(0)
    }
}

/// What one line of the text is.
enum Line {
    Comment,
    Meta,
    Timed { times: Vec<u64>, text: String },
    Plain(String),
}

/// Parses an LRC file or an embedded lyrics tag. Accepts a UTF-8 BOM, `\n`, `\r\n` and bare `\r`
/// line ends, and the `engdesc`/`desc` prefix that some taggers leave from USLT frames.
pub fn parse(text: &str) -> Lrc {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = strip_uslt_prefix(text);
    let mut meta = BTreeMap::new();
    let mut timed: Vec<(u64, String)> = Vec::new();
    let mut plain: Vec<String> = Vec::new();
    for raw_line in split_lines(text) {
        match parse_line(raw_line, &mut meta) {
            Line::Comment | Line::Meta => {}
            Line::Timed { times, text } => {
                for time in times {
                    timed.push((time, text.clone()));
                }
            }
            Line::Plain(text) => plain.push(text),
        }
    }
    let lines = if timed.is_empty() {
        LyricsLines::Plain(trim_blank_edges(plain))
    } else {
        let offset = meta
            .get("offset")
            .and_then(|text: &String| parse_offset(text))
            .unwrap_or(0);
        let mut lines: Vec<TimedLine> = timed
            .into_iter()
            .map(|(time, text)| TimedLine {
                time_ms: apply_offset(time, offset),
                text,
            })
            .collect();
        // Stable: lines stamped with the same time keep their order in the file.
        lines.sort_by_key(|line| line.time_ms);
        LyricsLines::Synced(lines)
    };
    Lrc { meta, lines }
}

/// Taggers that flattened an ID3 USLT frame into text put its language and description ("eng",
/// "desc") in front of the lyrics. Only a prefix followed by a tag, a line end or nothing is one,
/// so lyrics that begin with the word "describe" stay whole.
fn strip_uslt_prefix(text: &str) -> &str {
    for prefix in ["engdesc", "desc"] {
        if let Some(rest) = text.strip_prefix(prefix) {
            if rest.is_empty() || rest.starts_with(['[', '\r', '\n']) {
                return rest;
            }
        }
    }
    text
}

fn split_lines(text: &str) -> Box<dyn Iterator<Item = &str> + '_> {
    if text.contains('\n') {
        // `lines` also drops the `\r` of `\r\n`.
        Box::new(text.lines())
    } else {
        Box::new(text.split('\r'))
    }
}

fn parse_line(line: &str, meta: &mut BTreeMap<String, String>) -> Line {
    let line = line.trim_end_matches(['\r', '\n']);
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') {
        return Line::Comment;
    }
    let mut rest = trimmed;
    let mut times = Vec::new();
    let mut saw_meta = false;
    while let Some(inner_and_after) = rest.strip_prefix('[') {
        let Some(close) = inner_and_after.find(']') else {
            break;
        };
        let inner = &inner_and_after[..close];
        if let Some(time) = parse_time_tag(inner) {
            times.push(time);
        } else if let Some((key, value)) = parse_meta_tag(inner) {
            meta.insert(key, value);
            saw_meta = true;
        } else {
            // "[Chorus]", "[1st verse]": text, not a tag.
            break;
        }
        rest = inner_and_after[close + 1..].trim_start();
    }
    if !times.is_empty() {
        return Line::Timed {
            times,
            text: strip_word_timings(rest).trim().to_string(),
        };
    }
    if saw_meta {
        return Line::Meta;
    }
    Line::Plain(strip_word_timings(line).trim_end().to_string())
}

/// `mm:ss`, `mm:ss.f…` or `mm:ss:ff` (a common variant) → milliseconds. Minutes may exceed 59
/// (and have any number of digits that fit); seconds are 0-59. The fraction is a decimal fraction
/// of a second: `.5`, `.50` and `.500` are all 500 ms; digits past the third are cut.
fn parse_time_tag(inner: &str) -> Option<u64> {
    let inner = inner.trim();
    let (minutes, rest) = inner.split_once(':')?;
    let (seconds, fraction) = match rest.find(['.', ':']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let minutes = parse_digits(minutes)?;
    let seconds = parse_digits(seconds)?;
    if seconds >= 60 {
        return None;
    }
    let fraction_ms = match fraction {
        None => 0,
        Some(digits) => {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // "5" → 500, "05" → 50, "123456" → 123.
            let mut ms = 0u64;
            for (place, byte) in digits.bytes().take(3).enumerate() {
                ms += u64::from(byte - b'0') * [100, 10, 1][place];
            }
            ms
        }
    };
    minutes
        .checked_mul(60_000)?
        .checked_add(seconds * 1000)?
        .checked_add(fraction_ms)
}

/// ASCII digits only (no sign, no spaces), and the value fits in a `u64`.
fn parse_digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `[key:value]` for a known key (any case); the value is trimmed.
fn parse_meta_tag(inner: &str) -> Option<(String, String)> {
    let (key, value) = inner.split_once(':')?;
    let key = key.trim().to_ascii_lowercase();
    META_KEYS
        .contains(&key.as_str())
        .then(|| (key, value.trim().to_string()))
}

/// `+250`, `-100`, `250` → milliseconds; anything else (or a value past ±1 day) is ignored.
fn parse_offset(text: &str) -> Option<i64> {
    const ONE_DAY_MS: i64 = 86_400_000;
    let text = text.trim();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(digits) => (-1, digits),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let value = sign * i64::try_from(parse_digits(digits)?).ok()?;
    (value.abs() <= ONE_DAY_MS).then_some(value)
}

/// A positive offset makes lines appear earlier; times never go below zero.
fn apply_offset(time_ms: u64, offset_ms: i64) -> u64 {
    if offset_ms >= 0 {
        time_ms.saturating_sub(offset_ms.unsigned_abs())
    } else {
        time_ms.saturating_add(offset_ms.unsigned_abs())
    }
}

/// Removes enhanced-LRC word timings (`<mm:ss.xx>`) from a line's text.
fn strip_word_timings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        match after.find('>') {
            Some(close) if parse_time_tag(&after[..close]).is_some() => {
                out.push_str(&rest[..open]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn trim_blank_edges(mut lines: Vec<String>) -> Vec<String> {
    while lines.last().is_some_and(|line| line.trim().is_empty()) {
        lines.pop();
    }
    let leading = lines
        .iter()
        .take_while(|line| line.trim().is_empty())
        .count();
    lines.drain(..leading);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synced(text: &str) -> Vec<(u64, String)> {
        match parse(text).lines {
            LyricsLines::Synced(lines) => lines.into_iter().map(|l| (l.time_ms, l.text)).collect(),
            LyricsLines::Plain(lines) => panic!("expected synced lyrics, got plain {lines:?}"),
        }
    }

    fn plain(text: &str) -> Vec<String> {
        match parse(text).lines {
            LyricsLines::Plain(lines) => lines,
            LyricsLines::Synced(lines) => panic!("expected plain lyrics, got synced {lines:?}"),
        }
    }

    fn line(time: u64, text: &str) -> (u64, String) {
        (time, text.to_string())
    }

    #[test]
    fn time_tag_forms() {
        assert_eq!(synced("[01:02.50]Half"), vec![line(62_500, "Half")]);
        assert_eq!(synced("[01:02.5]Half"), vec![line(62_500, "Half")]);
        assert_eq!(synced("[01:02.500]Half"), vec![line(62_500, "Half")]);
        assert_eq!(
            synced("[01:02.05]Twentieth"),
            vec![line(62_050, "Twentieth")]
        );
        assert_eq!(synced("[01:02.123456]Cut"), vec![line(62_123, "Cut")]);
        assert_eq!(synced("[01:02]Whole"), vec![line(62_000, "Whole")]);
        assert_eq!(synced("[1:02:50]Colon"), vec![line(62_500, "Colon")]);
        assert_eq!(synced("[123:00.00]Long"), vec![line(7_380_000, "Long")]);
        assert_eq!(synced("[ 00:01.00 ]Spaced"), vec![line(1_000, "Spaced")]);
    }

    #[test]
    fn several_time_tags_give_one_entry_each_sorted() {
        let text = "[00:30.00][00:10.00]Chorus\n[00:20.00]Verse\n";
        assert_eq!(
            synced(text),
            vec![
                line(10_000, "Chorus"),
                line(20_000, "Verse"),
                line(30_000, "Chorus")
            ]
        );
    }

    #[test]
    fn equal_times_keep_file_order() {
        let text = "[00:01.00]first\n[00:01.00]second";
        assert_eq!(
            synced(text),
            vec![line(1_000, "first"), line(1_000, "second")]
        );
    }

    #[test]
    fn meta_tags_are_read_and_not_shown() {
        let text = "[ti:Night Drive]\n[AR: Aurora Lane ]\n[al:Night]\n[length:03:10]\n\
                    [by:someone]\n[re:tool]\n[ve:1.0]\n[tool:x]\n[au:writer]\n[lr:lyricist]\n\
                    [00:01.00]Line";
        let lrc = parse(text);
        assert_eq!(lrc.meta["ti"], "Night Drive");
        assert_eq!(lrc.meta["ar"], "Aurora Lane");
        assert_eq!(lrc.meta["length"], "03:10");
        assert_eq!(lrc.meta.len(), 10);
        assert_eq!(
            lrc.lines,
            LyricsLines::Synced(vec![TimedLine {
                time_ms: 1000,
                text: "Line".into()
            }])
        );
    }

    #[test]
    fn offset_moves_lines_earlier_and_never_below_zero() {
        let text = "[offset:+500]\n[00:00.20]a\n[00:02.00]b";
        assert_eq!(synced(text), vec![line(0, "a"), line(1_500, "b")]);
        let text = "[00:02.00]b\n[offset:-250]";
        assert_eq!(synced(text), vec![line(2_250, "b")]);
        assert_eq!(parse("[offset:-250]\n[00:01.00]x").offset_ms(), -250);
    }

    #[test]
    fn offset_belongs_to_its_own_file() {
        let _ = parse("[offset:1000]\n[00:05.00]first file");
        assert_eq!(
            synced("[00:05.00]second file"),
            vec![line(5_000, "second file")]
        );
    }

    #[test]
    fn unreadable_offsets_are_ignored() {
        for offset in ["abc", "99999999999999999999999", "+-5", "", "86400001"] {
            let text = format!("[offset:{offset}]\n[00:05.00]x");
            assert_eq!(synced(&text), vec![line(5_000, "x")], "offset {offset:?}");
        }
    }

    #[test]
    fn enhanced_word_timings_are_stripped() {
        let text = "[00:01.00]<00:01.00>Hello <00:01.50>bright <00:02.00>world";
        assert_eq!(synced(text), vec![line(1_000, "Hello bright world")]);
        // Angle brackets that are not timings stay.
        assert_eq!(synced("[00:01.00]a <b> c"), vec![line(1_000, "a <b> c")]);
        assert_eq!(synced("[00:01.00]1 < 2 >"), vec![line(1_000, "1 < 2 >")]);
    }

    #[test]
    fn comments_are_skipped() {
        let text = "# made by hand\n[00:01.00]x\n  # indented comment";
        assert_eq!(synced(text), vec![line(1_000, "x")]);
    }

    #[test]
    fn plain_lyrics_keep_verse_breaks() {
        let text = "\n\nFirst line\nSecond line\n\nThird line\n\n";
        assert_eq!(
            plain(text),
            vec!["First line", "Second line", "", "Third line"]
        );
    }

    #[test]
    fn bracketed_words_are_text() {
        assert_eq!(plain("[Chorus]\nLa la"), vec!["[Chorus]", "La la"]);
        assert_eq!(plain("[1st verse]\nLa"), vec!["[1st verse]", "La"]);
        assert_eq!(
            synced("[00:01.00][Chorus] La"),
            vec![line(1_000, "[Chorus] La")]
        );
    }

    #[test]
    fn untimed_lines_in_synced_lyrics_are_dropped() {
        assert_eq!(
            synced("Intro text\n[00:01.00]x\n\n"),
            vec![line(1_000, "x")]
        );
    }

    #[test]
    fn crlf_bom_and_bare_cr() {
        assert_eq!(
            synced("\u{feff}[ti:T]\r\n[00:01.00]a\r\n[00:02.00]b\r\n"),
            vec![line(1_000, "a"), line(2_000, "b")]
        );
        assert_eq!(
            synced("[00:01.00]a\r[00:02.00]b\r"),
            vec![line(1_000, "a"), line(2_000, "b")]
        );
        assert_eq!(plain("one\r\ntwo\r\n"), vec!["one", "two"]);
    }

    #[test]
    fn uslt_prefix_is_stripped() {
        assert_eq!(synced("engdesc[00:01.00]a"), vec![line(1_000, "a")]);
        assert_eq!(plain("desc\nSome words"), vec!["Some words"]);
        assert_eq!(plain("engdesc"), Vec::<String>::new());
        // A lyric that starts with a word beginning "desc" is not touched.
        assert_eq!(plain("describe it to me"), vec!["describe it to me"]);
    }

    #[test]
    fn empty_and_blank_inputs() {
        for text in [
            "",
            "\u{feff}",
            "\n\n\r\n",
            "   ",
            "[ti:Only meta]",
            "# comment",
        ] {
            let lrc = parse(text);
            assert!(lrc.is_empty(), "{text:?}");
            assert!(!lrc.is_synced(), "{text:?}");
        }
        assert!(
            !parse("[00:01.00]").is_empty(),
            "a timed blank line is a line"
        );
    }

    #[test]
    fn odd_and_huge_inputs_never_panic() {
        let huge = "9".repeat(40);
        let inputs = [
            format!("[{huge}:00.00]x"),
            format!("[00:{huge}]x"),
            format!("[00:00.{huge}]x"),
            "[3074457345618259:00.00]overflow".to_string(),
            "[00:61.00]bad seconds".to_string(),
            "[-1:00.00]negative".to_string(),
            "[00:00.]no fraction".to_string(),
            "[:]".to_string(),
            "[".to_string(),
            "]".to_string(),
            "[00:01.00".to_string(),
            "<00:01.00".to_string(),
            "[00:01.00]<".to_string(),
            "[ti:".to_string(),
            "[é:ü]ß".to_string(),
            "[00:01.00]日本語の歌詞".to_string(),
            "\u{0}\u{1}[\u{0}]".to_string(),
            "[[[[[[[[".to_string(),
            "[00:01.00]".repeat(10_000),
        ];
        for input in &inputs {
            let _ = parse(input);
        }
        // An overflowing time tag is not a time tag: the line is text.
        assert_eq!(
            plain("[3074457345618259:00.00]overflow"),
            vec!["[3074457345618259:00.00]overflow"]
        );
        assert_eq!(synced("[00:01.00]日本語"), vec![line(1_000, "日本語")]);
        assert_eq!(synced(&"[00:01.00]".repeat(3)).len(), 3);
    }
}
