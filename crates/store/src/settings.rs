//! Server settings: JSON values by key ("rootDirs", the index settings under their camelCase keys).

use serde_json::{Map, Value};

use crate::{unix_now, Result, Store, StoreError};

fn parse_setting(key: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text)
        .map_err(|error| StoreError::corrupt("settings.value", format!("key {key:?}: {error}")))
}

impl Store {
    pub async fn setting(&self, key: &str) -> Result<Option<Value>> {
        let text: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        text.map(|text| parse_setting(key, &text)).transpose()
    }

    /// Stores `value` under `key`, replacing what was there.
    pub async fn set_setting(&self, key: &str, value: &Value) -> Result<()> {
        if key.is_empty() {
            return Err(StoreError::invalid("setting key", "the key is empty"));
        }
        let text = serde_json::to_string(value)
            .map_err(|error| StoreError::invalid("setting value", error.to_string()))?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(text)
        .bind(unix_now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every stored setting.
    pub async fn all_settings(&self) -> Result<Map<String, Value>> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM settings")
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|(key, text)| {
                let value = parse_setting(&key, &text)?;
                Ok((key, value))
            })
            .collect()
    }
}
