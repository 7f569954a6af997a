//! The read queries behind Swing Music's browse and search routes.

pub(crate) mod album;
pub(crate) mod artist;
pub(crate) mod folder;
pub(crate) mod folder_facts;
pub(crate) mod get_all;
pub(crate) mod home;
pub(crate) mod search_results;
mod stats;
