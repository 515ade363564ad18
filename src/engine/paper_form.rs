//! The paper as a plain form (no JavaScript, or a script that never
//! arrived): "Lưu bài" saves every answer on it without submitting, and
//! "Nộp bài" saves them first, then submits. The server owns time: only
//! what arrives before deadline + grace is stored.

use chrono::NaiveDateTime;

use super::Engine;
use super::access::Entrant;
use super::attempts::{check_prediction, needs_prediction, no_attempt};
use crate::db::attempts::{Attempt, AttemptError, save_answers};
use crate::error::{AppError, AppResult};

/// What became of a saved form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormSave {
    /// Every answer on it is stored (committed at this time).
    Saved(NaiveDateTime),
    /// It arrived past deadline + grace: nothing was stored, and the attempt
    /// ended with the answers saved in time.
    Late(Attempt),
    /// The attempt had already ended.
    Final(Attempt),
}

/// What became of a submitted form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormSubmit {
    /// The attempt is final (submitted now, before, or ended at its deadline).
    Done(Attempt),
    /// The answers are saved, but the round's prediction question is
    /// unanswered and the deadline has not passed: not submitted.
    NeedsPrediction(NaiveDateTime),
}

impl Engine {
    /// Saves every answer of a form (`answers`: each position the form
    /// carried, with its choices; empty clears) and the prediction when
    /// given, in one transaction. A form with an invalid answer stores
    /// nothing (422).
    pub async fn save_form(
        &self,
        who: &Entrant,
        id: i64,
        answers: Vec<(i32, Vec<usize>)>,
        prediction: Option<i64>,
    ) -> AppResult<FormSave> {
        check_prediction(prediction)?;
        let (attempt, round, _) = self.own_attempt_as_stored(who, id).await?;
        if attempt.is_final() {
            return Ok(FormSave::Final(attempt));
        }
        let prediction = prediction.filter(|_| round.settings.prediction);
        let (aid, r, t) = (attempt.id, round.clone(), self.now());
        match self.write(move |c| save_answers(c, aid, &r, &answers, prediction, t)).await? {
            Ok(saved) => Ok(FormSave::Saved(saved.at)),
            Err(AttemptError::Late) => Ok(FormSave::Late(self.own_attempt_as_stored(who, id).await?.0)),
            Err(AttemptError::Final) => Ok(FormSave::Final(self.own_attempt_as_stored(who, id).await?.0)),
            Err(AttemptError::Invalid(m)) => Err(AppError::Invalid(m)),
            Err(AttemptError::NoItem) => Err(no_attempt()),
        }
    }

    /// Submits a form: its answers are saved first while still in time (so
    /// nothing on it is lost), then the attempt is submitted. Past the
    /// deadline and its grace nothing on it is stored, and the attempt ends
    /// with the answers saved in time. Before the deadline, a round's unanswered prediction
    /// question keeps it from being submitted (the answers stay saved).
    pub async fn submit_form(
        &self,
        who: &Entrant,
        id: i64,
        answers: Vec<(i32, Vec<usize>)>,
        prediction: Option<i64>,
    ) -> AppResult<FormSubmit> {
        let (attempt, _, _) = self.own_attempt(who, id).await?;
        if attempt.is_final() {
            return Ok(FormSubmit::Done(attempt));
        }
        let saved_at = match self.save_form(who, id, answers, prediction).await? {
            FormSave::Saved(at) => at,
            FormSave::Late(a) | FormSave::Final(a) => return Ok(FormSubmit::Done(a)),
        };
        let (attempt, round, _) = self.own_attempt_as_stored(who, id).await?;
        if needs_prediction(&round, &attempt, prediction, self.now()) {
            return Ok(FormSubmit::NeedsPrediction(saved_at));
        }
        match self.submit(who, id, prediction).await {
            Ok((a, _, _)) => Ok(FormSubmit::Done(a)),
            // Past deadline + grace by now: final with what was saved.
            Err(AppError::Conflict(_)) => Ok(FormSubmit::Done(self.own_attempt(who, id).await?.0)),
            Err(e) => Err(e),
        }
    }
}
