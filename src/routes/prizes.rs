//! Prize pages: the organizer's proposal with exclusions and publication,
//! and the published list for everyone.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde_json::{Value, json};

use super::with;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::domain::numbers::{duration, percent, thousands};
use crate::domain::prizes::{CollectiveRule, Exclusion, MAX_TIERS, PrizeAudience, PrizePlan, Tier, UnitStanding};
use crate::engine::prizes::{CollectiveView, PrizesView};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;

/// Rows of the tier form: the saved tiers and two empty ones.
fn tier_rows(tiers: &[Tier]) -> Vec<Value> {
    (0..(tiers.len() + 2).min(MAX_TIERS))
        .map(|i| {
            let t = tiers.get(i);
            let count = t.map(|t| t.count.to_string()).unwrap_or_default();
            tier_row(i + 1, t.map(|t| t.name.as_str()).unwrap_or(""), &count, t.map(|t| t.audience).unwrap_or_default())
        })
        .collect()
}

fn tier_row(i: usize, name: &str, count: &str, chosen: PrizeAudience) -> Value {
    let audiences = [PrizeAudience::All, PrizeAudience::Officials, PrizeAudience::Residents];
    json!({
        "i": i, "name": name, "count": count,
        "audiences": audiences.iter().map(|a| json!({"value": a.as_str(), "label": a.label(), "selected": *a == chosen})).collect::<Vec<_>>(),
    })
}

/// A refused form as it was typed: every tier row (one empty row more
/// where there is room), the collective rule, the kinds ticked and the
/// exclusion reasons written beside the winners.
async fn as_typed(state: &AppState, form: &CsrfForm, mut ctx: Value) -> AppResult<Value> {
    let field = |name: String| form.field(&name).to_string();
    let mut last = 0;
    for i in 1..=MAX_TIERS {
        if !field(format!("tier_name_{i}")).trim().is_empty() || !field(format!("tier_count_{i}")).trim().is_empty() {
            last = i;
        }
    }
    let rows: Vec<Value> = (1..=(last + 1).min(MAX_TIERS))
        .map(|i| {
            let audience = PrizeAudience::parse(form.field(&format!("tier_audience_{i}"))).unwrap_or_default();
            tier_row(i, &field(format!("tier_name_{i}")), &field(format!("tier_count_{i}")), audience)
        })
        .collect();
    let kinds: Vec<String> =
        form.values("kinds").iter().flat_map(|v| v.split(',')).map(|k| k.trim().to_string()).collect();
    ctx["tiers"] = json!(rows);
    ctx["min_rate"] = json!(form.field("min_rate"));
    ctx["unit_count"] = json!(form.field("unit_count"));
    ctx["kinds"] = json!(super::kind_choices(state, &kinds).await?);
    if let Some(winners) = ctx["winners"].as_array_mut() {
        for w in winners {
            let id = w["participant_id"].as_i64().unwrap_or_default();
            w["exclude_reason"] = json!(form.field(&format!("exclude_{id}")));
        }
    }
    Ok(ctx)
}

fn unit_rows(units: &[UnitStanding]) -> Vec<Value> {
    units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            json!({
                "place": i + 1, "name": u.name, "participants": thousands(u.participants), "base": thousands(u.base),
                "base_label": if u.base_kind == "population" { "dân số" } else { "cán bộ" },
                "rate": format!("{}%", percent(u.rate)), "avg": crate::domain::numbers::one_decimal(u.avg_score),
            })
        })
        .collect()
}

/// The collective lists for a page.
pub fn collective_ctx(c: &CollectiveView) -> Value {
    json!({ "rule": c.rule, "by_rate": unit_rows(&c.by_rate), "by_score": unit_rows(&c.by_score) })
}

fn winners_ctx(v: &PrizesView) -> Vec<Value> {
    v.winners
        .iter()
        .map(|w| {
            json!({
                "tier": w.tier, "rank": w.rank, "participant_id": w.participant_id, "name": w.name, "unit": w.unit,
                "audience": if w.official { "Cán bộ" } else { "Người dân" },
                "score": format!("{} / {}", w.score, w.max_score),
                "prediction_error": w.prediction_error.map(thousands),
                "duration": duration(w.duration_ms),
                "exclude_reason": "",
            })
        })
        .collect()
}

fn status_label(status: &str) -> &'static str {
    match status {
        "published" => "Đã công bố",
        "final" => "Kết quả chính thức, chưa công bố",
        _ => "Tạm thời (vòng thi chưa có kết quả chính thức)",
    }
}

async fn organizer_ctx(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Value> {
    let (round, contest) = state.owned_round(user, id).await?;
    let (view, plan) = state.prizes(user, id).await?;
    let flags = state.round_flags(user, id).await?;
    Ok(json!({
        "title": format!("Giải thưởng – {}", round.settings.title),
        "round": { "id": round.id, "title": round.settings.title },
        "contest": { "slug": contest.slug, "title": contest.title },
        "status": view.status, "status_label": status_label(view.status),
        "published": view.status == "published", "publishable": view.status != "provisional",
        "winners": winners_ctx(&view),
        "excluded": view.excluded,
        "flags": flags,
        "warnings": view.warnings,
        "tiers": tier_rows(&plan.tiers),
        "min_rate": crate::domain::numbers::decimal(plan.collective.min_rate * 100.0, 3),
        "unit_count": plan.collective.count,
        "kinds": super::kind_choices(state, &plan.collective.kinds).await?,
        "collective": collective_ctx(&view.collective),
    }))
}

/// `GET /admin/rounds/{id}/prizes`.
pub async fn organizer_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let ctx = organizer_ctx(&state, &user, *id).await?;
    render(&state, &req, StatusCode::OK, "admin/prizes", ctx)
}

/// The plan a prize form sets: tier rows, the collective rule, exclusions
/// kept (`keep_{id}` ticked, with `reason_{id}`) and new ones
/// (`exclude_{id}` holding a reason).
pub fn plan_of_form(form: &CsrfForm) -> Result<PrizePlan, String> {
    let mut tiers = Vec::new();
    for i in 1..=MAX_TIERS {
        let name = form.field(&format!("tier_name_{i}")).trim();
        let count = form.field(&format!("tier_count_{i}")).trim();
        if name.is_empty() && count.is_empty() {
            continue;
        }
        let count: u32 =
            count.parse().map_err(|_| format!("Loại giải dòng {i}: số giải phải là số nguyên không âm."))?;
        let audience = PrizeAudience::parse(form.field(&format!("tier_audience_{i}")))
            .ok_or_else(|| format!("Loại giải dòng {i}: đối tượng không hợp lệ."))?;
        tiers.push(Tier { name: name.to_string(), count, audience });
    }
    let min_rate: f64 = match form.field("min_rate").trim().replace(',', ".") {
        v if v.is_empty() => 0.0,
        v => v
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or("Tỷ lệ tham gia tối thiểu phải là một số (phần trăm).")?,
    };
    let count: u32 = match form.field("unit_count").trim() {
        "" => 0,
        v => v.parse().map_err(|_| "Số đơn vị đoạt giải tập thể phải là số nguyên không âm.".to_string())?,
    };
    let kinds = form
        .values("kinds")
        .iter()
        .flat_map(|v| v.split(','))
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .collect();
    let mut exclusions = Vec::new();
    for name in form.names() {
        let (id, keep) = match (name.strip_prefix("exclude_"), name.strip_prefix("keep_")) {
            (Some(id), _) => (id, false),
            (_, Some(id)) => (id, true),
            _ => continue,
        };
        let Ok(participant_id) = id.parse::<i64>() else { continue };
        let reason = if keep { form.field(&format!("reason_{id}")) } else { form.field(name) };
        if (keep && form.checked(name)) || (!keep && !reason.trim().is_empty()) {
            exclusions.push(Exclusion { participant_id, reason: reason.to_string() });
        }
    }
    Ok(PrizePlan { tiers, exclusions, collective: CollectiveRule { min_rate: min_rate / 100.0, count, kinds } })
}

/// `POST /admin/rounds/{id}/prizes`: `action` is `save`, `publish` or `withdraw`.
pub async fn organizer_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    state.owned_round(&user, *id).await?;
    let publish = form.field("action") == "publish";
    let outcome = match plan_of_form(&form) {
        Ok(plan) => state.set_prizes(&user, *id, plan, publish).await.map(|_| ()),
        Err(m) => Err(AppError::Invalid(m)),
    };
    let ctx = organizer_ctx(&state, &user, *id).await?;
    match outcome {
        Ok(()) => {
            let flash = match form.field("action") {
                "publish" => "Đã công bố danh sách đoạt giải.",
                "withdraw" => "Đã rút danh sách đã công bố; đề xuất được lưu lại.",
                _ => "Đã lưu cơ cấu giải.",
            };
            render(&state, &req, StatusCode::OK, "admin/prizes", with(ctx, json!({ "flash": flash })))
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = actix_web::ResponseError::status_code(&e);
            let ctx = as_typed(&state, &form, ctx).await?;
            render(&state, &req, status, "admin/prizes", with(ctx, json!({ "error": e.to_string() })))
        }
        Err(e) => Err(e),
    }
}

/// `GET /rounds/{id}/prizes`: the published list (names as boards show them).
pub async fn public_page(state: web::Data<AppState>, req: HttpRequest, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let (view, round, contest, at) = state.published_prizes(*id).await?;
    let ctx = json!({
        "title": format!("Kết quả – {}", round.settings.title),
        "round": { "id": round.id, "title": round.settings.title },
        "contest": { "slug": contest.slug, "title": contest.title },
        "published_at": crate::domain::time::format_vn(at),
        "winners": winners_ctx(&view),
        "collective": collective_ctx(&view.collective),
    });
    render(&state, &req, StatusCode::OK, "prizes", ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prize_form_reads_tiers_rules_and_exclusions() {
        let form = CsrfForm::from_pairs(&[
            ("tier_name_1", "Giải Nhất"),
            ("tier_count_1", "1"),
            ("tier_audience_1", "residents"),
            ("tier_name_2", ""),
            ("tier_count_2", ""),
            ("min_rate", "12,5"),
            ("unit_count", "3"),
            ("kinds", "xa, phuong"),
            ("exclude_7", "Trùng người"),
            ("exclude_8", ""),
            ("keep_9", "on"),
            ("reason_9", "Gian lận"),
            ("reason_10", "Không giữ"),
        ]);
        let p = plan_of_form(&form).unwrap();
        assert_eq!(p.tiers, [Tier { name: "Giải Nhất".into(), count: 1, audience: PrizeAudience::Residents }]);
        assert!((p.collective.min_rate - 0.125).abs() < 1e-12);
        assert_eq!(p.collective.kinds, ["xa", "phuong"]);
        let ids: Vec<i64> = p.exclusions.iter().map(|e| e.participant_id).collect();
        assert_eq!(ids, [7, 9]);
        let bad = CsrfForm::from_pairs(&[("tier_name_1", "Nhất"), ("tier_count_1", "một")]);
        assert!(plan_of_form(&bad).unwrap_err().contains("số nguyên"));
    }
}
