//! What every handler shares: the engine, and what only pages need.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use handlebars::Handlebars;

use crate::engine::Engine;
use crate::telemetry::Metrics;

/// Shared application state (cheap to clone). It derefs to the [`Engine`],
/// whose use cases the handlers call.
#[derive(Clone)]
pub struct AppState {
    /// The contest engine.
    pub engine: Engine,
    /// The template registry (strict mode).
    pub templates: Arc<Handlebars<'static>>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Set once migrations, banks, units and the admin are in place.
    pub ready: Arc<AtomicBool>,
}

impl Deref for AppState {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        &self.engine
    }
}

impl AppState {
    /// Whether start-up work is done.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }
}
