//! The application: pool, migrations, first-run data, templates, routes,
//! server. Tests and production build it the same way.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

use crate::auth::keys::Keys;
use crate::auth::password::Hasher;
use crate::auth::ratelimit::LoginLimits;
use crate::bootstrap;
use crate::configuration::Settings;
use crate::db::Db;
use crate::state::AppState;
use crate::telemetry::Metrics;

/// Every 2 seconds: finalize attempts past deadline + grace with the
/// answers they hold, and make closed rounds' prediction errors final.
/// Every node may run it: finalizing claims each attempt once.
fn spawn_sweeper(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(2));
        loop {
            tick.tick().await;
            let done = state
                .write(|c| {
                    let t = crate::db::now();
                    Ok((crate::db::attempts::sweep_expired(c, t)?, crate::db::attempts::finalize_closed_rounds(c, t)?))
                })
                .await;
            match done {
                Ok((0, 0)) => {}
                Ok((attempts, rounds)) => tracing::info!(attempts, rounds, "sweeper finalized"),
                Err(e) => tracing::warn!(error = %e, "sweeper failed"),
            }
        }
    });
}

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    /// Connects, migrates, loads first-run data, binds `settings.bind`.
    pub async fn build(mut settings: Settings) -> anyhow::Result<Self> {
        let secret = settings.resolve_secret_key()?;
        let db = Db::connect(&settings.database, settings.sqlite_sync, settings.pool_size)?;
        let migrated = db.migrate()?;
        if migrated > 0 {
            tracing::info!(migrations = migrated, database = %settings.database.redacted(), "database migrated");
        }
        let state = AppState {
            db,
            keys: Keys::derive(&secret),
            templates: Arc::new(crate::templates::registry()?),
            hasher: Hasher::new(),
            login_limits: Arc::new(LoginLimits::default()),
            metrics: Arc::new(Metrics::new()),
            ready: Arc::new(AtomicBool::new(false)),
            pool_cache: Arc::default(),
            settings: Arc::new(settings),
        };
        let boot_state = state.clone();
        let report = web::block(move || bootstrap::first_run(&boot_state.db, &boot_state.settings)).await??;
        report.print();
        state.ready.store(true, Ordering::Release);

        spawn_sweeper(state.clone());
        let listener = TcpListener::bind(state.settings.bind)?;
        let port = listener.local_addr()?.port();
        let data = web::Data::new(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::FormConfig::default().limit(64 * 1024))
                .app_data(web::PayloadConfig::default().limit(256 * 1024))
                .app_data(web::QueryConfig::default())
                .configure(crate::routes::configure)
                .wrap(from_fn(crate::routes::error_pages))
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
