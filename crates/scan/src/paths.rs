//! Which files are audio and which directories a scan never enters (reference §5.2).

use std::ffi::OsStr;
use std::path::Path;

/// Directory names that are skipped wherever they appear as a suffix of the name
/// (Swing Music matches "path ends with", so `my_node_modules` is skipped too).
const SKIPPED_NAME_SUFFIXES: &[&str] =
    &["node_modules", "site-packages", "postgres", "__pycache__"];

/// Directory names that are skipped only when they are the whole name (`/src`, not `/mysrc`).
const SKIPPED_EXACT_NAMES: &[&str] = &["src", "learnrs", "venv", "code", "dist", "demos", "temp"];

/// True when the path has one of the audio extensions (case-insensitive). Only the name is looked at.
/// macOS "AppleDouble" companions (`._song.mp3`, left on non-Apple disks) are metadata, not audio.
pub fn is_audio_path(path: &Path) -> bool {
    let is_apple_double = path
        .file_name()
        .is_some_and(|name| name.as_encoded_bytes().starts_with(b"._"));
    !is_apple_double
        && path
            .extension()
            .is_some_and(|ext| swingfly_model::is_audio_extension(ext.as_encoded_bytes()))
}

/// True when a scan must not descend into this directory. `home_library` is `~/Library`, if a
/// home directory is known. Roots themselves are never tested: a user may keep music in `~/.music`.
pub(crate) fn is_skipped_dir(path: &Path, home_library: Option<&Path>) -> bool {
    let Some(name) = path.file_name().map(OsStr::to_string_lossy) else {
        return false;
    };
    if name.starts_with('.') || name.starts_with('$') {
        return true;
    }
    if SKIPPED_NAME_SUFFIXES
        .iter()
        .any(|suffix| name.ends_with(suffix))
    {
        return true;
    }
    if SKIPPED_EXACT_NAMES.contains(&name.as_ref()) {
        return true;
    }
    if path.to_string_lossy().contains("Photos Library") {
        return true;
    }
    home_library.is_some_and(|library| path == library)
}

/// `$HOME/Library` (macOS keeps caches and app data there), when HOME is set.
pub(crate) fn home_library_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME")
        .filter(|home| !home.is_empty())
        .map(|home| Path::new(&home).join("Library"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_extensions_match_case_insensitively() {
        for name in [
            "a.flac", "b.MP3", "c.Wav", "d.m4a", "e.ogg", "f.OPUS", "g.wma", "h.alac", "i.AIFF",
            "j.aif",
        ] {
            assert!(is_audio_path(Path::new(name)), "{name} should be audio");
        }
        for name in [
            "cover.jpg",
            "notes.txt",
            "mp3",
            "song.mp3.part",
            "song",
            "._song.mp3",
        ] {
            assert!(
                !is_audio_path(Path::new(name)),
                "{name} should not be audio"
            );
        }
    }

    #[test]
    fn skipped_directories_follow_the_reference_rules() {
        let library = Path::new("/home/u/Library");
        for dir in [
            "/m/.git",
            "/m/$RECYCLE.BIN",
            "/m/proj/node_modules",
            "/m/my_node_modules",
            "/m/lib/site-packages",
            "/m/__pycache__",
            "/m/x/src",
            "/m/x/venv",
            "/m/x/temp",
            "/m/Photos Library.photoslibrary/masters",
            "/home/u/Library",
        ] {
            assert!(
                is_skipped_dir(Path::new(dir), Some(library)),
                "{dir} should be skipped"
            );
        }
        for dir in [
            "/m/Artist",
            "/m/x/source",
            "/m/x/temporary",
            "/m/x/codes",
            "/home/u/Music/Library",
        ] {
            assert!(
                !is_skipped_dir(Path::new(dir), Some(library)),
                "{dir} should be walked"
            );
        }
    }
}
