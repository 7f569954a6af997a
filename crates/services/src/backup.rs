//! Backups of every user's own data (reference §3.16): favourites, scrobbles, playlists (with their
//! images) and collections. A backup is a folder `<data>/backups/backup.<unix ts>/` holding
//! `data.json` (`{favorites, scrobbles, playlists, collections}`, each row naming its owner by
//! username so a restore onto another install maps users by name), `info.json` (the counts, so a
//! listing need not read every `data.json`) and `images/playlists/`. It is written in a hidden
//! temporary folder and renamed into place, so a listed backup is always complete.
//!
//! Restoring is idempotent (see `swingfly_store::backup`): restoring the same backup twice adds
//! nothing the second time. Rows of users that do not exist here are skipped.

pub mod images;
pub mod records;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use swingfly_library::humanize;
use swingfly_store::backup::{ImportOutcome, TableOutcome, UserRecords};

use crate::app::App;
use records::SkippedRow;

/// Backup folder names start with this, then the creation time in unix seconds.
pub const BACKUP_PREFIX: &str = "backup.";
const DATA_FILE: &str = "data.json";
const INFO_FILE: &str = "info.json";
/// Where a backup keeps its playlist images (the config folder's layout, as in Swing).
const PLAYLIST_IMAGES_DIR: &str = "images/playlists";
/// Written into `data.json` to tell our backups from other files.
const FORMAT: &str = "swingfly-backup-1";
const MAX_NAME_CHARS: usize = 128;

/// Creating, restoring and deleting never overlap (within this process).
static BACKUP_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A name that is not a plain backup folder name (separators, parent references, hidden).
    #[error("Invalid backup name")]
    InvalidName,
    #[error("Backup not found")]
    NotFound,
    /// The backup's `data.json` is missing or not ours.
    #[error("Backup {name} cannot be read: {reason}")]
    Unreadable { name: String, reason: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<swingfly_store::StoreError> for BackupError {
    fn from(error: swingfly_store::StoreError) -> Self {
        BackupError::Internal(error.into())
    }
}

/// How many rows of each kind a backup holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupCounts {
    pub favorites: usize,
    pub scrobbles: usize,
    pub playlists: usize,
    pub collections: usize,
}

impl BackupCounts {
    fn of(records: &UserRecords) -> Self {
        Self {
            favorites: records.favorites.len(),
            scrobbles: records.scrobbles.len(),
            playlists: records.playlists.len(),
            collections: records.collections.len(),
        }
    }
}

/// One backup as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupSummary {
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    #[serde(flatten)]
    pub counts: BackupCounts,
}

impl BackupSummary {
    /// Swing's `date`: how long ago the backup was made ("2 hours ago").
    pub fn date_text(&self) -> String {
        humanize::time_ago(self.created_at, humanize::now_unix())
    }
}

/// `data.json`.
#[derive(Serialize, Deserialize)]
struct BackupData {
    format: String,
    created_at: i64,
    #[serde(flatten)]
    records: UserRecords,
}

/// What a restore did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RestoreReport {
    /// The backups restored, oldest first.
    pub backups: Vec<String>,
    pub outcome: ImportOutcome,
    /// Rows that could not be imported (bad hashes, unknown kinds).
    pub invalid: Vec<SkippedRow>,
}

impl RestoreReport {
    /// A one-line account for the `msg` of the answer.
    pub fn message(&self) -> String {
        let outcome = &self.outcome;
        let part = |table: &TableOutcome, what: &str| format!("{} {what}", table.added);
        let unknown = [
            &outcome.favorites,
            &outcome.scrobbles,
            &outcome.playlists,
            &outcome.collections,
        ]
        .iter()
        .map(|table| table.unknown_user)
        .sum::<u64>();
        let mut text = format!(
            "Restored {} backup(s): added {}, {}, {}, {}",
            self.backups.len(),
            part(&outcome.favorites, "favorites"),
            part(&outcome.scrobbles, "scrobbles"),
            part(&outcome.playlists, "playlists"),
            part(&outcome.collections, "collections"),
        );
        if unknown > 0 {
            text.push_str(&format!(
                "; skipped {unknown} row(s) of users not on this server"
            ));
        }
        if !self.invalid.is_empty() {
            text.push_str(&format!("; skipped {} invalid row(s)", self.invalid.len()));
        }
        text
    }
}

/// The folder holding every backup.
pub fn backups_dir(app: &App) -> PathBuf {
    app.paths.data_dir.join("backups")
}

/// Checks that `name` is a plain folder name that could be a backup's: no separators, no parent
/// references, not hidden (temporary folders are hidden).
pub fn validate_name(name: &str) -> Result<(), BackupError> {
    let plain = !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if plain {
        Ok(())
    } else {
        Err(BackupError::InvalidName)
    }
}

/// Writes a backup of every user's data and returns its summary.
pub async fn create(app: &App) -> Result<BackupSummary, BackupError> {
    let _guard = BACKUP_LOCK.lock().await;
    let records = app.store.export_user_records(None).await?;
    let root = backups_dir(app);
    let playlist_images = app.paths.playlist_images.clone();
    let summary =
        tokio::task::spawn_blocking(move || write_backup(&root, &playlist_images, records))
            .await
            .context("the backup task failed")??;
    tracing::info!(name = %summary.name, ?summary.counts, "backup created");
    Ok(summary)
}

fn write_backup(
    root: &Path,
    playlist_images: &Path,
    records: UserRecords,
) -> anyhow::Result<BackupSummary> {
    std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
    let mut created_at = humanize::now_unix();
    // Two backups within one second: the second takes the next free second.
    while root.join(format!("{BACKUP_PREFIX}{created_at}")).exists() {
        created_at += 1;
    }
    let name = format!("{BACKUP_PREFIX}{created_at}");
    let temporary = root.join(format!(".{name}.{}.partial", std::process::id()));
    let result = fill_backup_folder(&temporary, playlist_images, &name, created_at, records)
        .and_then(|summary| {
            std::fs::rename(&temporary, root.join(&name))
                .with_context(|| format!("moving the backup into {}", root.display()))?;
            sync_dir(root);
            Ok(summary)
        });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&temporary);
    }
    result
}

fn fill_backup_folder(
    folder: &Path,
    playlist_images: &Path,
    name: &str,
    created_at: i64,
    records: UserRecords,
) -> anyhow::Result<BackupSummary> {
    let images = folder.join(PLAYLIST_IMAGES_DIR);
    std::fs::create_dir_all(&images).with_context(|| format!("creating {}", images.display()))?;
    for playlist in &records.playlists {
        if let Some(image) = &playlist.image {
            if !images::copy_out(playlist_images, &images, image)? {
                tracing::warn!(%image, playlist = %playlist.name, "a playlist image is missing; not backed up");
            }
        }
    }
    let summary = BackupSummary {
        name: name.to_string(),
        created_at,
        counts: BackupCounts::of(&records),
    };
    let data = BackupData {
        format: FORMAT.to_string(),
        created_at,
        records,
    };
    write_json_synced(&folder.join(DATA_FILE), &data)?;
    write_json_synced(&folder.join(INFO_FILE), &summary)?;
    Ok(summary)
}

fn write_json_synced(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    serde_json::to_writer(&mut writer, value)?;
    writer.flush()?;
    writer
        .into_inner()
        .map_err(|error| error.into_error())?
        .sync_all()?;
    Ok(())
}

/// Makes a rename durable (best effort: not every platform can open a directory).
fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// Every backup, newest first.
pub async fn list(app: &App) -> Result<Vec<BackupSummary>, BackupError> {
    let root = backups_dir(app);
    Ok(tokio::task::spawn_blocking(move || list_in(&root))
        .await
        .context("the backup task failed")??)
}

fn list_in(root: &Path) -> anyhow::Result<Vec<BackupSummary>> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error).with_context(|| format!("listing {}", root.display())),
    };
    let mut backups = Vec::new();
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if validate_name(&name).is_err() || !entry.path().join(DATA_FILE).is_file() {
            continue;
        }
        match summary_of(&entry.path(), &name) {
            Ok(summary) => backups.push(summary),
            Err(error) => {
                tracing::warn!(backup = %name, error = %format!("{error:#}"), "unreadable backup left out of the list")
            }
        }
    }
    backups.sort_by(|a, b| (b.created_at, &b.name).cmp(&(a.created_at, &a.name)));
    Ok(backups)
}

/// A backup's summary from its `info.json`, or from its `data.json` when that is missing.
fn summary_of(folder: &Path, name: &str) -> anyhow::Result<BackupSummary> {
    if let Ok(text) = std::fs::read(folder.join(INFO_FILE)) {
        if let Ok(mut summary) = serde_json::from_slice::<BackupSummary>(&text) {
            summary.name = name.to_string();
            return Ok(summary);
        }
    }
    let data = read_data(folder, name).map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(BackupSummary {
        name: name.to_string(),
        created_at: data.created_at,
        counts: BackupCounts::of(&data.records),
    })
}

fn read_data(folder: &Path, name: &str) -> Result<BackupData, BackupError> {
    let unreadable = |reason: String| BackupError::Unreadable {
        name: name.to_string(),
        reason,
    };
    let bytes =
        std::fs::read(folder.join(DATA_FILE)).map_err(|error| unreadable(error.to_string()))?;
    let data: BackupData =
        serde_json::from_slice(&bytes).map_err(|error| unreadable(error.to_string()))?;
    if data.format != FORMAT {
        return Err(unreadable(format!("unknown format {:?}", data.format)));
    }
    Ok(data)
}

/// Restores one backup (`Some(name)`) or every backup (`None`, oldest first) in one transaction,
/// then drops every user's cached data so the next request sees the restored rows.
pub async fn restore(app: &App, name: Option<&str>) -> Result<RestoreReport, BackupError> {
    let _guard = BACKUP_LOCK.lock().await;
    let root = backups_dir(app);
    let names = match name {
        Some(name) => {
            validate_name(name)?;
            if !root.join(name).join(DATA_FILE).is_file() {
                return Err(BackupError::NotFound);
            }
            vec![name.to_string()]
        }
        None => {
            let mut all = list(app).await?;
            if all.is_empty() {
                return Err(BackupError::NotFound);
            }
            all.reverse();
            all.into_iter().map(|summary| summary.name).collect()
        }
    };
    let playlist_images = app.paths.playlist_images.clone();
    let to_read = names.clone();
    let (records, invalid) =
        tokio::task::spawn_blocking(move || read_for_restore(&root, &to_read, &playlist_images))
            .await
            .context("the backup task failed")??;
    let outcome = app.store.import_user_records(&[], &records).await?;
    app.user_data.invalidate_all().await;
    let report = RestoreReport {
        backups: names,
        outcome,
        invalid,
    };
    tracing::info!(backups = ?report.backups, outcome = ?report.outcome, invalid = report.invalid.len(), "backup restored");
    Ok(report)
}

/// Reads and checks the backups' rows and brings their playlist images into the data folder
/// (renaming an image whose name another image already has there).
fn read_for_restore(
    root: &Path,
    names: &[String],
    playlist_images: &Path,
) -> Result<(UserRecords, Vec<SkippedRow>), BackupError> {
    let mut all = UserRecords::default();
    let mut invalid = Vec::new();
    for name in names {
        let folder = root.join(name);
        let (mut records, skipped) = records::sanitize(read_data(&folder, name)?.records);
        invalid.extend(skipped);
        let images = folder.join(PLAYLIST_IMAGES_DIR);
        for playlist in &mut records.playlists {
            if let Some(image) = playlist.image.take() {
                playlist.image = images::bring_in(&images, playlist_images, &image)
                    .with_context(|| format!("restoring the playlist image {image}"))?;
            }
        }
        all.extend(records);
    }
    Ok((all, invalid))
}

/// Deletes a backup. The folder is renamed to a hidden name first, so it leaves the list at once
/// even if removing its files takes a while or fails half-way.
pub async fn delete(app: &App, name: &str) -> Result<(), BackupError> {
    validate_name(name)?;
    let _guard = BACKUP_LOCK.lock().await;
    let root = backups_dir(app);
    let folder = root.join(name);
    if !folder.is_dir() {
        return Err(BackupError::NotFound);
    }
    let doomed = root.join(format!(".{name}.{}.deleting", std::process::id()));
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        std::fs::rename(&folder, &doomed)
            .with_context(|| format!("removing backup {}", folder.display()))?;
        if let Err(error) = std::fs::remove_dir_all(&doomed) {
            tracing::warn!(folder = %doomed.display(), %error, "could not remove a deleted backup's files");
        }
        Ok(())
    })
    .await
    .context("the backup task failed")??;
    tracing::info!(backup = %name, "backup deleted");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_folder_names() {
        for good in ["backup.1700000000", "backup.1-a_b", "x"] {
            assert!(validate_name(good).is_ok(), "{good}");
        }
        let long = "a".repeat(MAX_NAME_CHARS + 1);
        for bad in [
            "",
            "..",
            "../x",
            "a/b",
            ".hidden",
            "a\\b",
            "back up",
            long.as_str(),
            "é",
        ] {
            assert!(
                matches!(validate_name(bad), Err(BackupError::InvalidName)),
                "{bad:?}"
            );
        }
    }
}
