//! The write `/healthz` makes: a database that cannot commit (read-only,
//! full, locked for longer than a request may wait) is not healthy.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::health_checks;

/// Records a health check: one row, written and committed.
pub fn record_check(conn: &mut DbConnection, at: NaiveDateTime) -> QueryResult<()> {
    let n = diesel::update(health_checks::table.find(1)).set(health_checks::checked_at.eq(at)).execute(conn)?;
    if n == 0 {
        diesel::insert_into(health_checks::table)
            .values((health_checks::id.eq(1), health_checks::checked_at.eq(at)))
            .execute(conn)?;
    }
    Ok(())
}
