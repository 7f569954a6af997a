//! The scan pipeline: walk and read files (scan layer), commit them to the ledger (store), rebuild
//! the immutable index and swap it in atomically, then extract missing artwork.
//!
//! Order matters for the ledger principle: the store is written before the index is swapped, so
//! whatever the server serves can always be rebuilt from SQL at the next start.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use arc_swap::ArcSwap;
use serde::Serialize;
use swingfly_library::{AlbumArt, Library};
use swingfly_model::{hash_hex, parse_hash, IndexSettings};
use swingfly_scan::artwork::{self, ArtworkJob};
use swingfly_scan::{KnownFile, ScanProgress, ScanRequest};
use swingfly_store::{AlbumArtRow, Store};

/// Files per progress batch, as Swing reports `scan_batch_cleared: i/n`.
const BATCH_SIZE: usize = 150;

/// Progress of one scan, for terminals and server events.
#[derive(Clone, Debug)]
pub enum Progress {
    Walking { files_found: usize },
    Batch { done: usize, total: usize },
    Saving { tracks: usize },
    Indexing,
    Artwork { albums: usize },
}

#[derive(Clone, Debug, Serialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

/// What a scan did: printed by `swingfly scan` (also as JSON) and logged by the server.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ScanReport {
    pub files_seen: usize,
    pub unchanged: usize,
    pub files_read: usize,
    pub removed: usize,
    pub tracks_indexed: usize,
    pub albums: usize,
    pub artists: usize,
    pub artwork_extracted: usize,
    pub skipped: Vec<SkippedFile>,
    /// From the start until the new index served the scanned library (files read, committed to
    /// the store, index rebuilt and swapped in).
    pub indexed_ms: u64,
    /// Artwork extraction for new or changed albums, after the index was swapped in.
    pub artwork_ms: u64,
    /// The whole scan.
    pub elapsed_ms: u64,
}

pub async fn run(
    store: &Store,
    roots: &[PathBuf],
    settings: &IndexSettings,
    thumbnails: &Path,
    live: &ArcSwap<Library>,
    progress: &(dyn Fn(&Progress) + Sync),
) -> anyhow::Result<ScanReport> {
    let started = Instant::now();
    let known: HashMap<String, KnownFile> = store
        .known_files()
        .await?
        .into_iter()
        .map(|(path, (size, mtime))| (path, KnownFile { size, mtime }))
        .collect();
    let request = ScanRequest {
        roots: roots.to_vec(),
        known,
    };
    let outcome = read_files(request, progress).await?;
    tracing::info!(
        files = outcome.files_seen,
        read = outcome.upserts.len(),
        ms = started.elapsed().as_millis() as u64,
        "music folders walked and read"
    );

    let mut report = ScanReport {
        files_seen: outcome.files_seen,
        unchanged: outcome.unchanged,
        files_read: outcome.upserts.len(),
        removed: outcome.removed.len(),
        skipped: outcome
            .skipped
            .into_iter()
            .map(|s| SkippedFile {
                path: s.path,
                reason: s.reason,
            })
            .collect(),
        ..ScanReport::default()
    };

    let changed = !outcome.upserts.is_empty() || !outcome.removed.is_empty();
    if changed {
        progress(&Progress::Saving {
            tracks: outcome.upserts.len(),
        });
        let saving = Instant::now();
        store.apply_scan(&outcome.upserts, &outcome.removed).await?;
        tracing::info!(
            upserts = outcome.upserts.len(),
            removed = outcome.removed.len(),
            ms = saving.elapsed().as_millis() as u64,
            "scan committed to the store"
        );
    }
    let mut library = live.load_full();
    if changed || library.version() != store.library_version().await? {
        progress(&Progress::Indexing);
        library = Arc::new(build_index(store, settings).await?);
        swap_index(live, Arc::clone(&library));
    }

    report.indexed_ms = started.elapsed().as_millis() as u64;

    let artwork_started = Instant::now();
    let updated: HashSet<&str> = outcome
        .upserts
        .iter()
        .map(|t| t.filepath.as_str())
        .collect();
    let extracted = extract_artwork(store, &library, &updated, thumbnails, progress).await?;
    if extracted > 0 {
        library = Arc::new(build_index(store, settings).await?);
        swap_index(live, Arc::clone(&library));
    }
    report.artwork_ms = artwork_started.elapsed().as_millis() as u64;

    let stats = library.stats();
    report.tracks_indexed = stats.tracks;
    report.albums = stats.albums;
    report.artists = stats.artists;
    report.artwork_extracted = extracted;
    Ok(report)
}

/// Walks and reads on the blocking pool; progress comes back over a channel so the caller's
/// callback runs on this task.
async fn read_files(
    request: ScanRequest,
    progress: &(dyn Fn(&Progress) + Sync),
) -> anyhow::Result<swingfly_scan::ScanOutcome> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let worker = tokio::task::spawn_blocking(move || {
        swingfly_scan::scan(&request, &|event| {
            let forwarded = match event {
                ScanProgress::Walking { files_found } if files_found % 1000 == 0 => {
                    Some(Progress::Walking { files_found })
                }
                ScanProgress::Reading { done, total }
                    if done % BATCH_SIZE == 0 || done == total =>
                {
                    Some(Progress::Batch {
                        done: done.div_ceil(BATCH_SIZE),
                        total: total.div_ceil(BATCH_SIZE),
                    })
                }
                _ => None,
            };
            if let Some(event) = forwarded {
                let _ = tx.send(event);
            }
        })
    });
    while let Some(event) = rx.recv().await {
        progress(&event);
    }
    Ok(worker.await?)
}

/// Builds the index from the ledger: raw tracks plus stored album colours.
pub async fn build_index(store: &Store, settings: &IndexSettings) -> anyhow::Result<Library> {
    let started = Instant::now();
    let (raw, art, version) = tokio::try_join!(
        store.load_tracks(),
        store.load_album_art(),
        store.library_version()
    )?;
    let art: HashMap<_, _> = art
        .into_iter()
        .filter_map(|row| {
            let hash = parse_hash(&row.albumhash)?;
            Some((
                hash,
                AlbumArt {
                    color: row.color,
                    blurhash: row.blurhash,
                },
            ))
        })
        .collect();
    let loaded = started.elapsed();
    let settings = settings.clone();
    let library =
        tokio::task::spawn_blocking(move || Library::build(raw, &settings, &art, version)).await?;
    tracing::info!(
        tracks = library.stats().files,
        load_ms = loaded.as_millis() as u64,
        build_ms = (started.elapsed() - loaded).as_millis() as u64,
        "index built from the store"
    );
    Ok(library)
}

/// Swaps a new index in. The new one is warmed and the old one dropped on the blocking pool, so
/// no request pays for either (dropping a 100k-track index takes tens of milliseconds).
pub fn swap_index(live: &ArcSwap<Library>, library: Arc<Library>) {
    let old = live.swap(Arc::clone(&library));
    tokio::task::spawn_blocking(move || {
        library.warm_up();
        drop(old);
    });
}

/// Extracts thumbnails for albums never processed and for albums whose files changed. Albums
/// without any artwork get a row too, so they are not retried on every scan.
async fn extract_artwork(
    store: &Store,
    library: &Library,
    updated: &HashSet<&str>,
    thumbnails: &Path,
    progress: &(dyn Fn(&Progress) + Sync),
) -> anyhow::Result<usize> {
    let processed: HashSet<String> = store
        .load_album_art()
        .await?
        .into_iter()
        .map(|row| row.albumhash)
        .collect();
    let jobs: Vec<ArtworkJob> = library
        .albums_for_artwork()
        .into_iter()
        .map(|(hash, paths)| (hash_hex(hash), paths))
        .filter(|(hex, paths)| {
            !processed.contains(hex) || paths.iter().any(|p| updated.contains(p.as_str()))
        })
        .map(|(albumhash, paths)| ArtworkJob {
            albumhash,
            track_paths: paths.into_iter().map(PathBuf::from).collect(),
        })
        .collect();
    if jobs.is_empty() {
        return Ok(0);
    }
    progress(&Progress::Artwork { albums: jobs.len() });
    let dir = thumbnails.to_path_buf();
    let rows = tokio::task::spawn_blocking(move || {
        // Forced: an album here either has no stored colour (thumbnails left from an earlier
        // database would otherwise be skipped and its colour lost) or has changed files.
        let found: HashMap<String, artwork::AlbumArt> =
            artwork::extract_album_art(&jobs, &dir, true)
                .into_iter()
                .map(|art| (art.albumhash.clone(), art))
                .collect();
        jobs.into_iter()
            .map(|job| {
                let art = found.get(&job.albumhash);
                AlbumArtRow {
                    color: art.and_then(|a| a.color.clone()),
                    blurhash: art.and_then(|a| a.blurhash.clone()),
                    albumhash: job.albumhash,
                }
            })
            .collect::<Vec<_>>()
    })
    .await?;
    let count = rows.len();
    store.upsert_album_art(&rows).await?;
    Ok(count)
}
