//! `swingfly import-swing`: brings a Swing Music install's own data over from its config folder
//! (`swingmusic.db`, `settings.json`, `images/playlists/`): users, favourites, scrobbles,
//! playlists with their images, collections (Swing's `page` table) and root folders.
//!
//! Users are matched by username (case-insensitively). A user who exists here keeps their own
//! password and roles; a new user keeps their Swing password: the Swing hash is stored tagged (see
//! `auth::password`) and replaced with Argon2id at their first login. Everything is imported in one
//! transaction and idempotently, so running the import twice duplicates nothing. Swing's database
//! is only read.

mod swing_db;
mod swing_settings;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Serialize;
use serde_json::{json, Value};
use swingfly_model::parse_date;
use swingfly_store::backup::{
    CollectionRecord, FavoriteRecord, PlaylistRecord, ScrobbleRecord, TableOutcome, UserRecords,
};
use swingfly_store::NewUser;

use crate::app::App;
use crate::auth::{swing_password_hash, KNOWN_ROLES};
use crate::backup::images;
use crate::backup::records::{self, SkippedRow};
use crate::roots;
use swing_db::{SwingDb, SwingRow};
use swing_settings::SwingSettings;

const DATABASE_FILE: &str = "swingmusic.db";
const SETTINGS_FILE: &str = "settings.json";
const PLAYLIST_IMAGES_DIR: &str = "images/playlists";
/// The password hash of a user whose Swing hash cannot be carried over: it never verifies, so an
/// admin must set a new password (`swingfly user passwd`).
const UNUSABLE_PASSWORD_HASH: &str = "!";

/// What an import did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    /// The Swing config folder read.
    pub source: PathBuf,
    pub users_created: Vec<String>,
    /// Users that already had an account here (they keep their password and roles).
    pub users_existing: Vec<String>,
    pub favorites: TableOutcome,
    pub scrobbles: TableOutcome,
    pub playlists: TableOutcome,
    pub collections: TableOutcome,
    /// Playlist images brought into the data folder (or found there already).
    pub playlist_images: usize,
    /// Root folders added to the stored list.
    pub root_dirs_added: Vec<String>,
    /// Rows not imported, with the reason.
    pub skipped: Vec<SkippedRow>,
}

impl ImportReport {
    /// The skipped rows grouped by kind and reason, with a count and one example each.
    pub fn skipped_by_reason(&self) -> Vec<(&'static str, String, usize, String)> {
        let mut groups: BTreeMap<(&'static str, String), (usize, String)> = BTreeMap::new();
        for row in &self.skipped {
            let entry = groups
                .entry((row.kind, row.reason.clone()))
                .or_insert_with(|| (0, row.item.clone()));
            entry.0 += 1;
        }
        groups
            .into_iter()
            .map(|((kind, reason), (count, example))| (kind, reason, count, example))
            .collect()
    }
}

/// Imports the Swing config folder `from` (the folder holding `swingmusic.db`; its parent works
/// too) into `app`'s ledger.
pub async fn import_swing(app: &App, from: &Path) -> anyhow::Result<ImportReport> {
    let source = locate_config_folder(from)?;
    let mut report = ImportReport {
        source: source.clone(),
        ..ImportReport::default()
    };
    let settings = match SwingSettings::read(&source.join(SETTINGS_FILE))? {
        Some(settings) => settings,
        None => {
            report.skipped.push(SkippedRow::new(
                "settings",
                SETTINGS_FILE,
                "not found: passwords and root folders cannot be imported",
            ));
            SwingSettings::default()
        }
    };

    let mut db = SwingDb::open(&source.join(DATABASE_FILE)).await?;
    let swing = read_swing_data(&mut db, &settings, &mut report).await;
    db.close().await;
    let (users, records) = swing?;

    let (mut records, invalid) = records::sanitize(records);
    report.skipped.extend(invalid);
    bring_in_playlist_images(app, &source, &mut records, &mut report).await?;

    let outcome = app.store.import_user_records(&users, &records).await?;
    report.users_created = outcome.users_created;
    report.users_existing = outcome.users_existing;
    report.favorites = outcome.favorites;
    report.scrobbles = outcome.scrobbles;
    report.playlists = outcome.playlists;
    report.collections = outcome.collections;

    report.root_dirs_added = merge_root_dirs(app, &settings, &mut report.skipped).await?;
    app.user_data.invalidate_all().await;
    tracing::info!(
        source = %source.display(),
        users_created = report.users_created.len(),
        favorites = report.favorites.added,
        scrobbles = report.scrobbles.added,
        playlists = report.playlists.added,
        collections = report.collections.added,
        skipped = report.skipped.len(),
        "Swing Music data imported"
    );
    Ok(report)
}

/// The folder holding `swingmusic.db`: `from` itself, or `from/swingmusic` (Swing's config parent).
fn locate_config_folder(from: &Path) -> anyhow::Result<PathBuf> {
    for candidate in [from.to_path_buf(), from.join("swingmusic")] {
        if candidate.join(DATABASE_FILE).is_file() {
            return Ok(candidate);
        }
    }
    bail!(
        "{} is not a Swing Music config folder (no {DATABASE_FILE} in it)",
        from.display()
    )
}

/// Swing's users (as accounts to create) and their rows (named by username).
async fn read_swing_data(
    db: &mut SwingDb,
    settings: &SwingSettings,
    report: &mut ImportReport,
) -> anyhow::Result<(Vec<NewUser>, UserRecords)> {
    let (users, owners) = read_users(db, settings, &mut report.skipped).await?;
    let owner_of = |row: &SwingRow, index: usize, kind: &'static str, item: &str| {
        let id = row.int(index);
        id.and_then(|id| owners.get(&id).cloned()).ok_or_else(|| {
            let who = id.map_or("no user id".to_string(), |id| format!("Swing user id {id}"));
            SkippedRow::new(kind, item, format!("its owner ({who}) is not a Swing user"))
        })
    };
    let mut records = UserRecords::default();

    let favorites = ["hash", "type", "timestamp", "userid", "extra"];
    for row in table(db, "favorite", &favorites, &mut report.skipped).await? {
        let kind = row.text(1).unwrap_or_default().to_string();
        let stored = row.text(0).unwrap_or_default();
        // Swing stores "<type>_<hash>" (its hash column was unique across types and users).
        let hash = stored
            .strip_prefix(&format!("{kind}_"))
            .unwrap_or(stored)
            .to_string();
        match owner_of(&row, 3, "favorite", stored) {
            Ok(username) => records.favorites.push(FavoriteRecord {
                username,
                kind,
                hash,
                timestamp: row.int(2).unwrap_or(0),
                extra: row.json(4).unwrap_or_else(|| json!({})),
            }),
            Err(skipped) => report.skipped.push(skipped),
        }
    }

    let scrobbles = [
        "trackhash",
        "duration",
        "timestamp",
        "source",
        "userid",
        "extra",
    ];
    for row in table(db, "scrobble", &scrobbles, &mut report.skipped).await? {
        let trackhash = row.text(0).unwrap_or_default().to_string();
        let Some(timestamp) = row.int(2) else {
            report
                .skipped
                .push(SkippedRow::new("scrobble", trackhash, "no timestamp"));
            continue;
        };
        match owner_of(&row, 4, "scrobble", &trackhash) {
            Ok(username) => records.scrobbles.push(ScrobbleRecord {
                username,
                trackhash,
                timestamp,
                duration: row.int(1).unwrap_or(0),
                source: row.text(3).unwrap_or_default().to_string(),
                extra: row.json(5).unwrap_or_else(|| json!({})),
            }),
            Err(skipped) => report.skipped.push(skipped),
        }
    }

    let playlists = [
        "name",
        "last_updated",
        "image",
        "userid",
        "settings",
        "trackhashes",
        "extra",
    ];
    let now = swingfly_library::humanize::now_unix();
    for row in table(db, "playlist", &playlists, &mut report.skipped).await? {
        let name = row.text(0).unwrap_or_default().to_string();
        let Some(Value::Array(hashes)) = row.json(5) else {
            let reason = "its track list is not a JSON list";
            report
                .skipped
                .push(SkippedRow::new("playlist", name, reason));
            continue;
        };
        // A text date ("2024-05-01 10:00:00"), or a number in some versions.
        let last_updated = row
            .int(1)
            .or_else(|| row.text(1).and_then(parse_date))
            .unwrap_or(now);
        let image = row
            .text(2)
            .filter(|image| !image.is_empty() && *image != "None");
        match owner_of(&row, 3, "playlist", &name) {
            Ok(username) => records.playlists.push(PlaylistRecord {
                username,
                name,
                image: image.map(str::to_string),
                settings: row.json(4).unwrap_or_else(|| json!({})),
                trackhashes: hashes
                    .into_iter()
                    .filter_map(|hash| hash.as_str().map(str::to_string))
                    .collect(),
                created_at: last_updated,
                last_updated,
                extra: row.json(6).unwrap_or_else(|| json!({})),
            }),
            Err(skipped) => report.skipped.push(skipped),
        }
    }

    let pages = ["name", "userid", "items", "extra"];
    for row in table(db, "page", &pages, &mut report.skipped).await? {
        let name = row.text(0).unwrap_or_default().to_string();
        let extra = row.json(3).unwrap_or_else(|| json!({}));
        let description = extra
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        match owner_of(&row, 1, "collection", &name) {
            Ok(username) => records.collections.push(CollectionRecord {
                username,
                name,
                description,
                items: row.json(2).unwrap_or(Value::Null),
                created_at: now,
                updated_at: now,
                extra: json!({}),
            }),
            Err(skipped) => report.skipped.push(skipped),
        }
    }
    Ok((users, records))
}

/// The rows of a Swing table; a missing table is noted and reads as empty.
async fn table(
    db: &mut SwingDb,
    name: &str,
    columns: &[&str],
    skipped: &mut Vec<SkippedRow>,
) -> anyhow::Result<Vec<SwingRow>> {
    Ok(db.read(name, columns).await?.unwrap_or_else(|| {
        skipped.push(SkippedRow::new("table", name, "not in Swing's database"));
        Vec::new()
    }))
}

/// Swing's users as accounts to create, and Swing user id → username (the first account of a
/// name wins: Swing did not keep usernames unique, this server does).
async fn read_users(
    db: &mut SwingDb,
    settings: &SwingSettings,
    skipped: &mut Vec<SkippedRow>,
) -> anyhow::Result<(Vec<NewUser>, HashMap<i64, String>)> {
    let salts = settings.password_salts();
    let mut users: Vec<NewUser> = Vec::new();
    let mut owners = HashMap::new();
    let columns = ["id", "username", "password", "roles", "extra"];
    for row in table(db, "user", &columns, skipped).await? {
        let (Some(id), Some(username)) = (row.int(0), row.text(1).map(str::trim)) else {
            skipped.push(SkippedRow::new("user", "", "no id or username"));
            continue;
        };
        if username.is_empty() {
            skipped.push(SkippedRow::new(
                "user",
                format!("id {id}"),
                "empty username",
            ));
            continue;
        }
        let folded = username.to_lowercase();
        if let Some(first) = users.iter().find(|u| u.username.to_lowercase() == folded) {
            let reason = format!("duplicate username; its data goes to {:?}", first.username);
            skipped.push(SkippedRow::new(
                "user",
                format!("{username} (id {id})"),
                reason,
            ));
            owners.insert(id, first.username.clone());
            continue;
        }
        let password = row.text(2).unwrap_or_default();
        let password_hash = swing_password_hash(password, &salts).unwrap_or_else(|| {
            let reason = if salts.is_empty() {
                "password not carried over (no serverId in settings.json); set a new one"
            } else {
                "password not carried over (not a Swing hash); set a new one"
            };
            skipped.push(SkippedRow::new("user password", username, reason));
            UNUSABLE_PASSWORD_HASH.to_string()
        });
        let roles: Vec<String> = match row.json(3) {
            Some(Value::Array(roles)) => roles
                .iter()
                .filter_map(Value::as_str)
                .filter(|role| KNOWN_ROLES.contains(role))
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        let extra = row
            .json(4)
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({}));
        owners.insert(id, username.to_string());
        users.push(NewUser {
            username: username.to_string(),
            password_hash,
            roles,
            extra,
        });
    }
    Ok((users, owners))
}

/// Copies each playlist's image (and thumbnail) from Swing's images folder into the data folder.
async fn bring_in_playlist_images(
    app: &App,
    source: &Path,
    records: &mut UserRecords,
    report: &mut ImportReport,
) -> anyhow::Result<()> {
    let from = source.join(PLAYLIST_IMAGES_DIR);
    let to = app.paths.playlist_images.clone();
    let mut playlists = std::mem::take(&mut records.playlists);
    let (playlists, brought, missing) = tokio::task::spawn_blocking(move || {
        let mut brought = 0;
        let mut missing = Vec::new();
        for playlist in &mut playlists {
            let Some(image) = playlist.image.take() else {
                continue;
            };
            playlist.image = images::bring_in(&from, &to, &image)
                .with_context(|| format!("copying the playlist image {image}"))?;
            if playlist.image.is_some() {
                brought += 1;
            } else {
                missing.push(SkippedRow::new(
                    "playlist image",
                    image,
                    format!(
                        "not in Swing's images folder (playlist {:?})",
                        playlist.name
                    ),
                ));
            }
        }
        anyhow::Ok((playlists, brought, missing))
    })
    .await
    .context("the image copy task failed")??;
    records.playlists = playlists;
    report.playlist_images = brought;
    report.skipped.extend(missing);
    Ok(())
}

/// Adds Swing's root folders that exist on this machine to the stored list; returns those added.
async fn merge_root_dirs(
    app: &App,
    settings: &SwingSettings,
    skipped: &mut Vec<SkippedRow>,
) -> anyhow::Result<Vec<String>> {
    let home = &app.config.home_dir;
    let mut candidates = Vec::new();
    for dir in &settings.root_dirs {
        if roots::resolve(dir, home).is_dir() {
            candidates.push(dir.clone());
        } else {
            skipped.push(SkippedRow::new(
                "root dir",
                dir,
                "no such folder on this machine",
            ));
        }
    }
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let current = app.root_dirs().await?;
    let merged = roots::merge(&current, &candidates, &[], home);
    if merged == current {
        return Ok(Vec::new());
    }
    let merged = app.save_root_dirs(&candidates, &[]).await?;
    Ok(merged
        .into_iter()
        .filter(|dir| !current.contains(dir))
        .collect())
}
