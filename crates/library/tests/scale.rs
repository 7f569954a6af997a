//! Build time and memory at 100k tracks. Ignored by default; run in release:
//! `cargo test -p swingfly-library --release --test scale -- --ignored --nocapture`

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use swingfly_library::{FolderRequest, GetAllKind, GetAllRequest, Library, NoUser, SearchKind};
use swingfly_model::{IndexSettings, RawTrack};

/// Counts live heap bytes so the index's own size can be measured.
struct CountingAllocator;

static LIVE: AtomicUsize = AtomicUsize::new(0);
/// Counting costs a contended atomic per allocation; timed runs switch it off.
static COUNTING: AtomicBool = AtomicBool::new(true);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() && COUNTING.load(Ordering::Relaxed) {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// A deterministic pseudo-random sequence (no dependency needed for test data).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

const WORDS: &[&str] = &[
    "love", "night", "fire", "dream", "city", "river", "gold", "shadow", "heart", "light", "rain",
    "summer", "echo", "stone", "wild", "blue", "ghost", "silver", "ocean", "midnight", "electric",
    "paper", "glass", "velvet", "thunder", "northern", "hollow", "crystal", "neon", "desert",
];

/// 2,000 artists x 5 albums x 10 tracks: titles from a word list, some featured artists, some
/// deluxe editions, several genres, one folder per album.
fn synthetic(count: usize) -> Vec<RawTrack> {
    let mut random = Lcg(42);
    let mut tracks = Vec::with_capacity(count);
    let word = |random: &mut Lcg| capitalise(WORDS[random.next(WORDS.len() as u64) as usize]);
    for index in 0..count {
        let artist = index / 50;
        let album = index / 10;
        let number = (index % 10) as u32 + 1;
        // Names depend only on the artist and album numbers, so tracks share them.
        let mut naming = Lcg(artist as u64 * 7919 + 1);
        let artist_name = format!("{} {} {artist}", word(&mut naming), word(&mut naming));
        let mut naming = Lcg(album as u64 * 104_729 + 3);
        let mut album_name = format!("{} {}", word(&mut naming), album);
        if album % 7 == 0 {
            album_name.push_str(" (Deluxe Edition)");
        }
        let mut title = format!(
            "{} {} {}",
            word(&mut random),
            word(&mut random).to_lowercase(),
            number
        );
        if random.next(10) == 0 {
            title.push_str(&format!(" (feat. Guest {})", random.next(500)));
        }
        let year = 1960 + Lcg(album as u64).next(64);
        let folder = format!("/music/{artist_name}/{album_name}");
        tracks.push(RawTrack {
            filepath: format!("{folder}/{number:02} {title}.flac"),
            folder,
            size: 30_000_000,
            mtime: 1_600_000_000 + index as i64,
            title: Some(title),
            album: Some(album_name),
            artists: Some(artist_name.clone()),
            albumartists: Some(artist_name),
            genres: Some(
                ["Rock", "Pop; Dance", "Jazz", "Hip-Hop/Rap"][random.next(4) as usize].to_owned(),
            ),
            date: Some(year.to_string()),
            track: Some(number),
            track_total: Some(10),
            disc: Some(1),
            disc_total: Some(1),
            duration: 180.0 + random.next(120) as f64,
            bitrate: 900 + random.next(200) as u32,
            samplerate: 44_100,
            bitdepth: Some(16),
            channels: 2,
            has_picture: number == 1,
            ..RawTrack::default()
        });
    }
    tracks
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// User plus system CPU time of this process so far (Linux: /proc/self/stat, in clock ticks of
/// 10 ms); zero elsewhere.
fn process_cpu_time() -> std::time::Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return std::time::Duration::ZERO;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks: u64 = fields.get(11..13).map_or(0, |pair| {
        pair.iter().filter_map(|t| t.parse::<u64>().ok()).sum()
    });
    std::time::Duration::from_millis(ticks * 10)
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn build_100k_tracks() {
    const TRACKS: usize = 100_000;
    let settings = IndexSettings::default();
    let art = HashMap::new();

    // Memory: one counted build. Live bytes after the build (the raw input is consumed) minus
    // live bytes before it was generated = the index's heap.
    let base = LIVE.load(Ordering::Relaxed);
    let raw = synthetic(TRACKS);
    let raw_bytes = LIVE.load(Ordering::Relaxed) - base;
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    let mut library = Library::build(raw, &settings, &art, 1);
    let index_bytes = LIVE.load(Ordering::Relaxed) - base;
    let peak = PEAK.load(Ordering::Relaxed) - base;
    println!(
        "memory: raw input {:.1} MiB | index heap {:.1} MiB | peak during build {:.1} MiB (input included)",
        mib(raw_bytes),
        mib(index_bytes),
        mib(peak)
    );
    println!(
        "record sizes: track {} B, album {} B, artist {} B",
        std::mem::size_of::<swingfly_library::IndexedTrack>(),
        std::mem::size_of::<swingfly_library::Album>(),
        std::mem::size_of::<swingfly_library::Artist>()
    );
    // Lifetime-long counting is unbalanced once switched off, so it stays off from here on.
    COUNTING.store(false, Ordering::Relaxed);

    let mut timings = Vec::new();
    let mut cpu = std::time::Duration::ZERO;
    for _ in 0..5 {
        drop(library);
        let raw = synthetic(TRACKS);
        let (started, cpu_before) = (Instant::now(), process_cpu_time());
        library = Library::build(raw, &settings, &art, 1);
        let elapsed = started.elapsed();
        cpu += process_cpu_time().saturating_sub(cpu_before);
        timings.push(elapsed);
        println!("build: {:.1} ms", elapsed.as_secs_f64() * 1e3);
    }
    let stats = library.stats();
    println!("stats: {stats:?}");
    assert_eq!(stats.files, TRACKS);
    println!(
        "best build: {:.1} ms wall; {:.1} ms CPU per build on average (all threads, pool spinning included)",
        timings.iter().min().unwrap().as_secs_f64() * 1e3,
        cpu.as_secs_f64() * 1e3 / timings.len() as f64
    );

    let timed = |label: &str, run: &mut dyn FnMut() -> usize| {
        let first = Instant::now();
        let mut size = run();
        let first = first.elapsed();
        let started = Instant::now();
        for _ in 0..20 {
            size = run();
        }
        println!(
            "{label:<40} {:>8.3} ms ({size} items; first call {:.3} ms)",
            started.elapsed().as_secs_f64() * 1e3 / 20.0,
            first.as_secs_f64() * 1e3
        );
    };
    timed("search_top(\"midnight love\")", &mut || {
        library.search_top("midnight love", 6, &NoUser).tracks.len()
    });
    timed("search(tracks, \"gold\", 0, 30)", &mut || {
        library
            .search("gold", SearchKind::Tracks, 0, 30, &NoUser)
            .results
            .len()
    });
    let by_title = GetAllRequest {
        kind: GetAllKind::Albums,
        start: 0,
        limit: 50,
        sortby: "title".into(),
        reverse: false,
        article_aware_sorting: false,
    };
    let started = Instant::now();
    library.get_all(&by_title, &NoUser).unwrap();
    println!(
        "first get_all (computes the name sort ranks): {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    timed("get_all(albums, title, 0..50)", &mut || {
        library.get_all(&by_title, &NoUser).unwrap().items.len()
    });
    let by_created = GetAllRequest {
        kind: GetAllKind::Albums,
        start: 0,
        limit: 20,
        sortby: "created_date".into(),
        reverse: true,
        article_aware_sorting: false,
    };
    timed("get_all(albums, created_date desc, 0..20)", &mut || {
        library.get_all(&by_created, &NoUser).unwrap().items.len()
    });
    let by_plays = GetAllRequest {
        kind: GetAllKind::Artists,
        sortby: "playcount".into(),
        reverse: true,
        ..by_title.clone()
    };
    timed("get_all(artists, playcount, 0..50)", &mut || {
        library.get_all(&by_plays, &NoUser).unwrap().items.len()
    });
    let artist = library.artists()[0].artisthash;
    timed("artist_page", &mut || {
        library
            .artist_page(artist, 5, 7, false, &NoUser)
            .unwrap()
            .tracks
            .len()
    });
    let album = library.albums()[0].albumhash;
    timed("album_page", &mut || {
        library.album_page(album, 6, &NoUser).unwrap().tracks.len()
    });
    let request = FolderRequest {
        folder: "/music".into(),
        ..FolderRequest::default()
    };
    timed("folder(/music) [dir missing: Invalid]", &mut || {
        library
            .folder(&request, &["/music".into()], "/", &NoUser)
            .map_or(0, |response| response.tracks.len())
    });
}

#[test]
#[ignore = "benchmark"]
fn rules_alone_100k() {
    use rayon::prelude::*;
    COUNTING.store(false, Ordering::Relaxed);
    let raw = synthetic(100_000);
    let rules = swingfly_model::rules::Rules::new(&IndexSettings::default());
    for _ in 0..3 {
        let started = Instant::now();
        let tracks: Vec<_> = raw.par_iter().map(|record| rules.track(record)).collect();
        println!(
            "rules.track x100k in parallel: {:?} ({})",
            started.elapsed(),
            tracks.len()
        );
        let started = Instant::now();
        drop(tracks);
        println!("drop: {:?}", started.elapsed());
    }
}
