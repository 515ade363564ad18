//! Sharing a contest: the QR code, the printable poster and the link
//! preview that Zalo and Facebook show.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestDb, spawn_app_with_settings};

#[actix_web::test]
async fn a_contest_is_shared_by_qr_code_poster_and_link_preview() {
    let app = spawn_app_with_settings(TestDb::new(), |s| s.public_url = "https://thi.example.vn".into()).await;
    let org = app.organizer("btc").await;
    app.contest(&org, "giai", json!({"audience": "public", "title": "Tìm hiểu cải cách hành chính"})).await;
    app.round(&org, "giai", json!({"title": "Tuần 1"})).await;

    // The QR code is an SVG of the join address.
    let r = app.get("/contests/giai/qr.svg").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let svg = r.text().await.unwrap();
    assert!(svg.starts_with("<?xml") && svg.contains("<svg") && svg.contains("<path"), "{svg}");
    // The same code hoithi draws for that address (the crate's own renderer).
    assert_eq!(svg, hoithi::routes::share::qr_svg("https://thi.example.vn/c/giai").unwrap());
    assert_eq!(app.get("/contests/khong-co/qr.svg").await.status(), StatusCode::NOT_FOUND);

    // The poster: the QR code, the title, the rounds' dates and the short address.
    let (s, poster) = app.get_text("/contests/giai/poster").await;
    assert_eq!(s, StatusCode::OK);
    for want in ["/contests/giai/qr.svg", "Tìm hiểu cải cách hành chính", "thi.example.vn/c/giai", "Tuần 1", "Lịch thi"]
    {
        assert!(poster.contains(want), "the poster lacks {want}: {poster}");
    }

    // Link previews: Open Graph title, description and a 1200×630 PNG.
    let (_, join) = app.get_text("/c/giai").await;
    for want in [
        r#"<meta property="og:title" content="Tìm hiểu cải cách hành chính">"#,
        r#"<meta property="og:url" content="https://thi.example.vn/c/giai">"#,
        r#"<meta property="og:image" content="https://thi.example.vn/static/og-default.png">"#,
        r#"<meta property="og:image:width" content="1200">"#,
    ] {
        assert!(join.contains(want), "the join page lacks {want}");
    }
    let png = app.get("/static/og-default.png").await;
    assert_eq!(png.headers()["content-type"], "image/png");
    let bytes = png.bytes().await.unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h) =
        (u32::from_be_bytes(bytes[16..20].try_into().unwrap()), u32::from_be_bytes(bytes[20..24].try_into().unwrap()));
    assert_eq!((w, h), (1200, 630));
}
