//! The one route table, and what every route shares: middleware for NUL
//! bytes, API writes without a JSON body, security headers and error
//! pages. Handlers parse the request, call the engine, and render a page or
//! JSON; route modules never import each other.

pub mod admin;
pub mod api;
pub mod auth;
pub mod bank_upload;
pub mod boards;
pub mod health;
pub mod home;
pub mod intro;
pub mod items;
pub mod join;
pub mod organize;
pub mod play;
pub mod prizes;
pub mod questions;
pub mod residents;
pub mod round_tools;
pub mod share;
pub mod static_files;
pub mod stats;
pub mod unit;
pub mod users;
pub mod users_import;

mod middleware;
mod table;

pub use middleware::{CSP, api_csrf, error_pages, refuse_nul, security_headers};
pub use table::{Policy, ROUTES, RouteSpec, configure};

use std::net::IpAddr;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use crate::error::{AppError, AppResult};

/// The client's address: the peer, or — when the peer is a trusted proxy —
/// the nearest untrusted address in `X-Forwarded-For`.
pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let Some(peer) = peer else { return "unknown".into() };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    forwarded.iter().rev().find(|ip| !trusted.contains(ip)).unwrap_or(&peer).to_string()
}

/// A 303 redirect.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}

/// Only local paths may be a redirect target (no open redirects).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_string(),
        _ => "/".into(),
    }
}

/// The rounds of a contest as its public pages list them: dates, length,
/// whether the visitor may start now (or has an attempt in progress, or has
/// used every attempt: then the card links the last result instead of
/// offering a start), and whether winners are published.
pub async fn round_cards(
    state: &crate::state::AppState,
    rounds: &[crate::db::rounds::Round],
    who: Option<&crate::engine::access::Entrant>,
    may_enter: bool,
) -> AppResult<Vec<Value>> {
    use crate::domain::time::format_vn;
    let t = state.now();
    let with_prizes = state.rounds_with_prizes(rounds.iter().map(|r| r.id).collect()).await?;
    let mine = match who {
        Some(w) if may_enter => state.attempts_by_round(w).await?,
        _ => Default::default(),
    };
    Ok(rounds
        .iter()
        .map(|r| {
            let mut card = serde_json::json!({
                "id": r.id, "title": r.settings.title, "opens": format_vn(r.settings.opens_at),
                "closes": format_vn(r.settings.closes_at), "minutes": r.settings.duration_s / 60,
                "phase": r.phase(t).as_str(), "open": r.is_open(t) && may_enter, "practice": r.settings.practice,
                "prizes": with_prizes.contains(&r.id),
            });
            merge_into(&mut card, attempt_status(r, mine.get(&r.id).map(Vec::as_slice).unwrap_or(&[]), t));
            card
        })
        .collect())
}

/// What a list of rounds says of the visitor's own attempts in one:
/// `in_progress` (the start resumes it), `used_up` (no attempt left: no
/// start is offered) and `last_attempt` (the latest final one, for its result).
pub fn attempt_status(
    round: &crate::db::rounds::Round,
    attempts: &[crate::db::attempts::Attempt],
    t: chrono::NaiveDateTime,
) -> Value {
    let s = &round.settings;
    let in_progress =
        attempts.iter().any(|a| !a.is_final() && crate::domain::timing::accepts(t, a.deadline_at, s.grace_s));
    let left = crate::domain::paper_view::attempts_left(s.attempts_allowed, attempts.len(), s.practice);
    serde_json::json!({
        "in_progress": in_progress,
        "used_up": !in_progress && left == Some(0),
        "last_attempt": attempts.iter().rev().find(|a| a.is_final()).map(|a| a.id),
    })
}

/// The kinds of units stored, for a form's checkboxes: each kind's code
/// (what the form sends), its name from the units file, and whether
/// `chosen` holds it. A chosen kind no unit has any more stays listed, so
/// saving the form again does not drop it unseen.
pub async fn kind_choices(state: &crate::state::AppState, chosen: &[String]) -> AppResult<Vec<Value>> {
    let units = state.read(crate::db::units::list_units).await?;
    let mut kinds = crate::db::units::unit_kinds(&units);
    for c in chosen {
        if !kinds.iter().any(|(k, _)| k == c) {
            kinds.push((c.clone(), c.clone()));
        }
    }
    Ok(kinds
        .into_iter()
        .map(|(kind, label)| serde_json::json!({ "kind": kind, "label": label, "checked": chosen.contains(&kind) }))
        .collect())
}

/// A contest's join address: `HOITHI_PUBLIC_URL` + `/c/{slug}` (links,
/// QR codes, posters, link previews).
pub fn join_url(state: &crate::state::AppState, slug: &str) -> String {
    format!("{}/c/{slug}", state.settings.public_url)
}

/// The link preview of a contest's pages (Open Graph): what Zalo and
/// Facebook show when the join link is shared. The image is a PNG (those
/// apps do not show SVG).
pub fn open_graph(state: &crate::state::AppState, contest: &crate::db::contests::Contest) -> Value {
    let base = &state.settings.public_url;
    let description = match contest.description.trim() {
        "" => "Cuộc thi trực tuyến: đăng ký bằng số điện thoại, làm bài ngay trên điện thoại.".to_string(),
        d if d.chars().count() > 200 => format!("{}…", d.chars().take(199).collect::<String>()),
        d => d.to_string(),
    };
    serde_json::json!({
        "title": contest.title,
        "description": description,
        "url": join_url(state, &contest.slug),
        "image": format!("{base}/static/og-default.png"),
    })
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Adds the fields of the object `b` to the object `a`, in place.
pub fn merge_into(a: &mut Value, b: Value) {
    if let (Value::Object(x), Value::Object(y)) = (a, b) {
        x.extend(y);
    }
}

/// Merges the fields of `b` into the object `a`.
pub fn with(mut a: Value, b: Value) -> Value {
    if let (Value::Object(x), Value::Object(y)) = (&mut a, b) {
        x.extend(y);
    }
    a
}

/// A CSV file for people to open in a spreadsheet: UTF-8 with a BOM (Excel
/// reads Vietnamese right), and every cell that a spreadsheet would run as
/// a formula neutralized (see [`crate::domain::text::neutralize_formula`]).
pub fn csv_for_people(filename: &str, header_row: &[&str], rows: &[Vec<String>]) -> AppResult<HttpResponse> {
    use crate::domain::text::neutralize_formula;
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let to_err = |e: csv::Error| AppError::Unexpected(e.into());
    w.write_record(header_row).map_err(to_err)?;
    for r in rows {
        w.write_record(r.iter().map(|c| neutralize_formula(c).into_owned())).map_err(to_err)?;
    }
    let body = w.into_inner().map_err(|e| AppError::Unexpected(anyhow::anyhow!("{e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")))
        .body(body))
}

/// The generated passwords of import `id` as the one download gives them:
/// a CSV for people, never cached.
pub fn passwords_csv(id: i64, lines: &[crate::engine::account_import::SheetLine]) -> AppResult<HttpResponse> {
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| vec![l.username.clone(), l.full_name.clone(), l.unit.clone(), l.password.clone()])
        .collect();
    let mut res = csv_for_people(
        &format!("mat-khau-lan-nhap-{id}.csv"),
        &["Tên đăng nhập", "Họ và tên", "Đơn vị", "Mật khẩu"],
        &rows,
    )?;
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(res)
}

/// A table for people as `format` (`csv`, the default, or `xlsx`): the
/// file is named `{base}.csv` or `{base}.xlsx`; a spreadsheet gets the rows
/// as text cells (never formulas) on a sheet named `sheet`.
pub fn table_for_people(
    format: Option<&str>,
    base: &str,
    sheet: &str,
    header_row: &[&str],
    rows: &[Vec<String>],
) -> AppResult<HttpResponse> {
    match format.unwrap_or("csv") {
        "csv" => csv_for_people(&format!("{base}.csv"), header_row, rows),
        "xlsx" => {
            let bytes =
                xlsx(sheet, header_row, rows).map_err(|e| AppError::Unexpected(anyhow::anyhow!("xlsx: {e}")))?;
            Ok(HttpResponse::Ok()
                .insert_header((
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ))
                .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{base}.xlsx\"")))
                .body(bytes))
        }
        other => Err(AppError::Invalid(format!("Định dạng \"{other}\" không hỗ trợ: dùng csv hoặc xlsx."))),
    }
}

fn xlsx(sheet_name: &str, header_row: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in header_row.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, 18)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, cell)?;
        }
    }
    book.save_to_buffer()
}

/// A share as a percentage with one decimal ("60%", "12,5%").
pub fn share(x: f64) -> String {
    format!("{}%", crate::domain::numbers::percent(x))
}

/// A figure in -1–1 with two decimals ("0,53"), or "–" when there is none.
pub fn figure(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |v| crate::domain::numbers::decimal(v, 2))
}

/// `?format=csv|xlsx`.
#[derive(serde::Deserialize)]
pub struct ExportQuery {
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
}

/// `?unit=&limit=&offset=&sort=`.
#[derive(serde::Deserialize, Default)]
pub struct BoardQuery {
    /// Only this unit and the units under it.
    pub unit: Option<String>,
    /// Rows per page (1–500, default 50).
    pub limit: Option<i64>,
    /// Rows to skip.
    pub offset: Option<i64>,
    /// Unit board order: rate, participants, avg_score, full_marks, code.
    pub sort: Option<String>,
}

/// Query strings that do not parse get a Vietnamese 400.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|e, _| {
        AppError::BadRequest(format!(
            "Tham số trên địa chỉ không hợp lệ: {}",
            crate::routes::api::vietnamese(&e.to_string())
        ))
        .into()
    })
}

/// Path segments that do not parse (`/rounds/abc`) are a 404 in Vietnamese.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_, _| AppError::not_found().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_be_a_local_path() {
        assert_eq!(safe_next(Some("/admin")), "/admin");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn urlencode_keeps_paths_readable() {
        assert_eq!(urlencode("/admin/users?q=a b"), "/admin/users%3Fq%3Da%20b");
    }
}
