//! The in-process tier: a moka cache bounded by bytes, with a lifetime per entry and one shared
//! load for concurrent misses of the same key.

use std::time::{Duration, Instant};

use bytes::Bytes;
use moka::future::Cache;
use moka::Expiry;

use crate::key::namespace_prefix;
use crate::namespace::Namespace;

/// A cached value and how long it may live.
#[derive(Clone)]
pub(crate) struct Entry {
    pub(crate) bytes: Bytes,
    pub(crate) ttl: Option<Duration>,
}

struct EntryExpiry;

impl Expiry<String, Entry> for EntryExpiry {
    fn expire_after_create(&self, _: &String, entry: &Entry, _: Instant) -> Option<Duration> {
        entry.ttl
    }
}

/// Fixed per-entry overhead counted against the byte budget (moka's node, the Arc, the key's
/// String header).
const ENTRY_OVERHEAD: usize = 96;

#[derive(Clone)]
pub(crate) struct Local {
    cache: Cache<String, Entry>,
}

impl Local {
    pub(crate) fn new(capacity_bytes: u64) -> Self {
        let cache = Cache::builder()
            .max_capacity(capacity_bytes)
            .weigher(|key: &String, entry: &Entry| {
                u32::try_from(key.len() + entry.bytes.len() + ENTRY_OVERHEAD).unwrap_or(u32::MAX)
            })
            .expire_after(EntryExpiry)
            .support_invalidation_closures()
            .build();
        Self { cache }
    }

    pub(crate) async fn get(&self, key: &str) -> Option<Bytes> {
        self.cache.get(key).await.map(|entry| entry.bytes)
    }

    pub(crate) async fn insert(&self, key: String, entry: Entry) {
        self.cache.insert(key, entry).await;
    }

    /// Runs `load` unless the key is present; concurrent callers for one key share one load.
    pub(crate) async fn get_or_try_load<E>(
        &self,
        key: &str,
        load: impl std::future::Future<Output = Result<Entry, E>>,
    ) -> Result<Bytes, std::sync::Arc<E>>
    where
        E: Send + Sync + 'static,
    {
        self.cache
            .try_get_with_by_ref(key, load)
            .await
            .map(|entry| entry.bytes)
    }

    pub(crate) async fn remove(&self, key: &str) {
        self.cache.invalidate(key).await;
    }

    /// Drops every entry of a namespace; returns how many there were.
    pub(crate) fn clear_namespace(&self, namespace: Namespace) -> u64 {
        let prefix = namespace_prefix(namespace);
        let count = self.count_prefix(&prefix);
        // Registering a predicate only fails when closures are unsupported, which `new` enables.
        let _ = self
            .cache
            .invalidate_entries_if(move |key, _| key.starts_with(&prefix));
        count
    }

    pub(crate) fn clear(&self) {
        self.cache.invalidate_all();
    }

    pub(crate) fn count_namespace(&self, namespace: Namespace) -> u64 {
        self.count_prefix(&namespace_prefix(namespace))
    }

    fn count_prefix(&self, prefix: &str) -> u64 {
        self.cache
            .iter()
            .filter(|(key, _)| key.starts_with(prefix))
            .count() as u64
    }

    pub(crate) fn entry_count(&self) -> u64 {
        self.cache.entry_count()
    }

    /// Bytes held (keys, values and overhead), as the weigher counts them.
    pub(crate) fn weighted_size(&self) -> u64 {
        self.cache.weighted_size()
    }

    pub(crate) async fn run_pending_tasks(&self) {
        self.cache.run_pending_tasks().await;
    }
}
