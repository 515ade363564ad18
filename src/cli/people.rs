//! `units import` and `users import`.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Context;
use diesel::Connection;

use crate::auth::password::{generate_password, hash_password_blocking};
use crate::configuration::{Settings, write_private};
use crate::db::audit::{Actor, insert_audit};
use crate::db::{DbConnection, units, users};
use crate::domain::people::NewAccount;

use super::{INPUT_ERRORS, OK, open_db};

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
