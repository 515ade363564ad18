//! Storage: one connection type for SQLite and PostgreSQL, the pools,
//! embedded migrations, and plain sync query functions per aggregate.

pub mod attempts;
pub mod audit;
pub mod backup;
pub mod bank_plan;
pub mod banks;
pub mod boards;
pub mod contests;
pub mod entries;
pub mod fixes;
pub mod health;
pub mod item_stats;
pub mod password_sheets;
pub mod prizes;
pub mod residents;
pub mod rounds;
#[allow(missing_docs)]
pub mod schema;
pub mod sessions;
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

/// What a pool's connections are for: each gets its own limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolRole {
    /// Reads: short statement timeout, so a slow query cannot hold a page for long.
    Read,
    /// Writes: a bounded wait for row locks, so a stuck transaction ends in a 503, not a hang.
    Write,
}

/// How long a write waits for a lock (SQLite's busy timeout, PostgreSQL's
/// `lock_timeout`) before the request gets a 503.
pub const LOCK_WAIT: Duration = Duration::from_secs(5);
/// How long a request waits for a read connection.
pub const READ_CONNECTION_WAIT: Duration = Duration::from_secs(3);
/// How long a request waits for the write connection (SQLite) or a write connection (PostgreSQL).
pub const WRITE_CONNECTION_WAIT: Duration = Duration::from_secs(10);

/// Opens connections of the backend the URL names (never by trial: SQLite
/// accepts any string as a file name).
#[derive(Clone, Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    sync: SqliteSync,
    role: PoolRole,
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
    /// A manager for `url`, for connections of `role`.
    pub fn new(url: DatabaseUrl, sync: SqliteSync, role: PoolRole) -> Self {
        Self { url, sync, role }
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
                diesel::sql_query(format!("PRAGMA busy_timeout = {}", LOCK_WAIT.as_millis())).execute(&mut c)?;
                diesel::sql_query("PRAGMA journal_mode = WAL").execute(&mut c)?;
                diesel::sql_query(format!("PRAGMA synchronous = {sync}")).execute(&mut c)?;
                diesel::sql_query("PRAGMA foreign_keys = ON").execute(&mut c)?;
                Ok(DbConnection::Sqlite(c))
            }
            DatabaseUrl::Postgres(url) => {
                let mut c = PgConnection::establish(url)?;
                let limits = match self.role {
                    PoolRole::Read => "SET statement_timeout = '10s'".to_string(),
                    PoolRole::Write => {
                        format!("SET lock_timeout = '{}ms'; SET statement_timeout = '60s'", LOCK_WAIT.as_millis())
                    }
                };
                diesel::connection::SimpleConnection::batch_execute(&mut c, &limits)?;
                Ok(DbConnection::Pg(c))
            }
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
/// use the others. On PostgreSQL reads and writes have pools of their own,
/// so readers never queue for a connection behind writers waiting on a lock.
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
        let reads = ConnectionManager::new(url.clone(), sync, PoolRole::Read);
        let writes = ConnectionManager::new(url.clone(), sync, PoolRole::Write);
        // A SQLite connection is a file handle that cannot drop out: checking
        // it with `SELECT 1` on every checkout is a wasted statement per
        // request. A PostgreSQL connection can (a restarted server), and
        // `has_broken` cannot see a dead socket, so there the check stays.
        let test = matches!(url, DatabaseUrl::Postgres(_));
        let read_pool = |size: u32| {
            r2d2::Pool::builder()
                .max_size(size)
                .min_idle(Some(0))
                .test_on_check_out(test)
                .connection_timeout(READ_CONNECTION_WAIT)
                .build(reads)
        };
        match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)?;
                }
                // The writer first: it switches the file to WAL before readers open it.
                let write = r2d2::Pool::builder()
                    .max_size(1)
                    .test_on_check_out(false)
                    .connection_timeout(WRITE_CONNECTION_WAIT)
                    .build(writes)?;
                Ok(Self { read: read_pool(pool_size)?, write, is_postgres: false })
            }
            DatabaseUrl::Postgres(_) => {
                let write = r2d2::Pool::builder()
                    .max_size(pool_size)
                    .min_idle(Some(0))
                    .connection_timeout(WRITE_CONNECTION_WAIT)
                    .build(writes)?;
                Ok(Self { read: read_pool(pool_size)?, write, is_postgres: true })
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

/// The current time in UTC, to the microsecond, for bookkeeping columns
/// (`created_at`, the audit log). Contest rules go by the engine's clock.
pub fn now() -> chrono::NaiveDateTime {
    crate::clock::to_micros(chrono::Utc::now().naive_utc())
}

/// A JSON column's value.
pub fn to_json<T: serde::Serialize>(v: &T) -> QueryResult<String> {
    serde_json::to_string(v).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
}

/// A JSON column read back; a value that does not parse is an error, never a default.
pub fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> QueryResult<T> {
    serde_json::from_str(s).map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
}

/// Whether an error is a unique-constraint violation (two requests raced to
/// insert the same row) or a serialization failure: worth running the
/// transaction again.
pub fn is_retryable(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(e, Error::DatabaseError(DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::SerializationFailure, _))
}

/// Runs `f` in a transaction, again (up to three times in all) when it
/// fails on a race another request won ([`is_retryable`]).
pub fn transaction_retrying<T>(
    conn: &mut DbConnection,
    f: impl Fn(&mut DbConnection) -> QueryResult<T>,
) -> QueryResult<T> {
    let mut tries = 0;
    loop {
        tries += 1;
        match conn.transaction(|c| f(c)) {
            Err(e) if tries < 3 && is_retryable(&e) => continue,
            other => return other,
        }
    }
}

/// Locks a row of `rounds` for the rest of the transaction: `exclusive` for
/// a change to the round's pool, shared for a start that draws from it. On
/// PostgreSQL they exclude each other; on SQLite the single writer already
/// runs one write transaction at a time.
pub fn lock_round(conn: &mut DbConnection, round_id: i64, exclusive: bool) -> QueryResult<()> {
    use schema::rounds;
    if let DbConnection::Pg(c) = conn {
        let q = rounds::table.find(round_id).select(rounds::id);
        let _: i64 = if exclusive { q.for_update().first(c)? } else { q.for_share().first(c)? };
    }
    Ok(())
}
