//! Pages for taking a round: starting, the paper (works without
//! JavaScript), the result with its review, the history.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::see_other;
use crate::auth::csrf::CsrfForm;
use crate::auth::participant::MaybeEntrant;
use crate::domain::bank::letter;
use crate::domain::round::RevealPolicy;
use crate::domain::time::format_vn;
use crate::domain::timing;
use crate::engine::access::Entrant;
use crate::engine::views::AttemptView;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::page;

/// `POST /rounds/{id}/start`: starts or resumes, then shows the paper.
/// Without an account or a participant cookie, a resident is sent to the
/// contest's join page (officials: to the login page).
pub async fn start(
    state: web::Data<AppState>,
    who: MaybeEntrant,
    id: web::Path<i64>,
    _form: CsrfForm,
) -> AppResult<HttpResponse> {
    let Some(who) = who.0 else {
        let (round, contest) = state.round_and_contest(*id).await?;
        if round.is_published() && contest.audience.admits_public() {
            return Ok(see_other(&format!("/c/{}", contest.slug)));
        }
        return Err(AppError::Unauthorized);
    };
    match state.start(&who, *id).await {
        Ok((attempt, _, _)) => Ok(see_other(&format!("/attempts/{}", attempt.id))),
        // Not open, or no attempt left: the page before the clock says so plainly.
        Err(AppError::Conflict(m)) => {
            let intro = state.intro(&who, *id).await?;
            if intro.may_start(state.now()) {
                return Err(AppError::Conflict(m));
            }
            Ok(see_other(&format!("/rounds/{}/start", *id)))
        }
        Err(e) => Err(e),
    }
}

fn letters(options: &[String], checked: impl Fn(usize) -> Value) -> Vec<Value> {
    options
        .iter()
        .enumerate()
        .map(|(k, text)| json!({ "index": k, "letter": letter(k).to_string(), "text": text, "checked": checked(k) }))
        .collect()
}

/// `GET /attempts/{id}`: the paper (or the result once final).
pub async fn attempt_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Entrant,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (attempt, round, contest) = state.own_attempt(&who, *id).await?;
    if attempt.is_final() || !timing::accepts(state.now(), attempt.deadline_at, round.settings.grace_s) {
        return Ok(see_other(&format!("/attempts/{}/result", attempt.id)));
    }
    let view: AttemptView = state.attempt_view(&attempt, &round, &contest).await?;
    let items: Vec<Value> = view
        .items
        .iter()
        .map(|i| {
            json!({
                "position": i.position, "text": i.text, "multiple": i.kind == "multiple",
                "options": letters(&i.options, |k| json!(i.choices.contains(&k))),
                "answered": !i.choices.is_empty(),
            })
        })
        .collect();
    page(
        &state,
        &req,
        "attempt",
        json!({
            "title": round.settings.title,
            "attempt_id": attempt.id,
            "round_title": round.settings.title,
            "remaining_ms": view.remaining_ms,
            "deadline": format_vn(attempt.deadline_at),
            "prediction": round.settings.prediction,
            "saved_prediction": attempt.prediction,
            "count": items.len(),
            "items": items,
        }),
    )
}

/// `POST /attempts/{id}`: the whole form at once (works without JavaScript).
pub async fn submit_form(
    state: web::Data<AppState>,
    who: Entrant,
    id: web::Path<i64>,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let mut answers: Vec<(i32, Vec<usize>)> = Vec::new();
    for name in form.names() {
        if let Some(pos) = name.strip_prefix('q').and_then(|p| p.parse::<i32>().ok())
            && !answers.iter().any(|(p, _)| *p == pos)
        {
            let chosen = form.values(name).iter().filter_map(|v| v.parse().ok()).collect();
            answers.push((pos, chosen));
        }
    }
    let prediction = form.field("prediction").trim().parse::<i64>().ok();
    let done = state.submit_form(&who, *id, answers, prediction).await?;
    Ok(see_other(&format!("/attempts/{}/result", done.id)))
}

/// `GET /attempts/{id}/result`: score, time, ranks and the review of what may be shown.
pub async fn result_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Entrant,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (attempt, round, contest) = state.own_attempt(&who, *id).await?;
    if !attempt.is_final() {
        return Ok(see_other(&format!("/attempts/{}", attempt.id)));
    }
    let view = state.attempt_view(&attempt, &round, &contest).await?;
    let unit_rank = match (attempt.ranked, state.participant_unit(&attempt).await?) {
        (true, Some(u)) => {
            let (unit, ids) = state.unit_and_subtree(u).await?;
            let items = state.items(&attempt, &contest).await?;
            state
                .result(&attempt, &round, &items, Some(ids))
                .await?
                .rank
                .map(|r| json!({ "rank": r, "unit": unit.name }))
        }
        _ => None,
    };
    let review = view.review.clone().unwrap_or_default();
    let hidden = review.iter().filter(|r| !r.revealed).count();
    let rows: Vec<Value> = view
        .items
        .iter()
        .zip(&review)
        .map(|(i, r)| {
            let right = r.correct_choices.clone().unwrap_or_default();
            let options: Vec<Value> = i
                .options
                .iter()
                .enumerate()
                .map(|(k, t)| json!({ "letter": letter(k).to_string(), "text": t, "chosen": i.choices.contains(&k), "right": right.contains(&k) }))
                .collect();
            json!({
                "position": i.position, "text": i.text, "options": options, "revealed": r.revealed,
                "ok": r.answered_right.unwrap_or(false), "voided": r.voided,
                "explanation": r.explanation, "source": r.source,
            })
        })
        .collect();
    let result = view.result.clone();
    let seconds = result.as_ref().map(|r| r.duration_ms).unwrap_or(0) as f64 / 1000.0;
    let reveal_note = match round.settings.reveal {
        RevealPolicy::Never => "Vòng thi này không công bố đáp án.".to_string(),
        _ if hidden == rows.len() && round.settings.reveal == RevealPolicy::AfterClose => {
            format!("Đáp án sẽ được công bố sau khi vòng thi kết thúc ({}).", format_vn(round.settings.closes_at))
        }
        _ if hidden > 0 => {
            format!("{hidden} câu chưa được công bố đáp án vì câu hỏi còn được dùng ở một vòng thi khác đang diễn ra.")
        }
        _ => String::new(),
    };
    page(
        &state,
        &req,
        "result",
        json!({
            "title": "Kết quả",
            "round_title": round.settings.title,
            "round_id": round.id,
            "expired": attempt.state == crate::domain::attempt::AttemptState::Expired,
            "result": result,
            "seconds": format!("{seconds:.1}"),
            "unit_rank": unit_rank,
            "ranked": attempt.ranked,
            "review": rows.into_iter().zip(&review).filter(|(_, r)| r.revealed).map(|(v, _)| v).collect::<Vec<_>>(),
            "reveal_note": reveal_note,
        }),
    )
}

/// `GET /history`: the user's attempts.
pub async fn history(state: web::Data<AppState>, req: HttpRequest, who: Entrant) -> AppResult<HttpResponse> {
    let rows = state.history(&who).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|(a, r)| {
            json!({
                "id": a.id, "round_title": r.settings.title, "number": a.number,
                "started": format_vn(a.started_at), "final": a.is_final(),
                "score": a.score, "max_score": a.max_score,
                "seconds": format!("{:.1}", a.duration_ms.unwrap_or(0) as f64 / 1000.0),
            })
        })
        .collect();
    page(&state, &req, "history", json!({ "title": "Lịch sử thi", "attempts": items }))
}
