//! The real `swingfly serve` on a free loopback port, for the binary's end-to-end tests.

#![allow(dead_code)] // each test file uses a different subset

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_swingfly");

/// A running server; killed (SIGKILL) when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `swingfly serve` on `data` (adding `music` as a root when given) and waits until it
/// answers; returns it with the time it took.
pub async fn start_server(data: &Path, music: Option<&Path>) -> (Server, Duration) {
    let port = free_port();
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--host", "127.0.0.1", "--port", &port.to_string()])
        .arg("--data")
        .arg(data)
        .env("SWINGFLY_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(music) = music {
        command.arg("--music").arg(music);
    }
    let started = Instant::now();
    let server = Server {
        child: command.spawn().unwrap(),
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    loop {
        if let Ok(response) = client
            .get(format!("{}/onboarding-data", server.base))
            .send()
            .await
        {
            if response.status().is_success() {
                return (server, started.elapsed());
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
