//! The JSON API's contract: JSON only, `{"error"}` answers, 401 before the body.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

async fn error_of(r: reqwest::Response) -> (StatusCode, String) {
    let status = r.status();
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    assert!(ct.starts_with("application/json"), "error must be JSON, got {ct}");
    let body: Value = r.json().await.unwrap();
    (status, body["error"].as_str().expect("error field").to_string())
}

#[actix_web::test]
async fn anonymous_api_call_gets_401_whatever_the_body() {
    let app = spawn_app().await;
    let c = &app.client;
    let (s, m) = error_of(c.post(app.url("/api/v1/users")).json(&json!({"username": "x"})).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(m, "Bạn cần đăng nhập.");
    let (s, _) = error_of(c.post(app.url("/api/v1/users")).body("{{{").send().await.unwrap()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let huge = "x".repeat(2 * 1024 * 1024);
    let (s, _) = error_of(
        c.post(app.url("/api/v1/users")).header("content-type", "application/json").body(huge).send().await.unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = error_of(c.get(app.url("/api/v1/banks")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = error_of(c.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn api_never_redirects_but_pages_do() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/me").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get("location").is_none());
    let r = app.get("/admin/users?q=a").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?next=/admin/users%3Fq%3Da");
}

#[actix_web::test]
async fn api_takes_json_only_and_explains_bad_bodies() {
    let app = spawn_app().await;
    app.login_admin().await;
    let c = &app.client;
    let (s, m) = error_of(c.post(app.url("/api/v1/users")).form(&[("username", "a")]).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(m.contains("application/json"), "{m}");
    let (s, m) = error_of(
        c.post(app.url("/api/v1/users"))
            .header("content-type", "application/json")
            .body("{\"username\": ")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(m.starts_with("JSON không hợp lệ"), "{m}");
    let (s, m) = error_of(c.post(app.url("/api/v1/users")).json(&json!({"username": 5})).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(m.starts_with("Dữ liệu không hợp lệ"), "{m}");
    let huge = json!({ "username": "x".repeat(400 * 1024), "full_name": "a", "role": "admin" });
    let (s, m) = error_of(c.post(app.url("/api/v1/users")).json(&huge).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(m, "Dữ liệu gửi lên quá lớn.");
    let (s, m) = error_of(c.get(app.url("/api/v1/khong-co")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(m.contains("Không tìm thấy"), "{m}");
}

#[actix_web::test]
async fn session_endpoint_logs_in_and_out() {
    let app = spawn_app().await;
    let r = app.api_login("admin", "sai").await;
    let (s, m) = error_of(r).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(m, "Tên đăng nhập hoặc mật khẩu không đúng.");
    let r = app.api_login("admin", crate::helpers::ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["role"], "admin");
    assert_eq!(app.get("/api/v1/me").await.status(), StatusCode::OK);
    let r = app.client.delete(app.url("/api/v1/session")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/me").await.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn admin_creates_users_through_the_api() {
    let app = spawn_app().await;
    app.login_admin().await;
    let body = json!({"username": "CanBo10", "full_name": "  Nguyễn  Văn An ", "role": "official", "unit_code": "QN", "password": "mat-khau-10-ok"});
    let r = app.post_json("/api/v1/users", &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["username"], "canbo10");
    assert_eq!(created["full_name"], "Nguyễn Văn An");
    assert_eq!(created["unit_code"], "QN");
    assert!(created["generated_password"].is_null());
    assert!(created.get("password_hash").is_none());

    let (s, m) = error_of(app.post_json("/api/v1/users", &body).await).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(m.contains("đã có người dùng"), "{m}");
    let (s, m) = error_of(
        app.post_json(
            "/api/v1/users",
            &json!({"username": "canbo11", "full_name": "A", "role": "official", "unit_code": "KHONGCO"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(m.contains("KHONGCO"), "{m}");
    let (s, m) = error_of(
        app.post_json("/api/v1/users", &json!({"username": "canbo12", "full_name": "A", "role": "official"})).await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(m.contains("đơn vị"), "{m}");
    let (s, _) = error_of(
        app.post_json("/api/v1/users", &json!({"username": "canbo13", "full_name": "A", "role": "chief"})).await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // Without a password one is generated and returned once.
    let r = app
        .post_json("/api/v1/users", &json!({"username": "btc01", "full_name": "Ban tổ chức", "role": "organizer"}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let generated = created["generated_password"].as_str().unwrap().to_string();
    let c = crate::helpers::new_client();
    let r = c
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": "btc01", "password": generated}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[actix_web::test]
async fn units_are_listed_with_their_parents() {
    let app = spawn_app().await;
    let units: Vec<Value> = app.get("/api/v1/units").await.json().await.unwrap();
    let by_code = |c: &str| units.iter().find(|u| u["code"] == c).cloned().unwrap_or_else(|| panic!("{c}"));
    assert!(by_code("BD")["parent_code"].is_null());
    for district in ["QN", "AN", "HN", "AL", "HA", "PM", "PC", "TS", "TP", "VC", "VT"] {
        assert_eq!(by_code(district)["parent_code"], "BD", "{district}");
    }
    assert_eq!(by_code("SNV")["kind"], "so_nganh");
    assert_eq!(by_code("SNV")["kind_label"], "Sở, ban, ngành", "the kind's name comes with the units file");
    let ward = units.iter().find(|u| u["parent_code"] == "QN").expect("a ward of Quy Nhơn");
    assert!(ward["population"].is_i64());
    assert_eq!(
        by_code("BD").as_object().unwrap().keys().cloned().collect::<Vec<_>>(),
        ["code", "kind", "kind_label", "name", "parent_code", "population", "staff_count"]
    );
}

#[actix_web::test]
async fn banks_are_listed_with_the_counts_of_their_files() {
    use hoithi::domain::bank::Difficulty;
    let app = spawn_app().await;
    app.login_admin().await;
    let banks: Vec<Value> = app.get("/api/v1/banks").await.json().await.unwrap();
    // Counted from the shipped files themselves, not from what the server summed.
    let shipped = hoithi::bootstrap::shipped_banks().unwrap();
    assert_eq!(banks.len(), shipped.len());
    for file in &shipped {
        let b = banks.iter().find(|b| b["slug"] == file.meta.slug.as_str()).expect("listed");
        let count = |d: Difficulty| file.questions.iter().filter(|q| q.difficulty == d).count() as i64;
        let by = &b["by_difficulty"];
        assert_eq!(by["easy"].as_i64().unwrap(), count(Difficulty::Easy), "{}", file.meta.slug);
        assert_eq!(by["medium"].as_i64().unwrap(), count(Difficulty::Medium), "{}", file.meta.slug);
        assert_eq!(by["hard"].as_i64().unwrap(), count(Difficulty::Hard), "{}", file.meta.slug);
        assert_eq!(b["questions"].as_i64().unwrap(), file.questions.len() as i64);
        assert_eq!(b["title"], file.meta.title.as_str());
    }
}

#[actix_web::test]
async fn the_openapi_document_describes_every_api_route_with_its_statuses() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    // Every API route of the route table, from the table itself.
    let api: Vec<_> = hoithi::routes::ROUTES.iter().filter(|r| r.path.starts_with("/api/v1/")).collect();
    assert!(api.len() > 25);
    for route in api {
        let method = route.method.to_lowercase();
        let op = paths
            .get(route.path)
            .and_then(|p| p.get(&method))
            .unwrap_or_else(|| panic!("{} {} missing from the document", route.method, route.path));
        let statuses: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
        if route.path != "/api/v1/openapi.json" {
            assert!(
                statuses.iter().any(|s| *s == "503"),
                "{} {} does not declare 503: {statuses:?}",
                route.method,
                route.path
            );
        }
        if route.policy != hoithi::routes::Policy::Public {
            assert!(statuses.iter().any(|s| *s == "401"), "{} {} does not declare 401", route.method, route.path);
        }
    }
    // Request bodies come from the real request types, with their limits.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas["RoundBody"]["properties"].get("duration_s").is_some());
    assert_eq!(schemas["RoundBody"]["properties"]["duration_s"]["maximum"], 10800);
    assert!(schemas["AnswerBody"]["required"].as_array().unwrap().contains(&json!("choices")));
    assert!(schemas.contains_key("ErrorBody"));
    assert!(schemas.contains_key("AttemptView"));
}
