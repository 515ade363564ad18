//! What an organizer does with a round besides editing it: copy it for next
//! week, and look at a sample paper drawn from its blueprint, with the keys.

use serde::Serialize;

use super::Engine;
use crate::auth::CurrentUser;
use crate::db::banks::questions_with_banks;
use crate::db::contests::Contest;
use crate::db::rounds::{Round, row_pools};
use crate::domain::bank::{Difficulty, Kind, letter};
use crate::domain::paper::{BlueprintRow, DrawError, GroupsError, draw_v2};
use crate::error::{AppError, AppResult};

/// One question of a sample paper, options in the bank's order, with its key.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SampleQuestion {
    /// The bank's slug.
    pub bank: String,
    /// The question's key in the bank.
    pub key: String,
    /// `single`, `multiple` or `true_false`.
    pub kind: String,
    /// `easy`, `medium` or `hard`.
    pub difficulty: String,
    /// The question.
    pub text: String,
    /// The options, in the bank's order (participants see them shuffled unless fixed).
    pub options: Vec<String>,
    /// The correct options' letters, e.g. `["B"]`.
    pub answer: Vec<String>,
    /// Why.
    pub explanation: String,
    /// The document and article.
    pub source: String,
}

impl SampleQuestion {
    /// The difficulty as people say it.
    pub fn difficulty_label(&self) -> &'static str {
        Difficulty::parse(&self.difficulty).map_or("", Difficulty::label)
    }

    /// The kind as people say it.
    pub fn kind_label(&self) -> &'static str {
        Kind::parse(&self.kind).map_or("", Kind::label)
    }
}

/// Why no sample paper could be drawn, as the organizer reads it.
fn refusal(e: &DrawError, rows: &[BlueprintRow]) -> String {
    match e {
        DrawError::Short(s) => format!(
            "Dòng {} của cơ cấu đề cần {} câu nhưng ngân hàng chỉ còn {} câu đang dùng.",
            s.row + 1,
            s.wanted,
            s.available
        ),
        DrawError::Unsatisfiable(u) => GroupsError::Unsatisfiable(u.clone()).message(rows),
        DrawError::TooManyClashes => {
            "Các nhóm loại trừ gần như không để lại đề hợp lệ nào: hãy giảm số câu hoặc bớt nhóm.".to_string()
        }
    }
}

impl Engine {
    /// Next week's round: a draft in the same contest with the same
    /// settings, every time a week later (see `RoundSettings::next_week`).
    pub async fn copy_round(&self, user: &CurrentUser, id: i64) -> AppResult<(Round, Contest)> {
        let (round, contest) = self.owned_round(user, id).await?;
        self.create_round(user, &contest.slug, round.settings.next_week()).await
    }

    /// A paper drawn now from the round's blueprint and the banks' active
    /// questions, as a participant could get it (draw version 2: exclusion
    /// groups respected), with the keys. Nothing is stored.
    pub async fn sample_paper(&self, user: &CurrentUser, id: i64) -> AppResult<(Round, Vec<SampleQuestion>)> {
        let (round, _) = self.owned_round(user, id).await?;
        let rows = round.settings.blueprint.rows().to_vec();
        let seed: u64 = rand::random();
        let drawn = self
            .read(move |c| {
                let pools = row_pools(c, &rows)?;
                let ids =
                    draw_v2(&rows, &pools, seed).map(|items| items.iter().map(|i| i.question_id).collect::<Vec<i64>>());
                match ids {
                    Ok(ids) => questions_with_banks(c, &ids).map(Ok),
                    Err(e) => Ok(Err(refusal(&e, &rows))),
                }
            })
            .await?
            .map_err(AppError::Invalid)?;
        let sample = drawn
            .into_iter()
            .map(|(bank, q)| {
                let answer: Vec<usize> = serde_json::from_str(&q.answer).unwrap_or_default();
                SampleQuestion {
                    bank,
                    key: q.key,
                    kind: q.kind,
                    difficulty: q.difficulty,
                    text: q.text,
                    options: serde_json::from_str(&q.options).unwrap_or_default(),
                    answer: answer.iter().map(|&i| letter(i).to_string()).collect(),
                    explanation: q.explanation,
                    source: q.source,
                }
            })
            .collect();
        Ok((round, sample))
    }
}
