//! Units: the hierarchy people and statistics hang on.

use std::collections::HashMap;

use diesel::prelude::*;

use super::audit::{Actor, insert_audit};
use super::{DbConnection, schema::units};
use crate::domain::units::UnitRow;

/// What a units file sets on a unit, on insert and on update alike (its
/// code identifies it and never changes).
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = units, treat_none_as_null = true)]
struct UnitForm<'a> {
    name: &'a str,
    kind: &'a str,
    parent_id: Option<i64>,
    staff_count: i32,
    population: Option<i32>,
}

impl<'a> UnitForm<'a> {
    fn of(row: &'a UnitRow, parent_id: Option<i64>) -> Self {
        UnitForm {
            name: &row.name,
            kind: &row.kind,
            parent_id,
            staff_count: row.staff_count,
            population: row.population,
        }
    }
}

/// A stored unit.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = units)]
pub struct Unit {
    /// Row id.
    pub id: i64,
    /// Stable code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Level, as data.
    pub kind: String,
    /// The parent's id.
    pub parent_id: Option<i64>,
    /// Officials expected to take part.
    pub staff_count: i32,
    /// Residents.
    pub population: Option<i32>,
}

/// Every unit, by code.
pub fn list_units(conn: &mut DbConnection) -> QueryResult<Vec<Unit>> {
    units::table.order(units::code.asc()).select(Unit::as_select()).load(conn)
}

/// How many units are stored.
pub fn count_units(conn: &mut DbConnection) -> QueryResult<i64> {
    units::table.count().get_result(conn)
}

/// One unit by code.
pub fn find_unit_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<Option<Unit>> {
    units::table.filter(units::code.eq(code)).select(Unit::as_select()).first(conn).optional()
}

/// One unit by id.
pub fn find_unit(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Unit>> {
    units::table.find(id).select(Unit::as_select()).first(conn).optional()
}

/// Stored units as code → parent code (what `plan_import` checks against).
pub fn parent_codes(all: &[Unit]) -> HashMap<String, Option<String>> {
    let code_of: HashMap<i64, &str> = all.iter().map(|u| (u.id, u.code.as_str())).collect();
    all.iter().map(|u| (u.code.clone(), u.parent_id.and_then(|p| code_of.get(&p).map(|c| c.to_string())))).collect()
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UnitImportReport {
    /// New units.
    pub inserted: usize,
    /// Units whose fields changed.
    pub updated: usize,
    /// Units already as in the file.
    pub unchanged: usize,
}

/// Writes checked rows (parents first, from `plan_import`) in one
/// transaction: new codes are inserted, known codes updated.
pub fn import_units(conn: &mut DbConnection, ordered: &[&UnitRow], actor: &Actor) -> QueryResult<UnitImportReport> {
    conn.transaction(|conn| {
        let mut report = UnitImportReport::default();
        let mut id_of: HashMap<String, i64> = HashMap::new();
        let existing: HashMap<String, Unit> = list_units(conn)?.into_iter().map(|u| (u.code.clone(), u)).collect();
        for u in existing.values() {
            id_of.insert(u.code.clone(), u.id);
        }
        for row in ordered {
            let parent_id = match &row.parent_code {
                Some(p) => Some(*id_of.get(p).ok_or(diesel::result::Error::NotFound)?),
                None => None,
            };
            match existing.get(&row.code) {
                Some(u) => {
                    let same = u.name == row.name
                        && u.kind == row.kind
                        && u.parent_id == parent_id
                        && u.staff_count == row.staff_count
                        && u.population == row.population;
                    if same {
                        report.unchanged += 1;
                        continue;
                    }
                    diesel::update(units::table.find(u.id)).set(UnitForm::of(row, parent_id)).execute(conn)?;
                    report.updated += 1;
                }
                None => {
                    let id: i64 = diesel::insert_into(units::table)
                        .values((units::code.eq(&row.code), UnitForm::of(row, parent_id)))
                        .returning(units::id)
                        .get_result(conn)?;
                    id_of.insert(row.code.clone(), id);
                    report.inserted += 1;
                }
            }
        }
        insert_audit(
            conn,
            actor,
            "units.import",
            "units",
            &format!("thêm {}, cập nhật {}, giữ nguyên {}", report.inserted, report.updated, report.unchanged),
        )?;
        Ok(report)
    })
}
