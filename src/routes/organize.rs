//! Organizer pages: contests, rounds (blueprint, timing, publish, close),
//! live participation.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde_json::{Value, json};

use super::{see_other, with};
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::Staff;
use crate::db::rounds::Round;
use crate::domain::bank::Difficulty;
use crate::domain::contest::{Audience, ContestSettings};
use crate::domain::paper::BlueprintRow;
use crate::domain::resident::RegistrationRules;
use crate::domain::round::RoundDraft;
use crate::domain::time::{format_vn, parse_vn_local, to_vn_local};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;

/// Most blueprint rows a round may have (the form shows what it needs).
const MAX_ROWS: usize = 20;

async fn contests_ctx(state: &AppState, user: &CurrentUser, typed: Option<&CsrfForm>) -> AppResult<Value> {
    let mine: Vec<Value> = state
        .contests_managed_by(user)
        .await?
        .iter()
        .map(|c| json!({ "slug": c.slug, "title": c.title, "audience": c.audience.label(), "created": format_vn(c.created_at) }))
        .collect();
    let form = match typed {
        Some(f) => contest_form_values(f),
        None => {
            json!({ "slug": "", "title": "", "description": "", "rules": "", "audience": Audience::Officials.as_str(),
                        "show_names": false, "requires_id_number": false, "min_age": "" })
        }
    };
    let chosen = typed.map(chosen_kinds).unwrap_or_default();
    Ok(
        json!({ "title": "Cuộc thi", "contests": mine, "form": form, "kinds": super::kind_choices(state, &chosen).await? }),
    )
}

/// The unit kinds a contest form ticks (or, from older forms and scripts,
/// writes with commas).
fn chosen_kinds(form: &CsrfForm) -> Vec<String> {
    form.values("unit_kinds")
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect()
}

/// A contest form as it was typed, to show again after a refusal.
fn contest_form_values(form: &CsrfForm) -> Value {
    json!({
        "slug": form.field("slug"), "title": form.field("title"), "description": form.field("description"),
        "rules": form.field("rules"), "audience": form.field("audience"), "show_names": form.checked("show_names"),
        "requires_id_number": form.checked("requires_id_number"), "min_age": form.field("min_age"),
    })
}

fn contest_settings(form: &CsrfForm, slug: &str) -> Result<ContestSettings, String> {
    let mut s = ContestSettings::parse(
        slug,
        form.field("title"),
        form.field("description"),
        form.field("rules"),
        form.field("audience"),
        form.checked("show_names"),
    )?;
    s.registration = RegistrationRules::parse(
        form.checked("requires_id_number"),
        form.field("min_age"),
        &chosen_kinds(form).join(","),
    )?;
    Ok(s)
}

/// `GET /admin/contests`.
pub async fn contests_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    Staff(user): Staff,
) -> AppResult<HttpResponse> {
    let ctx = contests_ctx(&state, &user, None).await?;
    render(&state, &req, StatusCode::OK, "admin/contests", ctx)
}

/// `POST /admin/contests`.
pub async fn create_contest(
    state: web::Data<AppState>,
    req: HttpRequest,
    Staff(user): Staff,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let result = match contest_settings(&form, form.field("slug")) {
        Ok(s) => state.create_contest(&user, s).await,
        Err(m) => Err(AppError::Invalid(m)),
    };
    match result {
        Ok(c) => Ok(see_other(&format!("/admin/contests/{}", c.slug))),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let ctx = contests_ctx(&state, &user, Some(&form)).await?;
            let status = actix_web::ResponseError::status_code(&e);
            render(&state, &req, status, "admin/contests", with(ctx, json!({ "error": e.to_string() })))
        }
        Err(e) => Err(e),
    }
}

fn blueprint_rows_of(form: &CsrfForm) -> Result<Vec<BlueprintRow>, String> {
    let mut rows = Vec::new();
    for i in 1..=MAX_ROWS + 1 {
        let count = form.field(&format!("count_{i}")).trim();
        let bank = form.field(&format!("bank_{i}")).trim();
        if count.is_empty() || count == "0" || bank.is_empty() {
            continue;
        }
        if i > MAX_ROWS {
            return Err(format!("Cơ cấu đề có tối đa {MAX_ROWS} dòng."));
        }
        let count: u32 =
            count.parse().map_err(|_| format!("Dòng {i} của cơ cấu đề: số câu phải là số nguyên dương."))?;
        let difficulty = match form.field(&format!("difficulty_{i}")) {
            "" => None,
            d => Some(Difficulty::parse(d).ok_or_else(|| format!("Dòng {i}: mức độ không hợp lệ."))?),
        };
        rows.push(BlueprintRow { bank: bank.to_string(), difficulty, count });
    }
    Ok(rows)
}

fn draft_of(form: &CsrfForm) -> Result<RoundDraft, String> {
    let time = |name: &str, label: &str| {
        parse_vn_local(form.field(name)).ok_or_else(|| format!("{label}: hãy nhập ngày giờ (giờ Việt Nam)."))
    };
    let int = |name: &str, label: &str| -> Result<i32, String> {
        let v = form.field(name).trim();
        if v.is_empty() {
            return Ok(0);
        }
        v.parse::<i32>().map_err(|_| format!("{label} phải là số nguyên."))
    };
    let minutes = int("duration_min", "Thời gian làm bài (phút)")?;
    let seconds = int("duration_sec", "Thời gian làm bài (giây)")?;
    if !(0..60).contains(&seconds) {
        return Err("Số giây của thời gian làm bài phải từ 0 đến 59.".into());
    }
    Ok(RoundDraft {
        title: form.field("title").to_string(),
        opens_at: time("opens_at", "Thời điểm bắt đầu")?,
        closes_at: time("closes_at", "Thời điểm kết thúc")?,
        duration_s: minutes.saturating_mul(60).saturating_add(seconds),
        blueprint: blueprint_rows_of(form)?,
        attempts_allowed: int("attempts_allowed", "Số lượt thi")?,
        grace_s: int("grace_s", "Thời gian gia hạn")?,
        points_per_question: int("points_per_question", "Điểm mỗi câu")?,
        prediction: form.checked("prediction"),
        reveal: form.field("reveal").to_string(),
        practice: form.checked("practice"),
    })
}

fn round_form_values(d: &RoundDraft) -> Value {
    let mut rows: Vec<Value> = d
        .blueprint
        .iter()
        .map(|r| json!({ "bank": r.bank, "difficulty": r.difficulty.map(|x| x.as_str()).unwrap_or(""), "count": r.count }))
        .collect();
    let shown = (rows.len() + 2).clamp(4, MAX_ROWS);
    while rows.len() < shown {
        rows.push(json!({ "bank": "", "difficulty": "", "count": "" }));
    }
    let rows: Vec<Value> = rows.into_iter().enumerate().map(|(i, r)| with(r, json!({ "n": i + 1 }))).collect();
    json!({
        "title": d.title, "opens_at": to_vn_local(d.opens_at), "closes_at": to_vn_local(d.closes_at),
        "duration_min": d.duration_s / 60, "duration_sec": d.duration_s % 60,
        "attempts_allowed": d.attempts_allowed, "grace_s": d.grace_s,
        "points_per_question": d.points_per_question, "prediction": d.prediction, "reveal": d.reveal,
        "practice": d.practice, "rows": rows,
    })
}

/// The round form as it was typed, field by field, to show again after a
/// refusal (a time or number that does not parse stays as typed too).
fn round_form_typed(form: &CsrfForm) -> Value {
    let mut rows: Vec<Value> = (1..=MAX_ROWS)
        .map(|i| {
            let f = |name: &str| form.field(&format!("{name}_{i}")).to_string();
            json!({ "bank": f("bank"), "difficulty": f("difficulty"), "count": f("count") })
        })
        .collect();
    let used = rows.iter().rposition(|r| r["bank"] != "" || r["count"] != "").map_or(0, |p| p + 1);
    rows.truncate((used + 2).clamp(4, MAX_ROWS));
    let rows: Vec<Value> = rows.into_iter().enumerate().map(|(i, r)| with(r, json!({ "n": i + 1 }))).collect();
    let field = |name: &str| form.field(name).to_string();
    json!({
        "title": field("title"), "opens_at": field("opens_at"), "closes_at": field("closes_at"),
        "duration_min": field("duration_min"), "duration_sec": field("duration_sec"),
        "attempts_allowed": field("attempts_allowed"), "grace_s": field("grace_s"),
        "points_per_question": field("points_per_question"), "prediction": form.checked("prediction"),
        "reveal": field("reveal"), "practice": form.checked("practice"), "rows": rows,
    })
}

fn default_draft(t: chrono::NaiveDateTime) -> RoundDraft {
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
        reveal: crate::domain::round::RevealPolicy::AfterClose.as_str().into(),
        practice: false,
    }
}

async fn contest_ctx(state: &AppState, user: &CurrentUser, slug: &str, form: Option<Value>) -> AppResult<Value> {
    let contest = state.owned_contest(user, slug).await?;
    let t = state.now();
    let rounds: Vec<Value> = state
        .visible_rounds(Some(user), &contest)
        .await?
        .iter()
        .map(|r| json!({ "id": r.id, "number": r.number, "title": r.settings.title, "phase": r.phase(t).label(), "opens": format_vn(r.settings.opens_at), "closes": format_vn(r.settings.closes_at), "practice": r.settings.practice }))
        .collect();
    let rules = contest.registration.rules();
    let kinds = super::kind_choices(state, &rules.unit_kinds).await?;
    Ok(json!({
        "kinds": kinds,
        "title": contest.title,
        "contest": { "slug": contest.slug, "title": contest.title, "description": contest.description, "rules": contest.rules, "audience": contest.audience.as_str(), "show_names": contest.show_names,
                     "requires_id_number": rules.requires_id_number, "min_age": rules.min_age, "unit_kinds": rules.kinds_stored(),
                     "for_residents": contest.audience.admits_public(), "purged": contest.purged_at.map(format_vn) },
        "rounds": rounds,
        "banks": state.bank_summaries().await?,
        "round_form": form.unwrap_or_else(|| round_form_values(&default_draft(t))),
    }))
}

/// `GET /admin/contests/{slug}`.
pub async fn contest_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let ctx = contest_ctx(&state, &user, &slug, None).await?;
    render(&state, &req, StatusCode::OK, "admin/contest", ctx)
}

/// `POST /admin/contests/{slug}`: edit the contest.
pub async fn update_contest_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let contest = state.owned_contest(&user, &slug).await?;
    let outcome = match contest_settings(&form, &contest.slug) {
        Ok(s) => state.update_contest(&user, &slug, s).await.map(|_| ()),
        Err(m) => Err(AppError::Invalid(m)),
    };
    let ctx = contest_ctx(&state, &user, &slug, None).await?;
    match outcome {
        Ok(()) => {
            render(&state, &req, StatusCode::OK, "admin/contest", with(ctx, json!({ "flash": "Đã lưu cuộc thi." })))
        }
        Err(AppError::Invalid(m)) => {
            // The form again as typed, open, with the reason.
            let typed = with(ctx["contest"].clone(), contest_form_values(&form));
            let kinds = super::kind_choices(&state, &chosen_kinds(&form)).await?;
            let back = json!({ "contest_error": m, "contest": typed, "kinds": kinds });
            render(&state, &req, StatusCode::UNPROCESSABLE_ENTITY, "admin/contest", with(ctx, back))
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/contests/{slug}/purge`: clears residents' personal data once
/// every round is over (the page asks first).
pub async fn purge_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
    _form: CsrfForm,
) -> AppResult<HttpResponse> {
    let contest = state.owned_contest(&user, &slug).await?;
    let outcome = state.purge_personal_data(&user, &contest).await;
    let ctx = contest_ctx(&state, &user, &slug, None).await?;
    match outcome {
        Ok(n) => {
            let flash =
                format!("Đã xóa dữ liệu cá nhân của {n} người dự thi; điểm, đơn vị và tên viết tắt được giữ lại.");
            render(&state, &req, StatusCode::OK, "admin/contest", with(ctx, json!({ "flash": flash })))
        }
        Err(AppError::Conflict(m)) => {
            render(&state, &req, StatusCode::CONFLICT, "admin/contest", with(ctx, json!({ "error": m })))
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/contests/{slug}/rounds`: a new draft round.
pub async fn create_round_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    slug: web::Path<String>,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    state.owned_contest(&user, &slug).await?;
    let created = match draft_of(&form) {
        Ok(d) => state.create_round(&user, &slug, d).await,
        Err(m) => Err(AppError::Invalid(m)),
    };
    match created {
        Ok((r, _)) => Ok(see_other(&format!("/admin/rounds/{}", r.id))),
        Err(AppError::Invalid(m)) => {
            let ctx = contest_ctx(&state, &user, &slug, Some(round_form_typed(&form))).await?;
            render(&state, &req, StatusCode::UNPROCESSABLE_ENTITY, "admin/contest", with(ctx, json!({ "error": m })))
        }
        Err(e) => Err(e),
    }
}

async fn round_ctx(state: &AppState, user: &CurrentUser, id: i64, form: Option<Value>) -> AppResult<(Round, Value)> {
    let (round, contest) = state.owned_round(user, id).await?;
    let started = state.round_started(round.id).await?;
    let live = state.live(&round).await?;
    let units: Vec<Value> = live
        .units
        .iter()
        .filter(|u| u.participants > 0 || u.parent_code.is_none())
        .map(|u| with(json!(u), json!({ "rate_pct": format!("{}%", crate::domain::numbers::percent(u.rate)), "avg_text": crate::domain::numbers::decimal(u.avg_score, 2) })))
        .collect();
    let t = state.now();
    let s = &round.settings;
    let ctx = json!({
        "title": s.title,
        "round": {
            "id": round.id, "number": round.number, "title": s.title, "phase": round.phase(t).label(),
            "opens": format_vn(s.opens_at), "closes": format_vn(s.closes_at),
            "published": round.is_published(), "closed": round.is_closed(t), "editable": !started,
            "blueprint": s.blueprint.rows(), "minutes": s.duration_s / 60, "reveal": s.reveal.label(),
        },
        "contest": { "slug": contest.slug, "title": contest.title },
        "live": { "started": live.started, "working": live.in_progress, "submitted": live.submitted },
        "units": units,
        "banks": state.bank_summaries().await?,
        "round_form": form.unwrap_or_else(|| round_form_values(&s.to_draft())),
    });
    Ok((round, ctx))
}

/// `GET /admin/rounds/{id}`: live figures, actions, edit form.
pub async fn round_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (_, ctx) = round_ctx(&state, &user, *id, None).await?;
    render(&state, &req, StatusCode::OK, "admin/round", ctx)
}

/// `POST /admin/rounds/{id}`: edit (only while nobody has started it).
pub async fn update_round_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    state.owned_round(&user, *id).await?;
    let outcome = match draft_of(&form) {
        Ok(d) => state.update_round(&user, *id, d).await.map(|_| ()),
        Err(m) => Err(AppError::Invalid(m)),
    };
    match outcome {
        Ok(()) => {
            let (_, ctx) = round_ctx(&state, &user, *id, None).await?;
            render(&state, &req, StatusCode::OK, "admin/round", with(ctx, json!({ "flash": "Đã lưu vòng thi." })))
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let (_, ctx) = round_ctx(&state, &user, *id, Some(round_form_typed(&form))).await?;
            let status = actix_web::ResponseError::status_code(&e);
            render(&state, &req, status, "admin/round", with(ctx, json!({ "error": e.to_string() })))
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/rounds/{id}/publish`: publishes, and shows the warnings.
pub async fn publish_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    _form: CsrfForm,
) -> AppResult<HttpResponse> {
    state.owned_round(&user, *id).await?;
    match state.publish(&user, *id).await {
        Ok((_, _, warnings)) => {
            let (_, ctx) = round_ctx(&state, &user, *id, None).await?;
            render(
                &state,
                &req,
                StatusCode::OK,
                "admin/round",
                with(ctx, json!({ "flash": "Đã công bố vòng thi.", "warnings": warnings })),
            )
        }
        Err(AppError::Invalid(m)) => {
            let (_, ctx) = round_ctx(&state, &user, *id, None).await?;
            render(&state, &req, StatusCode::UNPROCESSABLE_ENTITY, "admin/round", with(ctx, json!({ "error": m })))
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/rounds/{id}/close`: close now.
pub async fn close_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    _form: CsrfForm,
) -> AppResult<HttpResponse> {
    state.close(&user, *id).await?;
    let (_, ctx) = round_ctx(&state, &user, *id, None).await?;
    render(&state, &req, StatusCode::OK, "admin/round", with(ctx, json!({ "flash": "Đã đóng vòng thi." })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_round_form_keeps_every_row_and_seconds() {
        let mut pairs: Vec<(String, String)> = vec![
            ("title".into(), "Tuần 1".into()),
            ("opens_at".into(), "2026-12-01T08:00".into()),
            ("closes_at".into(), "2026-12-08T08:00".into()),
            ("duration_min".into(), "1".into()),
            ("duration_sec".into(), "30".into()),
            ("attempts_allowed".into(), "1".into()),
            ("grace_s".into(), "10".into()),
            ("points_per_question".into(), "1".into()),
            ("reveal".into(), "after_close".into()),
        ];
        for i in 1..=8 {
            pairs.push((format!("bank_{i}"), format!("b{i}")));
            pairs.push((format!("count_{i}"), "1".into()));
        }
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let d = draft_of(&CsrfForm::from_pairs(&refs)).unwrap();
        assert_eq!(d.blueprint.len(), 8, "more than six rows are kept");
        assert_eq!(d.duration_s, 90, "durations to the second");
        let values = round_form_values(&d);
        assert_eq!(values["duration_sec"], 30);
        assert_eq!(values["rows"].as_array().unwrap().len(), 10, "every row shown, and two empty ones");
    }
}
