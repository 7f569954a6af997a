//! The cache tier's monitoring API over real HTTP: embedded (answering for the in-process tier) and
//! against a real redis-server, including the server dying under the running app.

mod auth_support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use swingfly_cache::testing::{fast_config, RedisServer};

use auth_support::{json_of, start, start_with, TestServer};

const NAMESPACES: &[&str] = &[
    "metadata",
    "trackstore",
    "sessions",
    "search",
    "recs",
    "home",
    "plays",
    "recent",
    "fav",
    "gen",
];

async fn get(server: &TestServer, path: &str, token: &str) -> (StatusCode, Value) {
    json_of(server.get(path, Some(token)).await).await
}

async fn post(server: &TestServer, path: &str, token: &str) -> (StatusCode, Value) {
    json_of(server.post_json(path, Some(token), json!({})).await).await
}

#[tokio::test]
async fn embedded_tier_answers_every_monitoring_route_for_admins_only() {
    let server = start().await;
    let admin = server.create_admin("admin", "pw-admin-1").await;
    let user = server.create_user(&admin, "bob", "pw-bob-12").await;

    let (status, health) = get(&server, "/dragonfly/health", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["connected"], true);
    assert_eq!(health["mode"], "embedded");
    assert_eq!(health["status"], "healthy");
    assert!(health["latency_ms"].is_number() && health["message"].is_string());

    let (_, stats) = get(&server, "/dragonfly/stats", &admin).await;
    assert!(stats["memory"]["used_memory_human"].is_string(), "{stats}");
    assert!(
        stats["memory"]["used_memory_peak_human"].is_string(),
        "{stats}"
    );
    assert!(stats["clients"]["connected_clients"].is_number(), "{stats}");
    assert!(stats["keyspace"]["db0"]["keys"].is_number(), "{stats}");
    assert!(stats["server"]["uptime_in_seconds"].is_number(), "{stats}");

    let (_, keys) = get(&server, "/dragonfly/keys", &admin).await;
    let names: Vec<&str> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(names, NAMESPACES);

    let (_, services) = get(&server, "/dragonfly/services", &admin).await;
    for service in services["services"].as_array().unwrap() {
        assert!(service["name"].is_string() && service["key_count"].is_number());
        assert!(service["hit_rate"].is_number());
        assert!(service.get("last_updated").is_some());
    }

    let (_, registry) = get(&server, "/dragonfly/namespaces", &admin).await;
    assert_eq!(
        registry["namespaces"].as_array().unwrap().len(),
        NAMESPACES.len()
    );
    let (_, history) = get(&server, "/dragonfly/history", &admin).await;
    assert_eq!(history["interval_seconds"], 5);
    assert!(history["totals"].is_array() && history["points"].is_array());

    let (status, cleared) = post(&server, "/dragonfly/clear/search", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cleared["success"], true);
    assert!(cleared["cleared_count"].is_number());
    let (status, unknown) = post(&server, "/dragonfly/clear/nope", &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(unknown["success"], false);
    let (status, all) = post(&server, "/dragonfly/clear-all", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["success"], true);

    let metrics = server.get("/metrics", Some(&admin)).await;
    assert_eq!(metrics.status(), StatusCode::OK);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("# TYPE swingfly_cache_hits_total counter"),
        "{text}"
    );
    assert!(text.contains("swingfly_cache_breaker_open 0"), "{text}");

    for path in ["/dragonfly/health", "/dragonfly/keys", "/metrics"] {
        let response = server.get(path, Some(&user)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            server.get(path, None).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    let (status, _) = post(&server, "/dragonfly/clear-all", &user).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn shared_tier_reports_the_server_and_survives_its_death() {
    let mut redis = RedisServer::start();
    let config = fast_config(&redis);
    let server = start_with(move |app| app.cache = config).await;
    let admin = server.create_admin("admin", "pw-admin-1").await;

    let (_, health) = get(&server, "/dragonfly/health", &admin).await;
    assert_eq!(health["connected"], true, "{health}");
    assert_eq!(health["mode"], "dragonfly");
    let (_, stats) = get(&server, "/dragonfly/stats", &admin).await;
    assert!(
        stats["server"]["redis_version"].is_string(),
        "the server's own INFO: {stats}"
    );

    redis.cli(&["SET", "sf:search:1:x", "v"]).unwrap();
    redis.cli(&["SET", "someone-else", "v"]).unwrap();
    let (_, keys) = get(&server, "/dragonfly/keys", &admin).await;
    let search = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["namespace"] == "search")
        .unwrap()
        .clone();
    assert_eq!(search["count"], 1);
    let (_, cleared) = post(&server, "/dragonfly/clear/search", &admin).await;
    assert_eq!(cleared["cleared_count"], 1);
    assert_eq!(redis.cli(&["EXISTS", "someone-else"]).unwrap().trim(), "1");

    redis.kill();
    let (status, health) = get(&server, "/dragonfly/health", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(health["connected"], false);
    assert_eq!(health["status"], "disconnected");
    let (status, _) = get(&server, "/auth/user", &admin).await;
    assert_eq!(status, StatusCode::OK, "the server keeps answering");
    let (status, keys) = get(&server, "/dragonfly/keys", &admin).await;
    assert_eq!(status, StatusCode::OK, "{keys}");

    redis.restart();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let (_, health) = get(&server, "/dragonfly/health", &admin).await;
        if health["connected"] == true && health["breaker"] == "closed" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "back on the shared tier: {health}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
