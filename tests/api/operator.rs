//! Operator commands against a real database: bank versions, unit and user
//! imports, backups.

use std::path::Path;
use std::process::Command;

use diesel::prelude::*;
use hoithi::cli;
use hoithi::db::schema::{audit_log, banks, questions, units, users};
use hoithi::db::{Db, DbConnection};

use crate::helpers::{TestDb, spawn_app_with, write_file};

fn connect(db: &TestDb) -> Db {
    let s = db.settings();
    let pool = Db::connect(&s.database, s.sqlite_sync, 2).unwrap();
    pool.migrate().unwrap();
    pool
}

const BANK_V1: &str = r#"
[bank]
slug = "thu-nghiem"
title = "Ngân hàng thử nghiệm"
topic = "thu-nghiem"

[[question]]
key = "q1"
kind = "single"
difficulty = "easy"
text = "Câu hỏi một?"
options = ["Một", "Hai"]
answer = "A"
explanation = "Giải thích một."
source = "Nguồn một"

[[question]]
key = "q2"
kind = "true_false"
difficulty = "medium"
text = "Câu hỏi hai?"
options = ["Đúng", "Sai"]
answer = "B"
explanation = "Giải thích hai."
source = "Nguồn hai"

[[question]]
key = "q3"
kind = "multiple"
difficulty = "hard"
text = "Câu hỏi ba?"
options = ["X", "Y", "Z"]
answer = ["A", "C"]
explanation = "Giải thích ba."
source = "Nguồn ba"
"#;

type Row = (String, i32, String, String);

fn question_rows(conn: &mut DbConnection) -> Vec<Row> {
    questions::table
        .inner_join(banks::table)
        .filter(banks::slug.eq("thu-nghiem"))
        .order((questions::key.asc(), questions::version.asc()))
        .select((questions::key, questions::version, questions::state, questions::answer))
        .load(conn)
        .unwrap()
}

#[test]
fn bank_import_versions_changed_questions_and_retires_removed_ones() {
    let db = TestDb::empty();
    let pool = connect(&db);
    let settings = db.settings();
    let file = write_file(&db, "bank.toml", BANK_V1);
    assert_eq!(
        cli::banks_import(&settings, std::slice::from_ref(&file), None, cli::ImportChoice::default()).unwrap(),
        cli::OK
    );
    let mut guard = pool.writer().unwrap();
    let conn: &mut DbConnection = &mut guard;
    let v1 = question_rows(conn);
    assert_eq!(v1.len(), 3);
    assert!(v1.iter().all(|r| r.1 == 1 && r.2 == "active"));
    let ids_before: Vec<i64> = questions::table.order(questions::id).select(questions::id).load(conn).unwrap();

    // Importing the same file again changes nothing.
    assert_eq!(
        cli::banks_import(&settings, std::slice::from_ref(&file), None, cli::ImportChoice::default()).unwrap(),
        cli::OK
    );
    assert_eq!(question_rows(conn), v1);

    // Change q1's key, drop q3: retiring a third of the bank needs --confirm-retire.
    let v2 = BANK_V1.replacen("answer = \"A\"", "answer = \"B\"", 1);
    let v2 = &v2[..v2.find("[[question]]\nkey = \"q3\"").unwrap()];
    std::fs::write(&file, v2).unwrap();
    let import = |choice| cli::banks_import(&settings, std::slice::from_ref(&file), None, choice).unwrap();
    assert_eq!(import(cli::ImportChoice::default()), cli::INPUT_ERRORS);
    assert_eq!(question_rows(conn), v1, "nothing changed without the confirmation");
    assert_eq!(import(cli::ImportChoice { merge: true, confirm_retire: false }), cli::OK);
    assert_eq!(question_rows(conn).iter().filter(|r| r.2 == "retired").count(), 0, "merge retires nothing");
    assert_eq!(import(cli::ImportChoice { merge: false, confirm_retire: true }), cli::OK);
    let rows = question_rows(conn);
    assert_eq!(
        rows,
        vec![
            ("q1".into(), 1, "superseded".into(), "[0]".into()),
            ("q1".into(), 2, "active".into(), "[1]".into()),
            ("q2".into(), 1, "active".into(), "[1]".into()),
            ("q3".into(), 1, "retired".into(), "[0,2]".into()),
        ]
    );
    // The old rows are the same rows (attempts reference them), none deleted.
    let ids_after: Vec<i64> = questions::table.order(questions::id).select(questions::id).load(conn).unwrap();
    assert!(ids_before.iter().all(|id| ids_after.contains(id)));

    // q3 back unchanged: restored, not a new version.
    std::fs::write(&file, BANK_V1.replacen("answer = \"A\"", "answer = \"B\"", 1)).unwrap();
    assert_eq!(
        cli::banks_import(&settings, std::slice::from_ref(&file), None, cli::ImportChoice::default()).unwrap(),
        cli::OK
    );
    let rows = question_rows(conn);
    assert_eq!(rows.last().unwrap(), &("q3".to_string(), 1, "active".to_string(), "[0,2]".to_string()));
    let audits: i64 = audit_log::table.filter(audit_log::action.eq("bank.import")).count().get_result(conn).unwrap();
    assert_eq!(audits, 4);
}

#[test]
fn a_bad_bank_file_changes_nothing() {
    let db = TestDb::empty();
    let pool = connect(&db);
    let settings = db.settings();
    let good = write_file(&db, "good.toml", BANK_V1);
    let bad =
        write_file(&db, "bad.toml", &BANK_V1.replace("thu-nghiem", "khac").replace("answer = \"B\"", "answer = \"E\""));
    assert_eq!(
        cli::banks_import(&settings, &[good, bad], None, cli::ImportChoice::default()).unwrap(),
        cli::INPUT_ERRORS
    );
    let mut guard = pool.writer().unwrap();
    let conn: &mut DbConnection = &mut guard;
    let n: i64 = banks::table.count().get_result(conn).unwrap();
    assert_eq!(n, 0, "the good file is not imported either");
}

fn hoithi_cmd(db: &TestDb) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hoithi"));
    let s = db.settings();
    let url = match &s.database {
        hoithi::configuration::DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
        hoithi::configuration::DatabaseUrl::Postgres(u) => u.clone(),
    };
    c.env_clear()
        .env("DATABASE_URL", url)
        .env("HOITHI_DATA_DIR", &s.data_dir)
        .env("HOITHI_SECRET_KEY", s.secret_key.unwrap().expose())
        .env("HOITHI_CONFIG", db.dir.path().join("none.toml"));
    // HOITHI_CONFIG points at a missing file on purpose: that is an error, so use an empty one.
    std::fs::write(db.dir.path().join("none.toml"), "").unwrap();
    c
}

#[test]
fn banks_check_reports_every_problem_with_file_line_and_key() {
    let db = TestDb::empty();
    let text = BANK_V1
        .replace("key = \"q2\"", "key = \"q1\"")
        .replace("source = \"Nguồn ba\"", "source = \"\"")
        .replace("options = [\"Một\", \"Hai\"]", "options = [\"Một\", \"Hai\", \"Cả A và B\"]");
    let file = write_file(&db, "loi.toml", &text);
    let out = hoithi_cmd(&db).args(["banks", "check"]).arg(&file).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let name = file.display().to_string();
    assert!(stdout.contains(&format!("{name}:17: lỗi [q1]: khóa \"q1\" trùng")), "{stdout}");
    assert!(stdout.contains("cảnh báo [q3]: thiếu nguồn"), "{stdout}");
    assert!(stdout.contains("[q1]: phương án C") && stdout.contains("fixed_order"), "{stdout}");
    assert!(stdout.contains("2 lỗi, 1 cảnh báo"), "{stdout}");

    let broken = write_file(&db, "vo.toml", "[bank]\nslug = \"x\"\ntitle = \"T\"\ntopic = \"t\"\n[[question]\n");
    let out = hoithi_cmd(&db).args(["banks", "check"]).arg(&broken).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains(&format!("{}:5: lỗi: TOML không hợp lệ", broken.display())), "{stdout}");
}

#[test]
fn shipped_banks_pass_the_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_hoithi")).current_dir(root).args(["banks", "check"]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("0 lỗi"), "{stdout}");
}

const UNITS: &str =
    "code,name,kind,parent_code,staff_count,population\nT,Tỉnh,tinh,,10,\nH,Huyện,huyen,T,20,5000\nX,Xã,xa,H,5,900\n";

#[test]
fn units_import_is_all_or_nothing_with_clear_errors() {
    let db = TestDb::empty();
    let pool = connect(&db);
    let settings = db.settings();
    let mut guard = pool.writer().unwrap();
    let conn: &mut DbConnection = &mut guard;
    let before: i64 = units::table.count().get_result(conn).unwrap();
    let cases = [
        ("unknown-parent.csv", format!("{UNITS}Y,Xã Y,xa,KHONGCO,1,\n"), "\"KHONGCO\""),
        ("cycle.csv", "code,name,kind,parent_code,staff_count\nA,A,x,B,1\nB,B,x,A,1\n".to_string(), "vòng lặp"),
        ("dup.csv", format!("{UNITS}H,Huyện khác,huyen,T,1,\n"), "trùng"),
        ("bad-number.csv", format!("{UNITS}Z,Z,xa,H,nhiều,\n"), "staff_count"),
        ("bad-columns.csv", format!("{UNITS}Z,Z,xa\n"), "cột"),
    ];
    for (name, body, expected) in cases {
        let file = write_file(&db, name, &body);
        let out = hoithi_cmd(&db).args(["units", "import"]).arg(&file).output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}: {stdout}");
        assert!(stdout.contains(expected) && stdout.contains(&file.display().to_string()), "{name}: {stdout}");
        let after: i64 = units::table.count().get_result(conn).unwrap();
        assert_eq!(before, after, "{name} changed nothing");
    }
    let file = write_file(&db, "ok.csv", UNITS);
    assert_eq!(cli::units_import(&settings, &file).unwrap(), cli::OK);
    // Re-import with a change updates in place; a deeper level is fine.
    let file =
        write_file(&db, "ok2.csv", &format!("{}THON,Thôn,thon,X,1,\n", UNITS.replace("Xã,xa,H,5", "Xã mới,xa,H,6")));
    assert_eq!(cli::units_import(&settings, &file).unwrap(), cli::OK);
    let x: (String, i32) =
        units::table.filter(units::code.eq("X")).select((units::name, units::staff_count)).first(conn).unwrap();
    assert_eq!(x, ("Xã mới".to_string(), 6));
    let thon_parent: Option<i64> =
        units::table.filter(units::code.eq("THON")).select(units::parent_id).first(conn).unwrap();
    let x_id: i64 = units::table.filter(units::code.eq("X")).select(units::id).first(conn).unwrap();
    assert_eq!(thon_parent, Some(x_id));
    // Moving T under X would close a cycle through stored units.
    let file = write_file(&db, "loop.csv", "code,name,kind,parent_code,staff_count\nT,Tỉnh,tinh,X,10\n");
    assert_eq!(cli::units_import(&settings, &file).unwrap(), cli::INPUT_ERRORS);
}

#[test]
fn unit_kinds_are_named_by_the_units_file_and_an_old_file_keeps_the_names() {
    let db = TestDb::empty();
    let pool = connect(&db);
    let settings = db.settings();
    let mut guard = pool.writer().unwrap();
    let conn: &mut DbConnection = &mut guard;
    let label = |conn: &mut DbConnection, code: &str| -> String {
        units::table.filter(units::code.eq(code)).select(units::kind_label).first(conn).unwrap()
    };
    // A file from before kind names: the kind as written is all there is.
    let file = write_file(&db, "old.csv", &format!("{UNITS}X2,Xã hai,xa,H,5,800\n"));
    assert_eq!(cli::units_import(&settings, &file).unwrap(), cli::OK);
    assert_eq!(label(conn, "X"), "xa");
    // The column may stand anywhere; a kind named on one row names every unit of that kind.
    let named =
        "kind_label,code,name,kind,parent_code,staff_count\nXã,X,Xã,xa,H,5\n\"Huyện, thị xã\",H,Huyện,huyen,T,20\n";
    let file = write_file(&db, "named.csv", named);
    assert_eq!(cli::units_import(&settings, &file).unwrap(), cli::OK);
    assert_eq!(
        (label(conn, "X"), label(conn, "X2"), label(conn, "H")),
        ("Xã".into(), "Xã".into(), "Huyện, thị xã".into())
    );
    // The old file again: the names stay.
    let file = write_file(&db, "old-again.csv", UNITS);
    assert_eq!(cli::units_import(&settings, &file).unwrap(), cli::OK);
    assert_eq!(label(conn, "X"), "Xã");
    assert_eq!(label(conn, "T"), "tinh");
}

#[test]
fn users_import_writes_generated_passwords_to_a_private_file_only() {
    let db = TestDb::empty();
    let pool = connect(&db);
    let settings = db.settings();
    let units_file = write_file(&db, "u.csv", UNITS);
    assert_eq!(cli::units_import(&settings, &units_file).unwrap(), cli::OK);

    let bad = write_file(
        &db,
        "bad.csv",
        "username,full_name,role,unit_code,password\ncb1,Cán bộ 1,official,H,\ncb2,Cán bộ 2,official,KHONGCO,\ncb1,Trùng,official,H,\n",
    );
    let out = hoithi_cmd(&db).args(["users", "import"]).arg(&bad).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("bad.csv:3: unit_code: Không có đơn vị mã \"KHONGCO\""), "{stdout}");
    assert!(
        stdout.contains("bad.csv:4: username: Tên đăng nhập \"cb1\" lặp lại trong tệp (đã có ở dòng 2)"),
        "{stdout}"
    );
    let mut guard = pool.writer().unwrap();
    let conn: &mut DbConnection = &mut guard;
    let n: i64 = users::table.count().get_result(conn).unwrap();
    assert_eq!(n, 0);

    let good = write_file(
        &db,
        "good.csv",
        "username,full_name,role,unit_code,password\ncb1,Cán bộ Một,official,H,\ncb2,Cán bộ Hai,unit_manager,T,mat-khau-rieng-2\n",
    );
    let out_file = db.dir.path().join("mk.csv");
    let out = hoithi_cmd(&db).args(["users", "import"]).arg(&good).arg("--output").arg(&out_file).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stdout}{stderr}");
    let written = std::fs::read_to_string(&out_file).unwrap();
    let line = written.lines().find(|l| l.starts_with("cb1,")).expect("cb1 in output");
    let password = line.rsplit(',').next().unwrap();
    assert!(!written.contains("cb2,"), "given passwords are not written out");
    assert!(!stdout.contains(password) && !stderr.contains(password), "never printed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let hash: String = users::table.filter(users::username.eq("cb1")).select(users::password_hash).first(conn).unwrap();
    assert!(hoithi::auth::password::verify_password_blocking(&hash, password));
    // Running it again refuses to overwrite the password file.
    let out = hoithi_cmd(&db).args(["users", "import"]).arg(&good).arg("--output").arg(&out_file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[actix_web::test]
async fn backup_then_restore_gives_the_same_data() {
    let db = TestDb::empty();
    let settings = db.settings();
    if db.is_postgres() {
        // PostgreSQL is backed up with pg_dump (README); the command says so.
        let out = hoithi_cmd(&db).arg("backup").arg(db.dir.path().join("b.db")).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8(out.stdout).unwrap().contains("pg_dump"));
        return;
    }
    let data_dir = settings.data_dir.clone();
    let app = spawn_app_with(db).await;
    app.create_user("canbo30", "official", Some("QN"), "mat-khau-sao-luu").await;
    let backup_file = app.db.dir.path().join("sao-luu.db");
    // The server is live while the backup runs.
    assert_eq!(cli::backup(&app.db.settings(), &backup_file).unwrap(), cli::OK);
    assert_eq!(cli::backup(&app.db.settings(), &backup_file).unwrap(), cli::INPUT_ERRORS, "never overwrites");

    // Restore: a new installation whose database file is the backup.
    let restored = TestDb::empty();
    let target = match &restored.url {
        hoithi::configuration::DatabaseUrl::Sqlite(p) => p.clone(),
        _ => unreachable!(),
    };
    std::fs::copy(&backup_file, &target).unwrap();
    let mut r = restored.settings();
    r.secret_key = None;
    r.data_dir = data_dir;
    let snapshot = |settings: &hoithi::configuration::Settings| {
        let pool = Db::connect(&settings.database, settings.sqlite_sync, 1).unwrap();
        let mut guard = pool.reader().unwrap();
        let c: &mut DbConnection = &mut guard;
        let u: Vec<(String, String)> =
            users::table.order(users::username).select((users::username, users::password_hash)).load(c).unwrap();
        let q: Vec<(i64, String)> =
            questions::table.order(questions::id).select((questions::id, questions::content_hash)).load(c).unwrap();
        let n: Vec<String> = units::table.order(units::code).select(units::code).load(c).unwrap();
        (u, q, n)
    };
    assert_eq!(snapshot(&app.db.settings()), snapshot(&r));
    let restored_app = spawn_app_with(restored).await;
    assert_eq!(restored_app.api_login("canbo30", "mat-khau-sao-luu").await.status(), reqwest::StatusCode::OK);
}

#[test]
fn banks_export_and_import_round_trip_in_every_format() {
    let source = TestDb::empty();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("question_banks");
    assert_eq!(cli::banks_import(&source.settings(), &[shipped], None, cli::ImportChoice::default()).unwrap(), cli::OK);
    let original = {
        let pool = connect(&source);
        let mut guard = pool.reader().unwrap();
        hoithi::db::banks::load_bank(&mut guard, "mot-cua").unwrap().unwrap()
    };
    assert!(original.questions.len() >= 100);
    for format in ["toml", "xlsx", "csv", "gift"] {
        let file = source.dir.path().join(format!("mot-cua.{format}"));
        let out = hoithi_cmd(&source)
            .args(["banks", "export", "mot-cua", "--format", format, "-o"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        let target = TestDb::empty();
        let out = hoithi_cmd(&target).args(["banks", "import", "--bank", "mot-cua"]).arg(&file).output().unwrap();
        assert!(out.status.success(), "{format}: {}", String::from_utf8_lossy(&out.stdout));
        let pool = connect(&target);
        let mut guard = pool.reader().unwrap();
        let again = hoithi::db::banks::load_bank(&mut guard, "mot-cua").unwrap().unwrap();
        assert_eq!(again.questions, original.questions, "{format} round trip");
    }
    // hoithi's GIFT export names its bank: it is checked (and imported) without --bank.
    let file = source.dir.path().join("mot-cua.gift");
    let out = hoithi_cmd(&source).args(["banks", "check"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    // A format without a bank name needs --bank, and says so.
    let file = source.dir.path().join("mot-cua.csv");
    let out = hoithi_cmd(&source).args(["banks", "check"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--bank"));
}

/// Every shipped question rests on a fact whose code and citation are in
/// question_banks/SOURCES.md, so the project alone lets an auditor check it.
#[test]
fn every_shipped_question_cites_a_fact_listed_in_sources() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("question_banks");
    let sources = std::fs::read_to_string(dir.join("SOURCES.md")).unwrap();
    let (banks, problems) = cli::check_bank_files(&[dir], None).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let mut total = 0;
    for bank in &banks {
        for q in &bank.questions {
            let code: String = q.source.split_whitespace().next().unwrap_or("").to_string();
            let well_formed = code.split_once('-').is_some_and(|(p, n)| {
                ["SEED", "CCHC", "VHCV", "MC"].contains(&p) && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
            });
            assert!(
                well_formed,
                "{}/{}: source must start with a verified fact code, got {:?}",
                bank.meta.slug, q.key, q.source
            );
            assert!(
                sources.contains(&format!("### {code}\n")),
                "{code} ({}/{}) has no section in SOURCES.md",
                bank.meta.slug,
                q.key
            );
            total += 1;
        }
    }
    assert!(total >= 300, "{total} questions");
}
