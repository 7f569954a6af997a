//! What the `/dragonfly/*` monitoring routes read: health, server statistics, per-namespace
//! services and key counts (by SCAN, never KEYS), and clearing. In embedded mode the same questions
//! are answered for the in-process tier.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::key::namespace_pattern;
use crate::namespace::{Namespace, NamespaceSpec};
use crate::{BreakerState, Cache, Mode};

/// Latency above which the server counts as slow on the dashboard.
const SLOW_MS: f64 = 100.0;

#[derive(Clone, Debug, Serialize)]
pub struct Health {
    pub connected: bool,
    pub latency_ms: f64,
    pub message: String,
    /// "healthy", "slow" or "disconnected".
    pub status: &'static str,
    pub mode: Mode,
    pub breaker: BreakerState,
    /// How many times the breaker opened since start.
    pub breaker_trips: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServiceStats {
    pub name: &'static str,
    pub title: &'static str,
    pub key_count: u64,
    /// hits / lookups over the local and remote tiers, 0 before the first lookup.
    pub hit_rate: f64,
    /// Unix seconds of the latest operation, or null.
    pub last_updated: Option<u64>,
    #[serde(flatten)]
    pub spec: &'static NamespaceSpec,
}

#[derive(Clone, Debug, Serialize)]
pub struct NamespaceKeys {
    pub namespace: &'static str,
    pub count: u64,
}

impl Cache {
    /// Health of the tier: a timed PING with a remote server, the in-process tier otherwise.
    pub async fn health(&self) -> Health {
        let inner = &self.inner;
        let breaker = inner.breaker.state();
        let breaker_trips = inner.breaker.trips();
        let Some(remote) = &inner.remote else {
            return Health {
                connected: true,
                latency_ms: 0.0,
                message: "embedded: in-process cache (no cache server configured)".into(),
                status: "healthy",
                mode: Mode::Embedded,
                breaker,
                breaker_trips,
            };
        };
        match remote.ping().await {
            Ok(latency) => {
                let latency_ms = latency.as_secs_f64() * 1000.0;
                let slow = latency_ms > SLOW_MS;
                Health {
                    connected: true,
                    latency_ms,
                    message: if breaker == BreakerState::Open {
                        "reachable; the breaker closes at the next probe".into()
                    } else if slow {
                        format!("connected, slow ({latency_ms:.1} ms)")
                    } else {
                        "connected".into()
                    },
                    status: if slow { "slow" } else { "healthy" },
                    mode: Mode::Dragonfly,
                    breaker,
                    breaker_trips,
                }
            }
            Err(error) => Health {
                connected: false,
                latency_ms: 0.0,
                message: format!("unreachable ({error}); serving from the in-process tier and SQL"),
                status: "disconnected",
                mode: Mode::Dragonfly,
                breaker,
                breaker_trips,
            },
        }
    }

    /// INFO-like sections (`memory.used_memory_human`, `clients.connected_clients`,
    /// `keyspace.db0.keys`, `server.uptime_in_seconds`, ...), plus a `tier` section describing the
    /// in-process layer. With a remote server that cannot be reached, only `tier` is present.
    pub async fn stats(&self) -> Value {
        let inner = &self.inner;
        let local_bytes = inner.local.weighted_size();
        let peak = inner
            .local_peak_bytes
            .fetch_max(local_bytes, Ordering::Relaxed)
            .max(local_bytes);
        let mut sections = Map::new();
        sections.insert(
            "tier".into(),
            json!({
                "mode": self.mode(),
                "breaker": inner.breaker.state(),
                "local_entries": inner.local.entry_count(),
                "local_bytes": local_bytes,
                "local_capacity_bytes": inner.config.local_capacity_bytes,
            }),
        );
        match &inner.remote {
            None => {
                sections.insert(
                    "server".into(),
                    json!({"mode": "embedded", "uptime_in_seconds": self.uptime().as_secs()}),
                );
                sections.insert(
                    "memory".into(),
                    json!({
                        "used_memory": local_bytes,
                        "used_memory_human": human_bytes(local_bytes),
                        "used_memory_peak": peak,
                        "used_memory_peak_human": human_bytes(peak),
                    }),
                );
                sections.insert("clients".into(), json!({"connected_clients": 0}));
                sections.insert(
                    "keyspace".into(),
                    json!({"db0": {"keys": inner.local.entry_count(), "expires": inner.local.entry_count()}}),
                );
            }
            Some(_) => {
                if let Some(info) = inner
                    .remote_call(Namespace::Generations, |r| async move { r.info().await })
                    .await
                {
                    for (name, fields) in info {
                        sections.insert(name.clone(), info_section(&name, fields));
                    }
                }
            }
        }
        Value::Object(sections)
    }

    /// Keys per registered namespace (SCAN on the server; the in-process tier when embedded).
    pub async fn key_counts(&self) -> Vec<NamespaceKeys> {
        self.settle().await;
        let mut out = Vec::new();
        for namespace in Namespace::all() {
            out.push(NamespaceKeys {
                namespace: namespace.name(),
                count: self.count_keys(namespace).await,
            });
        }
        out
    }

    async fn count_keys(&self, namespace: Namespace) -> u64 {
        let inner = &self.inner;
        if inner.remote.is_none() {
            return inner.local.count_namespace(namespace);
        }
        let pattern = namespace_pattern(namespace);
        inner
            .remote_call(namespace, |r| async move { r.scan(&pattern).await })
            .await
            .map(|keys| keys.len() as u64)
            .unwrap_or_else(|| inner.local.count_namespace(namespace))
    }

    /// Per-namespace figures for the dashboard's services table.
    pub async fn services(&self) -> Vec<ServiceStats> {
        let counts = self.key_counts().await;
        Namespace::all()
            .zip(counts)
            .map(|(namespace, keys)| ServiceStats {
                name: namespace.name(),
                title: namespace.spec().title,
                key_count: keys.count,
                hit_rate: self.metrics().namespace_hit_rate(namespace).unwrap_or(0.0),
                last_updated: self.metrics().last_activity(namespace),
                spec: namespace.spec(),
            })
            .collect()
    }

    /// Deletes every key of a namespace on every tier and instance; returns how many there were.
    pub async fn clear_namespace(&self, namespace: Namespace) -> u64 {
        let inner = &self.inner;
        let local = inner.local.clear_namespace(namespace);
        if namespace == Namespace::Generations {
            inner.generations.invalidate_all();
        }
        if inner.remote.is_none() {
            return local;
        }
        let pattern = namespace_pattern(namespace);
        let cleared = inner
            .remote_call(
                namespace,
                |r| async move { r.delete_matching(&pattern).await },
            )
            .await;
        match cleared {
            Some(count) => {
                inner.publish(&format!("ns {}", namespace.name())).await;
                count
            }
            None => {
                inner.missed.lock().cleared.insert(namespace);
                local
            }
        }
    }

    /// Clears every registered namespace (only `sf:*` keys; other data on the server is kept).
    pub async fn clear_all(&self) -> u64 {
        let mut total = 0;
        for namespace in Namespace::all() {
            total += self.clear_namespace(namespace).await;
        }
        self.inner.local.clear();
        self.inner.generations.invalidate_all();
        total
    }
}

/// One INFO section as JSON: numbers as numbers, and `keyspace` lines (`keys=3,expires=1`) as
/// objects so that `keyspace.db0.keys` is a number.
fn info_section(name: &str, fields: BTreeMap<String, String>) -> Value {
    let mut object = Map::new();
    for (field, value) in fields {
        let value = if name == "keyspace" {
            let mut db = Map::new();
            for pair in value.split(',') {
                if let Some((k, v)) = pair.split_once('=') {
                    db.insert(k.to_string(), scalar(v));
                }
            }
            Value::Object(db)
        } else {
            scalar(&value)
        };
        object.insert(field, value);
    }
    Value::Object(object)
}

fn scalar(text: &str) -> Value {
    if let Ok(integer) = text.parse::<i64>() {
        return json!(integer);
    }
    match text.parse::<f64>() {
        Ok(float) if float.is_finite() && text.contains('.') => json!(float),
        _ => json!(text),
    }
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "K", "M", "G"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.2}{}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyspace_lines_become_objects_with_numbers() {
        let mut fields = BTreeMap::new();
        fields.insert("db0".to_string(), "keys=3,expires=1,avg_ttl=0".to_string());
        let section = info_section("keyspace", fields);
        assert_eq!(section["db0"]["keys"], 3);
        assert_eq!(human_bytes(1536), "1.50K");
        assert_eq!(scalar("1.00M"), json!("1.00M"));
        assert_eq!(scalar("12"), json!(12));
    }
}
