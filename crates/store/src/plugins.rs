//! Plugin rows (helper: settings).

#[allow(unused_imports)]
use crate::Store;
