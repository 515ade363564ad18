//! The unit hierarchy (province → agency or district → commune/ward, any
//! depth) and its CSV import format: the columns
//! `code,name,kind,parent_code,staff_count`, and optionally `population`
//! and `kind_label` (how pages name the kind: "Xã", "Sở, ban, ngành"),
//! in any order; lines starting with `#` are comments.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::text::nfc;

/// One unit as written in a CSV file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitRow {
    /// Stable identifier, e.g. `QN-LELOI`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Free text (`tinh`, `so_nganh`, `huyen`, `xa`…): levels are data.
    pub kind: String,
    /// How pages name the kind ("Xã"), from this row or another row of the
    /// same kind in the file; `None` when the file names it nowhere.
    pub kind_label: Option<String>,
    /// The parent's code; `None` for a root.
    pub parent_code: Option<String>,
    /// Officials expected to take part (the denominator of participation).
    pub staff_count: i32,
    /// Residents, for public rounds.
    pub population: Option<i32>,
    /// 1-based line in the file.
    pub line: usize,
}

#[derive(Deserialize)]
struct RawRow {
    code: String,
    name: String,
    kind: String,
    #[serde(default)]
    kind_label: Option<String>,
    #[serde(default)]
    parent_code: String,
    #[serde(default)]
    staff_count: String,
    #[serde(default)]
    population: Option<String>,
}

/// Whether a unit code is acceptable: 1–40 of `A–Z a–z 0–9 - _ .`.
pub fn is_unit_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// Parses a units CSV. Every problem is reported with its line.
pub fn parse_csv(file: &str, bytes: &[u8]) -> Result<Vec<UnitRow>, Vec<String>> {
    let mut reader =
        csv::ReaderBuilder::new().comment(Some(b'#')).trim(csv::Trim::All).flexible(false).from_reader(bytes);
    let mut errors = Vec::new();
    match reader.headers() {
        Ok(h) => {
            let names: Vec<&str> = h.iter().map(|s| s.trim_start_matches('\u{feff}')).collect();
            if let Err(m) = check_header(&names) {
                return Err(vec![format!("{file}: {m} (có: {})", names.join(","))]);
            }
        }
        Err(e) => return Err(vec![format!("{file}: không đọc được tệp CSV: {e}")]),
    }
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![format!("{file}: không đọc được tệp CSV: {e}")]),
    };
    let mut rows = Vec::new();
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(format!("{file}:{line}: dòng không hợp lệ: {}", csv_error_message(&e)));
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        let raw: RawRow = match record.deserialize(Some(&headers)) {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("{file}:{line}: dòng không hợp lệ: {}", csv_error_message(&e)));
                continue;
            }
        };
        let mut bad = |m: String| errors.push(format!("{file}:{line}: {m}"));
        let code = raw.code.trim().to_string();
        if !is_unit_code(&code) {
            bad(format!("mã đơn vị \"{code}\" không hợp lệ (chữ, số, '-', '_', '.'; tối đa 40 ký tự)"));
        }
        let name = nfc(raw.name.trim());
        if name.is_empty() {
            bad(format!("đơn vị \"{code}\" thiếu tên"));
        }
        let kind = raw.kind.trim().to_string();
        if kind.is_empty() {
            bad(format!("đơn vị \"{code}\" thiếu loại (kind)"));
        }
        let kind_label = raw.kind_label.as_deref().map(|l| nfc(l.trim())).filter(|l| !l.is_empty());
        if kind_label.as_ref().is_some_and(|l| l.chars().count() > MAX_KIND_LABEL) {
            bad(format!("tên loại đơn vị (kind_label) của \"{code}\" dài quá {MAX_KIND_LABEL} ký tự"));
        }
        let parse_count = |s: &str, what: &str| -> Result<Option<i32>, String> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            s.parse::<i32>()
                .ok()
                .filter(|n| *n >= 0)
                .map(Some)
                .ok_or_else(|| format!("{what} \"{s}\" phải là số nguyên không âm"))
        };
        let staff_count = match parse_count(&raw.staff_count, "staff_count") {
            Ok(n) => n.unwrap_or(0),
            Err(m) => {
                bad(m);
                0
            }
        };
        let population = match parse_count(raw.population.as_deref().unwrap_or(""), "population") {
            Ok(n) => n,
            Err(m) => {
                bad(m);
                None
            }
        };
        let parent = raw.parent_code.trim();
        rows.push(UnitRow {
            code,
            name,
            kind,
            kind_label,
            parent_code: (!parent.is_empty()).then(|| parent.to_string()),
            staff_count,
            population,
            line,
        });
    }
    if errors.is_empty() {
        share_kind_labels(file, &mut rows)?;
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Longest name of a unit kind.
pub const MAX_KIND_LABEL: usize = 100;

const REQUIRED: [&str; 5] = ["code", "name", "kind", "parent_code", "staff_count"];
const OPTIONAL: [&str; 2] = ["population", "kind_label"];

/// The header names every required column once and nothing unknown; the
/// order is free (old files have the required five first, then population).
fn check_header(names: &[&str]) -> Result<(), String> {
    let expected = "dòng tiêu đề phải gồm code,name,kind,parent_code,staff_count và có thể thêm population, kind_label";
    for (i, n) in names.iter().enumerate() {
        if !REQUIRED.contains(n) && !OPTIONAL.contains(n) {
            return Err(format!("{expected}; cột \"{n}\" không dùng được"));
        }
        if names[..i].contains(n) {
            return Err(format!("{expected}; cột \"{n}\" có hai lần"));
        }
    }
    match REQUIRED.iter().find(|r| !names.contains(r)) {
        Some(missing) => Err(format!("{expected}; thiếu cột \"{missing}\"")),
        None => Ok(()),
    }
}

/// A kind is named once for the file: rows that leave `kind_label` empty
/// take the name another row of their kind gives; two different names for
/// one kind are an error.
fn share_kind_labels(file: &str, rows: &mut [UnitRow]) -> Result<(), Vec<String>> {
    let mut named: HashMap<String, (String, usize)> = HashMap::new();
    let mut errors = Vec::new();
    for r in rows.iter() {
        let Some(label) = &r.kind_label else { continue };
        match named.get(&r.kind) {
            Some((first, line)) if first != label => errors.push(format!(
                "{file}:{}: loại \"{}\" đã được gọi là \"{first}\" ở dòng {line}, ở đây lại là \"{label}\"",
                r.line, r.kind
            )),
            Some(_) => {}
            None => {
                named.insert(r.kind.clone(), (label.clone(), r.line));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for r in rows.iter_mut().filter(|r| r.kind_label.is_none()) {
        r.kind_label = named.get(&r.kind).map(|(l, _)| l.clone());
    }
    Ok(())
}

/// How pages name a kind: the name the file gives, else the one already
/// stored for that kind, else the kind as the file writes it.
pub fn kind_label_for(row: &UnitRow, stored: &HashMap<String, String>) -> String {
    row.kind_label
        .clone()
        .or_else(|| stored.get(&row.kind).filter(|l| !l.is_empty()).cloned())
        .unwrap_or_else(|| row.kind.clone())
}

fn csv_error_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("có {len} cột, cần {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "không phải văn bản UTF-8".into(),
        _ => e.to_string(),
    }
}

/// Checks rows against the units already stored (`existing`: code → parent
/// code) and orders them parents first. Errors: duplicate codes in the file,
/// unknown parents, cycles (including ones closed through stored units).
pub fn plan_import<'a>(
    file: &str,
    existing: &HashMap<String, Option<String>>,
    rows: &'a [UnitRow],
) -> Result<Vec<&'a UnitRow>, Vec<String>> {
    let mut errors = Vec::new();
    let mut by_code: HashMap<&str, &UnitRow> = HashMap::new();
    for row in rows {
        if let Some(first) = by_code.insert(row.code.as_str(), row) {
            errors.push(format!("{file}:{}: mã đơn vị \"{}\" trùng với dòng {}", row.line, row.code, first.line));
        }
    }
    // The tree after the import: stored units, overridden by the file.
    let mut parent_of: HashMap<&str, Option<&str>> = existing.iter().map(|(c, p)| (c.as_str(), p.as_deref())).collect();
    for row in rows {
        parent_of.insert(row.code.as_str(), row.parent_code.as_deref());
    }
    for row in rows {
        if let Some(p) = &row.parent_code {
            if !parent_of.contains_key(p.as_str()) {
                errors.push(format!("{file}:{}: đơn vị cấp trên \"{p}\" của \"{}\" không tồn tại", row.line, row.code));
            } else if p == &row.code {
                errors.push(format!("{file}:{}: đơn vị \"{}\" không thể là cấp trên của chính nó", row.line, row.code));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Each cycle is reported once, whichever of its rows finds it.
    let mut reported: HashSet<Vec<&str>> = HashSet::new();
    for row in rows {
        let mut seen: Vec<&str> = vec![row.code.as_str()];
        let mut current = row.parent_code.as_deref();
        while let Some(code) = current {
            if let Some(pos) = seen.iter().position(|c| *c == code) {
                let cycle: Vec<&str> = seen[pos..].to_vec();
                let mut canonical = cycle.clone();
                canonical.sort_unstable();
                if reported.insert(canonical) {
                    errors.push(format!("{file}:{}: vòng lặp cấp trên: {} → {}", row.line, cycle.join(" → "), code));
                }
                break;
            }
            seen.push(code);
            current = parent_of.get(code).copied().flatten();
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Parents first: sort by depth in the final tree (finite: no cycles).
    let depth = |code: &str| {
        let mut d = 0usize;
        let mut current = parent_of.get(code).copied().flatten();
        while let Some(c) = current {
            d += 1;
            current = parent_of.get(c).copied().flatten();
        }
        d
    };
    let mut ordered: Vec<&UnitRow> = rows.iter().collect();
    ordered.sort_by_key(|r| depth(&r.code));
    Ok(ordered)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "code,name,kind,parent_code,staff_count,population\n";

    fn parse(body: &str) -> Result<Vec<UnitRow>, Vec<String>> {
        parse_csv("u.csv", format!("{HEADER}{body}").as_bytes())
    }

    #[test]
    fn parses_rows_comments_and_optional_population() {
        let rows =
            parse("# mẫu\nBD,Tỉnh Bình Định,tinh,,60,\nQN,Thành phố Quy Nhơn,thanh_pho,BD,500,290000\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].parent_code, None);
        assert_eq!(rows[0].population, None);
        assert_eq!(rows[1].parent_code.as_deref(), Some("BD"));
        assert_eq!(rows[1].population, Some(290000));
        assert_eq!(rows[1].line, 4);
    }

    #[test]
    fn five_column_files_are_accepted() {
        let rows = parse_csv("u.csv", b"code,name,kind,parent_code,staff_count\nBD,T,tinh,,1\n").unwrap();
        assert_eq!(rows[0].staff_count, 1);
    }

    #[test]
    fn wrong_header_is_an_error() {
        let e = parse_csv("u.csv", b"ma,ten\nBD,T\n").unwrap_err();
        assert!(e[0].contains("tiêu đề"), "{e:?}");
        let e = parse_csv("u.csv", b"code,name,kind,parent_code,staff_count,kind\nBD,T,tinh,,1,tinh\n").unwrap_err();
        assert!(e[0].contains("hai lần"), "{e:?}");
    }

    #[test]
    fn kind_labels_come_with_the_file_once_per_kind() {
        let file = "code,name,kind,kind_label,parent_code,staff_count\n\
                    BD,Tỉnh Bình Định,tinh,Tỉnh,,60\nAN,Thị xã An Nhơn,thi_xa,Thị xã,BD,380\nHN,Thị xã Hoài Nhơn,thi_xa,,BD,400\n";
        let rows = parse_csv("u.csv", file.as_bytes()).unwrap();
        let labels: Vec<Option<&str>> = rows.iter().map(|r| r.kind_label.as_deref()).collect();
        assert_eq!(labels, [Some("Tỉnh"), Some("Thị xã"), Some("Thị xã")], "the empty cell takes its kind's name");
        let clash = file.replace("thi_xa,,BD", "thi_xa,Thị trấn,BD");
        let e = parse_csv("u.csv", clash.as_bytes()).unwrap_err();
        assert!(e[0].starts_with("u.csv:4:") && e[0].contains("\"Thị xã\" ở dòng 3"), "{e:?}");
    }

    #[test]
    fn a_file_without_labels_keeps_the_stored_name_or_shows_the_kind() {
        let rows = parse("BD,T,tinh,,1,\nX,X,xa,BD,1,\n").unwrap();
        assert_eq!(rows[0].kind_label, None);
        let stored = HashMap::from([("tinh".to_string(), "Tỉnh".to_string())]);
        assert_eq!(kind_label_for(&rows[0], &stored), "Tỉnh");
        assert_eq!(kind_label_for(&rows[1], &stored), "xa");
    }

    #[test]
    fn bad_numbers_and_column_counts_name_the_line() {
        let e = parse("BD,T,tinh,,-1,\nQN,Q,huyen,BD,abc\n").unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].starts_with("u.csv:2:") && e[0].contains("staff_count"), "{e:?}");
        assert!(e[1].starts_with("u.csv:3:") && e[1].contains("cột"), "{e:?}");
    }

    #[test]
    fn unknown_parent_is_an_error() {
        let rows = parse("QN,Q,huyen,XX,1,\n").unwrap();
        let e = plan_import("u.csv", &HashMap::new(), &rows).unwrap_err();
        assert!(e[0].contains("\"XX\"") && e[0].contains("không tồn tại"), "{e:?}");
    }

    #[test]
    fn parent_may_already_be_stored() {
        let rows = parse("QN,Q,huyen,BD,1,\n").unwrap();
        let existing = HashMap::from([("BD".to_string(), None)]);
        assert!(plan_import("u.csv", &existing, &rows).is_ok());
    }

    #[test]
    fn duplicate_codes_are_an_error() {
        let rows = parse("BD,T,tinh,,1,\nBD,T2,tinh,,1,\n").unwrap();
        let e = plan_import("u.csv", &HashMap::new(), &rows).unwrap_err();
        assert!(e[0].contains("trùng") && e[0].contains("dòng 2"), "{e:?}");
    }

    #[test]
    fn cycles_are_an_error() {
        let rows = parse("A,A,x,C,1,\nB,B,x,A,1,\nC,C,x,B,1,\n").unwrap();
        let e = plan_import("u.csv", &HashMap::new(), &rows).unwrap_err();
        assert!(e.iter().any(|m| m.contains("vòng lặp")), "{e:?}");
        let own = parse("A,A,x,A,1,\n").unwrap();
        assert!(plan_import("u.csv", &HashMap::new(), &own).is_err());
    }

    #[test]
    fn a_cycle_through_stored_units_is_found() {
        // Stored: B under A. The file moves A under B.
        let existing = HashMap::from([("A".to_string(), None), ("B".to_string(), Some("A".to_string()))]);
        let rows = parse("A,A,x,B,1,\n").unwrap();
        let e = plan_import("u.csv", &existing, &rows).unwrap_err();
        assert!(e[0].contains("vòng lặp"), "{e:?}");
    }

    #[test]
    fn rows_are_ordered_parents_first() {
        let rows = parse("X,X,xa,Q,1,\nQ,Q,huyen,P,1,\nP,P,tinh,,1,\n").unwrap();
        let order: Vec<&str> =
            plan_import("u.csv", &HashMap::new(), &rows).unwrap().iter().map(|r| r.code.as_str()).collect();
        assert_eq!(order, ["P", "Q", "X"]);
    }
}
