//! Child processes of the benchmark: environment isolation, peak memory from /proc, and the
//! `swingfly serve` process with its readiness wait.

use std::fs::{self, File};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// Removes the server's configuration variables inherited from the caller, so the benchmark
/// runs only on the flags it passes, and binds the server to loopback.
pub fn isolate_environment(command: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let key_text = key.to_string_lossy();
        if key_text.starts_with("SWINGFLY_") || key_text.starts_with("SWINGMUSIC_") {
            command.env_remove(&key);
        }
    }
    command.env("SWINGFLY_HOST", "127.0.0.1");
    command.env("SWINGFLY_LOG", "warn");
}

/// A kibibyte value such as VmHWM from the text of /proc/<pid>/status.
pub fn status_field_kib(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Reads a kibibyte field of a live process's /proc status; None once it has exited.
pub fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status_field_kib(&status, field)
}

/// The highest VmHWM seen while sampling a process.
#[derive(Debug, Default)]
pub struct PeakMemory {
    kib: Option<u64>,
}

impl PeakMemory {
    pub fn sample(&mut self, pid: u32) {
        if let Some(kib) = proc_status_kib(pid, "VmHWM") {
            self.kib = Some(self.kib.map_or(kib, |seen| seen.max(kib)));
        }
    }

    pub fn peak_mib(&self) -> Option<f64> {
        self.kib.map(kib_to_mib)
    }
}

pub fn kib_to_mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Waits for `child`, sampling its peak memory every 20 ms (VmHWM only grows, so the last
/// sample before exit is close to the true peak).
pub fn wait_sampling(child: &mut Child, memory: &mut PeakMemory) -> anyhow::Result<ExitStatus> {
    let pid = child.id();
    loop {
        memory.sample(pid);
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A free loopback port (the OS picks it; there is a small race until the server binds it).
pub fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// A running `swingfly serve`. Dropping it stops the process.
pub struct ServerProcess {
    child: Option<Child>,
    pub pid: u32,
    pub base_url: String,
    pub started: Instant,
    pub log: PathBuf,
}

impl ServerProcess {
    /// Spawns `server serve --music MUSIC --data DATA --port PORT`, bound to 127.0.0.1.
    pub fn spawn(
        server: &Path,
        music: &Path,
        data: &Path,
        port: u16,
        log: &Path,
    ) -> anyhow::Result<Self> {
        let log_file = File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let mut command = Command::new(server);
        command
            .arg("serve")
            .arg("--music")
            .arg(music)
            .arg("--data")
            .arg(data)
            .arg("--port")
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        isolate_environment(&mut command);
        let started = Instant::now();
        let child = command
            .spawn()
            .with_context(|| format!("starting {} serve", server.display()))?;
        Ok(ServerProcess {
            pid: child.id(),
            child: Some(child),
            base_url: format!("http://127.0.0.1:{port}"),
            started,
            log: log.to_path_buf(),
        })
    }

    /// Polls `GET /onboarding-data` until it answers 200; returns the time since spawn.
    pub async fn wait_until_serving(
        &mut self,
        client: &reqwest::Client,
        timeout: Duration,
    ) -> anyhow::Result<Duration> {
        let url = format!("{}/onboarding-data", self.base_url);
        loop {
            if let Ok(response) = client.get(&url).send().await {
                if response.status() == reqwest::StatusCode::OK {
                    return Ok(self.started.elapsed());
                }
            }
            if let Some(child) = self.child.as_mut() {
                if let Some(status) = child.try_wait()? {
                    bail!(
                        "the server exited ({status}) before serving; see {}",
                        self.log.display()
                    );
                }
            }
            if self.started.elapsed() > timeout {
                bail!(
                    "the server did not answer /onboarding-data within {timeout:?}; see {}",
                    self.log.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Current and peak resident memory, MiB.
    pub fn memory_mib(&self) -> (Option<f64>, Option<f64>) {
        (
            proc_status_kib(self.pid, "VmRSS").map(kib_to_mib),
            proc_status_kib(self.pid, "VmHWM").map(kib_to_mib),
        )
    }

    /// SIGTERM, then SIGKILL if it has not exited within ten seconds.
    pub fn stop(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        if child.try_wait()?.is_none() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(self.pid.to_string())
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while child.try_wait()?.is_none() {
                if Instant::now() > deadline {
                    child.kill()?;
                    child.wait()?;
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields_are_parsed_in_kib() {
        let status =
            "Name:\tswingfly\nVmPeak:\t  900000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t   65536 kB\n";
        assert_eq!(status_field_kib(status, "VmHWM"), Some(123_456));
        assert_eq!(status_field_kib(status, "VmRSS"), Some(65_536));
        assert_eq!(status_field_kib(status, "VmSwap"), None);
        assert_eq!(kib_to_mib(65_536), 64.0);
    }

    #[test]
    fn our_own_peak_memory_is_readable() {
        let mut memory = PeakMemory::default();
        memory.sample(std::process::id());
        assert!(memory.peak_mib().is_some_and(|mib| mib > 0.0));
    }

    #[test]
    fn a_sampled_child_reports_its_exit_and_memory() {
        let mut child = Command::new("sleep").arg("0.2").spawn().unwrap();
        let mut memory = PeakMemory::default();
        let status = wait_sampling(&mut child, &mut memory).unwrap();
        assert!(status.success());
        assert!(memory.peak_mib().is_some());
    }
}
