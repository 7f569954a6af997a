//! A real server for the auth tests: the whole router on 127.0.0.1:0 over an `App` in a temporary
//! data folder, driven with reqwest.

#![allow(dead_code)] // each test file uses a different subset

use std::sync::Arc;

use reqwest::header::{HeaderMap, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use swingfly_services::app::{App, AppConfig};

pub struct TestServer {
    pub app: Arc<App>,
    pub base: String,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

pub async fn start() -> TestServer {
    start_with(|_| {}).await
}

pub async fn start_with(configure: impl FnOnce(&mut AppConfig)) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mut config = AppConfig::new(dir.path().join("data"));
    config.home_dir = dir.path().to_path_buf();
    configure(&mut config);
    let app = App::open(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(swingfly_api::serve_listener(
        app.clone(),
        listener,
        std::future::pending(),
    ));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestServer {
        app,
        base,
        http,
        _dir: dir,
    }
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn get_with_cookie(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .header("Cookie", format!("access_token_cookie={token}"))
            .send()
            .await
            .unwrap()
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> reqwest::Response {
        let mut request = self.http.request(method, self.url(path)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> reqwest::Response {
        self.send_json(reqwest::Method::POST, path, token, body)
            .await
    }

    /// Logs in and returns `(access token, refresh token)`.
    pub async fn login(&self, username: &str, password: &str) -> (String, String) {
        let response = self
            .post_json(
                "/auth/login",
                None,
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "login of {username}");
        let body: Value = response.json().await.unwrap();
        (
            body["accesstoken"].as_str().unwrap().to_string(),
            body["refreshtoken"].as_str().unwrap().to_string(),
        )
    }

    /// Creates the first user (the admin) through the public door and returns its cookie token.
    pub async fn create_admin(&self, username: &str, password: &str) -> String {
        let response = self
            .post_json(
                "/auth/profile/create",
                None,
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        access_cookie(response.headers()).expect("the first admin is logged in with a cookie")
    }

    /// Creates a user as `admin` and logs them in; returns their access token.
    pub async fn create_user(&self, admin_token: &str, username: &str, password: &str) -> String {
        let response = self
            .post_json(
                "/auth/profile/create",
                Some(admin_token),
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "creating {username}");
        self.login(username, password).await.0
    }
}

/// The access token set by a response's `Set-Cookie`, if any (an empty value means "deleted").
pub fn access_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|cookie| cookie.strip_prefix("access_token_cookie="))
        .map(|rest| rest.split(';').next().unwrap_or_default().to_string())
        .next()
}

/// The raw `Set-Cookie` line for the access cookie.
pub fn access_cookie_line(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|cookie| cookie.starts_with("access_token_cookie="))
        .map(str::to_string)
}

pub async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}
