//! The workbook's own parts: its sheet list, shared strings and cell styles,
//! each read as a stream of XML events (no tree is built).

use std::borrow::Cow;
use std::collections::HashMap;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::UNREADABLE;
use super::numfmt::Display;

/// The message for a part that is not well-formed XML.
pub(super) fn xml_error(part: &str, e: impl std::fmt::Display) -> String {
    format!("{UNREADABLE}: phần {part} không phải XML hợp lệ ({e})")
}

/// An element's local name (`x:c` → `c`).
pub(super) fn local<'a>(e: &'a BytesStart) -> &'a str {
    e.local_name().into_inner()
}

/// The value of the attribute whose local name is `name` (`r:id` → `id`).
pub(super) fn attr<'a>(e: &'a BytesStart, name: &str) -> Option<Cow<'a, str>> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().into_inner() == name)
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
}

/// Appends the characters an event carries (text, CDATA, an entity or
/// character reference); returns whether it carried any.
pub(super) fn push_text(out: &mut String, event: &Event) -> bool {
    match event {
        Event::Text(t) => out.push_str(&t.xml10_content()),
        Event::CData(t) => out.push_str(&t.xml10_content()),
        Event::GeneralRef(r) => match r.resolve_char_ref() {
            Ok(Some(c)) => out.push(c),
            _ => {
                let name = r.xml10_content();
                match resolve_predefined_entity(&name) {
                    Some(s) => out.push_str(s),
                    None => {
                        out.push('&');
                        out.push_str(&name);
                        out.push(';');
                    }
                }
            }
        },
        _ => return false,
    }
    true
}

/// A worksheet as the workbook lists it.
#[derive(Debug)]
pub(super) struct SheetEntry {
    pub(super) name: String,
    /// The part's path in the zip.
    pub(super) path: String,
}

/// What `xl/workbook.xml` and its relationships say.
#[derive(Debug, Default)]
pub(super) struct Workbook {
    /// Worksheets in workbook order (chart sheets left out).
    pub(super) sheets: Vec<SheetEntry>,
    pub(super) shared_strings: Option<String>,
    pub(super) styles: Option<String>,
    /// Dates count from 1904 (old Mac workbooks).
    pub(super) date1904: bool,
}

impl Workbook {
    pub(super) fn parse(book: &str, rels: &str) -> Result<Self, String> {
        // Relationship id → (type, path in the zip).
        let mut targets: HashMap<String, (String, String)> = HashMap::new();
        let mut reader = Reader::from_str(rels);
        loop {
            match reader.read_event().map_err(|e| xml_error("xl/_rels/workbook.xml.rels", e))? {
                Event::Start(e) | Event::Empty(e) if local(&e) == "Relationship" => {
                    if attr(&e, "TargetMode").is_some_and(|m| m.eq_ignore_ascii_case("external")) {
                        continue;
                    }
                    if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                        let kind = attr(&e, "Type").unwrap_or_default().into_owned();
                        targets.insert(id.into_owned(), (kind, resolve("xl", &target)));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        let of_type = |suffix: &str| {
            let mut found: Vec<&String> =
                targets.iter().filter(|(_, (kind, _))| kind.ends_with(suffix)).map(|(_, (_, p))| p).collect();
            found.sort();
            found.first().map(|p| p.to_string())
        };
        let mut out = Workbook {
            shared_strings: of_type("/sharedStrings").or_else(|| Some("xl/sharedStrings.xml".into())),
            styles: of_type("/styles").or_else(|| Some("xl/styles.xml".into())),
            ..Workbook::default()
        };
        let mut reader = Reader::from_str(book);
        let mut position = 0usize;
        loop {
            match reader.read_event().map_err(|e| xml_error("xl/workbook.xml", e))? {
                Event::Start(e) | Event::Empty(e) => match local(&e) {
                    "workbookPr" => {
                        out.date1904 = attr(&e, "date1904").is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
                    }
                    "sheet" => {
                        position += 1;
                        let name = attr(&e, "name").map_or_else(|| format!("Sheet{position}"), Cow::into_owned);
                        let path = match attr(&e, "id").and_then(|id| targets.get(id.as_ref())) {
                            Some((kind, _)) if !kind.is_empty() && !kind.ends_with("/worksheet") => continue,
                            Some((_, path)) => path.clone(),
                            None => format!("xl/worksheets/sheet{position}.xml"),
                        };
                        out.sheets.push(SheetEntry { name, path });
                    }
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(out)
    }
}

/// A relationship target as a path in the zip: absolute (`/xl/…`) or
/// relative to `base`, with `..` resolved.
fn resolve(base: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') { Vec::new() } else { base.split('/').collect() };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The shared strings table, stored as one text with the end of each string.
#[derive(Debug, Default)]
pub(super) struct SharedStrings {
    text: String,
    ends: Vec<usize>,
}

impl SharedStrings {
    /// The `i`-th string.
    pub(super) fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }

    /// Reads the table: each `<si>` is its `<t>` text or its rich-text runs
    /// (`<r><t>`) joined; phonetic runs (`<rPh>`) are left out. Its size is
    /// bounded by the unpacked-bytes bound it was inflated under; a string
    /// longer than the field bound is refused only when a cell uses it.
    pub(super) fn parse(xml: &str) -> Result<Self, String> {
        let part = "xl/sharedStrings.xml";
        let mut out = SharedStrings::default();
        let mut reader = Reader::from_str(xml);
        let (mut in_si, mut in_t, mut phonetic) = (false, false, 0usize);
        loop {
            let event = reader.read_event().map_err(|e| xml_error(part, e))?;
            match &event {
                Event::Start(e) => match local(e) {
                    "si" => in_si = true,
                    "t" => in_t = true,
                    "rPh" => phonetic += 1,
                    _ => {}
                },
                Event::Empty(e) if local(e) == "si" => out.ends.push(out.text.len()),
                Event::End(e) => match e.local_name().as_ref() {
                    "si" => {
                        in_si = false;
                        out.ends.push(out.text.len());
                    }
                    "t" => in_t = false,
                    "rPh" => phonetic = phonetic.saturating_sub(1),
                    _ => {}
                },
                Event::Eof => break,
                _ if in_si && in_t && phonetic == 0 => {
                    push_text(&mut out.text, &event);
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

/// How each cell style (`s`) displays numbers.
#[derive(Debug, Default)]
pub(super) struct Styles {
    displays: Vec<Display>,
}

impl Styles {
    pub(super) fn display(&self, style: usize) -> Display {
        self.displays.get(style).copied().unwrap_or(Display::General)
    }

    /// Reads `cellXfs` (each style's `numFmtId`) and the custom `numFmts`
    /// (id → format code); differential formats (`dxfs`) are left out.
    pub(super) fn parse(xml: &str) -> Result<Self, String> {
        let mut custom: HashMap<u32, Display> = HashMap::new();
        let mut ids: Vec<u32> = Vec::new();
        let mut reader = Reader::from_str(xml);
        let (mut in_formats, mut in_xfs) = (false, false);
        loop {
            let event = reader.read_event().map_err(|e| xml_error("xl/styles.xml", e))?;
            let (e, empty) = match &event {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(e) => {
                    match e.local_name().as_ref() {
                        "numFmts" => in_formats = false,
                        "cellXfs" => in_xfs = false,
                        _ => {}
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            match local(e) {
                "numFmts" => in_formats = !empty,
                "cellXfs" => in_xfs = !empty,
                "numFmt" if in_formats => {
                    if let (Some(id), Some(code)) =
                        (attr(e, "numFmtId").and_then(|v| v.parse().ok()), attr(e, "formatCode"))
                    {
                        custom.insert(id, Display::of_code(&code));
                    }
                }
                "xf" if in_xfs => ids.push(attr(e, "numFmtId").and_then(|v| v.parse().ok()).unwrap_or(0)),
                _ => {}
            }
        }
        let displays =
            ids.into_iter().map(|id| custom.get(&id).copied().unwrap_or_else(|| Display::builtin(id))).collect();
        Ok(Styles { displays })
    }
}
