//! Server plugins (reference §3.15): the `plugins` table's rows, turning one on or off, and changing
//! its settings. A plugin's stored settings are its schema: a change may only name keys the plugin
//! has and must keep each value's JSON type, so `{auto_download: "yes"}` cannot replace a boolean.

use serde::Serialize;
use serde_json::{Map, Value};
use swingfly_store::plugins::PluginRow;
use swingfly_store::{Store, StoreError};

/// A plugin as the clients see it: `{name, active, settings, extra}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plugin {
    pub name: String,
    pub active: bool,
    pub settings: Map<String, Value>,
    pub extra: Map<String, Value>,
}

impl From<PluginRow> for Plugin {
    fn from(row: PluginRow) -> Self {
        Plugin {
            name: row.name,
            active: row.active,
            settings: row.settings,
            extra: row.extra,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("Plugin not found: {0}")]
    NotFound(String),
    /// A settings change the plugin cannot take; the text says why.
    #[error("{0}")]
    InvalidSettings(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for PluginError {
    fn from(error: StoreError) -> Self {
        PluginError::Internal(error.into())
    }
}

/// Every plugin, by name.
pub async fn list(store: &Store) -> Result<Vec<Plugin>, PluginError> {
    Ok(store
        .plugins()
        .await?
        .into_iter()
        .map(Plugin::from)
        .collect())
}

/// Turns a plugin on or off (idempotent).
pub async fn set_active(store: &Store, name: &str, active: bool) -> Result<(), PluginError> {
    match store.set_plugin_active(name, active).await {
        Err(StoreError::NotFound(_)) => Err(PluginError::NotFound(name.to_string())),
        other => Ok(other?),
    }
}

/// Changes some of a plugin's settings and returns all of them as stored.
pub async fn update_settings(
    store: &Store,
    name: &str,
    changes: &Map<String, Value>,
) -> Result<Map<String, Value>, PluginError> {
    let plugin = store
        .plugin(name)
        .await?
        .ok_or_else(|| PluginError::NotFound(name.to_string()))?;
    check_changes(&plugin.settings, changes)?;
    match store.update_plugin_settings(name, changes).await {
        Err(StoreError::NotFound(_)) => Err(PluginError::NotFound(name.to_string())),
        other => Ok(other?),
    }
}

/// Every changed key must exist and keep its JSON type.
fn check_changes(
    current: &Map<String, Value>,
    changes: &Map<String, Value>,
) -> Result<(), PluginError> {
    for (key, value) in changes {
        let Some(existing) = current.get(key) else {
            let known: Vec<&str> = current.keys().map(String::as_str).collect();
            return Err(PluginError::InvalidSettings(format!(
                "Unknown setting {key:?} (this plugin has: {})",
                known.join(", ")
            )));
        };
        if json_type(existing) != json_type(value) {
            return Err(PluginError::InvalidSettings(format!(
                "Setting {key:?} must be {}, not {}",
                json_type(existing),
                json_type(value)
            )));
        }
    }
    Ok(())
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn changes_keep_keys_and_types() {
        let current = object(json!({"auto_download": false, "limit": 3}));
        assert!(check_changes(&current, &object(json!({"auto_download": true}))).is_ok());
        assert!(check_changes(&current, &object(json!({}))).is_ok());
        let wrong_type = check_changes(&current, &object(json!({"auto_download": "yes"})));
        assert!(
            matches!(wrong_type, Err(PluginError::InvalidSettings(ref text)) if text.contains("must be a boolean")),
            "{wrong_type:?}"
        );
        let unknown = check_changes(&current, &object(json!({"token": "x"})));
        assert!(
            matches!(unknown, Err(PluginError::InvalidSettings(ref text)) if text.contains("Unknown setting")),
            "{unknown:?}"
        );
    }
}
