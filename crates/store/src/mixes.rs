//! Saved mixes (helper: home).

#[allow(unused_imports)]
use crate::Store;
