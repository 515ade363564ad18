//! Accounts.

use diesel::prelude::*;

use super::audit::{Actor, insert_audit};
use super::{DbConnection, now, schema::units, schema::users};
use crate::domain::contact::search_key;
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
                users::search_key.eq(search_key(new.username, new.full_name, new.email, new.phone)),
            ))
            .returning(users::id)
            .get_result(conn)?;
        let user = users::table.find(id).select(User::as_select()).first(conn)?;
        insert_audit(conn, actor, "user.create", &format!("user:{}", new.username), new.role.label())?;
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

/// How many accounts there are.
pub fn count_users(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

/// One word of a search on the users page: it is in the account's search
/// key, or the account's unit is one of `units` (those whose code or name
/// holds the word).
#[derive(Clone, Debug, Default)]
pub struct SearchWord {
    /// The folded word (see `domain::contact::search_words`).
    pub word: String,
    /// Units matching the word.
    pub units: Vec<i64>,
}

fn matching(words: &[SearchWord]) -> users::BoxedQuery<'_, super::MultiBackend> {
    let mut q = users::table.into_boxed();
    for w in words {
        let mut escaped = String::with_capacity(w.word.len());
        for c in w.word.chars() {
            if matches!(c, '%' | '_' | '\\') {
                escaped.push('\\');
            }
            escaped.push(c);
        }
        let like = users::search_key.like(format!("%{escaped}%")).escape('\\');
        q = if w.units.is_empty() {
            q.filter(like)
        } else {
            q.filter(like.or(users::unit_id.assume_not_null().eq_any(w.units.clone())))
        };
    }
    q
}

/// How many accounts match every word (all accounts without words).
pub fn count_matching_users(conn: &mut DbConnection, words: &[SearchWord]) -> QueryResult<i64> {
    matching(words).count().get_result(conn)
}

/// A page of the accounts matching every word, by username.
pub fn search_users(
    conn: &mut DbConnection,
    words: &[SearchWord],
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<UserListItem>> {
    let ids: Vec<i64> =
        matching(words).order(users::username.asc()).select(users::id).offset(offset).limit(limit).load(conn)?;
    let rows: Vec<(User, Option<(String, String)>)> = users::table
        .left_join(units::table)
        .filter(users::id.eq_any(&ids))
        .order(users::username.asc())
        .select((User::as_select(), (units::code, units::name).nullable()))
        .load(conn)?;
    Ok(rows.into_iter().map(|(user, unit)| UserListItem { user, unit }).collect())
}

/// Changes an account's name, email and phone (recorded with the fields changed).
pub fn update_contact(
    conn: &mut DbConnection,
    id: i64,
    full_name: &str,
    email: Option<&str>,
    phone: Option<&str>,
    actor: &Actor,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        let user = users::table.find(id).select(User::as_select()).first(conn)?;
        let mut changed = Vec::new();
        if user.full_name != full_name {
            changed.push("họ và tên");
        }
        if user.email.as_deref() != email {
            changed.push("email");
        }
        if user.phone.as_deref() != phone {
            changed.push("số điện thoại");
        }
        if changed.is_empty() {
            return Ok(());
        }
        diesel::update(users::table.find(id))
            .set((
                users::full_name.eq(full_name),
                users::email.eq(email),
                users::phone.eq(phone),
                users::search_key.eq(search_key(&user.username, full_name, email, phone)),
                users::updated_at.eq(now()),
            ))
            .execute(conn)?;
        insert_audit(conn, actor, "user.update", &format!("user:{}", user.username), &changed.join(", "))
    })
}

/// Gives a search key to the accounts from before search keys; returns how many.
pub fn fill_search_keys(conn: &mut DbConnection) -> QueryResult<usize> {
    let rows: Vec<User> = users::table.filter(users::search_key.eq("")).select(User::as_select()).load(conn)?;
    for u in &rows {
        let key = search_key(&u.username, &u.full_name, u.email.as_deref(), u.phone.as_deref());
        diesel::update(users::table.find(u.id)).set(users::search_key.eq(key)).execute(conn)?;
    }
    Ok(rows.len())
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

/// The usernames of accounts, by id.
pub fn usernames(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<std::collections::HashMap<i64, String>> {
    let rows: Vec<(i64, String)> =
        users::table.filter(users::id.eq_any(ids)).select((users::id, users::username)).load(conn)?;
    Ok(rows.into_iter().collect())
}
