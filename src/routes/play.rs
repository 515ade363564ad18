//! Pages for taking a round: open rounds, the attempt page, results, history.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::see_other;
use crate::auth::{CurrentUser, csrf};
use crate::db::attempts::{find_participant, list_user_attempts, load_items, save_answer};
use crate::db::boards::position;
use crate::db::now;
use crate::db::units::{list_units, subtree_ids};
use crate::domain::time::format_vn;
use crate::domain::timing;
use crate::error::{AppError, AppResult};
use crate::routes::api::play::{attempt_view, may_reveal, own_attempt, start_for, submit_for};
use crate::state::AppState;
use crate::templates::page;

/// `POST /rounds/{id}/start`: starts or resumes, then shows the paper.
pub async fn start(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = parse_form(&body);
    csrf::verify(&state, &req, field(&form, "csrf"))?;
    let (attempt, _, _) = start_for(&state, &user, *id).await?;
    Ok(see_other(&format!("/attempts/{}", attempt.id)))
}

/// `GET /attempts/{id}`: the paper (or the result once final).
pub async fn attempt_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (attempt, round) = own_attempt(&state, &user, *id).await?;
    if attempt.is_final() || !timing::accepts(now(), attempt.deadline_at, round.grace_s) {
        return Ok(see_other(&format!("/attempts/{}/result", attempt.id)));
    }
    let view = attempt_view(&state, &attempt, &round).await?;
    let items: Vec<Value> = view["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            let multiple = i["kind"] == "multiple";
            let chosen: Vec<u64> = i["choices"].as_array().map(|a| a.iter().filter_map(Value::as_u64).collect()).unwrap_or_default();
            let options: Vec<Value> = i["options"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(k, text)| json!({ "index": k, "letter": crate::domain::bank::letter(k).to_string(), "text": text, "checked": chosen.contains(&(k as u64)) }))
                .collect();
            json!({ "position": i["position"], "text": i["text"], "multiple": multiple, "options": options, "answered": !chosen.is_empty() })
        })
        .collect();
    page(
        &state,
        &req,
        "attempt",
        json!({
            "title": round.title,
            "attempt_id": attempt.id,
            "round_title": round.title,
            "remaining_ms": view["remaining_ms"],
            "deadline": format_vn(attempt.deadline_at),
            "prediction": round.prediction,
            "items": items,
            "count": items_len(&view),
        }),
    )
}

fn items_len(view: &Value) -> usize {
    view["items"].as_array().map(Vec::len).unwrap_or(0)
}

/// Parses an urlencoded body keeping repeated keys (checkboxes).
pub fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The first value of a field, or "".
pub fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// `POST /attempts/{id}`: the whole form at once (works without JavaScript):
/// every answer is saved, then the attempt is submitted.
pub async fn submit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = parse_form(&body);
    csrf::verify(&state, &req, field(&form, "csrf"))?;
    let (attempt, round) = own_attempt(&state, &user, *id).await?;
    if !attempt.is_final() {
        let aid = attempt.id;
        let items = state.read(move |c| load_items(c, aid)).await?;
        let mut answers: Vec<(i32, Vec<usize>)> = Vec::new();
        for item in &items {
            let name = format!("q{}", item.position);
            let chosen: Vec<usize> =
                form.iter().filter(|(k, _)| *k == name).filter_map(|(_, v)| v.parse().ok()).collect();
            // Only what the form changed: answers autosaved earlier stay as they are.
            if !chosen.is_empty() && chosen != item.choices {
                answers.push((item.position, chosen));
            }
        }
        let mut late = false;
        for (pos, chosen) in answers {
            let saved = state.write(move |c| save_answer(c, aid, pos, &chosen, now())).await?;
            match saved {
                Ok(_) | Err(crate::db::attempts::AttemptError::Invalid(_)) => {}
                Err(_) => {
                    late = true;
                    break;
                }
            }
        }
        if !late {
            let prediction = field(&form, "prediction").trim().parse::<i64>().ok();
            match submit_for(&state, &user, aid, if round.prediction { prediction } else { None }).await {
                Ok(_) | Err(AppError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(see_other(&format!("/attempts/{}/result", attempt.id)))
}

/// `GET /attempts/{id}/result`: score, time, ranks and (per the reveal policy) the review.
pub async fn result_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (mut attempt, round) = own_attempt(&state, &user, *id).await?;
    if !attempt.is_final() {
        if timing::accepts(now(), attempt.deadline_at, round.grace_s) {
            return Ok(see_other(&format!("/attempts/{}", attempt.id)));
        }
        // Past deadline + grace: finalize now with the saved answers.
        let aid = attempt.id;
        let _ = state.write(move |c| crate::db::attempts::sweep_expired(c, now())).await?;
        attempt =
            state.read(move |c| crate::db::attempts::find_attempt(c, aid)).await?.ok_or_else(AppError::not_found)?;
    }
    let view = attempt_view(&state, &attempt, &round).await?;
    let (rid, pid) = (round.id, attempt.participant_id);
    let unit_rank = if attempt.ranked {
        let participant = state.read(move |c| find_participant(c, pid)).await?;
        match participant.unit_id {
            Some(u) => {
                let units = state.read(list_units).await?;
                let ids = subtree_ids(&units, u);
                let name = units.iter().find(|x| x.id == u).map(|x| x.name.clone()).unwrap_or_default();
                state
                    .read(move |c| position(c, rid, pid, Some(&ids)))
                    .await?
                    .map(|(_, r)| json!({ "rank": r, "unit": name }))
            }
            None => None,
        }
    } else {
        None
    };
    let reveal = may_reveal(&round, &attempt, now());
    let review: Vec<Value> = if reveal {
        let items = view["items"].as_array().cloned().unwrap_or_default();
        let rv = view["review"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .zip(rv.iter())
            .map(|(i, r)| {
                let chosen: Vec<u64> = i["choices"].as_array().map(|a| a.iter().filter_map(Value::as_u64).collect()).unwrap_or_default();
                let right: Vec<u64> = r["correct_choices"].as_array().map(|a| a.iter().filter_map(Value::as_u64).collect()).unwrap_or_default();
                let options: Vec<Value> = i["options"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                    .map(|(k, t)| json!({ "letter": crate::domain::bank::letter(k).to_string(), "text": t, "chosen": chosen.contains(&(k as u64)), "right": right.contains(&(k as u64)) }))
                    .collect();
                let mut c = chosen.clone();
                c.sort_unstable();
                json!({
                    "position": i["position"], "text": i["text"], "options": options,
                    "ok": !c.is_empty() && c == right, "voided": r["voided"],
                    "explanation": r["explanation"], "source": r["source"],
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let result = &view["result"];
    let seconds = result["duration_ms"].as_i64().unwrap_or(0) as f64 / 1000.0;
    let reveal_note = match round.reveal_policy.as_str() {
        "after_close" if !reveal => {
            format!("Đáp án sẽ được công bố sau khi vòng thi kết thúc ({}).", format_vn(round.closes_at))
        }
        "never" => "Vòng thi này không công bố đáp án.".to_string(),
        _ => String::new(),
    };
    page(
        &state,
        &req,
        "result",
        json!({
            "title": "Kết quả",
            "round_title": round.title,
            "round_id": round.id,
            "state": attempt.state,
            "expired": attempt.state == "expired",
            "score": result["score"], "max_score": result["max_score"],
            "correct": result["correct"], "total": result["total"],
            "seconds": format!("{seconds:.1}"),
            "rank": result["rank"],
            "unit_rank": unit_rank,
            "ranked": attempt.ranked,
            "provisional": !round.is_closed(now()),
            "review": review,
            "reveal_note": reveal_note,
        }),
    )
}

/// `GET /history`: the user's attempts.
pub async fn history(state: web::Data<AppState>, req: HttpRequest, user: CurrentUser) -> AppResult<HttpResponse> {
    let uid = user.id;
    let rows = state.read(move |c| list_user_attempts(c, uid)).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|(a, r)| {
            json!({
                "id": a.id, "round_title": r.title, "number": a.number,
                "started": format_vn(a.started_at), "final": a.is_final(),
                "score": a.score, "max_score": a.max_score,
                "seconds": format!("{:.1}", a.duration_ms.unwrap_or(0) as f64 / 1000.0),
            })
        })
        .collect();
    page(&state, &req, "history", json!({ "title": "Lịch sử thi", "attempts": items }))
}
