//! The item-analysis scenario (`--item-stats N`): N counted attempts of the
//! round are stored through the db layer as finalizing would leave them
//! (a participant, a submitted attempt, its round entry and one
//! `item_results` row per item), answers drawn from a simple ability model;
//! then `GET /api/v1/rounds/{id}/item-stats` is timed over HTTP as an admin.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use hoithi::db::DbConnection;
use hoithi::db::schema::{attempts, item_results, participants, questions, round_entries, round_pool, rounds};
use hoithi::domain::items::{mask, rest_fraction};
use hoithi::state::AppState;
use rand::{Rng, SeedableRng};
use serde_json::json;

/// Attempts stored per write transaction.
const CHUNK: usize = 2_000;

/// Inserts `rows` into `$table` with a multi-row insert on either backend
/// (those do not compile through the enum), returning `$ret`.
macro_rules! insert_returning {
    ($c:expr, $table:expr, $rows:expr, $ret:expr) => {
        match $c {
            DbConnection::Sqlite(c) => {
                diesel::insert_into($table).values($rows).returning($ret).get_results::<i64>(c)?
            }
            DbConnection::Pg(c) => diesel::insert_into($table).values($rows).returning($ret).get_results::<i64>(c)?,
        }
    };
}

/// Each question of a paper: (question id, options, key in the bank's order).
type PaperQuestion = (i64, usize, Vec<usize>);

/// The questions the papers are made of: per blueprint row, its frozen pool.
fn pool(c: &mut DbConnection, round_id: i64) -> QueryResult<(i64, Vec<Vec<PaperQuestion>>, Vec<usize>)> {
    let (contest_id, blueprint): (i64, String) =
        rounds::table.find(round_id).select((rounds::contest_id, rounds::blueprint)).first(c)?;
    let counts: Vec<usize> = serde_json::from_str::<Vec<serde_json::Value>>(&blueprint)
        .map_err(|e| diesel::result::Error::DeserializationError(e.into()))?
        .iter()
        .map(|r| r["count"].as_u64().unwrap_or(0) as usize)
        .collect();
    let rows: Vec<(i32, i64, String, String)> = round_pool::table
        .inner_join(questions::table)
        .filter(round_pool::round_id.eq(round_id))
        .order((round_pool::row_index.asc(), questions::id.asc()))
        .select((round_pool::row_index, questions::id, questions::options, questions::answer))
        .load(c)?;
    let mut by_row: Vec<Vec<PaperQuestion>> = vec![Vec::new(); counts.len()];
    for (row, id, options, answer) in rows {
        let n = serde_json::from_str::<Vec<String>>(&options).map(|o| o.len()).unwrap_or(4);
        let key = serde_json::from_str::<Vec<usize>>(&answer).unwrap_or_default();
        if let Some(r) = by_row.get_mut(row as usize) {
            r.push((id, n, key));
        }
    }
    Ok((contest_id, by_row, counts))
}

/// Stores `from..to` of the attempts.
fn fill(c: &mut DbConnection, round_id: i64, from: usize, to: usize) -> QueryResult<usize> {
    c.transaction(|c| {
        let (contest_id, by_row, counts) = pool(c, round_id)?;
        let at = hoithi::db::now();
        let people: Vec<_> = (from..to)
            .map(|i| {
                (
                    participants::contest_id.eq(contest_id),
                    participants::full_name.eq(format!("Người thử {i}")),
                    participants::created_at.eq(at),
                )
            })
            .collect();
        let pids = insert_returning!(c, participants::table, &people, participants::id);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(from as u64);
        // Per attempt: its paper and answers, as (question, right, chosen).
        let mut papers: Vec<Vec<(i64, bool, i32)>> = Vec::with_capacity(pids.len());
        for i in from..to {
            let ability: f64 = rng.random();
            let mut paper = Vec::new();
            for (row, count) in by_row.iter().zip(&counts) {
                for k in 0..*count {
                    let (id, n, key) = &row[(i * count + k) % row.len()];
                    let difficulty = (k as f64 + 1.0) / (*count as f64 + 1.0);
                    let right = rng.random::<f64>() < 0.15 + 0.8 * ability * (1.2 - difficulty);
                    let chosen = if right {
                        mask(key)
                    } else if rng.random::<f64>() < 0.05 {
                        0
                    } else {
                        let wrong: Vec<usize> = (0..*n).filter(|o| !key.contains(o)).collect();
                        mask(&[wrong[rng.random_range(0..wrong.len())]])
                    };
                    paper.push((*id, right, chosen));
                }
            }
            papers.push(paper);
        }
        let tries: Vec<_> = pids
            .iter()
            .zip(&papers)
            .map(|(pid, paper)| {
                let right = paper.iter().filter(|p| p.1).count() as i32;
                (
                    attempts::round_id.eq(round_id),
                    attempts::participant_id.eq(*pid),
                    attempts::number.eq(1),
                    attempts::ranked.eq(true),
                    attempts::seed.eq(0i64),
                    attempts::state.eq("submitted"),
                    attempts::started_at.eq(at),
                    attempts::deadline_at.eq(at),
                    attempts::submitted_at.eq(at),
                    attempts::score.eq(right),
                    attempts::max_score.eq(paper.len() as i32),
                    attempts::correct.eq(right),
                    attempts::duration_ms.eq(60_000i64),
                    attempts::draw_version.eq(hoithi::domain::paper::DRAW_VERSION),
                    attempts::excluded.eq("[]"),
                )
            })
            .collect();
        let aids = insert_returning!(c, attempts::table, &tries, attempts::id);
        let entries: Vec<_> = pids
            .iter()
            .zip(&aids)
            .zip(&papers)
            .map(|((pid, aid), paper)| {
                let right = paper.iter().filter(|p| p.1).count() as i32;
                (
                    round_entries::round_id.eq(round_id),
                    round_entries::participant_id.eq(*pid),
                    round_entries::best_attempt_id.eq(*aid),
                    round_entries::score.eq(right),
                    round_entries::correct.eq(right),
                    round_entries::full_marks.eq(right == paper.len() as i32),
                    round_entries::prediction_error.eq(0i64),
                    round_entries::duration_ms.eq(60_000i64),
                    round_entries::submitted_at.eq(at),
                    round_entries::max_score.eq(paper.len() as i32),
                    round_entries::rank_key.eq(format!("bench-{aid:012}")),
                )
            })
            .collect();
        match c {
            DbConnection::Sqlite(c) => diesel::insert_into(round_entries::table).values(&entries).execute(c)?,
            DbConnection::Pg(c) => diesel::insert_into(round_entries::table).values(&entries).execute(c)?,
        };
        let mut items = Vec::new();
        for (aid, paper) in aids.iter().zip(&papers) {
            let total = paper.len() as i32;
            let right = paper.iter().filter(|p| p.1).count() as i32;
            for (pos, (qid, r, chosen)) in paper.iter().enumerate() {
                items.push((
                    item_results::attempt_id.eq(*aid),
                    item_results::position.eq(pos as i32 + 1),
                    item_results::round_id.eq(round_id),
                    item_results::question_id.eq(*qid),
                    item_results::correct.eq(i32::from(*r)),
                    item_results::chosen.eq(*chosen),
                    item_results::rest.eq(rest_fraction(right, total, *r)),
                ));
            }
        }
        // Within SQLite's limit of bound parameters per statement.
        for rows in items.chunks(4_000) {
            match c {
                DbConnection::Sqlite(c) => diesel::insert_into(item_results::table).values(rows).execute(c)?,
                DbConnection::Pg(c) => diesel::insert_into(item_results::table).values(rows).execute(c)?,
            };
        }
        Ok(items.len())
    })
}

/// Runs the scenario: stores `n` attempts, then reads the statistics `reads` times.
pub async fn run(
    state: &AppState,
    base: &str,
    round_id: i64,
    n: usize,
    admin_password: &str,
    reads: usize,
) -> anyhow::Result<()> {
    let t = Instant::now();
    let mut rows = 0;
    for from in (0..n).step_by(CHUNK) {
        let to = (from + CHUNK).min(n);
        rows += state.write(move |c| fill(c, round_id, from, to)).await.map_err(|e| anyhow::anyhow!("fill: {e}"))?;
    }
    println!("- stored {n} counted attempts ({rows} item rows) in {:.1} s", t.elapsed().as_secs_f64());
    let client = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(600)).build()?;
    let r = client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": "admin", "password": admin_password}))
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "admin login: {}", r.status());
    let mut times = Vec::new();
    let (cpu0, main0, _) = super::cpu_now();
    let mut questions = 0;
    for _ in 0..reads.max(1) {
        let t = Instant::now();
        let r = client.get(format!("{base}/api/v1/rounds/{round_id}/item-stats")).send().await?;
        anyhow::ensure!(r.status().is_success(), "item-stats: {}", r.status());
        let v: serde_json::Value = r.json().await?;
        times.push(t.elapsed());
        questions = v["questions"].as_array().map_or(0, Vec::len);
        let drawn: i64 = v["questions"].as_array().into_iter().flatten().filter_map(|q| q["drawn"].as_i64()).sum();
        anyhow::ensure!(drawn as usize == rows, "drawn {drawn} of {rows} item rows");
    }
    let (cpu1, main1, _) = super::cpu_now();
    let server_cpu = (cpu1 - cpu0) - (main1 - main0);
    let mut sorted = times.clone();
    sorted.sort_unstable();
    println!(
        "- GET /api/v1/rounds/{round_id}/item-stats ({questions} questions), {} reads: first {} ms, median {} ms, min {} ms, max {} ms; server CPU {:.2} s per read",
        times.len(),
        super::ms(times[0]),
        super::ms(sorted[sorted.len() / 2]),
        super::ms(sorted[0]),
        super::ms(sorted[sorted.len() - 1]),
        server_cpu / times.len() as f64,
    );
    Ok(())
}
