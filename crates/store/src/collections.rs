//! Collections (helper: playlists).

#[allow(unused_imports)]
use crate::Store;
