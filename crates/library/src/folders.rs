//! The folder tree: every directory holding indexed files, plus its ancestors, with the files
//! directly inside and a recursive file count, so listing a folder needs no disk walk.

use std::collections::HashMap;
use std::sync::Arc;

use swingfly_model::text::natural_cmp;
use swingfly_model::Hash;

use crate::entities::IndexedTrack;
use crate::hashing::HashKeyed;

/// One directory.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FolderNode {
    /// Absolute path without a trailing slash ("/" for the filesystem root).
    pub path: Arc<str>,
    pub parent: Option<u32>,
    /// Sub-directories, by name in natural order.
    pub children: Box<[u32]>,
    /// Indexed files directly inside, by mtime (then path).
    pub files: Box<[u32]>,
    /// Indexed files in this directory and below.
    pub recursive_files: u32,
}

impl FolderNode {
    /// The last path component ("/" for the root).
    pub fn name(&self) -> &str {
        folder_name(&self.path)
    }
}

/// The last component of a slash-separated path.
pub(crate) fn folder_name(path: &str) -> &str {
    match path.rfind('/') {
        Some(index) if index + 1 < path.len() => &path[index + 1..],
        _ => path,
    }
}

/// The parent of a normalised path; `None` for "/" and for relative single components.
pub(crate) fn parent_path(path: &str) -> Option<&str> {
    match path.rfind('/') {
        _ if path == "/" => None,
        Some(0) => Some("/"),
        Some(index) => Some(&path[..index]),
        None => None,
    }
}

/// `path` without trailing slashes ("/" stays "/").
pub(crate) fn trim_trailing_slashes(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() && path.starts_with('/') {
        "/"
    } else {
        trimmed
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct FolderTree {
    pub nodes: Vec<FolderNode>,
    by_path: HashMap<Arc<str>, u32>,
    by_pathhash: HashKeyed<u32>,
}

impl FolderTree {
    pub fn get(&self, path: &str) -> Option<&FolderNode> {
        self.by_path
            .get(path)
            .map(|&index| &self.nodes[index as usize])
    }

    pub fn node(&self, index: u32) -> &FolderNode {
        &self.nodes[index as usize]
    }

    /// The folder whose files have this pathhash.
    pub fn by_pathhash(&self, pathhash: Hash) -> Option<&FolderNode> {
        self.by_pathhash
            .get(&pathhash)
            .map(|&index| &self.nodes[index as usize])
    }

    /// Folders holding files directly.
    pub fn populated_count(&self) -> usize {
        self.nodes
            .iter()
            .filter(|node| !node.files.is_empty())
            .count()
    }

    /// Every file below `node`, depth first.
    pub fn files_below(&self, node: &FolderNode, out: &mut Vec<u32>) {
        out.extend_from_slice(&node.files);
        for &child in node.children.iter() {
            self.files_below(self.node(child), out);
        }
    }
}

/// Collects folder paths while tracks are converted (interning each path once), then links the
/// tree once the tracks have their final positions.
#[derive(Default)]
pub(crate) struct FolderTreeBuilder {
    nodes: Vec<FolderNode>,
    by_path: HashMap<Arc<str>, u32>,
    last: Option<LastInterned>,
}

/// The previous `intern` call: its argument and answer.
struct LastInterned {
    input: Arc<str>,
    index: u32,
}

impl FolderTreeBuilder {
    /// The node and shared path string for `folder`, creating the node and any missing
    /// ancestors (reusing `folder` itself as the node's path). Consecutive files usually share a
    /// folder, so the last answer is remembered.
    pub fn intern(&mut self, folder: &Arc<str>) -> (u32, Arc<str>) {
        if let Some(last) = &self.last {
            if Arc::ptr_eq(&last.input, folder) || *last.input == **folder {
                return (last.index, self.nodes[last.index as usize].path.clone());
            }
        }
        let trimmed = trim_trailing_slashes(folder);
        let index = match self.by_path.get(trimmed) {
            Some(&index) => index,
            None if trimmed.len() == folder.len() => self.insert(folder.clone()),
            None => self.insert(Arc::from(trimmed)),
        };
        self.last = Some(LastInterned {
            input: folder.clone(),
            index,
        });
        (index, self.nodes[index as usize].path.clone())
    }

    fn node_for(&mut self, path: &str) -> u32 {
        match self.by_path.get(path) {
            Some(&index) => index,
            None => self.insert(Arc::from(path)),
        }
    }

    /// Adds a node for a path not yet in the tree, after its ancestors.
    fn insert(&mut self, path: Arc<str>) -> u32 {
        let parent = parent_path(&path).map(|parent| self.node_for(parent));
        let index = self.nodes.len() as u32;
        self.nodes.push(FolderNode {
            path: path.clone(),
            parent,
            children: Box::default(),
            files: Box::default(),
            recursive_files: 0,
        });
        self.by_path.insert(path, index);
        index
    }

    /// Links children, places every track in its folder and counts files recursively.
    pub fn finish(mut self, tracks: &[IndexedTrack]) -> FolderTree {
        let mut files: Vec<Vec<u32>> = vec![Vec::new(); self.nodes.len()];
        let mut by_pathhash = HashKeyed::default();
        let mut previous = None;
        for (id, track) in tracks.iter().enumerate() {
            let node = track.folder_index;
            files[node as usize].push(id as u32);
            // Files of a folder are usually consecutive: record its pathhash once per run.
            if previous != Some(node) {
                by_pathhash.entry(track.pathhash).or_insert(node);
                previous = Some(node);
            }
        }

        let mut children: Vec<Vec<u32>> = vec![Vec::new(); self.nodes.len()];
        for (index, node) in self.nodes.iter().enumerate() {
            if let Some(parent) = node.parent {
                children[parent as usize].push(index as u32);
            }
        }

        // Children always come after their parent in `nodes` (a parent is created first), so a
        // reverse walk sees every child before its parent.
        let mut counts: Vec<u32> = files.iter().map(|list| list.len() as u32).collect();
        for index in (0..self.nodes.len()).rev() {
            if let Some(parent) = self.nodes[index].parent {
                counts[parent as usize] += counts[index];
            }
        }

        let names: Vec<Arc<str>> = self.nodes.iter().map(|node| node.path.clone()).collect();
        for (index, node) in self.nodes.iter_mut().enumerate() {
            let mut own_files = std::mem::take(&mut files[index]);
            own_files.sort_by(|&a, &b| {
                let (a, b) = (&tracks[a as usize], &tracks[b as usize]);
                a.last_mod
                    .cmp(&b.last_mod)
                    .then_with(|| a.filepath.cmp(&b.filepath))
            });
            let mut own_children = std::mem::take(&mut children[index]);
            own_children.sort_by(|&a, &b| {
                natural_cmp(
                    folder_name(&names[a as usize]),
                    folder_name(&names[b as usize]),
                )
            });
            node.files = own_files.into_boxed_slice();
            node.children = own_children.into_boxed_slice();
            node.recursive_files = counts[index];
        }

        FolderTree {
            nodes: self.nodes,
            by_path: self.by_path,
            by_pathhash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_helpers_handle_the_root_and_trailing_slashes() {
        assert_eq!(parent_path("/music/a"), Some("/music"));
        assert_eq!(parent_path("/music"), Some("/"));
        assert_eq!(parent_path("/"), None);
        assert_eq!(parent_path("relative"), None);
        assert_eq!(folder_name("/music/Ab c"), "Ab c");
        assert_eq!(folder_name("/"), "/");
        assert_eq!(trim_trailing_slashes("/music/"), "/music");
        assert_eq!(trim_trailing_slashes("///"), "/");
        assert_eq!(trim_trailing_slashes("/music"), "/music");
    }
}
