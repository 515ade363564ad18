//! Fixing a wrong key: void a question or correct its answer; every
//! affected attempt, entry and unit statistic is re-graded at once.

#[allow(unused_imports)]
use super::ErrorBody;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use super::json_body;
use crate::auth::CurrentUser;
use crate::db::banks::{QuestionRow, find_latest_question, rekey_question, void_question};
use crate::domain::bank::{Kind, letter_index};
use crate::error::{AppError, AppResult};
use crate::routes::api::contests::ORGANIZERS;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct VoidBody {
    reason: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
enum Letters {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RekeyBody {
    answer: Letters,
    reason: String,
}

async fn question(state: &AppState, bank: String, key: String) -> AppResult<QuestionRow> {
    let (b, k) = (bank.clone(), key.clone());
    state
        .read(move |c| find_latest_question(c, &b, &k))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Không có câu hỏi \"{key}\" trong ngân hàng \"{bank}\".")))
}

fn reason_of(r: &str) -> AppResult<String> {
    let r = crate::domain::text::nfc(r.trim());
    if r.is_empty() {
        return Err(AppError::Invalid("Cần ghi lý do (reason) để lưu vào nhật ký.".into()));
    }
    Ok(r)
}

/// `POST /api/v1/questions/{bank}/{key}/void` `{reason}`.
#[utoipa::path(post, path = "/api/v1/questions/{bank}/{key}/void", tag = "questions", summary = "Hủy câu hỏi và chấm lại", request_body = VoidBody, params(("bank" = String, Path, description = "Mã ngân hàng"), ("key" = String, Path, description = "Mã câu hỏi")), responses((status = 200, description = "{regraded}: số bài thi được chấm lại"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 409, description = "Trạng thái không cho phép", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody)))]
pub async fn void(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let (bank, key) = path.into_inner();
    let body: VoidBody = json_body(&req, payload).await?;
    let reason = reason_of(&body.reason)?;
    let q = question(&state, bank, key).await?;
    if q.voided {
        return Err(AppError::Conflict("Câu hỏi này đã bị hủy trước đó.".into()));
    }
    let actor = user.actor();
    let n = state.write(move |c| void_question(c, &q, &reason, &actor)).await?;
    Ok(HttpResponse::Ok().json(json!({ "regraded": n })))
}

/// `POST /api/v1/questions/{bank}/{key}/rekey` `{answer, reason}`.
#[utoipa::path(post, path = "/api/v1/questions/{bank}/{key}/rekey", tag = "questions", summary = "Sửa đáp án và chấm lại", request_body = RekeyBody, params(("bank" = String, Path, description = "Mã ngân hàng"), ("key" = String, Path, description = "Mã câu hỏi")), responses((status = 200, description = "{regraded}: số bài thi được chấm lại"), (status = 401, description = "Chưa đăng nhập", body = ErrorBody), (status = 403, description = "Không đủ quyền", body = ErrorBody), (status = 404, description = "Không tìm thấy", body = ErrorBody), (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody)))]
pub async fn rekey(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    user.require(ORGANIZERS)?;
    let (bank, key) = path.into_inner();
    let body: RekeyBody = json_body(&req, payload).await?;
    let reason = reason_of(&body.reason)?;
    let q = question(&state, bank, key).await?;
    let n_options = serde_json::from_str::<Vec<String>>(&q.options).map(|o| o.len()).unwrap_or(0);
    let letters = match body.answer {
        Letters::One(s) => vec![s],
        Letters::Many(v) => v,
    };
    let mut answer = Vec::new();
    for l in &letters {
        match letter_index(l) {
            Some(i) if i < n_options => answer.push(i),
            _ => return Err(AppError::Invalid(format!("Đáp án \"{l}\" không ứng với phương án nào của câu hỏi."))),
        }
    }
    answer.sort_unstable();
    answer.dedup();
    let kind = Kind::parse(&q.kind).unwrap_or(Kind::Single);
    if answer.is_empty() || (kind != Kind::Multiple && answer.len() != 1) {
        return Err(AppError::Invalid("Câu một lựa chọn cần đúng một đáp án, ví dụ \"B\".".into()));
    }
    let actor = user.actor();
    let n = state.write(move |c| rekey_question(c, &q, &answer, &reason, &actor)).await?;
    Ok(HttpResponse::Ok().json(json!({ "regraded": n })))
}
