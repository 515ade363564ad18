//! Every main page at 1280 × 800 and 360 × 740, as each kind of person
//! sees it: the public boards, login and a resident's join pages; an
//! official's home, intro, paper, result and history; the organizer's
//! pages; a unit manager's. axe-core checks each page (every serious or
//! critical violation is listed, then the test fails), a screenshot of each
//! is kept, and on the phone nothing scrolls sideways (tables become
//! cards), no control lies beyond the screen's edge and every control is at
//! least 44 × 44 px.

use serde_json::{Value, json};

use crate::driver::{Browser, Chromedriver, Tools};
use crate::helpers::{ADMIN_PASSWORD, TestApp, spawn_app};

const SIZES: [(&str, (u32, u32)); 2] = [("1280", (1280, 800)), ("360", (360, 740))];
const OFFICIAL: (&str, &str) = ("canbo1", "mat-khau-can-bo");
const MANAGER: (&str, &str) = ("daumoi-qn", "mat-khau-dau-moi");

/// What the pages are about: ids made by [`setup`].
struct Fixture {
    /// Closed, with entries, winners published.
    closed: i64,
    /// Open; the official has an attempt in progress.
    open: i64,
    done_attempt: i64,
    open_attempt: i64,
    /// The public contest's round.
    public: i64,
    user_id: i64,
}

async fn setup(app: &TestApp) -> Fixture {
    let org = app.organizer("btc").await;
    app.contest(&org, "tuan-le", json!({"audience": "both"})).await;
    let closed = app.round(&org, "tuan-le", json!({"attempts_allowed": 1})).await;
    let open = app.round(&org, "tuan-le", json!({"title": "Tuần 2", "attempts_allowed": 2})).await;
    app.contest(&org, "nguoi-dan", json!({"audience": "public", "title": "Tìm hiểu cải cách hành chính"})).await;
    let public = app.round(&org, "nguoi-dan", json!({"prediction": false})).await;
    let mut done_attempt = 0;
    for (i, (name, unit)) in [("canbo1", "SNV"), ("canbo2", "QN-LELOI"), ("canbo3", "STTTT")].into_iter().enumerate() {
        let who = app.official(name, unit).await;
        let a = app.start(&who, closed).await["attempt_id"].as_i64().expect("attempt");
        let wrong: Vec<usize> = (1..=i).collect();
        app.answer_all(&who, a, &wrong).await;
        app.submit(&who, a, Some(2)).await;
        if i == 0 {
            done_attempt = a;
        }
    }
    let me = app.client_for(OFFICIAL.0, OFFICIAL.1).await;
    let open_attempt = app.start(&me, open).await["attempt_id"].as_i64().expect("attempt");
    let prizes = app.url(&format!("/api/v1/rounds/{closed}/prizes"));
    let plan = json!({"tiers": [{"name": "Giải Nhất", "count": 1}, {"name": "Giải Nhì", "count": 1}]});
    assert!(org.post(&prizes).json(&plan).send().await.unwrap().status().is_success());
    org.post(app.url(&format!("/api/v1/rounds/{closed}/close"))).send().await.unwrap();
    app.advance(chrono::Duration::seconds(30));
    app.sweep().await;
    let r = org.post(&prizes).json(&json!({"publish": true})).send().await.unwrap();
    assert!(r.status().is_success(), "publish the winners: {}", r.text().await.unwrap_or_default());
    let manager = app.create_user(MANAGER.0, "unit_manager", Some("QN"), MANAGER.1).await;
    let user_id = manager["id"].as_i64().expect("user id");
    Fixture { closed, open, done_attempt, open_attempt, public, user_id }
}

/// A username and password.
type Account = (&'static str, &'static str);
/// Pages by name (for the screenshot) and path.
type Pages = Vec<(&'static str, String)>;

/// The pages each kind of person visits (`None`: nobody logged in).
fn pages(f: &Fixture) -> [(Option<Account>, Pages); 4] {
    let (c, o, p) = (f.closed, f.open, f.public);
    let anonymous = vec![
        ("home", "/".into()),
        ("login", "/login".into()),
        ("contest", "/contests/tuan-le".into()),
        ("leaderboard", format!("/rounds/{c}/leaderboard")),
        ("units-board", format!("/rounds/{c}/units")),
        ("prizes", format!("/rounds/{c}/prizes")),
        ("standings", "/contests/tuan-le/standings".into()),
        ("join", "/c/nguoi-dan".into()),
        ("register", "/c/nguoi-dan/register".into()),
        ("privacy", "/c/nguoi-dan/privacy".into()),
        ("public-board", format!("/rounds/{p}/leaderboard")),
    ];
    let official = vec![
        ("home", "/".into()),
        ("intro", format!("/rounds/{o}/start")),
        ("paper", format!("/attempts/{}", f.open_attempt)),
        ("result", format!("/attempts/{}/result", f.done_attempt)),
        ("history", "/history".into()),
        ("password", "/account/password".into()),
    ];
    let admin = vec![
        ("overview", "/admin".into()),
        ("contests", "/admin/contests".into()),
        ("contest", "/admin/contests/tuan-le".into()),
        ("round", format!("/admin/rounds/{c}")),
        ("open-round", format!("/admin/rounds/{o}")),
        ("sample", format!("/admin/rounds/{o}/sample")),
        ("stats", format!("/admin/rounds/{c}/stats")),
        ("prizes", format!("/admin/rounds/{c}/prizes")),
        ("contest-questions", "/admin/contests/tuan-le/questions".into()),
        ("participants", "/admin/contests/nguoi-dan/participants".into()),
        ("users", "/admin/users".into()),
        ("user", format!("/admin/users/{}", f.user_id)),
        ("users-import", "/admin/users/import".into()),
        ("banks", "/admin/banks".into()),
        ("questions", "/admin/questions".into()),
        ("audit", "/admin/audit".into()),
    ];
    let manager = vec![("unit", "/unit".into()), ("unit-round", format!("/unit/rounds/{c}"))];
    [(None, anonymous), (Some(OFFICIAL), official), (Some(("admin", ADMIN_PASSWORD)), admin), (Some(MANAGER), manager)]
}

async fn log_in(b: &Browser, app: &TestApp, (username, password): (&str, &str)) {
    b.goto(&app.url("/login")).await;
    for (name, value) in [("username", username), ("password", password)] {
        let input = b.find(&format!("input[name='{name}']")).await;
        input.send_keys(value).await.unwrap_or_else(|e| panic!("type the {name}: {e}"));
    }
    b.find("form[action='/login'] button[type='submit']").await.click().await.expect("log in");
    b.wait_for(&format!("{username} to be logged in"), std::time::Duration::from_secs(10), async || {
        (b.path().await? != "/login").then_some(())
    })
    .await;
}

/// The HTTP status of the page, by the browser's own navigation timing.
async fn status(b: &Browser) -> u64 {
    let script = "var n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : 0;";
    b.client.execute(script, vec![]).await.ok().and_then(|v| v.as_u64()).unwrap_or(0)
}

/// What does not fit a phone, with every `<details>` opened: a sideways
/// scroll of the page or inside it, controls beyond the right edge, and
/// controls smaller than 44 × 44 px (a checkbox or radio counts by its label).
const PHONE_FIT: &str = "var w = window.innerWidth, out = [];\
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });\
    document.querySelectorAll('*').forEach(function (e) {\
      var o = getComputedStyle(e).overflowX;\
      if ((o === 'auto' || o === 'scroll') && e.scrollWidth > e.clientWidth + 1 && e.tagName !== 'PRE')\
        out.push('scrolls sideways inside (' + e.scrollWidth + ' px in ' + e.clientWidth + '): ' + e.outerHTML.slice(0, 90));\
    });\
    if (document.documentElement.scrollWidth > w + 1) out.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' px wide');\
    document.querySelectorAll('a[href], button, select, input:not([type=hidden]), textarea, summary').forEach(function (e) {\
      if (!e.getClientRects().length || getComputedStyle(e).visibility === 'hidden') return;\
      var t = e, label = e.closest('label');\
      if ((e.type === 'checkbox' || e.type === 'radio') && label) t = label;\
      var r = t.getBoundingClientRect(), name = e.outerHTML.slice(0, 90);\
      if (r.right > w + 1) out.push('beyond the edge (' + Math.round(r.right) + ' px): ' + name);\
      if (r.width < 43.5 || r.height < 43.5) out.push(Math.round(r.width) + '×' + Math.round(r.height) + ' px: ' + name);\
    });\
    return out;";

/// Cells of a table that turns into cards whose `data-label` is not their column's heading.
const LABELS_MATCH: &str = "var out = [];\
    document.querySelectorAll('table.cards').forEach(function (t) {\
      var heads = Array.prototype.map.call(t.querySelectorAll('thead th'), function (h) {\
        return h.textContent.replace(/\\s+/g, ' ').trim(); });\
      t.querySelectorAll('tbody td').forEach(function (td) {\
        if (td.colSpan > 1) return;\
        var want = heads[td.cellIndex] || '', got = td.getAttribute('data-label') || '';\
        if (want !== got) out.push('a cell labelled “' + got + '” under “' + want + '”: ' + td.outerHTML.slice(0, 90));\
      });\
    });\
    return out;";

async fn strings(b: &Browser, script: &str) -> Vec<String> {
    let v = b.client.execute(script, vec![]).await.expect("measure the page");
    v.as_array().into_iter().flatten().filter_map(Value::as_str).map(String::from).collect()
}

async fn phone_problems(b: &Browser) -> Vec<String> {
    strings(b, PHONE_FIT).await
}

/// Walks every page at `size`; returns what axe and the phone checks found.
async fn walk_at(
    driver: &Chromedriver,
    tools: &Tools,
    app: &TestApp,
    f: &Fixture,
    tag: &str,
    size: (u32, u32),
) -> Vec<String> {
    let phone = size.0 < 500;
    let mut problems = Vec::new();
    for (who, paths) in pages(f) {
        let shots = crate::paper::shots();
        let mut b = if phone {
            driver.open_phone(&tools.chromium, shots, size, true).await
        } else {
            driver.open_desktop(&tools.chromium, shots, size, true).await
        };
        b.gather_violations();
        let role = who.map_or("anonymous", |(u, _)| u);
        if let Some(account) = who {
            log_in(&b, app, account).await;
        }
        for (name, path) in paths {
            b.goto(&app.url(&path)).await;
            let s = status(&b).await;
            assert_eq!(s, 200, "{path} as {role} at {tag} answered {s}");
            b.screenshot_page(&format!("walk-{tag}-{role}-{name}")).await;
            problems.extend(strings(&b, LABELS_MATCH).await.into_iter().map(|p| format!("{path} ({role}): {p}")));
            if phone {
                problems.extend(phone_problems(&b).await.into_iter().map(|p| format!("{path} ({role}): {p}")));
            }
        }
        problems.extend(b.gathered_violations());
        b.close().await;
    }
    problems.into_iter().map(|p| format!("at {tag} px: {p}")).collect()
}

#[actix_web::test]
async fn every_main_page_passes_axe_and_fits_a_phone_at_desktop_and_phone_size() {
    let Some(tools) = crate::paper::tools_or_skip() else { return };
    let driver = Chromedriver::start(&tools.chromedriver, &crate::paper::shots().join("chromedriver-walk.log")).await;
    let app = spawn_app().await;
    let fixture = setup(&app).await;
    let began = std::time::Instant::now();
    let mut problems = Vec::new();
    for (tag, size) in SIZES {
        problems.extend(walk_at(&driver, &tools, &app, &fixture, tag, size).await);
    }
    drop(driver);
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    eprintln!("walk: every page at both sizes in {:.1} s", began.elapsed().as_secs_f64());
}
