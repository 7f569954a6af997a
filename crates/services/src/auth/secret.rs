//! The token signing secret: 256 random bits, generated on first start and kept in a file only the
//! server's user can read. It is never served (Swing signs with a key any logged-in user can read).

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use rand::RngCore;

/// Secret length in bytes (HS256 wants at least the hash size, 32 bytes).
const SECRET_LEN: usize = 32;

/// Reads the secret at `path`, or generates and stores a new one when the file does not exist.
/// The file holds the secret as hex; its mode is kept at 0600.
pub(crate) fn load_or_create(path: &Path) -> anyhow::Result<Vec<u8>> {
    match fs::read_to_string(path) {
        Ok(text) => {
            restrict_permissions(path)?;
            let secret = hex::decode(text.trim())
                .with_context(|| format!("secret file {} is not hex", path.display()))?;
            if secret.len() < SECRET_LEN {
                bail!(
                    "secret file {} holds {} bytes, at least {SECRET_LEN} are needed",
                    path.display(),
                    secret.len()
                );
            }
            Ok(secret)
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => create(path),
        Err(error) => Err(error).with_context(|| format!("reading secret file {}", path.display())),
    }
}

fn create(path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut secret = vec![0u8; SECRET_LEN];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)
            .with_context(|| format!("creating folder {}", parent.display()))?;
    }
    // Write a private temporary file, then rename it into place: a crash mid-write never leaves a
    // truncated secret behind, and the secret is never readable by others, not even briefly.
    let temporary = path.with_extension("tmp");
    {
        let mut file = private_file_options()
            .open(&temporary)
            .with_context(|| format!("creating secret file {}", temporary.display()))?;
        file.write_all(hex::encode(&secret).as_bytes())?;
        file.sync_all()?;
    }
    fs::rename(&temporary, path)
        .with_context(|| format!("moving secret file into place at {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a new token signing secret");
    Ok(secret)
}

#[cfg(unix)]
fn private_file_options() -> fs::OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true).mode(0o600);
    options
}

#[cfg(not(unix))]
fn private_file_options() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    options
}

/// A secret readable by group or others is tightened back to 0600 (e.g. after a careless copy).
#[cfg(unix)]
fn restrict_permissions(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "secret file was readable by others; restricting it to 0600");
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .with_context(|| format!("restricting permissions of {}", path.display()))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_once_then_reads_the_same_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/secret.key");
        let first = load_or_create(&path).unwrap();
        assert_eq!(first.len(), SECRET_LEN);
        let second = load_or_create(&path).unwrap();
        assert_eq!(first, second);
        let other_dir = tempfile::tempdir().unwrap();
        let other = load_or_create(&other_dir.path().join("secret.key")).unwrap();
        assert_ne!(first, other, "each data folder gets its own random secret");
    }

    #[cfg(unix)]
    #[test]
    fn secret_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        load_or_create(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);

        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        load_or_create(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "a loose mode is tightened on load");
    }

    #[test]
    fn rejects_a_malformed_or_short_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        fs::write(&path, "not hex at all").unwrap();
        assert!(load_or_create(&path).is_err());
        fs::write(&path, "abcd").unwrap();
        assert!(load_or_create(&path).is_err());
    }
}
