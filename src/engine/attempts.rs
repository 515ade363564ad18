//! Taking a round: open rounds, starting, the paper, answering, submitting,
//! the result and its review. Everything acts for an [`Entrant`], so other
//! kinds of participant plug in without touching the handlers.

use chrono::NaiveDateTime;

use super::Engine;
use super::access::Entrant;
use super::views::{AttemptView, ItemView, ResultView, ReviewItem};
use crate::db::attempts::{
    Attempt, AttemptError, ItemFull, StartError, Whose, finalize_if_expired, find_attempt, find_participant,
    find_participant_of_user, list_attempts_of, load_items, participant_for_user, save_answer, save_prediction,
    start_attempt, store_answer_if_open, submit as submit_attempt,
};
use crate::db::boards::position;
use crate::db::contests::{Contest, find_contest_by_id};
use crate::db::rounds::{Round, find_round, list_published_rounds, rounds_holding};
use crate::domain::attempt::Choice;
use crate::domain::grading::is_correct;
use crate::domain::reveal::may_reveal;
use crate::domain::time::rfc3339_vn;
use crate::domain::timing;
use crate::error::{AppError, AppResult};

pub(super) fn no_round() -> AppError {
    AppError::NotFound("Không có vòng thi này.".into())
}

pub(super) fn no_attempt() -> AppError {
    AppError::NotFound("Không có bài thi này.".into())
}

/// Why an entrant may not take a contest's rounds, in a sentence that says
/// how to take part.
pub(super) fn not_yours(who: &Entrant, contest: &Contest) -> AppError {
    match who {
        Entrant::Account(_) if contest.audience.admits_public() => AppError::Denied(format!(
            "Cuộc thi này dành cho người dân và không dùng tài khoản cán bộ. Để dự thi, hãy đăng xuất rồi đăng ký \
             bằng số điện thoại tại /c/{}.",
            contest.slug
        )),
        Entrant::Resident(_) if contest.audience.admits_public() => {
            AppError::Denied(format!("Bạn chưa đăng ký dự thi cuộc thi này. Hãy đăng ký tại /c/{}.", contest.slug))
        }
        _ => AppError::Denied("Cuộc thi này dành cho cán bộ, công chức, viên chức có tài khoản: hãy đăng nhập.".into()),
    }
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

pub use crate::domain::paper_view::MAX_PREDICTION;

pub(super) fn check_prediction(p: Option<i64>) -> AppResult<()> {
    match p {
        Some(p) if !(0..=MAX_PREDICTION).contains(&p) => {
            Err(AppError::Invalid(format!("Số dự đoán phải là số nguyên từ 0 đến {MAX_PREDICTION}.")))
        }
        _ => Ok(()),
    }
}

/// Whether a submit of `attempt` at `t` must first answer the prediction
/// question: the round asks it, none was given now or saved before, and the
/// deadline has not passed (after it, the paper ends with what it has).
pub(super) fn needs_prediction(round: &Round, attempt: &Attempt, prediction: Option<i64>, t: NaiveDateTime) -> bool {
    round.settings.prediction
        && !attempt.is_final()
        && prediction.is_none()
        && attempt.prediction.is_none()
        && t <= attempt.deadline_at
}

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
        if !round.is_published() {
            return Err(no_round());
        }
        if !who.may_enter(&contest) {
            return Err(not_yours(who, &contest));
        }
        let participant = match who {
            Entrant::Account(user) => {
                let (user, cid, t) = (user.clone(), contest.id, self.now());
                self.write(move |c| participant_for_user(c, cid, user.id, &user.full_name, user.unit_id, t)).await?
            }
            Entrant::Resident(_) => who.resident_in(contest.id).cloned().ok_or_else(no_round)?,
        };
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
                Err(StartError::Groups) => Err(AppError::Conflict(
                    "Không rút được đề: các nhóm câu hỏi loại trừ nhau không cho phép đủ câu theo cơ cấu đề của vòng này. Hãy báo ban tổ chức.".into(),
                )),
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
            prediction: attempt.prediction,
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
    ///
    /// The common case is one trip to the database: the attempt's shape is
    /// kept in memory, the choice is checked against it, and one statement
    /// stores it when the attempt is still open (see
    /// [`store_answer_if_open`]). Anything else (a final or late attempt, a
    /// position or choice the paper does not have) goes the slow path,
    /// which says why as before.
    pub async fn answer(&self, who: &Entrant, id: i64, position: i32, choices: Vec<usize>) -> AppResult<NaiveDateTime> {
        let shape = self.attempt_shape(id).await?.ok_or_else(no_attempt)?;
        if !who.owns_participant(shape.participant_id, shape.user_id) {
            return Err(no_attempt());
        }
        let checked = shape.item(position).and_then(|(kind, n)| Choice::parse(&choices, kind, n, position).ok());
        if let Some(choice) = checked {
            let t = self.now();
            if self.write(move |c| store_answer_if_open(c, &shape, position, &choice, t)).await? {
                return Ok(t);
            }
        }
        self.answer_slow(who, id, position, choices).await
    }

    /// Saves one answer reading the attempt and its round first.
    async fn answer_slow(
        &self,
        who: &Entrant,
        id: i64,
        position: i32,
        choices: Vec<usize>,
    ) -> AppResult<NaiveDateTime> {
        let (attempt, round, _) = self.own_attempt_as_stored(who, id).await?;
        let t = self.now();
        let aid = attempt.id;
        self.write(move |c| save_answer(c, aid, &round, position, &choices, t)).await?.map_err(attempt_error)
    }

    /// Saves the answer to the prediction question, like an answer.
    pub async fn save_prediction(&self, who: &Entrant, id: i64, prediction: i64) -> AppResult<NaiveDateTime> {
        check_prediction(Some(prediction))?;
        let (attempt, round, _) = self.own_attempt_as_stored(who, id).await?;
        if !round.settings.prediction {
            return Err(AppError::Invalid("Vòng thi này không có câu dự đoán.".into()));
        }
        let (aid, t) = (attempt.id, self.now());
        self.write(move |c| save_prediction(c, aid, &round, prediction, t)).await?.map_err(attempt_error)
    }

    /// Submits (a second submit returns the first result). In a round with
    /// the prediction question, a submit before the deadline needs a
    /// prediction, given now or saved before (422 otherwise); after the
    /// deadline, within the grace period, the attempt ends with what it has.
    pub async fn submit(
        &self,
        who: &Entrant,
        id: i64,
        prediction: Option<i64>,
    ) -> AppResult<(Attempt, Round, Contest)> {
        check_prediction(prediction)?;
        let (attempt, round, contest) = self.own_attempt_as_stored(who, id).await?;
        let prediction = if round.settings.prediction { prediction } else { None };
        if needs_prediction(&round, &attempt, prediction, self.now()) {
            return Err(AppError::Invalid(
                "Hãy trả lời câu dự đoán (số người trả lời đúng tất cả các câu hỏi) trước khi nộp bài.".into(),
            ));
        }
        let (aid, r, t) = (attempt.id, round.clone(), self.now());
        let done = self.write(move |c| submit_attempt(c, aid, &r, prediction, t)).await?.map_err(attempt_error)?;
        Ok((done, round, contest))
    }

    /// Every attempt of an entrant, newest first, with its round.
    pub async fn history(&self, who: &Entrant) -> AppResult<Vec<(Attempt, Round)>> {
        let whose = match who {
            Entrant::Account(u) => Whose::User(u.id),
            Entrant::Resident(ps) => Whose::Participants(ps.iter().map(|p| p.id).collect()),
        };
        self.read(move |c| {
            let mut out = Vec::new();
            for a in list_attempts_of(c, &whose)? {
                let r = find_round(c, a.round_id)?;
                out.push((a, r));
            }
            Ok(out)
        })
        .await
    }

    /// The participant id of an entrant in a contest, if it has taken part.
    pub async fn participant_in(&self, who: &Entrant, contest: &Contest) -> AppResult<Option<i64>> {
        let cid = contest.id;
        match who {
            Entrant::Account(u) => {
                let uid = u.id;
                Ok(self.read(move |c| find_participant_of_user(c, cid, uid)).await?.map(|p| p.id))
            }
            Entrant::Resident(_) => Ok(who.resident_in(cid).map(|p| p.id)),
        }
    }

    /// The unit of the participant of an attempt.
    pub async fn participant_unit(&self, attempt: &Attempt) -> AppResult<Option<i64>> {
        let pid = attempt.participant_id;
        Ok(self.read(move |c| find_participant(c, pid)).await?.unit_id)
    }
}
