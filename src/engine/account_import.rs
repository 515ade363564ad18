//! Importing accounts (a CSV file on the page, a list through the API, the
//! CLI's file): every problem found before anything is saved, then every
//! account saved in one transaction or none; the generated passwords
//! sealed for one download by the admin who imported them.

use std::collections::HashSet;

use chrono::{Duration, NaiveDateTime};

use super::Engine;
use crate::auth::CurrentUser;
use crate::db::audit::insert_audit;
use crate::db::password_sheets::{Taken, insert_sheet, take_sheet};
use crate::db::units::list_units;
use crate::db::users::{NewUser, insert_users, list_usernames};
use crate::domain::account_import::{Field, Plan, PlannedAccount, RawAccount, UnitRef, plan, read_file};
use crate::error::{AppError, AppResult};

/// How long the generated passwords of an import may be downloaded.
pub const SHEET_VALID_HOURS: i64 = 1;

/// What is imported.
#[derive(Clone, Debug)]
pub enum ImportSource {
    /// An uploaded file (columns named by its header row).
    File(Vec<u8>),
    /// Rows of the JSON API (columns named by their fields).
    Rows(Vec<RawAccount>),
}

/// What an import would do.
#[derive(Clone, Debug, Default)]
pub struct ImportPreview {
    /// The accounts and every problem.
    pub plan: Plan,
    /// The units the plan's accounts point into.
    pub units: Vec<UnitRef>,
    /// Columns of the file that are not read.
    pub ignored: Vec<String>,
}

impl ImportPreview {
    /// Whether confirming would save it: no problem at all.
    pub fn ok(&self) -> bool {
        self.plan.problems.is_empty() && !self.plan.accounts.is_empty()
    }

    /// The unit of a planned account: (code, name).
    pub fn unit_of(&self, a: &PlannedAccount) -> Option<(&str, &str)> {
        a.unit.and_then(|i| self.units.get(i)).map(|u| (u.code.as_str(), u.name.as_str()))
    }
}

/// One line of the passwords sheet.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SheetLine {
    /// Login name.
    pub username: String,
    /// Display name.
    pub full_name: String,
    /// The unit's name.
    pub unit: String,
    /// The generated password.
    pub password: String,
}

/// A saved import.
#[derive(Clone, Debug)]
pub struct Imported {
    /// What was saved (the preview it was confirmed from, checked again).
    pub preview: ImportPreview,
    /// Accounts whose password was generated.
    pub generated: usize,
    /// The passwords sheet: id and until when it may be downloaded.
    pub sheet: Option<(i64, NaiveDateTime)>,
}

fn sheet_context(user_id: i64) -> Vec<u8> {
    format!("password-sheet:{user_id}").into_bytes()
}

impl Engine {
    /// Reads and checks an import against the stored units and usernames;
    /// saves nothing.
    pub async fn preview_accounts(&self, source: ImportSource) -> AppResult<ImportPreview> {
        let max = self.settings.limits.accounts_per_import;
        let budget = self.settings.limits.bank.clone();
        self.read(move |c| {
            let units: Vec<UnitRef> =
                list_units(c)?.into_iter().map(|u| UnitRef { id: u.id, code: u.code, name: u.name }).collect();
            // A file names its columns by its headers, the API by its fields.
            let (rows, table) = match source {
                ImportSource::Rows(rows) => (rows, None),
                ImportSource::File(bytes) => match read_file(&bytes, &budget) {
                    Ok(mut t) => (std::mem::take(&mut t.rows), Some(t)),
                    Err(p) => {
                        let plan = Plan { accounts: Vec::new(), problems: vec![p] };
                        return Ok(ImportPreview { plan, units, ignored: Vec::new() });
                    }
                },
            };
            let existing: HashSet<String> = list_usernames(c)?.into_iter().collect();
            let column = |f: Field| table.as_ref().map_or_else(|| f.api_name().to_string(), |t| t.column(f));
            let plan = plan(&rows, &column, &units, &existing, max);
            Ok(ImportPreview { plan, units, ignored: table.map(|t| t.ignored).unwrap_or_default() })
        })
        .await
    }

    /// Checks the import again and, without a problem, saves every account
    /// in one transaction (`Ok(Err(preview))` with the problems otherwise).
    /// Passwords the import does not give are generated and sealed into a
    /// sheet for [`Engine::take_password_sheet`]; none reaches a log.
    pub async fn import_accounts(
        &self,
        admin: &CurrentUser,
        source: ImportSource,
        label: &str,
    ) -> AppResult<Result<Imported, ImportPreview>> {
        let preview = self.preview_accounts(source.clone()).await?;
        if !preview.ok() {
            return Ok(Err(preview));
        }
        let plain: Vec<(String, bool)> = preview
            .plan
            .accounts
            .iter()
            .map(|a| match &a.password {
                Some(p) => (p.expose().to_string(), false),
                None => (crate::auth::password::generate_password(), true),
            })
            .collect();
        let hashes = self.hasher.hash_all(plain.iter().map(|(p, _)| p.clone()).collect()).await?;
        let lines: Vec<SheetLine> = preview
            .plan
            .accounts
            .iter()
            .zip(&plain)
            .filter(|(_, (_, generated))| *generated)
            .map(|(a, (p, _))| SheetLine {
                username: a.username.as_str().to_string(),
                full_name: a.full_name.as_str().to_string(),
                unit: preview.unit_of(a).map(|(_, name)| name.to_string()).unwrap_or_default(),
                password: p.clone(),
            })
            .collect();
        let generated = lines.len();
        let now = self.now();
        let expires = now + Duration::hours(SHEET_VALID_HOURS);
        let sealed = (generated > 0)
            .then(|| serde_json::to_vec(&lines).map(|json| self.keys.seal(&sheet_context(admin.id), &json)))
            .transpose()
            .map_err(|e| AppError::Unexpected(e.into()))?;
        drop(lines);
        let rows: Vec<(PlannedAccount, Option<i64>, String)> = preview
            .plan
            .accounts
            .iter()
            .zip(hashes)
            .map(|(a, hash)| (a.clone(), a.unit.and_then(|i| preview.units.get(i)).map(|u| u.id), hash))
            .collect();
        let (actor, admin_id, label, count) = (admin.actor(), admin.id, label.to_string(), rows.len());
        let saved = self
            .write(move |c| {
                use diesel::Connection;
                c.transaction(|c| {
                    let news: Vec<NewUser<'_>> = rows
                        .iter()
                        .map(|(a, unit_id, hash)| NewUser {
                            username: a.username.as_str(),
                            password_hash: hash,
                            full_name: a.full_name.as_str(),
                            role: a.role,
                            unit_id: *unit_id,
                            email: a.email.as_ref().map(|e| e.as_str()),
                            phone: a.phone.as_ref().map(|p| p.as_str()),
                        })
                        .collect();
                    if let Err(taken) = insert_users(c, &news, &actor)? {
                        return Ok(Err(taken));
                    }
                    insert_audit(c, &actor, "users.import", &label, &format!("{count} tài khoản"))?;
                    let sheet = match &sealed {
                        Some(s) => Some((insert_sheet(c, admin_id, now, expires, generated as i32, s)?, expires)),
                        None => None,
                    };
                    Ok(Ok(sheet))
                })
            })
            .await?;
        match saved {
            Ok(sheet) => Ok(Ok(Imported { preview, generated, sheet })),
            Err(taken) => {
                // Someone took a username meanwhile: the preview says which, or asks to try again.
                let again = self.preview_accounts(source).await?;
                if again.ok() {
                    Err(AppError::Conflict(format!(
                        "Tên đăng nhập \"{taken}\" vừa được dùng cho một tài khoản khác trong lúc nhập: không tài khoản nào được tạo, hãy nhập lại."
                    )))
                } else {
                    Ok(Err(again))
                }
            }
        }
    }

    /// The generated passwords of sheet `id`, once, to the admin who
    /// imported them: after that (or past its hour) 410, and 404 to anyone else.
    pub async fn take_password_sheet(&self, admin: &CurrentUser, id: i64) -> AppResult<Vec<SheetLine>> {
        let (uid, now) = (admin.id, self.now());
        let gone = |why: &str| {
            AppError::Gone(format!(
                "{why} Mật khẩu không lưu lại ở đâu khác: nếu chưa có tệp, hãy đặt lại mật khẩu của từng tài khoản ở trang Tài khoản."
            ))
        };
        match self.write(move |c| take_sheet(c, id, uid, now)).await? {
            Taken::NotFound => Err(AppError::NotFound("Không có tệp mật khẩu này.".into())),
            Taken::Downloaded => Err(gone("Tệp mật khẩu này đã được tải về một lần và không còn trên máy chủ.")),
            Taken::Expired => Err(gone(&format!(
                "Tệp mật khẩu này đã hết hạn (chỉ tải được trong {SHEET_VALID_HOURS} giờ sau khi nhập)."
            ))),
            Taken::Sealed(sealed) => self
                .keys
                .unseal(&sheet_context(uid), &sealed)
                .and_then(|json| serde_json::from_slice(&json).ok())
                .ok_or_else(|| gone("Tệp mật khẩu này không mở được (khóa bí mật của máy chủ đã đổi).")),
        }
    }
}
