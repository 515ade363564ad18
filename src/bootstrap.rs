//! First run: an empty database gets the shipped units and banks and the
//! first admin account, so `cargo run --release` is usable at once.

use anyhow::Context;

use crate::assets::{ShippedBanks, ShippedUnits};
use crate::auth::password::{PasswordCost, generate_password};
use crate::configuration::Settings;
use crate::db::audit::Actor;
use crate::db::users::{NewUser, count_users_with_role, find_user_by_username, insert_user};
use crate::db::{Db, banks, units};
use crate::domain::bank::{Bank, check_slugs, has_errors, parse_toml};
use crate::domain::people::Role;

/// What the first run did.
#[derive(Debug, Default)]
pub struct FirstRunReport {
    /// Units loaded from the shipped file.
    pub units_loaded: usize,
    /// Questions loaded from the shipped banks.
    pub questions_loaded: usize,
    /// The admin account was created now.
    pub admin_created: bool,
    /// Its generated password (printed once, never logged).
    pub generated_admin_password: Option<String>,
    /// The demo official's password, when the demo was created now.
    pub demo_password: Option<String>,
}

impl FirstRunReport {
    /// Tells the operator what happened; a generated password goes to
    /// standard output only, once.
    pub fn print(&self) {
        if self.units_loaded > 0 {
            tracing::info!(units = self.units_loaded, "shipped units loaded");
        }
        if self.questions_loaded > 0 {
            tracing::info!(questions = self.questions_loaded, "shipped question banks loaded");
        }
        if self.admin_created {
            tracing::info!("admin account created");
        }
        if let Some(p) = &self.generated_admin_password {
            println!();
            println!("  Tài khoản quản trị đầu tiên / first admin account");
            println!("    tên đăng nhập: admin");
            println!("    mật khẩu:      {p}");
            println!("  Mật khẩu chỉ hiện một lần: hãy ghi lại và đổi sau khi đăng nhập.");
            println!();
        }
        if let Some(p) = &self.demo_password {
            println!("  Cuộc thi thử đã được tạo / a demo contest is open");
            println!("    cán bộ thử: demo / {p}");
            println!("  (HOITHI_DEMO=0 để không tạo dữ liệu thử trên cơ sở dữ liệu mới)");
            println!();
        }
    }
}

/// The shipped banks, parsed; a broken shipped bank is a bug, reported whole.
pub fn shipped_banks() -> anyhow::Result<Vec<Bank>> {
    let mut names: Vec<String> = ShippedBanks::iter().map(|n| n.to_string()).collect();
    names.sort();
    let mut banks = Vec::new();
    let mut problems = Vec::new();
    let mut parsed = Vec::new();
    for name in names {
        let file = ShippedBanks::get(&name).with_context(|| format!("shipped bank {name}"))?;
        let text = std::str::from_utf8(&file.data).with_context(|| format!("{name} is not UTF-8"))?;
        let (bank, ps) = parse_toml(&name, text);
        problems.extend(ps.into_iter().filter(|p| p.severity == crate::domain::bank::Severity::Error));
        if let Some(b) = bank {
            parsed.push((name, b));
        }
    }
    problems.extend(check_slugs(parsed.iter().map(|(n, b)| (n.as_str(), b))));
    if has_errors(&problems) {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        anyhow::bail!("the shipped question banks have errors:\n{}", list.join("\n"));
    }
    banks.extend(parsed.into_iter().map(|(_, b)| b));
    Ok(banks)
}

/// The shipped units files, parsed, by name; a broken one is a bug.
fn shipped_units() -> anyhow::Result<Vec<(String, Vec<crate::domain::units::UnitRow>)>> {
    let mut names: Vec<String> = ShippedUnits::iter().map(|n| n.to_string()).collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let file = ShippedUnits::get(&name).with_context(|| format!("shipped units {name}"))?;
            let rows = crate::domain::units::parse_csv(&name, &file.data).map_err(|e| anyhow::anyhow!(e.join("\n")))?;
            Ok((name, rows))
        })
        .collect()
}

/// Loads what an empty database needs. Safe to run at every start: each
/// part only acts when its table is empty (or no admin exists). Entries of
/// a database from before rank keys are rebuilt.
pub fn first_run(
    db: &Db,
    settings: &Settings,
    cost: PasswordCost,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<FirstRunReport> {
    let mut report = FirstRunReport::default();
    let mut conn = db.writer()?;
    let conn = &mut *conn;
    let actor = Actor { id: None, name: "system".into() };
    let repaired = crate::db::entries::repair_stale_entries(conn)?;
    if repaired > 0 {
        tracing::info!(rounds = repaired, "round entries rebuilt with rank keys");
    }
    let backfilled = crate::db::item_stats::backfill_item_results(conn)?;
    if backfilled > 0 {
        tracing::info!(attempts = backfilled, "item analysis rows written for attempts finalized before it existed");
    }
    let keyed = crate::db::users::fill_search_keys(conn)?;
    if keyed > 0 {
        tracing::info!(accounts = keyed, "accounts given search keys");
    }
    if settings.load_shipped_data {
        let shipped = shipped_units()?;
        if units::count_units(conn)? == 0 {
            for (name, rows) in &shipped {
                let existing = units::parent_codes(&units::list_units(conn)?);
                let ordered = crate::domain::units::plan_import(name, &existing, rows)
                    .map_err(|e| anyhow::anyhow!(e.join("\n")))?;
                report.units_loaded += units::import_units(conn, &ordered, &actor)?.inserted;
            }
        }
        let all: Vec<_> = shipped.into_iter().flat_map(|(_, rows)| rows).collect();
        let named = units::fill_kind_labels(conn, &all)?;
        if named > 0 {
            tracing::info!(units = named, "unit kinds named from the shipped units file");
        }
        if banks::count_banks(conn)? == 0 {
            let shipped = shipped_banks()?;
            let done = banks::import_banks(conn, &shipped, &actor)?;
            report.questions_loaded = done.iter().map(|r| r.added).sum();
        }
    }
    if count_users_with_role(conn, Role::Admin)? == 0 {
        if find_user_by_username(conn, "admin")?.is_some() {
            anyhow::bail!("no admin account exists, but the username \"admin\" is taken by another role");
        }
        let (password, generated) = match &settings.admin_password {
            Some(p) => (p.expose().to_string(), None),
            None => {
                let p = generate_password();
                (p.clone(), Some(p))
            }
        };
        let hash = cost.hash_blocking(&password)?;
        let new = NewUser {
            username: "admin",
            password_hash: &hash,
            full_name: "Quản trị viên",
            role: Role::Admin,
            unit_id: None,
            email: None,
            phone: None,
        };
        insert_user(conn, &new, &actor)?;
        report.admin_created = true;
        report.generated_admin_password = generated;
    }
    if settings.demo {
        report.demo_password = create_demo(conn, &actor, cost, now)?;
    }
    Ok(report)
}

/// A demo contest with an open officials' round and a demo official, on a
/// database that has no contest yet. Returns the demo password when created.
fn create_demo(
    conn: &mut crate::db::DbConnection,
    actor: &Actor,
    cost: PasswordCost,
    t: chrono::NaiveDateTime,
) -> anyhow::Result<Option<String>> {
    use crate::db::contests::{insert_contest, list_contests};
    use crate::db::rounds::{insert_round, pool_sizes, publish_round};
    use crate::domain::contest::ContestSettings;
    use crate::domain::paper::BlueprintRow;
    use crate::domain::round::{RoundDraft, RoundSettings};
    if !list_contests(conn)?.is_empty() || find_user_by_username(conn, "demo")?.is_some() {
        return Ok(None);
    }
    let rows: Vec<BlueprintRow> = [("mot-cua", 4), ("cai-cach-hanh-chinh", 3), ("van-hoa-cong-vu", 3)]
        .into_iter()
        .map(|(bank, count)| BlueprintRow { bank: bank.into(), difficulty: None, count })
        .collect();
    let sizes = pool_sizes(conn, &rows)?;
    if rows.iter().zip(&sizes).any(|(r, n)| *n < i64::from(r.count)) {
        tracing::warn!("demo contest skipped: the shipped banks are not loaded");
        return Ok(None);
    }
    let all_units = units::list_units(conn)?;
    let unit = all_units.iter().find(|u| u.code == "SNV").or(all_units.first()).map(|u| u.id);
    let contest = ContestSettings::parse(
        "thi-thu",
        "Cuộc thi thử: tìm hiểu cải cách hành chính",
        "Cuộc thi mẫu để làm quen với hệ thống.",
        "Mỗi lượt thi có 10 câu hỏi trắc nghiệm trong 15 phút; mỗi câu đúng được 1 điểm. Được thi tối đa 3 lượt, tính lượt cao nhất. Xếp hạng theo điểm, rồi theo dự đoán số người trả lời đúng tất cả các câu, rồi theo thời gian làm bài. Đáp án được công bố sau khi vòng thi kết thúc.",
        "both",
        false,
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    let Some(contest) = insert_contest(conn, &contest, actor)? else {
        return Ok(None);
    };
    // Three attempts: the key is revealed only once the round has closed,
    // or the first attempt would give it to the next.
    let settings = RoundSettings::parse(RoundDraft {
        title: "Tuần thử".into(),
        opens_at: t - chrono::Duration::minutes(1),
        closes_at: t + chrono::Duration::days(30),
        duration_s: 15 * 60,
        blueprint: rows,
        attempts_allowed: 3,
        grace_s: 10,
        points_per_question: 1,
        prediction: true,
        reveal: crate::domain::round::RevealPolicy::AfterClose.as_str().into(),
        practice: false,
    })
    .map_err(|e| anyhow::anyhow!(e))?;
    let round = insert_round(conn, contest.id, &settings, actor)?;
    if let Err(e) = publish_round(conn, round.id, actor)? {
        anyhow::bail!("demo round could not be published: {e:?}");
    }
    let password = generate_password();
    let hash = cost.hash_blocking(&password)?;
    let new = NewUser {
        username: "demo",
        password_hash: &hash,
        full_name: "Cán bộ dùng thử",
        role: Role::Official,
        unit_id: unit,
        email: None,
        phone: None,
    };
    insert_user(conn, &new, actor)?;
    Ok(Some(password))
}
