//! Contests.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit::{Actor, insert_audit};
use super::schema::contests;
use super::{DbConnection, now};
use crate::domain::contest::{Audience, ContestSettings, ContestStatus};
use crate::domain::resident::RegistrationRules;

/// A stored contest.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = contests)]
pub struct Contest {
    /// Row id.
    pub id: i64,
    /// Stable identifier in URLs.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Short description.
    pub description: String,
    /// Rules ("thể lệ"), Markdown.
    pub rules: String,
    /// Who takes part.
    #[diesel(deserialize_as = String)]
    pub audience: Audience,
    /// Officials' full names on public boards (else masked).
    pub show_names: bool,
    /// The organizer who owns it.
    pub owner_id: Option<i64>,
    /// Created (UTC).
    pub created_at: NaiveDateTime,
    /// Changed (UTC).
    pub updated_at: NaiveDateTime,
    /// What residents are asked.
    #[diesel(embed)]
    pub registration: StoredRegistration,
    /// When the residents' personal data was purged.
    pub purged_at: Option<NaiveDateTime>,
}

/// A contest's registration rules as stored.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = contests, treat_none_as_null = true)]
pub struct StoredRegistration {
    requires_id_number: bool,
    min_age: Option<i32>,
    unit_kinds: String,
}

impl StoredRegistration {
    fn of(r: &RegistrationRules) -> Self {
        Self { requires_id_number: r.requires_id_number, min_age: r.min_age, unit_kinds: r.kinds_stored() }
    }

    /// The rules.
    pub fn rules(&self) -> RegistrationRules {
        RegistrationRules {
            requires_id_number: self.requires_id_number,
            min_age: self.min_age,
            unit_kinds: self.unit_kinds.split(',').filter(|k| !k.is_empty()).map(str::to_string).collect(),
        }
    }
}

/// The columns a contest's settings fill, for both insert and update: a
/// new setting added here reaches both.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = contests)]
struct ContestForm<'a> {
    title: &'a str,
    description: &'a str,
    rules: &'a str,
    audience: &'static str,
    show_names: bool,
    updated_at: NaiveDateTime,
    #[diesel(embed)]
    registration: StoredRegistration,
}

impl<'a> ContestForm<'a> {
    fn of(s: &'a ContestSettings) -> Self {
        Self {
            title: &s.title,
            description: &s.description,
            rules: &s.rules,
            audience: s.audience.as_str(),
            show_names: s.show_names,
            updated_at: now(),
            registration: StoredRegistration::of(&s.registration),
        }
    }
}

/// Inserts a contest; `Ok(None)` when the slug is taken.
pub fn insert_contest(conn: &mut DbConnection, s: &ContestSettings, owner: &Actor) -> QueryResult<Option<Contest>> {
    conn.transaction(|conn| {
        if find_contest(conn, &s.slug)?.is_some() {
            return Ok(None);
        }
        diesel::insert_into(contests::table)
            .values((
                ContestForm::of(s),
                contests::slug.eq(&s.slug),
                contests::status.eq(ContestStatus::Active.as_str()),
                contests::owner_id.eq(owner.id),
                contests::created_at.eq(now()),
            ))
            .execute(conn)?;
        insert_audit(conn, owner, "contest.create", &format!("contest:{}", s.slug), "")?;
        find_contest(conn, &s.slug)
    })
}

/// Updates a contest's settings (not its slug or owner).
pub fn update_contest(conn: &mut DbConnection, id: i64, s: &ContestSettings, actor: &Actor) -> QueryResult<Contest> {
    conn.transaction(|conn| {
        diesel::update(contests::table.find(id)).set(ContestForm::of(s)).execute(conn)?;
        let c = find_contest_by_id(conn, id)?;
        insert_audit(conn, actor, "contest.update", &format!("contest:{}", c.slug), "")?;
        Ok(c)
    })
}

/// One contest by slug.
pub fn find_contest(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Contest>> {
    contests::table.filter(contests::slug.eq(slug)).select(Contest::as_select()).first(conn).optional()
}

/// One contest by id.
pub fn find_contest_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Contest> {
    contests::table.find(id).select(Contest::as_select()).first(conn)
}

/// Every contest, newest first.
pub fn list_contests(conn: &mut DbConnection) -> QueryResult<Vec<Contest>> {
    contests::table.order(contests::id.desc()).select(Contest::as_select()).load(conn)
}

impl Contest {
    /// The settings as stored (to edit them).
    pub fn settings(&self) -> ContestSettings {
        ContestSettings {
            slug: self.slug.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            rules: self.rules.clone(),
            audience: self.audience,
            show_names: self.show_names,
            registration: self.registration.rules(),
        }
    }
}
