//! The authorization matrix, generated from the route table: every route
//! of `routes::ROUTES` × every kind of caller, with the status its declared
//! policy implies (a denial) or the statuses its fixture allows (a caller
//! the policy admits). A route without a fixture fails the test, so none
//! is left out. A hand-written list then checks the policies themselves.

use std::collections::BTreeMap;

use hoithi::routes::{Policy, ROUTES, RouteSpec};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_PASSWORD, TestApp, TestDb, bare_client, extract_csrf, json_of, spawn_app_with_settings};

/// Who calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    /// Official of QN-LELOI, whose attempt the attempt routes address.
    Official,
    /// Another official (SNV).
    OtherOfficial,
    /// Unit manager of QN, above the official's ward.
    ManagerInside,
    /// Unit manager of SNV.
    ManagerOutside,
    /// The organizer who owns the contest and the bank.
    Owner,
    /// Another organizer.
    OtherOrganizer,
    Admin,
}

const EVERYONE: [Who; 8] = [
    Who::Anonymous,
    Who::Official,
    Who::OtherOfficial,
    Who::ManagerInside,
    Who::ManagerOutside,
    Who::Owner,
    Who::OtherOrganizer,
    Who::Admin,
];

/// What a policy implies for a caller: `None` when admitted, else the denial.
fn denial(policy: Policy, who: Who) -> Option<u16> {
    use Who::*;
    if who == Anonymous && !matches!(policy, Policy::Public | Policy::MetricsToken) {
        return Some(401);
    }
    let staff = matches!(who, Owner | OtherOrganizer | Admin);
    match policy {
        Policy::Public | Policy::Account | Policy::Entrant => None,
        Policy::AttemptOwner => (who != Official).then_some(404),
        Policy::Staff => (!staff).then_some(403),
        Policy::ContestOwner | Policy::BankOwner => (!matches!(who, Owner | Admin)).then_some(403),
        Policy::UnitManager => (!matches!(who, ManagerInside | ManagerOutside)).then_some(403),
        Policy::Admin => (who != Admin).then_some(403),
        // No caller here holds the token.
        Policy::MetricsToken => Some(401),
    }
}

enum Body {
    None,
    Json(Value),
    Form(Vec<(&'static str, String)>),
    Multipart,
}

/// A concrete request for a route, and the statuses an admitted caller may get.
struct Fixture {
    path: String,
    body: Body,
    ok: &'static [u16],
}

struct World {
    round: i64,
    /// A question of the round's pool.
    question: i64,
    attempt: i64,
    victim: i64,
    csv_hex: String,
}

fn fixture(r: &RouteSpec, w: &World) -> Option<Fixture> {
    let path = r
        .path
        .replace("/admin/users/{id}", &format!("/admin/users/{}", w.victim))
        .replace("/attempts/{id}", &format!("/attempts/{}", w.attempt))
        .replace("{id}", &w.round.to_string())
        .replace("{slug}", "chu")
        .replace("{bank}", "ban-a")
        .replace("{key}", "a-1")
        .replace("{position}", "1")
        .replace("{question}", &w.question.to_string())
        .replace("{chart}", "correct.svg")
        .replace("{path:.*}", "site.js");
    let form = |f: &[(&'static str, &str)]| Body::Form(f.iter().map(|(k, v)| (*k, v.to_string())).collect());
    let (body, ok): (Body, &'static [u16]) = match (r.method, r.path) {
        ("GET", "/login") => (Body::None, &[200, 303]),
        // The same wrong login from one address, eight times: slowed down after five.
        ("POST", "/login") => (form(&[("username", "khong-ai"), ("password", "sai-sai-sai")]), &[401, 429]),
        ("POST", "/logout") => (form(&[]), &[303]),
        ("POST", "/account/password") => (form(&[("current", "x"), ("new", ""), ("confirm", "")]), &[422]),
        ("POST", "/admin/users/{id}/move") => (form(&[("unit_code", "SNV")]), &[200]),
        ("POST", "/admin/users/{id}/disable" | "/admin/users/{id}/enable" | "/admin/users/{id}/reset-password") => {
            (form(&[]), &[200])
        }
        (
            "POST",
            "/admin/users"
            | "/admin/users/{id}"
            | "/admin/users/import"
            | "/admin/contests"
            | "/admin/contests/{slug}"
            | "/admin/contests/{slug}/rounds",
        ) => (form(&[]), &[422]),
        // A question bank is not a list of accounts: every problem listed, 422.
        ("POST", "/admin/users/import/preview") => (Body::Multipart, &[422]),
        // No import made passwords here: nothing to download.
        ("GET", "/admin/users/import/{id}/passwords.csv" | "/api/v1/users/imports/{id}/passwords.csv") => {
            (Body::None, &[404])
        }
        ("POST", "/admin/rounds/{id}") => (form(&[]), &[409, 422]),
        ("POST", "/admin/rounds/{id}/publish" | "/admin/rounds/{id}/close") => (form(&[]), &[200]),
        ("POST", "/admin/rounds/{id}/copy") => (form(&[]), &[303]),
        ("POST", "/admin/contests/{slug}/questions" | "/admin/questions") => {
            (form(&[("bank", "ban-a"), ("key", "a-1"), ("action", "show")]), &[200])
        }
        // No reason given: refused on the form, nothing changed.
        ("POST", "/admin/rounds/{id}/questions/{question}") => (form(&[("action", "void"), ("reason", "")]), &[422]),
        ("POST", "/admin/banks/preview") => (Body::Multipart, &[200]),
        ("POST", "/admin/banks/import") => {
            (form(&[("bank", "ban-a"), ("filename", "ban-a.csv"), ("content", &w.csv_hex)]), &[200])
        }
        ("POST", "/rounds/{id}/start") => (form(&[]), &[303, 409]),
        // The official's attempt is in progress: the page before the clock opens it.
        ("GET", "/rounds/{id}/start") => (Body::None, &[200, 303]),
        ("POST", "/attempts/{id}") => (form(&[]), &[303]),
        // An empty save in time: stored, back to the paper.
        ("POST", "/attempts/{id}/save") => (form(&[]), &[303]),
        ("GET", "/attempts/{id}" | "/attempts/{id}/result") => (Body::None, &[200, 303]),
        // Contest `chu` is for officials: residents' registration is not offered.
        ("GET", "/c/{slug}/register") => (Body::None, &[404]),
        ("POST", "/c/{slug}/register" | "/c/{slug}/continue") => (form(&[]), &[404]),
        ("POST", "/api/v1/contests/{slug}/participants/{id}/code") => (Body::Json(json!({})), &[404]),
        ("POST", "/admin/contests/{slug}/participants/{id}/code") => (form(&[]), &[404]),
        // The matrix's round is still open: nothing may be purged yet.
        ("POST", "/api/v1/contests/{slug}/personal-data/purge") => (Body::Json(json!({})), &[409]),
        ("POST", "/admin/contests/{slug}/purge") => (form(&[]), &[409]),
        // The matrix's round is open: no list is published yet.
        ("GET", "/api/v1/rounds/{id}/winners" | "/rounds/{id}/prizes") => (Body::None, &[404]),
        ("POST", "/admin/rounds/{id}/prizes") => (form(&[("action", "save")]), &[200]),
        ("POST", "/api/v1/rounds/{id}/prizes") => (Body::Json(json!({})), &[200]),
        ("GET", _) => (Body::None, &[200]),
        ("DELETE", "/api/v1/session") => (Body::Json(json!({})), &[204]),
        ("PATCH", "/api/v1/contests/{slug}") => (Body::Json(json!({})), &[200]),
        ("PATCH", "/api/v1/rounds/{id}") => (Body::Json(json!({})), &[409]),
        ("POST", "/api/v1/rounds/{id}/publish" | "/api/v1/rounds/{id}/close") => (Body::Json(json!({})), &[200]),
        ("POST", "/api/v1/rounds/{id}/copy") => (Body::Json(json!({})), &[201]),
        ("POST", "/api/v1/rounds/{id}/attempts") => (Body::Json(json!({})), &[200, 201, 409]),
        ("PUT", "/api/v1/attempts/{id}/items/{position}" | "/api/v1/attempts/{id}/prediction") => {
            (Body::Json(json!({})), &[409, 422])
        }
        ("POST", "/api/v1/attempts/{id}/submit") => (Body::Json(json!({})), &[200, 409]),
        ("POST", p) if p.starts_with("/api/v1/") => (Body::Json(json!({})), &[422]),
        _ => return None,
    };
    Some(Fixture { path, body, ok })
}

async fn login(app: &TestApp, username: &str, password: &str) -> reqwest::Client {
    let c = bare_client();
    let r = c
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "login {username}");
    c
}

/// The CSRF token of a client (any page with a form carries it).
async fn token(app: &TestApp, c: &reqwest::Client) -> String {
    let html = c.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    if let Some(t) = extract_csrf(&html) {
        return t;
    }
    extract_csrf(&c.get(app.url("/")).send().await.unwrap().text().await.unwrap()).expect("a form with a token")
}

async fn send(app: &TestApp, c: &reqwest::Client, csrf: &str, method: &str, f: &Fixture) -> reqwest::Response {
    let m = Method::from_bytes(method.as_bytes()).unwrap();
    let req = c.request(m, app.url(&f.path));
    let req = match &f.body {
        Body::None => req,
        Body::Json(v) => req.json(v),
        Body::Form(fields) => {
            let mut all: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            all.push(("csrf", csrf));
            req.form(&all)
        }
        Body::Multipart => {
            let csv = "STT,Câu hỏi,A,B,Đáp án,Giải thích,Nguồn,Mức độ\n1,Câu một?,Có,Không,A,Vì,Nguồn,Dễ\n";
            let form = reqwest::multipart::Form::new()
                .text("csrf", csrf.to_string())
                .text("bank", "ban-moi")
                .part("file", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("mot.csv"));
            req.multipart(form)
        }
    };
    req.send().await.unwrap()
}

/// The matrix app: contest `chu` of organizer `btc-a` with a published round
/// on btc-a's bank `ban-a`, an attempt of the official in it, and a victim
/// account for the admin's actions.
async fn world() -> (TestApp, World, BTreeMap<Who, (reqwest::Client, String)>) {
    let app = spawn_app_with_settings(TestDb::new(), |s| {
        s.metrics_token = Some(hoithi::configuration::Secret::new("metrics-token-0123456789"))
    })
    .await;
    for (name, role, unit) in [
        ("canbo-a", "official", Some("QN-LELOI")),
        ("canbo-b", "official", Some("SNV")),
        ("daumoi-qn", "unit_manager", Some("QN")),
        ("daumoi-snv", "unit_manager", Some("SNV")),
        ("btc-a", "organizer", None),
        ("btc-b", "organizer", None),
    ] {
        app.create_user(name, role, unit, "mat-khau-ma-tran").await;
    }
    let victim = app.create_user("nan-nhan", "official", Some("AN"), "mat-khau-ma-tran").await["id"].as_i64().unwrap();
    let owner = login(&app, "btc-a", "mat-khau-ma-tran").await;
    let t = token(&app, &owner).await;
    let csv = "STT,Mã,Câu hỏi,A,B,Đáp án,Giải thích,Nguồn,Mức độ\n1,a-1,Câu một?,Có,Không,A,Vì,Nguồn,Dễ\n2,a-2,Câu hai?,Có,Không,B,Vì,Nguồn,Dễ\n3,a-3,Câu ba?,Có,Không,A,Vì,Nguồn,Dễ\n";
    let csv_hex = hex::encode(csv);
    let r = owner
        .post(app.url("/admin/banks/import"))
        .form(&[("csrf", t.as_str()), ("bank", "ban-a"), ("filename", "ban-a.csv"), ("content", &csv_hex)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let (s, _) = json_of(
        owner
            .post(app.url("/api/v1/contests"))
            .json(&json!({"slug": "chu", "title": "Của btc-a", "audience": "officials"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, r) = json_of(
        owner
            .post(app.url("/api/v1/contests/chu/rounds"))
            .json(&json!({"title": "Vòng", "opens_at": app.at(-5), "closes_at": app.at(600), "duration_s": 3600,
                          "blueprint": [{"bank": "ban-a", "count": 2}], "attempts_allowed": 50}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let round = r["id"].as_i64().unwrap();
    let (s, _) =
        json_of(owner.post(app.url(&format!("/api/v1/rounds/{round}/publish"))).json(&json!({})).send().await.unwrap())
            .await;
    assert_eq!(s, StatusCode::OK);
    let mut clients = BTreeMap::new();
    for (who, name, password) in [
        (Who::Official, "canbo-a", "mat-khau-ma-tran"),
        (Who::OtherOfficial, "canbo-b", "mat-khau-ma-tran"),
        (Who::ManagerInside, "daumoi-qn", "mat-khau-ma-tran"),
        (Who::ManagerOutside, "daumoi-snv", "mat-khau-ma-tran"),
        (Who::Owner, "btc-a", "mat-khau-ma-tran"),
        (Who::OtherOrganizer, "btc-b", "mat-khau-ma-tran"),
        (Who::Admin, "admin", ADMIN_PASSWORD),
    ] {
        let c = login(&app, name, password).await;
        let t = token(&app, &c).await;
        clients.insert(who, (c, t));
    }
    let anon = bare_client();
    let t = token(&app, &anon).await;
    clients.insert(Who::Anonymous, (anon, t));
    let (s, paper) = json_of(
        clients[&Who::Official]
            .0
            .post(app.url(&format!("/api/v1/rounds/{round}/attempts")))
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{paper}");
    let attempt = paper["attempt_id"].as_i64().unwrap();
    let question: i64 = app
        .state
        .read(move |c| {
            use diesel::prelude::*;
            use hoithi::db::schema::round_pool;
            round_pool::table.filter(round_pool::round_id.eq(round)).select(round_pool::question_id).first(c)
        })
        .await
        .unwrap();
    (app, World { round, question, attempt, victim, csv_hex }, clients)
}

#[actix_web::test]
async fn every_route_answers_every_caller_as_its_policy_says() {
    let (app, w, clients) = world().await;
    // Logging out goes last: it ends the caller's session.
    let mut routes: Vec<&RouteSpec> = ROUTES.iter().collect();
    routes.sort_by_key(|r| matches!((r.method, r.path), ("POST", "/logout") | ("DELETE", "/api/v1/session")));
    let mut failures = Vec::new();
    let mut checked = 0;
    for r in routes {
        let Some(f) = fixture(r, &w) else {
            failures.push(format!("{} {}: no fixture in the matrix test", r.method, r.path));
            continue;
        };
        for who in EVERYONE {
            let (client, csrf) = &clients[&who];
            let res = send(&app, client, csrf, r.method, &f).await;
            let status = res.status().as_u16();
            let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            let page = !r.path.starts_with("/api/") && r.policy != Policy::MetricsToken;
            let ok = match denial(r.policy, who) {
                // Pages send the anonymous to the login page instead of a 401.
                Some(401) if page => status == 303 && location.starts_with("/login"),
                Some(code) => status == code,
                // A redirect to the login page is a denial, except logging out.
                None => {
                    f.ok.contains(&status)
                        && (r.path == "/logout" || !(status == 303 && location.starts_with("/login")))
                }
            };
            checked += 1;
            if !ok {
                let expected = match denial(r.policy, who) {
                    Some(c) => format!("denied with {c}"),
                    None => format!("admitted with one of {:?}", f.ok),
                };
                failures.push(format!(
                    "{} {} as {who:?} ({:?}): got {status} {location}, expected {expected}",
                    r.method, f.path, r.policy
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} cases wrong:\n{}", failures.len(), failures.join("\n"));
    assert!(checked >= ROUTES.len() * EVERYONE.len());
}

#[actix_web::test]
async fn the_declared_policies_are_the_intended_ones() {
    let policy = |method: &str, path: &str| {
        ROUTES.iter().find(|r| r.method == method && r.path == path).unwrap_or_else(|| panic!("{method} {path}")).policy
    };
    // (route, caller, what that caller must get), written by hand.
    let cases: [(&str, &str, Who, Option<u16>); 26] = [
        ("GET", "/api/v1/rounds/{id}/sample", Who::OtherOrganizer, Some(403)),
        ("POST", "/admin/rounds/{id}/copy", Who::Official, Some(403)),
        ("POST", "/api/v1/rounds/{id}/publish", Who::OtherOrganizer, Some(403)),
        ("POST", "/api/v1/rounds/{id}/publish", Who::Owner, None),
        ("POST", "/api/v1/rounds/{id}/close", Who::Official, Some(403)),
        ("GET", "/api/v1/attempts/{id}", Who::Admin, Some(404)),
        ("GET", "/api/v1/attempts/{id}", Who::OtherOfficial, Some(404)),
        ("PUT", "/api/v1/attempts/{id}/items/{position}", Who::Official, None),
        ("PATCH", "/api/v1/contests/{slug}", Who::OtherOrganizer, Some(403)),
        ("GET", "/api/v1/rounds/{id}/results.csv", Who::ManagerInside, Some(403)),
        ("GET", "/api/v1/rounds/{id}/leaderboard", Who::Anonymous, None),
        ("GET", "/admin/users", Who::Owner, Some(403)),
        ("POST", "/api/v1/users", Who::OtherOrganizer, Some(403)),
        ("POST", "/api/v1/users/import", Who::Owner, Some(403)),
        ("GET", "/api/v1/users/imports/{id}/passwords.csv", Who::ManagerInside, Some(403)),
        ("POST", "/admin/users/{id}/move", Who::Owner, Some(403)),
        ("POST", "/api/v1/questions/{bank}/{key}/void", Who::OtherOrganizer, Some(403)),
        ("POST", "/api/v1/contests/{slug}/questions/{bank}/{key}/void", Who::Owner, None),
        ("GET", "/unit/rounds/{id}/missing", Who::Official, Some(403)),
        ("GET", "/unit/rounds/{id}", Who::ManagerOutside, None),
        ("POST", "/rounds/{id}/start", Who::Anonymous, Some(401)),
        ("GET", "/rounds/{id}/start", Who::Anonymous, Some(401)),
        ("POST", "/attempts/{id}/save", Who::OtherOfficial, Some(404)),
        ("POST", "/attempts/{id}/save", Who::Admin, Some(404)),
        ("GET", "/metrics", Who::Admin, Some(401)),
        ("POST", "/admin/banks/import", Who::OtherOrganizer, Some(403)),
    ];
    for (method, path, who, expected) in cases {
        assert_eq!(denial(policy(method, path), who), expected, "{method} {path} as {who:?}");
    }
}

#[actix_web::test]
async fn unit_managers_see_their_own_subtree_only() {
    let (app, w, clients) = world().await;
    let page = |who: Who| {
        let c = clients[&who].0.clone();
        let url = app.url(&format!("/unit/rounds/{}/missing?format=csv", w.round));
        async move { c.get(url).send().await.unwrap().text().await.unwrap() }
    };
    // The official of QN-LELOI has not finished: listed for QN, not for SNV.
    assert!(page(Who::ManagerInside).await.contains("canbo-a"));
    let outside = page(Who::ManagerOutside).await;
    assert!(!outside.contains("canbo-a") && outside.contains("canbo-b"), "{outside}");
}

#[actix_web::test]
async fn organizers_do_not_see_other_organizers_draft_rounds() {
    let (app, _, clients) = world().await;
    let (owner, other) = (&clients[&Who::Owner].0, &clients[&Who::OtherOrganizer].0);
    let (s, draft) = json_of(
        owner
            .post(app.url("/api/v1/contests/chu/rounds"))
            .json(&json!({"title": "Nháp", "opens_at": app.at(60), "closes_at": app.at(120), "duration_s": 600, "blueprint": [{"bank": "ban-a", "count": 1}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let id = draft["id"].as_i64().unwrap();
    let titles = |c: &reqwest::Client| {
        let (c, url) = (c.clone(), app.url("/api/v1/contests/chu/rounds"));
        async move {
            let (_, v) = json_of(c.get(url).send().await.unwrap()).await;
            v.as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        }
    };
    assert!(titles(owner).await.contains(&"Nháp".to_string()));
    assert!(!titles(other).await.contains(&"Nháp".to_string()));
    assert!(!titles(&clients[&Who::Official].0).await.contains(&"Nháp".to_string()));
    // Not by id either: the draft does not exist for them.
    for path in [format!("/admin/rounds/{id}"), format!("/api/v1/rounds/{id}/live")] {
        assert_eq!(other.get(app.url(&path)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        clients[&Who::Admin].0.get(app.url(&format!("/admin/rounds/{id}"))).send().await.unwrap().status(),
        StatusCode::OK
    );
}
