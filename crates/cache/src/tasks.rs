//! The tier's background work: the breaker's prober, the pub/sub listener that applies other
//! instances' invalidations, and the metrics sampler. Each task holds a weak reference and ends
//! when the last `Cache` clone is dropped.

use std::sync::{Arc, Weak};
use std::time::Duration;

use futures_util::StreamExt;

use crate::metrics::SAMPLE_INTERVAL;
use crate::namespace::Namespace;
use crate::remote::INVALIDATION_CHANNEL;
use crate::Inner;

pub(crate) fn spawn(inner: &Arc<Inner>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::debug!("no Tokio runtime: the cache runs without background tasks");
        return;
    };
    runtime.spawn(sample_metrics(Arc::downgrade(inner)));
    if inner.remote.is_some() {
        runtime.spawn(probe(Arc::downgrade(inner)));
        runtime.spawn(listen(Arc::downgrade(inner)));
    }
}

async fn sample_metrics(inner: Weak<Inner>) {
    let mut ticks = tokio::time::interval(SAMPLE_INTERVAL);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        inner.metrics.sample();
    }
}

/// While the breaker is open, pings the server every probe interval; closes the breaker when it
/// answers and replays what the server missed.
async fn probe(weak: Weak<Inner>) {
    loop {
        let interval = match weak.upgrade() {
            Some(inner) => inner.config.probe_interval,
            None => return,
        };
        tokio::time::sleep(interval).await;
        let Some(inner) = weak.upgrade() else { return };
        if inner.breaker.allows() {
            continue;
        }
        let Some(remote) = inner.remote.clone() else {
            return;
        };
        if remote.ping().await.is_ok() && inner.breaker.close() {
            tracing::info!("cache server reachable again; back on the shared tier");
            recover(&inner).await;
        }
    }
}

/// After an outage: anything this process cached may have missed other instances' changes, and
/// the server missed this process's deletes and generation bumps.
async fn recover(inner: &Inner) {
    inner.local.clear();
    inner.generations.invalidate_all();
    let missed = std::mem::take(&mut *inner.missed.lock());
    let Some(remote) = inner.remote.clone() else {
        return;
    };
    let deletes: Vec<String> = missed.deletes.into_iter().collect();
    for batch in deletes.chunks(500) {
        if remote.delete(batch).await.is_err() {
            inner.breaker.on_failure();
        }
    }
    for namespace in missed.cleared {
        let _ = remote
            .delete_matching(&crate::key::namespace_pattern(namespace))
            .await;
    }
    for family in missed.bumped_generations {
        let key = crate::key::Key::generation(&family);
        let _ = remote
            .bump_generation(key.as_str(), crate::now_millis())
            .await;
    }
    inner.publish("all").await;
}

/// Applies invalidations published by other instances. Reconnects after a lost connection and
/// then drops the in-process layer, since messages may have been missed meanwhile.
async fn listen(weak: Weak<Inner>) {
    let mut connected_before = false;
    loop {
        let (client, interval, timeout) = match weak.upgrade() {
            Some(inner) => match &inner.remote {
                Some(remote) => (
                    remote.client().clone(),
                    inner.config.probe_interval,
                    inner.config.op_timeout.max(Duration::from_millis(500)),
                ),
                None => return,
            },
            None => return,
        };
        let subscribed = tokio::time::timeout(timeout, async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(INVALIDATION_CHANNEL).await?;
            Ok::<_, redis::RedisError>(pubsub)
        })
        .await;
        let Ok(Ok(pubsub)) = subscribed else {
            tokio::time::sleep(interval).await;
            continue;
        };
        if connected_before {
            if let Some(inner) = weak.upgrade() {
                inner.local.clear();
                inner.generations.invalidate_all();
            }
        }
        connected_before = true;
        let mut messages = pubsub.into_on_message();
        loop {
            let next = tokio::time::timeout(interval, messages.next()).await;
            let Some(inner) = weak.upgrade() else { return };
            match next {
                Ok(Some(message)) => {
                    if let Ok(text) = message.get_payload::<String>() {
                        apply(&inner, &text).await;
                    }
                }
                Ok(None) => break,
                Err(_) => continue,
            }
        }
    }
}

/// One invalidation message: `<instance> key <key>`, `<instance> gen <family>`,
/// `<instance> ns <namespace>` or `<instance> all`.
async fn apply(inner: &Inner, text: &str) {
    let Some((instance, rest)) = text.split_once(' ') else {
        return;
    };
    if instance == inner.instance {
        return;
    }
    let (kind, argument) = rest.split_once(' ').unwrap_or((rest, ""));
    match kind {
        "key" => inner.local.remove(argument).await,
        "gen" => inner.generations.invalidate(argument),
        "ns" => {
            if let Some(namespace) = Namespace::from_name(argument) {
                inner.local.clear_namespace(namespace);
            }
        }
        "all" => {
            inner.local.clear();
            inner.generations.invalidate_all();
        }
        _ => tracing::debug!(message = text, "unknown invalidation message"),
    }
}
