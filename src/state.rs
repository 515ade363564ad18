//! What every handler shares.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::NaiveDateTime;
use handlebars::Handlebars;

use crate::db::contests::{Round, load_pools};
use crate::domain::paper::PoolQuestion;

use crate::auth::keys::Keys;
use crate::auth::password::Hasher;
use crate::auth::ratelimit::LoginLimits;
use crate::configuration::Settings;
use crate::db::Db;
use crate::telemetry::Metrics;

/// Shared application state (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    /// The pools.
    pub db: Db,
    /// Settings, fixed at start.
    pub settings: Arc<Settings>,
    /// Keys derived from the secret.
    pub keys: Keys,
    /// The template registry (strict mode).
    pub templates: Arc<Handlebars<'static>>,
    /// Password hashing off the async threads.
    pub hasher: Hasher,
    /// Failed-login limits.
    pub login_limits: Arc<LoginLimits>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Set once migrations, banks, units and the admin are in place.
    pub ready: Arc<AtomicBool>,
    /// Frozen question pools of published rounds (immutable while a round
    /// is unchanged, so the key includes its last change).
    pub pool_cache: Arc<Mutex<HashMap<(i64, NaiveDateTime), Pools>>>,
}

/// The pools of one round, one per blueprint row.
pub type Pools = Arc<Vec<Vec<PoolQuestion>>>;

impl AppState {
    /// Whether start-up work is done.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// The frozen pools of a published round, cached: thousands of starts in
    /// one minute read them once, not the banks each time.
    pub async fn pools(&self, round: &Round) -> crate::error::AppResult<Pools> {
        let key = (round.id, round.updated_at);
        if let Some(p) = self.pool_cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(p.clone());
        }
        let r = round.clone();
        let pools = Arc::new(self.read(move |c| load_pools(c, &r)).await?);
        let mut cache = self.pool_cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.retain(|(id, _), _| *id != round.id);
        if cache.len() > 1000 {
            cache.clear();
        }
        cache.insert(key, pools.clone());
        Ok(pools)
    }

    /// Runs a read query on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> crate::error::AppResult<T>
    where
        F: FnOnce(&mut crate::db::DbConnection) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        actix_web::web::block(move || -> crate::error::AppResult<T> {
            let mut conn = db.reader()?;
            Ok(f(&mut conn)?)
        })
        .await?
    }

    /// Runs a write (usually one transaction) on the blocking pool, through
    /// the writer connection.
    pub async fn write<T, F>(&self, f: F) -> crate::error::AppResult<T>
    where
        F: FnOnce(&mut crate::db::DbConnection) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        actix_web::web::block(move || -> crate::error::AppResult<T> {
            let mut conn = db.writer()?;
            Ok(f(&mut conn)?)
        })
        .await?
    }
}
