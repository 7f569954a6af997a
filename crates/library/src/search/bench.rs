//! A benchmark over a synthetic 100k-entry library; run it in release:
//! `cargo test -p swingfly-library --release search::bench -- --ignored --nocapture`

use std::sync::OnceLock;
use std::time::Instant;

use super::distance::WordPattern;
use super::fold::fold;
use super::tests::Rng;
use super::SearchIndex;

const COMMON_WORDS: &str =
    "love night day heart baby time life world girl boy dream fire rain sun moon star light \
     dark blue red black white gold summer winter city road home way song dance party feel \
     good bad little big young wild free lost forever never again tonight money crazy sweet \
     heaven angel devil river ocean sky island paradise memories shadow thunder electric \
     midnight morning sunday friday letter highway kingdom queen king soldier ghost rose \
     diamond silver golden broken beautiful lonely together alone";
const FUNCTION_WORDS: &str =
    "the a of in on my your me you i we and to for with is it all no don't can't I'm";
const SUFFIXES: &[&str] = &[
    " (Remastered 2011)",
    " - Live",
    " (Radio Edit)",
    " (Acoustic)",
    " [Demo]",
    " - 2009 Remaster",
    " (Extended Mix)",
];
const SYLLABLES: &str =
    "ka ren lo mi sa to ve ra den mar li son ber gen tho na vi el as or qui zen bra dor fel \
     ix ton ley ham wick stein berg ville ston ric ardo ette ine us ko";
const CJK: &str = "東京事変群青日和愛夜空花風雪月星光心夢海君僕私のがにとはをあいうかさたなラブソング사랑해봄날별밤";

/// The word lists above, split once.
struct Lists {
    common: Vec<&'static str>,
    function: Vec<&'static str>,
    syllables: Vec<&'static str>,
    cjk: Vec<char>,
}

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| Lists {
        common: COMMON_WORDS.split_whitespace().collect(),
        function: FUNCTION_WORDS.split_whitespace().collect(),
        syllables: SYLLABLES.split_whitespace().collect(),
        cjk: CJK.chars().collect(),
    })
}

/// Made-up surnames and band names, so the vocabulary is as varied as a real library's.
fn made_up_word(rng: &mut Rng) -> String {
    let mut word = String::new();
    for _ in 0..2 + rng.below(2) {
        let syllable = *rng.pick(&lists().syllables);
        word.push_str(syllable);
    }
    let mut chars = word.chars();
    let first = chars.next().unwrap_or('x').to_ascii_uppercase();
    std::iter::once(first).chain(chars).collect()
}

fn accented(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'e' => 'é',
            'o' => 'ö',
            'a' => 'á',
            'u' => 'ü',
            other => other,
        })
        .collect()
}

fn cyrillic(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'a' => 'а',
            'k' => 'к',
            'r' => 'р',
            'e' => 'е',
            'n' => 'н',
            'l' => 'л',
            'o' => 'о',
            'm' => 'м',
            'i' => 'и',
            's' => 'с',
            't' => 'т',
            other => other,
        })
        .collect()
}

fn title(rng: &mut Rng) -> String {
    let roll = rng.below(100);
    if roll < 5 {
        let n = 2 + rng.below(8);
        let mut text: String = (0..n).map(|_| *rng.pick(&lists().cjk)).collect();
        if rng.below(2) == 0 {
            text.push_str(" - ");
            text.extend((0..2 + rng.below(4)).map(|_| *rng.pick(&lists().cjk)));
        }
        return text;
    }
    let n = 1 + rng.below(5);
    let mut words: Vec<String> = (0..n)
        .map(|_| match rng.below(10) {
            0..=4 => rng.pick(&lists().common).to_string(),
            5..=6 => rng.pick(&lists().function).to_string(),
            _ => made_up_word(rng),
        })
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => word,
            }
        })
        .collect();
    if roll < 9 {
        words = words.iter().map(|w| accented(w)).collect();
    } else if roll < 11 {
        words = words.iter().map(|w| cyrillic(&w.to_lowercase())).collect();
    }
    let mut text = words.join(" ");
    if rng.below(100) < 4 {
        text = format!("{} {text}", 1 + rng.below(99));
    }
    if rng.below(100) < 12 {
        text.push_str(SUFFIXES[rng.below(SUFFIXES.len())]);
    }
    if rng.below(100) < 8 {
        text = format!("{text} (feat. {} {})", made_up_word(rng), made_up_word(rng));
    }
    text
}

fn typo(word: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return word.to_string();
    }
    let at = 1 + rng.below(chars.len() - 2);
    match rng.below(4) {
        0 => chars.swap(at, at + 1),
        1 => {
            chars.remove(at);
        }
        2 => chars.insert(at, chars[at]),
        _ => chars[at] = 'x',
    }
    chars.into_iter().collect()
}

fn query(texts: &[String], rng: &mut Rng) -> String {
    let text = rng.pick(texts);
    let words: Vec<&str> = text.split_whitespace().collect();
    match rng.below(100) {
        // typing in progress: a prefix of a title
        0..=29 => text.chars().take(1 + rng.below(12)).collect(),
        // the whole title
        30..=44 => text.clone(),
        // some of its words, in another order
        45..=59 => {
            let mut picked: Vec<&str> = words.iter().rev().copied().take(2).collect();
            picked.dedup();
            picked.join(" ")
        }
        // a typo in its longest word
        60..=84 => {
            let longest = words.iter().max_by_key(|w| w.len()).copied().unwrap_or("");
            typo(longest, rng)
        }
        // a CJK fragment
        85..=92 => {
            let cjk = texts
                .iter()
                .skip(rng.below(texts.len()))
                .find(|t| {
                    t.chars()
                        .next()
                        .is_some_and(|c| !c.is_ascii() && c > '\u{3000}')
                })
                .cloned()
                .unwrap_or_default();
            let chars: Vec<char> = cjk.chars().filter(|c| *c != ' ' && *c != '-').collect();
            if chars.len() < 2 {
                return "東京".to_string();
            }
            let start = rng.below(chars.len() - 1);
            chars[start..(start + 2 + rng.below(2)).min(chars.len())]
                .iter()
                .collect()
        }
        // one or two letters
        _ => ["a", "s", "th", "lo", "b", "ma"][rng.below(6)].to_string(),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn search_100k_entries() {
    let mut rng = Rng::new(0x5eed);
    let texts: Vec<String> = (0..100_000).map(|_| title(&mut rng)).collect();

    let mut build_ms = Vec::new();
    let mut index = SearchIndex::default();
    for _ in 0..5 {
        let started = Instant::now();
        index = SearchIndex::build(texts.iter().map(String::as_str));
        build_ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    build_ms.sort_by(f64::total_cmp);

    let queries: Vec<String> = (0..1000).map(|_| query(&texts, &mut rng)).collect();
    // warm-up: allocates the pooled scratch
    for q in queries.iter().take(50) {
        index.search(q, 150);
    }
    // Each query runs three times: all runs give the raw distribution; each query's fastest
    // run filters out preemption by other processes on a shared machine.
    let mut micros = Vec::new();
    let mut best_micros = vec![f64::MAX; queries.len()];
    let mut hits_total = 0usize;
    let mut empty = 0usize;
    for _round in 0..3 {
        for (i, q) in queries.iter().enumerate() {
            let started = Instant::now();
            let hits = index.search(q, 150);
            let us = started.elapsed().as_secs_f64() * 1e6;
            micros.push(us);
            best_micros[i] = best_micros[i].min(us);
            hits_total += hits.len();
            empty += usize::from(hits.is_empty());
        }
    }
    let mut slowest: Vec<(f64, &String)> = best_micros.iter().copied().zip(&queries).collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    micros.sort_by(f64::total_cmp);
    best_micros.sort_by(f64::total_cmp);

    println!(
        "entries: {}, vocabulary words: {}",
        index.len(),
        index.words.len()
    );
    println!(
        "build: median {:.1} ms (min {:.1}, max {:.1})",
        build_ms[2], build_ms[0], build_ms[4]
    );
    println!("memory: {:.1} MB", index.heap_bytes() as f64 / 1e6);
    for (label, runs) in [("all runs", &micros), ("best of 3 per query", &best_micros)] {
        println!(
            "query, limit 150, {label} ({}): p50 {:.0} µs, p90 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
            runs.len(),
            percentile(runs, 0.5),
            percentile(runs, 0.9),
            percentile(runs, 0.99),
            runs[runs.len() - 1]
        );
    }
    println!(
        "hits per query: {:.1}; queries with no hit: {}",
        hits_total as f64 / micros.len() as f64,
        empty / 3
    );
    for (us, q) in slowest.iter().take(8) {
        println!("  slow: {us:.0} µs  {q:?}");
    }
    // A one-edit typo in a title's longest word must bring that word back: the best hit holds
    // it (or one equally close). Common words match thousands of titles, so the exact title
    // need not be among them.
    let mut rng = Rng::new(99);
    let mut typo_found = 0;
    let mut typo_total = 0;
    for _ in 0..300 {
        let text = &texts[rng.below(texts.len())];
        let Some(longest) = text.split_whitespace().max_by_key(|w| w.chars().count()) else {
            continue;
        };
        let intended = fold(longest);
        if intended.chars().count() < 5 || !intended.is_ascii() || intended.contains(' ') {
            continue;
        }
        typo_total += 1;
        let q = typo(&intended, &mut rng);
        let hits = index.search(&q, 150);
        let best = hits
            .first()
            .and_then(|hit| index.folded_text(hit.id))
            .unwrap_or("");
        let intended_chars: Vec<char> = intended.chars().collect();
        let best_word_edits = fold(&q)
            .split(' ')
            .next()
            .map(|q| {
                let pattern = WordPattern::new(&q.chars().collect::<Vec<_>>());
                best.split(' ')
                    .map(|w| pattern.distance(w))
                    .min()
                    .unwrap_or(usize::MAX)
            })
            .unwrap_or(usize::MAX);
        let intended_edits = WordPattern::new(&intended_chars).distance(&fold(&q));
        if best.split(' ').any(|w| w == intended) || best_word_edits <= intended_edits {
            typo_found += 1;
        } else {
            println!("  typo miss: {q:?} for {intended:?}: best {best:?}");
        }
    }
    println!("one-typo words whose best hit holds the word or an equally close one: {typo_found}/{typo_total}");
}
