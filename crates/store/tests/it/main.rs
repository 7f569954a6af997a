//! Integration tests of the store against real SQLite files in temporary directories.

mod library;
mod perf;
mod schema;
mod sessions;
mod settings;
mod support;
mod users;
