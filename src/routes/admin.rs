//! Administration pages: the overview and the audit log (accounts are in
//! `users` and `users_import`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use crate::auth::session::{Admin, Staff};
use crate::db::audit::list_audit;
use crate::db::banks::list_bank_summaries;
use crate::db::units::list_units;
use crate::domain::audit::{action_label, actor_label, detail_label, subject_label};
use crate::domain::time::format_vn;
use crate::error::AppResult;
use crate::state::AppState;
use crate::templates::page;

/// The administration overview: units and banks.
pub async fn overview(state: web::Data<AppState>, req: HttpRequest, _user: Staff) -> AppResult<HttpResponse> {
    let (units, banks) = state.read(|c| Ok((list_units(c)?, list_bank_summaries(c)?))).await?;
    let code_of: std::collections::HashMap<i64, String> = units.iter().map(|u| (u.id, u.code.clone())).collect();
    let units: Vec<Value> = units
        .iter()
        .map(|u| {
            json!({
                "code": u.code, "name": u.name, "kind": u.kind_name(),
                "parent": u.parent_id.and_then(|p| code_of.get(&p).cloned()).unwrap_or_default(),
                "staff_count": u.staff_count, "population": u.population,
            })
        })
        .collect();
    page(&state, &req, "admin/overview", json!({ "title": "Quản trị", "units": units, "banks": banks }))
}

/// The newest audit entries.
pub async fn audit_page(state: web::Data<AppState>, req: HttpRequest, _user: Admin) -> AppResult<HttpResponse> {
    let entries = state.read(|c| list_audit(c, 500)).await?;
    let rows: Vec<Value> = entries
        .into_iter()
        .map(|e| {
            json!({
                "at": format_vn(e.at), "actor": actor_label(&e.actor), "action": action_label(&e.action),
                "subject": subject_label(&e.subject), "detail": detail_label(&e.action, &e.detail),
            })
        })
        .collect();
    page(&state, &req, "admin/audit", json!({ "title": "Nhật ký thao tác", "entries": rows }))
}
