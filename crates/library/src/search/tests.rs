//! Behaviour of the whole search engine, through its public interface.

use std::time::{Duration, Instant};

use super::{SearchHit, SearchIndex};

fn index(texts: &[&str]) -> SearchIndex {
    SearchIndex::build(texts.iter().copied())
}

/// The texts of the hits, best first.
fn found<'a>(texts: &[&'a str], hits: &[SearchHit]) -> Vec<&'a str> {
    hits.iter().map(|hit| texts[hit.id as usize]).collect()
}

fn top<'a>(texts: &[&'a str], query: &str) -> Option<&'a str> {
    let index = index(texts);
    index
        .search(query, 10)
        .first()
        .map(|hit| texts[hit.id as usize])
}

const ARTISTS: &[&str] = &[
    "Beyoncé",
    "Björk",
    "Mötley Crüe",
    "The Beatles",
    "Metallica",
    "Kendrick Lamar",
    "Kino",
    "Кино",
    "AC/DC",
    "Sigur Rós",
    "東京事変",
    "Lamb",
    "Kendra Morris",
    "Beach House",
];

#[test]
fn folds_case_and_accents() {
    assert_eq!(top(ARTISTS, "beyonce"), Some("Beyoncé"));
    assert_eq!(top(ARTISTS, "BJORK"), Some("Björk"));
    assert_eq!(top(ARTISTS, "motley crue"), Some("Mötley Crüe"));
    assert_eq!(top(ARTISTS, "SIGUR ROS"), Some("Sigur Rós"));
    let index = index(ARTISTS);
    assert_eq!(index.search("Beyoncé", 1)[0].score, 100);
    assert_eq!(index.search("beyonce", 1)[0].score, 100);
}

#[test]
fn transliterates_cyrillic_both_ways() {
    let index = index(ARTISTS);
    let by_latin = found(ARTISTS, &index.search("kino", 10));
    assert_eq!(by_latin, ["Kino", "Кино"]);
    let by_cyrillic = found(ARTISTS, &index.search("КИНО", 10));
    assert_eq!(by_cyrillic, ["Kino", "Кино"]);
}

#[test]
fn cjk_matches_as_written_including_inside_words() {
    let titles = [
        "東京事変 - 群青日和",
        "椎名林檎 - 丸の内サディスティック",
        "Tokyo Drift",
        "東京",
    ];
    let index = index(&titles);
    assert_eq!(
        found(&titles, &index.search("東京", 10)),
        ["東京", "東京事変 - 群青日和"]
    );
    assert_eq!(
        found(&titles, &index.search("群青", 10)),
        ["東京事変 - 群青日和"]
    );
    // inside a word, not at its start
    assert_eq!(
        found(&titles, &index.search("事変", 10)),
        ["東京事変 - 群青日和"]
    );
    assert_eq!(
        found(&titles, &index.search("サディスティック", 10)),
        ["椎名林檎 - 丸の内サディスティック"]
    );
    // CJK is not romanised: the Chinese reading of 東京 finds nothing, and "tokyo" only the
    // Latin title.
    assert!(index.search("dong jing", 10).is_empty());
    assert_eq!(found(&titles, &index.search("tokyo", 10)), ["Tokyo Drift"]);
}

#[test]
fn hangul_and_kana_match_as_written() {
    let titles = ["방탄소년단 - 봄날", "ありがとう", "Spring Day"];
    let index = index(&titles);
    assert_eq!(
        found(&titles, &index.search("봄날", 10)),
        ["방탄소년단 - 봄날"]
    );
    assert_eq!(found(&titles, &index.search("がとう", 10)), ["ありがとう"]);
}

#[test]
fn tolerates_typos() {
    assert_eq!(top(ARTISTS, "beatels"), Some("The Beatles"));
    assert_eq!(top(ARTISTS, "metalica"), Some("Metallica"));
    assert_eq!(top(ARTISTS, "metallicca"), Some("Metallica"));
    assert_eq!(top(ARTISTS, "kendrik lamar"), Some("Kendrick Lamar"));
    assert_eq!(top(ARTISTS, "bjrok"), Some("Björk"));
    let index = index(ARTISTS);
    let hit = index.search("beatels", 1)[0];
    assert!((55..=59).contains(&hit.score), "fuzzy score {}", hit.score);
}

#[test]
fn typo_tolerance_is_bounded() {
    let index = index(ARTISTS);
    // Three edits from "metallica", and a 3-letter word one edit from "lamb".
    assert!(index.search("mtalicaaa", 10).is_empty());
    assert_eq!(found(ARTISTS, &index.search("lamp", 10)), ["Lamb"]);
    assert!(index.search("zzzzzz", 10).is_empty());
}

#[test]
fn numbers_get_no_typo_tolerance() {
    let titles = ["Summer of 1989", "Summer of 1999", "Summer"];
    let index = index(&titles);
    assert_eq!(
        found(&titles, &index.search("1999", 10)),
        ["Summer of 1999"]
    );
    let hits = index.search("sumer 1989", 10);
    assert_eq!(found(&titles, &hits)[0], "Summer of 1989");
    // the other year only as a partial match, through "summer" alone
    let other_year = hits.iter().find(|hit| hit.id == 1).map(|hit| hit.score);
    assert!(other_year.is_some_and(|score| score < 55), "{hits:?}");
}

#[test]
fn words_match_in_any_order() {
    let index = index(ARTISTS);
    let hits = index.search("lamar kendrick", 10);
    assert_eq!(found(ARTISTS, &hits)[0], "Kendrick Lamar");
    assert!(
        (80..=89).contains(&hits[0].score),
        "score {}",
        hits[0].score
    );
    assert_eq!(top(ARTISTS, "lamar kendrik"), Some("Kendrick Lamar"));
    assert_eq!(top(ARTISTS, "house beach"), Some("Beach House"));
}

#[test]
fn ranks_exact_then_prefix_then_words_then_inside_then_fuzzy() {
    let titles = [
        "Glove Box",    // "love" inside a word
        "I Love You",   // "love" as a whole word
        "Love Me Do",   // whole-text prefix
        "Lobe",         // one edit from "love"
        "Big Lovers",   // a word starting with "love"
        "Love",         // exact
        "Nothing Here", // no match
        "Lovely",       // whole-text prefix, shorter
    ];
    let index = index(&titles);
    let hits = index.search("love", 20);
    assert_eq!(
        found(&titles, &hits),
        [
            "Love",
            "Lovely",
            "Love Me Do",
            "I Love You",
            "Big Lovers",
            "Glove Box",
            "Lobe"
        ]
    );
    let scores: Vec<u32> = hits.iter().map(|hit| hit.score).collect();
    assert_eq!(scores[0], 100);
    let in_band = |score: u32, band: std::ops::RangeInclusive<u32>| band.contains(&score);
    assert!(
        in_band(scores[1], 90..=96) && in_band(scores[2], 90..=96),
        "{scores:?}"
    );
    assert!(in_band(scores[3], 80..=89), "{scores:?}");
    assert!(in_band(scores[4], 70..=79), "{scores:?}");
    assert!(in_band(scores[5], 60..=69), "{scores:?}");
    assert!(in_band(scores[6], 55..=59), "{scores:?}");
}

#[test]
fn equal_matches_put_shorter_texts_then_lower_ids_first() {
    let titles = ["Love Me Tender", "Love Me", "Love Me", "Love Me Do"];
    let index = index(&titles);
    let ids: Vec<u32> = index.search("love me", 10).iter().map(|h| h.id).collect();
    assert_eq!(ids, [1, 2, 3, 0]);
    let words = ["Say Hello", "Hello", "Hello Hello Hello", "Oh Hello"];
    let index = super::SearchIndex::build(words);
    let ids: Vec<u32> = index.search("hello", 10).iter().map(|h| h.id).collect();
    // exact, then whole-text prefix, then word matches shortest first
    assert_eq!(ids, [1, 2, 3, 0]);
}

#[test]
fn words_joined_differently_still_match_the_whole_text() {
    let index = index(ARTISTS);
    let hits = index.search("acdc", 5);
    assert_eq!(found(ARTISTS, &hits)[0], "AC/DC");
    assert_eq!(hits[0].score, 98);
    assert_eq!(index.search("ac dc", 1)[0].score, 100);
    assert_eq!(index.search("AC-DC", 1)[0].score, 100);
}

#[test]
fn scores_stay_between_the_cutoff_and_100_in_order() {
    let titles = [
        "The Beatles",
        "Beatles For Sale",
        "Beat It",
        "The Beat",
        "Beast",
        "Best Of",
        "Abbey Road",
        "beatles",
    ];
    let index = index(&titles);
    for query in [
        "beatles",
        "beat",
        "bea",
        "the",
        "abbey",
        "beatels",
        "b",
        "road abbey x",
    ] {
        let hits = index.search(query, 100);
        assert!(!hits.is_empty(), "{query}");
        for pair in hits.windows(2) {
            assert!(pair[0].score >= pair[1].score, "{query}: {hits:?}");
        }
        for hit in &hits {
            assert!((50..=100).contains(&hit.score), "{query}: {hits:?}");
        }
    }
}

#[test]
fn weak_partial_matches_are_not_returned() {
    let index = index(ARTISTS);
    // Only "beatles" of this long query matches anything: under half of its letters.
    assert!(index
        .search("beatles abbey road remastered deluxe", 10)
        .is_empty());
    // Most of the query matches: kept, with a low score.
    let hits = index.search("beatles abby", 10);
    assert_eq!(found(ARTISTS, &hits), ["The Beatles"]);
    assert!((50..=54).contains(&hits[0].score), "{hits:?}");
}

#[test]
fn empty_and_blank_queries_return_nothing() {
    let index = index(ARTISTS);
    for query in ["", " ", "   \t\n ", "\u{3000}"] {
        assert!(index.search(query, 10).is_empty(), "{query:?}");
    }
}

#[test]
fn odd_queries_neither_panic_nor_match_noise() {
    let index = index(ARTISTS);
    for query in [
        "🎵🎶",
        "!!!",
        "-/-",
        "\u{0}\u{1}\u{7f}",
        "\u{200b}",
        "\u{FE0F}",
        "\u{301}",
    ] {
        assert!(index.search(query, 10).is_empty(), "{query:?}");
    }
    // Noise around a real word does not hide it.
    assert_eq!(top(ARTISTS, "🎵 björk!!"), Some("Björk"));
    assert_eq!(top(ARTISTS, "\u{0}metallica\u{7}"), Some("Metallica"));
}

#[test]
fn very_long_queries_stay_fast() {
    let texts: Vec<String> = (0..5000).map(|i| format!("Song number {i} aaaa")).collect();
    let index = SearchIndex::build(texts.iter().map(String::as_str));
    let queries = [
        "a".repeat(10_000),
        "ab ".repeat(3_400),
        "é".repeat(5_000),
        "東".repeat(3_400),
        "song number 1 ".repeat(800),
    ];
    for query in &queries {
        let started = Instant::now();
        let hits = index.search(query, 50);
        assert!(hits.len() <= 50);
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{} took {:?}",
            &query[..20],
            started.elapsed()
        );
    }
}

#[test]
fn limit_caps_results() {
    let texts: Vec<String> = (0..300).map(|i| format!("Track {i}")).collect();
    let index = SearchIndex::build(texts.iter().map(String::as_str));
    assert_eq!(index.search("track", 150).len(), 150);
    assert_eq!(index.search("track", 7).len(), 7);
    assert!(index.search("track", 0).is_empty());
    assert_eq!(index.search("track", usize::MAX).len(), 300);
}

#[test]
fn empty_index_and_lengths() {
    let empty = SearchIndex::build(std::iter::empty());
    assert!(empty.is_empty());
    assert_eq!(empty.len(), 0);
    assert!(empty.search("anything", 10).is_empty());
    assert!(SearchIndex::default().is_empty());

    let index = index(&["One", "", "!!!", "Two"]);
    assert_eq!(index.len(), 4);
    assert!(!index.is_empty());
    assert_eq!(index.folded_text(2), Some(""));
    assert_eq!(index.folded_text(4), None);
    assert_eq!(
        found(&["One", "", "!!!", "Two"], &index.search("two", 10)),
        ["Two"]
    );
}

#[test]
fn more_query_words_than_tracked_are_ignored_safely() {
    let titles = ["a b c d e f g h i j k l m n o p q r s t"];
    let index = index(&titles);
    let hits = index.search("a b c d e f g h i j k l m n o p q r s t", 5);
    assert_eq!(hits, [SearchHit { id: 0, score: 100 }]);
    let hits = index.search("t s r q p o n m l k j i h g f e d c b a", 5);
    assert_eq!(hits.len(), 1);
}

#[test]
fn concurrent_queries_share_one_index() {
    fn assert_shareable<T: Send + Sync>() {}
    assert_shareable::<SearchIndex>();
    let index = std::sync::Arc::new(index(ARTISTS));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let index = index.clone();
            std::thread::spawn(move || {
                (0..200)
                    .map(|_| index.search("metalica", 3)[0].id)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for thread in threads {
        assert!(thread.join().unwrap().iter().all(|&id| id == 4));
    }
}

/// A small deterministic generator, so the cross-check below is reproducible.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub(super) fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Every entry where each query word starts one of the text's words must be found, with a
/// score of at least 70, and results must follow the ranking order.
#[test]
fn word_prefix_matches_agree_with_a_brute_force_scan() {
    const WORDS: &[&str] = &[
        "love", "lover", "glove", "night", "knight", "day", "days", "sun", "sunny", "rain", "the",
        "a", "of", "in", "heart", "hearts", "blue", "blues", "moon", "dance", "dancing", "fire",
    ];
    let mut rng = Rng::new(7);
    let texts: Vec<String> = (0..3000)
        .map(|_| {
            let n = 1 + rng.below(5);
            (0..n)
                .map(|_| *rng.pick(WORDS))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let index = SearchIndex::build(texts.iter().map(String::as_str));
    for _ in 0..150 {
        let query_words: Vec<String> = (0..1 + rng.below(2))
            .map(|_| {
                let word = *rng.pick(WORDS);
                word[..1 + rng.below(word.len())].to_string()
            })
            .collect();
        let query = query_words.join(" ");
        let hits = index.search(&query, usize::MAX);
        let expected: Vec<u32> = (0..texts.len() as u32)
            .filter(|&id| {
                let text_words: Vec<&str> = texts[id as usize].split(' ').collect();
                query_words
                    .iter()
                    .all(|q| text_words.iter().any(|w| w.starts_with(q.as_str())))
            })
            .collect();
        for id in &expected {
            let hit = hits.iter().find(|hit| hit.id == *id);
            assert!(
                hit.is_some_and(|hit| hit.score >= 70),
                "{query:?} missed {:?}: {hit:?}",
                texts[*id as usize]
            );
        }
        for pair in hits.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let key = |hit: SearchHit| {
                let chars = texts[hit.id as usize].replace(' ', "").len();
                (std::cmp::Reverse(hit.score), chars, hit.id)
            };
            assert!(key(a) < key(b), "{query:?}: {a:?} before {b:?}");
        }
    }
}

/// A small limit must give exactly the start of the full ranking, whichever shortcuts the
/// search takes to get there.
#[test]
fn limited_results_are_the_start_of_the_full_ranking() {
    const WORDS: &[&str] = &[
        "love", "lovely", "glove", "lobe", "s", "sun", "sunset", "summer", "sumer", "a", "all",
        "beatles", "the", "東京", "事変", "day", "days",
    ];
    let mut rng = Rng::new(11);
    let texts: Vec<String> = (0..2000)
        .map(|_| {
            let n = 1 + rng.below(4);
            (0..n)
                .map(|_| *rng.pick(WORDS))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let index = SearchIndex::build(texts.iter().map(String::as_str));
    let queries = [
        "s",
        "l",
        "love",
        "lov",
        "sun",
        "summer",
        "beatels",
        "the s",
        "a s",
        "東",
        "東京 事変",
        "days love",
        "lobe",
        "day",
        "glove s",
    ];
    for query in queries {
        let all = index.search(query, usize::MAX);
        for limit in [1, 3, 10, 50, 150] {
            let limited = index.search(query, limit);
            let expected = &all[..limit.min(all.len())];
            assert_eq!(limited, expected, "{query:?} limit {limit}");
        }
    }
}

#[test]
fn memory_estimate_grows_with_the_index() {
    let small: Vec<String> = (0..100).map(|i| format!("Song {i}")).collect();
    let large: Vec<String> = (0..10_000).map(|i| format!("Song {i}")).collect();
    let small = SearchIndex::build(small.iter().map(String::as_str));
    let large = SearchIndex::build(large.iter().map(String::as_str));
    assert!(small.heap_bytes() > 0);
    assert!(large.heap_bytes() > 50 * small.heap_bytes());
    // about 10 bytes of text and a few dozen bytes of structure per entry
    assert!(large.heap_bytes() < 10_000 * 200, "{}", large.heap_bytes());
    assert!(format!("{large:?}").contains("entries: 10000"));
}
