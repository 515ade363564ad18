//! Start the real application on port 0 with its own database, and talk HTTP.
//!
//! Each test gets a fresh database: a temporary SQLite file, or — when
//! `HOITHI_TEST_POSTGRES_URL` is set — a new PostgreSQL database that is
//! dropped when the test ends.

use std::path::PathBuf;

use diesel::{Connection, PgConnection, RunQueryDsl};
use hoithi::configuration::{DatabaseUrl, Settings};
use hoithi::startup::Application;
use hoithi::state::AppState;
use reqwest::StatusCode;
use serde_json::Value;

/// The admin password every test app starts with.
pub const ADMIN_PASSWORD: &str = "quan-tri-vien-2026";

/// A database for one test, removed afterwards.
pub struct TestDb {
    pub url: DatabaseUrl,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A fresh database of the backend under test.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        match std::env::var("HOITHI_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty()) {
            Some(base) => {
                let name = format!("hoithi_t_{}", random_hex(8));
                let mut admin = PgConnection::establish(&base).expect("connect to HOITHI_TEST_POSTGRES_URL");
                diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).expect("create test database");
                let url = with_database(&base, &name);
                TestDb { url: DatabaseUrl::Postgres(url), dir, pg: Some((base, name)) }
            }
            None => {
                let path = dir.path().join("hoithi.db");
                TestDb { url: DatabaseUrl::Sqlite(path), dir, pg: None }
            }
        }
    }

    /// True when the suite runs on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// Settings for an app or CLI command on this database.
    pub fn settings(&self) -> Settings {
        let mut s = Settings::from_sources(None, "test", &|_| None).expect("default settings");
        s.database = self.url.clone();
        s.bind = "127.0.0.1:0".parse().expect("addr");
        s.data_dir = self.dir.path().join("data");
        s.secret_key = Some(random_hex(32));
        s.admin_password = Some(ADMIN_PASSWORD.into());
        s.pool_size = 4;
        s.demo = false;
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

/// A running application and a client with its own cookie jar.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub db: TestDb,
}

/// Starts the application on its own database.
pub async fn spawn_app() -> TestApp {
    let db = TestDb::new();
    spawn_app_with(db).await
}

/// Starts the application on a prepared database.
pub async fn spawn_app_with(db: TestDb) -> TestApp {
    let app = Application::build(db.settings()).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp { address, client: new_client(), state, db }
}

/// A client that keeps cookies and does not follow redirects.
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
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
        self.post_json("/api/v1/session", &serde_json::json!({ "username": username, "password": password })).await
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

    /// Creates an account through the API as admin (logs in as admin on a side client).
    pub async fn create_user(&self, username: &str, role: &str, unit: Option<&str>, password: &str) -> Value {
        let admin = new_client();
        let r = admin
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({ "username": "admin", "password": ADMIN_PASSWORD }))
            .send()
            .await
            .expect("login");
        assert_eq!(r.status(), StatusCode::OK);
        let r = admin
            .post(self.url("/api/v1/users"))
            .json(&serde_json::json!({
                "username": username, "full_name": format!("Người dùng {username}"),
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
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("login");
        assert_eq!(r.status(), StatusCode::OK, "login {username}");
        c
    }
}

/// The value of the first `name="csrf"` hidden field.
pub fn extract_csrf(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let end = html[i..].find('"')?;
    Some(html[i..i + end].to_string())
}

/// A file in the test's temporary directory.
pub fn write_file(db: &TestDb, name: &str, contents: &str) -> PathBuf {
    let p = db.dir.path().join(name);
    std::fs::write(&p, contents).expect("write");
    p
}
