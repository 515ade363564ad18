//! `/healthz` and `/metrics`.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::state::AppState;

/// 200 once start-up is complete and the database answers; 503 otherwise.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    if !state.is_ready() {
        return HttpResponse::ServiceUnavailable().json(json!({ "status": "starting" }));
    }
    let ping = state.read(|c| {
        use diesel::RunQueryDsl;
        diesel::sql_query("SELECT 1").execute(c)
    });
    match ping.await {
        Ok(_) => HttpResponse::Ok().json(json!({ "status": "ok" })),
        Err(_) => HttpResponse::ServiceUnavailable().json(json!({ "status": "database unavailable" })),
    }
}

/// Prometheus text format.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    if let Ok(n) = state.read(crate::db::attempts::count_in_progress).await {
        state.metrics.attempts_in_progress.set(n);
    }
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render(&state.db))
}
