//! `swingfly-bench`: see the crate docs. Prints Markdown tables and a JSON summary.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Parser;
use swingfly_bench::load::LoadLimits;
use swingfly_bench::report::{self, Summary};
use swingfly_bench::run::{self, BenchConfig};

/// Load benchmark for the swingfly server binary (loopback only).
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// The server binary.
    #[arg(long, default_value = "target/release/swingfly")]
    server: PathBuf,
    /// Library sizes to benchmark (repeatable or comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [10_000usize, 100_000])]
    tracks: Vec<usize>,
    /// Working directory for libraries, data dirs, logs and the summary.
    #[arg(long, default_value = "target/bench")]
    work: PathBuf,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Measured requests per route.
    #[arg(long, default_value_t = 3000)]
    requests: u64,
    /// Time limit per route, seconds.
    #[arg(long, default_value_t = 20)]
    route_seconds: u64,
    /// Unmeasured warm-up requests per route.
    #[arg(long, default_value_t = 64)]
    warmup: u64,
    /// Server port (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// How long to wait for the server to answer, seconds.
    #[arg(long, default_value_t = 300)]
    ready_timeout: u64,
    /// ffmpeg for the fixture templates.
    #[arg(long, default_value = "ffmpeg")]
    ffmpeg: PathBuf,
    /// Also write the JSON summary here [default: <work>/summary.json].
    #[arg(long)]
    json: Option<PathBuf>,
    /// Also write the Markdown here [default: <work>/summary.md].
    #[arg(long)]
    markdown: Option<PathBuf>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("swingfly-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    if !cli.server.is_file() {
        bail!(
            "server binary {} not found; build it with `cargo build --release -p swingfly` or pass --server",
            cli.server.display()
        );
    }
    if cli.tracks.is_empty() || cli.tracks.contains(&0) {
        bail!("--tracks needs sizes of at least 1");
    }
    let server = std::fs::canonicalize(&cli.server)?;
    let limits = LoadLimits {
        clients: cli.clients.max(1),
        max_requests: cli.requests,
        max_seconds: cli.route_seconds,
        warmup_requests: cli.warmup,
    };
    let config = BenchConfig {
        server: server.clone(),
        work_dir: cli.work.clone(),
        seed: cli.seed,
        ffmpeg: cli.ffmpeg.clone(),
        port: cli.port,
        ready_timeout: Duration::from_secs(cli.ready_timeout),
        limits,
    };
    let mut libraries = Vec::with_capacity(cli.tracks.len());
    for tracks in &cli.tracks {
        libraries.push(run::bench_library(&config, *tracks).await?);
    }
    let summary = Summary {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        server: cli.server.display().to_string(),
        cpus: std::thread::available_parallelism().map_or(1, usize::from),
        limits,
        libraries,
    };
    let markdown = report::markdown(&summary);
    let json = serde_json::to_string_pretty(&summary)?;
    let json_path = cli.json.unwrap_or_else(|| cli.work.join("summary.json"));
    let markdown_path = cli.markdown.unwrap_or_else(|| cli.work.join("summary.md"));
    std::fs::write(&json_path, &json)
        .with_context(|| format!("writing {}", json_path.display()))?;
    std::fs::write(&markdown_path, &markdown)
        .with_context(|| format!("writing {}", markdown_path.display()))?;
    println!("{markdown}");
    println!("{json}");
    Ok(())
}
