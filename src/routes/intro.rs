//! The page before the clock starts (`GET /rounds/{id}/start`): what a
//! round holds — its rules, how many questions, the time allowed, the
//! attempts left and when the key is shown — and the start button, offered
//! only when an attempt is left. Starting is the form's `POST`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::see_other;
use crate::auth::participant::MaybeEntrant;
use crate::domain::paper_view::allowed_time;
use crate::domain::round::{Phase, RevealPolicy};
use crate::domain::time::{clock_vn, format_vn};
use crate::domain::timing;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::templates::page;

/// `GET /rounds/{id}/start`: the round's intro; an attempt in progress
/// opens straight away. Without an account or a participant cookie, a
/// resident is sent to the contest's join page (officials: to the login page).
pub async fn intro_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: MaybeEntrant,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let Some(who) = who.0 else {
        let (round, contest) = state.round_and_contest(*id).await?;
        if round.is_published() && contest.audience.admits_public() {
            return Ok(see_other(&format!("/c/{}", contest.slug)));
        }
        return Err(AppError::Unauthorized);
    };
    let intro = state.intro(&who, *id).await?;
    let t = state.now();
    if let Some(a) = intro.in_progress(t) {
        return Ok(see_other(&format!("/attempts/{}", a.id)));
    }
    let s = &intro.round.settings;
    let phase = intro.round.phase(t);
    let left = intro.left();
    let closed_note = match phase {
        Phase::Scheduled => Some(format!("Vòng thi chưa mở: mở lúc {} (giờ Việt Nam).", format_vn(s.opens_at))),
        Phase::Closed | Phase::Draft => {
            Some(format!("Vòng thi đã kết thúc lúc {} (giờ Việt Nam).", format_vn(s.closes_at)))
        }
        Phase::Open => None,
    };
    let used_up = phase == Phase::Open && left == Some(0);
    let attempts = match left {
        None => "Không giới hạn (vòng luyện tập, không xếp hạng)".to_string(),
        Some(n) => format!("Còn {n} trong {} lượt", s.attempts_allowed),
    };
    let reveal = match s.reveal {
        RevealPolicy::AfterSubmit => "Đáp án và giải thích hiện ngay sau khi nộp bài (trừ câu hỏi còn được dùng ở một vòng thi khác đang diễn ra).".to_string(),
        RevealPolicy::AfterClose => format!("Đáp án và giải thích được công bố sau khi vòng thi kết thúc ({}).", format_vn(s.closes_at)),
        RevealPolicy::Never => "Vòng thi này không công bố đáp án.".to_string(),
    };
    // Started now, a paper ends at the round's close if that comes first.
    let deadline_now = timing::deadline(t, s.duration_s, s.closes_at);
    let shortened = (phase == Phase::Open && deadline_now < t + chrono::Duration::seconds(i64::from(s.duration_s)))
        .then(|| {
            format!(
                "Vòng thi đóng lúc {}: nếu bắt đầu bây giờ, bạn chỉ có {} để làm bài.",
                clock_vn(s.closes_at),
                allowed_time((deadline_now - t).num_seconds())
            )
        });
    page(
        &state,
        &req,
        "intro",
        json!({
            "title": s.title,
            "round": { "id": intro.round.id, "title": s.title },
            "contest": { "slug": intro.contest.slug, "title": intro.contest.title },
            "questions": s.questions(),
            "time": allowed_time(i64::from(s.duration_s)),
            "closes": format_vn(s.closes_at),
            "attempts": attempts,
            "best_counts": s.attempts_allowed > 1 && !s.practice,
            "points": s.points_per_question,
            "prediction": s.prediction,
            "reveal": reveal,
            "ranked": who.is_ranked() && !s.practice,
            "shortened": shortened,
            "closed_note": closed_note,
            "used_up": used_up.then(|| format!("Bạn đã dùng hết {} lượt thi của vòng này.", s.attempts_allowed)),
            "last_attempt": intro.last_final().map(|a| a.id),
            "may_start": phase == Phase::Open && !used_up,
            "rules_html": crate::markdown::to_html(&intro.contest.rules),
        }),
    )
}
