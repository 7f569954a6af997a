//! The delivery worker: one background task per server that runs a delivery pass, then waits for
//! the poll interval or a [`Scrobblers::wake`] nudge, whichever comes first. It holds the `App`
//! weakly, so it ends on its own when the App is dropped; [`Scrobblers::stop`] ends it at once.

use std::sync::{Arc, Weak};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::Scrobblers;
use crate::app::App;

/// A running worker: its task and the switch that stops it.
pub(crate) struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Scrobblers {
    /// Starts the delivery worker for `app` (once; later calls do nothing). Only the server calls
    /// this: one-shot commands such as `swingfly scan` never deliver.
    pub fn start(app: &Arc<App>) {
        let mut slot = app.scrobblers.worker.lock();
        if slot.is_some() {
            return;
        }
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(Arc::downgrade(app), stopped));
        *slot = Some(Running { stop, task });
    }

    /// Stops the worker and waits for it (a pass in flight finishes first, so every cursor it
    /// moved is committed).
    pub async fn stop(&self) {
        let running = self.worker.lock().take();
        if let Some(running) = running {
            let _ = running.stop.send(true);
            if let Err(error) = running.task.await {
                tracing::error!(%error, "scrobble delivery worker ended abnormally");
            }
        }
    }

    /// Whether the worker runs.
    pub fn is_running(&self) -> bool {
        self.worker
            .lock()
            .as_ref()
            .is_some_and(|running| !running.task.is_finished())
    }
}

async fn run(app: Weak<App>, mut stopped: watch::Receiver<bool>) {
    tracing::debug!("scrobble delivery worker started");
    loop {
        if *stopped.borrow() {
            break;
        }
        let Some(strong) = app.upgrade() else {
            break;
        };
        if let Err(error) = strong.scrobblers.deliver_due(&strong.library()).await {
            tracing::error!(error = %format!("{error:#}"), "scrobble delivery pass failed");
        }
        let wake = Arc::clone(&strong.scrobblers.wake);
        let interval = strong.scrobblers.retry.poll_interval;
        drop(strong);
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(interval) => {}
            _ = stopped.changed() => {}
        }
    }
    tracing::debug!("scrobble delivery worker stopped");
}
