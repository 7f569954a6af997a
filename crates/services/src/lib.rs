//! Use cases over the layers below: the application handle (store + live library index), the scan
//! pipeline, users, authentication and sessions. Knows no HTTP.

pub mod app;
pub mod auth;
pub mod roots;
pub mod scan_pipeline;
