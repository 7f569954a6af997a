//! The `swingfly` command: `serve`, `scan`, `user` and `import-swing`.

mod cache_config;
mod config;
mod progress;

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use swingfly_services::app::{App, AppConfig};

use crate::config::{Config, EnvConfig, FlagConfig};

#[derive(Parser)]
#[command(
    name = "swingfly",
    version,
    about = "A fast self-hosted music server speaking Swing Music's API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the library over HTTP (Swing Music's API) and scan new music folders.
    Serve(ServeArgs),
    /// Scan the music folders once (incrementally) and print a summary.
    Scan(ScanArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Import users, favourites, playlists, collections, plays and root folders from a Swing Music
    /// config folder (the one holding swingmusic.db). Safe to run again: nothing is duplicated.
    ImportSwing(ImportSwingArgs),
}

#[derive(Args)]
struct ImportSwingArgs {
    /// Swing Music's config folder (holding swingmusic.db and settings.json), or its parent.
    #[arg(long, value_name = "DIR")]
    from: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct CommonArgs {
    /// Data folder: database, secrets, artwork cache (default: the platform's data folder).
    #[arg(long = "data", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file (TOML).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Cache server (Dragonfly, Redis or Valkey): redis://[:password@]host:port/db, or rediss:// for
    /// TLS. Default: the in-process cache (or ENABLE_DRAGONFLYDB / DRAGONFLYDB_* / [cache]).
    #[arg(long, value_name = "URL")]
    cache_url: Option<String>,
}

#[derive(Args)]
struct ServeArgs {
    /// A music folder to add to the library (repeatable).
    #[arg(long = "music", value_name = "DIR")]
    music: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    /// Address to listen on (default 0.0.0.0).
    #[arg(long)]
    host: Option<String>,
    /// Port to listen on (default $SWINGMUSIC_PORT, else 1970).
    #[arg(long)]
    port: Option<u16>,
    /// Rescan the music folders at start-up even when the library is already indexed.
    #[arg(long)]
    rescan: bool,
}

#[derive(Args)]
struct ScanArgs {
    /// A music folder to add to the library before scanning (repeatable).
    #[arg(long = "music", value_name = "DIR")]
    music: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        name: String,
        #[arg(long)]
        admin: bool,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Change a user's password (ends their sessions); the password is read from standard input.
    Passwd {
        name: String,
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// List users.
    List {
        #[command(flatten)]
        common: CommonArgs,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SWINGFLY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,lofty=error"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Scan(args) => scan(args).await,
        Command::User(command) => user(command).await,
        Command::ImportSwing(args) => import_swing(args).await,
    }
}

fn resolve_config(music: Vec<PathBuf>, common: CommonArgs) -> anyhow::Result<Config> {
    Config::resolve(
        FlagConfig {
            music,
            data_dir: common.data_dir,
            config_file: common.config,
            cache_url: common.cache_url,
            ..FlagConfig::default()
        },
        EnvConfig::from_env()?,
    )
}

fn app_config(config: &Config) -> AppConfig {
    let mut app = AppConfig::new(&config.data_dir);
    app.music_roots = config.music.clone();
    app.ffmpeg = config.ffmpeg.clone();
    app.open_signup = config.open_signup;
    app.cache = config.cache.clone();
    let scrobbling = config.scrobbling.clone();
    app.lastfm_api_key = scrobbling.lastfm_api_key;
    app.lastfm_api_secret = scrobbling.lastfm_api_secret;
    if let Some(url) = scrobbling.lastfm_base_url {
        app.lastfm_base_url = url;
    }
    if let Some(url) = scrobbling.listenbrainz_base_url {
        app.listenbrainz_base_url = url;
    }
    let spotify = config.spotify.clone();
    app.spotify_client_id = spotify.client_id;
    app.spotify_client_secret = spotify.client_secret;
    if let Some(url) = spotify.accounts_base_url {
        app.spotify_accounts_base_url = url;
    }
    if let Some(url) = spotify.api_base_url {
        app.spotify_api_base_url = url;
    }
    app
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut config = resolve_config(args.music, args.common)?;
    if let Some(host) = args.host {
        config.host = host;
    }
    if let Some(port) = args.port {
        config.port = port;
    }
    let addr: SocketAddr = format!("{}:{}", config.host, config.port)
        .parse()
        .or_else(|_| format!("[{}]:{}", config.host, config.port).parse())
        .with_context(|| format!("{:?} is not an IP address to listen on", config.host))?;

    let app = App::open(app_config(&config)).await?;
    swingfly_api::assets::ensure_assets(&app.paths.assets)
        .context("writing fallback images to the data folder")?;
    let library = app.library();
    tracing::info!(
        tracks = library.stats().tracks,
        data = %config.data_dir.display(),
        "library loaded"
    );
    let has_new_roots = !app.new_roots().is_empty();
    let empty_with_roots = library.stats().tracks == 0 && !app.root_dirs().await?.is_empty();
    if args.rescan || has_new_roots || empty_with_roots {
        spawn_startup_scan(Arc::clone(&app));
    }
    // Plays reach Last.fm and ListenBrainz only while the server runs (never from `scan`).
    swingfly_services::scrobblers::Scrobblers::start(&app);
    swingfly_api::serve(app, addr).await
}

fn spawn_startup_scan(app: Arc<App>) {
    tokio::spawn(async move {
        let bar = progress::ScanProgressBar::new();
        match app.scan(&|p| bar.update(p)).await {
            Ok(report) => {
                bar.finish();
                tracing::info!(
                    tracks = report.tracks_indexed,
                    albums = report.albums,
                    artists = report.artists,
                    skipped = report.skipped.len(),
                    elapsed_ms = report.elapsed_ms,
                    "scan finished"
                );
                for skipped in &report.skipped {
                    tracing::warn!(path = %skipped.path, reason = %skipped.reason, "skipped file");
                }
            }
            Err(err) => {
                bar.finish();
                tracing::error!(error = %format!("{err:#}"), "scan failed");
            }
        }
    });
}

async fn scan(args: ScanArgs) -> anyhow::Result<()> {
    let config = resolve_config(args.music, args.common)?;
    let app = App::open(app_config(&config)).await?;
    if app.root_dirs().await?.is_empty() {
        bail!("no music folder to scan: pass --music DIR");
    }
    let bar = (!args.json).then(progress::ScanProgressBar::new);
    let report = app
        .scan(&|p| {
            if let Some(bar) = &bar {
                bar.update(p)
            }
        })
        .await?;
    if let Some(bar) = &bar {
        bar.finish();
    }
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("files seen:     {}", report.files_seen);
        println!("unchanged:      {}", report.unchanged);
        println!("files read:     {}", report.files_read);
        println!("removed:        {}", report.removed);
        println!("tracks indexed: {}", report.tracks_indexed);
        println!("albums:         {}", report.albums);
        println!("artists:        {}", report.artists);
        println!("artwork:        {}", report.artwork_extracted);
        println!("skipped:        {}", report.skipped.len());
        for skipped in &report.skipped {
            println!("  {}: {}", skipped.path, skipped.reason);
        }
        println!("indexed in:     {} ms", report.indexed_ms);
        println!("artwork in:     {} ms", report.artwork_ms);
        println!("elapsed:        {} ms", report.elapsed_ms);
    }
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the password from standard input")?;
    let password = input.lines().next().unwrap_or("").to_string();
    if password.is_empty() {
        bail!("the password read from standard input is empty");
    }
    Ok(password)
}

async fn open_for_users(common: CommonArgs) -> anyhow::Result<Arc<App>> {
    let config = resolve_config(Vec::new(), common)?;
    App::open(app_config(&config)).await
}

async fn import_swing(args: ImportSwingArgs) -> anyhow::Result<()> {
    let app = open_for_users(args.common).await?;
    let report = swingfly_services::import_swing::import_swing(&app, &args.from).await?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    println!("imported from {}", report.source.display());
    println!("users created:  {}", report.users_created.join(", "));
    println!(
        "users existing: {} (kept their own password)",
        report.users_existing.join(", ")
    );
    for (kind, table) in [
        ("favourites", &report.favorites),
        ("scrobbles", &report.scrobbles),
        ("playlists", &report.playlists),
        ("collections", &report.collections),
    ] {
        println!(
            "{kind:<12}    {} added, {} already present, {} of unknown users",
            table.added, table.already_present, table.unknown_user
        );
    }
    println!("playlist images: {}", report.playlist_images);
    println!("root dirs added: {}", report.root_dirs_added.join(", "));
    for (kind, reason, count, example) in report.skipped_by_reason() {
        println!("skipped {count} {kind}(s): {reason} (e.g. {example:?})");
    }
    if !report.root_dirs_added.is_empty() {
        println!(
            "run `swingfly scan` (or start `swingfly serve --rescan`) to index the new folders"
        );
    }
    Ok(())
}

async fn user(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            name,
            admin,
            common,
            ..
        } => {
            let password = read_password()?;
            let app = open_for_users(common).await?;
            let roles = if admin {
                vec!["admin".to_string()]
            } else {
                Vec::new()
            };
            let user = app
                .auth
                .create_user(&name, &password, roles, serde_json::json!({}))
                .await?;
            println!(
                "created user {} (id {}, roles {:?})",
                user.username, user.id, user.roles
            );
        }
        UserCommand::Passwd { name, common, .. } => {
            let password = read_password()?;
            let app = open_for_users(common).await?;
            let user = app
                .store
                .user_by_name(&name)
                .await?
                .with_context(|| format!("no user named {name:?}"))?;
            // The operator acts as the user changing their own password: the same rules apply
            // (validation, guest protection) and every session of the user ends.
            let change = swingfly_services::auth::ProfileUpdate {
                password: Some(password),
                ..Default::default()
            };
            app.auth.update_user(&user.into(), change).await?;
            println!("password changed for {name}; their sessions have ended");
        }
        UserCommand::List { common } => {
            let app = open_for_users(common).await?;
            for user in app.store.list_users().await? {
                println!("{}\t{}\t{}", user.id, user.username, user.roles.join(","));
            }
        }
    }
    Ok(())
}
