//! `units import` and `users import`.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Context;
use diesel::Connection;

use crate::auth::password::{generate_password, hash_password_blocking};
use crate::configuration::{Settings, write_private};
use crate::db::audit::{Actor, insert_audit};
use crate::db::{DbConnection, units, users};
use crate::domain::account_import::{PlannedAccount, Problem, UnitRef, plan, read_file};

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

/// `hoithi users import FILE [--output OUT]`: the page's import (same
/// columns, checks and generated usernames, no row limit); every row valid
/// or nothing is written. Generated passwords go to `OUT` (mode 0600),
/// never to the log.
pub fn users_import(settings: &Settings, file: &Path, output: Option<&Path>) -> anyhow::Result<i32> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file).with_context(|| name.clone())?;
    let refuse = |problems: &[Problem]| {
        for p in problems {
            match p.column.as_str() {
                "" => println!("{name}:{}: {}", p.row, p.message),
                column => println!("{name}:{}: {column}: {}", p.row, p.message),
            }
        }
        println!("Không nhập gì: hãy sửa các lỗi trên.");
        Ok(INPUT_ERRORS)
    };
    let table = match read_file(&bytes, &settings.limits.bank) {
        Ok(t) => t,
        Err(p) => return refuse(&[p]),
    };
    let db = open_db(settings)?;
    let mut conn = db.writer()?;
    let units: Vec<UnitRef> =
        units::list_units(&mut conn)?.into_iter().map(|u| UnitRef { id: u.id, code: u.code, name: u.name }).collect();
    let existing: HashSet<String> = users::list_usernames(&mut conn)?.into_iter().collect();
    let plan = plan(&table.rows, &|f| table.column(f), &units, &existing, usize::MAX);
    if !plan.problems.is_empty() {
        return refuse(&plan.problems);
    }
    let accounts = plan.accounts;
    let needs_output = accounts.iter().any(|a| a.password.is_none());
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
        .map(|a| match &a.password {
            Some(p) => (p.expose().to_string(), false),
            None => (generate_password(), true),
        })
        .collect();
    let hashes = hash_all(&plain.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>())?;
    let unit_of = |a: &PlannedAccount| a.unit.map(|i| &units[i]);
    let news: Vec<users::NewUser<'_>> = accounts
        .iter()
        .zip(&hashes)
        .map(|(a, hash)| users::NewUser {
            username: a.username.as_str(),
            password_hash: hash,
            full_name: a.full_name.as_str(),
            role: a.role,
            unit_id: unit_of(a).map(|u| u.id),
            email: a.email.as_ref().map(|e| e.as_str()),
            phone: a.phone.as_ref().map(|p| p.as_str()),
        })
        .collect();
    let actor = Actor::cli();
    conn.transaction::<_, anyhow::Error, _>(|conn: &mut DbConnection| {
        if let Err(taken) = users::insert_users(conn, &news, &actor)? {
            anyhow::bail!("username {taken} was taken meanwhile");
        }
        insert_audit(conn, &actor, "users.import", &name, &format!("{} tài khoản", accounts.len()))?;
        Ok(())
    })?;
    if needs_output {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["username", "full_name", "unit_code", "password"])?;
        for (a, (p, generated)) in accounts.iter().zip(&plain) {
            if *generated {
                let unit = unit_of(a).map(|u| u.code.as_str()).unwrap_or("");
                w.write_record([a.username.as_str(), a.full_name.as_str(), unit, p.as_str()])?;
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
