//! POST /folder and GET /folder/tracks/all (reference §3.3, §5.6).
//!
//! Listing comes from the folder tree in memory. What the index cannot know (that the folder
//! exists, the subfolders' mtimes and symlink flags, and `total`, the audio files on disk) comes
//! from [`folder_facts`](super::folder_facts), read once per folder and re-checked with one `stat`.

use std::cmp::Ordering;
use std::fs;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use swingfly_model::paths::lexical_normal;
use swingfly_model::text::natural_cmp;

use crate::entities::IndexedTrack;
use crate::paging::page;
use crate::queries::folder_facts::{FolderFacts, SubfolderFacts};
use crate::ranks::without_article;
use crate::track_writer::TrackOut;
use crate::user::{ItemKind, PlayStats, UserView};
use crate::wire::{FolderJson, FolderResponse, TrackJson};
use crate::Library;

/// The special folder value that lists the root folders.
pub use swingfly_model::paths::HOME_ROOT as HOME_FOLDER;

/// At most this many tracks come back from GET /folder/tracks/all.
const FOLDER_TRACKS_ALL_MAX: usize = 300;

/// The body of POST /folder, with Swing's defaults.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default)]
pub struct FolderRequest {
    /// A path, or "$home".
    pub folder: String,
    pub start: usize,
    /// Tracks per page; negative means all.
    pub limit: i64,
    /// Skip the subfolders (used when paging through more tracks).
    pub tracks_only: bool,
    pub sorttracksby: String,
    pub tracksort_reverse: bool,
    pub sortfoldersby: String,
    pub foldersort_reverse: bool,
    /// Ignore leading articles when sorting by artist names (the `artistArticleAwareSorting`
    /// setting; not part of the request body).
    #[serde(skip)]
    pub article_aware_sorting: bool,
}

impl Default for FolderRequest {
    fn default() -> Self {
        Self {
            folder: HOME_FOLDER.to_owned(),
            start: 0,
            limit: 50,
            tracks_only: false,
            sorttracksby: "default".to_owned(),
            tracksort_reverse: false,
            sortfoldersby: "lastmod".to_owned(),
            foldersort_reverse: false,
            article_aware_sorting: false,
        }
    }
}

/// Why a folder cannot be listed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FolderError {
    /// Swing answers 403 `{error:"Path not within allowed directories", folders:[], tracks:[]}`.
    #[error("Path not within allowed directories")]
    Forbidden,
    /// Swing answers 400 `{error:"Invalid directory"}`.
    #[error("Invalid directory")]
    Invalid,
    /// No root folder is configured (Swing answers 404).
    #[error("No root directories configured")]
    NoRoots,
    /// `$playlist…`, `$playlists` and `$favorites` list per-user data: the services layer answers
    /// them, not the index.
    #[error("{0} is answered from per-user data")]
    PseudoFolder(String),
    #[error("unknown track sort key {0:?}")]
    UnknownTrackSort(String),
    #[error("unknown folder sort key {0:?}")]
    UnknownFolderSort(String),
}

/// Track sort keys of POST /folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackSortKey {
    /// File mtime.
    Default,
    Album,
    AlbumArtists,
    Artists,
    Bitrate,
    Date,
    /// Album, then disc, then track number.
    Disc,
    Duration,
    LastMod,
    LastPlayed,
    PlayDuration,
    PlayCount,
    Title,
    FilePath,
}

impl TrackSortKey {
    pub fn parse(key: &str) -> Option<TrackSortKey> {
        Some(match key {
            "default" => TrackSortKey::Default,
            "album" => TrackSortKey::Album,
            "albumartists" => TrackSortKey::AlbumArtists,
            "artists" => TrackSortKey::Artists,
            "bitrate" => TrackSortKey::Bitrate,
            "date" => TrackSortKey::Date,
            "disc" => TrackSortKey::Disc,
            "duration" => TrackSortKey::Duration,
            "last_mod" => TrackSortKey::LastMod,
            "lastplayed" => TrackSortKey::LastPlayed,
            "playduration" => TrackSortKey::PlayDuration,
            "playcount" => TrackSortKey::PlayCount,
            "title" => TrackSortKey::Title,
            "filepath" => TrackSortKey::FilePath,
            _ => return None,
        })
    }

    fn uses_plays(self) -> bool {
        matches!(
            self,
            TrackSortKey::LastPlayed | TrackSortKey::PlayDuration | TrackSortKey::PlayCount
        )
    }
}

/// Folder sort keys of POST /folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FolderSortKey {
    /// Swing uses the filesystem's listing order, which is arbitrary; Swingfly uses the name.
    Default,
    Name,
    /// Directory mtime.
    LastMod,
    /// Indexed files below the folder.
    TrackCount,
}

impl FolderSortKey {
    pub fn parse(key: &str) -> Option<FolderSortKey> {
        Some(match key {
            "default" => FolderSortKey::Default,
            "name" => FolderSortKey::Name,
            "lastmod" => FolderSortKey::LastMod,
            "trackcount" => FolderSortKey::TrackCount,
            _ => return None,
        })
    }
}

impl Library {
    /// POST /folder. `root_dirs` are the configured roots (`"$home"` stands for `home_dir`).
    pub fn folder(
        &self,
        request: &FolderRequest,
        root_dirs: &[String],
        home_dir: &str,
        user: &dyn UserView,
    ) -> Result<FolderResponse, FolderError> {
        Ok(
            match self.folder_listing(request, root_dirs, home_dir, user)? {
                Listing::Roots(response) => response,
                Listing::Directory(listing) => self.directory_response(listing, request, user),
            },
        )
    }

    /// [`Library::folder`] as JSON bytes (the same JSON). The subfolder list, the bulk of a large
    /// folder's answer, is written once per folder and sort order and then copied.
    pub fn folder_json(
        &self,
        request: &FolderRequest,
        root_dirs: &[String],
        home_dir: &str,
        user: &dyn UserView,
    ) -> Result<Vec<u8>, FolderError> {
        Ok(
            match self.folder_listing(request, root_dirs, home_dir, user)? {
                Listing::Roots(response) => serde_json::to_vec(&response).unwrap_or_default(),
                Listing::Directory(listing) => self.directory_json(listing, request, user),
            },
        )
    }

    fn folder_listing(
        &self,
        request: &FolderRequest,
        root_dirs: &[String],
        home_dir: &str,
        user: &dyn UserView,
    ) -> Result<Listing, FolderError> {
        let track_sort = TrackSortKey::parse(&request.sorttracksby)
            .ok_or_else(|| FolderError::UnknownTrackSort(request.sorttracksby.clone()))?;
        let folder_sort = FolderSortKey::parse(&request.sortfoldersby)
            .ok_or_else(|| FolderError::UnknownFolderSort(request.sortfoldersby.clone()))?;
        if root_dirs.is_empty() {
            return Err(FolderError::NoRoots);
        }
        let roots: Vec<String> = root_dirs
            .iter()
            .map(|root| {
                if root == HOME_FOLDER {
                    home_dir
                } else {
                    root.as_str()
                }
            })
            .filter_map(normalize_absolute)
            .collect();

        let requested = request.folder.trim();
        let directory = if requested == HOME_FOLDER || requested.is_empty() {
            if root_dirs.iter().any(|root| root == HOME_FOLDER) {
                normalize_absolute(home_dir).ok_or(FolderError::Invalid)?
            } else if let [only_root] = roots.as_slice() {
                only_root.clone()
            } else {
                return Ok(Listing::Roots(self.list_roots(&roots)));
            }
        } else if requested.starts_with('$') {
            return Err(FolderError::PseudoFolder(requested.to_owned()));
        } else {
            let directory = normalize_absolute(requested).ok_or(FolderError::Invalid)?;
            if !roots.iter().any(|root| is_within(&directory, root)) {
                return Err(FolderError::Forbidden);
            }
            directory
        };

        let facts = self
            .folder_facts
            .get(&directory, self.folders.get(&directory), &self.folders)
            .ok_or(FolderError::Invalid)?;
        Ok(Listing::Directory(self.list_directory(
            directory,
            facts,
            request,
            track_sort,
            folder_sort,
            user,
        )))
    }

    /// `$home` with several roots: the roots holding indexed files, in configured order.
    fn list_roots(&self, roots: &[String]) -> FolderResponse {
        let folders = roots
            .iter()
            .filter_map(|root| self.folders.get(root))
            .filter(|node| node.recursive_files > 0)
            .map(|node| FolderJson {
                is_sym: is_symlink(&node.path),
                name: node.name().to_owned(),
                path: with_trailing_slash(&node.path),
                trackcount: node.recursive_files as usize,
            })
            .collect();
        FolderResponse {
            folders,
            path: HOME_FOLDER.to_owned(),
            total: 0,
            tracks: Vec::new(),
        }
    }

    /// Descends through single-subfolder folders and sorts the tracks.
    fn list_directory(
        &self,
        mut directory: String,
        mut facts: Arc<FolderFacts>,
        request: &FolderRequest,
        track_sort: TrackSortKey,
        folder_sort: FolderSortKey,
        user: &dyn UserView,
    ) -> DirectoryListing {
        loop {
            let node = self.folders.get(&directory);
            let mut files: Vec<u32> = node.map(|node| node.files.to_vec()).unwrap_or_default();
            let shows_subfolders = node.is_some() && !request.tracks_only;

            // Auto-descend through folders that hold only one subfolder (judged before paging,
            // so a page past the end never descends).
            if shows_subfolders && facts.subfolders.len() == 1 && files.is_empty() {
                let only = self.folders.node(facts.subfolders[0].node);
                directory = only.path.to_string();
                facts = self
                    .folder_facts
                    .get(&directory, Some(only), &self.folders)
                    .unwrap_or_else(FolderFacts::unreadable);
                continue;
            }

            self.sort_folder_tracks(&mut files, track_sort, request, user);
            return DirectoryListing {
                directory,
                facts,
                shows_subfolders,
                folder_sort,
                files,
            };
        }
    }

    fn directory_response(
        &self,
        listing: DirectoryListing,
        request: &FolderRequest,
        user: &dyn UserView,
    ) -> FolderResponse {
        let tracks: Vec<TrackJson> = page(&listing.files, request.start, request.limit)
            .iter()
            .map(|&id| self.track_json(&self.tracks[id as usize], user))
            .collect();
        let folders = if listing.shows_subfolders {
            self.subfolders_json(
                &listing.facts.subfolders,
                listing.folder_sort,
                request.foldersort_reverse,
            )
        } else {
            Vec::new()
        };
        FolderResponse {
            folders,
            total: listing.facts.total,
            path: listing.directory,
            tracks,
        }
    }

    /// The same object as [`Library::directory_response`], key for key.
    fn directory_json(
        &self,
        listing: DirectoryListing,
        request: &FolderRequest,
        user: &dyn UserView,
    ) -> Vec<u8> {
        let tracks: Vec<TrackOut<'_>> = page(&listing.files, request.start, request.limit)
            .iter()
            .map(|&id| TrackOut::new(self, &self.tracks[id as usize], user))
            .collect();
        let folders: &[u8] = if listing.shows_subfolders {
            listing
                .facts
                .subfolders_json(listing.folder_sort, request.foldersort_reverse, || {
                    let folders = self.subfolders_json(
                        &listing.facts.subfolders,
                        listing.folder_sort,
                        request.foldersort_reverse,
                    );
                    serde_json::to_vec(&folders).unwrap_or_default()
                })
        } else {
            b"[]"
        };
        let mut out = Vec::with_capacity(folders.len() + 1024 * (tracks.len() + 1));
        out.extend_from_slice(b"{\"folders\":");
        out.extend_from_slice(folders);
        out.extend_from_slice(b",\"path\":");
        // Writing to a Vec only fails if a Serialize impl does, and these never do.
        let _ = serde_json::to_writer(&mut out, &listing.directory);
        out.extend_from_slice(b",\"total\":");
        out.extend_from_slice(listing.facts.total.to_string().as_bytes());
        out.extend_from_slice(b",\"tracks\":");
        let _ = serde_json::to_writer(&mut out, &tracks);
        out.push(b'}');
        out
    }

    fn subfolders_json(
        &self,
        subfolders: &[SubfolderFacts],
        key: FolderSortKey,
        reverse: bool,
    ) -> Vec<FolderJson> {
        sort_subfolders(subfolders, key, reverse)
            .into_iter()
            .map(|folder| {
                let node = self.folders.node(folder.node);
                FolderJson {
                    is_sym: folder.is_sym,
                    name: node.name().to_owned(),
                    path: with_trailing_slash(&node.path),
                    trackcount: node.recursive_files as usize,
                }
            })
            .collect()
    }

    /// Sorts by the key (reversed on request); ties fall back to mtime for the mtime keys and
    /// to the title otherwise, then to the path.
    fn sort_folder_tracks(
        &self,
        files: &mut [u32],
        key: TrackSortKey,
        request: &FolderRequest,
        user: &dyn UserView,
    ) {
        let tracks = &self.tracks;
        let plays: Vec<PlayStats> = if key.uses_plays() {
            files
                .iter()
                .map(|&id| user.plays(ItemKind::Track, tracks[id as usize].trackhash))
                .collect()
        } else {
            Vec::new()
        };
        let articles = request.article_aware_sorting;
        let first_name = |names: &[swingfly_model::ArtistRef]| -> String {
            let name = names.first().map_or("", |artist| &*artist.name);
            if articles {
                without_article(name)
            } else {
                name
            }
            .to_owned()
        };

        let mut order: Vec<usize> = (0..files.len()).collect();
        let compare_key = |a: usize, b: usize| -> Ordering {
            let (x, y) = (&tracks[files[a] as usize], &tracks[files[b] as usize]);
            match key {
                TrackSortKey::Default | TrackSortKey::LastMod => x.last_mod.cmp(&y.last_mod),
                TrackSortKey::Album => natural_cmp(&x.album, &y.album),
                TrackSortKey::AlbumArtists => {
                    natural_cmp(&first_name(&x.albumartists), &first_name(&y.albumartists))
                }
                TrackSortKey::Artists => {
                    natural_cmp(&first_name(&x.artists), &first_name(&y.artists))
                }
                TrackSortKey::Bitrate => x.bitrate.cmp(&y.bitrate),
                TrackSortKey::Date => x.date.cmp(&y.date),
                TrackSortKey::Disc => natural_cmp(&x.album, &y.album)
                    .then(x.albumhash.cmp(&y.albumhash))
                    .then(x.disc.cmp(&y.disc))
                    .then(x.track.cmp(&y.track)),
                TrackSortKey::Duration => x.duration.cmp(&y.duration),
                TrackSortKey::LastPlayed => plays[a].lastplayed.cmp(&plays[b].lastplayed),
                TrackSortKey::PlayDuration => plays[a].playduration.cmp(&plays[b].playduration),
                TrackSortKey::PlayCount => plays[a].playcount.cmp(&plays[b].playcount),
                TrackSortKey::Title => natural_cmp(&x.title, &y.title),
                TrackSortKey::FilePath => natural_cmp(&x.filepath, &y.filepath),
            }
        };
        let compare_base = |a: usize, b: usize| -> Ordering {
            let (x, y) = (&tracks[files[a] as usize], &tracks[files[b] as usize]);
            let base = match key {
                TrackSortKey::Default | TrackSortKey::LastMod => Ordering::Equal,
                _ => natural_cmp(&x.title, &y.title),
            };
            base.then_with(|| x.filepath.cmp(&y.filepath))
        };
        order.sort_by(|&a, &b| {
            let by_key = compare_key(a, b);
            let by_key = if request.tracksort_reverse {
                by_key.reverse()
            } else {
                by_key
            };
            by_key.then_with(|| compare_base(a, b))
        });
        let sorted: Vec<u32> = order.into_iter().map(|index| files[index]).collect();
        files.copy_from_slice(&sorted);
    }

    /// GET /folder/tracks/all: the indexed files in `path` and below that still exist, oldest
    /// mtime first, at most 300. Empty for a folder the index does not know.
    pub fn folder_tracks_all(&self, path: &str, user: &dyn UserView) -> Vec<TrackJson> {
        let Some(node) = normalize_absolute(path).and_then(|path| self.folders.get(&path)) else {
            return Vec::new();
        };
        let mut files = Vec::new();
        self.folders.files_below(node, &mut files);
        let mut records: Vec<&IndexedTrack> =
            files.iter().map(|&id| &self.tracks[id as usize]).collect();
        records.sort_by(|a, b| {
            a.last_mod
                .cmp(&b.last_mod)
                .then_with(|| a.filepath.cmp(&b.filepath))
        });
        records
            .into_iter()
            .filter(|track| Path::new(&*track.filepath).is_file())
            .take(FOLDER_TRACKS_ALL_MAX)
            .map(|track| self.track_json(track, user))
            .collect()
    }
}

/// What a directory listing shows, before it is written.
struct DirectoryListing {
    /// After auto-descent.
    directory: String,
    facts: Arc<FolderFacts>,
    shows_subfolders: bool,
    folder_sort: FolderSortKey,
    /// Every indexed file directly inside, sorted (not yet paged).
    files: Vec<u32>,
}

enum Listing {
    /// `$home` over several roots.
    Roots(FolderResponse),
    Directory(DirectoryListing),
}

/// Sorts by the key (reversed on request), ties by name. Siblings come in natural name order,
/// so their positions stand in for the names and no string is compared here.
fn sort_subfolders(
    folders: &[SubfolderFacts],
    key: FolderSortKey,
    reverse: bool,
) -> Vec<SubfolderFacts> {
    let mut folders = folders.to_vec();
    let key_of = |folder: &SubfolderFacts| -> i64 {
        match key {
            FolderSortKey::Default | FolderSortKey::Name => i64::from(folder.position),
            FolderSortKey::LastMod => folder.mtime,
            FolderSortKey::TrackCount => i64::from(folder.recursive_files),
        }
    };
    folders.sort_unstable_by(|a, b| {
        let by_key = key_of(a).cmp(&key_of(b));
        let by_key = if reverse { by_key.reverse() } else { by_key };
        by_key.then(a.position.cmp(&b.position))
    });
    folders
}

/// An absolute path with `.`, `..` and repeated slashes resolved lexically, without a trailing
/// slash. A relative path is taken from the root, as Swing does. `None` for an empty path.
pub(crate) fn normalize_absolute(path: &str) -> Option<String> {
    if path.trim().is_empty() {
        return None;
    }
    let normal = lexical_normal(&Path::new("/").join(path));
    Some(normal.to_string_lossy().into_owned())
}

/// True when `path` is `root` or lies below it (both normalised).
fn is_within(path: &str, root: &str) -> bool {
    root == "/"
        || path == root
        || (path.starts_with(root) && path.as_bytes().get(root.len()) == Some(&b'/'))
}

fn with_trailing_slash(path: &str) -> String {
    let mut with_slash = String::with_capacity(path.len() + 1);
    with_slash.push_str(path);
    if !path.ends_with('/') {
        with_slash.push('/');
    }
    with_slash
}

fn is_symlink(path: &str) -> bool {
    fs::symlink_metadata(path).is_ok_and(|metadata| metadata.file_type().is_symlink())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalise_lexically() {
        assert_eq!(normalize_absolute("/music/a/").as_deref(), Some("/music/a"));
        assert_eq!(
            normalize_absolute("music//a/./b").as_deref(),
            Some("/music/a/b")
        );
        assert_eq!(
            normalize_absolute("/music/a/../../etc").as_deref(),
            Some("/etc")
        );
        assert_eq!(normalize_absolute("/../..").as_deref(), Some("/"));
        assert_eq!(normalize_absolute("  "), None);
    }

    #[test]
    fn within_respects_component_boundaries() {
        assert!(is_within("/music", "/music"));
        assert!(is_within("/music/a", "/music"));
        assert!(!is_within("/music videos", "/music"));
        assert!(!is_within("/musical", "/music"));
        assert!(is_within("/anything", "/"));
    }
}
