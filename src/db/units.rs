//! Units: the hierarchy people and statistics hang on.

use std::collections::HashMap;

use diesel::prelude::*;

use super::audit::{Actor, insert_audit};
use super::{DbConnection, schema::units};
use crate::domain::units::{UnitRow, kind_label_for};

/// What a units file sets on a unit, on insert and on update alike (its
/// code identifies it and never changes).
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = units, treat_none_as_null = true)]
struct UnitForm<'a> {
    name: &'a str,
    kind: &'a str,
    kind_label: &'a str,
    parent_id: Option<i64>,
    staff_count: i32,
    population: Option<i32>,
}

impl<'a> UnitForm<'a> {
    fn of(row: &'a UnitRow, kind_label: &'a str, parent_id: Option<i64>) -> Self {
        UnitForm {
            name: &row.name,
            kind: &row.kind,
            kind_label,
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
    /// How pages name the kind (from the units file; '' until known).
    pub kind_label: String,
}

impl Unit {
    /// The kind as pages name it: the file's name for it, else the kind as written.
    pub fn kind_name(&self) -> &str {
        if self.kind_label.is_empty() { &self.kind } else { &self.kind_label }
    }
}

/// Every kind of unit stored, each with its name, in the order of the
/// units (the top of the tree first).
pub fn unit_kinds(all: &[Unit]) -> Vec<(String, String)> {
    let parent: HashMap<i64, Option<i64>> = all.iter().map(|u| (u.id, u.parent_id)).collect();
    // Bounded by the number of units: a cycle (which imports refuse) cannot loop.
    let depth = |u: &Unit| {
        let mut d = 0;
        let mut cur = u.parent_id;
        while let Some(p) = cur.filter(|_| d < all.len()) {
            d += 1;
            cur = parent.get(&p).copied().flatten();
        }
        d
    };
    let mut kinds: Vec<(usize, String, String)> = Vec::new();
    for u in all {
        let d = depth(u);
        match kinds.iter_mut().find(|k| k.1 == u.kind) {
            Some(k) => k.0 = k.0.min(d),
            None => kinds.push((d, u.kind.clone(), u.kind_name().to_string())),
        }
    }
    kinds.sort_by(|a, b| (a.0, &a.2).cmp(&(b.0, &b.2)));
    kinds.into_iter().map(|(_, k, l)| (k, l)).collect()
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
        let stored_labels: HashMap<String, String> = existing
            .values()
            .filter(|u| !u.kind_label.is_empty())
            .map(|u| (u.kind.clone(), u.kind_label.clone()))
            .collect();
        for row in ordered {
            let parent_id = match &row.parent_code {
                Some(p) => Some(*id_of.get(p).ok_or(diesel::result::Error::NotFound)?),
                None => None,
            };
            let label = kind_label_for(row, &stored_labels);
            match existing.get(&row.code) {
                Some(u) => {
                    let same = u.name == row.name
                        && u.kind == row.kind
                        && u.kind_label == label
                        && u.parent_id == parent_id
                        && u.staff_count == row.staff_count
                        && u.population == row.population;
                    if same {
                        report.unchanged += 1;
                        continue;
                    }
                    diesel::update(units::table.find(u.id)).set(UnitForm::of(row, &label, parent_id)).execute(conn)?;
                    report.updated += 1;
                }
                None => {
                    let id: i64 = diesel::insert_into(units::table)
                        .values((units::code.eq(&row.code), UnitForm::of(row, &label, parent_id)))
                        .returning(units::id)
                        .get_result(conn)?;
                    id_of.insert(row.code.clone(), id);
                    report.inserted += 1;
                }
            }
        }
        // A kind the file names reads the same on every unit of that kind,
        // those the file leaves out included.
        let mut named: Vec<(&str, &str)> =
            ordered.iter().filter_map(|r| r.kind_label.as_deref().map(|l| (r.kind.as_str(), l))).collect();
        named.sort_unstable();
        named.dedup();
        for (kind, label) in named {
            diesel::update(units::table.filter(units::kind.eq(kind)).filter(units::kind_label.ne(label)))
                .set(units::kind_label.eq(label))
                .execute(conn)?;
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

/// Names the kinds of units stored without a name (rows from before kind
/// names), from `files` (the shipped units) where they have the kind;
/// returns how many units were named.
pub fn fill_kind_labels(conn: &mut DbConnection, files: &[UnitRow]) -> QueryResult<usize> {
    let unnamed: Vec<String> =
        units::table.filter(units::kind_label.eq("")).select(units::kind).distinct().load(conn)?;
    let mut n = 0;
    for kind in unnamed {
        if let Some(label) = files.iter().find(|r| r.kind == kind).and_then(|r| r.kind_label.as_deref()) {
            n += diesel::update(units::table.filter(units::kind.eq(&kind)).filter(units::kind_label.eq("")))
                .set(units::kind_label.eq(label))
                .execute(conn)?;
        }
    }
    Ok(n)
}
