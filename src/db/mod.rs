//! Storage: one connection type for SQLite and PostgreSQL, the pools,
//! embedded migrations, and plain sync query functions per aggregate.

pub mod attempts;
pub mod audit;
pub mod backup;
pub mod banks;
pub mod boards;
pub mod contests;
#[allow(missing_docs)]
pub mod schema;
pub mod units;
pub mod users;

use std::time::Duration;

use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::configuration::{DatabaseUrl, SqliteSync};

/// Migrations for each backend, with identical version names.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// See [`SQLITE_MIGRATIONS`].
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend. Queries written once against this type run
/// on both; per-backend code matches on it explicitly.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// The embedded default.
    Sqlite(SqliteConnection),
    /// The scale-out backend.
    Pg(PgConnection),
}

/// Opens connections of the backend the URL names (never by trial: SQLite
/// accepts any string as a file name).
#[derive(Clone, Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    sync: SqliteSync,
}

/// Why a connection could not be opened or prepared.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The server refused or the file could not be opened.
    #[error(transparent)]
    Connection(#[from] diesel::ConnectionError),
    /// A PRAGMA or ping failed.
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

impl ConnectionManager {
    /// A manager for `url`.
    pub fn new(url: DatabaseUrl, sync: SqliteSync) -> Self {
        Self { url, sync }
    }

    /// Opens one connection, with SQLite's per-connection settings applied.
    pub fn open(&self) -> Result<DbConnection, ConnectError> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut c = SqliteConnection::establish(&path.to_string_lossy())?;
                let sync = match self.sync {
                    SqliteSync::Normal => "NORMAL",
                    SqliteSync::Full => "FULL",
                };
                // busy_timeout first, so that the WAL switch itself waits for a lock.
                diesel::sql_query("PRAGMA busy_timeout = 10000").execute(&mut c)?;
                diesel::sql_query("PRAGMA journal_mode = WAL").execute(&mut c)?;
                diesel::sql_query(format!("PRAGMA synchronous = {sync}")).execute(&mut c)?;
                diesel::sql_query("PRAGMA foreign_keys = ON").execute(&mut c)?;
                Ok(DbConnection::Sqlite(c))
            }
            DatabaseUrl::Postgres(url) => Ok(DbConnection::Pg(PgConnection::establish(url)?)),
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        self.open()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        diesel::sql_query("SELECT 1").execute(conn)?;
        Ok(())
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// A pooled connection.
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// The pools. On SQLite, writes go through a single dedicated connection so
/// writers queue in the process instead of failing on the file lock; reads
/// use the others. On PostgreSQL both are the same pool.
#[derive(Clone)]
pub struct Db {
    read: r2d2::Pool<ConnectionManager>,
    write: r2d2::Pool<ConnectionManager>,
    is_postgres: bool,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("is_postgres", &self.is_postgres).finish()
    }
}

/// Pool or migration failure at start.
#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    /// The pool could not get its first connection.
    #[error("cannot connect to the database: {0}")]
    Pool(#[from] r2d2::Error),
    /// The data directory could not be created.
    #[error("cannot create the directory for the database: {0}")]
    Io(#[from] std::io::Error),
    /// A migration failed.
    #[error("migrations failed: {0}")]
    Migration(String),
}

impl Db {
    /// Connects (creating the SQLite file and its directory if needed).
    ///
    /// Connections are opened on demand and kept (`min_idle` 0): r2d2 opens
    /// connections on its own threads, and a background refill still inside
    /// libpq when a short command exits crashed the process in OpenSSL's exit
    /// handlers (seen with `hoithi users import` on PostgreSQL).
    pub fn connect(url: &DatabaseUrl, sync: SqliteSync, pool_size: u32) -> Result<Self, DbSetupError> {
        let manager = ConnectionManager::new(url.clone(), sync);
        let timeout = Duration::from_secs(30);
        match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
                // The writer first: it switches the file to WAL before readers open it.
                let write = r2d2::Pool::builder().max_size(1).connection_timeout(timeout).build(manager.clone())?;
                let read = r2d2::Pool::builder()
                    .max_size(pool_size)
                    .min_idle(Some(0))
                    .connection_timeout(timeout)
                    .build(manager)?;
                Ok(Self { read, write, is_postgres: false })
            }
            DatabaseUrl::Postgres(_) => {
                let pool = r2d2::Pool::builder()
                    .max_size(pool_size)
                    .min_idle(Some(0))
                    .connection_timeout(timeout)
                    .build(manager)?;
                Ok(Self { read: pool.clone(), write: pool, is_postgres: true })
            }
        }
    }

    /// True on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.is_postgres
    }

    /// A connection for reading.
    pub fn reader(&self) -> Result<PooledConnection, r2d2::Error> {
        self.read.get()
    }

    /// The connection for writing (on SQLite the only one).
    pub fn writer(&self) -> Result<PooledConnection, r2d2::Error> {
        self.write.get()
    }

    /// Pool figures for `/metrics`: (connections, idle) of the read and write pools.
    pub fn pool_state(&self) -> [(&'static str, u32, u32); 2] {
        let r = self.read.state();
        let w = self.write.state();
        [("read", r.connections, r.idle_connections), ("write", w.connections, w.idle_connections)]
    }

    /// Runs the pending migrations of this backend.
    pub fn migrate(&self) -> Result<usize, DbSetupError> {
        let mut conn = self.writer()?;
        run_migrations(&mut conn).map_err(DbSetupError::Migration)
    }
}

/// Runs the pending migrations on one connection; returns how many ran.
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, String> {
    let done = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
    };
    done.map_err(|e| e.to_string())
}

/// The current time in UTC, as stored.
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}
