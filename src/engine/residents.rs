//! Residents: registration without a password, continuing on another
//! device with phone + participant code, and the organizer's lookup and
//! new codes. Wrong codes slow down per (phone, address) and per address,
//! never per phone alone, so nobody can lock a resident out by knowing
//! their phone.

use chrono::{Datelike, Duration, NaiveDateTime};

use super::Engine;
use super::access::require_contest_owner;
use diesel::Connection;

use crate::auth::CurrentUser;
use crate::auth::csrf::constant_time_eq;
use crate::auth::participant::DeviceEntries;
use crate::auth::ratelimit::{Backoff, WINDOW, WindowCount};
use crate::db::attempts::Participant;
use crate::db::audit::insert_audit;
use crate::db::contests::Contest;
use crate::db::prizes::published_rounds;
use crate::db::residents::{
    NewResident, find_resident_by_phone, insert_resident, participants_by_ids, purge_personal_data, search_residents,
    set_code,
};
use crate::db::rounds::list_rounds;
use crate::db::units::{Unit, list_units};
use crate::domain::people::mask_name;
use crate::domain::resident::{
    CODE_LEN, FieldError, RegistrationForm, check, code_from, normalize_code, parse_phone, summary,
};
use crate::error::{AppError, AppResult};

/// The longest wait between code tries.
const MAX_CODE_DELAY: Duration = Duration::seconds(60);

/// Limits on residents, kept in memory on each node.
#[derive(Debug)]
pub struct ResidentLimits {
    registrations: WindowCount,
    per_phone: Backoff,
    per_address: Backoff,
}

impl ResidentLimits {
    /// With the configured thresholds.
    pub fn new(limits: &crate::limits::Limits) -> Self {
        Self {
            registrations: WindowCount::default(),
            per_phone: Backoff::new(limits.code_failures_per_phone, MAX_CODE_DELAY),
            per_address: Backoff::new(limits.code_failures_per_address, MAX_CODE_DELAY),
        }
    }
}

/// A registration refused field by field (422), or for another reason.
#[derive(Debug)]
pub enum RegisterError {
    /// Fields to fix.
    Fields(Vec<FieldError>),
    /// Anything else (409 for a phone already registered, 429, 404 …).
    Other(AppError),
}

impl From<AppError> for RegisterError {
    fn from(e: AppError) -> Self {
        RegisterError::Other(e)
    }
}

impl From<RegisterError> for AppError {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::Fields(f) => AppError::Invalid(summary(&f)),
            RegisterError::Other(e) => e,
        }
    }
}

/// What a resident gets on registering: their entry, the code to write
/// down (shown once) and the device's updated entries.
#[derive(Debug)]
pub struct Registered {
    /// The entry.
    pub participant: Participant,
    /// The participant code, in clear only here.
    pub code: String,
    /// What the participant cookie carries now.
    pub device: DeviceEntries,
}

fn not_for_residents() -> AppError {
    AppError::NotFound("Cuộc thi này không dành cho người dân đăng ký dự thi.".into())
}

fn new_code() -> String {
    let mut b = [0u8; CODE_LEN];
    rand::fill(&mut b);
    code_from(b)
}

fn wrong_code() -> AppError {
    AppError::BadCredentials(
        "Số điện thoại hoặc mã dự thi không đúng. Mã dự thi gồm 6 ký tự, được cấp khi đăng ký.".into(),
    )
}

fn wait(d: Duration) -> AppError {
    let s = d.num_seconds().max(1) as u64;
    AppError::TooManyRequests(format!("Bạn đã nhập sai mã dự thi. Vui lòng thử lại sau {s} giây."), s)
}

impl Engine {
    /// Entries by id (the participant cookie's).
    pub async fn participants_by_ids(&self, ids: Vec<i64>) -> AppResult<Vec<Participant>> {
        self.read(move |c| participants_by_ids(c, &ids)).await
    }

    /// The units a resident of `contest` may choose, by name.
    pub async fn units_for_residents(&self, contest: &Contest) -> AppResult<Vec<Unit>> {
        let rules = contest.registration.rules();
        let mut units: Vec<Unit> =
            self.read(list_units).await?.into_iter().filter(|u| rules.admits_kind(&u.kind)).collect();
        units.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(units)
    }

    /// How long a participant cookie for `contest` should last: until its
    /// last round closes (at least a day; 30 days while none is set).
    pub async fn entry_lifetime(&self, contest: &Contest) -> AppResult<Duration> {
        let cid = contest.id;
        let last: Option<NaiveDateTime> =
            self.read(move |c| list_rounds(c, cid)).await?.iter().map(|r| r.settings.closes_at).max();
        let now = self.now();
        Ok(match last {
            Some(t) => (t - now).max(Duration::days(1)),
            None => Duration::days(30),
        })
    }

    /// Registers a resident in a contest for residents.
    pub async fn register(
        &self,
        contest: &Contest,
        form: &RegistrationForm,
        device: Option<DeviceEntries>,
        client_ip: &str,
    ) -> Result<Registered, RegisterError> {
        if !contest.audience.admits_public() {
            return Err(not_for_residents().into());
        }
        if contest.purged_at.is_some() {
            return Err(AppError::Conflict("Cuộc thi đã kết thúc: không nhận đăng ký mới.".into()).into());
        }
        let now = self.now();
        let this_year = (now + Duration::hours(7)).year();
        let rules = contest.registration.rules();
        let mut checked = check(form, &rules, this_year);
        let units = self.units_for_residents(contest).await?;
        let unit = units.iter().find(|u| u.code == form.unit_code.trim());
        if unit.is_none() && !form.unit_code.trim().is_empty() {
            let e = FieldError {
                field: "unit_code", message: "Đơn vị đã chọn không có trong danh sách.".into()
            };
            checked = match checked {
                Ok(_) => Err(vec![e]),
                Err(mut v) => {
                    v.retain(|x| x.field != "unit_code");
                    v.push(e);
                    Err(v)
                }
            };
        }
        let (reg, unit) = match (checked, unit) {
            (Ok(r), Some(u)) => (r, u.clone()),
            (Err(e), _) => return Err(RegisterError::Fields(e)),
            (Ok(_), None) => return Err(RegisterError::Fields(vec![])),
        };
        let limits = &self.resident_limits;
        let max = self.settings.limits.registrations_per_address;
        if limits.registrations.is_full(client_ip, max, now) {
            let s = WINDOW.num_seconds() as u64;
            return Err(AppError::TooManyRequests(
                "Có quá nhiều lượt đăng ký từ cùng một địa chỉ mạng. Vui lòng thử lại sau ít phút.".into(),
                s,
            )
            .into());
        }
        let device = device.unwrap_or_else(DeviceEntries::new_device);
        let code = new_code();
        let (cid, keys) = (contest.id, self.keys.clone());
        let code_hmac = keys.code_hmac(cid, &reg.phone, &code);
        let id_hmac = reg.id_number.as_deref().map(|d| keys.id_number_hmac(d));
        let last4 = reg.id_number.as_deref().map(|d| d[d.len() - 4..].to_string());
        let device_id = device.device.clone();
        let inserted = self
            .write(move |c| {
                insert_resident(
                    c,
                    &NewResident {
                        contest_id: cid,
                        code: &code_hmac,
                        full_name: &reg.full_name,
                        birth_year: reg.birth_year,
                        phone: &reg.phone,
                        id_number_hmac: id_hmac.as_deref(),
                        id_last4: last4.as_deref(),
                        unit_id: unit.id,
                        created_at: now,
                        device_id: &device_id,
                        consented_at: now,
                    },
                )
            })
            .await?;
        limits.registrations.record(client_ip, max, now);
        match inserted {
            Some(p) => {
                let device = device.with(p.id);
                Ok(Registered { participant: p, code, device })
            }
            None => Err(AppError::Conflict(
                "Số điện thoại này đã đăng ký dự thi cuộc thi này. Để tiếp tục, hãy chọn «Tiếp tục dự thi» và nhập số \
                 điện thoại cùng mã dự thi đã được cấp; nếu quên mã, hãy liên hệ ban tổ chức để được cấp lại."
                    .into(),
            )
            .into()),
        }
    }

    /// Continues an entry on this device with phone + participant code.
    pub async fn continue_entry(
        &self,
        contest: &Contest,
        phone: &str,
        code: &str,
        client_ip: &str,
    ) -> AppResult<Participant> {
        if !contest.audience.admits_public() {
            return Err(not_for_residents());
        }
        let now = self.now();
        let phone = parse_phone(phone).map_err(AppError::Invalid)?;
        let limits = &self.resident_limits;
        let pair = format!("{}|{phone}|{client_ip}", contest.id);
        if let Some(d) = limits.per_phone.wait(&pair, now).or_else(|| limits.per_address.wait(client_ip, now)) {
            return Err(wait(d));
        }
        let cid = contest.id;
        let p2 = phone.clone();
        let found = self.read(move |c| find_resident_by_phone(c, cid, &p2)).await?;
        let genuine = match (&found, normalize_code(code)) {
            (Some(p), Some(code)) => {
                let expected = self.keys.code_hmac(cid, &phone, &code);
                p.code.as_deref().is_some_and(|stored| constant_time_eq(stored.as_bytes(), expected.as_bytes()))
            }
            _ => false,
        };
        match found {
            Some(p) if genuine => {
                limits.per_phone.reset(&pair);
                Ok(p)
            }
            _ => {
                limits.per_phone.record_failure(&pair, now);
                limits.per_address.record_failure(client_ip, now);
                tracing::info!(contest = cid, client_ip = ?client_ip, "participant code refused");
                Err(wrong_code())
            }
        }
    }

    /// The contest's residents matching `q` (the owner or an admin).
    pub async fn find_residents(&self, user: &CurrentUser, contest: &Contest, q: &str) -> AppResult<Vec<Participant>> {
        require_contest_owner(user, contest)?;
        let (cid, q) = (contest.id, q.to_string());
        self.read(move |c| search_residents(c, cid, &q)).await
    }

    /// A new code for a resident (the owner or an admin); the old one stops
    /// working. Logged with the masked name.
    pub async fn reissue_code(&self, user: &CurrentUser, contest: &Contest, participant_id: i64) -> AppResult<String> {
        require_contest_owner(user, contest)?;
        let cid = contest.id;
        let p = self.read(move |c| participants_by_ids(c, &[participant_id])).await?.into_iter().next();
        let Some(p) = p.filter(|p| p.contest_id == cid && p.user_id.is_none()) else {
            return Err(AppError::NotFound("Không có người dự thi này.".into()));
        };
        let phone = p.phone.clone().unwrap_or_default();
        let code = new_code();
        let hmac = self.keys.code_hmac(cid, &phone, &code);
        let (actor, subject) = (user.actor(), format!("contest:{} participant:{}", contest.slug, p.id));
        let masked = mask_name(&p.full_name);
        self.write(move |c| {
            c.transaction(|c| {
                set_code(c, p.id, &hmac)?;
                insert_audit(c, &actor, "participant.code", &subject, &masked)
            })
        })
        .await?;
        Ok(code)
    }

    /// Purges the residents' personal data of a contest (the owner or an
    /// admin) once every round is closed and its results final; the boards
    /// keep units, scores and masked names. Refused (409) before, and once
    /// done.
    pub async fn purge_personal_data(&self, user: &CurrentUser, contest: &Contest) -> AppResult<usize> {
        require_contest_owner(user, contest)?;
        if contest.purged_at.is_some() {
            return Err(AppError::Conflict("Dữ liệu cá nhân của cuộc thi này đã được xóa.".into()));
        }
        let cid = contest.id;
        let rounds = self.read(move |c| list_rounds(c, cid)).await?;
        let now = self.now();
        if rounds.iter().any(|r| !r.is_closed(now) || r.finalized_at.is_none()) {
            return Err(AppError::Conflict(
                "Chỉ xóa được dữ liệu cá nhân khi mọi vòng thi của cuộc thi đã kết thúc và có kết quả chính thức."
                    .into(),
            ));
        }
        let ranked: Vec<i64> = rounds.iter().filter(|r| !r.settings.practice).map(|r| r.id).collect();
        let wanted = ranked.clone();
        let published = self.read(move |c| published_rounds(c, &wanted)).await?;
        if let Some(r) = rounds.iter().find(|r| ranked.contains(&r.id) && !published.contains(&r.id)) {
            return Err(AppError::Conflict(format!(
                "Chỉ xóa được dữ liệu cá nhân khi mọi vòng thi đã công bố danh sách đoạt giải (còn vòng \"{}\").",
                r.settings.title
            )));
        }
        let (actor, subject) = (user.actor(), format!("contest:{}", contest.slug));
        self.write(move |c| purge_personal_data(c, cid, now, &actor, &subject)).await
    }
}
