//! The real binary as an operator runs it.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{TestDb, free_port};

#[actix_web::test]
async fn binary_serves_prints_the_admin_password_once_and_stops_on_sigterm() {
    let db = TestDb::empty();
    let s = db.settings();
    let url = match &s.database {
        hoithi::configuration::DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
        hoithi::configuration::DatabaseUrl::Postgres(u) => u.clone(),
    };
    let port = free_port();
    let config = db.dir.path().join("hoithi.toml");
    std::fs::write(&config, format!("bind = \"127.0.0.1:{port}\"\n")).unwrap();
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_hoithi"))
            .env_clear()
            .env("DATABASE_URL", &url)
            .env("HOITHI_DATA_DIR", &s.data_dir)
            .env("HOITHI_SECRET_KEY", s.secret_key.clone().unwrap().expose())
            .env("HOITHI_CONFIG", &config)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let client = reqwest::Client::new();
    let health = format!("http://127.0.0.1:{port}/healthz");
    let wait_healthy = || async {
        let t = Instant::now();
        loop {
            if let Ok(r) = client.get(&health).send().await
                && r.status() == 200
            {
                return;
            }
            assert!(t.elapsed() < Duration::from_secs(30), "never healthy");
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let stop = |child: &mut std::process::Child| {
        let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
        assert!(status.success());
        let t = Instant::now();
        loop {
            if let Some(code) = child.try_wait().unwrap() {
                return code;
            }
            assert!(t.elapsed() < Duration::from_secs(20), "did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    };

    let mut first = start();
    wait_healthy().await;
    let code = stop(&mut first);
    assert!(code.success(), "graceful exit, got {code:?}");
    let mut out = String::new();
    first.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert!(out.contains("tên đăng nhập: admin") && out.contains("mật khẩu:"), "{out}");
    assert!(out.contains(&format!("127.0.0.1:{port}")), "the URL is printed: {out}");

    // The second start finds the admin and prints no password.
    let mut second = start();
    wait_healthy().await;
    assert!(stop(&mut second).success());
    let mut out = String::new();
    second.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert!(!out.contains("mật khẩu:"), "{out}");
}

#[test]
fn an_unknown_database_scheme_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_hoithi"))
        .env_clear()
        .env("DATABASE_URL", "mysql://root@localhost/hoithi")
        .env("HOITHI_CONFIG", "/dev/null")
        .args(["banks", "check", "/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("DATABASE_URL must start with sqlite:// or postgres://"), "{err}");
}
