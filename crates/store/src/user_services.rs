//! Linked scrobbling services and their delivery cursors (helper: scrobblers).

#[allow(unused_imports)]
use crate::Store;
