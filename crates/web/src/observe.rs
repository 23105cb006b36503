//! What operators see of the running service: a request id on every request and its log lines,
//! one structured log line per request, the Prometheus metrics, and the readiness check.
//!
//! Logs and metrics name a route by its template (`/partnerships/{id}/requests`), never by the
//! path asked for or its query: a path or a search can carry a requester's name, and a template
//! keeps the metrics to one series per route.

use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use serde::{Deserialize, Serialize};
use std::time::Instant;
use tracing::Instrument;
use utoipa::ToSchema;

use crate::AppState;

/// The header that carries a request's id, in and out.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a client or proxy; a longer one is replaced.
const MAX_REQUEST_ID: usize = 64;

/// What a route is called in the metrics when no route matched (a 404 on any path): one
/// series for all of them, however many paths are tried.
const UNMATCHED: &str = "unmatched";

/// The id of the request being answered, for handlers and error pages that quote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Answered {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    method: String,
    route: String,
}

type Latency = Family<Route, Histogram, fn() -> Histogram>;

/// The service's metrics, shared by every request.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<Answered, Counter>,
    latency: Latency,
    in_flight: Gauge,
    pool_open: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    writers_waiting: Gauge,
    audit_head: Gauge,
}

fn latency_buckets() -> Histogram {
    // 1 ms to about 16 s, doubling: the pages' targets (tens of milliseconds) fall between
    // buckets rather than all in the first.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("accord");
        let requests = Family::<Answered, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        let latency = Latency::new_with_constructor(latency_buckets);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method",
            latency.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being answered now",
            in_flight.clone(),
        );
        let pool_open = Gauge::default();
        registry.register(
            "db_connections_open",
            "Database connections open, idle or in use",
            pool_open.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_connections_idle",
            "Database connections open and idle",
            pool_idle.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "db_connections_max",
            "The most database connections the pool opens",
            pool_max.clone(),
        );
        let writers_waiting = Gauge::default();
        registry.register(
            "db_writers_waiting",
            "Write transactions queued for this process's write lock",
            writers_waiting.clone(),
        );
        let audit_head = Gauge::default();
        registry.register(
            "audit_head_seq",
            "The sequence number of the audit trail's newest entry",
            audit_head.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            in_flight,
            pool_open,
            pool_idle,
            pool_max,
            writers_waiting,
            audit_head,
        }
    }
}

impl Metrics {
    fn answered(&self, method: &str, route: &str, status: StatusCode, seconds: f64) {
        self.requests
            .get_or_create(&Answered {
                method: method.to_owned(),
                route: route.to_owned(),
                status: status.as_u16(),
            })
            .inc();
        self.latency
            .get_or_create(&Route {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(seconds);
    }
}

/// A method as the metrics name it: the standard ones by name, anything else as `other`, so a
/// client cannot add series by inventing methods.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The id a proxy or client sent, when it is short and plain enough to log as it is.
fn given_id(request: &Request) -> Option<String> {
    let value = request.headers().get(&REQUEST_ID)?.to_str().ok()?;
    let plain = !value.is_empty()
        && value.len() <= MAX_REQUEST_ID
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    plain.then(|| value.to_owned())
}

fn new_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Gives every request an id (the proxy's, when it sent a plain one), answers with it in
/// `X-Request-Id`, runs the request inside a span that carries it (so every log line of the
/// request names it), logs one line when it is answered and counts it in the metrics.
pub async fn track(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = given_id(&request).unwrap_or_else(new_id);
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_owned();
    request.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method, route = %route);
    let metrics = &state.metrics;
    metrics.in_flight.inc();
    let mut response = next.run(request).instrument(span.clone()).await;
    metrics.in_flight.dec();
    let elapsed = started.elapsed();
    let status = response.status();
    metrics.answered(method, &route, status, elapsed.as_secs_f64());
    span.in_scope(|| {
        let millis = elapsed.as_secs_f64() * 1000.0;
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), millis, "answered");
        } else {
            tracing::info!(status = status.as_u16(), millis, "answered");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    response
}

/// `GET /metrics` on the metrics listener: the Prometheus (OpenMetrics) text, with the database
/// gauges read at the moment of the scrape.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let metrics = &state.metrics;
    let pool = accord_app::service::pool(&state.app);
    metrics.pool_open.set(i64::from(pool.open));
    metrics.pool_idle.set(i64::from(pool.idle));
    metrics.pool_max.set(i64::from(pool.max));
    metrics.writers_waiting.set(i64::from(pool.writers_waiting));
    match accord_app::service::ready(&state.app).await {
        Ok(ready) => {
            metrics.audit_head.set(ready.audit_head);
        }
        Err(error) => tracing::warn!(%error, "metrics: the audit head could not be read"),
    }
    let mut body = String::new();
    if let Err(error) = prometheus_client::encoding::text::encode(&mut body, &metrics.registry) {
        tracing::error!(%error, "metrics could not be written");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// The metrics on a router of their own, for a listener that only the monitoring reaches:
/// `accord serve --metrics-bind`. The public listener does not serve them.
pub fn metrics_app(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(metrics))
        .with_state(state)
}

/// The answer of `GET /ready`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub struct Ready {
    /// `ready` when the database answered; `unavailable` when it did not.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
}

/// Whether the service can serve: the database answers a query. A load balancer sends traffic
/// only to instances that answer 200.
#[utoipa::path(
    get,
    path = "/ready",
    tag = "service",
    responses(
        (status = 200, description = "The database answers", body = Ready),
        (status = 503, description = "The database does not answer", body = Ready),
    ),
)]
pub async fn ready(State(state): State<AppState>) -> Response {
    let database = accord_app::service::database(&state.app).to_owned();
    match accord_app::service::ready(&state.app).await {
        Ok(_) => Json(Ready {
            status: "ready".to_owned(),
            database,
        })
        .into_response(),
        Err(error) => {
            // The reason goes to the log, not to whoever asked.
            tracing::error!(%error, "not ready: the database did not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Ready {
                    status: "unavailable".to_owned(),
                    database,
                }),
            )
                .into_response()
        }
    }
}
