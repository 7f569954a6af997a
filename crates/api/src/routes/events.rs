//! Server-sent events (reference §3.17), both routes public: the live stream of the App's events
//! (scan progress: `scan_batch_cleared` with `{batch: "i/n"}`) and how many streams are open.
//!
//! Each message is `id: <n>` and `data: {"event", "data", "timestamp"}` (JSON). After 5 s without
//! an event a heartbeat goes out as `event: heartbeat` with JSON data (Swing sent a Python repr
//! there). A client that falls behind the broadcast skips the events it missed instead of being
//! cut off. Streams are never compressed (only JSON is) and tell proxies not to buffer them.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::header::{HeaderName, HeaderValue};
use axum::response::sse::{Event, Sse};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use futures_util::stream::{self, Stream, StreamExt};
use serde::Serialize;
use serde_json::{json, Value};
use swingfly_services::app::ServerEvent;
use tokio::sync::broadcast::{self, error::RecvError};
use utoipa::{OpenApi, ToSchema};

use crate::AppState;

/// Idle time after which a heartbeat is sent (Swing's interval).
pub const HEARTBEAT_AFTER: Duration = Duration::from_secs(5);

/// The event name of heartbeats (`event: heartbeat`), so EventSource `onmessage` handlers, which
/// only see unnamed events, never receive them.
const HEARTBEAT: &str = "heartbeat";

pub fn router() -> Router<AppState> {
    // One counter per router, so servers in one process (tests) count their own streams.
    Router::new()
        .route("/events/stream", get(event_stream))
        .route("/events/status", get(status))
        .layer(Extension(Listeners::default()))
}

#[derive(OpenApi)]
#[openapi(
    paths(event_stream, status),
    components(schemas(ListenerCount, EventMessage)),
    tags((name = "events", description = "Live server events (SSE)"))
)]
struct EventsDoc;

/// The OpenAPI description of these routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    EventsDoc::openapi()
}

/// How many event streams are open.
#[derive(Clone, Default)]
struct Listeners(Arc<AtomicUsize>);

/// Counts one open stream for as long as it lives: the stream owns it, and the server drops the
/// stream when its client goes away.
struct ListenerGuard(Arc<AtomicUsize>);

impl ListenerGuard {
    fn new(listeners: &Listeners) -> Self {
        listeners.0.fetch_add(1, Ordering::SeqCst);
        ListenerGuard(Arc::clone(&listeners.0))
    }
}

impl Drop for ListenerGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The `data` of each message (documentation only; it is written as JSON text).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
struct EventMessage {
    /// "scan_batch_cleared", or "heartbeat".
    event: String,
    /// `{batch: "i/n"}` for scan progress, `{}` for heartbeats.
    #[schema(value_type = Object)]
    data: Value,
    /// Unix seconds, with a fraction.
    timestamp: f64,
}

#[utoipa::path(get, path = "/events/stream", tag = "events",
    responses(
        (status = 200, description = "`text/event-stream`: messages `id: <n>` + `data: {event, data, timestamp}` (JSON; see EventMessage). Scan progress is `scan_batch_cleared` with `{batch: \"i/n\"}`. After 5 s idle: `event: heartbeat` with `data: {\"event\": \"heartbeat\", \"data\": {}, \"timestamp\": ...}`", content_type = "text/event-stream", body = String),
    ))]
async fn event_stream(
    State(app): State<AppState>,
    Extension(listeners): Extension<Listeners>,
) -> impl IntoResponse {
    let state = StreamState {
        events: app.subscribe_events(),
        next_id: 0,
        _guard: ListenerGuard::new(&listeners),
    };
    (
        // nginx and similar proxies would otherwise hold messages back.
        [(
            HeaderName::from_static("x-accel-buffering"),
            HeaderValue::from_static("no"),
        )],
        Sse::new(frames(state).map(Frame::into_event)),
    )
}

struct StreamState {
    events: broadcast::Receiver<ServerEvent>,
    next_id: u64,
    _guard: ListenerGuard,
}

/// The stream's messages: each App event, or a heartbeat after [`HEARTBEAT_AFTER`] of silence.
fn frames(state: StreamState) -> impl Stream<Item = Frame> {
    stream::unfold(state, |mut state| async move {
        let (name, data) = loop {
            match tokio::time::timeout(HEARTBEAT_AFTER, state.events.recv()).await {
                Ok(Ok(event)) => break (event.event, event.data),
                // Behind the broadcast: the missed events are gone; carry on with the next one.
                Ok(Err(RecvError::Lagged(missed))) => {
                    tracing::debug!(missed, "an event stream fell behind; skipping ahead");
                }
                Ok(Err(RecvError::Closed)) => return None,
                Err(_idle) => break (HEARTBEAT.to_string(), json!({})),
            }
        };
        state.next_id += 1;
        let frame = Frame {
            id: state.next_id,
            payload: json!({ "event": name, "data": data, "timestamp": unix_seconds() }),
            name,
        };
        Some((frame, state))
    })
}

/// One message of the stream.
#[derive(Debug)]
struct Frame {
    id: u64,
    name: String,
    /// `{event, data, timestamp}`.
    payload: Value,
}

impl Frame {
    fn into_event(self) -> Result<Event, Infallible> {
        // Only heartbeats are named: EventSource `onmessage` sees the unnamed ones.
        let event = if self.name == HEARTBEAT {
            Event::default().event(HEARTBEAT)
        } else {
            Event::default()
        };
        Ok(event.id(self.id.to_string()).data(self.payload.to_string()))
    }
}

fn unix_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs_f64())
        .unwrap_or(0.0)
}

#[derive(Debug, Serialize, ToSchema)]
struct ListenerCount {
    active_listeners: usize,
}

#[utoipa::path(get, path = "/events/status", tag = "events",
    responses(
        (status = 200, description = "`{active_listeners}`: how many event streams are open now", body = ListenerCount),
    ))]
async fn status(Extension(listeners): Extension<Listeners>) -> Json<ListenerCount> {
    Json(ListenerCount {
        active_listeners: listeners.0.load(Ordering::SeqCst),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_event(batch: usize) -> ServerEvent {
        ServerEvent {
            event: "scan_batch_cleared".into(),
            data: json!({ "batch": format!("{batch}/10") }),
        }
    }

    #[tokio::test]
    async fn a_lagging_stream_skips_ahead_and_stops_counting_when_dropped() {
        let (sender, receiver) = broadcast::channel(4);
        let listeners = Listeners::default();
        let state = StreamState {
            events: receiver,
            next_id: 0,
            _guard: ListenerGuard::new(&listeners),
        };
        assert_eq!(listeners.0.load(Ordering::SeqCst), 1);
        // Ten events into a channel of four: the reader has missed six before it reads.
        for batch in 1..=10 {
            sender.send(scan_event(batch)).unwrap();
        }
        let mut stream = Box::pin(frames(state));
        let mut seen = Vec::new();
        for expected_id in 1..=4 {
            let frame = stream.next().await.expect("the stream goes on");
            assert_eq!(frame.id, expected_id);
            assert_eq!(frame.name, "scan_batch_cleared");
            assert_eq!(frame.payload["event"], "scan_batch_cleared");
            assert!(frame.payload["timestamp"].is_f64());
            seen.push(frame.payload["data"]["batch"].as_str().unwrap().to_string());
        }
        assert_eq!(seen, ["7/10", "8/10", "9/10", "10/10"]);

        drop(stream);
        assert_eq!(listeners.0.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn the_stream_ends_when_the_app_closes_its_events() {
        let (sender, receiver) = broadcast::channel::<ServerEvent>(4);
        let listeners = Listeners::default();
        let state = StreamState {
            events: receiver,
            next_id: 0,
            _guard: ListenerGuard::new(&listeners),
        };
        drop(sender);
        let mut stream = Box::pin(frames(state));
        assert!(stream.next().await.is_none());
    }
}
