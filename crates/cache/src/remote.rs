//! The remote tier: a Redis-protocol server (Dragonfly, Redis, Valkey) through redis-rs'
//! reconnecting `ConnectionManager`, every command bounded by the operation timeout. Commands stay
//! inside what Redis 7.0 and Dragonfly both support; key counts use SCAN, never KEYS.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Client, RedisError};

/// Why a remote operation did not complete.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error(transparent)]
    Redis(#[from] RedisError),
}

/// The channel every instance listens on for invalidations.
pub(crate) const INVALIDATION_CHANNEL: &str = "sf:invalidate";

/// Generation counters live this long after their creation (see the registry).
const GENERATION_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Keys deleted per UNLINK when clearing a namespace.
const DELETE_BATCH: usize = 500;
/// The COUNT hint of each SCAN step.
const SCAN_COUNT: usize = 1000;

#[derive(Clone)]
pub(crate) struct Remote {
    client: Client,
    connection: ConnectionManager,
    timeout: Duration,
}

impl Remote {
    /// Prepares the connection without connecting: start-up never waits on the server.
    pub(crate) fn new(url: &str, timeout: Duration) -> Result<Remote, RedisError> {
        let client = Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            // Reconnection is retried by the breaker's prober, not inside a request.
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(100));
        let connection = ConnectionManager::new_lazy_with_config(client.clone(), config)?;
        Ok(Remote {
            client,
            connection,
            timeout,
        })
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    async fn bounded<T>(
        &self,
        operation: impl std::future::Future<Output = Result<T, RedisError>>,
    ) -> Result<T, RemoteError> {
        match tokio::time::timeout(self.timeout, operation).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(RemoteError::Timeout(self.timeout)),
        }
    }

    pub(crate) async fn ping(&self) -> Result<Duration, RemoteError> {
        let mut connection = self.connection.clone();
        let started = Instant::now();
        self.bounded(async move {
            redis::cmd("PING")
                .query_async::<String>(&mut connection)
                .await
        })
        .await?;
        Ok(started.elapsed())
    }

    pub(crate) async fn get(&self, key: &str) -> Result<Option<Bytes>, RemoteError> {
        let mut connection = self.connection.clone();
        let value: Option<Vec<u8>> = self.bounded(connection.get(key)).await?;
        Ok(value.map(Bytes::from))
    }

    pub(crate) async fn set(
        &self,
        key: &str,
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<(), RemoteError> {
        let mut connection = self.connection.clone();
        match ttl {
            Some(ttl) => {
                let millis = ttl.as_millis().max(1) as u64;
                self.bounded(async move {
                    redis::cmd("SET")
                        .arg(key)
                        .arg(value)
                        .arg("PX")
                        .arg(millis)
                        .query_async::<()>(&mut connection)
                        .await
                })
                .await
            }
            None => self.bounded(connection.set::<_, _, ()>(key, value)).await,
        }
    }

    pub(crate) async fn delete(&self, keys: &[String]) -> Result<u64, RemoteError> {
        if keys.is_empty() {
            return Ok(0);
        }
        let mut connection = self.connection.clone();
        self.bounded(async move {
            redis::cmd("UNLINK")
                .arg(keys)
                .query_async::<u64>(&mut connection)
                .await
        })
        .await
    }

    /// The current value of a generation counter, creating it from `initial` when missing.
    pub(crate) async fn generation(&self, key: &str, initial: u64) -> Result<u64, RemoteError> {
        let mut connection = self.connection.clone();
        self.bounded(async move {
            let (value,): (u64,) = create_generation(key, initial)
                .cmd("GET")
                .arg(key)
                .query_async(&mut connection)
                .await?;
            Ok(value)
        })
        .await
    }

    /// Increments a generation counter (creating it from `initial` first) and returns the new value.
    pub(crate) async fn bump_generation(
        &self,
        key: &str,
        initial: u64,
    ) -> Result<u64, RemoteError> {
        let mut connection = self.connection.clone();
        self.bounded(async move {
            let (value,): (u64,) = create_generation(key, initial)
                .cmd("INCR")
                .arg(key)
                .query_async(&mut connection)
                .await?;
            Ok(value)
        })
        .await
    }

    pub(crate) async fn publish(&self, channel: &str, message: &str) -> Result<(), RemoteError> {
        let mut connection = self.connection.clone();
        self.bounded(connection.publish::<_, _, ()>(channel, message))
            .await
    }

    /// Every key matching `pattern`, by SCAN (bounded per step by the operation timeout).
    pub(crate) async fn scan(&self, pattern: &str) -> Result<Vec<String>, RemoteError> {
        let mut keys = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let mut connection = self.connection.clone();
            let (next, batch): (u64, Vec<String>) = self
                .bounded(async move {
                    redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(pattern)
                        .arg("COUNT")
                        .arg(SCAN_COUNT)
                        .query_async(&mut connection)
                        .await
                })
                .await?;
            keys.extend(batch);
            if next == 0 {
                return Ok(keys);
            }
            cursor = next;
        }
    }

    /// Deletes every key matching `pattern`; returns how many were deleted.
    pub(crate) async fn delete_matching(&self, pattern: &str) -> Result<u64, RemoteError> {
        let keys = self.scan(pattern).await?;
        let mut deleted = 0;
        for batch in keys.chunks(DELETE_BATCH) {
            deleted += self.delete(batch).await?;
        }
        Ok(deleted)
    }

    /// `INFO`, parsed into sections of `field: value` (`# Memory` becomes `memory`).
    pub(crate) async fn info(
        &self,
    ) -> Result<BTreeMap<String, BTreeMap<String, String>>, RemoteError> {
        let mut connection = self.connection.clone();
        let text: String = self
            .bounded(async move { redis::cmd("INFO").query_async(&mut connection).await })
            .await?;
        Ok(parse_info(&text))
    }
}

/// A pipeline starting with "create the counter at `initial` unless it exists". Counters start
/// from the current time in milliseconds, so one recreated after a FLUSHALL or its expiry is
/// always above every value it had before, and no stale entry keyed by an old generation can match.
fn create_generation(key: &str, initial: u64) -> redis::Pipeline {
    let mut pipe = redis::pipe();
    pipe.cmd("SET")
        .arg(key)
        .arg(initial)
        .arg("NX")
        .arg("PX")
        .arg(GENERATION_TTL.as_millis() as u64)
        .ignore();
    pipe
}

fn parse_info(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut sections: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current = String::from("server");
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('#') {
            current = name.trim().to_ascii_lowercase();
            continue;
        }
        if let Some((field, value)) = line.split_once(':') {
            sections
                .entry(current.clone())
                .or_default()
                .insert(field.to_string(), value.to_string());
        }
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_sections_are_parsed() {
        let info = parse_info(
            "# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:12\r\n\r\n# Memory\r\nused_memory_human:1.00M\r\n# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=0\r\n",
        );
        assert_eq!(info["server"]["uptime_in_seconds"], "12");
        assert_eq!(info["memory"]["used_memory_human"], "1.00M");
        assert_eq!(info["keyspace"]["db0"], "keys=3,expires=1,avg_ttl=0");
    }
}
