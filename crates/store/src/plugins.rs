//! Plugin rows (Swing's `plugin` table): whether each plugin is active, and its settings.

use serde_json::{Map, Value};

use crate::{Result, Store, StoreError};

/// One plugin as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct PluginRow {
    pub name: String,
    pub active: bool,
    /// A JSON object.
    pub settings: Map<String, Value>,
    /// A JSON object.
    pub extra: Map<String, Value>,
}

fn parse_object(field: &'static str, text: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(StoreError::corrupt(
            field,
            format!("expected a JSON object, found {other}"),
        )),
        Err(error) => Err(StoreError::corrupt(field, error)),
    }
}

type PluginTuple = (String, bool, String, String);

fn plugin_row((name, active, settings, extra): PluginTuple) -> Result<PluginRow> {
    Ok(PluginRow {
        settings: parse_object("plugins.settings", &settings)?,
        extra: parse_object("plugins.extra", &extra)?,
        name,
        active,
    })
}

impl Store {
    /// Every plugin, by name.
    pub async fn plugins(&self) -> Result<Vec<PluginRow>> {
        let rows: Vec<PluginTuple> =
            sqlx::query_as("SELECT name, active, settings, extra FROM plugins ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(plugin_row).collect()
    }

    /// One plugin, if it exists.
    pub async fn plugin(&self, name: &str) -> Result<Option<PluginRow>> {
        let row: Option<PluginTuple> =
            sqlx::query_as("SELECT name, active, settings, extra FROM plugins WHERE name = ?")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        row.map(plugin_row).transpose()
    }

    /// Turns a plugin on or off. [`StoreError::NotFound`] for an unknown plugin.
    pub async fn set_plugin_active(&self, name: &str, active: bool) -> Result<()> {
        let done = sqlx::query("UPDATE plugins SET active = ? WHERE name = ?")
            .bind(active)
            .bind(name)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("plugin {name:?}")));
        }
        Ok(())
    }

    /// Merges `changes` into a plugin's settings (keys not named keep their value) in one write
    /// transaction, and returns the settings as stored. [`StoreError::NotFound`] for an unknown
    /// plugin.
    pub async fn update_plugin_settings(
        &self,
        name: &str,
        changes: &Map<String, Value>,
    ) -> Result<Map<String, Value>> {
        let mut tx = self.begin_write().await?;
        let text: Option<String> =
            sqlx::query_scalar("SELECT settings FROM plugins WHERE name = ?")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(text) = text else {
            return Err(StoreError::NotFound(format!("plugin {name:?}")));
        };
        let mut settings = parse_object("plugins.settings", &text)?;
        for (key, value) in changes {
            settings.insert(key.clone(), value.clone());
        }
        let text = Value::Object(settings.clone()).to_string();
        sqlx::query("UPDATE plugins SET settings = ? WHERE name = ?")
            .bind(text)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(settings)
    }
}
