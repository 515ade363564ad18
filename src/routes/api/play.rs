//! Taking a round: open rounds, starting, answering, submitting.
//!
//! Promise 4: before an attempt is final (and, per the round's reveal
//! policy, before the round closes) nothing here carries the key.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::json_body;
use crate::auth::CurrentUser;
use crate::db::attempts::{
    Attempt, AttemptError, ItemFull, StartError, find_attempt, find_participant, load_items, participant_for_user,
    save_answer, start_attempt, submit as submit_attempt,
};
use crate::db::boards::position;
use crate::db::contests::{Contest, Round, find_contest_by_id, find_round, list_published_rounds};
use crate::db::now;
use crate::domain::people::Role;
use crate::domain::time::rfc3339_vn;
use crate::domain::timing;
use crate::error::{AppError, AppResult};
use crate::routes::api::contests::round_json;
use crate::state::AppState;

/// Whether the user may take rounds of this contest.
pub fn may_enter(user: &CurrentUser, contest: &Contest) -> bool {
    match user.role {
        Role::Admin | Role::Organizer => true,
        Role::Official | Role::UnitManager => contest.audience == "officials" || contest.audience == "both",
    }
}

/// Whether the user's attempts count on the boards.
pub fn is_ranked(user: &CurrentUser) -> bool {
    !matches!(user.role, Role::Admin | Role::Organizer)
}

/// Rounds open now that the user may take, with their contests.
pub async fn open_rounds_for(state: &AppState, user: &CurrentUser) -> AppResult<Vec<(Round, Contest)>> {
    let all = state.read(list_published_rounds).await?;
    let t = now();
    Ok(all.into_iter().filter(|(r, c)| r.is_open(t) && may_enter(user, c)).collect())
}

/// `GET /api/v1/rounds`: rounds open to the caller.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "play", summary = "Các vòng thi đang mở cho người gọi", responses((status = 200, description = "[{id, contest, title, opens_at, closes_at, duration_s, …}]"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody)))]
pub async fn open_rounds(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let rounds = open_rounds_for(&state, &user).await?;
    Ok(HttpResponse::Ok().json(rounds.iter().map(|(r, c)| round_json(r, &c.slug)).collect::<Vec<_>>()))
}

/// Whether the key of a final attempt may be shown now.
pub fn may_reveal(round: &Round, attempt: &Attempt, t: chrono::NaiveDateTime) -> bool {
    attempt.is_final()
        && match round.reveal_policy.as_str() {
            "after_submit" => true,
            "after_close" => round.is_closed(t),
            _ => false,
        }
}

/// The participant-facing view of an attempt (the API's shape; pages use it too).
pub async fn attempt_view(state: &AppState, attempt: &Attempt, round: &Round) -> AppResult<Value> {
    let aid = attempt.id;
    let items = state.read(move |c| load_items(c, aid)).await?;
    let t = now();
    let mut view = json!({
        "attempt_id": attempt.id,
        "round_id": round.id,
        "round_title": round.title,
        "state": attempt.state,
        "started_at": rfc3339_vn(attempt.started_at),
        "deadline_at": rfc3339_vn(attempt.deadline_at),
        "remaining_ms": if attempt.is_final() { 0 } else { timing::remaining_ms(t, attempt.deadline_at) },
        "prediction_question": round.prediction,
        "items": items.iter().map(|i| json!({
            "position": i.position, "kind": i.kind.as_str(), "text": i.text,
            "options": i.options, "choices": i.choices,
        })).collect::<Vec<_>>(),
    });
    if attempt.is_final() {
        let result = result_json(state, attempt, round, &items).await?;
        view["result"] = result;
        if may_reveal(round, attempt, t) {
            view["review"] = items
                .iter()
                .map(|i| {
                    json!({
                        "position": i.position, "correct_choices": i.answer_display,
                        "explanation": i.explanation, "source": i.source, "voided": i.voided,
                    })
                })
                .collect();
        }
    }
    Ok(view)
}

/// Score, counts, time and rank of a final attempt.
pub async fn result_json(state: &AppState, attempt: &Attempt, round: &Round, items: &[ItemFull]) -> AppResult<Value> {
    let total = items.iter().filter(|i| !i.voided).count();
    let (rid, pid) = (round.id, attempt.participant_id);
    let rank =
        if attempt.ranked { state.read(move |c| position(c, rid, pid, None)).await?.map(|(_, r)| r) } else { None };
    Ok(json!({
        "score": attempt.score, "max_score": attempt.max_score, "correct": attempt.correct,
        "total": total, "duration_ms": attempt.duration_ms.unwrap_or(0), "rank": rank,
        "counts_for": if attempt.ranked { "ranked" } else { "unranked" },
    }))
}

/// Starts (or resumes) an attempt for the user; returns it and whether it is new.
pub async fn start_for(state: &AppState, user: &CurrentUser, round_id: i64) -> AppResult<(Attempt, Round, bool)> {
    let (round, contest) = state
        .read(move |c| {
            let r = find_round(c, round_id)?;
            let contest = find_contest_by_id(c, r.contest_id)?;
            Ok((r, contest))
        })
        .await
        .map_err(|_| AppError::NotFound("Không có vòng thi này.".into()))?;
    if round.status != "published" || !may_enter(user, &contest) {
        return Err(AppError::NotFound("Không có vòng thi này.".into()));
    }
    let pools = state.pools(&round).await?;
    let (cid, uid, name, unit, ranked) = (contest.id, user.id, user.full_name.clone(), user.unit_id, is_ranked(user));
    let seed: u64 = rand::random();
    let r2 = round.clone();
    let outcome = state
        .write(move |c| {
            let p = participant_for_user(c, cid, uid, &name, unit)?;
            start_attempt(c, &r2, p.id, ranked, &pools, seed, now())
        })
        .await?;
    let (id, new) = outcome.map_err(|e| match e {
        StartError::NotOpen => AppError::Conflict("Vòng thi chưa mở hoặc đã kết thúc.".into()),
        StartError::NoAttemptsLeft(n) => AppError::Conflict(format!("Bạn đã dùng hết {n} lượt thi của vòng này.")),
        StartError::ShortPool => {
            AppError::Conflict("Ngân hàng câu hỏi không đủ câu cho cơ cấu đề của vòng này.".into())
        }
    })?;
    let attempt = state.read(move |c| find_attempt(c, id)).await?.ok_or_else(AppError::not_found)?;
    Ok((attempt, round, new))
}

/// `POST /api/v1/rounds/{id}/attempts`: 201 with the paper (200 when resuming).
#[utoipa::path(post, path = "/api/v1/rounds/{id}/attempts", tag = "play", summary = "Bắt đầu (hoặc tiếp tục) làm bài (không có nội dung)", params(("id" = i64, Path, description = "Mã vòng thi")), responses((status = 201, description = "{attempt_id, state, deadline_at, remaining_ms, items: [{position, kind, text, options, choices}]}"), (status = 200, description = "Tiếp tục bài đang làm (cùng dạng)"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Trạng thái không cho phép", body = ErrorBody)))]
pub async fn start(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (attempt, round, new) = start_for(&state, &user, *id).await?;
    let view = attempt_view(&state, &attempt, &round).await?;
    Ok(if new { HttpResponse::Created().json(view) } else { HttpResponse::Ok().json(view) })
}

/// The user's own attempt and its round; anybody else's is 404.
pub async fn own_attempt(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<(Attempt, Round)> {
    let not_found = || AppError::NotFound("Không có bài thi này.".into());
    let attempt = state.read(move |c| find_attempt(c, id)).await?.ok_or_else(not_found)?;
    let pid = attempt.participant_id;
    let rid = attempt.round_id;
    let (participant, round) = state.read(move |c| Ok((find_participant(c, pid)?, find_round(c, rid)?))).await?;
    if participant.user_id != Some(user.id) {
        return Err(not_found());
    }
    Ok((attempt, round))
}

/// `GET /api/v1/attempts/{id}`.
#[utoipa::path(get, path = "/api/v1/attempts/{id}", tag = "play", summary = "Bài thi của mình", params(("id" = i64, Path, description = "Mã bài thi")), responses((status = 200, description = "Như khi bắt đầu, kèm lựa chọn đã lưu; khi đã nộp thêm result và (theo chế độ công bố) review"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody)))]
pub async fn get(state: web::Data<AppState>, user: CurrentUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (attempt, round) = own_attempt(&state, &user, *id).await?;
    Ok(HttpResponse::Ok().json(attempt_view(&state, &attempt, &round).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AnswerBody {
    choices: Vec<usize>,
}

/// The message for a refused answer or submit.
pub fn attempt_error(e: AttemptError) -> AppError {
    match e {
        AttemptError::Final => AppError::Conflict("Bài thi đã nộp: không thể thay đổi câu trả lời.".into()),
        AttemptError::Late => {
            AppError::Conflict("Đã hết thời gian làm bài: bài thi đã được nộp với các câu trả lời đã lưu.".into())
        }
        AttemptError::Invalid(m) => AppError::Invalid(m),
        AttemptError::NoItem => AppError::NotFound("Bài thi không có câu hỏi này.".into()),
    }
}

/// `PUT /api/v1/attempts/{id}/items/{position}`: saved before the 200.
#[utoipa::path(put, path = "/api/v1/attempts/{id}/items/{position}", tag = "play", summary = "Lưu một câu trả lời", request_body = AnswerBody, params(("id" = i64, Path, description = "Mã bài thi"), ("position" = i32, Path, description = "Số thứ tự câu, từ 1")), responses((status = 200, description = "{saved_at}: đã ghi vào cơ sở dữ liệu"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Bài đã nộp hoặc đã quá hạn + gia hạn", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody)))]
pub async fn answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(i64, i32)>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let (id, pos) = path.into_inner();
    let (attempt, _) = own_attempt(&state, &user, id).await?;
    let body: AnswerBody = json_body(&req, payload).await?;
    let aid = attempt.id;
    let saved = state.write(move |c| save_answer(c, aid, pos, &body.choices, now())).await?.map_err(attempt_error)?;
    Ok(HttpResponse::Ok().json(json!({ "saved_at": rfc3339_vn(saved) })))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct SubmitBody {
    prediction: Option<i64>,
}

/// Submits; returns the result (a second submit returns the first result).
pub async fn submit_for(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    prediction: Option<i64>,
) -> AppResult<(Attempt, Round)> {
    let (attempt, round) = own_attempt(state, user, id).await?;
    if let Some(p) = prediction
        && !(0..=100_000_000).contains(&p)
    {
        return Err(AppError::Invalid("Số dự đoán phải từ 0 đến 100 000 000.".into()));
    }
    let prediction = if round.prediction { prediction } else { None };
    let aid = attempt.id;
    let done = state.write(move |c| submit_attempt(c, aid, prediction, now())).await?.map_err(attempt_error)?;
    Ok((done, round))
}

/// `POST /api/v1/attempts/{id}/submit` `{prediction?}`.
#[utoipa::path(post, path = "/api/v1/attempts/{id}/submit", tag = "play", summary = "Nộp bài", request_body = SubmitBody, params(("id" = i64, Path, description = "Mã bài thi")), responses((status = 200, description = "{score, max_score, correct, total, duration_ms, rank}"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Quá hạn + gia hạn: bài được nộp với câu trả lời đã lưu", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody)))]
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    own_attempt(&state, &user, *id).await?;
    let has_body = req.headers().get("content-length").and_then(|v| v.to_str().ok()).is_some_and(|v| v != "0");
    let body: SubmitBody = if has_body { json_body(&req, payload).await? } else { SubmitBody::default() };
    let (done, round) = submit_for(&state, &user, *id, body.prediction).await?;
    let did = done.id;
    let items = state.read(move |c| load_items(c, did)).await?;
    Ok(HttpResponse::Ok().json(result_json(&state, &done, &round, &items).await?))
}
