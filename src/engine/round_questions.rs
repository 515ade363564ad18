//! A round's questions as its organizer corrects them: listed and searched
//! by key, source (what entrants see, e.g. "MC-88"), text or bank, without
//! typing the internal key.

use super::Engine;
use crate::auth::CurrentUser;
use crate::db::contests::Contest;
use crate::db::fixes::{PoolQuestion, list_pool_questions};
use crate::db::rounds::Round;
use crate::domain::text::fold_ascii;
use crate::error::{AppError, AppResult};

/// Whether a question matches a search (diacritics and case ignored;
/// every word must appear in its key, source, text or bank).
pub fn matches(q: &PoolQuestion, search: &str) -> bool {
    let hay = fold_ascii(&format!("{} {} {} {} {}", q.key, q.source, q.text, q.bank, q.bank_title));
    fold_ascii(search).split_whitespace().all(|w| hay.contains(w))
}

impl Engine {
    /// The questions of a round's frozen pool that match `search` (all of
    /// them when it is empty), for who manages the round's contest.
    pub async fn round_questions(
        &self,
        user: &CurrentUser,
        round_id: i64,
        search: &str,
    ) -> AppResult<(Round, Contest, Vec<PoolQuestion>)> {
        let (round, contest) = self.owned_round(user, round_id).await?;
        let (rid, cid) = (round.id, contest.id);
        let mut qs = self.read(move |c| list_pool_questions(c, rid, cid)).await?;
        qs.retain(|q| matches(q, search));
        Ok((round, contest, qs))
    }

    /// One question of a round's frozen pool, by its version's id.
    pub async fn round_question(
        &self,
        user: &CurrentUser,
        round_id: i64,
        question_id: i64,
    ) -> AppResult<(Round, Contest, PoolQuestion)> {
        let (round, contest, qs) = self.round_questions(user, round_id, "").await?;
        let q = qs
            .into_iter()
            .find(|q| q.id == question_id)
            .ok_or_else(|| AppError::NotFound("Vòng thi này không có câu hỏi đó.".into()))?;
        Ok((round, contest, q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(key: &str, source: &str, text: &str) -> PoolQuestion {
        PoolQuestion {
            id: 1,
            bank: "mot-cua".into(),
            bank_title: "Một cửa".into(),
            key: key.into(),
            kind: "single".into(),
            text: text.into(),
            options: "[]".into(),
            answer: "[0]".into(),
            explanation: String::new(),
            source: source.into(),
            voided: false,
            papers: 0,
        }
    }

    #[test]
    fn a_question_is_found_by_the_source_code_entrants_see_by_key_or_by_words_without_diacritics() {
        let x = q("mc-065", "MC-88 — Nghị định 61/2018/NĐ-CP, Điều 5", "Bộ phận Một cửa đặt ở đâu?");
        for s in ["MC-88", "mc-88", "mc-065", "bo phan mot cua", "Nghị định 61", "", "  "] {
            assert!(matches(&x, s), "{s:?}");
        }
        for s in ["MC-89", "mc-066", "xa phuong khac"] {
            assert!(!matches(&x, s), "{s:?}");
        }
    }
}
