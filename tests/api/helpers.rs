//! Start the real application on port 0 with its own database, and talk HTTP.
//! The one copy of every test helper (the browser tests include this file).
//!
//! Each test gets a fresh database: a copy of a migrated, seeded template
//! (the shipped banks, units and the admin), made once per test process —
//! a SQLite file copied, or a PostgreSQL database created `TEMPLATE` it when
//! `HOITHI_TEST_POSTGRES_URL` is set, dropped when the test ends. Apps run
//! with a clock the test moves, no background sweeper (tests sweep when
//! they choose), and cheap password hashes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use diesel::{Connection, PgConnection, RunQueryDsl};
use hoithi::auth::password::PasswordCost;
use hoithi::clock::ManualClock;
use hoithi::configuration::{DatabaseUrl, Secret, Settings};
use hoithi::startup::{Application, Runtime};
use hoithi::state::AppState;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The admin password every test app starts with.
pub const ADMIN_PASSWORD: &str = "quan-tri-vien-2026";

/// Where the template lives.
enum Template {
    Sqlite(PathBuf),
    Postgres(String),
}

fn pg_base() -> Option<String> {
    std::env::var("HOITHI_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())
}

fn template_settings(url: DatabaseUrl, dir: &Path) -> Settings {
    let mut s = Settings::from_sources(None, "test", &|_| None).expect("default settings");
    s.database = url;
    s.data_dir = dir.join("data");
    s.secret_key = Some(Secret::new(random_hex(32)));
    s.admin_password = Some(Secret::new(ADMIN_PASSWORD));
    s.demo = false;
    s.parser_exe = Some(env!("CARGO_BIN_EXE_hoithi").into());
    s
}

/// Migrates and seeds a database as the first start of `hoithi` would.
fn seed(settings: &Settings) {
    let db = hoithi::db::Db::connect(&settings.database, settings.sqlite_sync, 1).expect("connect template");
    db.migrate().expect("migrate template");
    let now = chrono::Utc::now().naive_utc();
    hoithi::bootstrap::first_run(&db, settings, PasswordCost::CheapForTests, now).expect("seed template");
    if !settings.database.is_postgres() {
        let mut c = db.writer().expect("writer");
        diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *c).expect("checkpoint");
    }
}

/// PostgreSQL databases of test processes that are gone.
fn drop_stale_templates(admin: &mut PgConnection) {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let names: Vec<Name> = diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'hoithi_tpl_%'")
        .load(admin)
        .unwrap_or_default();
    for n in names {
        let pid = n.datname.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| !Path::new(&format!("/proc/{p}")).exists()) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", n.datname)).execute(admin);
        }
    }
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("hoithi-template-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("template dir");
        match pg_base() {
            Some(base) => {
                let name = format!("hoithi_tpl_{}_{}", std::process::id(), random_hex(4));
                let mut admin = PgConnection::establish(&base).expect("connect to HOITHI_TEST_POSTGRES_URL");
                drop_stale_templates(&mut admin);
                diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).expect("create template");
                seed(&template_settings(DatabaseUrl::Postgres(with_database(&base, &name)), &dir));
                Template::Postgres(name)
            }
            None => {
                let path = dir.join("template.db");
                seed(&template_settings(DatabaseUrl::Sqlite(path.clone()), &dir));
                Template::Sqlite(path)
            }
        }
    })
}

/// A database for one test, removed afterwards.
pub struct TestDb {
    pub url: DatabaseUrl,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A fresh database of the backend under test, seeded like a first start.
    pub fn new() -> Self {
        Self::create(true)
    }

    /// A fresh, empty database (not migrated): for what a first start does.
    pub fn empty() -> Self {
        Self::create(false)
    }

    fn create(seeded: bool) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        match pg_base() {
            Some(base) => {
                let name = format!("hoithi_t_{}", random_hex(8));
                let mut admin = PgConnection::establish(&base).expect("connect to HOITHI_TEST_POSTGRES_URL");
                let sql = match (seeded, template()) {
                    (true, Template::Postgres(t)) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
                    _ => format!("CREATE DATABASE {name}"),
                };
                diesel::sql_query(sql).execute(&mut admin).expect("create test database");
                let url = with_database(&base, &name);
                TestDb { url: DatabaseUrl::Postgres(url), dir, pg: Some((base, name)) }
            }
            None => {
                let path = dir.path().join("hoithi.db");
                if let (true, Template::Sqlite(t)) = (seeded, template()) {
                    std::fs::copy(t, &path).expect("copy template");
                }
                TestDb { url: DatabaseUrl::Sqlite(path), dir, pg: None }
            }
        }
    }

    /// True when the suite runs on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// On PostgreSQL: the server's base URL and this test's database name.
    pub fn postgres(&self) -> Option<(&str, &str)> {
        self.pg.as_ref().map(|(b, n)| (b.as_str(), n.as_str()))
    }

    /// Settings for an app or CLI command on this database.
    pub fn settings(&self) -> Settings {
        let mut s = template_settings(self.url.clone(), self.dir.path());
        s.bind = "127.0.0.1:0".parse().expect("addr");
        s.pool_size = 4;
        s
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, name)) = &self.pg
            && let Ok(mut admin) = PgConnection::establish(base)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
        }
    }
}

fn with_database(base: &str, name: &str) -> String {
    let (main, query) = match base.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (base, None),
    };
    let scheme_end = main.find("://").map(|i| i + 3).unwrap_or(0);
    let prefix = match main[scheme_end..].find('/') {
        Some(i) => &main[..scheme_end + i],
        None => main,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::fill(&mut b[..]);
    hex::encode(b)
}

/// A free TCP port on localhost (for the real binary).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A running application and a client with its own cookie jar.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub db: TestDb,
}

/// Starts the application on its own database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(TestDb::new()).await
}

/// Starts the application on a prepared database.
pub async fn spawn_app_with(db: TestDb) -> TestApp {
    spawn_app_with_settings(db, |_| {}).await
}

/// Starts the application after `adjust` has changed its settings.
pub async fn spawn_app_with_settings(db: TestDb, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let clock = Arc::new(ManualClock::new());
    let runtime =
        Runtime { clock: clock.clone(), background_sweeper: false, password_cost: PasswordCost::CheapForTests };
    let mut settings = db.settings();
    adjust(&mut settings);
    let app = Application::build_with(settings, runtime).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp { address, client: new_client(), state, clock, db }
}

/// A client that keeps cookies, does not follow redirects, and marks its
/// requests as scripted (`X-Requested-With`), as the attempt page's script does.
pub fn new_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-requested-with", reqwest::header::HeaderValue::from_static("hoithi-tests"));
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client")
}

/// A client like a browser's: cookies, no redirects, no extra header.
pub fn bare_client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// The status and JSON body of a response (`Null` when the body is not JSON).
pub async fn json_of(r: reqwest::Response) -> (StatusCode, Value) {
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// The time by `clock` at +07:00 shifted by `minutes`, RFC 3339.
pub fn at_clock(clock: &ManualClock, minutes: i64) -> String {
    use hoithi::clock::Clock;
    (clock.now().and_utc() + chrono::Duration::minutes(minutes))
        .with_timezone(&hoithi::domain::time::vietnam())
        .to_rfc3339()
}

/// The real time at +07:00 shifted by `minutes`, RFC 3339 (for the binary and the browser).
pub fn at(minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(minutes))
        .with_timezone(&hoithi::domain::time::vietnam())
        .to_rfc3339()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// The app's clock at +07:00 shifted by `minutes`, RFC 3339.
    pub fn at(&self, minutes: i64) -> String {
        at_clock(&self.clock, minutes)
    }

    /// Moves the app's clock on.
    pub fn advance(&self, by: chrono::Duration) {
        self.clock.advance(by);
    }

    /// Runs the sweeper once, as the background task would.
    pub async fn sweep(&self) -> hoithi::engine::sweeper::SweepReport {
        self.state.sweep().await.expect("sweep")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> (StatusCode, String) {
        let r = self.get(path).await;
        let s = r.status();
        (s, r.text().await.expect("body"))
    }

    /// POST JSON with this app's client.
    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(body).send().await.expect("POST")
    }

    /// Logs in through the API with this app's client.
    pub async fn api_login(&self, username: &str, password: &str) -> reqwest::Response {
        self.post_json("/api/v1/session", &json!({ "username": username, "password": password })).await
    }

    /// Logs in as the admin; panics if it fails.
    pub async fn login_admin(&self) {
        let r = self.api_login("admin", ADMIN_PASSWORD).await;
        assert_eq!(r.status(), StatusCode::OK, "admin login");
    }

    /// The CSRF token of a page (fetching it also sets the cookie).
    pub async fn csrf(&self, path: &str) -> String {
        let (_, body) = self.get_text(path).await;
        extract_csrf(&body).unwrap_or_else(|| panic!("no csrf token on {path}"))
    }

    /// POSTs a form.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(self.url(path)).form(form).send().await.expect("POST form")
    }

    /// Logs in through the HTML form.
    pub async fn form_login(&self, username: &str, password: &str) -> reqwest::Response {
        let token = self.csrf("/login").await;
        self.post_form("/login", &[("csrf", &token), ("username", username), ("password", password), ("next", "/")])
            .await
    }

    /// Creates an account through the API as admin (logged in on a side client).
    pub async fn create_user(&self, username: &str, role: &str, unit: Option<&str>, password: &str) -> Value {
        let admin = self.client_for("admin", ADMIN_PASSWORD).await;
        let r = admin
            .post(self.url("/api/v1/users"))
            .json(&json!({
                "username": username, "full_name": full_name(username),
                "role": role, "unit_code": unit, "password": password,
            }))
            .send()
            .await
            .expect("create user");
        assert_eq!(r.status(), StatusCode::CREATED, "create {username}");
        r.json().await.expect("json")
    }

    /// A fresh client logged in as `username` through the API.
    pub async fn client_for(&self, username: &str, password: &str) -> reqwest::Client {
        let c = new_client();
        let r = c
            .post(self.url("/api/v1/session"))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("login");
        assert_eq!(r.status(), StatusCode::OK, "login {username}");
        c
    }

    /// An organizer `name`, logged in.
    pub async fn organizer(&self, name: &str) -> reqwest::Client {
        self.create_user(name, "organizer", None, "mat-khau-btc-1").await;
        self.client_for(name, "mat-khau-btc-1").await
    }

    /// An official of `unit`, logged in.
    pub async fn official(&self, name: &str, unit: &str) -> reqwest::Client {
        self.create_user(name, "official", Some(unit), "mat-khau-can-bo").await;
        self.client_for(name, "mat-khau-can-bo").await
    }

    /// Creates contest `slug` (for officials) as `org`.
    pub async fn contest(&self, org: &reqwest::Client, slug: &str, extra: Value) -> Value {
        let mut body = json!({"slug": slug, "title": "Tìm hiểu CCHC", "description": "Thử", "audience": "officials", "rules": "**Thể lệ**"});
        merge(&mut body, extra);
        let (s, c) = json_of(org.post(self.url("/api/v1/contests")).json(&body).send().await.expect("POST")).await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        c
    }

    /// Creates a round in contest `slug` as `org` (open now for an hour,
    /// 10 minutes, 3 + 2 questions, unless `round` says otherwise) and
    /// publishes it; returns its id.
    pub async fn round(&self, org: &reqwest::Client, slug: &str, round: Value) -> i64 {
        let mut body = json!({
            "title": "Tuần 1", "opens_at": self.at(-5), "closes_at": self.at(60), "duration_s": 600,
            "blueprint": [{"bank": "mot-cua", "count": 3}, {"bank": "van-hoa-cong-vu", "difficulty": "easy", "count": 2}],
            "attempts_allowed": 2, "prediction": true, "reveal": "after_submit",
        });
        merge(&mut body, round);
        let (s, created) = json_of(
            org.post(self.url(&format!("/api/v1/contests/{slug}/rounds"))).json(&body).send().await.expect("POST"),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        let id = created["id"].as_i64().expect("id");
        let r = org.post(self.url(&format!("/api/v1/rounds/{id}/publish"))).send().await.expect("publish");
        assert_eq!(r.status(), StatusCode::OK);
        id
    }

    /// Organizer `btc`, contest `tuan-le` and a published round (see [`TestApp::round`]).
    pub async fn setup_round(&self, round: Value) -> (reqwest::Client, i64) {
        let org = self.organizer("btc").await;
        self.contest(&org, "tuan-le", json!({})).await;
        let id = self.round(&org, "tuan-le", round).await;
        (org, id)
    }

    /// The items of an attempt with everything about them (read from the database, as a grader would).
    pub async fn items(&self, attempt_id: i64) -> Vec<hoithi::db::attempts::ItemFull> {
        self.state
            .read(move |c| {
                let a = hoithi::db::attempts::find_attempt(c, attempt_id)?.ok_or(diesel::result::Error::NotFound)?;
                let r = hoithi::db::rounds::find_round(c, a.round_id)?;
                hoithi::db::attempts::load_items(c, attempt_id, r.contest_id)
            })
            .await
            .expect("items")
    }

    /// The correct display choices of each item of an attempt.
    pub async fn key_of(&self, attempt_id: i64) -> Vec<Vec<usize>> {
        self.items(attempt_id).await.into_iter().map(|i| i.answer_display).collect()
    }

    /// Starts a round as `who`; returns the paper.
    pub async fn start(&self, who: &reqwest::Client, round: i64) -> Value {
        let (s, paper) =
            json_of(who.post(self.url(&format!("/api/v1/rounds/{round}/attempts"))).send().await.expect("start")).await;
        assert!(s == StatusCode::CREATED || s == StatusCode::OK, "{s} {paper}");
        paper
    }

    /// Answers every item of an attempt right except those in `wrong` (positions, 1-based).
    pub async fn answer_all(&self, who: &reqwest::Client, attempt: i64, wrong: &[usize]) {
        let key = self.key_of(attempt).await;
        for (i, k) in key.iter().enumerate() {
            let choice = if wrong.contains(&(i + 1)) { vec![(k[0] + 1) % 2] } else { k.clone() };
            let r = who
                .put(self.url(&format!("/api/v1/attempts/{attempt}/items/{}", i + 1)))
                .json(&json!({"choices": choice}))
                .send()
                .await
                .expect("answer");
            assert_eq!(r.status(), StatusCode::OK);
        }
    }

    /// Submits an attempt with a prediction; returns the result.
    pub async fn submit(&self, who: &reqwest::Client, attempt: i64, prediction: Option<i64>) -> Value {
        let (s, result) = json_of(
            who.post(self.url(&format!("/api/v1/attempts/{attempt}/submit")))
                .json(&json!({ "prediction": prediction }))
                .send()
                .await
                .expect("submit"),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{result}");
        result
    }
}

/// The full name test accounts get: unlike each other even when masked
/// ("canbo1 Văn Thử" shows as "canbo1 V. T.").
pub fn full_name(username: &str) -> String {
    format!("{username} Văn Thử")
}

/// Adds the fields of `extra` to the object `base`.
pub fn merge(base: &mut Value, extra: Value) {
    if let (Value::Object(b), Value::Object(e)) = (base, extra) {
        b.extend(e);
    }
}

/// The value of the first `name="csrf"` hidden field.
pub fn extract_csrf(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let end = html[i..].find('"')?;
    Some(html[i..i + end].to_string())
}

/// The value of a hidden field.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let i = html.find(&marker).unwrap_or_else(|| panic!("no hidden field {name}")) + marker.len();
    let end = html[i..].find('"').expect("end of value");
    html[i..i + end].to_string()
}

/// A file in the test's temporary directory.
pub fn write_file(db: &TestDb, name: &str, contents: &str) -> PathBuf {
    let p = db.dir.path().join(name);
    std::fs::write(&p, contents).expect("write");
    p
}
