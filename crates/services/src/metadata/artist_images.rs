//! Artist pictures from Spotify, saved where `/img/artist/...` serves them:
//! `images/artists/{small,medium,large}/<artisthash>.webp` (128 and 256 px wide, and the original
//! size up to 640 px; `large` is written last and marks the artist as done).
//!
//! A background worker, started by the App when Spotify is configured, runs a pass at start-up
//! and after each scan: for every artist without a `large` picture it asks the lookup chain (so an
//! artist is asked of Spotify at most once until its SQL entry expires) and downloads the largest
//! image. Requests go one at a time through the client's pacing; a 429 or an unreachable Spotify
//! ends the pass, and the worker tries again when the rate-limit window (or a pause) is over.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::Duration;

use image::imageops::FilterType;
use image::RgbImage;
use swingfly_model::{hash_hex, Hash};

use super::spotify::{SpotifyError, SpotifyImage};
use super::{sql_key, MetadataError};
use crate::app::App;

/// Sizes written (name, width); `None` keeps the original width (capped at [`LARGE_MAX_WIDTH`]).
const SIZES: &[(&str, Option<u32>)] =
    &[("small", Some(128)), ("medium", Some(256)), ("large", None)];
const LARGE_MAX_WIDTH: u32 = 640;
const COMPLETION_MARKER_SIZE: &str = "large";
const WEBP_QUALITY: f32 = 80.0;
/// After this many consecutive failures (Spotify unreachable) a pass gives up.
const MAX_CONSECUTIVE_FAILURES: u32 = 3;
/// How long the worker waits before trying again after giving up on an unreachable Spotify.
const UNREACHABLE_PAUSE: Duration = Duration::from_secs(15 * 60);
/// An image that could not be downloaded or decoded is not tried again for this long.
const FAILED_IMAGE_TTL: Duration = Duration::from_secs(24 * 3600);

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Artists without a picture when the pass began.
    pub missing: usize,
    /// Pictures written.
    pub saved: usize,
    /// Artists Spotify does not have, or has without images.
    pub without_image: usize,
    pub failed: usize,
    /// Set when the pass stopped early: try again after this long.
    pub retry_after: Option<Duration>,
}

/// Starts the worker for `app` (which must have Spotify configured). It holds the App weakly and
/// ends when the App is dropped.
pub fn spawn_worker(app: &Arc<App>) {
    let weak: Weak<App> = Arc::downgrade(app);
    let mut changes = app.metadata.subscribe_library_changes();
    tokio::spawn(async move {
        loop {
            let Some(app) = weak.upgrade() else { return };
            let report = fetch_missing(&app).await;
            drop(app);
            tracing::debug!(?report, "artist image pass");
            match report.retry_after {
                Some(pause) => {
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        changed = changes.changed() => if changed.is_err() { return },
                    }
                }
                None => {
                    if changes.changed().await.is_err() {
                        return;
                    }
                }
            }
        }
    });
}

/// One pass over the artists that have no picture yet.
pub async fn fetch_missing(app: &App) -> PassReport {
    let mut report = PassReport::default();
    let Some(spotify) = app.metadata.spotify() else {
        return report;
    };
    if let Err(error) = app
        .store
        .metadata_cache_purge_expired(super::SQL_PURGE_GRACE.as_secs() as i64)
        .await
    {
        tracing::warn!(%error, "cannot purge the SQL metadata cache");
    }
    let dir = app.paths.artist_images.clone();
    let missing: Vec<(Hash, Arc<str>)> = app
        .library()
        .artists()
        .iter()
        .filter(|artist| !marker_path(&dir, artist.artisthash).exists())
        .map(|artist| (artist.artisthash, artist.name.clone()))
        .collect();
    report.missing = missing.len();
    let mut consecutive_failures = 0;
    for (artisthash, name) in missing {
        if let Some(wait) = spotify.rate_limited_for() {
            report.retry_after = Some(wait);
            return report;
        }
        let failed_key = sql_key("artist-image-failed", &hash_hex(artisthash));
        if matches!(app.store.metadata_cache_get(&failed_key).await, Ok(Some(_))) {
            report.failed += 1;
            continue;
        }
        let outcome = match app.metadata.try_artist_metadata(artisthash, &name).await {
            Ok(lookup) => match lookup.value.and_then(|artist| best_image(&artist.images)) {
                Some(image) => save_from(app, artisthash, &image).await,
                None => {
                    report.without_image += 1;
                    Ok(false)
                }
            },
            Err(MetadataError::Spotify(error)) => Err(error),
            Err(error) => Err(SpotifyError::Unavailable(error.to_string())),
        };
        match outcome {
            Ok(saved) => {
                consecutive_failures = 0;
                report.saved += usize::from(saved);
            }
            Err(SpotifyError::RateLimited { retry_after }) => {
                report.retry_after = Some(retry_after);
                return report;
            }
            Err(error) => {
                report.failed += 1;
                consecutive_failures += 1;
                tracing::warn!(%error, artist = %name, "cannot fetch the artist's picture");
                if consecutive_failures >= MAX_CONSECUTIVE_FAILURES {
                    report.retry_after = Some(UNREACHABLE_PAUSE);
                    return report;
                }
            }
        }
    }
    report
}

/// Downloads and writes one picture. `Ok(false)`: the image itself is broken (remembered for a
/// day so it is not downloaded again each scan).
async fn save_from(
    app: &App,
    artisthash: Hash,
    image: &SpotifyImage,
) -> Result<bool, SpotifyError> {
    let spotify = app
        .metadata
        .spotify()
        .ok_or_else(|| SpotifyError::Unavailable("Spotify is not configured".into()))?;
    let bytes = spotify.download_image(&image.url).await?;
    let dir = app.paths.artist_images.clone();
    let written = tokio::task::spawn_blocking(move || write_sizes(&bytes, &dir, artisthash))
        .await
        .map_err(|error| anyhow::anyhow!("image task failed: {error}"))
        .and_then(|result| result);
    match written {
        Ok(()) => Ok(true),
        Err(error) => {
            tracing::warn!(error = %format!("{error:#}"), url = %image.url, "unusable artist picture");
            let failed_key = sql_key("artist-image-failed", &hash_hex(artisthash));
            let _ = app
                .store
                .metadata_cache_put(&failed_key, "null", FAILED_IMAGE_TTL.as_secs() as i64)
                .await;
            Ok(false)
        }
    }
}

/// The largest listed image (Spotify lists largest first, but the widths decide).
fn best_image(images: &[SpotifyImage]) -> Option<SpotifyImage> {
    images
        .iter()
        .max_by_key(|image| image.width.unwrap_or(0))
        .cloned()
}

fn marker_path(dir: &Path, artisthash: Hash) -> PathBuf {
    dir.join(COMPLETION_MARKER_SIZE)
        .join(format!("{}.webp", hash_hex(artisthash)))
}

/// Decodes `bytes` and writes every size as WebP (never upscaled), `large` last.
pub fn write_sizes(bytes: &[u8], dir: &Path, artisthash: Hash) -> anyhow::Result<()> {
    let decoded = image::load_from_memory(bytes)?.to_rgb8();
    let name = format!("{}.webp", hash_hex(artisthash));
    for (size, width) in SIZES {
        let target_width = width.unwrap_or(LARGE_MAX_WIDTH);
        let resized = fit_width(&decoded, target_width);
        let (w, h) = resized.dimensions();
        let encoded = webp::Encoder::from_rgb(resized.as_raw(), w, h)
            .encode_simple(false, WEBP_QUALITY)
            .map_err(|error| anyhow::anyhow!("WebP encoding failed: {error:?}"))?;
        let size_dir = dir.join(size);
        std::fs::create_dir_all(&size_dir)?;
        let partial = size_dir.join(format!(".{name}.{}.partial", std::process::id()));
        std::fs::write(&partial, &*encoded)?;
        std::fs::rename(&partial, size_dir.join(&name))?;
    }
    Ok(())
}

fn fit_width(image: &RgbImage, target_width: u32) -> RgbImage {
    let (width, height) = image.dimensions();
    if width <= target_width {
        return image.clone();
    }
    let target_height = ((u64::from(height) * u64::from(target_width)) / u64::from(width)).max(1);
    image::imageops::resize(
        image,
        target_width,
        target_height as u32,
        FilterType::Lanczos3,
    )
}
