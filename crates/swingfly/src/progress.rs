//! The terminal progress bar for scans (hidden automatically when stderr is not a terminal).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use swingfly_services::scan_pipeline::Progress;

pub struct ScanProgressBar {
    bar: ProgressBar,
}

impl ScanProgressBar {
    pub fn new() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar.set_style(spinner_style());
        bar.set_message("looking for music…");
        Self { bar }
    }

    pub fn update(&self, progress: &Progress) {
        match progress {
            Progress::Walking { files_found } => {
                self.bar.set_message(format!("found {files_found} files…"));
            }
            Progress::Batch { done, total } => {
                if self.bar.length() != Some(*total as u64) {
                    self.bar.set_style(bar_style());
                    self.bar.set_length(*total as u64);
                    self.bar.set_message("reading tags (batches)");
                }
                self.bar.set_position(*done as u64);
            }
            Progress::Saving { tracks } => {
                self.bar.set_style(spinner_style());
                self.bar.set_message(format!("saving {tracks} tracks…"));
            }
            Progress::Indexing => self.bar.set_message("building the index…"),
            Progress::Artwork { albums } => {
                self.bar
                    .set_message(format!("extracting artwork for {albums} albums…"));
            }
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} [{elapsed}]")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}
