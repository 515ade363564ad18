//! What the API answers and the pages render: typed shapes, so a change of
//! what reaches a participant shows in review (and in the snapshot tests).

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::boards::Person;
use crate::db::contests::Contest;
use crate::db::rounds::Round;
use crate::domain::attempt::AttemptState;
use crate::domain::paper::BlueprintRow;
use crate::domain::people::mask_name;
use crate::domain::time::rfc3339_vn;

/// One item of a paper as the participant sees it: never its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ItemView {
    /// 1-based position.
    pub position: i32,
    /// `single`, `multiple` or `true_false`.
    pub kind: String,
    /// The question.
    pub text: String,
    /// The options, in this paper's order.
    pub options: Vec<String>,
    /// The options chosen (0-based, in this paper's order).
    pub choices: Vec<usize>,
}

/// A final attempt's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ResultView {
    /// Points on valid items.
    pub score: i32,
    /// Points possible on valid items (voided items leave both).
    pub max_score: i32,
    /// Items answered correctly.
    pub correct: i32,
    /// Valid items.
    pub total: i32,
    /// Voided items (counted for nobody).
    pub voided: i32,
    /// Time taken.
    pub duration_ms: i64,
    /// Rank in the round (ranked attempts that count).
    pub rank: Option<i64>,
    /// `ranked` or `unranked`.
    pub counts_for: String,
    /// Ranks may still change (the round has not closed).
    pub provisional: bool,
}

/// One item of a final attempt's review. Its key is there only when
/// `revealed`: the round's policy allows it and no other round that holds
/// the question keeps it secret now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReviewItem {
    /// 1-based position.
    pub position: i32,
    /// Whether the key is shown.
    pub revealed: bool,
    /// Voided: counted for nobody.
    pub voided: bool,
    /// The correct options (0-based, this paper's order).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correct_choices: Option<Vec<usize>>,
    /// Whether the participant's answer was right.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_right: Option<bool>,
    /// Why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Document and article.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// An attempt as its participant sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AttemptView {
    /// The attempt.
    pub attempt_id: i64,
    /// Its round.
    pub round_id: i64,
    /// The round's title.
    pub round_title: String,
    /// `in_progress`, `submitted` or `expired`.
    #[schema(value_type = String)]
    pub state: AttemptState,
    /// Started (RFC 3339, +07:00).
    pub started_at: String,
    /// The server's deadline (RFC 3339, +07:00).
    pub deadline_at: String,
    /// Milliseconds left by the server's clock (0 once final).
    pub remaining_ms: i64,
    /// Whether submitting asks "how many people will answer everything right?".
    pub prediction_question: bool,
    /// The prediction saved so far.
    pub prediction: Option<i64>,
    /// The paper.
    pub items: Vec<ItemView>,
    /// Once final.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<ResultView>,
    /// Once final: one row per item, with the key where it may be shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<Vec<ReviewItem>>,
}

/// A contest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ContestView {
    /// Id.
    pub id: i64,
    /// Stable identifier in URLs.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// `officials`, `public` or `both`.
    pub audience: String,
    /// Rules (Markdown).
    pub rules: String,
    /// Officials' full names on public boards (residents are always masked).
    pub show_names: bool,
    /// Residents must give their CCCD number.
    pub requires_id_number: bool,
    /// Residents' minimum age by birth year.
    pub min_age: Option<i32>,
    /// Unit kinds residents may choose (empty: every unit).
    pub unit_kinds: Vec<String>,
    /// The join page residents open (`/c/{slug}`).
    pub join_url: String,
}

impl ContestView {
    /// The view of a stored contest.
    pub fn of(c: &Contest) -> Self {
        Self {
            id: c.id,
            slug: c.slug.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            audience: c.audience.as_str().into(),
            rules: c.rules.clone(),
            show_names: c.show_names,
            requires_id_number: c.registration.rules().requires_id_number,
            min_age: c.registration.rules().min_age,
            unit_kinds: c.registration.rules().unit_kinds,
            join_url: format!("/c/{}", c.slug),
        }
    }
}

/// A round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RoundView {
    /// Id.
    pub id: i64,
    /// The contest's slug.
    pub contest: String,
    /// 1, 2, … in the contest.
    pub number: i32,
    /// Title.
    pub title: String,
    /// Opens (RFC 3339, +07:00).
    pub opens_at: String,
    /// Closes (RFC 3339, +07:00).
    pub closes_at: String,
    /// Seconds per attempt.
    pub duration_s: i32,
    /// Rows of `{bank, difficulty?, count}`.
    #[schema(value_type = Vec<Object>)]
    pub blueprint: Vec<BlueprintRow>,
    /// Questions per paper.
    pub questions: u32,
    /// Attempts per participant.
    pub attempts_allowed: i32,
    /// Seconds after the deadline an answer still counts.
    pub grace_s: i32,
    /// Points per correct answer.
    pub points_per_question: i32,
    /// The prediction question.
    pub prediction: bool,
    /// `after_submit`, `after_close` or `never`.
    pub reveal: String,
    /// Unlimited attempts, never ranked.
    pub practice: bool,
    /// `draft` or `published`.
    pub status: String,
    /// `draft`, `scheduled`, `open` or `closed`.
    pub phase: String,
}

impl RoundView {
    /// The view of a stored round at `t`.
    pub fn of(r: &Round, contest_slug: &str, t: chrono::NaiveDateTime) -> Self {
        let s = &r.settings;
        Self {
            id: r.id,
            contest: contest_slug.to_string(),
            number: r.number,
            title: s.title.clone(),
            opens_at: rfc3339_vn(s.opens_at),
            closes_at: rfc3339_vn(s.closes_at),
            duration_s: s.duration_s,
            blueprint: s.blueprint.rows().to_vec(),
            questions: s.questions(),
            attempts_allowed: s.attempts_allowed,
            grace_s: s.grace_s,
            points_per_question: s.points_per_question,
            prediction: s.prediction,
            reveal: s.reveal.as_str().into(),
            practice: s.practice,
            status: r.status.as_str().into(),
            phase: r.phase(t).as_str().into(),
        }
    }
}

/// A round just published, and what its organizer should know.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishView {
    /// The round.
    #[serde(flatten)]
    pub round: RoundView,
    /// Things to check (shared questions, keys revealed to later attempts); none stop it.
    pub warnings: Vec<String>,
}

/// The name a public board shows: the full name only for officials of a
/// contest whose organizer chose to show names; otherwise the family name
/// and initials.
pub fn shown_name(contest: &Contest, person: &Person) -> String {
    if contest.show_names && person.official { person.full_name.clone() } else { mask_name(&person.full_name) }
}

/// One row of a round's leaderboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BoardEntry {
    /// Competition rank (1, 2, 2, 4).
    pub rank: i64,
    /// The name as boards show it (see `show_names`).
    pub name: String,
    /// The participant's unit.
    pub unit: Option<String>,
    /// Points on valid items.
    pub score: i32,
    /// Points possible on valid items.
    pub max_score: i32,
    /// Correct answers.
    pub correct: i32,
    /// Time taken.
    pub duration_ms: i64,
}

/// The caller's own place on a board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MyPosition {
    /// Rank (in the filter's units, when filtered).
    pub rank: i64,
    /// Points.
    pub score: i32,
    /// Points possible.
    pub max_score: i32,
    /// Time taken.
    pub duration_ms: i64,
}

/// A page of a round's leaderboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BoardView {
    /// Entries (in the filter's units).
    pub total: i64,
    /// Until the round closes and its predictions are final.
    pub provisional: bool,
    /// This page.
    pub entries: Vec<BoardEntry>,
    /// The caller's place, when logged in and on the board.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub me: Option<MyPosition>,
}

/// One unit's figures for a round, rolled up over the units under it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnitRow {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level, as data.
    pub kind: String,
    /// The parent's code.
    pub parent_code: Option<String>,
    /// The parent's name, as people read it.
    pub parent_name: Option<String>,
    /// Participants (this unit and every unit under it).
    pub participants: i64,
    /// Staff (this unit and every unit under it).
    pub staff_count: i64,
    /// participants / staff_count, 0 when no staff (4 decimals).
    pub rate: f64,
    /// Average best score (2 decimals).
    pub avg_score: f64,
    /// Participants with full marks.
    pub full_marks: i64,
    /// Final attempts.
    pub attempts: i64,
}

/// A round's unit board.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnitsView {
    /// Until the round closes.
    pub provisional: bool,
    /// Every unit.
    pub units: Vec<UnitRow>,
}

/// One row of a contest's standings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StandingEntry {
    /// Competition rank.
    pub rank: i64,
    /// The name as boards show it.
    pub name: String,
    /// The participant's unit.
    pub unit: Option<String>,
    /// Sum of the best score of each ranked round.
    pub score: i64,
    /// Rounds taken.
    pub rounds: i32,
    /// Rounds with the prediction question and no prediction given.
    pub prediction_gaps: i32,
    /// Sum of the other rounds' prediction errors.
    pub prediction_error: i64,
    /// Total time.
    pub duration_ms: i64,
}

/// A page of a contest's standings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StandingsView {
    /// The contest's slug.
    pub contest: String,
    /// Participants with a standing.
    pub total: i64,
    /// This page.
    pub entries: Vec<StandingEntry>,
}

/// A round's figures now, for its organizer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LiveView {
    /// The round.
    pub round_id: i64,
    /// Where it stands.
    pub phase: String,
    /// Attempts started.
    pub started: i64,
    /// Attempts in progress.
    pub in_progress: i64,
    /// Attempts final.
    pub submitted: i64,
    /// Participation by unit.
    pub units: Vec<UnitRow>,
}
