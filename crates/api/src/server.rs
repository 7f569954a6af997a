//! Running the HTTP server with graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

use crate::{router, AppState};

/// After a shutdown signal, open connections get this long to finish. Long-lived responses (event
/// streams, big downloads) would otherwise hold the process open indefinitely.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Binds `addr` and serves until ctrl-c or SIGTERM.
pub async fn serve(state: AppState, addr: SocketAddr) -> anyhow::Result<()> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!(address = %listener.local_addr()?, "listening");
    serve_listener(state, listener, shutdown_signal()).await
}

/// Serves on an already bound listener until `shutdown` completes (tests pass a listener on port 0).
/// Clients' addresses reach handlers as `ConnectInfo<SocketAddr>` (login rate limits use them).
pub async fn serve_listener(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (signalled_tx, mut signalled_rx) = tokio::sync::watch::channel(false);
    let signal = async move {
        shutdown.await;
        tracing::info!("shutting down");
        let _ = signalled_tx.send(true);
    };
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // Without TCP_NODELAY, small responses after a large one wait for the peer's delayed ACK
    // (about 40 ms on Linux): audio Range requests showed exactly that.
    let listener = listener.tap_io(|stream| {
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(error = %err, "cannot set TCP_NODELAY");
        }
    });
    let server = axum::serve(listener, app).with_graceful_shutdown(signal);
    let grace_expired = async move {
        if signalled_rx.wait_for(|signalled| *signalled).await.is_ok() {
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server => result.context("serving HTTP")?,
        () = grace_expired => {
            tracing::warn!("connections still open {SHUTDOWN_GRACE:?} after shutdown; closing them");
        }
    }
    Ok(())
}

/// Completes on ctrl-c, or on SIGTERM where there is one.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
