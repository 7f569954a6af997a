//! The immutable in-memory library index (tracks, albums, artists, folders, search structures)
//! built from the store's raw tracks, and every browse and search query over it.

pub mod search;
