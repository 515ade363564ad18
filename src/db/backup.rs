//! Online backup of a live SQLite database.

use std::path::Path;

use diesel::prelude::*;

use super::DbConnection;

/// Why a backup could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// PostgreSQL is backed up with its own tools.
    #[error("hoithi backup chỉ dùng cho SQLite; với PostgreSQL hãy dùng pg_dump (xem README)")]
    Postgres,
    /// The target exists already.
    #[error("tệp đích {0} đã tồn tại; chọn tên khác để không ghi đè")]
    Exists(String),
    /// SQLite refused.
    #[error("sao lưu thất bại: {0}")]
    Query(#[from] diesel::result::Error),
}

/// Writes a consistent copy of the live database to `dest` with
/// `VACUUM INTO` (readers and the server's writer keep working meanwhile).
pub fn backup_sqlite(conn: &mut DbConnection, dest: &Path) -> Result<(), BackupError> {
    let DbConnection::Sqlite(c) = conn else {
        return Err(BackupError::Postgres);
    };
    if dest.exists() {
        return Err(BackupError::Exists(dest.display().to_string()));
    }
    let path = dest.to_string_lossy().replace('\'', "''");
    diesel::sql_query(format!("VACUUM INTO '{path}'")).execute(c)?;
    Ok(())
}
