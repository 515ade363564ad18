//! Limits on what one address may do, what reading a bank file may cost,
//! and the thresholds of the organizer's flags, each a setting: offices and communes
//! sit behind one address, so they are loose enough for a commune meeting
//! of hundreds, and the benchmark raises them further.

/// The limits, from `HOITHI_LIMIT_*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Resident registrations from one address per 15 minutes
    /// (`HOITHI_LIMIT_REGISTRATIONS_PER_ADDRESS`).
    pub registrations_per_address: usize,
    /// Wrong participant codes from one address, over every phone, after
    /// which that address waits between tries (`HOITHI_LIMIT_CODE_FAILURES_PER_ADDRESS`).
    pub code_failures_per_address: u32,
    /// Wrong codes for one phone from one address after which it waits
    /// (`HOITHI_LIMIT_CODE_FAILURES_PER_PHONE`): 1 s after the first by
    /// default, then doubling up to 60 s.
    pub code_failures_per_phone: u32,
    /// Flag a paper finished in less than this percentage of the round's
    /// duration (`HOITHI_FLAG_FAST_PERCENT`, 20).
    pub flag_fast_percent: u32,
    /// Flag entrants of a device that registered more than this many
    /// (`HOITHI_FLAG_REGISTRATIONS_PER_DEVICE`, 3).
    pub flag_registrations_per_device: usize,
    /// Flag this many or more identical answer patterns (`HOITHI_FLAG_SAME_ANSWERS`, 3) …
    pub flag_same_answers: usize,
    /// … submitted within this many seconds (`HOITHI_FLAG_SAME_ANSWERS_WINDOW_S`, 10).
    pub flag_same_answers_window_s: u32,
    /// Item analysis flags no question drawn fewer times than this
    /// (`HOITHI_ITEM_MIN_DRAWN`, 30).
    pub item_min_drawn: u32,
    /// Flag a question as too easy above this facility, in percent
    /// (`HOITHI_ITEM_TOO_EASY_PERCENT`, 95).
    pub item_too_easy_percent: u32,
    /// Flag a question as too hard below this facility, in percent
    /// (`HOITHI_ITEM_TOO_HARD_PERCENT`, 20).
    pub item_too_hard_percent: u32,
    /// Flag negative discrimination below this point-biserial, in
    /// hundredths (`HOITHI_ITEM_DISCRIMINATION_BELOW`, 0: below 0.00).
    pub item_discrimination_below: i32,
    /// What reading one uploaded bank file may cost (`HOITHI_BANK_*`).
    pub bank: crate::domain::formats::Budget,
    /// Accounts one import may create (`HOITHI_LIMIT_ACCOUNTS_PER_IMPORT`,
    /// 2000): each costs one password hash (some 35 ms of one core), all
    /// done before the page answers.
    pub accounts_per_import: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            registrations_per_address: 2_000,
            code_failures_per_address: 30,
            code_failures_per_phone: 1,
            flag_fast_percent: 20,
            flag_registrations_per_device: 3,
            flag_same_answers: 3,
            flag_same_answers_window_s: 10,
            item_min_drawn: 30,
            item_too_easy_percent: 95,
            item_too_hard_percent: 20,
            item_discrimination_below: 0,
            bank: crate::domain::formats::Budget::default(),
            accounts_per_import: 2_000,
        }
    }
}

impl Limits {
    /// The thresholds of item analysis's flags.
    pub fn item_thresholds(&self) -> crate::domain::items::Thresholds {
        crate::domain::items::Thresholds {
            min_drawn: i64::from(self.item_min_drawn),
            too_easy: f64::from(self.item_too_easy_percent) / 100.0,
            too_hard: f64::from(self.item_too_hard_percent) / 100.0,
            discrimination_below: f64::from(self.item_discrimination_below) / 100.0,
        }
    }

    /// Reads the overrides from an environment lookup.
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        fn read<T: std::str::FromStr>(
            env: &dyn Fn(&str) -> Option<String>,
            name: &str,
            default: T,
        ) -> Result<T, String> {
            match env(name) {
                None => Ok(default),
                Some(v) => v.trim().parse().map_err(|_| format!("{name} must be a whole number (got {v:?})")),
            }
        }
        let d = Self::default();
        let b = &d.bank;
        Ok(Self {
            registrations_per_address: read(
                env,
                "HOITHI_LIMIT_REGISTRATIONS_PER_ADDRESS",
                d.registrations_per_address,
            )?,
            code_failures_per_address: read(
                env,
                "HOITHI_LIMIT_CODE_FAILURES_PER_ADDRESS",
                d.code_failures_per_address,
            )?,
            code_failures_per_phone: read(env, "HOITHI_LIMIT_CODE_FAILURES_PER_PHONE", d.code_failures_per_phone)?,
            flag_fast_percent: read(env, "HOITHI_FLAG_FAST_PERCENT", d.flag_fast_percent)?,
            flag_registrations_per_device: read(
                env,
                "HOITHI_FLAG_REGISTRATIONS_PER_DEVICE",
                d.flag_registrations_per_device,
            )?,
            flag_same_answers: read(env, "HOITHI_FLAG_SAME_ANSWERS", d.flag_same_answers)?,
            flag_same_answers_window_s: read(env, "HOITHI_FLAG_SAME_ANSWERS_WINDOW_S", d.flag_same_answers_window_s)?,
            item_min_drawn: read(env, "HOITHI_ITEM_MIN_DRAWN", d.item_min_drawn)?,
            item_too_easy_percent: read(env, "HOITHI_ITEM_TOO_EASY_PERCENT", d.item_too_easy_percent)?,
            item_too_hard_percent: read(env, "HOITHI_ITEM_TOO_HARD_PERCENT", d.item_too_hard_percent)?,
            item_discrimination_below: read(env, "HOITHI_ITEM_DISCRIMINATION_BELOW", d.item_discrimination_below)?,
            bank: crate::domain::formats::Budget {
                unpacked_bytes: read(env, "HOITHI_BANK_MAX_UNPACKED_MB", b.unpacked_bytes >> 20)?
                    .saturating_mul(1 << 20),
                cells: read(env, "HOITHI_BANK_MAX_CELLS", b.cells)?,
                rows: read(env, "HOITHI_BANK_MAX_ROWS", b.rows)?,
                columns: read(env, "HOITHI_BANK_MAX_COLUMNS", b.columns)?,
                field_chars: read(env, "HOITHI_BANK_MAX_FIELD_CHARS", b.field_chars)?,
                questions: read(env, "HOITHI_BANK_MAX_QUESTIONS", b.questions)?,
                problems: read(env, "HOITHI_BANK_MAX_PROBLEMS", b.problems)?,
                memory_mib: read(env, "HOITHI_BANK_PARSE_MEMORY_MB", b.memory_mib)?,
                seconds: read(env, "HOITHI_BANK_PARSE_SECONDS", b.seconds)?,
            },
            accounts_per_import: read(env, "HOITHI_LIMIT_ACCOUNTS_PER_IMPORT", d.accounts_per_import)?.max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        assert_eq!(Limits::from_env(&|_| None).unwrap(), Limits::default());
        let l = Limits::from_env(&|k| (k == "HOITHI_LIMIT_REGISTRATIONS_PER_ADDRESS").then(|| "5".into())).unwrap();
        assert_eq!(l.registrations_per_address, 5);
        let l = Limits::from_env(&|k| (k == "HOITHI_BANK_MAX_UNPACKED_MB").then(|| "2".into())).unwrap();
        assert_eq!(l.bank.unpacked_bytes, 2 << 20);
        assert!(Limits::from_env(&|_| Some("many".into())).unwrap_err().contains("whole number"));
        let l = Limits::from_env(&|k| (k == "HOITHI_ITEM_DISCRIMINATION_BELOW").then(|| "-5".into())).unwrap();
        assert_eq!(l.item_thresholds().discrimination_below, -0.05);
        assert_eq!(Limits::default().item_thresholds(), crate::domain::items::Thresholds::default());
    }
}
