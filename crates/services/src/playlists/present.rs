//! The Playlist object as Swing's clients read it (reference §4.1), built from a stored row and
//! the live index.

use serde::Serialize;
use serde_json::{json, Map, Value};
use swingfly_library::humanize::{now_unix, time_ago};
use swingfly_library::Library;
use swingfly_model::parse_hash;
use swingfly_store::playlists::PlaylistRow;

/// `settings` of a new playlist.
pub fn default_settings() -> Value {
    json!({"has_gif": false, "banner_pos": 50, "square_img": false, "pinned": false})
}

/// How many album images stand in for a playlist without its own.
const COLLAGE_IMAGES: usize = 4;

/// Swing's Playlist (keys in Flask's alphabetical order).
#[derive(Clone, Debug, Serialize)]
pub struct PlaylistJson {
    #[serde(rename = "_last_updated")]
    pub last_updated_ago: String,
    #[serde(rename = "_score")]
    pub score: i64,
    pub count: usize,
    pub duration: u64,
    pub extra: Value,
    pub has_image: bool,
    /// An integer, or "recentlyadded" / "recentlyplayed".
    pub id: Value,
    /// The file name, or the string "None".
    pub image: String,
    /// `[{image, color}]` (or strings, after save-item) for playlists without their own image.
    pub images: Vec<Value>,
    pub last_updated: String,
    pub name: String,
    pub pinned: bool,
    pub settings: Value,
    pub thumb: String,
    /// Always empty in responses.
    pub trackhashes: Vec<String>,
    pub userid: i64,
}

/// How `images` is spelled: Swing's list routes send `{image, color}` objects, save-item sends
/// plain image names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImagesShape {
    WithColors,
    NamesOnly,
}

/// The wire form of a stored playlist.
pub fn playlist_json(library: &Library, row: &PlaylistRow, shape: ImagesShape) -> PlaylistJson {
    let tracks = row
        .trackhashes
        .iter()
        .filter_map(|hash| parse_hash(hash))
        .filter_map(|hash| library.track(hash));
    let duration = tracks.clone().map(|track| u64::from(track.duration)).sum();
    let images = if row.image.is_some() {
        Vec::new()
    } else {
        collage(library, tracks.map(|track| track.albumhash), shape)
    };
    let mut extra = match &row.extra {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    extra.insert("version".into(), row.version.into());
    let mut settings = default_settings();
    if let (Value::Object(target), Value::Object(stored)) = (&mut settings, &row.settings) {
        for (key, value) in stored {
            target.insert(key.clone(), value.clone());
        }
    }
    let pinned = settings["pinned"].as_bool().unwrap_or(false);
    PlaylistJson {
        last_updated_ago: time_ago(row.last_updated, now_unix()),
        score: 0,
        count: row.trackhashes.len(),
        duration,
        extra: Value::Object(extra),
        has_image: row.image.is_some(),
        id: row.id.into(),
        image: row.image.clone().unwrap_or_else(|| "None".into()),
        images,
        last_updated: datetime_text(row.last_updated),
        name: row.name.clone(),
        pinned,
        settings,
        thumb: row
            .image
            .as_deref()
            .map_or_else(|| "None".into(), super::images::thumbnail_name),
        trackhashes: Vec::new(),
        userid: row.user_id,
    }
}

/// The first album images of a track list, distinct, repeated to fill [`COLLAGE_IMAGES`].
pub fn collage(
    library: &Library,
    albumhashes: impl Iterator<Item = u64>,
    shape: ImagesShape,
) -> Vec<Value> {
    let mut seen = Vec::new();
    for albumhash in albumhashes {
        if !seen.contains(&albumhash) {
            seen.push(albumhash);
            if seen.len() == COLLAGE_IMAGES {
                break;
            }
        }
    }
    if seen.is_empty() {
        return Vec::new();
    }
    let mut images: Vec<Value> = seen
        .iter()
        .map(|&albumhash| {
            let image = format!("{albumhash:016x}.webp");
            match shape {
                ImagesShape::NamesOnly => Value::String(image),
                ImagesShape::WithColors => {
                    let color = library
                        .album(albumhash)
                        .and_then(|album| album.color.as_deref())
                        .unwrap_or_default();
                    json!({"image": image, "color": color})
                }
            }
        })
        .collect();
    let distinct = images.len();
    while images.len() < COLLAGE_IMAGES {
        images.push(images[images.len() % distinct].clone());
    }
    images
}

/// Unix seconds as "YYYY-MM-DD HH:MM:SS" (UTC), the way Swing stores `last_updated`.
pub fn datetime_text(timestamp: i64) -> String {
    let (year, month, day) = swingfly_model::civil_from_unix(timestamp);
    let seconds = timestamp.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_are_utc_text() {
        assert_eq!(datetime_text(0), "1970-01-01 00:00:00");
        assert_eq!(datetime_text(951_825_600), "2000-02-29 12:00:00");
        assert_eq!(datetime_text(1_767_225_599), "2025-12-31 23:59:59");
    }

    #[test]
    fn collages_repeat_to_four() {
        let library = Library::empty();
        let images = collage(&library, [1u64, 2, 1].into_iter(), ImagesShape::NamesOnly);
        let names: Vec<&str> = images.iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "0000000000000001.webp",
                "0000000000000002.webp",
                "0000000000000001.webp",
                "0000000000000002.webp"
            ]
        );
        assert!(collage(&library, std::iter::empty(), ImagesShape::WithColors).is_empty());
    }
}
