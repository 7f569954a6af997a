//! The settings that change how tags become library entities. Changing any of them means a re-index.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IndexSettings {
    pub artist_separators: Vec<String>,
    /// Names never split (e.g. "AC/DC"), matched case-insensitively. Merged with the built-in list.
    pub artist_split_ignore_list: Vec<String>,
    pub genre_separators: Vec<String>,
    pub extract_featured_artists: bool,
    pub remove_prod_by: bool,
    pub remove_remaster_info: bool,
    pub merge_albums: bool,
    pub clean_album_title: bool,
    pub show_albums_as_singles: bool,
}

impl Default for IndexSettings {
    fn default() -> Self {
        Self {
            artist_separators: vec![";".into(), "/".into()],
            artist_split_ignore_list: Vec::new(),
            genre_separators: vec!["/".into(), ";".into(), "&".into()],
            extract_featured_artists: true,
            remove_prod_by: true,
            remove_remaster_info: true,
            merge_albums: false,
            clean_album_title: true,
            show_albums_as_singles: false,
        }
    }
}
