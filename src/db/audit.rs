//! The audit log: who changed what, when and why.

use diesel::prelude::*;

use super::{DbConnection, now, schema::audit_log};

/// One audit entry.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    /// Row id.
    pub id: i64,
    /// When (UTC).
    pub at: chrono::NaiveDateTime,
    /// The acting user, if any (the CLI acts as nobody).
    pub actor_id: Option<i64>,
    /// The actor's username, or `cli`.
    pub actor: String,
    /// What was done, e.g. `user.disable`.
    pub action: String,
    /// What it was done to, e.g. `user:canbo01`.
    pub subject: String,
    /// Details (reason, old and new values).
    pub detail: String,
}

/// Who did it.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user's id; `None` for the operator CLI.
    pub id: Option<i64>,
    /// The username or `cli`.
    pub name: String,
}

impl Actor {
    /// The operator at the command line.
    pub fn cli() -> Self {
        Actor { id: None, name: "cli".into() }
    }
}

/// Records an action (inside the caller's transaction).
pub fn insert_audit(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    subject: &str,
    detail: &str,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(now()),
            audit_log::actor_id.eq(actor.id),
            audit_log::actor.eq(&actor.name),
            audit_log::action.eq(action),
            audit_log::subject.eq(subject),
            audit_log::detail.eq(detail),
        ))
        .execute(conn)?;
    Ok(())
}

/// The newest entries first.
pub fn list_audit(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<AuditEntry>> {
    audit_log::table.order(audit_log::id.desc()).limit(limit).select(AuditEntry::as_select()).load(conn)
}
