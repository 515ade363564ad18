//! Organizer pages: contests, rounds (blueprint, timing, publish, close),
//! live participation, results export and fixing a wrong key.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde_json::{Value, json};

use super::play::{field, parse_form};
use super::see_other;
use crate::auth::{CurrentUser, csrf};
use crate::db::banks::{find_latest_question, list_bank_summaries, rekey_question, void_question};
use crate::db::contests::{
    ContestFields, close_round, insert_contest, insert_round, list_contests, list_rounds, publish_round,
    round_has_attempts, update_contest, update_round,
};
use crate::db::now;
use crate::domain::bank::{Difficulty, Kind, letter_index};
use crate::domain::paper::BlueprintRow;
use crate::domain::people::Role;
use crate::domain::time::{format_vn, parse_vn_local, to_vn_local};
use crate::error::{AppError, AppResult};
use crate::routes::api::boards::live_json;
use crate::routes::api::contests::{ORGANIZERS, RoundDraft, check_contest, check_round, owned_contest, owned_round};
use crate::state::AppState;
use crate::templates::render;

fn with(mut a: Value, b: Value) -> Value {
    if let (Value::Object(x), Value::Object(y)) = (&mut a, b) {
        x.extend(y);
    }
    a
}

async fn contests_ctx(state: &AppState, user: &CurrentUser) -> AppResult<Value> {
    let all = state.read(list_contests).await?;
    let mine: Vec<Value> = all
        .iter()
        .filter(|c| user.role == Role::Admin || c.owner_id == Some(user.id))
        .map(
            |c| json!({ "slug": c.slug, "title": c.title, "audience": c.audience, "created": format_vn(c.created_at) }),
        )
        .collect();
    Ok(
        json!({ "title": "Cuộc thi", "contests": mine, "form": { "slug": "", "title": "", "description": "", "audience": "officials" } }),
    )
}

/// A contest's fields from its form.
fn contest_fields(form: &[(String, String)], slug: &str) -> ContestFields {
    use crate::domain::text::nfc;
    ContestFields {
        slug: slug.to_string(),
        title: nfc(field(form, "title").trim()),
        description: nfc(field(form, "description").trim()),
        rules: nfc(field(form, "rules")),
        audience: field(form, "audience").to_string(),
        show_names: field(form, "show_names") == "on",
    }
}

/// `GET /admin/contests`.
pub async fn contests_page(state: web::Data<AppState>, req: HttpRequest, user: CurrentUser) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let ctx = contests_ctx(&state, &user).await?;
    render(&state, &req, StatusCode::OK, "admin/contests", ctx)
}

/// `POST /admin/contests`.
pub async fn create_contest(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let form = parse_form(&body);
    csrf::verify(&state, &req, field(&form, "csrf"))?;
    let f = contest_fields(&form, field(&form, "slug").trim());
    let result = match check_contest(&f.slug, &f.title, &f.audience) {
        Ok(()) => {
            let (f2, actor) = (f.clone(), user.actor());
            state
                .write(move |c| insert_contest(c, &f2, &actor))
                .await?
                .ok_or_else(|| AppError::Conflict(format!("Mã cuộc thi \"{}\" đã được dùng.", f.slug)))
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(c) => Ok(see_other(&format!("/admin/contests/{}", c.slug))),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let ctx = contests_ctx(&state, &user).await?;
            let back = json!({ "error": e.to_string(), "form": { "slug": f.slug, "title": f.title, "description": f.description, "audience": f.audience } });
            render(&state, &req, actix_web::ResponseError::status_code(&e), "admin/contests", with(ctx, back))
        }
        Err(e) => Err(e),
    }
}

fn blueprint_rows_of(form: &[(String, String)]) -> Result<Vec<BlueprintRow>, String> {
    let mut rows = Vec::new();
    for i in 1..=6 {
        let count = field(form, &format!("count_{i}")).trim();
        let bank = field(form, &format!("bank_{i}")).trim();
        if count.is_empty() || count == "0" || bank.is_empty() {
            continue;
        }
        let count: u32 =
            count.parse().map_err(|_| format!("Dòng {i} của cơ cấu đề: số câu phải là số nguyên dương."))?;
        let difficulty = match field(form, &format!("difficulty_{i}")) {
            "" => None,
            d => Some(Difficulty::parse(d).ok_or_else(|| format!("Dòng {i}: mức độ không hợp lệ."))?),
        };
        rows.push(BlueprintRow { bank: bank.to_string(), difficulty, count });
    }
    Ok(rows)
}

fn draft_of(form: &[(String, String)]) -> Result<RoundDraft, String> {
    let time = |name: &str, label: &str| {
        parse_vn_local(field(form, name)).ok_or_else(|| format!("{label}: hãy nhập ngày giờ (giờ Việt Nam)."))
    };
    let int = |name: &str, label: &str| -> Result<i32, String> {
        field(form, name).trim().parse::<i32>().map_err(|_| format!("{label} phải là số nguyên."))
    };
    Ok(RoundDraft {
        title: field(form, "title").to_string(),
        opens_at: time("opens_at", "Thời điểm bắt đầu")?,
        closes_at: time("closes_at", "Thời điểm kết thúc")?,
        duration_s: int("duration_min", "Thời gian làm bài (phút)")?.saturating_mul(60),
        blueprint: blueprint_rows_of(form)?,
        attempts_allowed: int("attempts_allowed", "Số lượt thi")?,
        grace_s: int("grace_s", "Thời gian gia hạn")?,
        points_per_question: int("points_per_question", "Điểm mỗi câu")?,
        prediction: field(form, "prediction") == "on",
        reveal: field(form, "reveal").to_string(),
        practice: field(form, "practice") == "on",
    })
}

fn round_form_values(d: &RoundDraft) -> Value {
    let mut rows: Vec<Value> = d
        .blueprint
        .iter()
        .map(|r| json!({ "bank": r.bank, "difficulty": r.difficulty.map(|x| x.as_str()).unwrap_or(""), "count": r.count }))
        .collect();
    while rows.len() < 4 {
        rows.push(json!({ "bank": "", "difficulty": "", "count": "" }));
    }
    let rows: Vec<Value> = rows.into_iter().enumerate().map(|(i, r)| with(r, json!({ "n": i + 1 }))).collect();
    json!({
        "title": d.title, "opens_at": to_vn_local(d.opens_at), "closes_at": to_vn_local(d.closes_at),
        "duration_min": d.duration_s / 60, "attempts_allowed": d.attempts_allowed, "grace_s": d.grace_s,
        "points_per_question": d.points_per_question, "prediction": d.prediction, "reveal": d.reveal,
        "practice": d.practice, "rows": rows,
    })
}

fn default_draft() -> RoundDraft {
    let t = now();
    RoundDraft {
        title: String::new(),
        opens_at: t,
        closes_at: t + chrono::Duration::days(7),
        duration_s: 15 * 60,
        blueprint: Vec::new(),
        attempts_allowed: 1,
        grace_s: 10,
        points_per_question: 1,
        prediction: true,
        reveal: "after_close".into(),
        practice: false,
    }
}

async fn banks_ctx(state: &AppState) -> AppResult<Value> {
    let banks = state.read(list_bank_summaries).await?;
    Ok(json!(banks))
}

async fn contest_ctx(state: &AppState, user: &CurrentUser, slug: String, form: Option<Value>) -> AppResult<Value> {
    let contest = owned_contest(state, user, slug).await?;
    let cid = contest.id;
    let rounds = state.read(move |c| list_rounds(c, cid)).await?;
    let t = now();
    let rounds: Vec<Value> = rounds
        .iter()
        .map(|r| json!({ "id": r.id, "number": r.number, "title": r.title, "phase": r.phase(t), "opens": format_vn(r.opens_at), "closes": format_vn(r.closes_at), "practice": r.practice }))
        .collect();
    Ok(json!({
        "title": contest.title,
        "contest": { "slug": contest.slug, "title": contest.title, "description": contest.description, "rules": contest.rules, "audience": contest.audience, "show_names": contest.show_names },
        "rounds": rounds,
        "banks": banks_ctx(state).await?,
        "round_form": form.unwrap_or_else(|| round_form_values(&default_draft())),
    }))
}

/// `GET /admin/contests/{slug}`.
pub async fn contest_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let ctx = contest_ctx(&state, &user, slug.into_inner(), None).await?;
    render(&state, &req, StatusCode::OK, "admin/contest", ctx)
}

/// `POST /admin/contests/{slug}`: edit the contest.
pub async fn update_contest_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let form = parse_form(&body);
    csrf::verify(&state, &req, field(&form, "csrf"))?;
    let slug = slug.into_inner();
    let contest = owned_contest(&state, &user, slug.clone()).await?;
    let f = contest_fields(&form, &contest.slug);
    if let Err(e) = check_contest(&f.slug, &f.title, &f.audience) {
        let ctx = contest_ctx(&state, &user, slug, None).await?;
        return render(
            &state,
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            "admin/contest",
            with(ctx, json!({ "error": e.to_string() })),
        );
    }
    let (id, actor) = (contest.id, user.actor());
    state.write(move |c| update_contest(c, id, &f, &actor)).await?;
    let ctx = contest_ctx(&state, &user, slug, None).await?;
    render(&state, &req, StatusCode::OK, "admin/contest", with(ctx, json!({ "flash": "Đã lưu cuộc thi." })))
}

/// `POST /admin/contests/{slug}/rounds`: a new draft round.
pub async fn create_round_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let form = parse_form(&body);
    csrf::verify(&state, &req, field(&form, "csrf"))?;
    let slug = slug.into_inner();
    let contest = owned_contest(&state, &user, slug.clone()).await?;
    let checked = match draft_of(&form) {
        Ok(d) => check_round(&state, d).await,
        Err(m) => Err(AppError::Invalid(m)),
    };
    match checked {
        Ok(f) => {
            let (cid, actor) = (contest.id, user.actor());
            let r = state.write(move |c| insert_round(c, cid, &f, &actor)).await?;
            Ok(see_other(&format!("/admin/rounds/{}", r.id)))
        }
        Err(AppError::Invalid(m)) => {
            let values = draft_of(&form).map(|d| round_form_values(&d)).ok();
            let ctx = contest_ctx(&state, &user, slug, values).await?;
            render(&state, &req, StatusCode::UNPROCESSABLE_ENTITY, "admin/contest", with(ctx, json!({ "error": m })))
        }
        Err(e) => Err(e),
    }
}

async fn round_ctx(state: &AppState, user: &CurrentUser, id: i64, form: Option<Value>) -> AppResult<Value> {
    let (round, contest) = owned_round(state, user, id).await?;
    let rid = round.id;
    let started = state.read(move |c| round_has_attempts(c, rid)).await?;
    let live = live_json(state, &round).await?;
    let units: Vec<Value> = live["units"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|u| u["participants"].as_i64().unwrap_or(0) > 0 || u["parent_code"].is_null())
        .map(|mut u| {
            u["rate_pct"] = json!(format!("{:.1}%", u["rate"].as_f64().unwrap_or(0.0) * 100.0));
            u
        })
        .collect();
    let t = now();
    Ok(json!({
        "title": round.title,
        "round": {
            "id": round.id, "number": round.number, "title": round.title, "phase": round.phase(t),
            "opens": format_vn(round.opens_at), "closes": format_vn(round.closes_at),
            "published": round.status == "published", "closed": round.is_closed(t), "editable": !started,
            "blueprint": round.blueprint_rows(), "minutes": round.duration_s / 60,
        },
        "contest": { "slug": contest.slug, "title": contest.title },
        "live": { "started": live["started"], "in_progress": live["in_progress"], "submitted": live["submitted"] },
        "units": units,
        "banks": banks_ctx(state).await?,
        "round_form": form.unwrap_or_else(|| round_form_values(&RoundDraft::of(&round))),
    }))
}

/// `GET /admin/rounds/{id}`: live figures, actions, edit form.
pub async fn round_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let ctx = round_ctx(&state, &user, *id, None).await?;
    render(&state, &req, StatusCode::OK, "admin/round", ctx)
}

/// `POST /admin/rounds/{id}`: edit (only while nobody has started it).
pub async fn update_round_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let form = parse_form(&body);
    csrf::verify(&state, &req, field(&form, "csrf"))?;
    let (round, _) = owned_round(&state, &user, *id).await?;
    let rid = round.id;
    if state.read(move |c| round_has_attempts(c, rid)).await? {
        let ctx = round_ctx(&state, &user, rid, None).await?;
        return render(
            &state,
            &req,
            StatusCode::CONFLICT,
            "admin/round",
            with(ctx, json!({ "error": "Vòng thi đã có người làm bài: không thể sửa nữa." })),
        );
    }
    let checked = match draft_of(&form) {
        Ok(d) => check_round(&state, d).await,
        Err(m) => Err(AppError::Invalid(m)),
    };
    match checked {
        Ok(f) => {
            let actor = user.actor();
            state.write(move |c| update_round(c, rid, &f, &actor)).await?;
            let ctx = round_ctx(&state, &user, rid, None).await?;
            render(&state, &req, StatusCode::OK, "admin/round", with(ctx, json!({ "flash": "Đã lưu vòng thi." })))
        }
        Err(AppError::Invalid(m)) => {
            let values = draft_of(&form).map(|d| round_form_values(&d)).ok();
            let ctx = round_ctx(&state, &user, rid, values).await?;
            render(&state, &req, StatusCode::UNPROCESSABLE_ENTITY, "admin/round", with(ctx, json!({ "error": m })))
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/rounds/{id}/publish`.
pub async fn publish_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    csrf::verify(&state, &req, field(&parse_form(&body), "csrf"))?;
    let (round, _) = owned_round(&state, &user, *id).await?;
    let rid = round.id;
    if let Err(AppError::Invalid(m)) = check_round(&state, RoundDraft::of(&round)).await {
        let ctx = round_ctx(&state, &user, rid, None).await?;
        return render(&state, &req, StatusCode::UNPROCESSABLE_ENTITY, "admin/round", with(ctx, json!({ "error": m })));
    }
    let actor = user.actor();
    state.write(move |c| publish_round(c, rid, &actor)).await?;
    let ctx = round_ctx(&state, &user, rid, None).await?;
    render(&state, &req, StatusCode::OK, "admin/round", with(ctx, json!({ "flash": "Đã công bố vòng thi." })))
}

/// `POST /admin/rounds/{id}/close`: close now.
pub async fn close_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    csrf::verify(&state, &req, field(&parse_form(&body), "csrf"))?;
    let (round, _) = owned_round(&state, &user, *id).await?;
    let (rid, actor) = (round.id, user.actor());
    state.write(move |c| close_round(c, rid, now(), &actor)).await?;
    let ctx = round_ctx(&state, &user, rid, None).await?;
    render(&state, &req, StatusCode::OK, "admin/round", with(ctx, json!({ "flash": "Đã đóng vòng thi." })))
}

/// `GET /admin/questions`: the form to void a question or correct its key.
pub async fn questions_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let banks = banks_ctx(&state).await?;
    render(
        &state,
        &req,
        StatusCode::OK,
        "admin/questions",
        json!({ "title": "Sửa đáp án", "banks": banks, "question": Value::Null }),
    )
}

/// `POST /admin/questions`: look up, void or re-key a question.
pub async fn questions_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let form = parse_form(&body);
    csrf::verify(&state, &req, field(&form, "csrf"))?;
    let (bank, key) = (field(&form, "bank").trim().to_string(), field(&form, "key").trim().to_string());
    let banks = banks_ctx(&state).await?;
    let fail = |status: StatusCode, m: String, q: Value| {
        render(
            &state,
            &req,
            status,
            "admin/questions",
            json!({ "title": "Sửa đáp án", "banks": banks.clone(), "question": q, "error": m }),
        )
    };
    let (b, k) = (bank.clone(), key.clone());
    let Some(q) = state.read(move |c| find_latest_question(c, &b, &k)).await? else {
        return fail(
            StatusCode::NOT_FOUND,
            format!("Không có câu hỏi \"{key}\" trong ngân hàng \"{bank}\"."),
            Value::Null,
        );
    };
    let options: Vec<String> = serde_json::from_str(&q.options).unwrap_or_default();
    let answer: Vec<usize> = serde_json::from_str(&q.answer).unwrap_or_default();
    let shown = json!({
        "bank": bank, "key": q.key, "text": q.text, "voided": q.voided, "source": q.source,
        "options": options.iter().enumerate().map(|(i, o)| json!({ "letter": crate::domain::bank::letter(i).to_string(), "text": o, "right": answer.contains(&i) })).collect::<Vec<_>>(),
    });
    let action = field(&form, "action");
    let reason = crate::domain::text::nfc(field(&form, "reason").trim());
    if action == "show" {
        return render(
            &state,
            &req,
            StatusCode::OK,
            "admin/questions",
            json!({ "title": "Sửa đáp án", "banks": banks, "question": shown }),
        );
    }
    if reason.is_empty() {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, "Cần ghi lý do để lưu vào nhật ký.".into(), shown);
    }
    let actor = user.actor();
    let n = match action {
        "void" if q.voided => return fail(StatusCode::CONFLICT, "Câu hỏi này đã bị hủy trước đó.".into(), shown),
        "void" => state.write(move |c| void_question(c, &q, &reason, &actor)).await?,
        "rekey" => {
            let letters: Vec<usize> =
                field(&form, "answer").split([',', ' ']).filter(|s| !s.is_empty()).filter_map(letter_index).collect();
            let kind = Kind::parse(&q.kind).unwrap_or(Kind::Single);
            let valid = !letters.is_empty()
                && letters.iter().all(|&i| i < options.len())
                && (kind == Kind::Multiple || letters.len() == 1);
            if !valid {
                return fail(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Đáp án mới phải là chữ cái của phương án, ví dụ B (hoặc A, C cho câu nhiều lựa chọn).".into(),
                    shown,
                );
            }
            let mut letters = letters;
            letters.sort_unstable();
            letters.dedup();
            state.write(move |c| rekey_question(c, &q, &letters, &reason, &actor)).await?
        }
        _ => return Err(AppError::BadRequest("Thao tác không hợp lệ.".into())),
    };
    render(
        &state,
        &req,
        StatusCode::OK,
        "admin/questions",
        json!({ "title": "Sửa đáp án", "banks": banks, "question": Value::Null, "flash": format!("Đã lưu và chấm lại {n} bài thi.") }),
    )
}
