//! Root folders: normalising the list a user edits (Swing's `add-root-dirs` semantics).

use std::path::{Path, PathBuf};

use swingfly_model::paths::lexical_normal;
pub use swingfly_model::paths::HOME_ROOT;

/// Resolves a stored root to a filesystem path.
pub fn resolve(dir: &str, home: &Path) -> PathBuf {
    if dir == HOME_ROOT {
        home.to_path_buf()
    } else {
        PathBuf::from(dir)
    }
}

/// Applies additions and removals to the stored list: paths are made absolute and resolved
/// (symlinks followed where the folder exists), duplicates dropped, and a folder nested inside
/// another root is dropped because the outer root already covers it.
pub fn merge(current: &[String], added: &[String], removed: &[String], home: &Path) -> Vec<String> {
    let removed: Vec<String> = removed.iter().map(|d| normalise(d, home)).collect();
    let mut dirs: Vec<String> = current
        .iter()
        .chain(added)
        .map(|d| normalise(d, home))
        .filter(|d| !d.is_empty() && !removed.contains(d))
        .collect();
    dirs.sort();
    dirs.dedup();
    let resolved: Vec<PathBuf> = dirs.iter().map(|d| resolve(d, home)).collect();
    dirs.iter()
        .zip(&resolved)
        .filter(|(_, path)| {
            !resolved
                .iter()
                .any(|other| other != *path && path.starts_with(other))
        })
        .map(|(dir, _)| dir.clone())
        .collect()
}

fn normalise(dir: &str, home: &Path) -> String {
    let dir = dir.trim();
    if dir == HOME_ROOT || dir.is_empty() {
        return dir.to_string();
    }
    let expanded = match dir.strip_prefix("~") {
        Some(rest) => home.join(rest.trim_start_matches('/')),
        None => PathBuf::from(dir),
    };
    let absolute = std::fs::canonicalize(&expanded).unwrap_or_else(|_| lexical_normal(&expanded));
    absolute.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_roots_collapse_into_their_ancestor() {
        let home = Path::new("/home/me");
        let dirs = merge(
            &["/srv/music/rock".to_string()],
            &["/srv/music".to_string(), "/srv/music/".to_string()],
            &[],
            home,
        );
        assert_eq!(dirs, vec!["/srv/music".to_string()]);
    }

    #[test]
    fn removal_and_home_marker() {
        let home = Path::new("/home/me");
        let dirs = merge(
            &["/a".to_string(), "/b".to_string()],
            &["$home".to_string(), "/b/../c".to_string()],
            &["/a/".to_string()],
            home,
        );
        assert_eq!(
            dirs,
            vec!["$home".to_string(), "/b".to_string(), "/c".to_string()]
        );
    }

    #[test]
    fn home_covers_folders_inside_it() {
        let home = Path::new("/home/me");
        let dirs = merge(&[], &["$home".into(), "/home/me/Music".into()], &[], home);
        assert_eq!(dirs, vec!["$home".to_string()]);
    }
}
