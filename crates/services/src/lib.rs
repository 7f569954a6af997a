//! Use cases over the layers below: the application handle (store + live library index), the scan
//! pipeline, users, authentication and sessions. Knows no HTTP.

pub mod app;
pub mod auth;
pub mod backup;
pub mod collections;
pub mod favorites;
pub mod home;
pub mod import_swing;
pub mod lyrics;
pub mod metadata;
pub mod mixes;
pub mod playlists;
pub mod plays;
pub mod plugins;
pub mod roots;
pub mod scan_pipeline;
pub mod scrobblers;
pub mod settings;
pub mod user_data;
