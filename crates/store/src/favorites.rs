//! Favourites per user (helper: activity).

#[allow(unused_imports)]
use crate::Store;
