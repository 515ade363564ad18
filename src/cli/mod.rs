//! Operator commands: `banks check|stats|lint|import|export`, `units import`, `users import`,
//! `backup`. Each returns the process exit code; problems are printed with
//! their file and line, and nothing is written when any is found.

mod banks;
mod lint;
mod people;

pub use banks::{
    ExportFormat, ImportChoice, bank_files, bank_meta_for, banks_check, banks_export, banks_import, banks_stats,
    check_bank_files, read_bank_file,
};
pub use lint::{banks_lint, lint_bank_files};
pub use people::{units_import, users_import};

use std::path::Path;

use crate::configuration::Settings;
use crate::db::{Db, backup};

/// Success.
pub const OK: i32 = 0;
/// Problems found in the input; nothing was changed.
pub const INPUT_ERRORS: i32 = 1;

fn open_db(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.database, settings.sqlite_sync, 2)?;
    db.migrate()?;
    Ok(db)
}

/// `hoithi backup FILE`: a consistent copy of the live SQLite database.
pub fn backup(settings: &Settings, dest: &Path) -> anyhow::Result<i32> {
    let db = open_db(settings)?;
    let mut conn = db.reader()?;
    match backup::backup_sqlite(&mut conn, dest) {
        Ok(()) => {
            println!("Đã sao lưu vào {}", dest.display());
            Ok(OK)
        }
        Err(e @ (backup::BackupError::Postgres | backup::BackupError::Exists(_))) => {
            println!("{e}");
            Ok(INPUT_ERRORS)
        }
        Err(e) => Err(e.into()),
    }
}
