//! `/healthz` and `/metrics`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::state::AppState;

/// 200 once start-up is complete and the database takes a write (a row is
/// committed); 503 otherwise, so a read-only, full or locked database takes
/// the node out of a load balancer.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    if !state.is_ready() {
        return HttpResponse::ServiceUnavailable().json(json!({ "status": "starting" }));
    }
    let t = state.now();
    match state.write(move |c| crate::db::health::record_check(c, t)).await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": "ok" })),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, crate::error::RETRY_AFTER_S.to_string()))
                .json(json!({ "status": "database unavailable" }))
        }
    }
}

/// Prometheus text format, for whoever holds `HOITHI_METRICS_TOKEN`
/// (`Authorization: Bearer …`). Without a token set, there are no metrics
/// (404): they are never public.
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let Some(token) = &state.settings.metrics_token else {
        return HttpResponse::NotFound().body("metrics are off: set HOITHI_METRICS_TOKEN");
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let ok = given.len() == token.expose().len()
        && given.bytes().zip(token.expose().bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if !ok {
        return HttpResponse::Unauthorized().insert_header((header::WWW_AUTHENTICATE, "Bearer")).body("unauthorized");
    }
    if let Ok(n) = state.read(|c| crate::db::attempts::count_in_progress(c, None)).await {
        state.metrics.attempts_in_progress.set(n);
    }
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render(&state.db))
}
