//! A worksheet part read as a stream of `<row>`/`<c>` events into sparse
//! cells: nothing is sized from the declared `<dimension>`, and every cell
//! really present counts against the budget.

use std::collections::{BTreeMap, HashMap};

use quick_xml::Reader;
use quick_xml::events::Event;

use super::parts::{SharedStrings, Styles, attr, local, push_text, xml_error};
use super::*;
use crate::domain::formats::sheet::bounds::Tally;

/// What reading a worksheet needs from the rest of the workbook.
pub(super) struct Context<'a> {
    pub(super) budget: &'a Budget,
    pub(super) strings: &'a SharedStrings,
    pub(super) styles: &'a Styles,
    pub(super) date1904: bool,
}

/// A `<c>` being read.
#[derive(Default)]
struct Pending {
    /// Row as shown (1-based) and column (0-based).
    at: (u32, u32),
    kind: Option<String>,
    style: usize,
    value: String,
    inline: String,
    in_value: bool,
    in_inline: bool,
    in_text: bool,
    phonetic: usize,
}

/// The rows of a worksheet, with merged ranges' values given to every cell
/// of the range (clipped to the budget's rows and columns).
pub(super) fn read(xml: &str, part: &str, cx: &Context) -> Result<Vec<Row>, String> {
    let mut cells: BTreeMap<(u32, u32), Cell> = BTreeMap::new();
    let mut merges: Vec<[u32; 4]> = Vec::new();
    let mut tally = Tally::new(cx.budget);
    let mut reader = Reader::from_str(xml);
    let (mut in_data, mut row, mut next_col) = (false, 0u32, 0u32);
    let mut cell: Option<Pending> = None;
    loop {
        let event = reader.read_event().map_err(|e| xml_error(part, e))?;
        let (e, empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                match (e.local_name().as_ref(), cell.as_mut()) {
                    ("sheetData", _) => in_data = false,
                    ("c", _) => {
                        if let Some(p) = cell.take() {
                            finish(p, cx, &mut cells, &mut tally)?;
                        }
                    }
                    ("v", Some(p)) => p.in_value = false,
                    ("is", Some(p)) => p.in_inline = false,
                    ("t", Some(p)) => p.in_text = false,
                    ("rPh", Some(p)) => p.phonetic = p.phonetic.saturating_sub(1),
                    _ => {}
                }
                continue;
            }
            Event::Eof => break,
            _ => {
                if let Some(p) = cell.as_mut() {
                    if p.in_value {
                        push_text(&mut p.value, &event);
                    } else if p.in_inline && p.in_text && p.phonetic == 0 {
                        push_text(&mut p.inline, &event);
                    }
                }
                continue;
            }
        };
        match (local(e), cell.as_mut()) {
            ("sheetData", _) => in_data = !empty,
            ("row", _) if in_data => {
                row = attr(e, "r").and_then(|r| r.trim().parse::<u64>().ok()).map_or(row.saturating_add(1), saturate);
                next_col = 0;
            }
            ("c", _) if in_data => {
                // A cell without a reference follows the previous one, as Excel reads it.
                let at = attr(e, "r").and_then(|r| parse_ref(&r)).unwrap_or((row, next_col));
                next_col = at.1.saturating_add(1);
                if !empty {
                    let style = attr(e, "s").and_then(|s| s.trim().parse().ok()).unwrap_or(0);
                    cell =
                        Some(Pending { at, kind: attr(e, "t").map(|t| t.into_owned()), style, ..Pending::default() });
                }
            }
            ("v", Some(p)) => p.in_value = !empty,
            ("is", Some(p)) => p.in_inline = !empty,
            ("t", Some(p)) if p.in_inline => p.in_text = !empty,
            ("rPh", Some(p)) if !empty => p.phonetic += 1,
            ("mergeCell", _) => {
                if let Some(range) = attr(e, "ref").and_then(|r| parse_range(&r)) {
                    merges.push(range);
                }
            }
            _ => {}
        }
    }
    let merged = spread_merges(&mut cells, &merges, cx.budget, &mut tally)?;
    Ok(into_rows(cells, &merged))
}

fn saturate(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// "C7" → (7, 2): row as shown, 0-based column; `$` allowed.
fn parse_ref(r: &str) -> Option<(u32, u32)> {
    let r = r.trim().replace('$', "");
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    if letters.is_empty()
        || !letters.chars().all(|c| c.is_ascii_alphabetic())
        || !digits.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let col = letters
        .bytes()
        .fold(0u64, |n, b| n.saturating_mul(26).saturating_add(u64::from(b.to_ascii_uppercase() - b'A') + 1));
    let row = digits.bytes().fold(0u64, |n, b| n.saturating_mul(10).saturating_add(u64::from(b - b'0')));
    Some((saturate(row), saturate(col - 1)))
}

/// "A1:C3" → [first row, first column, last row, last column].
fn parse_range(r: &str) -> Option<[u32; 4]> {
    let (a, b) = r.split_once(':')?;
    let (r1, c1) = parse_ref(a)?;
    let (r2, c2) = parse_ref(b)?;
    Some([r1.min(r2), c1.min(c2), r1.max(r2), c1.max(c2)])
}

/// Stores a finished cell when it holds anything, within the budget.
fn finish(p: Pending, cx: &Context, cells: &mut BTreeMap<(u32, u32), Cell>, tally: &mut Tally) -> Result<(), String> {
    let (row, col) = p.at;
    let mut place = |text: &str| -> Result<bool, String> {
        if text.trim().is_empty() || row == 0 {
            return Ok(false);
        }
        tally.cell(row as usize, col as usize, text)?;
        Ok(true)
    };
    let value = p.value.as_str();
    let cell = match p.kind.as_deref() {
        Some("s") => {
            let index = value.trim();
            let text = index.parse::<usize>().ok().and_then(|i| cx.strings.get(i)).ok_or_else(|| {
                let at = cell_ref(col as usize, row as usize);
                format!("{UNREADABLE}: ô {at} trỏ tới chuỗi dùng chung \"{index}\" không có trong tệp")
            })?;
            // Checked before it is copied: a shared string may be long.
            if place(text)? {
                cells.insert((row, col), Cell::Text(text.to_string()));
            }
            return Ok(());
        }
        Some("inlineStr") => Cell::Text(p.inline),
        Some("b") => Cell::Text(if matches!(value.trim(), "1" | "true" | "TRUE") { "TRUE" } else { "FALSE" }.into()),
        Some("e") => Cell::Error(value.trim().to_string()),
        Some("d") => value
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map_or_else(|| Cell::Text(value.to_string()), Cell::Date),
        kind => {
            let text = if value.trim().is_empty() && kind.is_none() { p.inline.as_str() } else { value };
            match (kind, text.trim().parse::<f64>()) {
                (None | Some("n"), Ok(n)) => cx.styles.display(p.style).cell(n, cx.date1904),
                _ => Cell::Text(text.to_string()),
            }
        }
    };
    let shown = match &cell {
        Cell::Text(s) | Cell::Error(s) => place(s)?,
        other => place(&other.text())?,
    };
    if shown {
        cells.insert((row, col), cell);
    }
    Ok(())
}

/// Gives each merged range's value to all its cells, counting the copies
/// against the cell bound before making them; returns where each merged cell came from.
fn spread_merges(
    cells: &mut BTreeMap<(u32, u32), Cell>,
    merges: &[[u32; 4]],
    budget: &Budget,
    tally: &mut Tally,
) -> Result<HashMap<(u32, u32), Merge>, String> {
    let last_row = saturate(budget.rows as u64);
    let last_col = saturate(budget.columns as u64).saturating_sub(1);
    let mut merged = HashMap::new();
    for (id, &[r1, c1, r2, c2]) in merges.iter().enumerate() {
        let Some(value) = cells.get(&(r1, c1)).cloned() else { continue };
        let (r2, c2) = (r2.min(last_row), c2.min(last_col));
        if r2 < r1 || c2 < c1 {
            continue;
        }
        let area = (u64::from(r2 - r1) + 1) * (u64::from(c2 - c1) + 1);
        if area == 1 {
            continue;
        }
        tally.more(usize::try_from(area - 1).unwrap_or(usize::MAX))?;
        let id = saturate(id as u64);
        for r in r1..=r2 {
            for c in c1..=c2 {
                let origin = (r, c) == (r1, c1);
                merged.insert((r, c), Merge { id, origin });
                if !origin {
                    cells.insert((r, c), value.clone());
                }
            }
        }
    }
    Ok(merged)
}

/// Sparse cells as rows, in order; a row is as wide as its last cell.
fn into_rows(cells: BTreeMap<(u32, u32), Cell>, merged: &HashMap<(u32, u32), Merge>) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for ((r, c), cell) in cells {
        if rows.last().is_none_or(|last| last.line != r as usize) {
            rows.push(Row { line: r as usize, ..Row::default() });
        }
        let Some(row) = rows.last_mut() else { continue };
        let c = c as usize;
        while row.cells.len() < c {
            row.cells.push(Cell::empty());
        }
        row.cells.push(cell);
        if let Some(m) = merged.get(&(r, c as u32)) {
            row.merged.resize(c, None);
            row.merged.push(Some(*m));
        }
    }
    rows
}
