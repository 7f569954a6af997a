//! Playlists (helper: playlists).

#[allow(unused_imports)]
use crate::Store;
