//! A form that refuses input shows it again as it was typed, with the
//! reason in Vietnamese: the round form (a time that does not parse
//! included) and the contest forms (the rules text, the boxes ticked, the
//! unit kinds chosen). The account forms and the residents' registration
//! are checked in `users_page` and `residents`.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;
use crate::users_import::unescape;

/// The `<option>`s of one `<select name=…>` that are selected.
fn selected(html: &str, name: &str) -> Vec<String> {
    let Some(start) = html.find(&format!("name=\"{name}\"")) else { return Vec::new() };
    let end = html[start..].find("</select>").map_or(html.len(), |e| start + e);
    html[start..end]
        .split("<option ")
        .filter(|o| o.split('>').next().is_some_and(|attrs| attrs.contains(" selected")))
        .filter_map(|o| o.split('"').nth(1).map(str::to_string))
        .collect()
}

#[actix_web::test]
async fn a_refused_round_form_keeps_every_field_as_typed() {
    let app = spawn_app().await;
    app.login_admin().await;
    let r = app
        .post_json("/api/v1/contests", &json!({"slug": "tuan", "title": "Tìm hiểu CCHC", "audience": "officials"}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let token = app.csrf("/admin/contests/tuan").await;
    let typed = [
        ("csrf", token.as_str()),
        ("title", "Tuần 9: Một cửa"),
        ("opens_at", "2026-13-01T08:00"),
        ("closes_at", "2026-12-08T08:00"),
        ("duration_min", "15"),
        ("duration_sec", "30"),
        ("attempts_allowed", "2"),
        ("grace_s", "10"),
        ("points_per_question", "1"),
        ("reveal", "never"),
        ("practice", "on"),
        ("bank_1", "mot-cua"),
        ("difficulty_1", "hard"),
        ("count_1", "3"),
        ("bank_2", "van-hoa-cong-vu"),
        ("count_2", "2"),
    ];
    let r = app.post_form("/admin/contests/tuan/rounds", &typed).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&r.text().await.unwrap());
    assert!(html.contains("Thời điểm bắt đầu: hãy nhập ngày giờ"), "the reason: {html}");
    for value in ["Tuần 9: Một cửa", "2026-13-01T08:00", "2026-12-08T08:00"] {
        assert!(html.contains(&format!("value=\"{value}\"")), "{value} kept: {html}");
    }
    assert!(html.contains(r#"name="duration_sec" value="30""#) && html.contains(r#"name="count_1" value="3""#));
    assert!(html.contains(r#"name="practice" checked"#) && !html.contains(r#"name="prediction" checked"#));
    assert_eq!(selected(&html, "reveal"), ["never"]);
    assert_eq!(
        (selected(&html, "bank_1"), selected(&html, "difficulty_1")),
        (vec!["mot-cua".into()], vec!["hard".into()])
    );
    assert_eq!(selected(&html, "bank_2"), ["van-hoa-cong-vu"]);
    assert!(html.contains("<details open>"), "the form stays open");

    // Editing a draft keeps what was typed too.
    let fixed: Vec<(&str, &str)> =
        typed.iter().map(|&(k, v)| if k == "opens_at" { (k, "2026-12-01T08:00") } else { (k, v) }).collect();
    let r = app.post_form("/admin/contests/tuan/rounds", &fixed).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let mut edit = fixed.clone();
    edit.retain(|(k, _)| *k != "closes_at");
    edit.push(("closes_at", "hôm sau"));
    let r = app.post_form(&location, &edit).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&r.text().await.unwrap());
    assert!(html.contains("Thời điểm kết thúc") && html.contains(r#"value="hôm sau""#), "{html}");
}

#[actix_web::test]
async fn a_refused_contest_form_keeps_the_rules_text_and_every_choice() {
    let app = spawn_app().await;
    app.login_admin().await;
    let token = app.csrf("/admin/contests").await;
    let rules = "**Thể lệ**\nMỗi người thi một lượt, tính lượt cao nhất.";
    let typed = [
        ("csrf", token.as_str()),
        ("slug", "Có Dấu"),
        ("title", "Tìm hiểu CCHC 2026"),
        ("description", "Dành cho người dân"),
        ("rules", rules),
        ("audience", "public"),
        ("show_names", "on"),
        ("requires_id_number", "on"),
        ("min_age", "18"),
        ("unit_kinds", "xa"),
        ("unit_kinds", "phuong"),
    ];
    let r = app.post_form("/admin/contests", &typed).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&r.text().await.unwrap());
    assert!(html.contains("Tìm hiểu CCHC 2026") && html.contains(&format!(">{rules}</textarea>")), "{html}");
    assert!(html.contains(r#"value="Có Dấu""#) && html.contains(r#"name="min_age" value="18""#), "{html}");
    assert!(html.contains(r#"name="show_names" checked"#) && html.contains(r#"name="requires_id_number" checked"#));
    assert_eq!(selected(&html, "audience"), ["public"]);
    // The unit kinds are offered by their names from the units file, the chosen ones ticked.
    assert!(html.contains(r#"value="xa" checked> Xã"#) && html.contains(r#"value="phuong" checked> Phường"#), "{html}");
    assert!(html.contains(r#"value="huyen"> Huyện"#), "{html}");

    // The contest's own form, refused (an age that is not a number), keeps the new rules.
    let ok: Vec<(&str, &str)> = typed.iter().map(|&(k, v)| if k == "slug" { (k, "co-dau") } else { (k, v) }).collect();
    assert_eq!(app.post_form("/admin/contests", &ok).await.status(), StatusCode::SEE_OTHER);
    let token = app.csrf("/admin/contests/co-dau").await;
    let edit = [
        ("csrf", token.as_str()),
        ("title", "Tên mới"),
        ("rules", "Thể lệ đã sửa"),
        ("audience", "public"),
        ("min_age", "mười tám"),
    ];
    let r = app.post_form("/admin/contests/co-dau", &edit).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = unescape(&r.text().await.unwrap());
    assert!(html.contains(">Thể lệ đã sửa</textarea>") && html.contains(r#"value="Tên mới""#), "{html}");
    assert!(html.contains(r#"value="mười tám""#) && !html.contains(r#"value="xa" checked"#), "{html}");
    assert!(html.contains("<details open>\n<summary>Sửa thông tin cuộc thi"), "the edit form is open: {html}");
}
