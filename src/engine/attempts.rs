//! Taking a round: open rounds, starting, the paper, answering, submitting,
//! the result and its review. Everything acts for an [`Entrant`], so other
//! kinds of participant plug in without touching the handlers.

use chrono::NaiveDateTime;

use super::Engine;
use super::access::Entrant;
use super::views::{AttemptView, ItemView, ResultView, ReviewItem};
use crate::db::attempts::{
    Attempt, AttemptError, ItemFull, StartError, finalize_if_expired, find_attempt, find_participant,
    find_participant_of_user, list_user_attempts, load_items, participant_for_user, save_answer, start_attempt,
    submit as submit_attempt,
};
use crate::db::boards::position;
use crate::db::contests::{Contest, find_contest_by_id};
use crate::db::rounds::{Round, find_round, list_published_rounds, rounds_holding};
use crate::domain::grading::is_correct;
use crate::domain::reveal::may_reveal;
use crate::domain::time::rfc3339_vn;
use crate::domain::timing;
use crate::error::{AppError, AppResult};

fn no_round() -> AppError {
    AppError::NotFound("Không có vòng thi này.".into())
}

fn no_attempt() -> AppError {
    AppError::NotFound("Không có bài thi này.".into())
}

/// The message for a refused answer or submit.
fn attempt_error(e: AttemptError) -> AppError {
    match e {
        AttemptError::Final => AppError::Conflict("Bài thi đã nộp: không thể thay đổi câu trả lời.".into()),
        AttemptError::Late => {
            AppError::Conflict("Đã hết thời gian làm bài: bài thi đã được nộp với các câu trả lời đã lưu.".into())
        }
        AttemptError::Invalid(m) => AppError::Invalid(m),
        AttemptError::NoItem => AppError::NotFound("Bài thi không có câu hỏi này.".into()),
    }
}

/// Highest prediction accepted.
pub const MAX_PREDICTION: i64 = 100_000_000;

impl Engine {
    /// A round and its contest; "no such round" is the only 404 (a busy
    /// database stays a 503).
    pub async fn round_and_contest(&self, round_id: i64) -> AppResult<(Round, Contest)> {
        self.read(move |c| {
            let r = find_round(c, round_id)?;
            let contest = find_contest_by_id(c, r.contest_id)?;
            Ok((r, contest))
        })
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => no_round(),
            other => other,
        })
    }

    /// Rounds open now that the entrant may take, with their contests.
    pub async fn open_rounds_for(&self, who: &Entrant) -> AppResult<Vec<(Round, Contest)>> {
        let t = self.now();
        let rounds = self.read(list_published_rounds).await?;
        let mut out = Vec::new();
        for r in rounds.into_iter().filter(|r| r.is_open(t)) {
            let cid = r.contest_id;
            let contest = self.read(move |c| find_contest_by_id(c, cid)).await?;
            if who.may_enter(&contest) {
                out.push((r, contest));
            }
        }
        Ok(out)
    }

    /// Starts (or resumes) an attempt; returns it, its round and whether it is new.
    pub async fn start(&self, who: &Entrant, round_id: i64) -> AppResult<(Attempt, Round, bool)> {
        let (mut round, contest) = self.round_and_contest(round_id).await?;
        if !round.is_published() || !who.may_enter(&contest) {
            return Err(no_round());
        }
        let user = who.account().clone();
        let (cid, t) = (contest.id, self.now());
        let participant =
            self.write(move |c| participant_for_user(c, cid, user.id, &user.full_name, user.unit_id, t)).await?;
        let ranked = who.is_ranked();
        for _ in 0..3 {
            let pool = self.draw_pool(&round).await?;
            let seed: u64 = rand::random();
            let (r, pid, t) = (round.clone(), participant.id, self.now());
            let outcome = self.write(move |c| start_attempt(c, &r, &pool, pid, ranked, seed, t)).await?;
            return match outcome {
                Ok((a, new)) => Ok((a, round, new)),
                Err(StartError::PoolChanged) => {
                    round = self.round_and_contest(round_id).await?.0;
                    continue;
                }
                Err(StartError::NotOpen) => Err(AppError::Conflict("Vòng thi chưa mở hoặc đã kết thúc.".into())),
                Err(StartError::NoAttemptsLeft(n)) => {
                    Err(AppError::Conflict(format!("Bạn đã dùng hết {n} lượt thi của vòng này.")))
                }
                Err(StartError::ShortPool) => {
                    Err(AppError::Conflict("Ngân hàng câu hỏi không đủ câu cho cơ cấu đề của vòng này.".into()))
                }
            };
        }
        Err(AppError::Unavailable(crate::error::BUSY.into()))
    }

    /// The entrant's own attempt with its round and contest, as stored
    /// (anybody else's is a 404).
    pub async fn own_attempt_as_stored(&self, who: &Entrant, id: i64) -> AppResult<(Attempt, Round, Contest)> {
        let attempt = self.read(move |c| find_attempt(c, id)).await?.ok_or_else(no_attempt)?;
        let pid = attempt.participant_id;
        let participant = self.read(move |c| find_participant(c, pid)).await?;
        if !who.owns(&participant) {
            return Err(no_attempt());
        }
        let (round, contest) = self.round_and_contest(attempt.round_id).await?;
        Ok((attempt, round, contest))
    }

    /// The entrant's own attempt with its round and contest (anybody else's
    /// is a 404). An attempt past deadline + grace is finalized on the way.
    pub async fn own_attempt(&self, who: &Entrant, id: i64) -> AppResult<(Attempt, Round, Contest)> {
        let (attempt, round, contest) = self.own_attempt_as_stored(who, id).await?;
        if attempt.is_final() || timing::accepts(self.now(), attempt.deadline_at, round.settings.grace_s) {
            return Ok((attempt, round, contest));
        }
        let (r, t) = (round.clone(), self.now());
        let attempt = self.write(move |c| finalize_if_expired(c, id, &r, t)).await?.ok_or_else(no_attempt)?;
        Ok((attempt, round, contest))
    }

    /// The items of an attempt, with everything about their questions.
    pub async fn items(&self, attempt: &Attempt, contest: &Contest) -> AppResult<Vec<ItemFull>> {
        let (aid, cid) = (attempt.id, contest.id);
        self.read(move |c| load_items(c, aid, cid)).await
    }

    /// Which items' keys may be shown now (promise 4): the attempt is
    /// final, the round's policy allows it, and no other round whose pool
    /// holds the question keeps it secret.
    async fn revealed(
        &self,
        attempt: &Attempt,
        round: &Round,
        items: &[ItemFull],
        t: NaiveDateTime,
    ) -> AppResult<Vec<bool>> {
        let own = round.secrecy();
        if !own.own_policy_reveals(attempt.is_final(), t) {
            return Ok(vec![false; items.len()]);
        }
        let ids: Vec<i64> = items.iter().map(|i| i.question_id).collect();
        let rid = round.id;
        let others = self.read(move |c| rounds_holding(c, &ids, rid)).await?;
        Ok(items
            .iter()
            .map(|i| {
                let holding = others.iter().filter(|(q, _)| *q == i.question_id).map(|(_, s)| *s);
                may_reveal(&own, attempt.is_final(), holding, t)
            })
            .collect())
    }

    /// The attempt as its participant sees it (the API's shape; pages render it).
    pub async fn attempt_view(&self, attempt: &Attempt, round: &Round, contest: &Contest) -> AppResult<AttemptView> {
        let items = self.items(attempt, contest).await?;
        let t = self.now();
        let mut view = AttemptView {
            attempt_id: attempt.id,
            round_id: round.id,
            round_title: round.settings.title.clone(),
            state: attempt.state,
            started_at: rfc3339_vn(attempt.started_at),
            deadline_at: rfc3339_vn(attempt.deadline_at),
            remaining_ms: if attempt.is_final() { 0 } else { timing::remaining_ms(t, attempt.deadline_at) },
            prediction_question: round.settings.prediction,
            items: items
                .iter()
                .map(|i| ItemView {
                    position: i.position,
                    kind: i.kind.as_str().into(),
                    text: i.text.clone(),
                    options: i.options.clone(),
                    choices: i.choices.clone(),
                })
                .collect(),
            result: None,
            review: None,
        };
        if attempt.is_final() {
            view.result = Some(self.result(attempt, round, &items, None).await?);
            let revealed = self.revealed(attempt, round, &items, t).await?;
            view.review = Some(
                items
                    .iter()
                    .zip(revealed)
                    .map(|(i, shown)| ReviewItem {
                        position: i.position,
                        revealed: shown,
                        voided: i.voided,
                        correct_choices: shown.then(|| i.answer_display.clone()),
                        answered_right: shown.then(|| is_correct(&i.answer_display, Some(&i.choices))),
                        explanation: shown.then(|| i.explanation.clone()),
                        source: shown.then(|| i.source.clone()),
                    })
                    .collect(),
            );
        }
        Ok(view)
    }

    /// Score, counts, time and rank (in the round, or in `units`) of a final attempt.
    pub async fn result(
        &self,
        attempt: &Attempt,
        round: &Round,
        items: &[ItemFull],
        units: Option<Vec<i64>>,
    ) -> AppResult<ResultView> {
        let voided = items.iter().filter(|i| i.voided).count() as i32;
        let (rid, pid) = (round.id, attempt.participant_id);
        let rank = if attempt.ranked {
            self.read(move |c| position(c, rid, pid, units.as_deref())).await?.map(|(_, r)| r)
        } else {
            None
        };
        Ok(ResultView {
            score: attempt.score,
            max_score: attempt.max_score,
            correct: attempt.correct,
            total: items.len() as i32 - voided,
            voided,
            duration_ms: attempt.duration_ms.unwrap_or(0),
            rank,
            counts_for: if attempt.ranked { "ranked" } else { "unranked" }.into(),
            provisional: round.finalized_at.is_none(),
        })
    }

    /// Saves one answer; committed before it returns.
    /// Past deadline + grace the attempt is finalized and the answer refused (409).
    pub async fn answer(&self, who: &Entrant, id: i64, position: i32, choices: Vec<usize>) -> AppResult<NaiveDateTime> {
        let (attempt, round, _) = self.own_attempt_as_stored(who, id).await?;
        let t = self.now();
        let aid = attempt.id;
        self.write(move |c| save_answer(c, aid, &round, position, &choices, t)).await?.map_err(attempt_error)
    }

    /// Submits (a second submit returns the first result).
    pub async fn submit(
        &self,
        who: &Entrant,
        id: i64,
        prediction: Option<i64>,
    ) -> AppResult<(Attempt, Round, Contest)> {
        if let Some(p) = prediction
            && !(0..=MAX_PREDICTION).contains(&p)
        {
            return Err(AppError::Invalid(format!("Số dự đoán phải từ 0 đến {MAX_PREDICTION}.")));
        }
        let (attempt, round, contest) = self.own_attempt_as_stored(who, id).await?;
        let prediction = if round.settings.prediction { prediction } else { None };
        let (aid, r, t) = (attempt.id, round.clone(), self.now());
        let done = self.write(move |c| submit_attempt(c, aid, &r, prediction, t)).await?.map_err(attempt_error)?;
        Ok((done, round, contest))
    }

    /// The no-JavaScript paper: every answer the form changed is saved
    /// (answers autosaved earlier stay as they are), then the attempt is
    /// submitted. Past the deadline it is finalized with what was saved.
    pub async fn submit_form(
        &self,
        who: &Entrant,
        id: i64,
        answers: Vec<(i32, Vec<usize>)>,
        prediction: Option<i64>,
    ) -> AppResult<Attempt> {
        let (attempt, _, contest) = self.own_attempt(who, id).await?;
        if attempt.is_final() {
            return Ok(attempt);
        }
        let items = self.items(&attempt, &contest).await?;
        for (pos, chosen) in answers {
            let unchanged = items.iter().any(|i| i.position == pos && i.choices == chosen);
            if chosen.is_empty() || unchanged {
                continue;
            }
            match self.answer(who, id, pos, chosen).await {
                Ok(_) | Err(AppError::Invalid(_)) | Err(AppError::NotFound(_)) => {}
                Err(AppError::Conflict(_)) => return Ok(self.own_attempt(who, id).await?.0),
                Err(e) => return Err(e),
            }
        }
        match self.submit(who, id, prediction).await {
            Ok((a, _, _)) => Ok(a),
            Err(AppError::Conflict(_)) => Ok(self.own_attempt(who, id).await?.0),
            Err(e) => Err(e),
        }
    }

    /// Every attempt of an account, newest first, with its round.
    pub async fn history(&self, who: &Entrant) -> AppResult<Vec<(Attempt, Round)>> {
        let uid = who.account().id;
        self.read(move |c| {
            let mut out = Vec::new();
            for a in list_user_attempts(c, uid)? {
                let r = find_round(c, a.round_id)?;
                out.push((a, r));
            }
            Ok(out)
        })
        .await
    }

    /// The participant id of an entrant in a contest, if it has taken part.
    pub async fn participant_in(&self, who: &Entrant, contest: &Contest) -> AppResult<Option<i64>> {
        let (cid, uid) = (contest.id, who.account().id);
        Ok(self.read(move |c| find_participant_of_user(c, cid, uid)).await?.map(|p| p.id))
    }

    /// The unit of the participant of an attempt.
    pub async fn participant_unit(&self, attempt: &Attempt) -> AppResult<Option<i64>> {
        let pid = attempt.participant_id;
        Ok(self.read(move |c| find_participant(c, pid)).await?.unit_id)
    }
}
