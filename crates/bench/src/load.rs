//! The load generator: N concurrent clients send a route's requests round-robin until a request
//! count or a time limit is reached; latencies go into an HDR histogram.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use reqwest::header::{HeaderValue, AUTHORIZATION, RANGE};
use reqwest::{Client, Method, Url};
use serde::{Deserialize, Serialize};

/// One concrete request.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    pub url: Url,
    pub json: Option<serde_json::Value>,
    /// A `Range` header value ("bytes=0-4095").
    pub range: Option<String>,
}

impl Request {
    pub fn get(url: Url) -> Self {
        Request {
            method: Method::GET,
            url,
            json: None,
            range: None,
        }
    }

    pub fn post_json(url: Url, body: serde_json::Value) -> Self {
        Request {
            method: Method::POST,
            url,
            json: Some(body),
            range: None,
        }
    }

    pub fn with_range(mut self, range: String) -> Self {
        self.range = Some(range);
        self
    }
}

/// A named route and the requests that exercise it (used round-robin).
#[derive(Clone, Debug)]
pub struct Route {
    pub name: String,
    pub requests: Vec<Request>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct LoadLimits {
    pub clients: usize,
    /// Measured requests per route (warm-up requests come on top).
    pub max_requests: u64,
    /// Time limit per route (measured part), seconds.
    pub max_seconds: u64,
    /// Unmeasured requests sent first, so one-off work (first-touch caches) is not in the numbers.
    pub warmup_requests: u64,
}

impl LoadLimits {
    pub fn max_duration(&self) -> Duration {
        Duration::from_secs(self.max_seconds)
    }
}

/// What one route did under load.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RouteStats {
    pub route: String,
    pub requests: u64,
    /// Responses outside 2xx plus transport failures.
    pub errors: u64,
    pub status_counts: BTreeMap<u16, u64>,
    /// The first few transport errors, for diagnosis.
    pub failures: Vec<String>,
    pub elapsed_ms: u64,
    pub requests_per_second: f64,
    pub response_bytes: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

/// Latencies are recorded in microseconds, up to two minutes, with 3 significant digits.
fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 120_000_000, 3).expect("valid histogram bounds")
}

struct WorkerResult {
    histogram: Histogram<u64>,
    status_counts: BTreeMap<u16, u64>,
    errors: u64,
    failures: Vec<String>,
    bytes: u64,
}

/// Sends `route`'s requests from `limits.clients` concurrent tasks, authenticated with `token`.
pub async fn run_route(
    client: &Client,
    token: Option<&str>,
    route: &Route,
    limits: LoadLimits,
) -> anyhow::Result<RouteStats> {
    anyhow::ensure!(
        !route.requests.is_empty(),
        "route {} has no requests",
        route.name
    );
    let auth = match token {
        Some(token) => Some(
            HeaderValue::from_str(&format!("Bearer {token}"))
                .context("token is not a valid header value")?,
        ),
        None => None,
    };
    let requests = Arc::new(route.requests.clone());

    if limits.warmup_requests > 0 {
        let warmup = LoadLimits {
            max_requests: limits.warmup_requests,
            ..limits
        };
        drive(
            client,
            &auth,
            &requests,
            warmup,
            Instant::now() + limits.max_duration(),
        )
        .await;
    }

    let started = Instant::now();
    let results = drive(
        client,
        &auth,
        &requests,
        limits,
        started + limits.max_duration(),
    )
    .await;
    let elapsed = started.elapsed();

    let mut histogram = new_histogram();
    let mut status_counts = BTreeMap::new();
    let mut errors = 0;
    let mut failures = Vec::new();
    let mut bytes = 0;
    for result in results {
        histogram
            .add(&result.histogram)
            .context("merging histograms")?;
        for (status, count) in result.status_counts {
            *status_counts.entry(status).or_insert(0) += count;
        }
        errors += result.errors;
        bytes += result.bytes;
        failures.extend(result.failures);
    }
    failures.truncate(5);
    let total = status_counts.values().sum::<u64>() + failures_count(errors, &status_counts);
    let millis = |micros: u64| micros as f64 / 1000.0;
    Ok(RouteStats {
        route: route.name.clone(),
        requests: total,
        errors,
        status_counts,
        failures,
        elapsed_ms: elapsed.as_millis() as u64,
        requests_per_second: total as f64 / elapsed.as_secs_f64().max(1e-9),
        response_bytes: bytes,
        p50_ms: millis(histogram.value_at_quantile(0.50)),
        p90_ms: millis(histogram.value_at_quantile(0.90)),
        p99_ms: millis(histogram.value_at_quantile(0.99)),
        max_ms: millis(histogram.max()),
        mean_ms: histogram.mean() / 1000.0,
    })
}

/// Transport failures: errors that produced no status.
fn failures_count(errors: u64, status_counts: &BTreeMap<u16, u64>) -> u64 {
    let http_errors: u64 = status_counts
        .iter()
        .filter(|(status, _)| !(200..300).contains(*status))
        .map(|(_, count)| count)
        .sum();
    errors - http_errors
}

async fn drive(
    client: &Client,
    auth: &Option<HeaderValue>,
    requests: &Arc<Vec<Request>>,
    limits: LoadLimits,
    deadline: Instant,
) -> Vec<WorkerResult> {
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::with_capacity(limits.clients);
    for _ in 0..limits.clients.max(1) {
        let client = client.clone();
        let auth = auth.clone();
        let requests = Arc::clone(requests);
        let next = Arc::clone(&next);
        workers.push(tokio::spawn(async move {
            let mut result = WorkerResult {
                histogram: new_histogram(),
                status_counts: BTreeMap::new(),
                errors: 0,
                failures: Vec::new(),
                bytes: 0,
            };
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= limits.max_requests || Instant::now() >= deadline {
                    break;
                }
                let request = &requests[(index % requests.len() as u64) as usize];
                send_one(&client, auth.as_ref(), request, &mut result).await;
            }
            result
        }));
    }
    let mut results = Vec::with_capacity(workers.len());
    for worker in workers {
        if let Ok(result) = worker.await {
            results.push(result);
        }
    }
    results
}

async fn send_one(
    client: &Client,
    auth: Option<&HeaderValue>,
    request: &Request,
    result: &mut WorkerResult,
) {
    let mut builder = client.request(request.method.clone(), request.url.clone());
    if let Some(auth) = auth {
        builder = builder.header(AUTHORIZATION, auth.clone());
    }
    if let Some(range) = &request.range {
        builder = builder.header(RANGE, range.as_str());
    }
    if let Some(body) = &request.json {
        builder = builder.json(body);
    }
    let started = Instant::now();
    let outcome = async {
        let response = builder.send().await?;
        let status = response.status().as_u16();
        let body = response.bytes().await?;
        Ok::<_, reqwest::Error>((status, body.len()))
    }
    .await;
    let micros = started.elapsed().as_micros().min(u128::from(u64::MAX)) as u64;
    match outcome {
        Ok((status, len)) => {
            result.histogram.saturating_record(micros.max(1));
            *result.status_counts.entry(status).or_insert(0) += 1;
            result.bytes += len as u64;
            if !(200..300).contains(&status) {
                result.errors += 1;
            }
        }
        Err(error) => {
            result.errors += 1;
            if result.failures.len() < 5 {
                result.failures.push(format!(
                    "{} {}: {error}",
                    request.method,
                    request.url.path()
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A minimal HTTP/1.1 keep-alive server on loopback: "/ok" answers 200 after a short pause,
    /// anything else 404. It counts requests and records whether each carried the bearer token.
    async fn tiny_server() -> (Url, Arc<AtomicU64>, Arc<AtomicU64>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        let served = Arc::new(AtomicU64::new(0));
        let authorised = Arc::new(AtomicU64::new(0));
        let (served_clone, authorised_clone) = (Arc::clone(&served), Arc::clone(&authorised));
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let served = Arc::clone(&served_clone);
                let authorised = Arc::clone(&authorised_clone);
                tokio::spawn(async move {
                    let mut buffer = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        while let Some(end) = find(&buffer, b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buffer[..end]).to_string();
                            buffer.drain(..end + 4);
                            served.fetch_add(1, Ordering::Relaxed);
                            if head
                                .to_ascii_lowercase()
                                .contains("authorization: bearer secret")
                            {
                                authorised.fetch_add(1, Ordering::Relaxed);
                            }
                            let ok = head.starts_with("GET /ok ");
                            tokio::time::sleep(Duration::from_millis(2)).await;
                            let response = if ok {
                                "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"
                            } else {
                                "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"
                            };
                            if socket.write_all(response.as_bytes()).await.is_err() {
                                return;
                            }
                        }
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
                        }
                    }
                });
            }
        });
        (base, served, authorised)
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack
            .windows(needle.len())
            .position(|window| window == needle)
    }

    fn limits(max_requests: u64) -> LoadLimits {
        LoadLimits {
            clients: 8,
            max_requests,
            max_seconds: 20,
            warmup_requests: 4,
        }
    }

    #[tokio::test]
    async fn a_route_is_loaded_up_to_the_request_bound_with_latencies_and_auth() {
        let (base, served, authorised) = tiny_server().await;
        let route = Route {
            name: "GET /ok".into(),
            requests: vec![
                Request::get(base.join("/ok").unwrap()),
                Request::get(base.join("/missing").unwrap()),
            ],
        };
        let stats = run_route(&Client::new(), Some("secret"), &route, limits(200))
            .await
            .unwrap();
        assert_eq!(stats.requests, 200);
        assert_eq!(
            served.load(Ordering::Relaxed),
            204,
            "200 measured plus 4 warm-up requests"
        );
        assert_eq!(authorised.load(Ordering::Relaxed), 204);
        assert_eq!(stats.status_counts.get(&200), Some(&100));
        assert_eq!(stats.status_counts.get(&404), Some(&100));
        assert_eq!(stats.errors, 100);
        assert_eq!(stats.response_bytes, 500);
        assert!(
            stats.p50_ms >= 2.0,
            "the server pauses 2 ms: p50 {}",
            stats.p50_ms
        );
        assert!(stats.p50_ms <= stats.p99_ms && stats.p99_ms <= stats.max_ms);
    }

    #[tokio::test]
    async fn the_time_bound_stops_a_route_and_transport_errors_are_counted() {
        let (base, _, _) = tiny_server().await;
        let route = Route {
            name: "GET /ok".into(),
            requests: vec![Request::get(base.join("/ok").unwrap())],
        };
        let bounded = LoadLimits {
            max_seconds: 1,
            warmup_requests: 0,
            ..limits(u64::MAX)
        };
        let started = Instant::now();
        let stats = run_route(&Client::new(), None, &route, bounded)
            .await
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(stats.requests > 10 && stats.errors == 0, "{stats:?}");

        let closed_port = crate::process::free_port().unwrap();
        let dead = Route {
            name: "dead".into(),
            requests: vec![Request::get(
                Url::parse(&format!("http://127.0.0.1:{closed_port}/")).unwrap(),
            )],
        };
        let stats = run_route(
            &Client::new(),
            None,
            &dead,
            LoadLimits {
                warmup_requests: 0,
                ..limits(20)
            },
        )
        .await
        .unwrap();
        assert_eq!((stats.requests, stats.errors), (20, 20));
        assert!(!stats.failures.is_empty());
    }
}
