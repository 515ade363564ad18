//! The application: pool, migrations, first-run data, templates, routes,
//! server. Tests and production build it the same way.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

use crate::auth::keys::Keys;
use crate::auth::password::{Hasher, PasswordCost};
use crate::bootstrap;
use crate::clock::{Clock, SystemClock};
use crate::configuration::Settings;
use crate::db::Db;
use crate::engine::Engine;
use crate::state::AppState;
use crate::telemetry::Metrics;

/// What a running application is made of beyond its settings: production
/// takes the defaults; tests hold the clock, sweep when they choose and
/// hash passwords cheaply.
#[derive(Clone, Debug)]
pub struct Runtime {
    /// The time the engine goes by.
    pub clock: Arc<dyn Clock>,
    /// Run the sweeper in the background every two seconds.
    pub background_sweeper: bool,
    /// How expensive new password hashes are.
    pub password_cost: PasswordCost,
}

impl Default for Runtime {
    fn default() -> Self {
        Self { clock: Arc::new(SystemClock), background_sweeper: true, password_cost: PasswordCost::Owasp }
    }
}

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    /// Connects, migrates, loads first-run data, binds `settings.bind`.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with(settings, Runtime::default()).await
    }

    /// [`Application::build`] with its runtime parts chosen.
    pub async fn build_with(mut settings: Settings, runtime: Runtime) -> anyhow::Result<Self> {
        let secret = settings.resolve_secret_key()?;
        let db = Db::connect(&settings.database, settings.sqlite_sync, settings.pool_size)?;
        let migrated = db.migrate()?;
        if migrated > 0 {
            tracing::info!(migrations = migrated, database = %settings.database.redacted(), "database migrated");
        }
        let settings = Arc::new(settings);
        let engine = Engine::new(
            db,
            settings.clone(),
            Keys::derive(secret.expose()),
            Hasher::new(runtime.password_cost),
            runtime.clock.clone(),
        );
        let state = AppState {
            engine,
            templates: Arc::new(crate::templates::registry()?),
            metrics: Arc::new(Metrics::new()),
            ready: Arc::new(AtomicBool::new(false)),
        };
        let boot = state.engine.clone();
        let cost = runtime.password_cost;
        let report = web::block(move || bootstrap::first_run(&boot.db, &boot.settings, cost, boot.now())).await??;
        report.print();
        state.ready.store(true, Ordering::Release);
        if runtime.background_sweeper {
            state.engine.spawn_sweeper();
        }
        let listener = TcpListener::bind(state.settings.bind)?;
        let port = listener.local_addr()?.port();
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::default().limit(256 * 1024))
                .app_data(crate::routes::query_config())
                .app_data(crate::routes::path_config())
                .configure(crate::routes::configure)
                .wrap(from_fn(crate::routes::api_csrf))
                .wrap(from_fn(crate::routes::refuse_nul))
                .wrap(from_fn(crate::routes::error_pages))
                .wrap(from_fn(crate::routes::security_headers))
                .wrap(from_fn(crate::telemetry::observe))
        })
        .listen(listener)?
        .shutdown_timeout(15)
        .run();
        Ok(Self { port, server, state })
    }

    /// The bound port (tests bind port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests read the database through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT/SIGTERM, then finishes in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
