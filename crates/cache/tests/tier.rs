//! The tier against a real redis-server and embedded: loads shared by concurrent misses, values
//! shared between instances, invalidation over pub/sub, generations, clearing by SCAN, and the
//! fault cases of the design: the server killed mid-run, restarted, and flushed.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use swingfly_cache::{BreakerState, Cache, Key, Mode, Namespace, Tier};

use swingfly_cache::testing::{eventually, shared_cache, RedisServer};

fn search_key(query: &str) -> Key {
    Key::global(Namespace::Search, &[&1, &query])
}

/// A loader that counts its calls and answers `value`.
fn counted(
    calls: &Arc<AtomicUsize>,
    value: &str,
) -> impl std::future::Future<Output = Result<Bytes, Infallible>> {
    let calls = calls.clone();
    let value = Bytes::from(value.to_owned());
    async move {
        calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok(value)
    }
}

#[tokio::test]
async fn embedded_concurrent_misses_share_one_load() {
    let cache = Cache::embedded();
    assert_eq!(cache.mode(), Mode::Embedded);
    let calls = Arc::new(AtomicUsize::new(0));
    let key = search_key("abba");
    let results = futures_util::future::join_all(
        (0..16).map(|_| cache.get_or_load(&key, counted(&calls, "result"))),
    )
    .await;
    assert!(results
        .iter()
        .all(|r| r.as_deref().ok() == Some(&b"result"[..])));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "one load for 16 concurrent misses"
    );
    let again = cache
        .get_or_load(&key, counted(&calls, "other"))
        .await
        .unwrap();
    assert_eq!(&again[..], b"result");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let local = cache
        .metrics()
        .snapshot()
        .into_iter()
        .find(|c| c.namespace == "search" && c.tier == Tier::Local)
        .unwrap();
    assert!(local.hits >= 1 && local.misses >= 1, "{local:?}");
}

#[tokio::test]
async fn embedded_failed_loads_are_not_cached() {
    let cache = Cache::embedded();
    let key = search_key("x");
    let failed = cache
        .get_or_load(&key, async { Err::<Bytes, _>("database gone") })
        .await;
    assert_eq!(*failed.unwrap_err(), "database gone");
    let ok = cache
        .get_or_load(&key, async {
            Ok::<_, Infallible>(Bytes::from_static(b"v"))
        })
        .await
        .unwrap();
    assert_eq!(&ok[..], b"v");
}

#[tokio::test]
async fn embedded_generations_and_clearing() {
    let cache = Cache::embedded();
    let calls = Arc::new(AtomicUsize::new(0));
    let key = Key::user(Namespace::Home, 7, &[&"rows"]);
    let family = "home:{u7}";
    let first = cache
        .get_or_load_versioned(&key, family, counted(&calls, "v1"))
        .await
        .unwrap();
    assert_eq!(&first[..], b"v1");
    cache.bump_generation(family).await;
    let second = cache
        .get_or_load_versioned(&key, family, counted(&calls, "v2"))
        .await
        .unwrap();
    assert_eq!(
        &second[..],
        b"v2",
        "a bumped generation makes the family stale"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    cache.set(&search_key("a"), Bytes::from_static(b"1")).await;
    cache.set(&search_key("b"), Bytes::from_static(b"2")).await;
    let counts = cache.key_counts().await;
    let count = |name: &str| counts.iter().find(|k| k.namespace == name).unwrap().count;
    assert_eq!(count("search"), 2);
    assert_eq!(
        count("home"),
        2,
        "both generations until the old one expires"
    );
    assert_eq!(cache.clear_namespace(Namespace::Search).await, 2);
    cache.settle().await;
    assert!(cache.get(&search_key("a")).await.is_none());
    let counts = cache.key_counts().await;
    assert_eq!(
        counts
            .iter()
            .find(|k| k.namespace == "search")
            .unwrap()
            .count,
        0
    );
    assert_eq!(
        counts.iter().find(|k| k.namespace == "home").unwrap().count,
        2,
        "other namespaces are kept"
    );
}

#[tokio::test]
async fn shared_values_reach_other_instances_and_invalidations_follow() {
    let server = RedisServer::start();
    let a = shared_cache(&server);
    let b = shared_cache(&server);
    assert_eq!(a.mode(), Mode::Dragonfly);
    let calls = Arc::new(AtomicUsize::new(0));
    let key = search_key("queen");
    let value = a
        .get_or_load(&key, counted(&calls, "from-a"))
        .await
        .unwrap();
    assert_eq!(&value[..], b"from-a");
    let stored = server.cli(&["GET", key.as_str()]).unwrap();
    assert_eq!(stored.trim(), "from-a", "written through to the server");
    let ttl: i64 = server
        .cli(&["TTL", key.as_str()])
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(ttl > 3600, "the namespace's TTL applies: {ttl}");

    let from_b = b
        .get_or_load(&key, counted(&calls, "from-b"))
        .await
        .unwrap();
    assert_eq!(
        &from_b[..],
        b"from-a",
        "the second instance reads the shared value"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // Give both listeners time to subscribe, then invalidate on A: B's in-process copy goes too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    a.invalidate(&key).await;
    assert_eq!(server.cli(&["EXISTS", key.as_str()]).unwrap().trim(), "0");
    eventually("B drops its in-process copy", async || {
        b.get_or_load(&key, async {
            Ok::<_, Infallible>(Bytes::from_static(b"fresh"))
        })
        .await
        .is_ok_and(|v| &v[..] == b"fresh")
    })
    .await;

    // A generation bumped on A is seen by B at once (pub/sub), not after the near TTL.
    let home = Key::user(Namespace::Home, 3, &[&"rows"]);
    let family = "home:{u3}";
    let before = b.generation(family).await;
    assert!(
        before > 1_600_000_000_000,
        "generations start from the clock: {before}"
    );
    let stale = b
        .get_or_load_versioned(&home, family, async {
            Ok::<_, Infallible>(Bytes::from_static(b"old"))
        })
        .await
        .unwrap();
    assert_eq!(&stale[..], b"old");
    a.bump_generation(family).await;
    eventually("B sees the new generation", async || {
        b.generation(family).await > before
    })
    .await;
    let fresh = b
        .get_or_load_versioned(&home, family, async {
            Ok::<_, Infallible>(Bytes::from_static(b"new"))
        })
        .await
        .unwrap();
    assert_eq!(&fresh[..], b"new");
}

#[tokio::test]
async fn shared_monitoring_counts_by_scan_and_clears_only_its_namespace() {
    let server = RedisServer::start();
    let cache = shared_cache(&server);
    server.cli(&["SET", "not-ours", "1"]).unwrap();
    for query in ["a", "b", "c"] {
        cache
            .set(&search_key(query), Bytes::from_static(b"x"))
            .await;
    }
    cache
        .set(
            &Key::global(Namespace::Recommendations, &[&"artist", &"h"]),
            Bytes::from_static(b"y"),
        )
        .await;
    let counts = cache.key_counts().await;
    let count = |name: &str| counts.iter().find(|k| k.namespace == name).unwrap().count;
    assert_eq!(count("search"), 3);
    assert_eq!(count("recs"), 1);

    let health = cache.health().await;
    assert!(health.connected);
    assert_eq!(health.status, "healthy");
    let stats = cache.stats().await;
    assert!(
        stats["keyspace"]["db0"]["keys"].as_u64().unwrap() >= 5,
        "{stats}"
    );
    assert!(stats["memory"]["used_memory_human"].is_string(), "{stats}");
    assert!(stats["server"]["uptime_in_seconds"].is_number(), "{stats}");

    assert_eq!(cache.clear_namespace(Namespace::Search).await, 3);
    assert_eq!(server.cli(&["EXISTS", "not-ours"]).unwrap().trim(), "1");
    cache.clear_all().await;
    assert_eq!(
        server.cli(&["DBSIZE"]).unwrap().trim(),
        "1",
        "only sf:* keys are cleared"
    );
    let services = cache.services().await;
    let search = services.iter().find(|s| s.name == "search").unwrap();
    assert_eq!(search.key_count, 0);
    assert!(search.last_updated.is_some());
}

#[tokio::test]
async fn server_killed_mid_run_costs_no_request_and_the_tier_comes_back() {
    let mut server = RedisServer::start();
    let cache = shared_cache(&server);
    let warm = search_key("before");
    cache.set(&warm, Bytes::from_static(b"w")).await;

    server.kill();
    let mut slowest = Duration::ZERO;
    for i in 0..50 {
        let key = search_key(&format!("during-{i}"));
        let started = Instant::now();
        let value = cache
            .get_or_load(&key, async move {
                Ok::<_, Infallible>(Bytes::from(format!("v{i}")))
            })
            .await
            .expect("a dead server never fails a request");
        slowest = slowest.max(started.elapsed());
        assert_eq!(value, Bytes::from(format!("v{i}")));
    }
    assert!(
        slowest < Duration::from_millis(1000),
        "no request waits long on a dead socket: {slowest:?}"
    );
    assert_eq!(cache.breaker_state(), BreakerState::Open);
    let remote = cache
        .metrics()
        .snapshot()
        .into_iter()
        .find(|c| c.namespace == "search" && c.tier == Tier::Remote)
        .unwrap();
    assert!(remote.fallbacks >= 40, "fallbacks are counted: {remote:?}");
    assert!(!cache.health().await.connected);

    // A delete while the server is down is replayed when it is back.
    server.restart();
    server.cli(&["SET", warm.as_str(), "stale"]).unwrap();
    cache.invalidate(&search_key("before")).await; // breaker may still be open: remembered
    eventually("the breaker closes by itself", async || {
        cache.breaker_state() == BreakerState::Closed
    })
    .await;
    eventually("the missed delete is replayed", async || {
        server
            .cli(&["EXISTS", warm.as_str()])
            .is_some_and(|o| o.trim() == "0")
    })
    .await;
    let key = search_key("after");
    cache
        .get_or_load(&key, async {
            Ok::<_, Infallible>(Bytes::from_static(b"back"))
        })
        .await
        .unwrap();
    assert_eq!(
        server.cli(&["GET", key.as_str()]).unwrap().trim(),
        "back",
        "the tier is used again"
    );
}

#[tokio::test]
async fn flushall_rebuilds_and_generations_never_go_back() {
    let server = RedisServer::start();
    let cache = shared_cache(&server);
    let family = "home:{u9}";
    cache.bump_generation(family).await;
    let before = cache.generation(family).await;
    let key = search_key("flushed");
    cache.set(&key, Bytes::from_static(b"x")).await;
    server.cli(&["FLUSHALL"]).unwrap();
    let other = shared_cache(&server);
    let after = other.generation(family).await;
    assert!(
        after > before,
        "a recreated counter starts above the old one: {before} -> {after}"
    );
    let rebuilt = other
        .get_or_load(&key, async {
            Ok::<_, Infallible>(Bytes::from_static(b"rebuilt"))
        })
        .await
        .unwrap();
    assert_eq!(&rebuilt[..], b"rebuilt");
}

#[tokio::test]
async fn urls_with_password_database_and_tls_are_accepted_and_garbage_is_not() {
    use swingfly_cache::{CacheConfig, CacheError};
    for url in [
        "redis://:secret@127.0.0.1:6390/3",
        "redis://user:secret@cache.internal:6379/0",
        "rediss://:secret@cache.example.net:6380/1",
    ] {
        let config = CacheConfig {
            url: Some(url.into()),
            ..CacheConfig::default()
        };
        assert!(Cache::new(config).is_ok(), "{url}");
    }
    let config = CacheConfig {
        url: Some("http://nope".into()),
        ..CacheConfig::default()
    };
    assert!(matches!(Cache::new(config), Err(CacheError::InvalidUrl(_))));
}
