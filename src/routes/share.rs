//! Sharing a contest: its QR code (SVG, pointing at the short join
//! address), a printable A4 poster, and the link preview that Zalo and
//! Facebook read (Open Graph, with a 1200×630 PNG).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, web};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde_json::json;

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;

/// A QR code of `text` as SVG (error correction M: still reads on a poster
/// with a crease or a stain).
pub fn qr_svg(text: &str) -> AppResult<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("QR code: {e}")))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

/// `GET /contests/{slug}/qr.svg`.
pub async fn qr(state: web::Data<AppState>, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let contest = state.contest(&slug).await?;
    let svg = qr_svg(&super::join_url(&state, &contest.slug))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(svg))
}

/// `GET /contests/{slug}/poster`: an A4 page to print and pin up.
pub async fn poster(state: web::Data<AppState>, req: HttpRequest, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let contest = state.contest(&slug).await?;
    let rounds = state.visible_rounds(None, &contest).await?;
    let cards = super::round_cards(&state, &rounds, None, false).await?;
    let url = super::join_url(&state, &contest.slug);
    let short = url.split_once("://").map(|(_, rest)| rest.to_string()).unwrap_or_else(|| url.clone());
    let ctx = json!({
        "title": format!("Áp phích – {}", contest.title),
        "contest": { "slug": contest.slug, "title": contest.title, "description": contest.description },
        "rounds": cards.into_iter().filter(|r| r["practice"] != true).collect::<Vec<_>>(),
        "short_url": short,
        "residents": contest.audience.admits_public(),
        "og": super::open_graph(&state, &contest),
    });
    render(&state, &req, StatusCode::OK, "poster", ctx)
}
