//! The handlebars registry (strict mode, HTML escaping everywhere) and the
//! one way pages are rendered.

use actix_web::{HttpRequest, HttpResponse};
use handlebars::Handlebars;
use serde_json::{Value, json};

use crate::assets::Templates;
use crate::auth::{CurrentUser, csrf};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Builds the registry from the embedded templates. A broken template is a
/// start-up error, not a runtime surprise.
pub fn registry() -> anyhow::Result<Handlebars<'static>> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.set_dev_mode(false);
    for name in Templates::iter() {
        let file = Templates::get(&name).ok_or_else(|| anyhow::anyhow!("template {name} vanished"))?;
        let text = std::str::from_utf8(&file.data)?;
        let stem = name.trim_end_matches(".hbs");
        if let Some(partial) = stem.strip_prefix("partials/") {
            hb.register_partial(partial, text)?;
        } else {
            hb.register_template_string(stem, text).map_err(|e| anyhow::anyhow!("template {name}: {e}"))?;
        }
    }
    hb.register_helper("eq", Box::new(eq_helper));
    Ok(hb)
}

handlebars::handlebars_helper!(eq_helper: |a: Value, b: Value| a == b);

/// Renders `template` inside the layout with `ctx`, adding what every page
/// needs: the CSRF token (setting its cookie when new), the user, the title.
pub fn render(
    state: &AppState,
    req: &HttpRequest,
    status: actix_web::http::StatusCode,
    template: &str,
    ctx: Value,
) -> AppResult<HttpResponse> {
    let (token, new_cookie) = csrf::token(state, req);
    let me: Option<CurrentUser> = {
        use actix_web::HttpMessage;
        req.extensions().get::<Option<CurrentUser>>().cloned().flatten()
    };
    let mut data = json!({
        "csrf": token,
        "me": me.as_ref().map(|u| json!({
            "username": u.username,
            "full_name": u.full_name,
            "role": u.role.as_str(),
            "role_label": u.role.label(),
            "is_admin": u.role == crate::domain::people::Role::Admin,
            "is_staff": matches!(u.role, crate::domain::people::Role::Admin | crate::domain::people::Role::Organizer),
            "is_unit_manager": u.role == crate::domain::people::Role::UnitManager,
        })),
        "title": "",
        "flash": Value::Null,
        "error": Value::Null,
    });
    if let (Value::Object(base), Value::Object(extra)) = (&mut data, ctx) {
        base.extend(extra);
    }
    let html = state
        .templates
        .render(template, &data)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("render {template}: {e}")))?;
    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8");
    res.insert_header(("Cache-Control", "no-store"));
    if let Some(c) = new_cookie {
        res.cookie(c);
    }
    Ok(res.body(html))
}

/// Renders with 200 OK.
pub fn page(state: &AppState, req: &HttpRequest, template: &str, ctx: Value) -> AppResult<HttpResponse> {
    render(state, req, actix_web::http::StatusCode::OK, template, ctx)
}
