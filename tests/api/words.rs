//! No page speaks English or internal codes. Every GET page of the route
//! table is rendered as every caller of the authorization matrix (those it
//! admits get the page, the others its error page), with rounds in each
//! state (draft, scheduled, open, closed), contests for each audience and
//! an audit log with every kind of action, and the visible text of each
//! (tags and attribute values stripped) must hold none of the words below.

use std::collections::BTreeMap;

use hoithi::routes::ROUTES;
use reqwest::StatusCode;
use serde_json::json;

use crate::authz::{Who, World, world};
use crate::helpers::{TestApp, bare_client, json_of};

/// English status words and internal codes no page may show, matched as
/// whole words without regard to case.
const FORBIDDEN: &[&str] = &[
    // Round states and phases, contest audiences, difficulties.
    "draft",
    "published",
    "scheduled",
    "open",
    "closed",
    "both",
    "officials",
    "public",
    "easy",
    "medium",
    "hard",
    // Roles, attempt states, question kinds, reveal policies.
    "official",
    "organizer",
    "unit_manager",
    "in_progress",
    "submitted",
    "expired",
    "single",
    "multiple",
    "true_false",
    "after_submit",
    "after_close",
    "never",
    "provisional",
    "final",
    // Unit kinds of the shipped file.
    "tinh",
    "so_nganh",
    "co_quan",
    "huyen",
    "thanh_pho",
    "thi_xa",
    "thi_tran",
    "phuong",
    "xa",
    // Audit codes.
    "user.create",
    "user.update",
    "user.move",
    "user.disable",
    "user.enable",
    "user.password_change",
    "user.password_reset",
    "users.import",
    "units.import",
    "bank.import",
    "bank.merge",
    "contest.create",
    "contest.update",
    "contest.purge",
    "round.create",
    "round.update",
    "round.publish",
    "round.close",
    "prizes.save",
    "prizes.publish",
    "prizes.withdraw",
    "prizes.exclude",
    "prizes.include",
    "participant.code",
    "question.void",
    "question.rekey",
    "contest.question.void",
    "contest.question.rekey",
    // Audit subjects as stored, command-line options.
    "user:",
    "round:",
    "contest:",
    "bank:",
    "question:",
    "participant",
    "--bank",
    "slug",
];

/// The visible text of a page: no script or style, no tags (so attribute
/// values and classes do not count), entities decoded.
pub(crate) fn visible_text(html: &str) -> String {
    let mut s = html.to_string();
    for tag in ["script", "style"] {
        while let Some(start) = s.find(&format!("<{tag}")) {
            let end = s[start..].find(&format!("</{tag}>")).map(|e| start + e + tag.len() + 3).unwrap_or(s.len());
            s.replace_range(start..end, " ");
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    for (entity, c) in [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#x27;", "'"),
        ("&#39;", "'"),
        ("&#x3D;", "="),
        ("&#x60;", "`"),
    ] {
        out = out.replace(entity, c);
    }
    out.replace("&amp;", "&")
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The forbidden words in a text, each with a little of its context; also
/// a status code in brackets ("(409)").
pub(crate) fn offenders(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut found = Vec::new();
    let context = |at: usize, len: usize| {
        let start = lower[..at].char_indices().rev().nth(30).map_or(0, |(i, _)| i);
        let end = lower[at + len..].char_indices().nth(30).map_or(lower.len(), |(i, _)| at + len + i);
        lower[start..end].split_whitespace().collect::<Vec<_>>().join(" ")
    };
    for word in FORBIDDEN {
        let mut from = 0;
        while let Some(i) = lower[from..].find(word) {
            let at = from + i;
            let end = at + word.len();
            let before = lower[..at].chars().next_back();
            let after = lower[end..].chars().next();
            // A word ends where letters do; a code with a dot or colon also
            // where the dotted or spelled-out code does ("round.close" is not "close").
            let bounded = |c: Option<char>| c.is_none_or(|c| !is_word_char(c) && c != '.' && c != '-');
            let dotted_on = after == Some('.') && lower[end + 1..].starts_with(char::is_alphanumeric);
            let after_ok = word.ends_with(':') || (after.is_none_or(|c| !is_word_char(c)) && !dotted_on);
            if bounded(before) && after_ok {
                found.push(format!("\"{word}\" in «{}»", context(at, word.len())));
            }
            from = end;
        }
    }
    let bytes = lower.as_bytes();
    for i in 0..bytes.len().saturating_sub(4) {
        if bytes[i] == b'('
            && bytes[i + 4] == b')'
            && bytes[i + 1..i + 4].iter().all(u8::is_ascii_digit)
            && matches!(bytes[i + 1], b'4' | b'5')
        {
            found.push(format!("a status code in «{}»", context(i, 5)));
        }
    }
    found
}

#[test]
fn the_checker_sees_codes_in_text_and_not_in_attributes() {
    let page =
        r#"<h1>Có lỗi (409)</h1><p>Câu mức hard</p><select><option value="hard" class="open">Khó</option></select>"#;
    let found = offenders(&visible_text(page));
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(offenders(&visible_text("<p>user.create</p>"))[0].contains("user.create"));
    assert!(offenders(&visible_text("<p>Ngân hàng (--bank SLUG)</p>")).len() == 2);
    // Whole words only; Vietnamese words and numbers in brackets pass.
    let fine =
        "<p>Xã Nhơn Lý, phường Lê Lợi: 12 người (45%), openness, hardly, (2026)</p><script>var open = 1;</script>";
    assert!(offenders(&visible_text(fine)).is_empty(), "{:?}", offenders(&visible_text(fine)));
    assert!(offenders("round.close").iter().all(|f| f.contains("round.close")));
}

/// Ids of everything a page can be about.
struct Things {
    rounds: Vec<i64>,
    attempts: Vec<i64>,
    contests: Vec<&'static str>,
    victim: i64,
}

/// The matrix's world, and more: a draft, a scheduled and a closed round
/// beside the open one, contests for residents and for both, a submitted
/// paper, a voided question, published prizes and a registered resident.
async fn states(
    app: &TestApp,
    w: &World,
    clients: &BTreeMap<Who, (reqwest::Client, String)>,
) -> (Things, reqwest::Client) {
    let owner = &clients[&Who::Owner].0;
    let official = &clients[&Who::Official].0;
    let post = |path: String, body: serde_json::Value| {
        let (c, url) = (owner.clone(), app.url(&path));
        async move { json_of(c.post(url).json(&body).send().await.unwrap()).await }
    };
    let mut rounds = vec![w.round];
    let round = |slug: &'static str, title: &'static str, opens: i64, publish: bool| {
        let post = &post;
        async move {
            let body = json!({"title": title, "opens_at": app.at(opens), "closes_at": app.at(opens + 120), "duration_s": 600,
                              "blueprint": [{"bank": "ban-a", "difficulty": "easy", "count": 2}], "reveal": "after_close"});
            let (s, r) = post(format!("/api/v1/contests/{slug}/rounds"), body).await;
            assert_eq!(s, StatusCode::CREATED, "{r}");
            let id = r["id"].as_i64().unwrap();
            if publish {
                assert_eq!(post(format!("/api/v1/rounds/{id}/publish"), json!({})).await.0, StatusCode::OK);
            }
            id
        }
    };
    rounds.push(round("chu", "Vòng nháp", 60, false).await);
    rounds.push(round("chu", "Vòng sắp mở", 60, true).await);
    let closed = round("chu", "Vòng đã đóng", -5, true).await;
    rounds.push(closed);
    for (slug, audience) in [("dan", "public"), ("ca-hai", "both")] {
        let (s, c) = post(
            "/api/v1/contests".into(),
            json!({"slug": slug, "title": "Tìm hiểu CCHC", "audience": audience, "rules": "Thể lệ"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        rounds.push(round(slug, "Vòng mở", -5, true).await);
        rounds.push(round(slug, "Vòng nháp", 60, false).await);
    }
    // The official takes the closed round before it closes.
    let (s, paper) = json_of(
        official.post(app.url(&format!("/api/v1/rounds/{closed}/attempts"))).json(&json!({})).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{paper}");
    let done = paper["attempt_id"].as_i64().unwrap();
    let r = official.post(app.url(&format!("/api/v1/attempts/{done}/submit"))).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(post(format!("/api/v1/rounds/{closed}/close"), json!({})).await.0, StatusCode::OK);
    app.advance(chrono::Duration::minutes(1));
    app.sweep().await;
    let (s, v) = post(
        format!("/api/v1/rounds/{closed}/prizes"),
        json!({"tiers": [{"name": "Giải Nhất", "count": 1}], "publish": true}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) =
        post("/api/v1/contests/chu/questions/ban-a/a-3/void".into(), json!({"reason": "Câu có hai đáp án đúng"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let resident = bare_client();
    let body = json!({"full_name": "Nguyễn Văn An", "birth_year": 1980, "phone": "0912345678", "unit_code": "QN-LELOI", "consent": true});
    let r = resident.post(app.url("/api/v1/contests/dan/participants")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let things =
        Things { rounds, attempts: vec![w.attempt, done], contests: vec!["chu", "dan", "ca-hai"], victim: w.victim };
    (things, resident)
}

/// Every concrete path of a GET page route.
fn paths(pattern: &str, t: &Things) -> Vec<String> {
    let mut out = vec![pattern.to_string()];
    let expand = |out: Vec<String>, hole: &str, values: Vec<String>| -> Vec<String> {
        out.into_iter()
            .flat_map(|p| if p.contains(hole) { values.iter().map(|v| p.replace(hole, v)).collect() } else { vec![p] })
            .collect()
    };
    if pattern.starts_with("/admin/users/{id}") {
        return vec![pattern.replace("{id}", &t.victim.to_string())];
    }
    let ids = if pattern.starts_with("/attempts/") { &t.attempts } else { &t.rounds };
    out = expand(out, "{id}", ids.iter().map(i64::to_string).collect());
    expand(out, "{slug}", t.contests.iter().map(|s| s.to_string()).collect())
}

#[actix_web::test]
async fn no_page_shows_an_english_status_word_or_an_internal_code() {
    let (app, w, clients) = world().await;
    let (things, resident) = states(&app, &w, &clients).await;
    let mut callers: Vec<(String, reqwest::Client)> =
        clients.iter().map(|(who, (c, _))| (format!("{who:?}"), c.clone())).collect();
    callers.push(("Resident".into(), resident));
    let pages = ROUTES.iter().filter(|r| {
        r.method == "GET"
            && !r.path.starts_with("/api/")
            && !["/static/", "/metrics", "/healthz", ".csv", ".svg", "/qr", "{chart}"]
                .iter()
                .any(|skip| r.path.contains(skip))
    });
    let mut failures = Vec::new();
    let mut checked = 0;
    for route in pages {
        for path in paths(route.path, &things) {
            // The staff list is a file but for its printed page.
            let path = if path.ends_with("/missing") { format!("{path}?format=print") } else { path };
            for (who, c) in &callers {
                let res = c.get(app.url(&path)).send().await.unwrap();
                let status = res.status();
                let html = res
                    .headers()
                    .get("content-type")
                    .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
                let body = res.text().await.unwrap();
                if status.is_server_error() {
                    failures.push(format!("GET {path} as {who}: {status}"));
                }
                if !html {
                    continue;
                }
                checked += 1;
                for o in offenders(&visible_text(&body)) {
                    failures.push(format!("GET {path} as {who} ({status}): {o}"));
                }
            }
        }
    }
    // Pages the walk above does not reach: a page that does not exist, a
    // refusal (no purge while a round runs), a bank file without
    // difficulties previewed, and forms refused.
    let (owner, csrf) = &clients[&Who::Owner];
    let aiken = "Thủ tục được giải quyết ở đâu?\nA. Bộ phận Một cửa\nB. Nhà văn hóa\nANSWER: A\n";
    let upload = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("bank", "ban-aiken")
        .part("file", reqwest::multipart::Part::bytes(aiken.as_bytes().to_vec()).file_name("cau-hoi.txt"));
    let round_form = [
        ("csrf", csrf.as_str()),
        ("title", "Tuần 9"),
        ("opens_at", "ngày mai"),
        ("closes_at", ""),
        ("bank_1", "ban-a"),
        ("difficulty_1", "hard"),
        ("count_1", "1"),
    ];
    for (res, expected) in [
        (owner.get(app.url("/khong-co-trang-nay")).send().await.unwrap(), 404),
        (owner.post(app.url("/admin/contests/chu/purge")).form(&[("csrf", csrf.as_str())]).send().await.unwrap(), 409),
        (owner.post(app.url("/admin/banks/preview")).multipart(upload).send().await.unwrap(), 200),
        (owner.post(app.url("/admin/contests/chu/rounds")).form(&round_form).send().await.unwrap(), 422),
        (
            owner
                .post(app.url("/admin/contests"))
                .form(&[("csrf", csrf.as_str()), ("slug", "Có Dấu"), ("audience", "both")])
                .send()
                .await
                .unwrap(),
            422,
        ),
    ] {
        let status = res.status();
        assert_eq!(status.as_u16(), expected);
        checked += 1;
        for o in offenders(&visible_text(&res.text().await.unwrap())) {
            failures.push(format!("page answered {status}: {o}"));
        }
    }
    failures.dedup();
    assert!(failures.is_empty(), "{} problems on {checked} pages:\n{}", failures.len(), failures.join("\n"));
    assert!(checked > 500, "only {checked} pages checked");
}
