//! A unit manager's list of staff who have not taken a round says plainly
//! that it knows only people with accounts, beside the unit's headcount,
//! shows their email and phone, and prints.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{ADMIN_PASSWORD, spawn_app};

#[actix_web::test]
async fn the_missing_list_says_it_counts_accounts_beside_the_headcount_and_prints() {
    let app = spawn_app().await;
    let (_, round) = app.setup_round(json!({"attempts_allowed": 1})).await;
    let admin = app.client_for("admin", ADMIN_PASSWORD).await;
    for (username, email, phone) in
        [("canbo-da-thi", None, None), ("canbo-chua-thi", Some("chuathi@quynhon.gov.vn"), Some("0905123456"))]
    {
        let body = json!({"username": username, "full_name": "Nguyễn Thị Lan", "role": "official", "unit_code": "QN-LELOI",
                          "password": "mat-khau-can-bo", "email": email, "phone": phone});
        let r = admin.post(app.url("/api/v1/users")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    app.create_user("daumoi-leloi", "unit_manager", Some("QN-LELOI"), "mat-khau-dau-moi").await;
    let official = app.client_for("canbo-da-thi", "mat-khau-can-bo").await;
    let attempt = app.start(&official, round).await["attempt_id"].as_i64().unwrap();
    app.submit(&official, attempt, Some(1)).await;

    // The shipped units file gives Phường Lê Lợi 26 staff; two of them have accounts.
    let manager = app.client_for("daumoi-leloi", "mat-khau-dau-moi").await;
    let get = |path: String| {
        let (c, url) = (manager.clone(), app.url(&path));
        async move {
            let r = c.get(url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (s, page) = get(format!("/unit/rounds/{round}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("Danh sách chỉ gồm những người đã có tài khoản: 2 tài khoản trên 26 biên chế.")
            && page.contains("24 người chưa có tài khoản không có trong danh sách"),
        "{page}"
    );
    let missing = &page[page.find("id=\"coverage\"").unwrap()..page.find("Kết quả cá nhân").unwrap()];
    assert!(missing.contains("canbo-chua-thi") && !missing.contains("canbo-da-thi"), "{missing}");
    assert!(missing.contains("chuathi@quynhon.gov.vn") && missing.contains("0905123456"), "{missing}");
    assert!(missing.contains(&format!("/unit/rounds/{round}/missing?format=print")), "a printable list is offered");

    let (s, print) = get(format!("/unit/rounds/{round}/missing?format=print")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(print.contains("class=\"print-sheet\"") && print.contains("Phường Lê Lợi"), "{print}");
    assert!(print.contains("0905123456") && print.contains("2 tài khoản trên 26 biên chế"), "{print}");
    assert!(!print.contains("canbo-da-thi"), "{print}");

    let (s, csv) = get(format!("/unit/rounds/{round}/missing?format=csv")).await;
    assert_eq!(s, StatusCode::OK);
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "Tên đăng nhập,Họ và tên,Mã đơn vị,Đơn vị,Email,Số điện thoại");
    assert_eq!(lines[1..], ["canbo-chua-thi,Nguyễn Thị Lan,QN-LELOI,Phường Lê Lợi,chuathi@quynhon.gov.vn,0905123456"]);
    let (s, _) = get(format!("/unit/rounds/{round}/missing?format=pdf")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "an unknown format is refused in words");
}
