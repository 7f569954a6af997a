//! Path rules shared by the layers that take folder paths from users: Swing's `$home` root and
//! lexical normalisation (no filesystem access).

use std::path::{Component, Path, PathBuf};

/// Swing's special root and folder value meaning "the user's home folder".
pub const HOME_ROOT: &str = "$home";

/// `a/./b/../c` → `a/c` without touching the filesystem. `..` never climbs above the root of an
/// absolute path; absoluteness is kept as given.
pub fn lexical_normal(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other.as_os_str()),
        }
    }
    normal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_resolve_without_leaving_the_root() {
        assert_eq!(lexical_normal(Path::new("/a/./b/../c/")), Path::new("/a/c"));
        assert_eq!(lexical_normal(Path::new("/../..")), Path::new("/"));
        assert_eq!(lexical_normal(Path::new("a//b/..")), Path::new("a"));
    }
}
