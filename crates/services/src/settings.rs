//! The settings page (`/notsettings`, reference §1.1 and §3.12): Swing's settings object built from
//! a fixed list of keys (stored value or default), and checked changes to one key at a time.
//!
//! The page is assembled from that list only, never by dumping the settings table, so secrets
//! (the token signing key, Last.fm's API account, license keys, other users' Last.fm session keys)
//! cannot reach it. The caller's own Last.fm session key is the one per-user value.

use serde_json::{json, Map, Value};
use swingfly_model::text::SORT_ARTICLES;

use crate::app::{App, ARTICLE_AWARE_SORTING_KEY, INDEX_SETTING_KEYS};
use crate::plugins;

/// What a known key holds, its default, and how a new value is checked.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Bool(bool),
    /// A whole number in `1..=max`.
    Count {
        default: u64,
        max: u64,
    },
    /// Separators: a list of strings, or (as Swing's web client sends `artistSeparators`) one
    /// comma-joined string. Stored as a sorted set.
    Separators(&'static [&'static str]),
    /// A list of names (artistSplitIgnoreList). Stored as a sorted set.
    Names,
}

/// The keys a client may read and change, with their kinds.
const EDITABLE: &[(&str, Kind)] = &[
    ("usersOnLogin", Kind::Bool(true)),
    ("artistSeparators", Kind::Separators(&[";", "/"])),
    ("artistSplitIgnoreList", Kind::Names),
    ("genreSeparators", Kind::Separators(&["/", ";", "&"])),
    ("extractFeaturedArtists", Kind::Bool(true)),
    ("removeProdBy", Kind::Bool(true)),
    ("removeRemasterInfo", Kind::Bool(true)),
    ("mergeAlbums", Kind::Bool(false)),
    ("cleanAlbumTitle", Kind::Bool(true)),
    ("showAlbumsAsSingles", Kind::Bool(false)),
    ("enablePeriodicScans", Kind::Bool(false)),
    (
        "scanInterval",
        Kind::Count {
            default: 10,
            max: 1_000_000,
        },
    ),
    ("enableWatchdog", Kind::Bool(false)),
    ("showPlaylistsInFolderView", Kind::Bool(false)),
    ("enablePlugins", Kind::Bool(true)),
    (ARTICLE_AWARE_SORTING_KEY, Kind::Bool(false)),
    ("trustCloudLyrics", Kind::Bool(false)),
];

/// Keys that exist but cannot be changed through `/notsettings/update`, and why.
const READ_ONLY: &[(&str, &str)] = &[
    (
        "rootDirs",
        "root folders change through /notsettings/add-root-dirs",
    ),
    ("excludeDirs", "excluded folders are not supported"),
    (
        "artistSortingArticles",
        "the sorting articles are built in and cannot be changed",
    ),
    (
        "plugins",
        "plugins change through /plugins/setactive and /plugins/settings",
    ),
    (
        "lastfmSessionKey",
        "Last.fm is linked through /plugins/lastfm/session/create",
    ),
    (
        "lastfmSessionKeys",
        "Last.fm is linked through /plugins/lastfm/session/create",
    ),
    (
        "lastfmApiKey",
        "the Last.fm API account is part of the server's configuration",
    ),
    (
        "lastfmApiSecret",
        "the Last.fm API account is part of the server's configuration",
    ),
    ("serverId", "the server's identity cannot be changed"),
    ("legacy_serverId", "the server's identity cannot be changed"),
    ("version", "the version is the server's"),
    ("deviceName", "the device name is the server's"),
    ("deviceId", "the device id is the server's"),
    ("licenseKey", "licenses are not supported"),
    ("licenseInfo", "licenses are not supported"),
];

/// Where the device id is stored (generated once; it identifies this server, it is no secret).
const DEVICE_ID_KEY: &str = "deviceId";

/// At most this many separators or names in one list, and this many characters each: generous
/// for real use, small enough that a hostile value cannot bloat the settings row or the rules.
const MAX_SEPARATORS: usize = 64;
const MAX_SEPARATOR_CHARS: usize = 32;
const MAX_NAMES: usize = 10_000;
const MAX_NAME_CHARS: usize = 500;

/// Why a change was refused.
#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    #[error("Unknown setting: {0}")]
    Unknown(String),
    #[error("The setting {key} cannot be changed here: {reason}")]
    ReadOnly { key: String, reason: &'static str },
    #[error("Invalid value for {key}: {reason}")]
    WrongValue { key: String, reason: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The whole settings object for `user_id`: every editable key (stored value or default; sets as
/// sorted lists), the read-only ones, and `plugins`, `version`, `lastfmSessionKey` (the caller's
/// own), `deviceName`, `deviceId` and `licenseInfo` (always null: there is no license system).
pub async fn settings_page(app: &App, user_id: i64) -> anyhow::Result<Map<String, Value>> {
    let stored = app.store.all_settings().await?;
    // Index settings as the live index uses them (defaults merged, values already checked).
    let index = serde_json::to_value(app.index_settings())?;
    let mut page = Map::new();
    for (key, kind) in EDITABLE {
        let value = if INDEX_SETTING_KEYS.contains(key) {
            index.get(*key).cloned()
        } else {
            stored.get(*key).cloned()
        };
        // A stored value of the wrong shape (edited by hand, an older version) shows the default.
        let value = value
            .and_then(|value| normalise(key, *kind, value).ok())
            .unwrap_or_else(|| default_value(*kind));
        page.insert((*key).to_string(), value);
    }
    page.insert("rootDirs".into(), json!(app.root_dirs().await?));
    page.insert("excludeDirs".into(), json!([]));
    let mut articles: Vec<&str> = SORT_ARTICLES.to_vec();
    articles.sort_unstable();
    articles.dedup();
    page.insert("artistSortingArticles".into(), json!(articles));
    let plugins = plugins::list(&app.store)
        .await
        .map_err(|error| anyhow::anyhow!(error))?;
    page.insert("plugins".into(), serde_json::to_value(plugins)?);
    page.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    let lastfm = app
        .store
        .user_service(user_id, crate::scrobblers::LASTFM)
        .await?;
    page.insert(
        "lastfmSessionKey".into(),
        json!(lastfm.map(|link| link.credential).unwrap_or_default()),
    );
    page.insert("deviceName".into(), json!(device_name()));
    page.insert("deviceId".into(), json!(device_id(app, &stored).await?));
    page.insert("licenseInfo".into(), Value::Null);
    Ok(page)
}

/// Checks and stores one setting. Index settings re-index the library (from the store; no file is
/// re-read) before this returns.
pub async fn update_setting(app: &App, key: &str, value: Value) -> Result<(), SettingError> {
    let Some((key, kind)) = EDITABLE.iter().find(|(known, _)| *known == key) else {
        return Err(match READ_ONLY.iter().find(|(known, _)| *known == key) {
            Some((key, reason)) => SettingError::ReadOnly {
                key: (*key).to_string(),
                reason,
            },
            None => SettingError::Unknown(key.to_string()),
        });
    };
    let value = normalise(key, *kind, value)?;
    app.set_setting(key, value).await?;
    Ok(())
}

fn default_value(kind: Kind) -> Value {
    match kind {
        Kind::Bool(default) => json!(default),
        Kind::Count { default, .. } => json!(default),
        Kind::Separators(default) => json!(sorted_set(default.iter().map(|s| s.to_string()))),
        Kind::Names => json!([]),
    }
}

/// The stored form of a new value, or why it does not fit the key.
fn normalise(key: &str, kind: Kind, value: Value) -> Result<Value, SettingError> {
    let wrong = |reason: String| SettingError::WrongValue {
        key: key.to_string(),
        reason,
    };
    match kind {
        Kind::Bool(_) => match value {
            Value::Bool(flag) => Ok(Value::Bool(flag)),
            other => Err(wrong(format!(
                "expected true or false, got {}",
                describe(&other)
            ))),
        },
        Kind::Count { max, .. } => match value.as_u64() {
            Some(count) if (1..=max).contains(&count) => Ok(json!(count)),
            _ => Err(wrong(format!(
                "expected a whole number from 1 to {max}, got {}",
                describe(&value)
            ))),
        },
        Kind::Separators(_) => {
            let items: Vec<String> = match value {
                // Swing's web client sends the set joined with commas. Spaces are kept: " x " is
                // a different separator from "x". (A comma itself needs the list form.)
                Value::String(joined) => joined.split(',').map(str::to_string).collect(),
                Value::Array(items) => string_items(items).map_err(wrong)?,
                other => {
                    return Err(wrong(format!(
                        "expected a comma-separated string or a list of strings, got {}",
                        describe(&other)
                    )))
                }
            };
            let items = sorted_set(items.into_iter().filter(|item| !item.trim().is_empty()));
            check_sizes(&items, MAX_SEPARATORS, MAX_SEPARATOR_CHARS, "separators")
                .map_err(wrong)?;
            Ok(json!(items))
        }
        Kind::Names => {
            let Value::Array(items) = value else {
                return Err(wrong(format!(
                    "expected a list of names, got {}",
                    describe(&value)
                )));
            };
            let items = string_items(items).map_err(wrong)?;
            let items = sorted_set(
                items
                    .into_iter()
                    .map(|item| item.trim().to_string())
                    .filter(|item| !item.is_empty()),
            );
            check_sizes(&items, MAX_NAMES, MAX_NAME_CHARS, "names").map_err(wrong)?;
            Ok(json!(items))
        }
    }
}

fn string_items(items: Vec<Value>) -> Result<Vec<String>, String> {
    items
        .into_iter()
        .map(|item| match item {
            Value::String(text) => Ok(text),
            other => Err(format!(
                "every item must be a string, got {}",
                describe(&other)
            )),
        })
        .collect()
}

fn check_sizes(
    items: &[String],
    max_items: usize,
    max_chars: usize,
    what: &str,
) -> Result<(), String> {
    if items.len() > max_items {
        return Err(format!("at most {max_items} {what}, got {}", items.len()));
    }
    if let Some(long) = items.iter().find(|item| item.chars().count() > max_chars) {
        let start: String = long.chars().take(20).collect();
        return Err(format!(
            "each of the {what} has at most {max_chars} characters (\"{start}...\" is longer)"
        ));
    }
    Ok(())
}

fn sorted_set(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut items: Vec<String> = items.collect();
    items.sort();
    items.dedup();
    items
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(flag) => format!("the boolean {flag}"),
        Value::Number(number) => format!("the number {number}"),
        Value::String(_) => "a string".into(),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// `SWINGMUSIC_DEVICE_NAME` (Swing's variable), else the host name.
fn device_name() -> String {
    if let Some(name) = std::env::var("SWINGMUSIC_DEVICE_NAME")
        .ok()
        .filter(|name| !name.trim().is_empty())
    {
        return name;
    }
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|path| {
            std::fs::read_to_string(path)
                .ok()
                .map(|text| text.trim().to_string())
                .filter(|name| !name.is_empty())
        })
        .unwrap_or_else(|| "swingfly".to_string())
}

/// A random id made on the first request and kept in the settings table.
async fn device_id(app: &App, stored: &Map<String, Value>) -> anyhow::Result<String> {
    if let Some(id) = stored.get(DEVICE_ID_KEY).and_then(Value::as_str) {
        return Ok(id.to_string());
    }
    let id = hex::encode(rand::random::<[u8; 16]>());
    app.store.set_setting(DEVICE_ID_KEY, &json!(id)).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(key: &str) -> Kind {
        EDITABLE.iter().find(|(known, _)| *known == key).unwrap().1
    }

    fn check(key: &str, value: Value) -> Result<Value, String> {
        normalise(key, kind_of(key), value).map_err(|error| error.to_string())
    }

    #[test]
    fn booleans_must_be_booleans() {
        assert_eq!(check("removeProdBy", json!(false)), Ok(json!(false)));
        let error = check("removeProdBy", json!("false")).unwrap_err();
        assert!(error.contains("expected true or false"), "{error}");
        assert!(check("mergeAlbums", json!(1)).is_err());
        assert!(check("mergeAlbums", Value::Null).is_err());
    }

    #[test]
    fn separators_from_a_comma_joined_string_or_a_list() {
        assert_eq!(
            check("artistSeparators", json!(";,/,&,;")),
            Ok(json!(["&", "/", ";"]))
        );
        assert_eq!(
            check("artistSeparators", json!([" x ", "/", ""])),
            Ok(json!([" x ", "/"]))
        );
        assert_eq!(check("artistSeparators", json!("")), Ok(json!([])));
        assert!(check("artistSeparators", json!(5)).is_err());
        assert!(check("artistSeparators", json!([";", 5])).is_err());
        assert!(check("artistSeparators", json!("x".repeat(40))).is_err());
    }

    #[test]
    fn names_are_a_list_of_strings() {
        assert_eq!(
            check(
                "artistSplitIgnoreList",
                json!(["Tyler, The Creator", " AC/DC ", "AC/DC"])
            ),
            Ok(json!(["AC/DC", "Tyler, The Creator"]))
        );
        assert!(check("artistSplitIgnoreList", json!("AC/DC")).is_err());
    }

    #[test]
    fn counts_are_positive_whole_numbers() {
        assert_eq!(check("scanInterval", json!(30)), Ok(json!(30)));
        for bad in [
            json!(0),
            json!(-1),
            json!(2.5),
            json!("10"),
            json!(10_000_000),
        ] {
            assert!(check("scanInterval", bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_index_key_is_editable_and_secret_keys_are_not() {
        for key in INDEX_SETTING_KEYS {
            assert!(EDITABLE.iter().any(|(known, _)| known == key), "{key}");
        }
        for secret in [
            "serverId",
            "lastfmApiKey",
            "lastfmApiSecret",
            "licenseKey",
            "lastfmSessionKeys",
        ] {
            assert!(
                !EDITABLE.iter().any(|(known, _)| *known == secret),
                "{secret}"
            );
            assert!(
                READ_ONLY.iter().any(|(known, _)| *known == secret),
                "{secret}"
            );
        }
    }
}
