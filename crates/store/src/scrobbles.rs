//! The play history (helper: activity).

#[allow(unused_imports)]
use crate::Store;
