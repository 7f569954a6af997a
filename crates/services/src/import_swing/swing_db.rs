//! Reading Swing Music's `swingmusic.db` (reference §4.2), read-only. Every value is read as text
//! (`CAST(... AS TEXT)`) because Swing's SQLite columns do not always hold their declared type
//! (`playlist.last_updated` is a date string in an INTEGER column), and a column an older Swing
//! lacks reads as NULL instead of failing the whole table.

use std::collections::HashSet;
use std::path::Path;
use std::str::FromStr;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Row};

/// One row of a Swing table: the requested columns in order, as text.
pub struct SwingRow {
    values: Vec<Option<String>>,
}

impl SwingRow {
    /// The text of column `index` (as requested), `None` when NULL or absent.
    pub fn text(&self, index: usize) -> Option<&str> {
        self.values.get(index).and_then(|value| value.as_deref())
    }

    /// The column as an integer; a real is truncated (Swing writes some timestamps as floats).
    pub fn int(&self, index: usize) -> Option<i64> {
        let text = self.text(index)?.trim();
        text.parse::<i64>().ok().or_else(|| {
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(|v| v as i64)
        })
    }

    /// The column parsed as JSON; `None` when NULL or not JSON.
    pub fn json(&self, index: usize) -> Option<serde_json::Value> {
        serde_json::from_str(self.text(index)?).ok()
    }
}

/// An open, read-only Swing database.
pub struct SwingDb {
    conn: SqliteConnection,
}

impl SwingDb {
    /// Opens `path` read-only. A database in WAL mode needs its `-shm` file; where that cannot be
    /// made (a read-only folder), the file is opened as immutable, which ignores a WAL that Swing
    /// did not checkpoint (stop Swing before importing).
    pub async fn open(path: &Path) -> anyhow::Result<SwingDb> {
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .read_only(true)
            .create_if_missing(false);
        let conn = match options.clone().connect().await {
            Ok(conn) => conn,
            Err(error) => {
                tracing::warn!(%error, "opening Swing's database read-only failed; trying it as immutable");
                options
                    .immutable(true)
                    .connect()
                    .await
                    .with_context(|| format!("opening {}", path.display()))?
            }
        };
        let mut db = SwingDb { conn };
        // Fails early on a file that is not SQLite at all.
        sqlx::query("SELECT count(*) FROM sqlite_master")
            .fetch_one(&mut db.conn)
            .await
            .with_context(|| format!("{} is not a readable SQLite database", path.display()))?;
        Ok(db)
    }

    /// Every row of `table` with `columns` (missing columns read as NULL), ordered by `id` when the
    /// table has one. `None` when the table does not exist.
    pub async fn read(
        &mut self,
        table: &str,
        columns: &[&str],
    ) -> anyhow::Result<Option<Vec<SwingRow>>> {
        let present = self.columns_of(table).await?;
        if present.is_empty() {
            return Ok(None);
        }
        let select: Vec<String> = columns
            .iter()
            .map(|column| {
                if present.contains(*column) {
                    format!("CAST({} AS TEXT)", quoted(column))
                } else {
                    "NULL".to_string()
                }
            })
            .collect();
        let order = if present.contains("id") {
            " ORDER BY \"id\""
        } else {
            ""
        };
        let sql = format!("SELECT {} FROM {}{order}", select.join(", "), quoted(table));
        let rows = sqlx::query(&sql)
            .fetch_all(&mut self.conn)
            .await
            .with_context(|| format!("reading Swing's {table} table"))?;
        let rows = rows
            .into_iter()
            .map(|row| {
                let values = (0..columns.len())
                    .map(|index| row.try_get::<Option<String>, _>(index))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(SwingRow { values })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Some(rows))
    }

    async fn columns_of(&mut self, table: &str) -> anyhow::Result<HashSet<String>> {
        let rows = sqlx::query(&format!("PRAGMA table_info({})", quoted(table)))
            .fetch_all(&mut self.conn)
            .await?;
        rows.into_iter()
            .map(|row| Ok(row.try_get::<String, _>("name")?))
            .collect()
    }

    pub async fn close(self) {
        let _ = self.conn.close().await;
    }
}

/// An SQL identifier in double quotes (`user` is a keyword in most dialects).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
