//! The cache tier's settings. Embedded unless configured; a shared server (Dragonfly, Redis,
//! Valkey) is chosen with, from strongest to weakest:
//!
//! - the flag `--cache-url URL`;
//! - `SWINGFLY_CACHE_URL` or `DRAGONFLYDB_URL` (a full `redis://` / `rediss://` URL with password and
//!   database number);
//! - the design document's variables: `ENABLE_DRAGONFLYDB=true` with `DRAGONFLYDB_HOST`,
//!   `DRAGONFLYDB_PORT`, and optionally `DRAGONFLYDB_PASSWORD`, `DRAGONFLYDB_DB`, `DRAGONFLYDB_TLS`
//!   (`ENABLE_DRAGONFLYDB=false` forces embedded whatever the file says);
//! - the `[cache]` table of the TOML file (`enabled`, `url` or `host`/`port`/`password`/`db`/`tls`,
//!   plus `local_capacity_mb` and `op_timeout_ms`).

use std::time::Duration;

use anyhow::{bail, Context};
use serde::Deserialize;
use swingfly_cache::CacheConfig;

/// The environment variables read here.
pub const ENV_VARS: &[&str] = &[
    "SWINGFLY_CACHE_URL",
    "DRAGONFLYDB_URL",
    "ENABLE_DRAGONFLYDB",
    "DRAGONFLYDB_HOST",
    "DRAGONFLYDB_PORT",
    "DRAGONFLYDB_PASSWORD",
    "DRAGONFLYDB_DB",
    "DRAGONFLYDB_TLS",
];

const DEFAULT_HOST: &str = "127.0.0.1";
const DEFAULT_PORT: u16 = 6379;

/// The `[cache]` table of the configuration file. (No `Debug`: it may hold a password.)
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheFileConfig {
    pub enabled: Option<bool>,
    pub url: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub password: Option<String>,
    pub db: Option<u32>,
    pub tls: Option<bool>,
    /// Byte budget of the in-process layer, in MiB.
    pub local_capacity_mb: Option<u64>,
    /// Timeout of each cache-server command, in milliseconds.
    pub op_timeout_ms: Option<u64>,
}

/// The server's address in parts, before it becomes a URL.
#[derive(Default)]
struct Address {
    host: Option<String>,
    port: Option<u16>,
    password: Option<String>,
    db: Option<u32>,
    tls: bool,
}

impl Address {
    fn url(&self) -> String {
        let scheme = if self.tls { "rediss" } else { "redis" };
        let host = self.host.as_deref().unwrap_or(DEFAULT_HOST);
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        let auth = self
            .password
            .as_deref()
            .map(|password| format!(":{}@", percent_encode(password)))
            .unwrap_or_default();
        format!(
            "{scheme}://{auth}{host}:{}/{}",
            self.port.unwrap_or(DEFAULT_PORT),
            self.db.unwrap_or(0)
        )
    }
}

/// Resolves the tier's configuration from the flag, the environment (`get`) and the file.
pub fn resolve(
    flag_url: Option<String>,
    get: &dyn Fn(&str) -> Option<String>,
    file: Option<&CacheFileConfig>,
) -> anyhow::Result<CacheConfig> {
    let file = file.cloned().unwrap_or_default();
    let mut config = CacheConfig::default();
    if let Some(mb) = file.local_capacity_mb {
        config.local_capacity_bytes = mb.saturating_mul(1024 * 1024);
    }
    if let Some(ms) = file.op_timeout_ms {
        if ms == 0 {
            bail!("[cache] op_timeout_ms must be above 0");
        }
        config.op_timeout = Duration::from_millis(ms);
    }
    config.url = match flag_url {
        Some(url) => Some(url),
        None => match env_choice(get)? {
            EnvChoice::Url(url) => Some(url),
            EnvChoice::Embedded => None,
            EnvChoice::Unset => url_from_file(&file)?,
        },
    };
    if let Some(url) = &config.url {
        if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
            bail!(
                "the cache URL must start with redis:// or rediss:// (got {})",
                swingfly_cache::redact_url(url)
            );
        }
    }
    Ok(config)
}

/// What the environment says about the cache server.
enum EnvChoice {
    Url(String),
    /// `ENABLE_DRAGONFLYDB=false`: embedded, whatever the file says.
    Embedded,
    Unset,
}

fn env_choice(get: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<EnvChoice> {
    if let Some(url) = get("SWINGFLY_CACHE_URL").or_else(|| get("DRAGONFLYDB_URL")) {
        return Ok(EnvChoice::Url(url));
    }
    let Some(switch) = get("ENABLE_DRAGONFLYDB") else {
        return Ok(EnvChoice::Unset);
    };
    let enabled = crate::config::parse_bool(&switch)
        .with_context(|| format!("ENABLE_DRAGONFLYDB={switch:?} is not true/false"))?;
    if !enabled {
        return Ok(EnvChoice::Embedded);
    }
    let port = match get("DRAGONFLYDB_PORT") {
        Some(text) => Some(text.parse().with_context(|| {
            format!("DRAGONFLYDB_PORT={text:?} is not a number from 1 to 65535")
        })?),
        None => None,
    };
    let db = match get("DRAGONFLYDB_DB") {
        Some(text) => Some(
            text.parse()
                .with_context(|| format!("DRAGONFLYDB_DB={text:?} is not a number"))?,
        ),
        None => None,
    };
    let tls = match get("DRAGONFLYDB_TLS") {
        Some(text) => crate::config::parse_bool(&text)
            .with_context(|| format!("DRAGONFLYDB_TLS={text:?} is not true/false"))?,
        None => false,
    };
    Ok(EnvChoice::Url(
        Address {
            host: get("DRAGONFLYDB_HOST"),
            port,
            password: get("DRAGONFLYDB_PASSWORD"),
            db,
            tls,
        }
        .url(),
    ))
}

fn url_from_file(file: &CacheFileConfig) -> anyhow::Result<Option<String>> {
    let configured = file.url.is_some() || file.host.is_some() || file.port.is_some();
    if !file.enabled.unwrap_or(configured) {
        return Ok(None);
    }
    if let Some(url) = &file.url {
        return Ok(Some(url.clone()));
    }
    Ok(Some(
        Address {
            host: file.host.clone(),
            port: file.port,
            password: file.password.clone(),
            db: file.db,
            tls: file.tls.unwrap_or(false),
        }
        .url(),
    ))
}

/// Percent-encodes all but RFC 3986's unreserved characters, for the password in the URL.
fn percent_encode(text: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, RESERVED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve_with(
        flag: Option<&str>,
        env: &[(&str, &str)],
        file: Option<&str>,
    ) -> anyhow::Result<CacheConfig> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let file: Option<CacheFileConfig> = file.map(|text| toml::from_str(text).unwrap());
        resolve(
            flag.map(str::to_string),
            &|key| env.get(key).cloned(),
            file.as_ref(),
        )
    }

    #[test]
    fn embedded_unless_configured() {
        assert_eq!(resolve_with(None, &[], None).unwrap().url, None);
        assert_eq!(
            resolve_with(None, &[], Some("local_capacity_mb = 8"))
                .unwrap()
                .url,
            None
        );
    }

    #[test]
    fn the_design_documents_variables_build_a_url() {
        let config = resolve_with(
            None,
            &[
                ("ENABLE_DRAGONFLYDB", "true"),
                ("DRAGONFLYDB_HOST", "dragonfly"),
                ("DRAGONFLYDB_PORT", "6380"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(config.url.as_deref(), Some("redis://dragonfly:6380/0"));
        let config = resolve_with(
            None,
            &[
                ("ENABLE_DRAGONFLYDB", "1"),
                ("DRAGONFLYDB_PASSWORD", "p@ss word"),
                ("DRAGONFLYDB_DB", "2"),
                ("DRAGONFLYDB_TLS", "true"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(
            config.url.as_deref(),
            Some("rediss://:p%40ss%20word@127.0.0.1:6379/2")
        );
        assert!(resolve_with(None, &[("ENABLE_DRAGONFLYDB", "maybe")], None).is_err());
        assert!(resolve_with(
            None,
            &[("ENABLE_DRAGONFLYDB", "true"), ("DRAGONFLYDB_PORT", "http")],
            None
        )
        .is_err());
    }

    #[test]
    fn flag_beats_env_beats_file_and_the_switch_can_force_embedded() {
        let file = Some("host = \"from-file\"\nport = 7000");
        assert_eq!(
            resolve_with(None, &[], file).unwrap().url.as_deref(),
            Some("redis://from-file:7000/0")
        );
        assert_eq!(
            resolve_with(None, &[("DRAGONFLYDB_URL", "redis://env:1/0")], file)
                .unwrap()
                .url
                .as_deref(),
            Some("redis://env:1/0")
        );
        assert_eq!(
            resolve_with(
                Some("redis://flag:2/0"),
                &[("DRAGONFLYDB_URL", "redis://env:1/0")],
                file
            )
            .unwrap()
            .url
            .as_deref(),
            Some("redis://flag:2/0")
        );
        assert_eq!(
            resolve_with(None, &[("ENABLE_DRAGONFLYDB", "false")], file)
                .unwrap()
                .url,
            None
        );
        assert_eq!(
            resolve_with(None, &[], Some("enabled = false\nurl = \"redis://x:1/0\""))
                .unwrap()
                .url,
            None
        );
        let tuned =
            resolve_with(None, &[], Some("local_capacity_mb = 8\nop_timeout_ms = 50")).unwrap();
        assert_eq!(tuned.local_capacity_bytes, 8 * 1024 * 1024);
        assert_eq!(tuned.op_timeout, Duration::from_millis(50));
    }

    #[test]
    fn bad_urls_are_refused_and_passwords_never_echoed() {
        let error = resolve_with(Some("http://:secret@host"), &[], None).unwrap_err();
        assert!(!format!("{error:#}").contains("secret"), "{error:#}");
        assert_eq!(
            swingfly_cache::redact_url("redis://:secret@h:1/0"),
            "redis://***@h:1/0"
        );
    }
}
