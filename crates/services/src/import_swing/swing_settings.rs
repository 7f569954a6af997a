//! The parts of Swing Music's `settings.json` (reference §1.1) an import needs: the server id
//! (its password salt), the legacy id (an older salt Swing still accepts) and the root folders.

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct SwingSettings {
    #[serde(rename = "serverId", default)]
    pub server_id: Option<String>,
    #[serde(rename = "legacy_serverId", default)]
    pub legacy_server_id: Option<String>,
    #[serde(rename = "rootDirs", default)]
    pub root_dirs: Vec<String>,
}

impl SwingSettings {
    /// Reads `settings.json`; a missing file reads as empty settings (no salt, no roots).
    pub fn read(path: &Path) -> anyhow::Result<Option<SwingSettings>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
        };
        let mut settings: SwingSettings = serde_json::from_str(&text)
            .with_context(|| format!("{} does not hold Swing's settings", path.display()))?;
        settings.server_id = settings.server_id.filter(|id| !id.is_empty());
        settings.legacy_server_id = settings.legacy_server_id.filter(|id| !id.is_empty());
        Ok(Some(settings))
    }

    /// The salts a Swing password hash may have been made with, current first.
    pub fn password_salts(&self) -> Vec<&str> {
        self.server_id
            .iter()
            .chain(&self.legacy_server_id)
            .map(String::as_str)
            .collect()
    }
}
