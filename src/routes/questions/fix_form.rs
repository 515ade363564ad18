//! The void / re-key form that the three correcting pages share: reading
//! it, the preview (a dry run: how many attempts change and how the top of
//! each board moves) with its confirmation, and what was done.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode};
use serde_json::{Value, json};

use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::domain::bank::letter;
use crate::domain::correction::letters;
use crate::engine::fixes::{Asked, BoardTop, FixReport, Request, TopEntry, explanation_of};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::render;

/// Where a correction applies.
pub enum Scope {
    /// Every contest (the bank's owner).
    Everywhere,
    /// One contest, by slug.
    Contest(String),
}

/// The letters a form gives: boxes ticked, or typed as "B" or "A, C".
fn letters_of(form: &CsrfForm) -> Vec<String> {
    form.values("answer")
        .iter()
        .flat_map(|v| v.split([',', ' ', ';']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_uppercase)
        .collect()
}

/// The correction a form asks for (`None` when its action is neither
/// void nor re-key). Without `confirm=1` it is only a preview.
pub fn request_of(form: &CsrfForm) -> Option<Request> {
    let asked = match form.field("action") {
        "void" => Asked::Void,
        "rekey" => Asked::Rekey(letters_of(form)),
        _ => return None,
    };
    // An emptied box changes nothing; the same text as now changes nothing either.
    let explanation = match asked {
        Asked::Rekey(_) => Some(form.field("explanation").trim()).filter(|e| !e.is_empty()).map(str::to_string),
        Asked::Void => None,
    };
    Some(Request {
        asked,
        reason: form.field("reason").to_string(),
        explanation,
        dry_run: form.field("confirm") != "1",
    })
}

/// What the form said, to fill it in again (the preview's hidden fields,
/// or the form after a refusal).
pub fn typed(form: &CsrfForm) -> Value {
    let answers = letters_of(form);
    json!({
        "action": form.field("action"),
        "answer": answers.join(", "),
        "answers": answers,
        "reason": form.field("reason"),
        "explanation": form.field("explanation"),
    })
}

/// A question as the form shows it: options with letters in the bank's
/// order, the key marked.
pub fn question_json(bank: &str, key: &str, q: &QuestionParts<'_>) -> Value {
    let options: Vec<String> = serde_json::from_str(q.options).unwrap_or_default();
    let answer: Vec<usize> = serde_json::from_str(q.answer).unwrap_or_default();
    json!({
        "bank": bank, "key": key, "text": q.text, "voided": q.voided, "source": q.source,
        "explanation": q.explanation, "multiple": q.kind == "multiple",
        "key_letters": letters(&answer),
        "options": options.iter().enumerate().map(|(i, o)| json!({
            "letter": letter(i).to_string(), "text": o, "right": answer.contains(&i), "checked": answer.contains(&i),
        })).collect::<Vec<_>>(),
        // What the form's boxes hold: the question as it is, until a refusal refills them.
        "reason_value": "", "explanation_value": q.explanation,
    })
}

/// The question with the form's boxes holding what was typed (after a refusal).
pub fn refilled(question: &Value, form: &CsrfForm) -> Value {
    let mut q = question.clone();
    let chosen = letters_of(form);
    if let Some(options) = q["options"].as_array_mut() {
        for o in options {
            let mine = o["letter"].as_str().is_some_and(|l| chosen.iter().any(|c| c == l));
            o["checked"] = json!(mine);
        }
    }
    q["reason_value"] = json!(form.field("reason"));
    if form.field("action") == "rekey" || !form.field("explanation").is_empty() {
        q["explanation_value"] = json!(form.field("explanation"));
    }
    q
}

/// The parts of a question the form shows.
pub struct QuestionParts<'a> {
    /// Its text.
    pub text: &'a str,
    /// `single`, `multiple`, `true_false`.
    pub kind: &'a str,
    /// Options, JSON, file order.
    pub options: &'a str,
    /// Key, JSON indexes, file order.
    pub answer: &'a str,
    /// Why.
    pub explanation: &'a str,
    /// Document and article.
    pub source: &'a str,
    /// Counts for nobody.
    pub voided: bool,
}

/// Applies (or previews) a correction of `bank`/`key` in `scope`.
pub async fn apply(
    state: &AppState,
    user: &CurrentUser,
    scope: &Scope,
    bank: &str,
    key: &str,
    req: &Request,
) -> AppResult<FixReport> {
    match scope {
        Scope::Everywhere => state.correct_everywhere(user, bank, key, req).await,
        Scope::Contest(slug) => state.correct_in_contest(user, slug, bank, key, req).await,
    }
}

/// Whether an error is the user's to fix on the form (shown there), not a failure.
pub fn shown_on_form(e: &AppError) -> bool {
    matches!(e, AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_) | AppError::Denied(_))
}

/// What was done, in one line for the page.
pub fn done_line(r: &FixReport) -> String {
    format!("Đã lưu và chấm lại {} bài thi; {} bài đổi điểm.", r.regraded, r.attempts_changed)
}

fn move_of(e: &TopEntry, before: bool) -> String {
    match (before, e.rank_before, e.rank_after) {
        (true, _, None) => "ra khỏi nhóm đầu".into(),
        (false, None, _) => "mới vào nhóm đầu".into(),
        (true, _, Some(a)) if a != e.rank => format!("sau sửa: hạng {a}"),
        (false, Some(b), _) if b > e.rank => format!("↑ từ hạng {b}"),
        (false, Some(b), _) if b < e.rank => format!("↓ từ hạng {b}"),
        _ => String::new(),
    }
}

fn board_json(before: &BoardTop, after: &BoardTop) -> Value {
    let rows = |b: &BoardTop, is_before: bool| -> Vec<Value> {
        b.entries
            .iter()
            .map(|e| {
                json!({
                    "rank": e.rank, "name": e.name, "unit": e.unit, "score": e.score, "max_score": e.max_score,
                    "move": move_of(e, is_before),
                })
            })
            .collect()
    };
    json!({
        "round_title": before.round_title, "contest_title": before.contest_title,
        "before": rows(before, true), "after": rows(after, false),
    })
}

/// Whether the request corrects the explanation the question has now.
fn explanation_changes(req: &Request, question: &Value) -> bool {
    let now = question["explanation"].as_str().unwrap_or("");
    req.explanation.as_deref().and_then(|e| explanation_of(e).ok()).is_some_and(|e| e != now.trim())
}

/// What the correction does, in words: "Đổi đáp án câu mc-065 từ B sang A".
fn what_line(req: &Request, question: &Value) -> String {
    let key = question["key"].as_str().unwrap_or("");
    match &req.asked {
        Asked::Void => format!("Hủy câu {key}: câu này không tính điểm cho ai và không được rút vào đề mới."),
        Asked::Rekey(new) => {
            let (old, new) = (question["key_letters"].as_str().unwrap_or(""), new.join(", "));
            if old == new {
                format!("Giữ đáp án {new} của câu {key}, sửa lời giải thích.")
            } else {
                let and = if explanation_changes(req, question) { ", và sửa lời giải thích" } else { "" };
                format!("Đổi đáp án câu {key} từ {old} sang {new}{and}.")
            }
        }
    }
}

/// The preview page: what would change, and the same form to confirm.
#[allow(clippy::too_many_arguments)]
pub fn preview(
    state: &AppState,
    http: &HttpRequest,
    report: &FixReport,
    req: &Request,
    question: &Value,
    action: &str,
    back: &str,
    typed: Value,
) -> AppResult<HttpResponse> {
    let boards: Vec<Value> = report.top_before.iter().zip(&report.top_after).map(|(b, a)| board_json(b, a)).collect();
    let ctx = json!({
        "title": "Xem trước khi sửa",
        "question": question,
        "what": what_line(req, question),
        "reason": req.reason.trim(),
        "explanation_changed": explanation_changes(req, question),
        "new_explanation": req.explanation.as_deref().map(str::trim),
        "regraded": report.regraded,
        "changed": report.attempts_changed,
        "boards": boards,
        "action": action,
        "back": back,
        "typed": typed,
    });
    render(state, http, StatusCode::OK, "admin/fix_preview", ctx)
}
