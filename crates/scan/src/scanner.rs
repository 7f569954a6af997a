//! The incremental scan: walk the roots, stat every audio file in parallel, read only what is new
//! or changed, and report what disappeared.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use swingfly_model::RawTrack;
use walkdir::WalkDir;

use crate::paths::{home_library_dir, is_audio_path, is_skipped_dir};
use crate::read::{mtime_seconds, read_track};

/// How often (in files) progress is reported while walking and reading.
const PROGRESS_EVERY: usize = 256;

/// What the store holds about a file: if both still match, the file is not opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnownFile {
    pub size: u64,
    pub mtime: i64,
}

/// One scan's input.
#[derive(Clone, Debug, Default)]
pub struct ScanRequest {
    /// Music folders (an audio file may also be given directly). Relative paths are made absolute
    /// against the current directory; symlinks are kept as written.
    pub roots: Vec<PathBuf>,
    /// filepath -> what the store holds for it.
    pub known: HashMap<String, KnownFile>,
}

/// A file or directory the scan could not use, with a reason meant for a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

/// The result of a scan.
#[derive(Clone, Debug, Default)]
pub struct ScanOutcome {
    /// Audio files found under the roots (after de-duplication).
    pub files_seen: usize,
    /// Known files whose size and mtime matched: not opened.
    pub unchanged: usize,
    /// New or changed files, read. Sorted by filepath.
    pub upserts: Vec<RawTrack>,
    /// Known filepaths to delete: gone from the roots, or now unreadable. Sorted.
    pub removed: Vec<String>,
    /// Files (and directories or roots) that could not be used, with reasons.
    pub skipped: Vec<SkippedFile>,
}

/// Progress reports. `Walking` comes from the walking thread; `Reading` from worker threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanProgress {
    Walking { files_found: usize },
    Reading { done: usize, total: usize },
}

/// Scans the roots against what the store knows. Never panics on bad files; never aborts.
///
/// Safety net: a root that does not exist or cannot be listed (an unmounted drive), or a
/// directory that cannot be listed, is reported in `skipped`, and known files under it are **not**
/// reported as removed, so an unplugged disk does not empty the library.
pub fn scan(request: &ScanRequest, progress: &(dyn Fn(ScanProgress) + Sync)) -> ScanOutcome {
    let walk = walk_roots(&request.roots, progress);
    let mut skipped = walk.skipped;
    let total = walk.files.len();
    progress(ScanProgress::Reading { done: 0, total });

    let done = AtomicUsize::new(0);
    let results: Vec<FileResult> = walk
        .files
        .par_iter()
        .map(|path| {
            let result = examine(path, &request.known);
            let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
            if finished.is_multiple_of(PROGRESS_EVERY) && finished != total {
                progress(ScanProgress::Reading {
                    done: finished,
                    total,
                });
            }
            result
        })
        .collect();
    progress(ScanProgress::Reading { done: total, total });

    let mut outcome = ScanOutcome {
        files_seen: total,
        ..ScanOutcome::default()
    };
    let mut readable: HashSet<&str> = HashSet::with_capacity(total);
    for (path, result) in walk.files.iter().zip(results) {
        match result {
            FileResult::Unchanged => {
                outcome.unchanged += 1;
                readable.extend(path.to_str());
            }
            FileResult::Read(track) => {
                readable.extend(path.to_str());
                outcome.upserts.push(*track);
            }
            FileResult::Skipped(reason) => skipped.push(SkippedFile {
                path: path.to_string_lossy().into_owned(),
                reason,
            }),
        }
    }

    outcome.removed = request
        .known
        .keys()
        .filter(|known| !readable.contains(known.as_str()))
        .filter(|known| {
            let known = Path::new(known.as_str());
            !walk.unlisted.iter().any(|dir| known.starts_with(dir))
        })
        .cloned()
        .collect();
    outcome.removed.sort_unstable();
    outcome.skipped = skipped;
    outcome
}

enum FileResult {
    Unchanged,
    Read(Box<RawTrack>),
    Skipped(String),
}

fn examine(path: &Path, known: &HashMap<String, KnownFile>) -> FileResult {
    let Some(filepath) = path.to_str() else {
        return FileResult::Skipped("the path is not valid UTF-8".to_owned());
    };
    if let Some(known) = known.get(filepath) {
        match fs::metadata(path) {
            Ok(metadata)
                if metadata.len() == known.size && mtime_seconds(&metadata) == known.mtime =>
            {
                return FileResult::Unchanged;
            }
            Ok(_) => {}
            Err(error) => return FileResult::Skipped(format!("cannot read the file: {error}")),
        }
    }
    match read_track(path) {
        Ok(track) => FileResult::Read(Box::new(track)),
        Err(error) => FileResult::Skipped(error.to_string()),
    }
}

struct Walk {
    /// Audio files, absolute, sorted, de-duplicated.
    files: Vec<PathBuf>,
    skipped: Vec<SkippedFile>,
    /// Roots and directories that could not be listed: known files under them are kept.
    unlisted: Vec<PathBuf>,
}

fn walk_roots(roots: &[PathBuf], progress: &(dyn Fn(ScanProgress) + Sync)) -> Walk {
    let home_library = home_library_dir();
    let mut walk = Walk {
        files: Vec::new(),
        skipped: Vec::new(),
        unlisted: Vec::new(),
    };
    for root in roots {
        let root = match std::path::absolute(root) {
            Ok(root) => root,
            Err(error) => {
                walk.skip_root(
                    root.clone(),
                    format!("cannot resolve the music folder: {error}"),
                );
                continue;
            }
        };
        if let Err(error) = fs::metadata(&root) {
            walk.skip_root(root, format!("music folder is not accessible: {error}"));
            continue;
        }
        // follow_links: symlinked folders are common in music libraries; walkdir detects loops
        // by comparing each directory against its ancestors and reports them as errors.
        let entries = WalkDir::new(&root)
            .follow_links(true)
            .into_iter()
            .filter_entry(|entry| {
                entry.depth() == 0
                    || !entry.file_type().is_dir()
                    || !is_skipped_dir(entry.path(), home_library.as_deref())
            });
        for entry in entries {
            match entry {
                Ok(entry) => {
                    if entry.file_type().is_file() && is_audio_path(entry.path()) {
                        walk.files.push(entry.into_path());
                        if walk.files.len().is_multiple_of(PROGRESS_EVERY) {
                            progress(ScanProgress::Walking {
                                files_found: walk.files.len(),
                            });
                        }
                    }
                }
                Err(error) => walk.record_walk_error(&error),
            }
        }
    }
    // Overlapping roots (one inside another) must not yield a file twice.
    walk.files.sort_unstable();
    walk.files.dedup();
    progress(ScanProgress::Walking {
        files_found: walk.files.len(),
    });
    walk
}

impl Walk {
    fn skip_root(&mut self, root: PathBuf, reason: String) {
        self.skipped.push(SkippedFile {
            path: root.to_string_lossy().into_owned(),
            reason,
        });
        self.unlisted.push(root);
    }

    fn record_walk_error(&mut self, error: &walkdir::Error) {
        let Some(path) = error.path() else {
            return;
        };
        if let Some(ancestor) = error.loop_ancestor() {
            self.skipped.push(SkippedFile {
                path: path.to_string_lossy().into_owned(),
                reason: format!(
                    "symbolic link loop back to {}; not followed",
                    ancestor.display()
                ),
            });
            return;
        }
        let io_kind = error.io_error().map(io::Error::kind);
        // A dangling symlink to something that is not audio is of no interest.
        if io_kind == Some(io::ErrorKind::NotFound) && !is_audio_path(path) {
            return;
        }
        let reason = match error.io_error() {
            Some(io_error) if io_kind == Some(io::ErrorKind::NotFound) => {
                format!("broken symbolic link: {io_error}")
            }
            Some(io_error) => format!("cannot read: {io_error}"),
            None => error.to_string(),
        };
        self.skipped.push(SkippedFile {
            path: path.to_string_lossy().into_owned(),
            reason,
        });
        // A directory we could not list may still hold known files; do not report them removed.
        if !is_audio_path(path) {
            self.unlisted.push(path.to_path_buf());
        }
    }
}
