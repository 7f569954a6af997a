//! Two server instances on one ledger and one redis-server share sessions and user data: a logout
//! or a password change on one ends the sessions on the other at once, a favourite set on one shows
//! on the other; with the cache server down or flushed, the ledger still decides and nothing is lost.

mod library_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use swingfly_cache::testing::{fast_config, RedisServer};
use swingfly_services::app::{App, AppConfig};

struct Instance {
    base: String,
    http: reqwest::Client,
    app: Arc<App>,
}

impl Instance {
    async fn start(data_dir: &std::path::Path, redis: &RedisServer) -> Instance {
        Self::start_with_music(data_dir, redis, None).await
    }

    /// An instance; with `music`, that folder is added as a root and scanned first.
    async fn start_with_music(
        data_dir: &std::path::Path,
        redis: &RedisServer,
        music: Option<&std::path::Path>,
    ) -> Instance {
        let mut config = AppConfig::new(data_dir);
        config.home_dir = data_dir.to_path_buf();
        config.cache = fast_config(redis);
        config.music_roots = music.map(|m| vec![m.to_path_buf()]).unwrap_or_default();
        let app = App::open(config).await.unwrap();
        if music.is_some() {
            app.scan(&|_| {}).await.unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(swingfly_api::serve_listener(
            app.clone(),
            listener,
            std::future::pending(),
        ));
        Instance {
            base,
            http: reqwest::Client::new(),
            app,
        }
    }

    async fn get_json(&self, path: &str, token: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn status(&self, path: &str, token: &str) -> StatusCode {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn login(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .post(
                "/auth/login",
                None,
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["accesstoken"].as_str().unwrap().to_string()
    }
}

/// Waits (up to two seconds) until `path` answers `expected` for `token`.
async fn until_status(instance: &Instance, path: &str, token: &str, expected: StatusCode) {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let status = instance.status(path, token).await;
        if status == expected {
            return;
        }
        assert!(Instant::now() < deadline, "{path} still answers {status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_logout_or_password_change_on_one_instance_ends_the_session_on_the_other() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let a = Instance::start(dir.path(), &redis).await;
    let b = Instance::start(dir.path(), &redis).await;

    let (status, _) = a
        .post(
            "/auth/profile/create",
            None,
            json!({"username": "ann", "password": "pw-ann-123"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let first = a.login("ann", "pw-ann-123").await;
    let second = a.login("ann", "pw-ann-123").await;
    assert_eq!(b.status("/auth/user", &first).await, StatusCode::OK);
    assert_eq!(b.status("/auth/user", &second).await, StatusCode::OK);
    let cached = redis
        .cli(&["--scan", "--pattern", "sf:sessions:*"])
        .unwrap();
    assert!(
        cached.lines().count() >= 2,
        "sessions are in the shared tier: {cached}"
    );

    // Logout on A: B refuses the token (it had it cached in memory and in the tier).
    assert_eq!(a.status("/auth/logout", &first).await, StatusCode::OK);
    until_status(&b, "/auth/user", &first, StatusCode::UNAUTHORIZED).await;
    assert_eq!(
        b.status("/auth/user", &second).await,
        StatusCode::OK,
        "only that session ended"
    );

    // A password change on B ends every other session, on A too.
    let (status, body) = b
        .http
        .put(format!("{}/auth/profile/update", b.base))
        .bearer_auth(&second)
        .json(&json!({"id": 0, "password": "pw-ann-456"}))
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    assert_eq!(status, StatusCode::OK, "{:?}", body.text().await);
    until_status(&a, "/auth/user", &second, StatusCode::UNAUTHORIZED).await;
    let fresh = a.login("ann", "pw-ann-456").await;
    assert_eq!(b.status("/auth/user", &fresh).await, StatusCode::OK);
}

#[tokio::test]
async fn with_the_cache_server_down_the_ledger_still_decides() {
    let mut redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let a = Instance::start(dir.path(), &redis).await;
    let b = Instance::start(dir.path(), &redis).await;
    a.post(
        "/auth/profile/create",
        None,
        json!({"username": "ann", "password": "pw-ann-123"}),
    )
    .await;
    let token = a.login("ann", "pw-ann-123").await;
    assert_eq!(b.status("/auth/user", &token).await, StatusCode::OK);

    redis.kill();
    let started = Instant::now();
    for _ in 0..20 {
        assert_eq!(a.status("/auth/user", &token).await, StatusCode::OK);
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no request waits on the dead server"
    );
    assert_eq!(a.status("/auth/logout", &token).await, StatusCode::OK);
    // B may trust its own memory for the namespace's local lifetime (5 s), then asks the ledger.
    let deadline = Instant::now() + Duration::from_secs(8);
    while b.status("/auth/user", &token).await != StatusCode::UNAUTHORIZED {
        assert!(
            Instant::now() < deadline,
            "the ledger's revocation applies on B"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Polls `is_favorite` on `instance` until it equals `expected` (two seconds at most).
async fn until_favorite(instance: &Instance, token: &str, trackhash: &str, expected: bool) {
    let path = format!("/favorites/check?hash={trackhash}&type=track");
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let body = instance.get_json(&path, token).await;
        if body["is_favorite"] == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "is_favorite stays {body} on {}",
            instance.base
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn favourites_set_on_one_instance_show_on_the_other_and_survive_a_flushall() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    library_support::make_music(&music);
    let data = dir.path().join("data");
    let a = Instance::start_with_music(&data, &redis, Some(&music)).await;
    let b = Instance::start(&data, &redis).await;
    a.post(
        "/auth/profile/create",
        None,
        json!({"username": "ann", "password": "pw-ann-123"}),
    )
    .await;
    let token = a.login("ann", "pw-ann-123").await;
    let library = a.app.library();
    let trackhash = swingfly_model::hash_hex(library.files()[0].trackhash);
    assert_eq!(
        b.app.library().files().len(),
        library.files().len(),
        "B loaded A's scan"
    );

    // B has the user loaded (not a favourite) before A changes it.
    until_favorite(&b, &token, &trackhash, false).await;
    let (status, body) = a
        .post(
            "/favorites/add",
            Some(&token),
            json!({"hash": trackhash, "type": "track"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    until_favorite(&b, &token, &trackhash, true).await;

    let (status, _) = b
        .post(
            "/favorites/remove",
            Some(&token),
            json!({"hash": trackhash, "type": "track"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    until_favorite(&a, &token, &trackhash, false).await;
    a.post(
        "/favorites/add",
        Some(&token),
        json!({"hash": trackhash, "type": "track"}),
    )
    .await;
    until_favorite(&b, &token, &trackhash, true).await;

    // Everything in the tier gone: sessions and user data come back from the ledger.
    redis.cli(&["FLUSHALL"]).unwrap();
    assert_eq!(a.status("/auth/user", &token).await, StatusCode::OK);
    assert_eq!(b.status("/auth/user", &token).await, StatusCode::OK);
    until_favorite(&a, &token, &trackhash, true).await;
    until_favorite(&b, &token, &trackhash, true).await;
    let (status, _) = b
        .post(
            "/favorites/remove",
            Some(&token),
            json!({"hash": trackhash, "type": "track"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    until_favorite(&a, &token, &trackhash, false).await;
}
