//! Residents' pages: a contest's join page at `/c/{slug}`, registration in
//! two steps by GET without JavaScript (a group, then its units, so no page
//! carries the whole unit list), continuing on another device, and the
//! privacy notice. They work without JavaScript.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{client_ip, see_other};
use crate::auth::csrf::CsrfForm;
use crate::auth::participant::{MaybeEntrant, device_entries, participant_cookie};
use crate::db::contests::Contest;
use crate::db::units::Unit;
use crate::domain::people::mask_name;
use crate::domain::resident::RegistrationForm;
use crate::engine::access::Entrant;
use crate::engine::residents::RegisterError;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;

/// Up to this many units, registration shows them in one list.
const ONE_LIST: usize = 60;

/// `?group=` of the registration page.
#[derive(Deserialize)]
pub struct GroupQuery {
    group: Option<i64>,
}

async fn join_ctx(
    state: &AppState,
    contest: &Contest,
    who: Option<&Entrant>,
    new_code: Option<&str>,
    phone: &str,
) -> AppResult<Value> {
    let may_enter = who.is_some_and(|w| w.may_enter(contest));
    let visible = state.visible_rounds(who.and_then(Entrant::account), contest).await?;
    let rounds = super::round_cards(state, &visible, who, may_enter).await?;
    let entry = match who.and_then(|w| w.resident_in(contest.id)) {
        Some(p) => {
            let unit = match p.unit_id {
                Some(u) => state.unit_names().await?.get(&u).cloned().unwrap_or_default(),
                None => String::new(),
            };
            json!({ "name": mask_name(&p.full_name), "unit": unit })
        }
        None if who.and_then(Entrant::account).is_some() => {
            json!({ "name": who.and_then(Entrant::account).map(|u| u.full_name.clone()), "unit": "" })
        }
        None => Value::Null,
    };
    Ok(json!({
        "title": contest.title,
        "contest": { "slug": contest.slug, "title": contest.title, "description": contest.description },
        "rounds": rounds, "entry": entry, "new_code": new_code, "phone": phone,
        "for_residents": contest.audience.admits_public(), "for_officials": contest.audience.admits_officials(),
        "og": super::open_graph(state, contest),
    }))
}

/// `GET /c/{slug}`: the join page a shared link or a poster's QR code opens.
pub async fn join_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: MaybeEntrant,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let contest = state.contest(&slug).await?;
    let ctx = join_ctx(&state, &contest, who.0.as_ref(), None, "").await?;
    render(&state, &req, StatusCode::OK, "join", ctx)
}

/// Groups for step 1: the parents of the units a resident may choose.
fn groups(units: &[Unit], names: &std::collections::HashMap<i64, String>) -> Vec<Value> {
    let mut by: BTreeMap<String, (i64, usize)> = BTreeMap::new();
    for u in units {
        let id = u.parent_id.unwrap_or(0);
        let name = u.parent_id.and_then(|p| names.get(&p).cloned()).unwrap_or_else(|| "Cấp tỉnh".into());
        by.entry(name).or_insert((id, 0)).1 += 1;
    }
    by.into_iter().map(|(name, (id, count))| json!({ "id": id, "name": name, "count": count })).collect()
}

async fn register_ctx(
    state: &AppState,
    contest: &Contest,
    group: Option<i64>,
    form: &RegistrationForm,
    errors: Value,
) -> AppResult<Value> {
    let units = state.units_for_residents(contest).await?;
    let names = state.unit_names().await?;
    let one_list = units.len() <= ONE_LIST;
    let (groups, shown): (Vec<Value>, Vec<&Unit>) = match (one_list, group) {
        (true, _) => (vec![], units.iter().collect()),
        (false, None) => (groups(&units, &names), vec![]),
        (false, Some(g)) => (vec![], units.iter().filter(|u| u.parent_id.unwrap_or(0) == g).collect()),
    };
    let group_name = match group {
        Some(0) => Some("Cấp tỉnh".to_string()),
        Some(g) if !one_list => names.get(&g).cloned(),
        _ => None,
    };
    let options: Vec<Value> = shown
        .iter()
        .map(|u| json!({ "code": u.code, "name": u.name, "selected": u.code == form.unit_code.trim() }))
        .collect();
    Ok(json!({
        "title": format!("Đăng ký dự thi – {}", contest.title),
        "contest": { "slug": contest.slug, "title": contest.title },
        "groups": groups, "units": options, "group": group_name, "group_id": group.filter(|_| !one_list),
        "requires_id": contest.registration.rules().requires_id_number,
        "form": { "full_name": form.full_name, "birth_year": form.birth_year, "phone": form.phone,
                  "id_number": form.id_number, "consent": form.consent },
        "errors": errors,
    }))
}

fn residents_only(contest: &Contest) -> AppResult<()> {
    if contest.audience.admits_public() {
        Ok(())
    } else {
        Err(AppError::NotFound("Cuộc thi này không dành cho người dân đăng ký dự thi.".into()))
    }
}

/// `GET /c/{slug}/register[?group=]`: step 1 (a group) or step 2 (the form).
pub async fn register_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    q: web::Query<GroupQuery>,
) -> AppResult<HttpResponse> {
    let contest = state.contest(&slug).await?;
    residents_only(&contest)?;
    let ctx = register_ctx(&state, &contest, q.group, &RegistrationForm::default(), Value::Null).await?;
    render(&state, &req, StatusCode::OK, "register", ctx)
}

/// `POST /c/{slug}/register`: registers, sets the participant cookie and
/// shows the code once.
pub async fn register_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    q: web::Query<GroupQuery>,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let contest = state.contest(&slug).await?;
    residents_only(&contest)?;
    let entered = RegistrationForm {
        full_name: form.field("full_name").into(),
        birth_year: form.field("birth_year").into(),
        phone: form.field("phone").into(),
        unit_code: form.field("unit_code").into(),
        id_number: form.field("id_number").into(),
        consent: form.checked("consent"),
    };
    let ip = client_ip(&req, &state.settings.trusted_proxies);
    match state.register(&contest, &entered, device_entries(&state, &req), &ip).await {
        Ok(done) => {
            let lifetime = state.entry_lifetime(&contest).await?;
            let who = Entrant::Resident(vec![done.participant.clone()]);
            let ctx = join_ctx(&state, &contest, Some(&who), Some(&done.code), "").await?;
            let mut res = render(&state, &req, StatusCode::CREATED, "join", ctx)?;
            res.add_cookie(&participant_cookie(&state, &done.device, lifetime))
                .map_err(|e| AppError::Unexpected(e.into()))?;
            Ok(res)
        }
        Err(RegisterError::Fields(errors)) => {
            let ctx = register_ctx(&state, &contest, q.group, &entered, json!(errors)).await?;
            render(&state, &req, StatusCode::UNPROCESSABLE_ENTITY, "register", ctx)
        }
        Err(RegisterError::Other(e)) => {
            let status = actix_web::ResponseError::status_code(&e);
            let ctx = register_ctx(&state, &contest, q.group, &entered, json!([{ "message": e.to_string() }])).await?;
            render(&state, &req, status, "register", ctx)
        }
    }
}

/// `POST /c/{slug}/continue`: phone + participant code on another device.
pub async fn continue_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    form: CsrfForm,
) -> AppResult<HttpResponse> {
    let contest = state.contest(&slug).await?;
    let ip = client_ip(&req, &state.settings.trusted_proxies);
    match state.continue_entry(&contest, form.field("phone"), form.field("code"), &ip).await {
        Ok(p) => {
            let device = device_entries(&state, &req)
                .unwrap_or_else(crate::auth::participant::DeviceEntries::new_device)
                .with(p.id);
            let lifetime = state.entry_lifetime(&contest).await?;
            let mut res = see_other(&format!("/c/{}", contest.slug));
            res.add_cookie(&participant_cookie(&state, &device, lifetime))
                .map_err(|e| AppError::Unexpected(e.into()))?;
            Ok(res)
        }
        Err(e) => {
            let status = actix_web::ResponseError::status_code(&e);
            let mut ctx = join_ctx(&state, &contest, None, None, form.field("phone")).await?;
            ctx["error"] = json!(e.to_string());
            let mut res = render(&state, &req, status, "join", ctx)?;
            if let AppError::TooManyRequests(_, s) = e {
                res.headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, actix_web::http::header::HeaderValue::from(s));
            }
            Ok(res)
        }
    }
}

/// `GET /c/{slug}/privacy`: what is collected, why, how it is protected and
/// the rules in force.
pub async fn privacy_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let contest = state.contest(&slug).await?;
    let ctx = json!({
        "title": "Xử lý dữ liệu cá nhân",
        "contest": { "slug": contest.slug, "title": contest.title },
        "requires_id": contest.registration.rules().requires_id_number,
    });
    render(&state, &req, StatusCode::OK, "privacy", ctx)
}
