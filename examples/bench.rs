//! The 8:00 benchmark: a few thousand officials start the same round within
//! a minute, autosave their answers one by one and submit.
//!
//! ```sh
//! cargo run --release --example bench -- --users 2000 --concurrency 64 --questions 10
//! BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo run --release --example bench -- --users 1000
//! ```
//!
//! It starts the real application in-process on 127.0.0.1 (port 0) with its
//! own database (a temporary SQLite file; a fresh PostgreSQL database created
//! from `BENCH_POSTGRES_URL` and dropped at the end; or `DATABASE_URL` as
//! given), creates the officials and a published round through the db layer
//! (one precomputed argon2 hash for everybody, so setup is fast), then speaks
//! HTTP to it in phases: login storm, start storm, answers, submit, boards.
//! Every loop is bounded; it stops by itself. See BENCHMARKS.md.
//!
//! `--item-stats N` runs the item-analysis scenario instead: N counted
//! attempts stored through the db layer, then the round's item statistics
//! read over HTTP (see `bench_scenarios/item_stats.rs`).

#[path = "bench_scenarios/item_stats.rs"]
mod item_stats;

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use diesel::prelude::*;
use hoithi::auth::password::hash_password_blocking;
use hoithi::configuration::{DatabaseUrl, Settings};
use hoithi::db::audit::Actor;
use hoithi::db::contests::insert_contest;
use hoithi::db::rounds::{insert_round, pool_sizes, publish_round};
use hoithi::db::schema::{attempt_items, attempts};
use hoithi::db::units::list_units;
use hoithi::db::users::{NewUser, insert_user};
use hoithi::domain::contest::ContestSettings;
use hoithi::domain::paper::BlueprintRow;
use hoithi::domain::people::Role;
use hoithi::domain::round::{RoundDraft, RoundSettings};
use hoithi::startup::Application;
use hoithi::state::AppState;
use serde_json::{Value, json};

/// The password of every benchmark official (hashed once).
const PASSWORD: &str = "mat-khau-bench-2026";
/// The shipped banks a paper is drawn from, in turn.
const BANKS: [&str; 3] = ["mot-cua", "cai-cach-hanh-chinh", "van-hoa-cong-vu"];
/// How many failed responses each phase prints.
const SHOWN_ERRORS: usize = 3;

/// The 8:00 start against the real server, in-process, on loopback.
#[derive(Parser, Debug)]
#[command(name = "bench")]
struct Args {
    /// Officials who take the round.
    #[arg(long, default_value_t = 2000)]
    users: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Questions per paper (spread over mot-cua, cai-cach-hanh-chinh, van-hoa-cong-vu).
    #[arg(long, default_value_t = 10)]
    questions: u32,
    /// Reads of the leaderboard, and again of the unit board, after everyone submitted.
    #[arg(long, default_value_t = 300)]
    board_reads: usize,
    /// Instead of the 8:00 start: store this many counted attempts of the
    /// round and time its item statistics (`GET /api/v1/rounds/{id}/item-stats`).
    #[arg(long)]
    item_stats: Option<usize>,
    /// Reads of the item statistics in that scenario.
    #[arg(long, default_value_t = 5)]
    item_stats_reads: usize,
}

/// A PostgreSQL database created for this run, dropped when the run ends.
struct PgScratch {
    base: String,
    name: String,
}

impl Drop for PgScratch {
    fn drop(&mut self) {
        match PgConnection::establish(&self.base) {
            Ok(mut admin) => {
                if let Err(e) =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut admin)
                {
                    eprintln!("could not drop database {}: {e}", self.name);
                }
            }
            Err(e) => eprintln!("could not connect to drop database {}: {e}", self.name),
        }
    }
}

/// `base` with its database name replaced by `name` (query string kept).
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

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::fill(&mut b[..]);
    hex::encode(b)
}

/// The database of this run and whatever must live as long as it.
fn choose_database(dir: &tempfile::TempDir) -> anyhow::Result<(DatabaseUrl, Option<PgScratch>)> {
    if let Some(base) = std::env::var("BENCH_POSTGRES_URL").ok().filter(|s| !s.is_empty()) {
        let name = format!("hoithi_bench_{}", random_hex(6));
        let mut admin = PgConnection::establish(&base).context("connect to BENCH_POSTGRES_URL")?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).context("create the database")?;
        let url = with_database(&base, &name);
        return Ok((DatabaseUrl::Postgres(url), Some(PgScratch { base, name })));
    }
    if let Some(url) = std::env::var("DATABASE_URL").ok().filter(|s| !s.is_empty()) {
        return Ok((DatabaseUrl::parse(&url)?, None));
    }
    Ok((DatabaseUrl::Sqlite(dir.path().join("hoithi.db")), None))
}

/// What one request gave: a value, or a description of the failure.
type Outcome<T> = Result<T, String>;

/// The measurements of one phase.
struct Phase {
    name: &'static str,
    requests: usize,
    errors: usize,
    first_errors: Vec<String>,
    wall: Duration,
    latencies: Vec<Duration>,
    /// CPU seconds of the whole process during the phase.
    cpu_total: f64,
    /// CPU seconds of the main thread (the load generator) during the phase.
    cpu_client: f64,
    /// Busy CPU seconds of the whole machine during the phase.
    cpu_machine: f64,
}

impl Phase {
    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        // Nearest rank on the sorted latencies.
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1]
    }

    fn throughput(&self) -> f64 {
        self.requests as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

/// CPU seconds (user + system) from a `/proc/…/stat` file; 0 where there is none.
fn cpu_seconds(path: &str) -> f64 {
    // The fields after the command name: state is field 3, utime 14, stime 15,
    // in USER_HZ ticks (100 per second on Linux).
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            Some((rest.get(11)?.parse::<f64>().ok()? + rest.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

/// Busy CPU seconds of the whole machine since boot (`/proc/stat`: user,
/// nice, system, irq, softirq, steal); 0 where there is none.
fn machine_busy_seconds() -> f64 {
    std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| {
            let fields: Vec<f64> =
                s.lines().next()?.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
            // user nice system idle iowait irq softirq steal …
            let busy = [0, 1, 2, 5, 6, 7].iter().filter_map(|&i| fields.get(i)).sum::<f64>();
            Some(busy / 100.0)
        })
        .unwrap_or(0.0)
}

/// (process, main thread, whole machine) CPU seconds so far.
fn cpu_now() -> (f64, f64, f64) {
    let pid = std::process::id();
    (cpu_seconds("/proc/self/stat"), cpu_seconds(&format!("/proc/self/task/{pid}/stat")), machine_busy_seconds())
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// Runs `jobs` requests, `concurrency` at a time, on this thread's runtime;
/// returns the measurements and each job's value (`None` when it failed).
async fn run_phase<T, F, Fut>(name: &'static str, jobs: usize, concurrency: usize, job: F) -> (Phase, Vec<Option<T>>)
where
    T: 'static,
    F: Fn(usize) -> Fut + 'static,
    Fut: Future<Output = Outcome<T>> + 'static,
{
    let job = Rc::new(job);
    let next = Rc::new(std::cell::Cell::new(0usize));
    let results: Rc<RefCell<Vec<Option<T>>>> = Rc::new(RefCell::new((0..jobs).map(|_| None).collect()));
    let latencies = Rc::new(RefCell::new(Vec::with_capacity(jobs)));
    let failures = Rc::new(RefCell::new((0usize, Vec::new())));
    let cpu_before = cpu_now();
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.clamp(1, jobs.max(1)) {
        let (job, next, results, latencies, failures) =
            (job.clone(), next.clone(), results.clone(), latencies.clone(), failures.clone());
        workers.push(actix_web::rt::spawn(async move {
            loop {
                let i = next.get();
                if i >= jobs {
                    break;
                }
                next.set(i + 1);
                let t0 = Instant::now();
                let outcome = job(i).await;
                latencies.borrow_mut().push(t0.elapsed());
                match outcome {
                    Ok(v) => results.borrow_mut()[i] = Some(v),
                    Err(e) => {
                        let mut f = failures.borrow_mut();
                        f.0 += 1;
                        if f.1.len() < SHOWN_ERRORS {
                            f.1.push(e);
                        }
                    }
                }
            }
        }));
    }
    for w in workers {
        if let Err(e) = w.await {
            eprintln!("{name}: a worker stopped: {e}");
        }
    }
    let wall = started.elapsed();
    let cpu_after = cpu_now();
    let mut latencies = std::mem::take(&mut *latencies.borrow_mut());
    latencies.sort_unstable();
    let (errors, first_errors) = std::mem::take(&mut *failures.borrow_mut());
    let values = std::mem::take(&mut *results.borrow_mut());
    let phase = Phase {
        name,
        requests: latencies.len(),
        errors,
        first_errors,
        wall,
        latencies,
        cpu_total: cpu_after.0 - cpu_before.0,
        cpu_client: cpu_after.1 - cpu_before.1,
        cpu_machine: cpu_after.2 - cpu_before.2,
    };
    report_phase(&phase);
    (phase, values)
}

fn report_phase(p: &Phase) {
    eprintln!(
        "  {:<12} {:>6} requests, {:>4} errors, {:>7.2} s, {:>7.1} req/s, p50 {} ms, p95 {} ms, p99 {} ms, max {} ms",
        p.name,
        p.requests,
        p.errors,
        p.wall.as_secs_f64(),
        p.throughput(),
        ms(p.percentile(50.0)),
        ms(p.percentile(95.0)),
        ms(p.percentile(99.0)),
        ms(p.latencies.last().copied().unwrap_or_default()),
    );
    eprintln!(
        "               cpu: {:.2} s in the process, {:.2} s of it on the client thread",
        p.cpu_total, p.cpu_client
    );
    for e in &p.first_errors {
        eprintln!("      error: {e}");
    }
}

/// The failure text of a non-2xx response (status and the start of the body).
async fn failure(what: &str, r: reqwest::Response) -> String {
    let status = r.status();
    let body = r.text().await.unwrap_or_default();
    let body: String = body.chars().take(300).collect();
    format!("{what}: {status}: {body}")
}

/// Reads a 2xx JSON body, or describes the failure.
async fn json_2xx(what: &str, sent: Result<reqwest::Response, reqwest::Error>) -> Outcome<Value> {
    let r = sent.map_err(|e| format!("{what}: {e}"))?;
    if !r.status().is_success() {
        return Err(failure(what, r).await);
    }
    r.json::<Value>().await.map_err(|e| format!("{what}: body: {e}"))
}

/// A started paper: the attempt and the number of options of each item.
struct Paper {
    attempt_id: i64,
    options: Vec<usize>,
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.to_string()))
        .and_then(|l| l.split_once(':').map(|(_, m)| m.trim().to_string()))
        .unwrap_or_else(|| "unknown".into())
}

/// Spreads `total` questions over the banks as evenly as possible.
fn blueprint_rows(total: u32) -> Vec<BlueprintRow> {
    let n = BANKS.len() as u32;
    BANKS
        .iter()
        .enumerate()
        .map(|(i, bank)| BlueprintRow {
            bank: (*bank).into(),
            difficulty: None,
            count: total / n + u32::from((i as u32) < total % n),
        })
        .filter(|r| r.count > 0)
        .collect()
}

/// Creates the officials and a published round through the db layer; returns
/// the usernames and the round id.
async fn set_up(state: &AppState, args: &Args, run: &str) -> anyhow::Result<(Vec<String>, i64)> {
    let hash = hash_password_blocking(PASSWORD)?;
    let usernames: Vec<String> = (0..args.users).map(|i| format!("bench-{run}-{i:05}")).collect();
    let names = usernames.clone();
    let rows = blueprint_rows(args.questions);
    let slug = format!("bench-{run}");
    let round_id = state
        .write(move |c| {
            c.transaction(|c| {
                let actor = Actor { id: None, name: "bench".into() };
                let all = list_units(c)?;
                // Officials belong to units below the province (any unit when the tree is flat).
                let mut units: Vec<i64> = all.iter().filter(|u| u.parent_id.is_some()).map(|u| u.id).collect();
                if units.is_empty() {
                    units = all.iter().map(|u| u.id).collect();
                }
                for (i, username) in names.iter().enumerate() {
                    let full_name = format!("Cán bộ thử {i}");
                    let new = NewUser {
                        username,
                        password_hash: &hash,
                        full_name: &full_name,
                        role: Role::Official,
                        unit_id: (!units.is_empty()).then(|| units[i % units.len()]),
                        email: None,
                        phone: None,
                    };
                    insert_user(c, &new, &actor)?;
                }
                let sizes = pool_sizes(c, &rows)?;
                if let Some((r, n)) = rows.iter().zip(&sizes).find(|(r, n)| **n < i64::from(r.count)) {
                    return Ok(Err(format!("bank {} has {n} questions, the paper needs {}", r.bank, r.count)));
                }
                let settings = match ContestSettings::parse(
                    &slug,
                    "Tìm hiểu cải cách hành chính (benchmark)",
                    "Đo tải: mọi người bắt đầu lúc 8:00.",
                    "Thể lệ thử.",
                    "officials",
                    false,
                ) {
                    Ok(s) => s,
                    Err(e) => return Ok(Err(e)),
                };
                let Some(contest) = insert_contest(c, &settings, &actor)? else {
                    return Ok(Err(format!("contest {slug} exists")));
                };
                let t = hoithi::db::now();
                let round = match RoundSettings::parse(RoundDraft {
                    title: "8:00".into(),
                    opens_at: t - chrono::Duration::minutes(1),
                    closes_at: t + chrono::Duration::minutes(60),
                    duration_s: 20 * 60,
                    blueprint: rows,
                    attempts_allowed: 1,
                    grace_s: 10,
                    points_per_question: 1,
                    prediction: false,
                    reveal: "after_close".into(),
                    practice: false,
                }) {
                    Ok(s) => s,
                    Err(e) => return Ok(Err(e)),
                };
                let round = insert_round(c, contest.id, &round, &actor)?;
                if let Err(e) = publish_round(c, round.id, &actor)? {
                    return Ok(Err(format!("publish: {e:?}")));
                }
                Ok(Ok(round.id))
            })
        })
        .await
        .map_err(|e| anyhow::anyhow!("setup: {e}"))?
        .map_err(|e| anyhow::anyhow!("setup: {e}"))?;
    Ok((usernames, round_id))
}

/// The session cookie (`name=value`) of a login response.
fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.starts_with("hoithi_session="))
        .filter_map(|v| v.split(';').next())
        .map(str::to_string)
        .next()
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.users > 0, "--users must be at least 1");
    anyhow::ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    anyhow::ensure!((1..=200).contains(&args.questions), "--questions must be 1..200");
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();

    let dir = tempfile::tempdir()?;
    let (database, pg) = choose_database(&dir)?;
    let backend = if database.is_postgres() { "PostgreSQL" } else { "SQLite" };
    // Only these two come from the environment; everything else is the default.
    let env = |k: &str| match k {
        "HOITHI_SQLITE_SYNC" | "HOITHI_POOL_SIZE" => std::env::var(k).ok(),
        _ => None,
    };
    let mut settings = Settings::from_sources(None, "bench", &env)?;
    settings.database = database.clone();
    settings.bind = "127.0.0.1:0".parse()?;
    settings.data_dir = dir.path().join("data");
    settings.secret_key = Some(hoithi::configuration::Secret::new(random_hex(32)));
    let admin_password = format!("admin-{}", random_hex(8));
    settings.admin_password = Some(hoithi::configuration::Secret::new(admin_password.clone()));
    settings.demo = false;
    settings.load_shipped_data = true;
    let (sync, pool_size) = (settings.sqlite_sync, settings.pool_size);

    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("# hoithi benchmark: the 8:00 start");
    println!();
    println!("- backend: {backend} ({})", database.redacted());
    if !database.is_postgres() {
        println!("- sqlite synchronous: {sync:?}");
    }
    println!("- read pool size: {pool_size}");
    println!(
        "- users {}, concurrency {}, questions {}, board reads {}",
        args.users, args.concurrency, args.questions, args.board_reads
    );
    println!("- cores (available_parallelism): {cores}; cpu: {}", cpu_model());
    println!("- load average at start: {}", load_average());
    println!(
        "- client: one reqwest client on one thread of the same process (server: actix workers on the same cores)"
    );

    let t = Instant::now();
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    let built = t.elapsed();

    // A yardstick of the machine's speed right now (the server is idle):
    // argon2id as the server uses it, on one core, median of three.
    let mut hashes: Vec<Duration> = (0..3)
        .map(|_| {
            let t = Instant::now();
            hash_password_blocking(PASSWORD).map(|_| t.elapsed())
        })
        .collect::<anyhow::Result<_>>()?;
    hashes.sort_unstable();
    println!("- one argon2id hash (m=19 MiB, t=2, p=1) on one core, server idle: {} ms (median of 3)", ms(hashes[1]));

    let t = Instant::now();
    let run = random_hex(3);
    let (usernames, round_id) = set_up(&state, &args, &run).await?;
    println!(
        "- setup: app built (migrations, shipped banks and units) in {:.2} s; {} officials and a published round in {:.2} s",
        built.as_secs_f64(),
        args.users,
        t.elapsed().as_secs_f64()
    );
    if let Some(n) = args.item_stats {
        return item_stats::run(&state, &base, round_id, n, &admin_password, args.item_stats_reads).await;
    }
    println!();
    eprintln!("phases:");

    // Scripted writes carry X-Requested-With, as the attempt page's do.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-requested-with", reqwest::header::HeaderValue::from_static("hoithi-bench"));
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()?;
    let base = Rc::new(base);
    let n = args.users;
    let c = args.concurrency;
    let mut phases = Vec::new();

    // 1. Login storm (argon2-bound by design).
    let usernames = Rc::new(usernames);
    let (phase, cookies) = {
        let (client, base, usernames) = (client.clone(), base.clone(), usernames.clone());
        run_phase("login", n, c, move |i| {
            let (client, base, usernames) = (client.clone(), base.clone(), usernames.clone());
            async move {
                let sent = client
                    .post(format!("{base}/api/v1/session"))
                    .json(&json!({ "username": usernames[i], "password": PASSWORD }))
                    .send()
                    .await
                    .map_err(|e| format!("login: {e}"))?;
                if !sent.status().is_success() {
                    return Err(failure("login", sent).await);
                }
                let cookie = session_cookie(&sent).ok_or_else(|| "login: no session cookie".to_string())?;
                let _ = sent.bytes().await;
                Ok(cookie)
            }
        })
        .await
    };
    phases.push(phase);
    let cookies = Rc::new(cookies);

    // 2. Start storm: everyone draws a paper.
    let (phase, papers) = {
        let (client, base, cookies) = (client.clone(), base.clone(), cookies.clone());
        run_phase("start", n, c, move |i| {
            let (client, base, cookies) = (client.clone(), base.clone(), cookies.clone());
            async move {
                let cookie = cookies[i].clone().ok_or_else(|| "start: not logged in".to_string())?;
                let sent = client
                    .post(format!("{base}/api/v1/rounds/{round_id}/attempts"))
                    .header(reqwest::header::COOKIE, cookie)
                    .send()
                    .await;
                let v = json_2xx("start", sent).await?;
                let attempt_id = v["attempt_id"].as_i64().ok_or_else(|| format!("start: no attempt_id in {v}"))?;
                let options = v["items"]
                    .as_array()
                    .map(|items| items.iter().map(|it| it["options"].as_array().map_or(0, Vec::len)).collect())
                    .unwrap_or_default();
                Ok(Paper { attempt_id, options })
            }
        })
        .await
    };
    phases.push(phase);
    let papers = Rc::new(papers);

    // 3. Answers: question 1 for everybody, then question 2, … (autosave as people go).
    let q = args.questions as usize;
    let (phase, _) = {
        let (client, base, cookies, papers) = (client.clone(), base.clone(), cookies.clone(), papers.clone());
        run_phase("answers", n * q, c, move |k| {
            let (client, base, cookies, papers) = (client.clone(), base.clone(), cookies.clone(), papers.clone());
            async move {
                let (user, position) = (k % n, k / n + 1);
                let (Some(cookie), Some(paper)) = (&cookies[user], &papers[user]) else {
                    return Err("answer: no attempt".to_string());
                };
                let options = paper.options.get(position - 1).copied().unwrap_or(0).max(1);
                let choice = rand::random_range(0..options);
                let sent = client
                    .put(format!("{base}/api/v1/attempts/{}/items/{position}", paper.attempt_id))
                    .header(reqwest::header::COOKIE, cookie.clone())
                    .json(&json!({ "choices": [choice] }))
                    .send()
                    .await;
                json_2xx("answer", sent).await.map(|_| ())
            }
        })
        .await
    };
    phases.push(phase);

    // 4. Submit.
    let (phase, _) = {
        let (client, base, cookies, papers) = (client.clone(), base.clone(), cookies.clone(), papers.clone());
        run_phase("submit", n, c, move |i| {
            let (client, base, cookies, papers) = (client.clone(), base.clone(), cookies.clone(), papers.clone());
            async move {
                let (Some(cookie), Some(paper)) = (&cookies[i], &papers[i]) else {
                    return Err("submit: no attempt".to_string());
                };
                let sent = client
                    .post(format!("{base}/api/v1/attempts/{}/submit", paper.attempt_id))
                    .header(reqwest::header::COOKIE, cookie.clone())
                    .json(&json!({}))
                    .send()
                    .await;
                json_2xx("submit", sent).await.map(|_| ())
            }
        })
        .await
    };
    phases.push(phase);

    // 5. Boards, anonymous.
    for (name, path) in [("leaderboard", "leaderboard"), ("unit board", "units")] {
        let (client, base) = (client.clone(), base.clone());
        let (phase, _) = run_phase(name, args.board_reads, c, move |_| {
            let (client, base) = (client.clone(), base.clone());
            async move {
                let sent = client.get(format!("{base}/api/v1/rounds/{round_id}/{path}")).send().await;
                json_2xx(name, sent).await.map(|_| ())
            }
        })
        .await;
        phases.push(phase);
    }

    // What the database holds: every acknowledged answer and submission.
    let (saved, submitted) = state
        .read(move |c| {
            let saved: i64 = attempt_items::table
                .inner_join(attempts::table)
                .filter(attempts::round_id.eq(round_id))
                .filter(attempt_items::choices.is_not_null())
                .count()
                .get_result(c)?;
            let submitted: i64 = attempts::table
                .filter(attempts::round_id.eq(round_id))
                .filter(attempts::state.ne("in_progress"))
                .count()
                .get_result(c)?;
            Ok((saved, submitted))
        })
        .await
        .map_err(|e| anyhow::anyhow!("final count: {e}"))?;
    let board =
        json_2xx("leaderboard", client.get(format!("{base}/api/v1/rounds/{round_id}/leaderboard")).send().await)
            .await
            .map_err(|e| anyhow::anyhow!(e))?;

    let load_end = load_average();
    println!(
        "| phase | requests | errors | wall (s) | req/s | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | cpu server (s) | cpu client (s) | cpu other processes (s) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for p in &phases {
        println!(
            "| {} | {} | {} | {:.2} | {:.1} | {} | {} | {} | {} | {:.2} | {:.2} | {:.2} |",
            p.name,
            p.requests,
            p.errors,
            p.wall.as_secs_f64(),
            p.throughput(),
            ms(p.percentile(50.0)),
            ms(p.percentile(95.0)),
            ms(p.percentile(99.0)),
            ms(p.latencies.last().copied().unwrap_or_default()),
            p.cpu_total - p.cpu_client,
            p.cpu_client,
            (p.cpu_machine - p.cpu_total).max(0.0),
        );
    }
    println!();
    println!(
        "cpu server: every thread of this process but the main one (HTTP workers, the blocking pool that runs \
         database calls and argon2); cpu client: the main thread, which generates the load. {cores} cores give \
         {cores} cpu-seconds per wall second; cpu other processes: the machine's busy time (/proc/stat) minus \
         this process{}.",
        if database.is_postgres() {
            " (mostly the PostgreSQL server here, plus anything else running)"
        } else {
            " (anything else running: near 0 on a quiet machine)"
        }
    );
    println!();
    let answers_ok = phases.iter().find(|p| p.name == "answers").map_or(0, |p| p.requests - p.errors);
    let submits_ok = phases.iter().find(|p| p.name == "submit").map_or(0, |p| p.requests - p.errors);
    println!("- answers acknowledged {answers_ok}, answers stored {saved}");
    println!("- submits acknowledged {submits_ok}, attempts final {submitted}, leaderboard total {}", board["total"]);
    println!("- load average at end: {load_end}");
    for p in &phases {
        for e in &p.first_errors {
            println!("- {} error: {e}", p.name);
        }
    }
    drop(pg);
    Ok(())
}
