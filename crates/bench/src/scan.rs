//! Running `swingfly scan --json` and reading its report.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use crate::process::{self, PeakMemory};

/// The JSON object `swingfly scan --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    pub files_seen: u64,
    pub tracks_indexed: u64,
    pub albums: u64,
    pub artists: u64,
    pub skipped: Vec<SkippedFile>,
    pub elapsed_ms: u64,
    /// Until the scanned library was served (read, committed, indexed); artwork comes after.
    #[serde(default)]
    pub indexed_ms: u64,
    #[serde(default)]
    pub artwork_ms: u64,
    /// Files unchanged since the previous scan (not part of the stated contract; kept when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unchanged: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files_read: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

/// One scan as measured from outside.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScanRun {
    pub report: ScanReport,
    /// Process start to exit, including opening the database.
    pub wall_ms: u64,
    /// The process's peak resident memory (VmHWM), MiB.
    pub peak_rss_mib: Option<f64>,
}

impl ScanRun {
    /// Indexed tracks per second of the scan's own elapsed time (artwork included).
    pub fn tracks_per_second(&self) -> f64 {
        per_second(self.report.tracks_indexed, self.report.elapsed_ms)
    }

    /// Files read and indexed per second until the library was served (artwork excluded).
    pub fn indexed_per_second(&self) -> f64 {
        let files = self.report.files_read.unwrap_or(self.report.tracks_indexed);
        per_second(files, self.report.indexed_ms)
    }

    /// Files examined per second (the meaningful rate for an incremental scan).
    pub fn files_per_second(&self) -> f64 {
        per_second(self.report.files_seen, self.report.elapsed_ms)
    }
}

fn per_second(count: u64, elapsed_ms: u64) -> f64 {
    count as f64 * 1000.0 / elapsed_ms.max(1) as f64
}

/// Runs `server scan --music MUSIC --data DATA --json`; its log goes to `log`.
pub fn run_scan(server: &Path, music: &Path, data: &Path, log: &Path) -> anyhow::Result<ScanRun> {
    let log_file = File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let mut command = Command::new(server);
    command
        .arg("scan")
        .arg("--music")
        .arg(music)
        .arg("--data")
        .arg(data)
        .arg("--json")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_file);
    process::isolate_environment(&mut command);
    let started = Instant::now();
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {} scan", server.display()))?;
    let mut stdout = child.stdout.take().context("scan stdout")?;
    // Read stdout on its own thread so a large report cannot fill the pipe and stall the child.
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let mut memory = PeakMemory::default();
    let status = process::wait_sampling(&mut child, &mut memory)?;
    let wall_ms = started.elapsed().as_millis() as u64;
    let output = reader
        .join()
        .map_err(|_| anyhow::anyhow!("the stdout reader panicked"))?
        .context("reading scan output")?;
    if !status.success() {
        bail!("`swingfly scan` failed ({status}); see {}", log.display());
    }
    let report = parse_report(&output)?;
    Ok(ScanRun {
        report,
        wall_ms,
        peak_rss_mib: memory.peak_mib(),
    })
}

/// The report is the last non-empty line of stdout (anything before it is ignored).
pub fn parse_report(stdout: &str) -> anyhow::Result<ScanReport> {
    let line = stdout
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .context("`swingfly scan --json` printed nothing")?;
    serde_json::from_str(line).with_context(|| {
        let shown: String = line.chars().take(300).collect();
        format!("`swingfly scan --json` printed something that is not its report: {shown}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_is_read_from_the_last_line() {
        let stdout = "note: something\n{\"files_seen\":12,\"tracks_indexed\":10,\"albums\":3,\"artists\":4,\
            \"skipped\":[{\"path\":\"/m/a.mp3\",\"reason\":\"empty\"}],\"elapsed_ms\":250,\"unchanged\":0}\n\n";
        let report = parse_report(stdout).unwrap();
        assert_eq!(report.files_seen, 12);
        assert_eq!(report.skipped[0].reason, "empty");
        assert_eq!(report.unchanged, Some(0));
        assert_eq!(report.files_read, None);
        let run = ScanRun {
            report,
            wall_ms: 300,
            peak_rss_mib: None,
        };
        assert_eq!(run.tracks_per_second(), 40.0);
    }

    #[test]
    fn a_report_missing_fields_is_an_error_that_quotes_it() {
        let error = parse_report("{\"files_seen\":1}").unwrap_err();
        assert!(format!("{error:#}").contains("files_seen"), "{error:#}");
        assert!(parse_report("  \n").is_err());
    }
}
