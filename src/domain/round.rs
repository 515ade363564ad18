//! A round's settings and states: when it runs, what a paper holds, how it
//! is scored, when its key is revealed.

use chrono::{Duration, NaiveDateTime};

use super::paper::{Blueprint, BlueprintRow, MAX_QUESTIONS};

/// Whether people can see a round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    /// Only its organizer sees it; no pool yet.
    Draft,
    /// Its pool is frozen; it runs between its opening and closing times.
    Published,
}

impl RoundStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RoundStatus::Draft => "draft",
            RoundStatus::Published => "published",
        }
    }
}

impl TryFrom<String> for RoundStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "draft" => Ok(RoundStatus::Draft),
            "published" => Ok(RoundStatus::Published),
            _ => Err(format!("unknown round status {s:?}")),
        }
    }
}

/// When participants may see the key of their final attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevealPolicy {
    /// As soon as the attempt is final.
    AfterSubmit,
    /// Once the round has closed.
    AfterClose,
    /// Never.
    Never,
}

impl RevealPolicy {
    /// Every policy, least strict first (the order of `Ord`).
    pub const ALL: [RevealPolicy; 3] = [RevealPolicy::AfterSubmit, RevealPolicy::AfterClose, RevealPolicy::Never];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RevealPolicy::AfterSubmit => "after_submit",
            RevealPolicy::AfterClose => "after_close",
            RevealPolicy::Never => "never",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }

    /// The Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            RevealPolicy::AfterSubmit => "ngay sau khi nộp bài",
            RevealPolicy::AfterClose => "sau khi vòng thi kết thúc",
            RevealPolicy::Never => "không công bố",
        }
    }
}

impl TryFrom<String> for RevealPolicy {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("unknown reveal policy {s:?}"))
    }
}

/// Where a round stands at a moment, as people see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Not published.
    Draft,
    /// Published, not open yet.
    Scheduled,
    /// Taking starts.
    Open,
    /// Closed: boards are final once its predictions are.
    Closed,
}

impl Phase {
    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Draft => "draft",
            Phase::Scheduled => "scheduled",
            Phase::Open => "open",
            Phase::Closed => "closed",
        }
    }

    /// Where the round stands, as people say it.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Draft => "Bản nháp, chưa công bố",
            Phase::Scheduled => "Đã công bố, chưa đến giờ mở",
            Phase::Open => "Đang mở",
            Phase::Closed => "Đã kết thúc",
        }
    }
}

/// A round's settings as entered, before checking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundDraft {
    /// Title.
    pub title: String,
    /// Opens (UTC).
    pub opens_at: NaiveDateTime,
    /// Closes (UTC).
    pub closes_at: NaiveDateTime,
    /// Seconds per attempt.
    pub duration_s: i32,
    /// Blueprint rows.
    pub blueprint: Vec<BlueprintRow>,
    /// Attempts per participant.
    pub attempts_allowed: i32,
    /// Seconds after the deadline an answer still counts.
    pub grace_s: i32,
    /// Points per correct answer.
    pub points_per_question: i32,
    /// The prediction question.
    pub prediction: bool,
    /// Reveal policy, as entered.
    pub reveal: String,
    /// Unlimited attempts, never ranked.
    pub practice: bool,
}

/// A round's settings, checked. Once you hold one, it is valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundSettings {
    /// Title.
    pub title: String,
    /// Opens (UTC).
    pub opens_at: NaiveDateTime,
    /// Closes (UTC).
    pub closes_at: NaiveDateTime,
    /// Seconds per attempt (30 s to 3 h).
    pub duration_s: i32,
    /// What a paper holds.
    pub blueprint: Blueprint,
    /// Attempts per participant (1–100; the best counts).
    pub attempts_allowed: i32,
    /// Seconds after the deadline an answer still counts (0–300).
    pub grace_s: i32,
    /// Points per correct answer (1–100).
    pub points_per_question: i32,
    /// "How many people will answer everything right?"
    pub prediction: bool,
    /// When the key is revealed.
    pub reveal: RevealPolicy,
    /// Unlimited attempts, never ranked.
    pub practice: bool,
}

/// Most points per question (with [`MAX_QUESTIONS`], bounds a paper's maximum).
pub const MAX_POINTS: i32 = 100;
/// Shortest attempt.
pub const MIN_DURATION_S: i32 = 30;
/// Longest attempt.
pub const MAX_DURATION_S: i32 = 3 * 3600;
/// Most attempts per participant.
pub const MAX_ATTEMPTS: i32 = 100;
/// Longest grace period.
pub const MAX_GRACE_S: i32 = 300;

/// The highest score a paper can have: the rank key relies on it.
pub const MAX_PAPER_SCORE: i32 = MAX_QUESTIONS as i32 * MAX_POINTS;

/// A title with its last number counted up, or "(bản sao)" added.
fn next_title(title: &str) -> String {
    let end = title.rfind(|c: char| c.is_ascii_digit()).map(|i| i + 1);
    let start = end.map(|e| title[..e].trim_end_matches(|c: char| c.is_ascii_digit()).len());
    match (start, end) {
        (Some(s), Some(e)) => match title[s..e].parse::<u64>() {
            Ok(n) => format!("{}{}{}", &title[..s], n + 1, &title[e..]),
            Err(_) => format!("{title} (bản sao)"),
        },
        _ => format!("{title} (bản sao)"),
    }
}

impl RoundSettings {
    /// Checks a draft; the message says what to fix. Whether the banks can
    /// fill the blueprint is for the caller to check (it needs the banks).
    pub fn parse(d: RoundDraft) -> Result<Self, String> {
        let title = super::text::nfc(d.title.trim());
        if title.is_empty() || title.chars().count() > super::contest::MAX_TITLE {
            return Err(format!("Tên vòng thi không được để trống (tối đa {} ký tự).", super::contest::MAX_TITLE));
        }
        super::text::check_line(&title).map_err(|c| format!("Tên vòng thi chứa ký tự không hợp lệ ({c})."))?;
        if d.closes_at <= d.opens_at {
            return Err("Thời điểm kết thúc phải sau thời điểm bắt đầu.".into());
        }
        if !(MIN_DURATION_S..=MAX_DURATION_S).contains(&d.duration_s) {
            return Err("Thời gian làm bài phải từ 30 giây đến 3 giờ.".into());
        }
        if !(1..=MAX_ATTEMPTS).contains(&d.attempts_allowed) {
            return Err(format!("Số lượt thi phải từ 1 đến {MAX_ATTEMPTS}."));
        }
        if !(0..=MAX_GRACE_S).contains(&d.grace_s) {
            return Err(format!("Thời gian gia hạn phải từ 0 đến {MAX_GRACE_S} giây."));
        }
        if !(1..=MAX_POINTS).contains(&d.points_per_question) {
            return Err(format!("Điểm mỗi câu phải từ 1 đến {MAX_POINTS}."));
        }
        let reveal = RevealPolicy::parse(&d.reveal)
            .ok_or_else(|| "Chế độ công bố đáp án phải là after_submit, after_close hoặc never.".to_string())?;
        let blueprint = Blueprint::parse(d.blueprint)?;
        Ok(Self {
            title,
            opens_at: d.opens_at,
            closes_at: d.closes_at,
            duration_s: d.duration_s,
            blueprint,
            attempts_allowed: d.attempts_allowed,
            grace_s: d.grace_s,
            points_per_question: d.points_per_question,
            prediction: d.prediction,
            reveal,
            practice: d.practice,
        })
    }

    /// The same round a week later, as a draft (next week's round of a
    /// weekly contest): every time moved by 7 days, the last number of the
    /// title counted up ("Tuần 1" → "Tuần 2"), or "(bản sao)" added to a
    /// title without one.
    pub fn next_week(&self) -> RoundDraft {
        let week = Duration::days(7);
        RoundDraft {
            title: next_title(&self.title),
            opens_at: self.opens_at + week,
            closes_at: self.closes_at + week,
            ..self.to_draft()
        }
    }

    /// The draft these settings came from (to edit them).
    pub fn to_draft(&self) -> RoundDraft {
        RoundDraft {
            title: self.title.clone(),
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            duration_s: self.duration_s,
            blueprint: self.blueprint.rows().to_vec(),
            attempts_allowed: self.attempts_allowed,
            grace_s: self.grace_s,
            points_per_question: self.points_per_question,
            prediction: self.prediction,
            reveal: self.reveal.as_str().to_string(),
            practice: self.practice,
        }
    }

    /// The last moment an answer of this round can count: every deadline is
    /// at or before the close, and the grace comes after it.
    pub fn last_answer_at(&self) -> NaiveDateTime {
        self.closes_at + Duration::seconds(i64::from(self.grace_s))
    }

    /// Where the round stands at `t`.
    pub fn phase(&self, status: RoundStatus, t: NaiveDateTime) -> Phase {
        match status {
            RoundStatus::Draft => Phase::Draft,
            RoundStatus::Published if t < self.opens_at => Phase::Scheduled,
            RoundStatus::Published if t < self.closes_at => Phase::Open,
            RoundStatus::Published => Phase::Closed,
        }
    }

    /// Questions in a paper.
    pub fn questions(&self) -> u32 {
        self.blueprint.total()
    }

    /// Warnings for an organizer about to publish (nothing here stops it).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.reveal == RevealPolicy::AfterSubmit && (self.attempts_allowed > 1 || self.practice) {
            out.push(
                "Vòng thi cho làm nhiều lượt và công bố đáp án ngay sau khi nộp: người thi sẽ biết đáp án trước lượt sau. Nên chọn công bố sau khi vòng thi kết thúc."
                    .to_string(),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(h, 0, 0).unwrap()
    }

    fn draft() -> RoundDraft {
        RoundDraft {
            title: " Tuần 1 ".into(),
            opens_at: t(1),
            closes_at: t(5),
            duration_s: 600,
            blueprint: vec![BlueprintRow { bank: "mot-cua".into(), difficulty: None, count: 10 }],
            attempts_allowed: 1,
            grace_s: 10,
            points_per_question: 1,
            prediction: true,
            reveal: "after_close".into(),
            practice: false,
        }
    }

    #[test]
    fn next_weeks_round_is_the_same_a_week_later_with_the_next_number() {
        let s = RoundSettings::parse(draft()).unwrap();
        let next = s.next_week();
        assert_eq!(next.title, "Tuần 2");
        assert_eq!((next.opens_at, next.closes_at), (t(1) + Duration::days(7), t(5) + Duration::days(7)));
        assert_eq!(
            RoundDraft { title: s.title.clone(), opens_at: s.opens_at, closes_at: s.closes_at, ..next },
            s.to_draft()
        );
        assert_eq!(next_title("Đợt 2 - Tuần 5"), "Đợt 2 - Tuần 6");
        assert_eq!(next_title("Tuần thứ 9 - vòng sơ khảo"), "Tuần thứ 10 - vòng sơ khảo");
        assert_eq!(next_title("Vòng chung kết"), "Vòng chung kết (bản sao)");
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let s = RoundSettings::parse(draft()).unwrap();
        assert_eq!(s.title, "Tuần 1");
        assert_eq!(s.reveal, RevealPolicy::AfterClose);
        assert_eq!(RoundSettings::parse(s.to_draft()).unwrap(), s, "a draft of settings parses back to them");
        let bad = |f: &dyn Fn(&mut RoundDraft)| {
            let mut d = draft();
            f(&mut d);
            RoundSettings::parse(d).unwrap_err()
        };
        assert!(bad(&|d| d.closes_at = d.opens_at).contains("kết thúc"));
        assert!(bad(&|d| d.duration_s = 29).contains("30 giây"));
        assert!(bad(&|d| d.duration_s = 3 * 3600 + 1).contains("3 giờ"));
        assert!(bad(&|d| d.attempts_allowed = 0).contains("lượt"));
        assert!(bad(&|d| d.grace_s = 301).contains("gia hạn"));
        assert!(bad(&|d| d.points_per_question = 101).contains("Điểm"));
        assert!(bad(&|d| d.reveal = "later".into()).contains("công bố"));
        assert!(bad(&|d| d.blueprint.clear()).contains("Cơ cấu"));
        assert!(bad(&|d| d.title = "a\nb".into()).contains("ký tự"));
    }

    #[test]
    fn phases_follow_the_clock() {
        let s = RoundSettings::parse(draft()).unwrap();
        assert_eq!(s.phase(RoundStatus::Draft, t(2)), Phase::Draft);
        assert_eq!(s.phase(RoundStatus::Published, t(0)), Phase::Scheduled);
        assert_eq!(s.phase(RoundStatus::Published, t(1)), Phase::Open);
        assert_eq!(s.phase(RoundStatus::Published, t(5)), Phase::Closed);
        assert_eq!(s.last_answer_at(), t(5) + Duration::seconds(10));
    }

    #[test]
    fn several_attempts_with_the_key_after_submit_warns() {
        let mut d = draft();
        assert!(RoundSettings::parse(d.clone()).unwrap().warnings().is_empty());
        d.reveal = "after_submit".into();
        assert!(RoundSettings::parse(d.clone()).unwrap().warnings().is_empty());
        d.attempts_allowed = 3;
        assert_eq!(RoundSettings::parse(d).unwrap().warnings().len(), 1);
    }

    #[test]
    fn policies_are_ordered_by_strictness() {
        assert!(RevealPolicy::AfterSubmit < RevealPolicy::AfterClose);
        assert!(RevealPolicy::AfterClose < RevealPolicy::Never);
        for p in RevealPolicy::ALL {
            assert_eq!(RevealPolicy::parse(p.as_str()), Some(p));
        }
    }
}
