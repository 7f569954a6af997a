//! Copying playlist images (and their `thumb_` companions) between a backup or a Swing config
//! folder and the data folder, without ever overwriting another playlist's image.

use std::path::Path;

use super::records::is_plain_file_name;

/// Swing's (and our) name for a playlist image's thumbnail.
pub fn thumbnail_name(image: &str) -> String {
    format!("thumb_{image}")
}

/// Brings `name` (and `thumb_<name>`) from `source_dir` into `target_dir` and returns the name the
/// image has there: the same name when the target is free or already holds the same bytes, a new
/// name when it holds a different image. `None` when neither folder has the image (the playlist
/// then shows the fallback image).
pub fn bring_in(
    source_dir: &Path,
    target_dir: &Path,
    name: &str,
) -> std::io::Result<Option<String>> {
    if !is_plain_file_name(name) {
        return Ok(None);
    }
    let source = source_dir.join(name);
    let bytes = match std::fs::read(&source) {
        Ok(bytes) => bytes,
        // The data folder may still have it (restoring onto the install that made the backup).
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(target_dir.join(name).is_file().then(|| name.to_string()));
        }
        Err(error) => return Err(error),
    };
    std::fs::create_dir_all(target_dir)?;
    let mut candidate = name.to_string();
    for attempt in 1.. {
        let target = target_dir.join(&candidate);
        match std::fs::read(&target) {
            Ok(existing) if existing == bytes => return Ok(Some(candidate)),
            Ok(_) => candidate = format!("r{attempt}_{name}"),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => break,
            Err(error) => return Err(error),
        }
    }
    write_atomically(&target_dir.join(&candidate), &bytes)?;
    // The thumbnail is optional: the full image stands in when it is missing.
    let thumb = std::fs::read(source_dir.join(thumbnail_name(name))).unwrap_or(bytes);
    write_atomically(&target_dir.join(thumbnail_name(&candidate)), &thumb)?;
    Ok(Some(candidate))
}

/// Copies `name` and its thumbnail (when present) from `source_dir` into `target_dir`, for a new
/// backup. Returns whether the image existed.
pub fn copy_out(source_dir: &Path, target_dir: &Path, name: &str) -> std::io::Result<bool> {
    if !is_plain_file_name(name) {
        return Ok(false);
    }
    let mut found = false;
    for file in [name.to_string(), thumbnail_name(name)] {
        match std::fs::copy(source_dir.join(&file), target_dir.join(&file)) {
            Ok(_) => found |= file == name,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
    }
    Ok(found)
}

/// Writes through a hidden temporary name and renames, so a reader never sees half a file.
fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let file_name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let partial = target.with_file_name(format!(".{file_name}.{}.partial", std::process::id()));
    let written = std::fs::write(&partial, bytes).and_then(|()| std::fs::rename(&partial, target));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_bytes_keep_the_name_and_different_bytes_get_a_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let (source, target) = (dir.path().join("src"), dir.path().join("dst"));
        std::fs::create_dir_all(&source).unwrap();
        std::fs::write(source.join("1abc.webp"), b"one").unwrap();
        std::fs::write(source.join("thumb_1abc.webp"), b"one-thumb").unwrap();

        assert_eq!(
            bring_in(&source, &target, "1abc.webp").unwrap().as_deref(),
            Some("1abc.webp")
        );
        assert_eq!(
            std::fs::read(target.join("thumb_1abc.webp")).unwrap(),
            b"one-thumb"
        );
        assert_eq!(
            bring_in(&source, &target, "1abc.webp").unwrap().as_deref(),
            Some("1abc.webp")
        );

        std::fs::write(source.join("1abc.webp"), b"another").unwrap();
        let renamed = bring_in(&source, &target, "1abc.webp").unwrap().unwrap();
        assert_eq!(renamed, "r1_1abc.webp");
        assert_eq!(std::fs::read(target.join("1abc.webp")).unwrap(), b"one");
        assert_eq!(std::fs::read(target.join(&renamed)).unwrap(), b"another");

        assert_eq!(bring_in(&source, &target, "missing.webp").unwrap(), None);
        assert_eq!(bring_in(&source, &target, "../1abc.webp").unwrap(), None);
    }
}
