//! Operator commands: `banks check|import`, `units import`, `users import`,
//! `backup`. Each returns the process exit code; problems are printed with
//! their file and line, and nothing is written when any is found.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::Context;
use diesel::Connection;

use crate::auth::password::{generate_password, hash_password_blocking};
use crate::configuration::{Settings, write_private};
use crate::db::audit::{Actor, insert_audit};
use crate::db::{Db, DbConnection, backup, banks, units, users};
use crate::domain::bank::{
    Bank, BankMeta, Problem, Severity, Stats, check_letter_balance, check_slugs, has_errors, write_toml,
};
use crate::domain::formats;
use crate::domain::people::NewAccount;

/// Success.
pub const OK: i32 = 0;
/// Problems found in the input; nothing was changed.
pub const INPUT_ERRORS: i32 = 1;

fn open_db(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.database, settings.sqlite_sync, 2)?;
    db.migrate()?;
    Ok(db)
}

/// Expands directories to their `.toml` files (sorted); files stay as given.
pub fn bank_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("{}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "toml"))
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Reads one bank file of any supported format, chosen by its extension
/// (see [`formats::parse_bank`]).
pub fn read_bank_file(file: &Path, bank: Option<&BankMeta>) -> (Option<Bank>, Vec<Problem>) {
    let name = file.display().to_string();
    match std::fs::read(file) {
        Ok(bytes) => formats::parse_bank(&name, &bytes, bank),
        Err(e) => (
            None,
            vec![Problem {
                severity: Severity::Error,
                file: name,
                line: None,
                key: None,
                message: format!("không đọc được tệp: {e}"),
            }],
        ),
    }
}

/// The identity `--bank SLUG` gives: the stored bank's, or a new one titled by its slug.
pub fn bank_meta_for(settings: Option<&Settings>, slug: &str) -> anyhow::Result<BankMeta> {
    if let Some(settings) = settings {
        let db = open_db(settings)?;
        let mut conn = db.reader()?;
        if let Some(b) = banks::find_bank(&mut conn, slug)? {
            return Ok(BankMeta {
                replaced_documents: serde_json::from_str(&b.replaced_documents).unwrap_or_default(),
                slug: b.slug,
                title: b.title,
                topic: b.topic,
            });
        }
    }
    Ok(BankMeta {
        slug: slug.to_string(),
        title: slug.to_string(),
        topic: slug.to_string(),
        replaced_documents: Vec::new(),
    })
}

/// Parses and checks bank files; returns the good banks and every problem.
pub fn check_bank_files(paths: &[PathBuf], bank: Option<&BankMeta>) -> anyhow::Result<(Vec<Bank>, Vec<Problem>)> {
    let mut parsed: Vec<(String, Bank)> = Vec::new();
    let mut problems = Vec::new();
    if let Some(meta) = bank
        && !crate::domain::bank::is_slug(&meta.slug)
    {
        problems.push(Problem {
            severity: Severity::Error,
            file: "--bank".into(),
            line: None,
            key: None,
            message: format!("mã ngân hàng \"{}\" chỉ gồm chữ thường a–z, chữ số và dấu '-'", meta.slug),
        });
        return Ok((Vec::new(), problems));
    }
    for file in bank_files(paths)? {
        let (b, ps) = read_bank_file(&file, bank);
        problems.extend(ps);
        if let Some(b) = b {
            parsed.push((file.display().to_string(), b));
        }
    }
    problems.extend(check_slugs(parsed.iter().map(|(n, b)| (n.as_str(), b))));
    for (name, b) in &parsed {
        problems.extend(check_letter_balance(name, b));
    }
    Ok((parsed.into_iter().map(|(_, b)| b).collect(), problems))
}

fn print_problems(problems: &[Problem]) {
    for p in problems {
        println!("{p}");
    }
}

/// `hoithi banks check [PATH…] [--bank SLUG]`.
pub fn banks_check(paths: &[PathBuf], bank: Option<&str>) -> anyhow::Result<i32> {
    let meta = bank.map(|b| bank_meta_for(None, b)).transpose()?;
    let (banks, problems) = check_bank_files(paths, meta.as_ref())?;
    print_problems(&problems);
    for b in &banks {
        let count = |d| b.questions.iter().filter(|q| q.difficulty == d).count();
        use crate::domain::bank::Difficulty::*;
        println!(
            "{}: {} câu hỏi (dễ {}, trung bình {}, khó {})",
            b.meta.slug,
            b.questions.len(),
            count(Easy),
            count(Medium),
            count(Hard)
        );
    }
    let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
    let warnings = problems.len() - errors;
    println!("{errors} lỗi, {warnings} cảnh báo");
    Ok(if errors > 0 { INPUT_ERRORS } else { OK })
}

/// `hoithi banks stats [PATH…]`: per bank, counts by difficulty, kind and answer letter.
pub fn banks_stats(paths: &[PathBuf]) -> anyhow::Result<i32> {
    let (banks, problems) = check_bank_files(paths, None)?;
    print_problems(&problems.iter().filter(|p| p.severity == Severity::Error).cloned().collect::<Vec<_>>());
    for b in &banks {
        let s = Stats::of(b);
        let letters: usize = s.letters.iter().sum();
        let pct = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 * 100.0 / of as f64 };
        println!("{} — {} ({} câu)", b.meta.slug, b.meta.title, b.questions.len());
        println!(
            "  mức độ:  dễ {} ({:.0}%), trung bình {} ({:.0}%), khó {} ({:.0}%)",
            s.difficulty[0],
            pct(s.difficulty[0], b.questions.len()),
            s.difficulty[1],
            pct(s.difficulty[1], b.questions.len()),
            s.difficulty[2],
            pct(s.difficulty[2], b.questions.len())
        );
        println!("  loại:    một lựa chọn {}, nhiều lựa chọn {}, đúng/sai {}", s.kind[0], s.kind[1], s.kind[2]);
        let row: Vec<String> = s
            .letters
            .iter()
            .enumerate()
            .filter(|(i, n)| **n > 0 || *i < 4)
            .map(|(i, n)| format!("{} {} ({:.0}%)", crate::domain::bank::letter(i), n, pct(*n, letters)))
            .collect();
        println!("  đáp án:  {} — trên {letters} câu một đáp án", row.join(", "));
    }
    Ok(if has_errors(&problems) { INPUT_ERRORS } else { OK })
}

/// `hoithi banks import [PATH…] [--bank SLUG]`: all files in one
/// transaction, or none. A file is the bank's whole content: questions
/// missing from it are retired.
pub fn banks_import(settings: &Settings, paths: &[PathBuf], bank: Option<&str>) -> anyhow::Result<i32> {
    let meta = bank.map(|b| bank_meta_for(Some(settings), b)).transpose()?;
    let (banks, problems) = check_bank_files(paths, meta.as_ref())?;
    print_problems(&problems);
    if has_errors(&problems) {
        println!("Không nhập gì: hãy sửa các lỗi trên.");
        return Ok(INPUT_ERRORS);
    }
    let db = open_db(settings)?;
    let mut conn = db.writer()?;
    let reports = banks::import_banks(&mut conn, &banks, &Actor::cli())?;
    for r in reports {
        println!(
            "{}{}: thêm {}, phiên bản mới {}, giữ nguyên {}, ngừng dùng {}, dùng lại {}",
            r.slug,
            if r.created { " (mới)" } else { "" },
            r.added,
            r.new_versions,
            r.unchanged,
            r.retired,
            r.restored
        );
    }
    Ok(OK)
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Excel, in the layout Vietnamese organizers use.
    Xlsx,
    /// The same layout as CSV (UTF-8).
    Csv,
    /// Moodle's GIFT.
    Gift,
    /// hoithi's own format.
    Toml,
}

/// `hoithi banks export BANK --format F [-o FILE]`: the bank's active questions.
pub fn banks_export(
    settings: &Settings,
    slug: &str,
    format: ExportFormat,
    output: Option<&Path>,
) -> anyhow::Result<i32> {
    let db = open_db(settings)?;
    let mut conn = db.reader()?;
    let Some(bank) = banks::load_bank(&mut conn, slug)? else {
        eprintln!("Không có ngân hàng \"{slug}\".");
        return Ok(INPUT_ERRORS);
    };
    let bytes = match format {
        ExportFormat::Xlsx => formats::sheet::write_xlsx(&bank).map_err(|e| anyhow::anyhow!(e))?,
        ExportFormat::Csv => formats::sheet::write_csv(&bank),
        ExportFormat::Gift => formats::gift::write(&bank).into_bytes(),
        ExportFormat::Toml => write_toml(&bank).map_err(|e| anyhow::anyhow!(e))?.into_bytes(),
    };
    match output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| path.display().to_string())?;
            eprintln!("Đã xuất {} câu hỏi vào {}", bank.questions.len(), path.display());
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(OK)
}

/// `hoithi units import FILE`: all rows or none.
pub fn units_import(settings: &Settings, file: &Path) -> anyhow::Result<i32> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| name.clone())?;
    let rows = match crate::domain::units::parse_csv(&name, &bytes) {
        Ok(r) => r,
        Err(errors) => {
            errors.iter().for_each(|e| println!("{e}"));
            println!("Không nhập gì: hãy sửa các lỗi trên.");
            return Ok(INPUT_ERRORS);
        }
    };
    let db = open_db(settings)?;
    let mut conn = db.writer()?;
    let existing = units::parent_codes(&units::list_units(&mut conn)?);
    let ordered = match crate::domain::units::plan_import(&name, &existing, &rows) {
        Ok(o) => o,
        Err(errors) => {
            errors.iter().for_each(|e| println!("{e}"));
            println!("Không nhập gì: hãy sửa các lỗi trên.");
            return Ok(INPUT_ERRORS);
        }
    };
    let r = units::import_units(&mut conn, &ordered, &Actor::cli())?;
    println!("Đơn vị: thêm {}, cập nhật {}, giữ nguyên {}", r.inserted, r.updated, r.unchanged);
    Ok(OK)
}

#[derive(serde::Deserialize)]
struct UserCsvRow {
    username: String,
    full_name: String,
    role: String,
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    password: Option<String>,
}

/// `hoithi users import FILE [--output OUT]`: every row valid or nothing is
/// written. Generated passwords go to `OUT` (mode 0600), never to the log.
pub fn users_import(settings: &Settings, file: &Path, output: Option<&Path>) -> anyhow::Result<i32> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| name.clone())?;
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).comment(Some(b'#')).from_reader(bytes.as_slice());
    let db = open_db(settings)?;
    let mut conn = db.writer()?;
    let known_units: std::collections::HashMap<String, i64> =
        units::list_units(&mut conn)?.into_iter().map(|u| (u.code, u.id)).collect();
    let mut errors = Vec::new();
    let mut accounts: Vec<(NewAccount, Option<i64>)> = Vec::new();
    let mut seen = HashSet::new();
    let headers = reader.headers().with_context(|| name.clone())?.clone();
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(format!("{name}:{line}: dòng không hợp lệ: {e}"));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let row: UserCsvRow = match record.deserialize(Some(&headers)) {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("{name}:{line}: dòng không hợp lệ: {e}"));
                continue;
            }
        };
        match NewAccount::parse(
            &row.username,
            &row.full_name,
            &row.role,
            &row.unit_code,
            row.password.as_deref().unwrap_or(""),
        ) {
            Err(m) => errors.push(format!("{name}:{line}: {m}")),
            Ok(a) => {
                let unit_id = match &a.unit_code {
                    Some(code) => match known_units.get(code) {
                        Some(id) => Some(*id),
                        None => {
                            errors.push(format!("{name}:{line}: không có đơn vị mã \"{code}\""));
                            continue;
                        }
                    },
                    None => None,
                };
                if !seen.insert(a.username.as_str().to_string()) {
                    errors.push(format!("{name}:{line}: tên đăng nhập \"{}\" lặp lại trong tệp", a.username.as_str()));
                } else if users::find_user_by_username(&mut conn, a.username.as_str())?.is_some() {
                    errors.push(format!("{name}:{line}: tên đăng nhập \"{}\" đã có", a.username.as_str()));
                }
                accounts.push((a, unit_id));
            }
        }
    }
    if !errors.is_empty() {
        errors.iter().for_each(|e| println!("{e}"));
        println!("Không nhập gì: hãy sửa các lỗi trên.");
        return Ok(INPUT_ERRORS);
    }
    let needs_output = accounts.iter().any(|(a, _)| a.password.is_none());
    let out_path = output.map(Path::to_path_buf).unwrap_or_else(|| {
        let stem = file.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_else(|| "users".into());
        file.with_file_name(format!("{stem}-mat-khau.csv"))
    });
    if needs_output && out_path.exists() {
        println!("Tệp {} đã tồn tại: chọn --output khác để không ghi đè mật khẩu cũ.", out_path.display());
        return Ok(INPUT_ERRORS);
    }
    // Hash on every core; each hash is ~20 ms and 19 MiB.
    let plain: Vec<(String, bool)> = accounts
        .iter()
        .map(|(a, _)| match &a.password {
            Some(p) => (p.expose().to_string(), false),
            None => (generate_password(), true),
        })
        .collect();
    let hashes = hash_all(&plain.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>())?;
    let actor = Actor::cli();
    conn.transaction::<_, anyhow::Error, _>(|conn: &mut DbConnection| {
        for ((a, unit_id), hash) in accounts.iter().zip(&hashes) {
            let new = users::NewUser {
                username: a.username.as_str(),
                password_hash: hash,
                full_name: a.full_name.as_str(),
                role: a.role,
                unit_id: *unit_id,
            };
            users::insert_user(conn, &new, &actor)?
                .ok_or_else(|| anyhow::anyhow!("username {} was taken meanwhile", a.username.as_str()))?;
        }
        insert_audit(conn, &actor, "users.import", &name, &format!("{} tài khoản", accounts.len()))?;
        Ok(())
    })?;
    if needs_output {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["username", "full_name", "unit_code", "password"])?;
        for ((a, _), (p, generated)) in accounts.iter().zip(&plain) {
            if *generated {
                w.write_record([
                    a.username.as_str(),
                    a.full_name.as_str(),
                    a.unit_code.as_deref().unwrap_or(""),
                    p.as_str(),
                ])?;
            }
        }
        let data = String::from_utf8(w.into_inner()?)?;
        write_private(&out_path, &data).with_context(|| out_path.display().to_string())?;
        println!(
            "Đã tạo {} tài khoản; mật khẩu được tạo ghi vào {} (chỉ chủ sở hữu đọc được).",
            accounts.len(),
            out_path.display()
        );
    } else {
        println!("Đã tạo {} tài khoản.", accounts.len());
    }
    Ok(OK)
}

fn hash_all(passwords: &[&str]) -> anyhow::Result<Vec<String>> {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let chunk = passwords.len().div_ceil(cores).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = passwords
            .chunks(chunk)
            .map(|c| s.spawn(move || c.iter().map(|p| hash_password_blocking(p)).collect::<anyhow::Result<Vec<_>>>()))
            .collect();
        let mut out = Vec::with_capacity(passwords.len());
        for h in handles {
            out.extend(h.join().map_err(|_| anyhow::anyhow!("hashing thread panicked"))??);
        }
        Ok(out)
    })
}

/// `hoithi backup FILE`: a consistent copy of the live SQLite database.
pub fn backup(settings: &Settings, dest: &Path) -> anyhow::Result<i32> {
    let db = open_db(settings)?;
    let mut conn = db.reader()?;
    match backup::backup_sqlite(&mut conn, dest) {
        Ok(()) => {
            println!("Đã sao lưu vào {}", dest.display());
            Ok(OK)
        }
        Err(e @ (backup::BackupError::Postgres | backup::BackupError::Exists(_))) => {
            println!("{e}");
            Ok(INPUT_ERRORS)
        }
        Err(e) => Err(e.into()),
    }
}
