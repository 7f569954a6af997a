//! The cache tier (design principles 1, 3, 6 and 7). One interface, two backends:
//!
//! - **embedded** (the default): an in-process cache bounded by bytes, with a lifetime per entry and
//!   one shared load for concurrent misses of a key;
//! - **shared**: Dragonfly, Redis or Valkey behind a circuit breaker, with a short-lived in-process
//!   layer in front that other instances invalidate over pub/sub.
//!
//! Nothing here is a ledger: every value can be rebuilt by its loader (SQL, the index, an API), so
//! a flushed, crashed or unreachable server costs time, never data. While the breaker is open,
//! reads go straight to the in-process layer and the loader, writes to the server are skipped, and
//! every such fallback is counted. Every key belongs to a namespace of the [`namespace`] registry.
//! The crate knows no music.

mod breaker;
pub mod key;
mod local;
pub mod metrics;
mod monitor;
pub mod namespace;
mod remote;
mod tasks;
#[cfg(feature = "testing")]
pub mod testing;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use breaker::BreakerState;
pub use bytes::Bytes;
pub use key::Key;
pub use metrics::{Metrics, Outcome, Tier};
pub use monitor::{Health, NamespaceKeys, ServiceStats};
pub use namespace::{Namespace, NamespaceSpec, REGISTRY};

use breaker::Breaker;
use local::{Entry, Local};
use remote::{Remote, RemoteError};

/// How the tier is set up. (Its `Debug` hides the URL's password.)
#[derive(Clone)]
pub struct CacheConfig {
    /// `redis://[:password@]host:port[/db]` (or `rediss://` for TLS where the build supports it).
    /// `None` runs embedded.
    pub url: Option<String>,
    /// Byte budget of the in-process layer.
    pub local_capacity_bytes: u64,
    /// With a remote tier, how long the in-process layer keeps a value (pub/sub invalidates it
    /// sooner; this bounds staleness if an invalidation message is lost).
    pub near_ttl: Duration,
    /// Every remote command gives up after this long (and counts as a failure).
    pub op_timeout: Duration,
    /// Consecutive remote failures that open the breaker.
    pub failure_threshold: u32,
    /// How often the prober checks an open breaker's server.
    pub probe_interval: Duration,
}

impl std::fmt::Debug for CacheConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheConfig")
            .field("url", &self.url.as_deref().map(redact_url))
            .field("local_capacity_bytes", &self.local_capacity_bytes)
            .field("near_ttl", &self.near_ttl)
            .field("op_timeout", &self.op_timeout)
            .field("failure_threshold", &self.failure_threshold)
            .field("probe_interval", &self.probe_interval)
            .finish()
    }
}

/// A cache URL with its password (and user) hidden, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***{}", &url[..scheme_end], &url[at..])
        }
        _ => url.to_string(),
    }
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            url: None,
            local_capacity_bytes: 64 * 1024 * 1024,
            near_ttl: Duration::from_secs(30),
            op_timeout: Duration::from_millis(150),
            failure_threshold: 3,
            probe_interval: Duration::from_secs(1),
        }
    }
}

/// Which backend answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Embedded,
    Dragonfly,
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("invalid cache server URL: {0}")]
    InvalidUrl(String),
}

/// The tier. Cheap to clone.
#[derive(Clone)]
pub struct Cache {
    inner: Arc<Inner>,
}

struct Inner {
    config: CacheConfig,
    local: Local,
    /// Generation counters known to this process (with a remote tier: for `near_ttl` at most).
    generations: moka::sync::Cache<String, u64>,
    remote: Option<Remote>,
    breaker: Breaker,
    metrics: Metrics,
    /// Identifies this process's own pub/sub messages.
    instance: String,
    /// Work the remote tier missed while unreachable, replayed when it is back.
    missed: Mutex<Missed>,
    started: Instant,
    /// The most bytes the in-process layer held when the dashboard looked (its "peak").
    local_peak_bytes: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct Missed {
    deletes: HashSet<String>,
    bumped_generations: HashSet<String>,
    cleared: HashSet<Namespace>,
}

/// Missed deletes kept for replay; beyond this the namespace is cleared whole on recovery.
const MAX_MISSED_DELETES: usize = 10_000;

impl Cache {
    /// Sets the tier up. With a URL, nothing connects here: the first operations (or the prober)
    /// do, so start-up never waits on the server. Background tasks (prober, pub/sub listener,
    /// metrics sampler) need a Tokio runtime and end when the last clone is dropped.
    pub fn new(config: CacheConfig) -> Result<Cache, CacheError> {
        install_tls_provider();
        let remote = match &config.url {
            Some(url) => Some(
                Remote::new(url, config.op_timeout)
                    .map_err(|error| CacheError::InvalidUrl(error.to_string()))?,
            ),
            None => None,
        };
        let mut generations = moka::sync::Cache::builder().max_capacity(100_000);
        if remote.is_some() {
            generations = generations.time_to_live(config.near_ttl);
        }
        let inner = Arc::new(Inner {
            local: Local::new(config.local_capacity_bytes),
            generations: generations.build(),
            breaker: Breaker::new(config.failure_threshold),
            metrics: Metrics::new(),
            instance: format!("{:016x}", rand_id()),
            missed: Mutex::new(Missed::default()),
            started: Instant::now(),
            local_peak_bytes: std::sync::atomic::AtomicU64::new(0),
            remote,
            config,
        });
        tasks::spawn(&inner);
        Ok(Cache { inner })
    }

    /// An embedded tier with the default budget.
    pub fn embedded() -> Cache {
        Cache::new(CacheConfig::default()).expect("an embedded cache has no URL to reject")
    }

    pub fn mode(&self) -> Mode {
        if self.inner.remote.is_some() {
            Mode::Dragonfly
        } else {
            Mode::Embedded
        }
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub fn breaker_state(&self) -> BreakerState {
        self.inner.breaker.state()
    }

    /// The value of `key`: from the in-process layer, else the remote tier, else `load` (whose
    /// result is then written to both). Concurrent misses of one key in this process share one
    /// load. A failed load is returned and nothing is cached.
    pub async fn get_or_load<E, F>(&self, key: &Key, load: F) -> Result<Bytes, Arc<E>>
    where
        E: Send + Sync + 'static,
        F: std::future::Future<Output = Result<Bytes, E>>,
    {
        let inner = &self.inner;
        let namespace = key.namespace();
        let started = Instant::now();
        if let Some(bytes) = inner.local.get(key.as_str()).await {
            inner
                .metrics
                .record(namespace, Tier::Local, Outcome::Hit, started.elapsed());
            return Ok(bytes);
        }
        inner
            .metrics
            .record(namespace, Tier::Local, Outcome::Miss, started.elapsed());
        inner
            .local
            .get_or_try_load(key.as_str(), async {
                if let Some(bytes) = inner.remote_get(key).await {
                    return Ok(Entry {
                        bytes,
                        ttl: inner.local_ttl(namespace),
                    });
                }
                let loading = Instant::now();
                let result = load.await;
                let outcome = if result.is_ok() {
                    Outcome::Hit
                } else {
                    Outcome::Error
                };
                inner
                    .metrics
                    .record(namespace, Tier::Source, outcome, loading.elapsed());
                let bytes = result?;
                inner.remote_set(key, &bytes).await;
                Ok(Entry {
                    bytes,
                    ttl: inner.local_ttl(namespace),
                })
            })
            .await
    }

    /// [`Cache::get_or_load`] for a value stored as JSON.
    pub async fn get_or_load_json<T, E, F>(&self, key: &Key, load: F) -> Result<T, Arc<E>>
    where
        T: Serialize + DeserializeOwned,
        E: Send + Sync + 'static + From<serde_json::Error>,
        F: std::future::Future<Output = Result<T, E>>,
    {
        let bytes = self
            .get_or_load(key, async {
                let value = load.await?;
                Ok::<_, E>(Bytes::from(serde_json::to_vec(&value)?))
            })
            .await?;
        match serde_json::from_slice(&bytes) {
            Ok(value) => Ok(value),
            Err(error) => {
                // A value written by another version of the server: drop it, report the error.
                self.invalidate(key).await;
                Err(Arc::new(E::from(error)))
            }
        }
    }

    /// Reads a value without loading it.
    pub async fn get(&self, key: &Key) -> Option<Bytes> {
        let started = Instant::now();
        let namespace = key.namespace();
        if let Some(bytes) = self.inner.local.get(key.as_str()).await {
            self.inner
                .metrics
                .record(namespace, Tier::Local, Outcome::Hit, started.elapsed());
            return Some(bytes);
        }
        self.inner
            .metrics
            .record(namespace, Tier::Local, Outcome::Miss, started.elapsed());
        let bytes = self.inner.remote_get(key).await?;
        self.inner
            .local
            .insert(
                key.as_str().to_owned(),
                Entry {
                    bytes: bytes.clone(),
                    ttl: self.inner.local_ttl(namespace),
                },
            )
            .await;
        Some(bytes)
    }

    /// Writes a value to every tier.
    pub async fn set(&self, key: &Key, bytes: Bytes) {
        self.inner.metrics.touch(key.namespace());
        self.inner.remote_set(key, &bytes).await;
        let ttl = self.inner.local_ttl(key.namespace());
        self.inner
            .local
            .insert(key.as_str().to_owned(), Entry { bytes, ttl })
            .await;
    }

    /// Removes a key from every tier and from every instance's in-process layer. If the remote tier
    /// is unreachable the delete is remembered and replayed when it is back.
    pub async fn invalidate(&self, key: &Key) {
        let inner = &self.inner;
        inner.local.remove(key.as_str()).await;
        if inner.remote.is_none() {
            return;
        }
        let keys = [key.as_str().to_owned()];
        if inner
            .remote_call(key.namespace(), |r| async move { r.delete(&keys).await })
            .await
            .is_none()
        {
            inner.remember_delete(key);
            return;
        }
        inner.publish(&format!("key {}", key.as_str())).await;
    }

    /// The current generation of a family of keys (e.g. one user's home rows). Put it in the key
    /// (`Key::with_generation` is applied by [`Cache::get_or_load_versioned`]) and bump it to make
    /// the whole family stale at once, without scanning keys.
    pub async fn generation(&self, family: &str) -> u64 {
        let inner = &self.inner;
        if let Some(generation) = inner.generations.get(family) {
            return generation;
        }
        let key = Key::generation(family);
        let generation = match inner.remote.is_some() {
            true => inner
                .remote_call(Namespace::Generations, |r| {
                    let key = key.clone();
                    async move { r.generation(key.as_str(), now_millis()).await }
                })
                .await
                .unwrap_or_else(|| inner.local_generation_fallback(family)),
            // Embedded: counters start from the clock too, so one evicted from the bounded map
            // and recreated is above every value it had.
            false => now_millis(),
        };
        inner.generations.insert(family.to_owned(), generation);
        generation
    }

    /// Makes every key of a family stale, on every instance. Returns the new generation: one more
    /// than the one before it, unless another instance bumped the family in between.
    pub async fn bump_generation(&self, family: &str) -> u64 {
        let inner = &self.inner;
        if inner.remote.is_none() {
            let next = inner.generations.get(family).unwrap_or_else(now_millis) + 1;
            inner.generations.insert(family.to_owned(), next);
            return next;
        }
        let key = Key::generation(family);
        let bumped = inner
            .remote_call(Namespace::Generations, |r| {
                let key = key.clone();
                async move { r.bump_generation(key.as_str(), now_millis()).await }
            })
            .await;
        match bumped {
            Some(generation) => {
                inner.generations.insert(family.to_owned(), generation);
                inner.publish(&format!("gen {family}")).await;
                generation
            }
            None => {
                // Unreachable: move this process on, and bump the server's counter when it is
                // back so other instances move on too (recovery also drops this process's
                // in-process layer and generations, so nothing keyed by them outlives the outage).
                let next = inner.local_generation_fallback(family);
                inner.generations.insert(family.to_owned(), next);
                inner
                    .missed
                    .lock()
                    .bumped_generations
                    .insert(family.to_owned());
                next
            }
        }
    }

    /// `key` under the current generation of `family`: read, write and invalidate that key, and
    /// bump the family's generation to make all such keys stale at once.
    pub async fn versioned(&self, key: &Key, family: &str) -> Key {
        key.with_generation(self.generation(family).await)
    }

    /// [`Cache::get_or_load`] under the current generation of `family`.
    pub async fn get_or_load_versioned<E, F>(
        &self,
        key: &Key,
        family: &str,
        load: F,
    ) -> Result<Bytes, Arc<E>>
    where
        E: Send + Sync + 'static,
        F: std::future::Future<Output = Result<Bytes, E>>,
    {
        let key = self.versioned(key, family).await;
        self.get_or_load(&key, load).await
    }

    /// Lets pending in-process housekeeping run (eviction, invalidation predicates); tests and the
    /// key counts call it so that figures are exact.
    pub async fn settle(&self) {
        self.inner.local.run_pending_tasks().await;
    }

    /// How long since the tier was set up.
    pub fn uptime(&self) -> Duration {
        self.inner.started.elapsed()
    }
}

impl Inner {
    /// How long the in-process layer keeps a value of `namespace`.
    fn local_ttl(&self, namespace: Namespace) -> Option<Duration> {
        let spec = namespace.spec();
        let near = self.remote.is_some().then_some(self.config.near_ttl);
        [spec.ttl, spec.local_ttl, near].into_iter().flatten().min()
    }

    /// Runs one remote operation if the breaker allows it, counting the outcome. `None` means the
    /// remote tier is unavailable (skipped, failed or timed out): the caller falls back.
    async fn remote_call<T, F, Fut>(&self, namespace: Namespace, call: F) -> Option<T>
    where
        F: FnOnce(Remote) -> Fut,
        Fut: std::future::Future<Output = Result<T, RemoteError>>,
    {
        let remote = self.remote.as_ref()?;
        if !self.breaker.allows() {
            self.metrics.record_fallback(namespace);
            return None;
        }
        let started = Instant::now();
        match call(remote.clone()).await {
            Ok(value) => {
                self.breaker.on_success();
                Some(value)
            }
            Err(error) => {
                self.metrics
                    .record(namespace, Tier::Remote, Outcome::Error, started.elapsed());
                self.metrics.record_fallback(namespace);
                if self.breaker.on_failure() {
                    tracing::warn!(%error, "cache server unavailable; using the in-process tier and SQL until it is back");
                }
                None
            }
        }
    }

    async fn remote_get(&self, key: &Key) -> Option<Bytes> {
        let started = Instant::now();
        let namespace = key.namespace();
        let value = self
            .remote_call(namespace, |r| async move { r.get(key.as_str()).await })
            .await?;
        let outcome = if value.is_some() {
            Outcome::Hit
        } else {
            Outcome::Miss
        };
        self.metrics
            .record(namespace, Tier::Remote, outcome, started.elapsed());
        value
    }

    async fn remote_set(&self, key: &Key, bytes: &Bytes) {
        self.metrics.touch(key.namespace());
        let ttl = key.namespace().spec().ttl;
        let bytes = bytes.clone();
        self.remote_call(key.namespace(), |r| async move {
            r.set(key.as_str(), &bytes, ttl).await
        })
        .await;
    }

    async fn publish(&self, message: &str) {
        let message = format!("{} {message}", self.instance);
        self.remote_call(Namespace::Generations, |r| async move {
            r.publish(remote::INVALIDATION_CHANNEL, &message).await
        })
        .await;
    }

    fn remember_delete(&self, key: &Key) {
        let mut missed = self.missed.lock();
        if missed.deletes.len() < MAX_MISSED_DELETES {
            missed.deletes.insert(key.as_str().to_owned());
        } else {
            missed.cleared.insert(key.namespace());
        }
    }

    /// The next generation when the server cannot be asked: one above what this process knows,
    /// or above the clock when it knows nothing.
    fn local_generation_fallback(&self, family: &str) -> u64 {
        self.generations.get(family).unwrap_or_else(now_millis) + 1
    }
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// rustls needs one process-wide crypto provider for `rediss://`; ring is the one in the tree.
fn install_tls_provider() {
    // Fails only when a provider is installed already, which is just as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A random id for this process's pub/sub messages.
fn rand_id() -> u64 {
    rand::random()
}
