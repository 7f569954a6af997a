//! The library ledger: raw track rows, the library version and per-album artwork values.

use std::collections::HashMap;
use std::sync::OnceLock;

use sqlx::{FromRow, Sqlite, SqliteConnection};
use swingfly_model::RawTrack;

use crate::raw::{RawQuery, RawRow};
use crate::{returned_row, unix_now, Result, Store, StoreError};

/// The track columns in the order `decode_track` reads them and `upsert_tracks` binds them.
const TRACK_COLUMNS: [&str; 25] = [
    "filepath",
    "folder",
    "size",
    "mtime",
    "title",
    "album",
    "artists",
    "albumartists",
    "genres",
    "date",
    "track",
    "track_total",
    "disc",
    "disc_total",
    "copyright",
    "composer",
    "comment",
    "explicit",
    "duration",
    "bitrate",
    "samplerate",
    "bitdepth",
    "channels",
    "has_picture",
    "has_lyrics",
];

/// Rows per multi-row statement. SQLite (bundled, ≥ 3.32) allows 32766 bound variables and
/// PostgreSQL 65535; 400 rows × 25 columns = 10000 stays well inside both while amortising the
/// per-statement round trip to sqlx's worker thread.
const TRACKS_PER_UPSERT: usize = 400;
/// Values per `IN (...)` list when deleting rows by key.
const KEYS_PER_DELETE: usize = 500;
/// Rows per multi-row album-art upsert (3 variables each).
const ART_ROWS_PER_UPSERT: usize = 500;

/// Artwork-derived values of one album: dominant colour (`"rgb(r, g, b)"`) and BlurHash.
#[derive(Clone, Debug, Default, PartialEq, Eq, FromRow)]
pub struct AlbumArtRow {
    pub albumhash: String,
    pub color: Option<String>,
    pub blurhash: Option<String>,
}

impl Store {
    /// Every stored track, in insertion order.
    pub async fn load_tracks(&self) -> Result<Vec<RawTrack>> {
        // The count is only a capacity hint: a scan committing in between costs a reallocation.
        let expected = usize::try_from(self.track_count().await?).unwrap_or(0);
        self.read_raw(move |handle| {
            let sql = format!(
                "SELECT {} FROM tracks ORDER BY id",
                TRACK_COLUMNS.join(", ")
            );
            let mut query = RawQuery::prepare(handle, &sql)?;
            let mut tracks = Vec::with_capacity(expected);
            while let Some(row) = query.next_row()? {
                tracks.push(decode_track(&row)?);
            }
            Ok(tracks)
        })
        .await
    }

    /// What the ledger knows of each file, for incremental scans: filepath -> (size, mtime).
    pub async fn known_files(&self) -> Result<HashMap<String, (u64, i64)>> {
        let expected = usize::try_from(self.track_count().await?).unwrap_or(0);
        self.read_raw(move |handle| {
            let mut query = RawQuery::prepare(handle, "SELECT filepath, size, mtime FROM tracks")?;
            let mut known = HashMap::with_capacity(expected);
            while let Some(row) = query.next_row()? {
                known.insert(
                    row.required_text(0, "tracks.filepath")?,
                    (
                        row.required_int(1, "tracks.size")?,
                        row.required_int(2, "tracks.mtime")?,
                    ),
                );
            }
            Ok(known)
        })
        .await
    }

    /// Applies one scan's result in a single transaction: deletes `removed` filepaths, then inserts
    /// or replaces `upserts` (keyed by filepath), then bumps the library version and returns it.
    /// When both lists are empty nothing changes and the current version is returned.
    pub async fn apply_scan(&self, upserts: &[RawTrack], removed: &[String]) -> Result<i64> {
        if upserts.is_empty() && removed.is_empty() {
            return self.library_version().await;
        }
        for track in upserts {
            validate_track(track)?;
        }
        let mut tx = self.begin_write().await?;
        for keys in removed.chunks(KEYS_PER_DELETE) {
            delete_tracks(&mut tx, keys).await?;
        }
        for chunk in upserts.chunks(TRACKS_PER_UPSERT) {
            upsert_tracks(&mut tx, chunk).await?;
        }
        // `fetch_all` so that the statement is done before the commit (see `returned_row`).
        let version: Vec<i64> = sqlx::query_scalar(
            "UPDATE library_state SET version = version + 1, updated_at = ? WHERE id = 1 \
             RETURNING version",
        )
        .bind(unix_now())
        .fetch_all(&mut *tx)
        .await?;
        let version = returned_row(version)?;
        tx.commit().await?;
        Ok(version)
    }

    /// The library version: 0 for a new ledger, bumped by every `apply_scan` that changed it.
    pub async fn library_version(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT version FROM library_state WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn track_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM tracks")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Inserts or replaces (every column) the artwork values of the given albums.
    pub async fn upsert_album_art(&self, rows: &[AlbumArtRow]) -> Result<()> {
        if let Some(row) = rows.iter().find(|row| row.albumhash.is_empty()) {
            return Err(StoreError::invalid(
                "albumhash",
                format!("empty albumhash (color {:?})", row.color),
            ));
        }
        let mut tx = self.begin_write().await?;
        for chunk in rows.chunks(ART_ROWS_PER_UPSERT) {
            let sql = format!(
                "INSERT INTO album_art (albumhash, color, blurhash) VALUES {} \
                 ON CONFLICT (albumhash) DO UPDATE SET \
                 color = excluded.color, blurhash = excluded.blurhash",
                placeholders(chunk.len(), 3)
            );
            let mut query = sqlx::query(&sql);
            for row in chunk {
                query = query
                    .bind(row.albumhash.as_str())
                    .bind(row.color.as_deref())
                    .bind(row.blurhash.as_deref());
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn load_album_art(&self) -> Result<Vec<AlbumArtRow>> {
        Ok(sqlx::query_as::<_, AlbumArtRow>(
            "SELECT albumhash, color, blurhash FROM album_art ORDER BY albumhash",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

/// Decodes one `SELECT {TRACK_COLUMNS}` row, positionally.
fn decode_track(row: &RawRow<'_>) -> Result<RawTrack> {
    Ok(RawTrack {
        filepath: row.required_text(0, "tracks.filepath")?,
        folder: row.required_text(1, "tracks.folder")?,
        size: row.required_int(2, "tracks.size")?,
        mtime: row.required_int(3, "tracks.mtime")?,
        title: row.text(4, "tracks.title")?,
        album: row.text(5, "tracks.album")?,
        artists: row.text(6, "tracks.artists")?,
        albumartists: row.text(7, "tracks.albumartists")?,
        genres: row.text(8, "tracks.genres")?,
        date: row.text(9, "tracks.date")?,
        track: row.int(10, "tracks.track")?,
        track_total: row.int(11, "tracks.track_total")?,
        disc: row.int(12, "tracks.disc")?,
        disc_total: row.int(13, "tracks.disc_total")?,
        copyright: row.text(14, "tracks.copyright")?,
        composer: row.text(15, "tracks.composer")?,
        comment: row.text(16, "tracks.comment")?,
        explicit: row.text(17, "tracks.explicit")?,
        duration: row.required_double(18, "tracks.duration")?,
        bitrate: row.required_int(19, "tracks.bitrate")?,
        samplerate: row.required_int(20, "tracks.samplerate")?,
        bitdepth: row.int(21, "tracks.bitdepth")?,
        channels: row.required_int(22, "tracks.channels")?,
        has_picture: row.required_int::<i64>(23, "tracks.has_picture")? != 0,
        has_lyrics: row.required_int::<i64>(24, "tracks.has_lyrics")? != 0,
    })
}

/// Rejects what the ledger cannot hold faithfully.
fn validate_track(track: &RawTrack) -> Result<()> {
    if track.filepath.is_empty() {
        return Err(StoreError::invalid("filepath", "empty filepath"));
    }
    if i64::try_from(track.size).is_err() {
        return Err(StoreError::invalid(
            "size",
            format!("{} bytes is too large for {}", track.size, track.filepath),
        ));
    }
    Ok(())
}

/// `(?, ?, ?), (?, ?, ?)` for `rows` rows of `columns` values.
fn placeholders(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

fn upsert_sql(rows: usize) -> String {
    let updates = TRACK_COLUMNS[1..]
        .iter()
        .map(|column| format!("{column} = excluded.{column}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO tracks ({}) VALUES {} ON CONFLICT (filepath) DO UPDATE SET {updates}",
        TRACK_COLUMNS.join(", "),
        placeholders(rows, TRACK_COLUMNS.len())
    )
}

async fn upsert_tracks(conn: &mut SqliteConnection, chunk: &[RawTrack]) -> Result<()> {
    // Full chunks share one SQL text, so sqlx prepares it once per connection and reuses it.
    static FULL_CHUNK_SQL: OnceLock<String> = OnceLock::new();
    let partial_sql;
    let sql = if chunk.len() == TRACKS_PER_UPSERT {
        FULL_CHUNK_SQL.get_or_init(|| upsert_sql(TRACKS_PER_UPSERT))
    } else {
        partial_sql = upsert_sql(chunk.len());
        &partial_sql
    };
    let mut query = sqlx::query::<Sqlite>(sql);
    for track in chunk {
        // Checked by `validate_track` before the transaction started.
        let size = i64::try_from(track.size).unwrap_or(i64::MAX);
        query = query
            .bind(track.filepath.as_str())
            .bind(track.folder.as_str())
            .bind(size)
            .bind(track.mtime)
            .bind(track.title.as_deref())
            .bind(track.album.as_deref())
            .bind(track.artists.as_deref())
            .bind(track.albumartists.as_deref())
            .bind(track.genres.as_deref())
            .bind(track.date.as_deref())
            .bind(track.track)
            .bind(track.track_total)
            .bind(track.disc)
            .bind(track.disc_total)
            .bind(track.copyright.as_deref())
            .bind(track.composer.as_deref())
            .bind(track.comment.as_deref())
            .bind(track.explicit.as_deref())
            .bind(track.duration)
            .bind(track.bitrate)
            .bind(track.samplerate)
            .bind(track.bitdepth)
            .bind(track.channels)
            .bind(track.has_picture)
            .bind(track.has_lyrics);
    }
    query.execute(conn).await?;
    Ok(())
}

async fn delete_tracks(conn: &mut SqliteConnection, filepaths: &[String]) -> Result<()> {
    let sql = format!(
        "DELETE FROM tracks WHERE filepath IN ({})",
        vec!["?"; filepaths.len()].join(", ")
    );
    let mut query = sqlx::query(&sql);
    for filepath in filepaths {
        query = query.bind(filepath.as_str());
    }
    query.execute(conn).await?;
    Ok(())
}
