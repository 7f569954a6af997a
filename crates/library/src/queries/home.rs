//! Home-row queries over the index (helper: home).
