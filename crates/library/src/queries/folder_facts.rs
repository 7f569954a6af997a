//! What the disk says about a listed folder, remembered for the life of the index.
//!
//! POST /folder needs three things the index cannot know: that the folder still exists, its
//! audio file count on disk (`total`, indexed or not) and, for each subfolder, whether it still
//! exists, its mtime (the default `lastmod` sort) and whether it is a symlink. Reading them costs
//! one `statat` per subfolder and one directory read: 3,000 subfolders took ~4 ms of CPU per
//! request. They are read once per folder and kept with the folder's own stamp (device, inode,
//! mtime and ctime to the nanosecond). A request then costs one `stat` of the listed folder: a
//! subfolder created, removed or renamed, or an audio file added beside them, changes that stamp
//! and the facts are read again. What the stamp cannot see (a file added inside a subfolder moves
//! only the subfolder's mtime) is caught by re-reading facts older than [`FACTS_MAX_AGE`].

use std::collections::HashMap;
use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use rustix::fd::OwnedFd;
use rustix::fs::{fstat, statat, AtFlags, FileType, Mode, OFlags, RawDir, Stat};

use crate::folders::{FolderNode, FolderTree};
use crate::queries::folder::FolderSortKey;

/// Facts older than this are read again even when the folder's stamp has not moved.
const FACTS_MAX_AGE: Duration = Duration::from_secs(10);

/// At most this many folders are remembered; past it the cache starts over.
const MAX_REMEMBERED_FOLDERS: usize = 4096;

/// Identifies one state of a directory's entry list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    device: u64,
    inode: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Stamp {
    // The `stat` field types differ between architectures.
    #[allow(clippy::unnecessary_cast)]
    fn of(stat: &Stat) -> Stamp {
        Stamp {
            device: stat.st_dev as u64,
            inode: stat.st_ino as u64,
            mtime: (stat.st_mtime as i64, stat.st_mtime_nsec as i64),
            ctime: (stat.st_ctime as i64, stat.st_ctime_nsec as i64),
        }
    }
}

/// A subfolder that exists on disk, with what the listing shows of it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SubfolderFacts {
    /// The subfolder's node in the folder tree.
    pub node: u32,
    /// Its place among its siblings, which the tree keeps in natural name order.
    pub position: u32,
    pub is_sym: bool,
    /// Unix seconds (0 before the epoch).
    pub mtime: i64,
    /// Indexed files below it (the `trackcount` sort).
    pub recursive_files: u32,
}

/// What the disk said about one folder.
#[derive(Debug)]
pub(crate) struct FolderFacts {
    stamp: Option<Stamp>,
    read_at: Instant,
    /// Audio files directly inside on disk (regular files or symlinks to them).
    pub total: usize,
    /// Indexed, non-hidden subfolders that exist, in the tree's (natural name) order.
    pub subfolders: Vec<SubfolderFacts>,
    /// The subfolders as a JSON array, per sort key and direction, written on first use (a root
    /// with 3,000 subfolders answers with ~400 KB of them).
    written: [OnceLock<Box<[u8]>>; 8],
}

impl FolderFacts {
    fn new(
        stamp: Option<Stamp>,
        read_at: Instant,
        total: usize,
        subfolders: Vec<SubfolderFacts>,
    ) -> Self {
        FolderFacts {
            stamp,
            read_at,
            total,
            subfolders,
            written: Default::default(),
        }
    }

    /// A folder that could not be read: nothing in it.
    pub fn unreadable() -> Arc<FolderFacts> {
        Arc::new(FolderFacts::new(None, Instant::now(), 0, Vec::new()))
    }

    /// The subfolders' JSON array in this order, written by `write` the first time.
    pub fn subfolders_json(
        &self,
        key: FolderSortKey,
        reverse: bool,
        write: impl FnOnce() -> Vec<u8>,
    ) -> &[u8] {
        let slot = match key {
            FolderSortKey::Default => 0,
            FolderSortKey::Name => 1,
            FolderSortKey::LastMod => 2,
            FolderSortKey::TrackCount => 3,
        } * 2
            + usize::from(reverse);
        self.written[slot].get_or_init(|| write().into_boxed_slice())
    }
}

/// Folder facts by normalised path, for one index.
#[derive(Debug, Default)]
pub(crate) struct FolderFactsCache {
    folders: RwLock<HashMap<Box<str>, Arc<FolderFacts>>>,
}

impl FolderFactsCache {
    /// The facts of `directory` (normalised, absolute); `None` when it is not a directory.
    /// `node` is its node in `tree`, if the index knows it.
    pub fn get(
        &self,
        directory: &str,
        node: Option<&FolderNode>,
        tree: &FolderTree,
    ) -> Option<Arc<FolderFacts>> {
        let stat = rustix::fs::stat(directory).ok()?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::Directory {
            return None;
        }
        let stamp = Stamp::of(&stat);
        let remembered = self
            .folders
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(directory)
            .cloned();
        if let Some(facts) = remembered {
            if facts.stamp == Some(stamp) && facts.read_at.elapsed() < FACTS_MAX_AGE {
                return Some(facts);
            }
        }
        let facts = Arc::new(read_facts(directory, node, tree));
        let mut folders = self
            .folders
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if folders.len() >= MAX_REMEMBERED_FOLDERS && !folders.contains_key(directory) {
            folders.clear();
        }
        folders.insert(directory.into(), facts.clone());
        Some(facts)
    }
}

/// Reads the folder's facts from disk. The stamp is taken from the open folder before its entries
/// are read, so a change during the read shows as a changed stamp on the next request.
fn read_facts(directory: &str, node: Option<&FolderNode>, tree: &FolderTree) -> FolderFacts {
    let read_at = Instant::now();
    let open = |flags: OFlags| {
        rustix::fs::open(
            directory,
            flags | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .ok()
    };
    // A folder that may be searched but not read still shows its subfolders (with no `total`).
    let (folder, readable) = match open(OFlags::RDONLY) {
        Some(folder) => (folder, true),
        None => match open(OFlags::PATH) {
            Some(folder) => (folder, false),
            None => return FolderFacts::new(None, read_at, 0, Vec::new()),
        },
    };
    let stamp = fstat(&folder).ok().map(|stat| Stamp::of(&stat));
    let total = if readable {
        count_audio_files(&folder)
    } else {
        0
    };
    let subfolders = node
        .map(|node| existing_subfolders(&folder, node, tree))
        .unwrap_or_default();
    FolderFacts::new(stamp, read_at, total, subfolders)
}

/// Indexed subfolders that still exist on disk and are not hidden. Each is looked up relative to
/// the open parent: a listing can hold thousands, and the kernel then resolves one name per child
/// instead of the whole path.
fn existing_subfolders(
    parent: &OwnedFd,
    node: &FolderNode,
    tree: &FolderTree,
) -> Vec<SubfolderFacts> {
    node.children
        .iter()
        .enumerate()
        .filter_map(|(position, &index)| {
            let child = tree.node(index);
            if child.recursive_files == 0 || child.name().starts_with('.') {
                return None;
            }
            let (is_sym, mtime) = directory_facts_at(parent, child.name())?;
            Some(SubfolderFacts {
                node: index,
                position: position as u32,
                is_sym,
                mtime,
                recursive_files: child.recursive_files,
            })
        })
        .collect()
}

/// `(is_symlink, mtime)` of the directory `name` in `parent`, following a symlink to its target;
/// `None` when it is gone or not a directory.
#[allow(clippy::unnecessary_cast)] // `st_mtime`'s type differs between architectures
fn directory_facts_at(parent: &OwnedFd, name: &str) -> Option<(bool, i64)> {
    let link = statat(parent, name, AtFlags::SYMLINK_NOFOLLOW).ok()?;
    let is_sym = FileType::from_raw_mode(link.st_mode) == FileType::Symlink;
    let target = if is_sym {
        statat(parent, name, AtFlags::empty()).ok()?
    } else {
        link
    };
    (FileType::from_raw_mode(target.st_mode) == FileType::Directory)
        .then(|| (is_sym, (target.st_mtime as i64).max(0)))
}

/// Audio files directly in the folder on disk (indexed or not).
///
/// Reads the raw directory entries into one buffer: a root can hold thousands of entries, and
/// `std::fs::read_dir` allocates each name twice.
fn count_audio_files(folder: &OwnedFd) -> usize {
    let mut buffer = vec![MaybeUninit::<u8>::uninit(); 32 * 1024];
    let mut entries = RawDir::new(folder, &mut buffer);
    let mut count = 0;
    while let Some(Ok(entry)) = entries.next() {
        let name = entry.file_name().to_bytes();
        if has_audio_extension(name) && is_file_at(folder, entry.file_name(), entry.file_type()) {
            count += 1;
        }
    }
    count
}

/// The extension as `Path::extension` finds it (after the last dot, not a leading one) is a
/// known audio extension, in any case.
fn has_audio_extension(name: &[u8]) -> bool {
    match name.iter().rposition(|&byte| byte == b'.') {
        Some(dot) if dot > 0 => swingfly_model::is_audio_extension(&name[dot + 1..]),
        _ => false,
    }
}

/// A regular file, or a symlink to one. The directory entry's type is trusted unless the
/// filesystem did not record it.
fn is_file_at(parent: &OwnedFd, name: &CStr, listed: FileType) -> bool {
    let kind = if listed == FileType::Unknown {
        match statat(parent, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => FileType::from_raw_mode(stat.st_mode),
            Err(_) => return false,
        }
    } else {
        listed
    };
    match kind {
        FileType::RegularFile => true,
        FileType::Symlink => statat(parent, name, AtFlags::empty())
            .is_ok_and(|stat| FileType::from_raw_mode(stat.st_mode) == FileType::RegularFile),
        _ => false,
    }
}
