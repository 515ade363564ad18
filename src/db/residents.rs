//! Residents' entries: registration (one per phone in a contest), lookup by
//! phone for another device, new codes, the organizer's search.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::attempts::Participant;
use super::schema::participants;

/// A resident's entry as registered.
#[derive(Insertable)]
#[diesel(table_name = participants)]
pub struct NewResident<'a> {
    /// The contest.
    pub contest_id: i64,
    /// HMAC of the participant code.
    pub code: &'a str,
    /// Full name.
    pub full_name: &'a str,
    /// Birth year.
    pub birth_year: i32,
    /// Phone as `0xxxxxxxxx`.
    pub phone: &'a str,
    /// HMAC of the CCCD number.
    pub id_number_hmac: Option<&'a str>,
    /// Its last 4 digits.
    pub id_last4: Option<&'a str>,
    /// The chosen unit.
    pub unit_id: i64,
    /// Registered (UTC).
    pub created_at: NaiveDateTime,
    /// The device that registered.
    pub device_id: &'a str,
    /// When consent was given (UTC).
    pub consented_at: NaiveDateTime,
}

/// Registers a resident; `Ok(None)` when the phone already has an entry in
/// the contest (nothing is created).
pub fn insert_resident(conn: &mut DbConnection, r: &NewResident<'_>) -> QueryResult<Option<Participant>> {
    if find_resident_by_phone(conn, r.contest_id, r.phone)?.is_some() {
        return Ok(None);
    }
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(participants::table).values(r).returning(participants::id).get_result::<i64>(conn)
    });
    match inserted {
        Ok(id) => super::attempts::find_participant(conn, id).map(Some),
        // Two registrations of one phone at once: the unique index decides.
        Err(e) if super::is_retryable(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The entry of a phone in a contest.
pub fn find_resident_by_phone(
    conn: &mut DbConnection,
    contest_id: i64,
    phone: &str,
) -> QueryResult<Option<Participant>> {
    participants::table
        .filter(participants::contest_id.eq(contest_id))
        .filter(participants::phone.eq(phone))
        .select(Participant::as_select())
        .first(conn)
        .optional()
}

/// Entries by id (those that exist).
pub fn participants_by_ids(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Participant>> {
    participants::table.filter(participants::id.eq_any(ids)).select(Participant::as_select()).load(conn)
}

/// Replaces an entry's code (stored as its HMAC).
pub fn set_code(conn: &mut DbConnection, id: i64, code_hmac: &str) -> QueryResult<()> {
    diesel::update(participants::table.find(id)).set(participants::code.eq(code_hmac)).execute(conn)?;
    Ok(())
}

/// Residents of a contest whose phone, name or id matches `q` (at most 50,
/// newest first); every resident when `q` is empty.
pub fn search_residents(conn: &mut DbConnection, contest_id: i64, q: &str) -> QueryResult<Vec<Participant>> {
    let mut query = participants::table
        .filter(participants::contest_id.eq(contest_id))
        .filter(participants::user_id.is_null())
        .into_boxed();
    let q = q.trim();
    if !q.is_empty() {
        let pattern = format!("%{}%", q.replace(['%', '_', '\\'], ""));
        let by_phone = crate::domain::resident::parse_phone(q).unwrap_or_default();
        let id: i64 = q.parse().unwrap_or(-1);
        query = query.filter(
            participants::full_name.like(pattern).or(participants::phone.eq(by_phone)).or(participants::id.eq(id)),
        );
    }
    query.order(participants::id.desc()).limit(50).select(Participant::as_select()).load(conn)
}

/// How many entries a device registered in a contest.
pub fn count_by_device(conn: &mut DbConnection, contest_id: i64, device_id: &str) -> QueryResult<i64> {
    participants::table
        .filter(participants::contest_id.eq(contest_id))
        .filter(participants::device_id.eq(device_id))
        .count()
        .get_result(conn)
}

/// Clears the residents' personal data of a contest: phone, birth year, the
/// CCCD's HMAC and last digits, the code and the device; names become their
/// masked form. Units, attempts, scores and boards stay. Returns how many
/// entries were purged; logged in the same transaction.
pub fn purge_personal_data(
    conn: &mut DbConnection,
    contest_id: i64,
    at: NaiveDateTime,
    actor: &super::audit::Actor,
    subject: &str,
) -> QueryResult<usize> {
    use super::schema::contests;
    conn.transaction(|conn| {
        let residents: Vec<(i64, String)> = participants::table
            .filter(participants::contest_id.eq(contest_id))
            .filter(participants::user_id.is_null())
            .select((participants::id, participants::full_name))
            .load(conn)?;
        for (id, name) in &residents {
            diesel::update(participants::table.find(id))
                .set((
                    participants::full_name.eq(crate::domain::people::mask_name(name)),
                    participants::phone.eq(None::<String>),
                    participants::birth_year.eq(None::<i32>),
                    participants::id_number_hmac.eq(None::<String>),
                    participants::id_last4.eq(None::<String>),
                    participants::code.eq(None::<String>),
                    participants::device_id.eq(None::<String>),
                ))
                .execute(conn)?;
        }
        diesel::update(contests::table.find(contest_id)).set(contests::purged_at.eq(at)).execute(conn)?;
        super::audit::insert_audit(
            conn,
            actor,
            "contest.purge",
            subject,
            &format!("{} người dự thi", residents.len()),
        )?;
        Ok(residents.len())
    })
}
