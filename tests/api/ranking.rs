//! Promise 5 as a property, on the backend under test: for random entries
//! (ties and near-ties common), the order the database reads a board in —
//! by the stored rank key, page by page — is the domain's order
//! (`ranking::compare`), every rank is the competition rank of that order,
//! and one entrant's rank counted through the index agrees. The same for
//! contest standings (`ranking::compare_standings`).

use std::cmp::Ordering;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use hoithi::db::schema::{attempts, contest_entries, participants, round_entries, rounds};
use hoithi::db::{Db, DbConnection};
use hoithi::domain::ranking::{NO_PREDICTION, RankKey, Standing, compare, compare_standings};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

use crate::helpers::TestDb;

fn t0() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2030, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap()
}

fn key() -> impl Strategy<Value = RankKey> {
    (
        prop_oneof![Just(10), Just(9), Just(20_000), 1..=20i32],
        0..=12i32,
        prop_oneof![Just(0i64), Just(1), Just(3), Just(NO_PREDICTION)],
        prop_oneof![Just(1_000i64), Just(2_000), 0..=600_000i64],
        0..3i64,
    )
        .prop_map(|(max, s, prediction_error, duration_ms, sub)| RankKey {
            score: s.min(max),
            max_score: max,
            prediction_error,
            duration_ms,
            submitted_at: t0() + Duration::seconds(sub),
        })
}

fn standing() -> impl Strategy<Value = Standing> {
    (
        0..=30i64,
        0..=2i64,
        prop_oneof![Just(0i64), Just(4), 0..=9i64],
        prop_oneof![Just(5_000i64), 0..=9_000i64],
        0..3i64,
    )
        .prop_map(|(score, prediction_gaps, prediction_error, duration_ms, sub)| Standing {
            rounds: 2,
            score,
            prediction_gaps,
            prediction_error,
            duration_ms,
            last_submitted_at: t0() + Duration::seconds(sub),
        })
}

fn db<T>(r: QueryResult<T>) -> Result<T, TestCaseError> {
    r.map_err(|e| TestCaseError::fail(format!("database error: {e}")))
}

/// (contest, round, (participant, attempt) per entry).
type World = (i64, i64, Vec<(i64, i64)>);

/// A contest and round of their own (ids only matter here), and one
/// participant and attempt per entry.
fn world(conn: &mut DbConnection, n: usize, case: u32) -> QueryResult<World> {
    let t = t0();
    let contest: i64 = diesel::insert_into(hoithi::db::schema::contests::table)
        .values((
            hoithi::db::schema::contests::slug.eq(format!("rank-{case}")),
            hoithi::db::schema::contests::title.eq("Thứ tự"),
            hoithi::db::schema::contests::audience.eq("officials"),
            hoithi::db::schema::contests::created_at.eq(t),
            hoithi::db::schema::contests::updated_at.eq(t),
        ))
        .returning(hoithi::db::schema::contests::id)
        .get_result(conn)?;
    let round: i64 = diesel::insert_into(rounds::table)
        .values((
            rounds::contest_id.eq(contest),
            rounds::number.eq(1),
            rounds::title.eq("Vòng"),
            rounds::opens_at.eq(t),
            rounds::closes_at.eq(t + Duration::days(1)),
            rounds::duration_s.eq(600),
            rounds::blueprint.eq(r#"[{"bank":"mot-cua","count":1}]"#),
            rounds::reveal_policy.eq("after_close"),
            rounds::created_at.eq(t),
            rounds::updated_at.eq(t),
        ))
        .returning(rounds::id)
        .get_result(conn)?;
    let mut people = Vec::new();
    for i in 0..n {
        let p: i64 = diesel::insert_into(participants::table)
            .values((
                participants::contest_id.eq(contest),
                participants::full_name.eq(format!("Người {i}")),
                participants::created_at.eq(t),
            ))
            .returning(participants::id)
            .get_result(conn)?;
        let a: i64 = diesel::insert_into(attempts::table)
            .values((
                attempts::round_id.eq(round),
                attempts::participant_id.eq(p),
                attempts::number.eq(1),
                attempts::ranked.eq(true),
                attempts::seed.eq(0i64),
                attempts::state.eq(hoithi::domain::attempt::AttemptState::Submitted.as_str()),
                attempts::started_at.eq(t),
                attempts::deadline_at.eq(t),
            ))
            .returning(attempts::id)
            .get_result(conn)?;
        people.push((p, a));
    }
    Ok((contest, round, people))
}

fn check_round(conn: &mut DbConnection, case: u32, keys: &[RankKey], page: i64) -> Result<(), TestCaseError> {
    let (_, round, people) = db(world(conn, keys.len(), case))?;
    for ((p, a), k) in people.iter().zip(keys) {
        db(diesel::insert_into(round_entries::table)
            .values((
                round_entries::round_id.eq(round),
                round_entries::participant_id.eq(p),
                round_entries::best_attempt_id.eq(a),
                round_entries::score.eq(k.score),
                round_entries::max_score.eq(k.max_score),
                round_entries::correct.eq(k.score),
                round_entries::full_marks.eq(false),
                round_entries::prediction_error.eq(k.prediction_error),
                round_entries::duration_ms.eq(k.duration_ms),
                round_entries::submitted_at.eq(k.submitted_at),
                round_entries::rank_key.eq(k.encode()),
            ))
            .execute(conn))?;
    }
    // The database's order, page by page.
    let mut read = Vec::new();
    let mut offset = 0;
    loop {
        let rows = db(hoithi::db::boards::board_page(conn, round, None, page, offset))?;
        if rows.is_empty() {
            break;
        }
        offset += rows.len() as i64;
        read.extend(rows);
    }
    prop_assert_eq!(read.len(), keys.len());
    // The domain's order; entries equal on every key may come in any order.
    let mut expected: Vec<RankKey> = keys.to_vec();
    expected.sort_by(compare);
    let got: Vec<RankKey> = read.iter().map(|r| r.entry.key()).collect();
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        prop_assert_eq!(compare(g, e), Ordering::Equal, "position {}: {:?} read, {:?} expected", i, g, e);
    }
    for (i, r) in read.iter().enumerate() {
        // The competition rank: one more than the number of entries strictly before it.
        let better = keys.iter().filter(|k| compare(k, &r.entry.key()) == Ordering::Less).count() as i64;
        prop_assert_eq!(r.rank, better + 1, "rank at position {}", i);
        let (_, counted) = db(hoithi::db::boards::position(conn, round, r.entry.participant_id, None))?.unwrap();
        prop_assert_eq!(counted, better + 1, "my position at {}", i);
    }
    Ok(())
}

fn check_standings(conn: &mut DbConnection, case: u32, standings: &[Standing], page: i64) -> Result<(), TestCaseError> {
    let (contest, _, people) = db(world(conn, standings.len(), 10_000 + case))?;
    for ((p, _), s) in people.iter().zip(standings) {
        db(diesel::insert_into(contest_entries::table)
            .values((
                contest_entries::contest_id.eq(contest),
                contest_entries::participant_id.eq(p),
                contest_entries::rounds.eq(s.rounds as i32),
                contest_entries::score.eq(s.score),
                contest_entries::prediction_gaps.eq(s.prediction_gaps as i32),
                contest_entries::prediction_error.eq(s.prediction_error),
                contest_entries::duration_ms.eq(s.duration_ms),
                contest_entries::last_submitted_at.eq(s.last_submitted_at),
                contest_entries::rank_key.eq(s.encode()),
            ))
            .execute(conn))?;
    }
    let mut read = Vec::new();
    let mut offset = 0;
    loop {
        let (total, rows) = db(hoithi::db::boards::standings_page(conn, contest, page, offset))?;
        prop_assert_eq!(total, standings.len() as i64);
        if rows.is_empty() {
            break;
        }
        offset += rows.len() as i64;
        read.extend(rows);
    }
    let as_standing = |r: &hoithi::db::entries::StandingRow| Standing {
        rounds: i64::from(r.rounds),
        score: r.score,
        prediction_gaps: i64::from(r.prediction_gaps),
        prediction_error: r.prediction_error,
        duration_ms: r.duration_ms,
        last_submitted_at: r.last_submitted_at,
    };
    let mut expected = standings.to_vec();
    expected.sort_by(compare_standings);
    for (i, (r, e)) in read.iter().zip(&expected).enumerate() {
        let g = as_standing(&r.standing);
        prop_assert_eq!(compare_standings(&g, e), Ordering::Equal, "position {}", i);
        let better = standings.iter().filter(|s| compare_standings(s, &g) == Ordering::Less).count() as i64;
        prop_assert_eq!(r.rank, better + 1, "rank at position {}", i);
    }
    Ok(())
}

#[test]
fn the_databases_board_order_is_the_domains_order() {
    let test_db = TestDb::new();
    let settings = test_db.settings();
    let pool = Db::connect(&settings.database, settings.sqlite_sync, 2).expect("connect");
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 48;
    }
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(0x7261_6e6b);
    }
    config.failure_persistence = None;
    let mut runner = TestRunner::new(config);
    let n = std::cell::Cell::new(0u32);
    let strategy = (
        prop::collection::vec(key(), 0..40),
        prop::collection::vec(standing(), 0..40),
        prop_oneof![Just(1i64), Just(3), Just(7), Just(500)],
    );
    let result = runner.run(&strategy, |(keys, standings, page)| {
        let case = n.get();
        n.set(case + 1);
        let mut conn = pool.writer().map_err(|e| TestCaseError::fail(e.to_string()))?;
        check_round(&mut conn, case, &keys, page)?;
        check_standings(&mut conn, case, &standings, page)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
