//! Bulk export and import of per-user tables for backups and import-swing (helper: backup).

#[allow(unused_imports)]
use crate::Store;
