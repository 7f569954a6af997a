//! Configuration: a TOML file, environment variables and command-line flags. Flags win, then the
//! environment, then the file, then the defaults.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;
use swingfly_cache::CacheConfig;

use crate::cache_config::{self, CacheFileConfig};

pub const DEFAULT_PORT: u16 = 1970;

/// The configuration file's shape. Every key is optional. (No `Debug`: it holds the Last.fm secret.)
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub data_dir: Option<PathBuf>,
    pub music: Option<Vec<PathBuf>>,
    pub ffmpeg: Option<PathBuf>,
    pub open_signup: Option<bool>,
    pub lastfm_api_key: Option<String>,
    pub lastfm_api_secret: Option<String>,
    pub lastfm_base_url: Option<String>,
    pub listenbrainz_base_url: Option<String>,
    /// The operator's Spotify application, for external metadata (artist pictures, genres).
    pub spotify_client_id: Option<String>,
    pub spotify_client_secret: Option<String>,
    pub spotify_accounts_base_url: Option<String>,
    pub spotify_api_base_url: Option<String>,
    /// The cache tier (see `cache_config`).
    pub cache: Option<CacheFileConfig>,
}

/// The operator's Spotify application (client-credentials flow) and the endpoints' base URLs.
/// The id and secret are never served to clients nor logged.
#[derive(Clone, Default, PartialEq)]
pub struct SpotifySettings {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub accounts_base_url: Option<String>,
    pub api_base_url: Option<String>,
}

impl std::fmt::Debug for SpotifySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |value: &Option<String>| value.as_ref().map(|_| "<redacted>");
        f.debug_struct("SpotifySettings")
            .field("client_id", &redacted(&self.client_id))
            .field("client_secret", &redacted(&self.client_secret))
            .field("accounts_base_url", &self.accounts_base_url)
            .field("api_base_url", &self.api_base_url)
            .finish()
    }
}

impl SpotifySettings {
    /// `self`'s values where set, else `fallback`'s.
    fn or(self, fallback: Self) -> Self {
        Self {
            client_id: self.client_id.or(fallback.client_id),
            client_secret: self.client_secret.or(fallback.client_secret),
            accounts_base_url: self.accounts_base_url.or(fallback.accounts_base_url),
            api_base_url: self.api_base_url.or(fallback.api_base_url),
        }
    }
}

/// The operator's scrobbling settings: the Last.fm API account (needed for Last.fm linking) and
/// the services' base URLs. The key and secret are never served to clients nor logged.
#[derive(Clone, Default, PartialEq)]
pub struct ScrobblingConfig {
    pub lastfm_api_key: Option<String>,
    pub lastfm_api_secret: Option<String>,
    pub lastfm_base_url: Option<String>,
    pub listenbrainz_base_url: Option<String>,
}

impl std::fmt::Debug for ScrobblingConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |value: &Option<String>| value.as_ref().map(|_| "<redacted>");
        f.debug_struct("ScrobblingConfig")
            .field("lastfm_api_key", &redacted(&self.lastfm_api_key))
            .field("lastfm_api_secret", &redacted(&self.lastfm_api_secret))
            .field("lastfm_base_url", &self.lastfm_base_url)
            .field("listenbrainz_base_url", &self.listenbrainz_base_url)
            .finish()
    }
}

impl ScrobblingConfig {
    /// `self`'s values where set, else `fallback`'s.
    fn or(self, fallback: Self) -> Self {
        Self {
            lastfm_api_key: self.lastfm_api_key.or(fallback.lastfm_api_key),
            lastfm_api_secret: self.lastfm_api_secret.or(fallback.lastfm_api_secret),
            lastfm_base_url: self.lastfm_base_url.or(fallback.lastfm_base_url),
            listenbrainz_base_url: self
                .listenbrainz_base_url
                .or(fallback.listenbrainz_base_url),
        }
    }
}

impl FileConfig {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))
    }
}

/// Values from the environment: Swingfly's own variables and Swing Music's `SWINGMUSIC_PORT`.
#[derive(Debug, Default)]
pub struct EnvConfig {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub data_dir: Option<PathBuf>,
    pub music: Option<Vec<PathBuf>>,
    pub ffmpeg: Option<PathBuf>,
    pub open_signup: Option<bool>,
    pub config_file: Option<PathBuf>,
    pub scrobbling: ScrobblingConfig,
    pub spotify: SpotifySettings,
    /// The cache tier's variables, as found (resolved with the file and flag in `Config::resolve`).
    pub cache_vars: Vec<(&'static str, String)>,
}

impl EnvConfig {
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.is_empty()))
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let port = match get("SWINGFLY_PORT").or_else(|| get("SWINGMUSIC_PORT")) {
            Some(text) => Some(
                text.parse()
                    .with_context(|| format!("port {text:?} is not a number from 1 to 65535"))?,
            ),
            None => None,
        };
        let open_signup = match get("SWINGFLY_OPEN_SIGNUP") {
            Some(text) => Some(
                parse_bool(&text)
                    .with_context(|| format!("SWINGFLY_OPEN_SIGNUP={text:?} is not true/false"))?,
            ),
            None => None,
        };
        Ok(Self {
            host: get("SWINGFLY_HOST"),
            port,
            data_dir: get("SWINGFLY_DATA_DIR").map(PathBuf::from),
            music: get("SWINGFLY_MUSIC").map(|v| std::env::split_paths(&v).collect()),
            ffmpeg: get("SWINGFLY_FFMPEG").map(PathBuf::from),
            open_signup,
            config_file: get("SWINGFLY_CONFIG").map(PathBuf::from),
            scrobbling: ScrobblingConfig {
                lastfm_api_key: get("SWINGFLY_LASTFM_API_KEY"),
                lastfm_api_secret: get("SWINGFLY_LASTFM_API_SECRET"),
                lastfm_base_url: get("SWINGFLY_LASTFM_BASE_URL"),
                listenbrainz_base_url: get("SWINGFLY_LISTENBRAINZ_BASE_URL"),
            },
            spotify: SpotifySettings {
                client_id: get("SWINGFLY_SPOTIFY_CLIENT_ID"),
                client_secret: get("SWINGFLY_SPOTIFY_CLIENT_SECRET"),
                accounts_base_url: get("SWINGFLY_SPOTIFY_ACCOUNTS_BASE_URL"),
                api_base_url: get("SWINGFLY_SPOTIFY_API_BASE_URL"),
            },
            cache_vars: cache_config::ENV_VARS
                .iter()
                .filter_map(|&name| get(name).map(|value| (name, value)))
                .collect(),
        })
    }
}

pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Flags given on the command line (None where not given).
#[derive(Debug, Default)]
pub struct FlagConfig {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub data_dir: Option<PathBuf>,
    pub music: Vec<PathBuf>,
    pub config_file: Option<PathBuf>,
    /// `--cache-url`: the cache server, over every other setting.
    pub cache_url: Option<String>,
}

/// The merged configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub data_dir: PathBuf,
    pub music: Vec<PathBuf>,
    pub ffmpeg: PathBuf,
    pub open_signup: bool,
    /// Environment over file; unset values keep the services' defaults.
    pub scrobbling: ScrobblingConfig,
    /// Environment over file; without an id and secret there is no external metadata.
    pub spotify: SpotifySettings,
    /// Embedded unless a cache server is configured.
    pub cache: CacheConfig,
}

impl Config {
    pub fn resolve(flags: FlagConfig, env: EnvConfig) -> anyhow::Result<Self> {
        let file = match flags.config_file.as_ref().or(env.config_file.as_ref()) {
            Some(path) => FileConfig::load(path)?,
            None => FileConfig::default(),
        };
        let data_dir = match flags.data_dir.or(env.data_dir).or(file.data_dir) {
            Some(dir) => dir,
            None => default_data_dir()?,
        };
        let music = if !flags.music.is_empty() {
            flags.music
        } else {
            env.music.or(file.music).unwrap_or_default()
        };
        let cache = cache_config::resolve(
            flags.cache_url,
            &|name| {
                env.cache_vars
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.clone())
            },
            file.cache.as_ref(),
        )?;
        Ok(Self {
            cache,
            host: flags
                .host
                .or(env.host)
                .or(file.host)
                .unwrap_or_else(|| "0.0.0.0".into()),
            port: flags
                .port
                .or(env.port)
                .or(file.port)
                .unwrap_or(DEFAULT_PORT),
            data_dir,
            music: music.into_iter().map(absolute).collect(),
            ffmpeg: env
                .ffmpeg
                .or(file.ffmpeg)
                .unwrap_or_else(|| PathBuf::from("ffmpeg")),
            open_signup: env.open_signup.or(file.open_signup).unwrap_or(false),
            scrobbling: env.scrobbling.or(ScrobblingConfig {
                lastfm_api_key: file.lastfm_api_key,
                lastfm_api_secret: file.lastfm_api_secret,
                lastfm_base_url: file.lastfm_base_url,
                listenbrainz_base_url: file.listenbrainz_base_url,
            }),
            spotify: env.spotify.or(SpotifySettings {
                client_id: file.spotify_client_id,
                client_secret: file.spotify_client_secret,
                accounts_base_url: file.spotify_accounts_base_url,
                api_base_url: file.spotify_api_base_url,
            }),
        })
    }
}

fn absolute(path: PathBuf) -> PathBuf {
    std::path::absolute(&path).unwrap_or(path)
}

/// The platform's data folder, e.g. `~/.local/share/swingfly` on Linux.
pub fn default_data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("", "", "swingfly")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .context("cannot find a home folder for the default data folder; pass --data DIR")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> EnvConfig {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        EnvConfig::from_lookup(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
            .unwrap()
    }

    #[test]
    fn flags_win_over_env_and_env_over_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("swingfly.toml");
        std::fs::write(
            &file,
            "port = 4000\nhost = \"127.0.0.1\"\nopen_signup = true\n",
        )
        .unwrap();
        let flags = FlagConfig {
            config_file: Some(file.clone()),
            data_dir: Some(dir.path().into()),
            ..FlagConfig::default()
        };
        let config = Config::resolve(flags, env(&[("SWINGMUSIC_PORT", "5000")])).unwrap();
        assert_eq!(config.port, 5000, "env beats file");
        assert_eq!(config.host, "127.0.0.1", "file beats default");
        assert!(config.open_signup);

        let flags = FlagConfig {
            config_file: Some(file),
            data_dir: Some(dir.path().into()),
            port: Some(6000),
            ..FlagConfig::default()
        };
        let config = Config::resolve(flags, env(&[("SWINGMUSIC_PORT", "5000")])).unwrap();
        assert_eq!(config.port, 6000, "flag beats env");
    }

    #[test]
    fn swingfly_port_beats_swingmusic_port_and_defaults_apply() {
        let e = env(&[("SWINGFLY_PORT", "7000"), ("SWINGMUSIC_PORT", "5000")]);
        assert_eq!(e.port, Some(7000));
        let config = Config::resolve(
            FlagConfig {
                data_dir: Some("/tmp/x".into()),
                ..FlagConfig::default()
            },
            env(&[]),
        )
        .unwrap();
        assert_eq!(config.port, DEFAULT_PORT);
        assert!(!config.open_signup);
    }

    #[test]
    fn scrobbling_settings_come_from_env_over_file_and_debug_hides_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("swingfly.toml");
        std::fs::write(
            &file,
            "lastfm_api_key = \"file-key\"\nlastfm_api_secret = \"file-secret\"\n\
             listenbrainz_base_url = \"http://127.0.0.1:9/\"\n",
        )
        .unwrap();
        let flags = || FlagConfig {
            config_file: Some(file.clone()),
            data_dir: Some(dir.path().into()),
            ..FlagConfig::default()
        };
        let config = Config::resolve(flags(), env(&[])).unwrap();
        assert_eq!(
            config.scrobbling.lastfm_api_key.as_deref(),
            Some("file-key")
        );
        assert_eq!(
            config.scrobbling.listenbrainz_base_url.as_deref(),
            Some("http://127.0.0.1:9/")
        );
        assert_eq!(config.scrobbling.lastfm_base_url, None);
        let config = Config::resolve(
            flags(),
            env(&[
                ("SWINGFLY_LASTFM_API_SECRET", "env-secret"),
                ("SWINGFLY_LASTFM_BASE_URL", "http://127.0.0.1:8/2.0/"),
            ]),
        )
        .unwrap();
        assert_eq!(
            config.scrobbling.lastfm_api_key.as_deref(),
            Some("file-key")
        );
        assert_eq!(
            config.scrobbling.lastfm_api_secret.as_deref(),
            Some("env-secret")
        );
        assert_eq!(
            config.scrobbling.lastfm_base_url.as_deref(),
            Some("http://127.0.0.1:8/2.0/")
        );
        let printed = format!("{config:?}");
        assert!(!printed.contains("env-secret") && !printed.contains("file-key"));
    }

    #[test]
    fn spotify_settings_come_from_env_over_file_and_debug_hides_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("swingfly.toml");
        std::fs::write(
            &file,
            "spotify_client_id = \"file-id\"\nspotify_client_secret = \"file-secret\"\n\
             spotify_api_base_url = \"http://127.0.0.1:9\"\n",
        )
        .unwrap();
        let flags = || FlagConfig {
            config_file: Some(file.clone()),
            data_dir: Some(dir.path().into()),
            ..FlagConfig::default()
        };
        let config = Config::resolve(
            flags(),
            env(&[
                ("SWINGFLY_SPOTIFY_CLIENT_SECRET", "env-secret"),
                ("SWINGFLY_SPOTIFY_ACCOUNTS_BASE_URL", "http://127.0.0.1:8"),
            ]),
        )
        .unwrap();
        assert_eq!(config.spotify.client_id.as_deref(), Some("file-id"));
        assert_eq!(config.spotify.client_secret.as_deref(), Some("env-secret"));
        assert_eq!(
            config.spotify.api_base_url.as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(
            config.spotify.accounts_base_url.as_deref(),
            Some("http://127.0.0.1:8")
        );
        let printed = format!("{config:?}");
        assert!(!printed.contains("env-secret") && !printed.contains("file-id"));
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let err = EnvConfig::from_lookup(|k| (k == "SWINGMUSIC_PORT").then(|| "http".to_string()))
            .unwrap_err();
        assert!(format!("{err:#}").contains("not a number"));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "prot = 1\n").unwrap();
        let err = Config::resolve(
            FlagConfig {
                config_file: Some(file),
                ..FlagConfig::default()
            },
            env(&[]),
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("parsing config file"));
    }
}
