//! Logs (tracing, one line per request with its id and latency) and
//! Prometheus metrics.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::state::AppState;

/// Sets up logging: `RUST_LOG` filters (default `info`), text or JSON lines.
pub fn init_tracing(format: &str) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A second initialisation (tests) keeps the first subscriber.
    let _ = tracing::dispatcher::set_global_default(log_dispatch(
        format,
        filter,
        std::io::stderr,
        std::io::stderr().is_terminal(),
    ));
}

/// The log subscriber, writing to `writer`: `json`, or one text line per
/// event. Field values are escaped either way (a newline typed into a form
/// never starts a line of its own).
pub fn log_dispatch<W>(format: &str, filter: tracing_subscriber::EnvFilter, writer: W, ansi: bool) -> tracing::Dispatch
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_writer(writer).with_ansi(ansi);
    if format == "json" {
        tracing::Dispatch::new(builder.json().finish())
    } else {
        tracing::Dispatch::new(builder.finish())
    }
}

/// Labels of a request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// HTTP method.
    pub method: String,
    /// The route pattern (not the path: bounded cardinality).
    pub route: String,
    /// Status code.
    pub status: u16,
}

/// Labels of a route.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// HTTP method.
    pub method: String,
    /// The route pattern.
    pub route: String,
}

/// Labels of a pool gauge.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabels {
    /// `read` or `write`.
    pub pool: String,
}

/// Every metric hoithi exports.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    pool_connections: Family<PoolLabels, Gauge>,
    pool_idle: Family<PoolLabels, Gauge>,
    /// Attempts in progress (set by the contest engine).
    pub attempts_in_progress: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers the metrics.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("hoithi");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
        });
        registry.register("http_request_duration_seconds", "Time to answer an HTTP request", latency.clone());
        let pool_connections = Family::<PoolLabels, Gauge>::default();
        registry.register("db_pool_connections", "Open database connections", pool_connections.clone());
        let pool_idle = Family::<PoolLabels, Gauge>::default();
        registry.register("db_pool_idle_connections", "Idle database connections", pool_idle.clone());
        let attempts_in_progress = Gauge::default();
        registry.register("attempts_in_progress", "Attempts started and not yet final", attempts_in_progress.clone());
        Self { registry, requests, latency, pool_connections, pool_idle, attempts_in_progress }
    }

    /// The Prometheus text exposition, with pool figures read now.
    pub fn render(&self, db: &crate::db::Db) -> String {
        for (name, connections, idle) in db.pool_state() {
            let l = PoolLabels { pool: name.to_string() };
            self.pool_connections.get_or_create(&l).set(i64::from(connections));
            self.pool_idle.get_or_create(&l).set(i64::from(idle));
        }
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// A request's id, also sent back as `X-Request-Id`.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Middleware: request id, one log line with latency, metrics.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = {
        let mut b = [0u8; 8];
        rand::fill(&mut b);
        hex::encode(b)
    };
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().to_string();
    let path = req.path().to_string();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let mut res = next.call(req).await?;
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HeaderName::from_static("x-request-id"), v);
    }
    if let Some(state) = state {
        let m = &state.metrics;
        m.requests.get_or_create(&RequestLabels { method: method.clone(), route: route.clone(), status }).inc();
        m.latency.get_or_create(&RouteLabels { method: method.clone(), route }).observe(elapsed.as_secs_f64());
    }
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(request_id = %id, %method, %path, status, latency_ms, "request");
    } else {
        tracing::info!(request_id = %id, %method, %path, status, latency_ms, "request");
    }
    Ok(res)
}
