//! Organizer and unit-manager pages, end to end through the HTML forms.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, extract_csrf, full_name, hidden, json_of, spawn_app};

/// The app's clock shifted by `minutes`, as a form's `datetime-local` (+07:00).
fn local(app: &TestApp, minutes: i64) -> String {
    use hoithi::clock::Clock;
    (app.clock.now() + chrono::Duration::minutes(minutes) + chrono::Duration::hours(7))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[actix_web::test]
async fn an_organizer_sets_up_and_publishes_a_round_with_the_forms() {
    let app = spawn_app().await;
    app.create_user("btc5", "organizer", None, "mat-khau-btc-5").await;
    app.form_login("btc5", "mat-khau-btc-5").await;
    let (s, html) = app.get_text("/admin/contests").await;
    assert_eq!(s, StatusCode::OK);
    let token = extract_csrf(&html).unwrap();
    let r = app
        .post_form(
            "/admin/contests",
            &[
                ("csrf", &token),
                ("slug", "cchc-2026"),
                ("title", "Tìm hiểu CCHC 2026"),
                ("audience", "officials"),
                ("rules", "**Thể lệ** <b>x</b>"),
                ("show_names", "on"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/admin/contests/cchc-2026");
    // A bad slug is shown again with its message.
    let r = app
        .post_form(
            "/admin/contests",
            &[("csrf", &token), ("slug", "Có dấu"), ("title", "X"), ("audience", "officials")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("chữ thường không dấu"));

    let (_, page) = app.get_text("/admin/contests/cchc-2026").await;
    assert!(page.contains("Cơ cấu đề") && page.contains("mot-cua"), "the form shows the banks and their counts");
    let (opens, closes) = (local(&app, -1), local(&app, 60));
    let mut form = vec![
        ("csrf", token.as_str()),
        ("title", "Tuần 1"),
        ("opens_at", opens.as_str()),
        ("closes_at", closes.as_str()),
        ("duration_min", "10"),
        ("attempts_allowed", "1"),
        ("grace_s", "10"),
        ("points_per_question", "2"),
        ("reveal", "after_submit"),
        ("prediction", "on"),
        ("bank_1", "mot-cua"),
        ("difficulty_1", "hard"),
        ("count_1", "150"),
    ];
    let r = app.post_form("/admin/contests/cchc-2026/rounds", &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("chỉ có"), "the shortfall is explained");
    assert!(body.contains("value=\"Tuần 1\""), "what was typed is kept");
    form.retain(|(k, _)| *k != "count_1");
    form.push(("count_1", "2"));
    form.push(("bank_2", "van-hoa-cong-vu"));
    form.push(("count_2", "3"));
    let r = app.post_form("/admin/contests/cchc-2026/rounds", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let r = app.post_form(&format!("/admin/rounds/{id}/publish"), &[("csrf", &token)]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Đã công bố"));

    // It is open to officials, with 5 questions worth 2 points each.
    let me = app.official("canbo20", "SNV").await;
    let paper: serde_json::Value =
        me.post(app.url(&format!("/api/v1/rounds/{id}/attempts"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(paper["items"].as_array().unwrap().len(), 5);
    let aid = paper["attempt_id"].as_i64().unwrap();
    let result: serde_json::Value = me
        .post(app.url(&format!("/api/v1/attempts/{aid}/submit")))
        .json(&serde_json::json!({"prediction": 0}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(result["max_score"], 10);
    // Now the round cannot be edited, and the page says so; live figures show it.
    let (_, page) = app.get_text(&format!("/admin/rounds/{id}")).await;
    assert!(page.contains("không sửa được nữa"));
    // The figures refresh themselves (static/site.js) from the JSON the page names, by these fields.
    assert!(page.contains(&format!("data-live=\"/api/v1/rounds/{id}/live\"")), "{page}");
    let live: serde_json::Value = app.get(&format!("/api/v1/rounds/{id}/live")).await.json().await.unwrap();
    for field in ["started", "in_progress", "submitted"] {
        assert!(page.contains(&format!("data-live-field=\"{field}\"")), "{field}");
        assert!(live[field].is_i64(), "{field}: {live}");
    }
    let r = app.post_form(&format!("/admin/rounds/{id}"), &form).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // The public contest page renders the rules' Markdown, not raw HTML.
    let (_, public) = app.get_text("/contests/cchc-2026").await;
    assert!(public.contains("<strong>Thể lệ</strong>") && public.contains("&lt;b&gt;"), "{public}");
}

#[actix_web::test]
async fn a_unit_manager_sees_their_subtree_and_nothing_else() {
    let app = spawn_app().await;
    let (_, round) = app.setup_round(json!({})).await;
    // Quy Nhơn's manager; staff in two of its wards and in a department.
    app.create_user("daumoi-qn", "unit_manager", Some("QN"), "mat-khau-dau-moi").await;
    let done = app.official("cb-leloi", "QN-LELOI").await;
    app.create_user("cb-tranphu", "official", Some("QN-TRANPHU"), "mat-khau-can-bo").await;
    let outsider = app.official("cb-snv", "SNV").await;
    for c in [&done, &outsider] {
        let paper: serde_json::Value =
            c.post(app.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.unwrap().json().await.unwrap();
        let id = paper["attempt_id"].as_i64().unwrap();
        let key = app.key_of(id).await;
        c.put(app.url(&format!("/api/v1/attempts/{id}/items/1")))
            .json(&json!({"choices": key[0]}))
            .send()
            .await
            .unwrap();
        c.post(app.url(&format!("/api/v1/attempts/{id}/submit"))).json(&json!({"prediction": 0})).send().await.unwrap();
    }
    let manager = app.client_for("daumoi-qn", "mat-khau-dau-moi").await;
    let html = manager.get(app.url(&format!("/unit/rounds/{round}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("cb-tranphu"), "the ward official who has not taken it is listed");
    assert!(html.contains(&full_name("cb-leloi")), "the one who did is in the results, by full name");
    assert!(!html.contains("cb-snv") && !html.contains("Sở Nội vụ"), "nothing outside the subtree: {html}");
    assert!(!html.contains("Thành phố Quy Nhơn</td><td class=\"num\" data-label=\"Người dự thi\">0"));
    let csv = manager
        .get(app.url(&format!("/unit/rounds/{round}/missing?format=csv")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("cb-tranphu") && !csv.contains("cb-leloi") && !csv.contains("cb-snv"), "{csv}");
    let r = manager.get(app.url(&format!("/unit/rounds/{round}/missing?format=xlsx"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an xlsx file is a zip");
    assert_eq!(
        manager.get(app.url(&format!("/unit/rounds/{round}/missing?format=pdf"))).send().await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let overview = manager.get(app.url("/unit")).send().await.unwrap().text().await.unwrap();
    assert!(overview.contains("Tuần 1"));
    // Officials and organizers have no unit-manager pages.
    assert_eq!(outsider.get(app.url("/unit")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        outsider.get(app.url(&format!("/unit/rounds/{round}"))).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn a_wrong_key_is_fixed_from_the_contest_page() {
    let app = spawn_app().await;
    let (_, round) = app.setup_round(json!({})).await;
    let me = app.official("cb-fix", "SNV").await;
    let id = app.start(&me, round).await["attempt_id"].as_i64().unwrap();
    let key = app.key_of(id).await;
    me.put(app.url(&format!("/api/v1/attempts/{id}/items/1"))).json(&json!({"choices": key[0]})).send().await.unwrap();
    app.submit(&me, id, Some(0)).await;
    let (qkey, text, slug) = crate::fixes::first_item(&app, id).await;
    app.form_login("btc", "mat-khau-btc-1").await;
    // The bank-wide page is not for an organizer who did not import the bank.
    let token = app.csrf("/admin/questions").await;
    let r = app
        .post_form(
            "/admin/questions",
            &[("csrf", &token), ("bank", &slug), ("key", &qkey), ("action", "void"), ("reason", "Sai")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The contest's own page is.
    let page = "/admin/contests/tuan-le/questions";
    let token = app.csrf(page).await;
    let r = app.post_form(page, &[("csrf", &token), ("bank", &slug), ("key", &qkey), ("action", "show")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains(&text));
    let r = app
        .post_form(page, &[("csrf", &token), ("bank", &slug), ("key", &qkey), ("action", "void"), ("reason", "")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let void =
        [("csrf", token.as_str()), ("bank", &slug), ("key", &qkey), ("action", "void"), ("reason", "Câu hỏi sai")];
    // First a preview: nothing changes yet.
    let r = app.post_form(page, &void).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"confirm-form\"") && html.contains("Sẽ chấm lại <strong>1</strong> bài"), "{html}");
    let view: serde_json::Value =
        me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(view["result"]["max_score"], 5, "a preview changes nothing");
    // Then confirmed.
    let r = app.post_form(page, &[&void[..], &[("confirm", "1")]].concat()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("chấm lại 1 bài") && html.contains("Câu hỏi sai"), "{html}");
    let view: serde_json::Value =
        me.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(view["result"]["score"], 0);
    assert_eq!(view["result"]["max_score"], 4);
    let r = app.post_form(page, &[("csrf", &token), ("bank", &slug), ("key", "khong-co"), ("action", "show")]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn an_organizer_previews_then_imports_a_spreadsheet_bank() {
    let app = spawn_app().await;
    app.create_user("btc7", "organizer", None, "mat-khau-btc-7").await;
    app.form_login("btc7", "mat-khau-btc-7").await;
    let token = app.csrf("/admin/banks").await;
    let upload = |name: &'static str, bytes: Vec<u8>, bank: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", token.clone())
            .text("bank", bank)
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
        app.client.post(app.url("/admin/banks/preview")).multipart(form).send()
    };
    // A CSV with a row that has no answer: every problem listed, nothing saved.
    let bad = "STT,Câu hỏi,A,B,Đáp án,Giải thích,Nguồn,Mức độ\n1,Câu một?,Có,Không,,Vì,Nguồn,Dễ\n2,Câu hai?,Có,Không,B,Vì,Nguồn,Khó lắm\n";
    let r = upload("loi.csv", bad.as_bytes().to_vec(), "tu-tao").await.unwrap();
    let st = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let html = body;
    assert!(html.contains("Chưa có gì được lưu") && html.contains("2 lỗi"), "{html}");
    assert!(!html.contains("Nhập vào ngân hàng"));
    let banks = app.state.read(hoithi::db::banks::list_bank_summaries).await.unwrap();
    assert!(banks.iter().all(|b| b.slug != "tu-tao"));
    // The Excel file LibreOffice wrote: previewed, then imported into a new bank.
    let xlsx =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ngan-hang-mau.xlsx"))
            .unwrap();
    let r = upload("ngan-hang-mau.xlsx", xlsx, "mau-excel").await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("10 câu") && html.contains("0 lỗi"), "{html}");
    let content = hidden(&html, "content");
    let r = app
        .post_form(
            "/admin/banks/import",
            &[("csrf", &token), ("bank", "mau-excel"), ("filename", "ngan-hang-mau.xlsx"), ("content", &content)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Đã nhập ngân hàng mau-excel (mới): thêm 10"));
    let banks = app.state.read(hoithi::db::banks::list_bank_summaries).await.unwrap();
    assert_eq!(banks.iter().find(|b| b.slug == "mau-excel").unwrap().questions, 10);
    // Another organizer cannot overwrite (or retire the questions of) that bank.
    app.create_user("btc8", "organizer", None, "mat-khau-btc-8").await;
    let rival = app.client_for("btc8", "mat-khau-btc-8").await;
    let rival_token =
        extract_csrf(&rival.get(app.url("/admin/banks")).send().await.unwrap().text().await.unwrap()).unwrap();
    let one = "STT,Câu hỏi,A,B,Đáp án,Giải thích,Nguồn,Mức độ\n1,Câu một?,Có,Không,A,Vì,Nguồn,Dễ\n";
    let r = rival
        .post(app.url("/admin/banks/import"))
        .form(&[
            ("csrf", rival_token.as_str()),
            ("bank", "mau-excel"),
            ("filename", "mot.csv"),
            ("content", &hex::encode(one)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("do người khác nhập"));
    let banks = app.state.read(hoithi::db::banks::list_bank_summaries).await.unwrap();
    assert_eq!(banks.iter().find(|b| b.slug == "mau-excel").unwrap().questions, 10, "nothing retired");
    // Without a bank for a format that names none, the preview says so.
    let r = upload("x.gift", b"::q1:: Hai cong hai? {=Bon ~Ba}".to_vec(), "").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("không ghi ngân hàng nào"));
    // Officials have no such page.
    let official = app.official("cb-up", "SNV").await;
    assert_eq!(official.get(app.url("/admin/banks")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_round_is_copied_for_next_week_and_a_sample_paper_shows_its_keys() {
    let app = spawn_app().await;
    let (org, round) = app
        .setup_round(json!({ "title": "Tuần 3", "blueprint": [{"bank": "mot-cua", "difficulty": "easy", "count": 4}] }))
        .await;
    // Copy through the API: a draft a week later, the same settings, "Tuần 4".
    let (s, copy) = json_of(org.post(app.url(&format!("/api/v1/rounds/{round}/copy"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{copy}");
    let (_, rounds) = json_of(org.get(app.url("/api/v1/contests/tuan-le/rounds")).send().await.unwrap()).await;
    let original = rounds.as_array().unwrap().iter().find(|r| r["id"] == round).unwrap().clone();
    assert_eq!(copy["title"], "Tuần 4");
    assert_eq!(copy["status"], "draft");
    for field in
        ["duration_s", "blueprint", "attempts_allowed", "grace_s", "points_per_question", "prediction", "reveal"]
    {
        assert_eq!(copy[field], original[field], "{field}");
    }
    let week = |r: &Value, f: &str| chrono::DateTime::parse_from_rfc3339(r[f].as_str().unwrap()).unwrap();
    assert_eq!(week(&copy, "opens_at") - week(&original, "opens_at"), chrono::Duration::days(7));
    assert_eq!(week(&copy, "closes_at") - week(&original, "closes_at"), chrono::Duration::days(7));

    // A sample paper: 4 easy questions of mot-cua, each with its key; nothing stored.
    let (s, sample) = json_of(org.get(app.url(&format!("/api/v1/rounds/{round}/sample"))).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{sample}");
    let questions = sample["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 4);
    let bank = app.state.read(|c| hoithi::db::banks::load_bank(c, "mot-cua")).await.unwrap().unwrap();
    for q in questions {
        assert_eq!((q["bank"].as_str(), q["difficulty"].as_str()), (Some("mot-cua"), Some("easy")));
        let stored = bank.questions.iter().find(|b| b.key == q["key"]).unwrap();
        assert_eq!(q["answer"], json!(stored.answer_letters().split(", ").collect::<Vec<_>>()));
    }
    // The page shows it in Vietnamese, and the copy button leads to next week's draft.
    let html = org.get(app.url(&format!("/admin/rounds/{round}/sample"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("(đáp án)") && html.contains("dễ") && !html.contains(" easy"), "{html}");
    let token =
        extract_csrf(&org.get(app.url(&format!("/admin/rounds/{round}"))).send().await.unwrap().text().await.unwrap())
            .unwrap();
    let r = org
        .post(app.url(&format!("/admin/rounds/{round}/copy")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/admin/rounds/") && to != format!("/admin/rounds/{round}"), "{to}");
    assert!(org.get(app.url(&to)).send().await.unwrap().text().await.unwrap().contains("Tuần 4"));
    // Another organizer can do neither.
    let other = app.organizer("btc-khac").await;
    let r = other.get(app.url(&format!("/api/v1/rounds/{round}/sample"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
