//! Accounts.

use diesel::prelude::*;

use super::audit::{Actor, insert_audit};
use super::{DbConnection, now, schema::units, schema::users};
use crate::domain::people::Role;

/// A stored account.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Lower-case login name.
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Display name.
    pub full_name: String,
    /// What the account may do.
    #[diesel(deserialize_as = String)]
    pub role: Role,
    /// The unit (officials and unit managers).
    pub unit_id: Option<i64>,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
    /// Bumped when the password changes or the account is disabled: older sessions end.
    pub session_epoch: i32,
    /// Created (UTC).
    pub created_at: chrono::NaiveDateTime,
    /// Last changed (UTC).
    pub updated_at: chrono::NaiveDateTime,
    /// Contact email.
    pub email: Option<String>,
    /// Contact phone (`0xxxxxxxxx`).
    pub phone: Option<String>,
}

/// A user with their unit, for lists.
#[derive(Debug, Clone)]
pub struct UserListItem {
    /// The account.
    pub user: User,
    /// The unit's code and name.
    pub unit: Option<(String, String)>,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Lower-case login name.
    pub username: &'a str,
    /// argon2id PHC string.
    pub password_hash: &'a str,
    /// Display name.
    pub full_name: &'a str,
    /// Role.
    pub role: Role,
    /// Unit id.
    pub unit_id: Option<i64>,
    /// Contact email (checked).
    pub email: Option<&'a str>,
    /// Contact phone (checked, `0xxxxxxxxx`).
    pub phone: Option<&'a str>,
}

/// One user by username.
pub fn find_user_by_username(conn: &mut DbConnection, username: &str) -> QueryResult<Option<User>> {
    users::table.filter(users::username.eq(username)).select(User::as_select()).first(conn).optional()
}

/// One user by id.
pub fn find_user(conn: &mut DbConnection, id: i64) -> QueryResult<Option<User>> {
    users::table.find(id).select(User::as_select()).first(conn).optional()
}

/// How many users have a role.
pub fn count_users_with_role(conn: &mut DbConnection, role: Role) -> QueryResult<i64> {
    users::table.filter(users::role.eq(role.as_str())).count().get_result(conn)
}

/// Every user with their unit, by username.
pub fn list_users(conn: &mut DbConnection) -> QueryResult<Vec<UserListItem>> {
    let rows: Vec<(User, Option<(String, String)>)> = users::table
        .left_join(units::table)
        .order(users::username.asc())
        .select((User::as_select(), (units::code, units::name).nullable()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(user, unit)| UserListItem { user, unit }).collect())
}

/// Inserts an account and records it; `Ok(None)` when the username is taken.
pub fn insert_user(conn: &mut DbConnection, new: &NewUser<'_>, actor: &Actor) -> QueryResult<Option<User>> {
    conn.transaction(|conn| {
        if find_user_by_username(conn, new.username)?.is_some() {
            return Ok(None);
        }
        let t = now();
        let id: i64 = diesel::insert_into(users::table)
            .values((
                users::username.eq(new.username),
                users::password_hash.eq(new.password_hash),
                users::full_name.eq(new.full_name),
                users::role.eq(new.role.as_str()),
                users::unit_id.eq(new.unit_id),
                users::disabled.eq(false),
                users::session_epoch.eq(0),
                users::created_at.eq(t),
                users::updated_at.eq(t),
                users::email.eq(new.email),
                users::phone.eq(new.phone),
            ))
            .returning(users::id)
            .get_result(conn)?;
        let user = users::table.find(id).select(User::as_select()).first(conn)?;
        insert_audit(conn, actor, "user.create", &format!("user:{}", new.username), new.role.as_str())?;
        Ok(Some(user))
    })
}

/// Inserts every account in one transaction, or none: `Ok(Err(username))`
/// names the first username found taken (nothing is saved then).
pub fn insert_users(
    conn: &mut DbConnection,
    news: &[NewUser<'_>],
    actor: &Actor,
) -> QueryResult<Result<Vec<User>, String>> {
    let mut taken = None;
    let result = conn.transaction(|conn| {
        let mut created = Vec::with_capacity(news.len());
        for new in news {
            match insert_user(conn, new, actor)? {
                Some(u) => created.push(u),
                None => {
                    taken = Some(new.username.to_string());
                    return Err(diesel::result::Error::RollbackTransaction);
                }
            }
        }
        Ok(created)
    });
    match (result, taken) {
        (Err(diesel::result::Error::RollbackTransaction), Some(name)) => Ok(Err(name)),
        (r, _) => r.map(Ok),
    }
}

/// Every username (to make new ones that are free).
pub fn list_usernames(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    users::table.select(users::username).load(conn)
}

/// Disables or re-enables an account (ending all its sessions when disabling).
pub fn set_disabled(conn: &mut DbConnection, id: i64, disabled: bool, actor: &Actor) -> QueryResult<()> {
    conn.transaction(|conn| {
        let user = users::table.find(id).select(User::as_select()).first(conn)?;
        diesel::update(users::table.find(id))
            .set((
                users::disabled.eq(disabled),
                users::session_epoch.eq(user.session_epoch + i32::from(disabled)),
                users::updated_at.eq(now()),
            ))
            .execute(conn)?;
        if disabled {
            super::sessions::delete_user_sessions(conn, id, None)?;
        }
        let action = if disabled { "user.disable" } else { "user.enable" };
        insert_audit(conn, actor, action, &format!("user:{}", user.username), "")
    })
}

/// Sets a new password hash and ends the user's sessions except `keep`
/// (the device that changed it); returns the new epoch.
pub fn set_password(
    conn: &mut DbConnection,
    id: i64,
    hash: &str,
    actor: &Actor,
    action: &str,
    keep: Option<&str>,
) -> QueryResult<i32> {
    conn.transaction(|conn| {
        let user = users::table.find(id).select(User::as_select()).first(conn)?;
        let epoch = user.session_epoch + 1;
        diesel::update(users::table.find(id))
            .set((users::password_hash.eq(hash), users::session_epoch.eq(epoch), users::updated_at.eq(now())))
            .execute(conn)?;
        super::sessions::delete_user_sessions(conn, id, keep)?;
        insert_audit(conn, actor, action, &format!("user:{}", user.username), "")?;
        Ok(epoch)
    })
}

/// Moves an account to another unit, recording old and new unit codes.
pub fn move_to_unit(conn: &mut DbConnection, id: i64, unit_id: i64, actor: &Actor) -> QueryResult<()> {
    conn.transaction(|conn| {
        let user = users::table.find(id).select(User::as_select()).first(conn)?;
        let code_of = |conn: &mut DbConnection, uid: Option<i64>| -> QueryResult<String> {
            match uid {
                Some(uid) => units::table.find(uid).select(units::code).first(conn),
                None => Ok("-".into()),
            }
        };
        let old = code_of(conn, user.unit_id)?;
        let new = code_of(conn, Some(unit_id))?;
        diesel::update(users::table.find(id))
            .set((users::unit_id.eq(unit_id), users::updated_at.eq(now())))
            .execute(conn)?;
        insert_audit(conn, actor, "user.move", &format!("user:{}", user.username), &format!("{old} → {new}"))
    })
}
