//! Pages for taking a round: starting, the paper (works without
//! JavaScript), the result with its review, the history.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::see_other;
use crate::auth::csrf::CsrfForm;
use crate::auth::participant::MaybeEntrant;
use crate::domain::bank::{Kind, letter};
use crate::domain::paper_view::{option_order, parse_prediction};
use crate::domain::round::RevealPolicy;
use crate::domain::time::{clock_vn, clock_vn_seconds, date_vn, format_vn};
use crate::domain::timing;
use crate::engine::access::Entrant;
use crate::engine::paper_form::{FormSave, FormSubmit};
use crate::engine::views::{AttemptView, ItemView};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::{page, render};

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

/// An item's options as the page shows them: true/false "Đúng" before
/// "Sai" (a rule of display: `index` stays the stored display index, so a
/// posted choice means what the draw stored), lettered as shown.
fn shown_options(item: &ItemView, extra: impl Fn(usize) -> Value) -> Vec<Value> {
    let kind = Kind::parse(&item.kind).unwrap_or(Kind::Single);
    option_order(kind, &item.options)
        .into_iter()
        .enumerate()
        .map(|(shown, k)| {
            let mut v = json!({ "index": k, "letter": letter(shown).to_string(), "text": item.options[k] });
            super::merge_into(&mut v, extra(k));
            v
        })
        .collect()
}

/// `?saved=` (when a form was saved, seconds since 1970) and `?p=` (what
/// was wrong with the prediction) of the paper.
#[derive(serde::Deserialize)]
pub struct PaperQuery {
    saved: Option<String>,
    p: Option<String>,
}

/// `GET /attempts/{id}`: the paper (or the result once final).
pub async fn attempt_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Entrant,
    id: web::Path<i64>,
    q: web::Query<PaperQuery>,
) -> AppResult<HttpResponse> {
    let (attempt, round, contest) = state.own_attempt(&who, *id).await?;
    let now = state.now();
    if attempt.is_final() || !timing::accepts(now, attempt.deadline_at, round.settings.grace_s) {
        return Ok(see_other(&format!("/attempts/{}/result", attempt.id)));
    }
    let view: AttemptView = state.attempt_view(&attempt, &round, &contest).await?;
    let items: Vec<Value> = view
        .items
        .iter()
        .map(|i| {
            json!({
                "position": i.position, "text": i.text, "multiple": i.kind == "multiple",
                "options": shown_options(i, |k| json!({ "checked": i.choices.contains(&k) })),
                "answered": !i.choices.is_empty(),
            })
        })
        .collect();
    let answered = view.items.iter().filter(|i| !i.choices.is_empty()).count();
    // "Đã lưu lúc …" only for a save this paper made, as the server timed it.
    let saved_at = q
        .saved
        .as_deref()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map(|t| t.naive_utc())
        .filter(|t| *t + chrono::Duration::seconds(1) >= attempt.started_at && *t <= now);
    let prediction_note = match q.p.as_deref() {
        Some("need") => Some("Hãy trả lời câu dự đoán rồi bấm “Nộp bài”: bài chưa được nộp."),
        Some("invalid") => {
            Some("Số dự đoán chưa được lưu: hãy nhập một số nguyên từ 0 đến 100.000.000, chỉ gồm chữ số.")
        }
        _ => None,
    };
    let deadline_day = (date_vn(attempt.deadline_at) != date_vn(now)).then(|| date_vn(attempt.deadline_at));
    page(
        &state,
        &req,
        "attempt",
        json!({
            "title": round.settings.title,
            "attempt_id": attempt.id,
            "round_title": round.settings.title,
            "remaining_ms": view.remaining_ms,
            "deadline": clock_vn(attempt.deadline_at),
            "deadline_day": deadline_day,
            "prediction": round.settings.prediction,
            "saved_prediction": attempt.prediction,
            "count": items.len(),
            "answered": answered,
            "saved_any": answered > 0 || attempt.prediction.is_some(),
            "saved_at": saved_at.map(clock_vn_seconds),
            "prediction_note": prediction_note,
            "items": items,
        }),
    )
}

/// The answers a posted paper carries: each `q{position}` with its chosen
/// options, and each checkbox question (`m` = its position) with none
/// ticked, which clears it. A radio question left alone is not on the form
/// and keeps what it has. A value that is not an option number is refused.
fn posted_answers(form: &CsrfForm) -> AppResult<Vec<(i32, Vec<usize>)>> {
    let bad = || AppError::Invalid("Biểu mẫu bài thi có phương án không hợp lệ. Hãy tải lại trang.".into());
    let mut answers: Vec<(i32, Vec<usize>)> = Vec::new();
    for name in form.names() {
        let Some(pos) = name.strip_prefix('q') else { continue };
        let pos: i32 = pos.parse().map_err(|_| bad())?;
        if answers.iter().any(|(p, _)| *p == pos) {
            continue;
        }
        let chosen = form.values(name).iter().map(|v| v.trim().parse::<usize>()).collect::<Result<Vec<_>, _>>();
        answers.push((pos, chosen.map_err(|_| bad())?));
    }
    for m in form.values("m") {
        let pos: i32 = m.trim().parse().map_err(|_| bad())?;
        if !answers.iter().any(|(p, _)| *p == pos) {
            answers.push((pos, Vec::new()));
        }
    }
    answers.sort_by_key(|(p, _)| *p);
    Ok(answers)
}

/// Back to the paper after a save: when it was saved, and what was wrong
/// with the prediction, if anything.
fn back_to_paper(id: i64, saved: chrono::NaiveDateTime, prediction: Option<&str>) -> HttpResponse {
    let p = prediction.map(|p| format!("&p={p}")).unwrap_or_default();
    see_other(&format!("/attempts/{id}?saved={}{p}", saved.and_utc().timestamp()))
}

/// A form that arrived after deadline + grace: nothing on it was stored.
fn too_late(state: &AppState, req: &HttpRequest, attempt: &crate::db::attempts::Attempt) -> AppResult<HttpResponse> {
    render(
        state,
        req,
        actix_web::http::StatusCode::CONFLICT,
        "late",
        json!({
            "title": "Đã hết giờ làm bài",
            "attempt_id": attempt.id,
            "deadline": clock_vn(attempt.deadline_at),
            "received": clock_vn_seconds(state.now()),
        }),
    )
}

/// `POST /attempts/{id}/save`: "Lưu bài" (works without JavaScript): every
/// answer on the form and the prediction are stored, without submitting.
pub async fn save_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Entrant,
    id: web::Path<i64>,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let answers = posted_answers(&form)?;
    let prediction = parse_prediction(form.field("prediction"));
    match state.save_form(&who, *id, answers, prediction.clone().unwrap_or(None)).await? {
        FormSave::Saved(at) => Ok(back_to_paper(*id, at, prediction.is_err().then_some("invalid"))),
        FormSave::Late(a) => too_late(&state, &req, &a),
        FormSave::Final(a) => Ok(see_other(&format!("/attempts/{}/result", a.id))),
    }
}

/// `POST /attempts/{id}`: "Nộp bài" with the whole form (works without
/// JavaScript; the page's script posts it too when time is up). The answers
/// on it are saved first while in time, then the paper is submitted.
pub async fn submit_form(
    state: web::Data<AppState>,
    who: Entrant,
    id: web::Path<i64>,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let answers = posted_answers(&form)?;
    let prediction = parse_prediction(form.field("prediction"));
    match (&prediction, state.submit_form(&who, *id, answers, prediction.clone().unwrap_or(None)).await?) {
        (_, FormSubmit::Done(a)) => Ok(see_other(&format!("/attempts/{}/result", a.id))),
        (Err(_), FormSubmit::NeedsPrediction(at)) => Ok(back_to_paper(*id, at, Some("invalid"))),
        (Ok(_), FormSubmit::NeedsPrediction(at)) => Ok(back_to_paper(*id, at, Some("need"))),
    }
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
    let items = state.items(&attempt, &contest).await?;
    let changes = score_notices(&view, &items, state.score_changes(attempt.id).await?);
    let unit_rank = match (attempt.ranked, state.participant_unit(&attempt).await?) {
        (true, Some(u)) => {
            let (unit, ids) = state.unit_and_subtree(u).await?;
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
            let options =
                shown_options(i, |k| json!({ "chosen": i.choices.contains(&k), "right": right.contains(&k) }));
            json!({
                "position": i.position, "text": i.text, "options": options, "revealed": r.revealed,
                "ok": r.answered_right.unwrap_or(false), "voided": r.voided,
                "explanation": r.explanation, "source": r.source,
            })
        })
        .collect();
    let result = view.result.clone();
    let took = crate::domain::numbers::duration(result.as_ref().map(|r| r.duration_ms).unwrap_or(0));
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
            "deadline": clock_vn(attempt.deadline_at),
            "result": result,
            "took": took,
            "unit_rank": unit_rank,
            "ranked": attempt.ranked,
            "review": rows.into_iter().zip(&review).filter(|(_, r)| r.revealed).map(|(v, _)| v).collect::<Vec<_>>(),
            "reveal_note": reveal_note,
            "score_changes": changes,
        }),
    )
}

/// What corrections did to this attempt's score: old → new, and, only
/// where that question's key may be shown now (promise 4), which question,
/// why and its corrected key, lettered as the page shows its options.
fn score_notices(
    view: &AttemptView,
    items: &[crate::db::attempts::ItemFull],
    changes: Vec<crate::db::fixes::ScoreChange>,
) -> Vec<Value> {
    let review = view.review.clone().unwrap_or_default();
    changes
        .into_iter()
        .map(|c| {
            let position = items.iter().find(|i| i.question_id == c.question_id).map(|i| i.position);
            let shown = position.and_then(|p| {
                let r = review.iter().find(|r| r.position == p && r.revealed)?;
                let item = view.items.iter().find(|i| i.position == p)?;
                let right = r.correct_choices.clone().unwrap_or_default();
                let key: Vec<String> = shown_options(item, |_| json!({}))
                    .iter()
                    .filter(|o| o["index"].as_u64().is_some_and(|k| right.contains(&(k as usize))))
                    .filter_map(|o| o["letter"].as_str().map(str::to_string))
                    .collect();
                Some(json!({ "position": p, "key": key.join(", "), "voided": r.voided }))
            });
            json!({
                "old": format!("{}/{}", c.old_score, c.old_max_score),
                "new": format!("{}/{}", c.new_score, c.new_max_score),
                "at": format_vn(c.at),
                "revealed": shown.is_some(),
                "question": shown,
                "reason": shown.is_some().then_some(c.reason),
            })
        })
        .collect()
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
                "took": crate::domain::numbers::duration(a.duration_ms.unwrap_or(0)),
            })
        })
        .collect();
    page(&state, &req, "history", json!({ "title": "Lịch sử thi", "attempts": items }))
}
