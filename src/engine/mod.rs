//! The contest engine: the use cases that the HTML pages and the JSON API
//! share (start, answer, submit, publish, close, re-grade, boards,
//! accounts), between the handlers and storage. Who may do what is decided
//! here, in [`access`]; the rules themselves are in `domain/`.
//!
//! Every use case goes by the engine's [`Clock`], so tests move time
//! instead of waiting for it.

pub mod access;
pub mod account_import;
pub mod accounts;
pub mod attempts;
pub mod banks;
pub mod boards;
pub mod fixes;
pub mod intro;
pub mod item_stats;
pub mod paper_form;
pub mod prizes;
pub mod residents;
pub mod round_questions;
pub mod round_tools;
pub mod rounds;
pub mod stats;
pub mod sweeper;
pub mod views;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;

use crate::auth::keys::Keys;
use crate::auth::password::Hasher;
use crate::auth::ratelimit::LoginLimits;
use crate::clock::Clock;
use crate::configuration::Settings;
use crate::db::rounds::{DrawPool, Round, load_draw_pool};
use crate::db::{Db, DbConnection, transaction_retrying};
use crate::error::AppResult;

/// Draw pools by (round, pool version).
type DrawPools = HashMap<(i64, i32), Arc<DrawPool>>;

/// The shapes of attempts that were answered, by attempt id.
type Shapes = HashMap<i64, Arc<crate::db::attempts::AttemptShape>>;

/// Shapes kept before the cache starts again (about 100 bytes each with a
/// 20-question paper: a few MiB through a 20,000-person surge).
const SHAPES_KEPT: usize = 50_000;

/// The engine (cheap to clone).
#[derive(Clone)]
pub struct Engine {
    /// The pools.
    pub db: Db,
    /// Settings, fixed at start.
    pub settings: Arc<Settings>,
    /// Keys derived from the secret.
    pub keys: Keys,
    /// Password hashing off the async threads.
    pub hasher: Hasher,
    clock: Arc<dyn Clock>,
    login_limits: Arc<LoginLimits>,
    /// Limits on residents' registrations and codes.
    resident_limits: Arc<residents::ResidentLimits>,
    /// Draw pools of published rounds, by (round, pool version): thousands
    /// of starts in one minute read a round's pool once.
    draw_pools: Arc<Mutex<DrawPools>>,
    /// What cannot change while an attempt runs (see
    /// [`crate::db::attempts::AttemptShape`]), so an answer save is one
    /// statement: on PostgreSQL each node keeps its own, which stays right
    /// since nothing in it changes.
    shapes: Arc<Mutex<Shapes>>,
    /// Parses uploaded bank files in a capped child process.
    pub(crate) sandbox: crate::sandbox::Sandbox,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("db", &self.db).field("clock", &self.clock).finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine over `db`.
    pub fn new(db: Db, settings: Arc<Settings>, keys: Keys, hasher: Hasher, clock: Arc<dyn Clock>) -> Self {
        let resident_limits = Arc::new(residents::ResidentLimits::new(&settings.limits));
        Self {
            sandbox: crate::sandbox::Sandbox::new(settings.parser_exe.as_deref()),
            db,
            settings,
            keys,
            hasher,
            clock,
            login_limits: Arc::default(),
            resident_limits,
            draw_pools: Arc::default(),
            shapes: Arc::default(),
        }
    }

    /// Now, by the engine's clock.
    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    /// Runs a read on the blocking pool, through a read connection.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        actix_web::web::block(move || -> AppResult<T> {
            let mut conn = db.reader()?;
            Ok(f(&mut conn)?)
        })
        .await?
    }

    /// Runs a write (usually one transaction) on the blocking pool, through
    /// the writer connection.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        actix_web::web::block(move || -> AppResult<T> {
            let mut conn = db.writer()?;
            Ok(f(&mut conn)?)
        })
        .await?
    }

    /// A write transaction run again when it loses a race on a unique index
    /// (two requests creating the same row): the second sees the first's row.
    pub async fn write_retrying<T, F>(&self, f: F) -> AppResult<T>
    where
        F: Fn(&mut DbConnection) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.write(move |c| transaction_retrying(c, f)).await
    }

    /// What new papers of a published round draw from, cached per pool version.
    pub async fn draw_pool(&self, round: &Round) -> AppResult<Arc<DrawPool>> {
        let key = (round.id, round.pool_version);
        if let Some(p) = self.draw_pools.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(p.clone());
        }
        let r = round.clone();
        let pool = Arc::new(self.read(move |c| load_draw_pool(c, &r)).await?);
        let mut cache = self.draw_pools.lock().unwrap_or_else(|e| e.into_inner());
        cache.retain(|(id, _), _| *id != round.id);
        if cache.len() > 1000 {
            cache.clear();
        }
        // Keyed by the version it was read at (a void may have bumped it since).
        cache.insert((round.id, pool.version), pool.clone());
        Ok(pool)
    }

    /// The shape of an attempt, read once and then kept.
    pub async fn attempt_shape(&self, attempt_id: i64) -> AppResult<Option<Arc<crate::db::attempts::AttemptShape>>> {
        if let Some(s) = self.shapes.lock().unwrap_or_else(|e| e.into_inner()).get(&attempt_id) {
            return Ok(Some(s.clone()));
        }
        let Some(shape) = self.read(move |c| crate::db::attempts::find_attempt_shape(c, attempt_id)).await? else {
            return Ok(None);
        };
        let shape = Arc::new(shape);
        let mut cache = self.shapes.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= SHAPES_KEPT {
            cache.clear();
        }
        cache.insert(attempt_id, shape.clone());
        Ok(Some(shape))
    }
}
