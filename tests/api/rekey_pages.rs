//! Fixing a wrong key on the organizer's pages (found from the round's
//! page by the source code entrants see, previewed, confirmed), the
//! explanation corrected in the same step, the audit log's sentences, and
//! bad input answered with a Vietnamese 4xx.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{extract_csrf, hidden, json_of};
use crate::rekey::{World, world};

/// The link to a question's form on a round's question list.
fn question_link(html: &str, round: i64) -> String {
    let marker = format!("href=\"/admin/rounds/{round}/questions/");
    let i = html.find(&marker).unwrap_or_else(|| panic!("no question link in {html}")) + "href=\"".len();
    let end = html[i..].find('"').unwrap();
    html[i..i + end].to_string()
}

/// The review item of the question `key` in attempt `who`'s view.
async fn review_of(w: &World, who: usize, key: &str) -> Value {
    let item = w.app.items(w.people[who].1).await.into_iter().find(|i| i.key == key).unwrap();
    let view = w.result(who).await;
    view["review"].as_array().unwrap().iter().find(|r| r["position"] == item.position).unwrap().clone()
}

fn is_vietnamese(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .any(|c| "ăâđêôơưạảấầẩậắằẳặẹẻẽếềểệỉịọỏốồổộớờởợụủứừửựỳỷỹý".contains(c.to_lowercase().next().unwrap()))
}

#[actix_web::test]
async fn an_organizer_finds_a_question_by_its_source_code_previews_and_confirms() {
    let w = world("after_submit").await;
    let app = &w.app;
    app.form_login("btc", "mat-khau-btc-1").await;
    let (s, page) = app.get_text(&format!("/admin/rounds/{}", w.round)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("id=\"round-question-search\""), "{page}");
    // By the code entrants see (any case), by words without diacritics, by key.
    let (s, list) = app.get_text(&format!("/admin/rounds/{}/questions?q=mc-88", w.round)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains("Tìm thấy 1 câu.") && list.contains("MC-88") && !list.contains("MC-89"), "{list}");
    let (_, all) = app.get_text(&format!("/admin/rounds/{}/questions?q=bo+phan+tiep+nhan", w.round)).await;
    assert!(all.contains("Tìm thấy 4 câu."), "{all}");
    let (_, by_key) = app.get_text(&format!("/admin/rounds/{}/questions?q=r-1", w.round)).await;
    assert!(by_key.contains("Tìm thấy 1 câu."));
    let form_url = question_link(&list, w.round);
    let (s, form) = app.get_text(&form_url).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("Sửa câu r-1") && form.contains("Giải thích cũ r-1."), "{form}");
    let token = extract_csrf(&form).unwrap();
    let stored = w.stored().await;
    // The preview: counts and the top before and after; nothing changes.
    let fields = [
        ("csrf", token.as_str()),
        ("action", "rekey"),
        ("answer", "B"),
        ("reason", "Đáp án đúng là B"),
        ("explanation", "Theo Điều 5, phương án B."),
    ];
    let r = app.post_form(&form_url, &fields).await;
    assert_eq!(r.status(), StatusCode::OK);
    let preview = r.text().await.unwrap();
    assert!(preview.contains("Đổi đáp án câu r-1 từ A sang B, và sửa lời giải thích."), "{preview}");
    assert!(preview.contains("Sẽ chấm lại <strong>3</strong> bài đã nộp; <strong>3</strong> bài đổi điểm."));
    assert!(preview.contains("class=\"plain top-before\"") && preview.contains("↑ từ hạng 2"), "{preview}");
    assert!(preview.contains("Lời giải thích mới: Theo Điều 5, phương án B."));
    assert_eq!(preview.matches("<script").count(), preview.matches("<script src=").count(), "no inline script");
    assert_eq!(w.stored().await, stored, "a preview changes nothing");
    // Confirming sends the same form with confirm=1.
    let mut confirm: Vec<(&str, String)> = ["csrf", "action", "answer", "reason", "explanation", "confirm"]
        .into_iter()
        .map(|f| (f, hidden(&preview, f)))
        .collect();
    confirm.retain(|(_, v)| !v.is_empty());
    let borrowed: Vec<(&str, &str)> = confirm.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app.post_form(&form_url, &borrowed).await;
    assert_eq!(r.status(), StatusCode::OK);
    let done = r.text().await.unwrap();
    assert!(done.contains("Đã lưu và chấm lại 3 bài thi; 3 bài đổi điểm."), "{done}");
    assert_eq!(w.result(0).await["result"]["score"], 3);
    assert_eq!(review_of(&w, 0, "r-1").await["explanation"], "Theo Điều 5, phương án B.");
    // The entrant sees it on the result page.
    let (c, id) = &w.people[0];
    let html = c.get(app.url(&format!("/attempts/{id}/result"))).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("<strong>4/4</strong> thành <strong>3/4</strong>") && html.contains("Lý do: Đáp án đúng là B")
    );
}

#[actix_web::test]
async fn the_explanation_is_corrected_in_the_same_step_inside_a_contest_or_for_every_contest() {
    let w = world("after_submit").await;
    // Another contest on the same bank, taken once.
    w.app.contest(&w.org, "khac", json!({})).await;
    let other_round =
        w.app.round(&w.org, "khac", json!({"blueprint": [{"bank": "r", "count": 4}], "prediction": false})).await;
    let (c, _) = &w.people[0];
    let other = w.app.start(c, other_round).await["attempt_id"].as_i64().unwrap();
    w.app.submit(c, other, None).await;
    // Both rounds hold the bank: keys (and explanations) show once both are over.
    w.app.advance(chrono::Duration::hours(2));
    let explanation_in = |id: i64, key: &'static str| {
        let (app, c) = (&w.app, c.clone());
        async move {
            let item = app.items(id).await.into_iter().find(|i| i.key == key).unwrap();
            let (_, v) = json_of(c.get(app.url(&format!("/api/v1/attempts/{id}"))).send().await.unwrap()).await;
            v["review"][(item.position - 1) as usize]["explanation"].clone()
        }
    };
    let path = "/api/v1/contests/thu/questions/r/r-1/rekey";
    let (s, r) = w.post(&w.org, path, json!({"answer": "B", "reason": "Sửa", "explanation": "Mới r-1."})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(explanation_in(w.people[0].1, "r-1").await, "Mới r-1.");
    assert_eq!(explanation_in(other, "r-1").await, "Giải thích cũ r-1.", "another contest keeps the bank's");
    // The explanation alone, the key unchanged: nobody's score changes.
    let path = "/api/v1/contests/thu/questions/r/r-2/rekey";
    let (s, r) = w.post(&w.org, path, json!({"answer": "A", "reason": "Rõ hơn", "explanation": "Mới r-2."})).await;
    assert_eq!((s, r["attempts_changed"].clone()), (StatusCode::OK, json!(0)), "{r}");
    assert_eq!(explanation_in(w.people[0].1, "r-2").await, "Mới r-2.");
    // Neither changed: refused.
    let (s, r) = w.post(&w.org, path, json!({"answer": "A", "reason": "Rõ hơn", "explanation": "Mới r-2."})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(r["error"].as_str().unwrap().contains("không có gì thay đổi"), "{r}");
    // For every contest (the bank's owner: here an admin).
    w.app.login_admin().await;
    let (s, r) = json_of(
        w.app
            .post_json(
                "/api/v1/questions/r/r-3/rekey",
                &json!({"answer": "C", "reason": "Sai", "explanation": "Mới r-3."}),
            )
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(explanation_in(w.people[0].1, "r-3").await, "Mới r-3.");
    assert_eq!(explanation_in(other, "r-3").await, "Mới r-3.");
}

#[actix_web::test]
async fn the_audit_log_reads_as_sentences_with_letters_in_the_banks_order() {
    let w = world("after_submit").await;
    let rekey = "/api/v1/contests/thu/questions/r/r-1/rekey";
    assert_eq!(w.post(&w.org, rekey, json!({"answer": "B", "reason": "Đáp án đúng là B"})).await.0, StatusCode::OK);
    let void = "/api/v1/contests/thu/questions/r/r-2/void";
    assert_eq!(w.post(&w.org, void, json!({"reason": "Câu hỏi sai."})).await.0, StatusCode::OK);
    w.app.login_admin().await;
    let r =
        w.app.post_json("/api/v1/questions/r/r-3/rekey", &json!({"answer": ["c"], "reason": "Theo văn bản mới"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let audit = w.app.state.read(|c| hoithi::db::audit::list_audit(c, 20)).await.unwrap();
    let details: Vec<&str> = audit.iter().map(|a| a.detail.as_str()).collect();
    for expected in [
        "Đổi đáp án câu r-1 từ A sang B: Đáp án đúng là B. Ngân hàng r, chỉ trong cuộc thi “Tìm hiểu CCHC”; chấm lại 3 bài, 3 bài đổi điểm.",
        "Hủy câu r-2: Câu hỏi sai. Ngân hàng r, chỉ trong cuộc thi “Tìm hiểu CCHC”; chấm lại 3 bài, 3 bài đổi điểm.",
        "Đổi đáp án câu r-3 từ A sang C: Theo văn bản mới. Ngân hàng r, cho mọi cuộc thi dùng câu hỏi; chấm lại 3 bài, 3 bài đổi điểm.",
    ] {
        assert!(details.contains(&expected), "{expected}\nnot in {details:#?}");
    }
    let (s, page) = w.app.get_text("/admin/audit").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Đổi đáp án câu r-1 từ A sang B") && !page.contains("[1]") && !page.contains("[0]"),
        "{page}"
    );
    // The contest's list of corrections says letters too.
    let (_, fixes) = w.app.get_text("/admin/contests/thu/questions").await;
    assert!(fixes.contains("đáp án mới B") && fixes.contains("hủy câu hỏi"), "{fixes}");
}

#[actix_web::test]
async fn bad_input_gets_a_clear_vietnamese_4xx_never_a_500_and_changes_nothing() {
    let w = world("after_submit").await;
    let stored = w.stored().await;
    let c = "/api/v1/contests/thu/questions/r";
    let long = "x".repeat(501);
    let cases: Vec<(String, Value, StatusCode, &str)> = vec![
        (
            format!("{c}/khong-co/rekey"),
            json!({"answer": "B", "reason": "x"}),
            StatusCode::NOT_FOUND,
            "không dùng câu hỏi",
        ),
        (
            format!("{c}/r-1/rekey"),
            json!({"answer": "Z", "reason": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "\"Z\" không ứng với phương án nào",
        ),
        (
            format!("{c}/r-1/rekey"),
            json!({"answer": "E", "reason": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "chỉ có phương án A, B, C, D",
        ),
        (
            format!("{c}/r-1/rekey"),
            json!({"answer": [], "reason": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Cần ghi đáp án",
        ),
        (
            format!("{c}/r-1/rekey"),
            json!({"answer": ["A", "B"], "reason": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "đúng một đáp án",
        ),
        (
            format!("{c}/r-1/rekey"),
            json!({"answer": "B", "reason": ""}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Cần ghi lý do",
        ),
        (
            format!("{c}/r-1/void"),
            json!({"reason": "   ", "dry_run": true}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Cần ghi lý do",
        ),
        (format!("{c}/r-1/void"), json!({"reason": long}), StatusCode::UNPROCESSABLE_ENTITY, "dài quá 500"),
        (
            format!("{c}/r-1/rekey"),
            json!({"answer": "B", "reason": "x", "explanation": " "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "không được để trống",
        ),
        (
            format!("{c}/r-1/rekey"),
            json!({"answer": "B", "reason": "x", "explanation": "a\u{202e}b"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "ký tự không hợp lệ",
        ),
        (
            format!("{c}/r-1/rekey"),
            json!({"answer": "B", "reason": "x", "dry_run": "có"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "sai kiểu dữ liệu",
        ),
        (
            format!("{c}/r-1/void"),
            json!({"reason": "x", "explanation": "y"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "không có trường \"explanation\"",
        ),
    ];
    for (path, body, status, says) in cases {
        let (s, e) = w.post(&w.org, &path, body.clone()).await;
        let msg = e["error"].as_str().unwrap_or("");
        assert_eq!(s, status, "{path} {body}: {e}");
        assert!(msg.contains(says) && is_vietnamese(msg), "{path} {body}: {msg}");
    }
    assert_eq!(w.stored().await, stored, "nothing refused changed anything");
    // A question voided already: 409, said so.
    let void = format!("{c}/r-1/void");
    assert_eq!(w.post(&w.org, &void, json!({"reason": "Sai"})).await.0, StatusCode::OK);
    let (s, e) = w.post(&w.org, &void, json!({"reason": "Sai", "dry_run": true})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(e["error"].as_str().unwrap().contains("đã bị hủy"));
    // On the pages: what was typed stays, with the message; never a 500.
    let app = &w.app;
    app.form_login("btc", "mat-khau-btc-1").await;
    let (_, list) = app.get_text(&format!("/admin/rounds/{}/questions?q=MC-89", w.round)).await;
    let url = question_link(&list, w.round);
    let token = app.csrf(&url).await;
    let r =
        app.post_form(&url, &[("csrf", &token), ("action", "rekey"), ("answer", "Z"), ("reason", "Lý do gõ dở")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("không ứng với phương án nào") && html.contains("value=\"Lý do gõ dở\""), "{html}");
    let r = app.post_form(&url, &[("csrf", &token), ("action", "void"), ("reason", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Cần ghi lý do"));
    let r = app.post_form(&url, &[("csrf", &token), ("action", "xoa"), ("reason", "x")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (s, html) = app.get_text(&format!("/admin/rounds/{}/questions/999999", w.round)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(html.contains("Vòng thi này không có câu hỏi đó."), "{html}");
    let (s, _) = app.get_text(&format!("/admin/rounds/{}/questions?q={}", w.round, "a".repeat(201))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The voided question's page says so and offers no form.
    let (_, list) = app.get_text(&format!("/admin/rounds/{}/questions?q=MC-88", w.round)).await;
    let (_, page) = app.get_text(&question_link(&list, w.round)).await;
    assert!(page.contains("Câu hỏi này đã bị hủy") && !page.contains("id=\"fix-form\""), "{page}");
}
