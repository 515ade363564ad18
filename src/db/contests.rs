//! Contests and rounds, and the frozen question pool of a published round.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit::{Actor, insert_audit};
use super::schema::{attempts, banks, contests, questions, round_pool, rounds};
use super::{DbConnection, now};
use crate::domain::paper::{Blueprint, BlueprintRow, PoolQuestion};

/// A stored contest.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
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
    /// `officials`, `public` or `both`.
    pub audience: String,
    /// Reserved.
    pub status: String,
    /// Officials' names on public boards (else masked).
    pub show_names: bool,
    /// The organizer who owns it.
    pub owner_id: Option<i64>,
    /// Created (UTC).
    pub created_at: NaiveDateTime,
    /// Changed (UTC).
    pub updated_at: NaiveDateTime,
}

/// A stored round.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = rounds)]
pub struct Round {
    /// Row id.
    pub id: i64,
    /// The contest.
    pub contest_id: i64,
    /// 1, 2, … within the contest.
    pub number: i32,
    /// Title ("Tuần 1").
    pub title: String,
    /// Opens (UTC).
    pub opens_at: NaiveDateTime,
    /// Closes (UTC).
    pub closes_at: NaiveDateTime,
    /// Time allowed per attempt.
    pub duration_s: i32,
    /// JSON blueprint rows.
    pub blueprint: String,
    /// Attempts per participant (the best counts).
    pub attempts_allowed: i32,
    /// Seconds after the deadline an answer still counts.
    pub grace_s: i32,
    /// Points per correct answer.
    pub points_per_question: i32,
    /// The "how many will score full marks?" question.
    pub prediction: bool,
    /// `after_submit`, `after_close` or `never`.
    pub reveal_policy: String,
    /// Unlimited attempts, never ranked.
    pub practice: bool,
    /// `draft` or `published`.
    pub status: String,
    /// When prediction errors were made final (after close).
    pub finalized_at: Option<NaiveDateTime>,
    /// Created (UTC).
    pub created_at: NaiveDateTime,
    /// Changed (UTC).
    pub updated_at: NaiveDateTime,
}

impl Round {
    /// The blueprint rows (validated when stored).
    pub fn blueprint_rows(&self) -> Vec<BlueprintRow> {
        serde_json::from_str(&self.blueprint).unwrap_or_default()
    }

    /// Whether people can start it at `t`.
    pub fn is_open(&self, t: NaiveDateTime) -> bool {
        self.status == "published" && self.opens_at <= t && t < self.closes_at
    }

    /// Whether it has closed at `t` (boards are final).
    pub fn is_closed(&self, t: NaiveDateTime) -> bool {
        self.status == "published" && t >= self.closes_at
    }

    /// The state shown to people.
    pub fn phase(&self, t: NaiveDateTime) -> &'static str {
        if self.status != "published" {
            "draft"
        } else if t < self.opens_at {
            "scheduled"
        } else if t < self.closes_at {
            "open"
        } else {
            "closed"
        }
    }
}

/// A new or changed contest's fields.
#[derive(Debug, Clone)]
pub struct ContestFields {
    /// Slug (only used on insert).
    pub slug: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Rules (Markdown).
    pub rules: String,
    /// Audience.
    pub audience: String,
    /// Show officials' names.
    pub show_names: bool,
}

/// Inserts a contest; `Ok(None)` when the slug is taken.
pub fn insert_contest(conn: &mut DbConnection, f: &ContestFields, owner: &Actor) -> QueryResult<Option<Contest>> {
    conn.transaction(|conn| {
        if find_contest(conn, &f.slug)?.is_some() {
            return Ok(None);
        }
        let t = now();
        diesel::insert_into(contests::table)
            .values((
                contests::slug.eq(&f.slug),
                contests::title.eq(&f.title),
                contests::description.eq(&f.description),
                contests::rules.eq(&f.rules),
                contests::audience.eq(&f.audience),
                contests::status.eq("active"),
                contests::show_names.eq(f.show_names),
                contests::owner_id.eq(owner.id),
                contests::created_at.eq(t),
                contests::updated_at.eq(t),
            ))
            .execute(conn)?;
        insert_audit(conn, owner, "contest.create", &format!("contest:{}", f.slug), "")?;
        find_contest(conn, &f.slug)
    })
}

/// Updates a contest's fields (not its slug).
pub fn update_contest(conn: &mut DbConnection, id: i64, f: &ContestFields, actor: &Actor) -> QueryResult<Contest> {
    conn.transaction(|conn| {
        diesel::update(contests::table.find(id))
            .set((
                contests::title.eq(&f.title),
                contests::description.eq(&f.description),
                contests::rules.eq(&f.rules),
                contests::audience.eq(&f.audience),
                contests::show_names.eq(f.show_names),
                contests::updated_at.eq(now()),
            ))
            .execute(conn)?;
        let c = contests::table.find(id).select(Contest::as_select()).first(conn)?;
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

/// A round's settings as entered.
#[derive(Debug, Clone)]
pub struct RoundFields {
    /// Title.
    pub title: String,
    /// Opens (UTC).
    pub opens_at: NaiveDateTime,
    /// Closes (UTC).
    pub closes_at: NaiveDateTime,
    /// Seconds per attempt.
    pub duration_s: i32,
    /// Checked blueprint.
    pub blueprint: Blueprint,
    /// Attempts allowed.
    pub attempts_allowed: i32,
    /// Grace seconds.
    pub grace_s: i32,
    /// Points per correct answer.
    pub points_per_question: i32,
    /// Prediction question on.
    pub prediction: bool,
    /// Reveal policy.
    pub reveal_policy: String,
    /// Practice round.
    pub practice: bool,
}

fn blueprint_json(b: &Blueprint) -> QueryResult<String> {
    serde_json::to_string(b).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
}

/// Inserts a draft round, numbered after the contest's last.
pub fn insert_round(conn: &mut DbConnection, contest_id: i64, f: &RoundFields, actor: &Actor) -> QueryResult<Round> {
    conn.transaction(|conn| {
        let last: Option<i32> = rounds::table
            .filter(rounds::contest_id.eq(contest_id))
            .select(diesel::dsl::max(rounds::number))
            .first(conn)?;
        let t = now();
        let id: i64 = diesel::insert_into(rounds::table)
            .values((
                rounds::contest_id.eq(contest_id),
                rounds::number.eq(last.unwrap_or(0) + 1),
                rounds::title.eq(&f.title),
                rounds::opens_at.eq(f.opens_at),
                rounds::closes_at.eq(f.closes_at),
                rounds::duration_s.eq(f.duration_s),
                rounds::blueprint.eq(blueprint_json(&f.blueprint)?),
                rounds::attempts_allowed.eq(f.attempts_allowed),
                rounds::grace_s.eq(f.grace_s),
                rounds::points_per_question.eq(f.points_per_question),
                rounds::prediction.eq(f.prediction),
                rounds::reveal_policy.eq(&f.reveal_policy),
                rounds::practice.eq(f.practice),
                rounds::status.eq("draft"),
                rounds::created_at.eq(t),
                rounds::updated_at.eq(t),
            ))
            .returning(rounds::id)
            .get_result(conn)?;
        insert_audit(conn, actor, "round.create", &format!("round:{id}"), &f.title)?;
        find_round(conn, id)
    })
}

/// Changes a round's settings; the caller checks that nobody started it.
/// A published round gets its pool drawn again.
pub fn update_round(conn: &mut DbConnection, id: i64, f: &RoundFields, actor: &Actor) -> QueryResult<Round> {
    conn.transaction(|conn| {
        diesel::update(rounds::table.find(id))
            .set((
                rounds::title.eq(&f.title),
                rounds::opens_at.eq(f.opens_at),
                rounds::closes_at.eq(f.closes_at),
                rounds::duration_s.eq(f.duration_s),
                rounds::blueprint.eq(blueprint_json(&f.blueprint)?),
                rounds::attempts_allowed.eq(f.attempts_allowed),
                rounds::grace_s.eq(f.grace_s),
                rounds::points_per_question.eq(f.points_per_question),
                rounds::prediction.eq(f.prediction),
                rounds::reveal_policy.eq(&f.reveal_policy),
                rounds::practice.eq(f.practice),
                rounds::updated_at.eq(now()),
            ))
            .execute(conn)?;
        let round = find_round(conn, id)?;
        if round.status == "published" {
            freeze_pool(conn, &round)?;
        }
        insert_audit(conn, actor, "round.update", &format!("round:{id}"), &f.title)?;
        Ok(round)
    })
}

/// One round.
pub fn find_round(conn: &mut DbConnection, id: i64) -> QueryResult<Round> {
    rounds::table.find(id).select(Round::as_select()).first(conn)
}

/// A contest's rounds by number.
pub fn list_rounds(conn: &mut DbConnection, contest_id: i64) -> QueryResult<Vec<Round>> {
    rounds::table
        .filter(rounds::contest_id.eq(contest_id))
        .order(rounds::number.asc())
        .select(Round::as_select())
        .load(conn)
}

/// Published rounds with their contests, by opening time.
pub fn list_published_rounds(conn: &mut DbConnection) -> QueryResult<Vec<(Round, Contest)>> {
    rounds::table
        .inner_join(contests::table)
        .filter(rounds::status.eq("published"))
        .order((rounds::opens_at.asc(), rounds::id.asc()))
        .select((Round::as_select(), Contest::as_select()))
        .load(conn)
}

/// Whether anyone has started the round.
pub fn round_has_attempts(conn: &mut DbConnection, round_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(attempts::table.filter(attempts::round_id.eq(round_id)))).get_result(conn)
}

/// How many active, non-voided questions each blueprint row can draw from.
pub fn pool_sizes(conn: &mut DbConnection, rows: &[BlueprintRow]) -> QueryResult<Vec<i64>> {
    rows.iter()
        .map(|r| {
            let mut q = questions::table
                .inner_join(banks::table)
                .filter(banks::slug.eq(&r.bank))
                .filter(questions::state.eq("active"))
                .filter(questions::voided.eq(false))
                .into_boxed();
            if let Some(d) = r.difficulty {
                q = q.filter(questions::difficulty.eq(d.as_str()));
            }
            q.count().get_result(conn)
        })
        .collect()
}

/// Freezes the pool of each blueprint row (the active questions now).
fn freeze_pool(conn: &mut DbConnection, round: &Round) -> QueryResult<()> {
    diesel::delete(round_pool::table.filter(round_pool::round_id.eq(round.id))).execute(conn)?;
    for (i, r) in round.blueprint_rows().iter().enumerate() {
        let mut q = questions::table
            .inner_join(banks::table)
            .filter(banks::slug.eq(&r.bank))
            .filter(questions::state.eq("active"))
            .filter(questions::voided.eq(false))
            .select(questions::id)
            .into_boxed();
        if let Some(d) = r.difficulty {
            q = q.filter(questions::difficulty.eq(d.as_str()));
        }
        let ids: Vec<i64> = q.load(conn)?;
        let rows: Vec<_> = ids
            .into_iter()
            .map(|qid| {
                (round_pool::round_id.eq(round.id), round_pool::row_index.eq(i as i32), round_pool::question_id.eq(qid))
            })
            .collect();
        // Multi-row inserts do not compile through the enum: one arm each.
        for chunk in rows.chunks(200) {
            match conn {
                DbConnection::Sqlite(c) => diesel::insert_into(round_pool::table).values(chunk).execute(c)?,
                DbConnection::Pg(c) => diesel::insert_into(round_pool::table).values(chunk).execute(c)?,
            };
        }
    }
    Ok(())
}

/// Publishes a round: its pool is frozen from the banks as they are now.
pub fn publish_round(conn: &mut DbConnection, id: i64, actor: &Actor) -> QueryResult<Round> {
    conn.transaction(|conn| {
        diesel::update(rounds::table.find(id))
            .set((rounds::status.eq("published"), rounds::updated_at.eq(now())))
            .execute(conn)?;
        let round = find_round(conn, id)?;
        freeze_pool(conn, &round)?;
        insert_audit(conn, actor, "round.publish", &format!("round:{id}"), "")?;
        Ok(round)
    })
}

/// Closes a round now: no new starts, and attempts in progress end now.
pub fn close_round(conn: &mut DbConnection, id: i64, at: NaiveDateTime, actor: &Actor) -> QueryResult<Round> {
    conn.transaction(|conn| {
        let round = find_round(conn, id)?;
        if round.closes_at > at {
            diesel::update(rounds::table.find(id))
                .set((rounds::closes_at.eq(at), rounds::updated_at.eq(now())))
                .execute(conn)?;
            diesel::update(
                attempts::table
                    .filter(attempts::round_id.eq(id))
                    .filter(attempts::state.eq("in_progress"))
                    .filter(attempts::deadline_at.gt(at)),
            )
            .set(attempts::deadline_at.eq(at))
            .execute(conn)?;
        }
        insert_audit(conn, actor, "round.close", &format!("round:{id}"), "")?;
        find_round(conn, id)
    })
}

/// The frozen pools of a round, one per blueprint row.
pub fn load_pools(conn: &mut DbConnection, round: &Round) -> QueryResult<Vec<Vec<PoolQuestion>>> {
    let rows: Vec<(i32, i64, String, bool)> = round_pool::table
        .inner_join(questions::table)
        .filter(round_pool::round_id.eq(round.id))
        .order((round_pool::row_index.asc(), round_pool::question_id.asc()))
        .select((round_pool::row_index, questions::id, questions::options, questions::fixed_order))
        .load(conn)?;
    let mut pools: Vec<Vec<PoolQuestion>> = vec![Vec::new(); round.blueprint_rows().len()];
    for (row, id, options, fixed) in rows {
        let n = serde_json::from_str::<Vec<String>>(&options).map(|o| o.len()).unwrap_or(0);
        if let Some(p) = pools.get_mut(row as usize) {
            p.push(PoolQuestion { id, options: n, fixed_order: fixed });
        }
    }
    Ok(pools)
}
