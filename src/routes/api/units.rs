//! `GET /api/v1/units`: the unit tree, public (registration forms need it).

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::db::units::list_units;
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Serialize)]
struct UnitOut {
    code: String,
    name: String,
    kind: String,
    /// How pages name the kind (the units file's `kind_label`).
    kind_label: String,
    parent_code: Option<String>,
    staff_count: i32,
    population: Option<i32>,
}

/// Every unit, by code.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", summary = "Danh sách đơn vị", responses((status = 200, description = "[{code, name, kind, kind_label, parent_code, staff_count, population}]"), (status = 503, description = "Máy chủ bận", body = super::ErrorBody)))]
pub async fn list(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let units = state.read(list_units).await?;
    let code_of: HashMap<i64, String> = units.iter().map(|u| (u.id, u.code.clone())).collect();
    let out: Vec<UnitOut> = units
        .into_iter()
        .map(|u| UnitOut {
            kind_label: u.kind_name().to_string(),
            parent_code: u.parent_id.and_then(|p| code_of.get(&p).cloned()),
            code: u.code,
            name: u.name,
            kind: u.kind,
            staff_count: u.staff_count,
            population: u.population,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}
