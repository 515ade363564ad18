//! Bank files as organizers and strangers bring them, through the upload
//! page of a running server: hostile files refused with the bound that
//! tripped (the server keeps serving), Moodle's GIFT and Aiken files taken
//! as Moodle takes them, questions keep their identity across imports, and
//! an import that would retire many questions asks first.

use reqwest::StatusCode;

use crate::helpers::*;

/// Previews a file on the upload page: the status and the page.
async fn preview(app: &TestApp, name: &str, bytes: Vec<u8>, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let token = app.csrf("/admin/banks").await;
    let mut form = reqwest::multipart::Form::new().text("csrf", token);
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    let r = app.client.post(app.url("/admin/banks/preview")).multipart(form).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// Confirms the import of a previewed page, with `extra` fields.
async fn import(app: &TestApp, page: &str, extra: &[(&str, &str)]) -> (StatusCode, String) {
    let token = app.csrf("/admin/banks").await;
    let fields = ["bank", "title", "topic", "sheet", "filename", "content", "mode"].map(|f| (f, hidden(page, f)));
    let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    form.push(("csrf", &token));
    form.extend_from_slice(extra);
    let r = app.post_form("/admin/banks/import", &form).await;
    (r.status(), r.text().await.unwrap())
}

/// The server still answers.
async fn still_serving(app: &TestApp) {
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    assert_eq!(app.get("/admin/banks").await.status(), StatusCode::OK);
}

/// The active question count of a stored bank.
async fn active(app: &TestApp, slug: &str) -> i64 {
    let banks = app.state.read(hoithi::db::banks::list_bank_summaries).await.unwrap();
    banks.iter().find(|b| b.slug == slug).map_or(0, |b| b.questions)
}

fn aiken(questions: &[&str]) -> Vec<u8> {
    questions
        .iter()
        .map(|q| format!("{q}?\nA. Phương án một của {q}\nB. Phương án hai của {q}\nANSWER: B\n\n"))
        .collect::<String>()
        .into_bytes()
}

#[actix_web::test]
async fn hostile_files_are_refused_with_the_bound_that_tripped_and_the_server_keeps_serving() {
    let app = spawn_app_with_settings(TestDb::new(), |s| {
        s.limits.bank.questions = 40;
        s.limits.bank.problems = 30;
        s.limits.bank.field_chars = 2_000;
    })
    .await;
    app.login_admin().await;

    // A question text longer than the field bound.
    let long = format!("::dai:: {}? {{=a ~b}}", "Câu hỏi rất dài ".repeat(200));
    let (status, html) = preview(&app, "dai.gift", long.into_bytes(), &[("bank", "dai")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("HOITHI_BANK_MAX_FIELD_CHARS") && html.contains("2.000 ký tự"), "{html}");

    // More questions than a file may hold.
    let many: Vec<String> = (0..41).map(|i| format!("Câu số {i}")).collect();
    let (status, html) =
        preview(&app, "nhieu.txt", aiken(&many.iter().map(String::as_str).collect::<Vec<_>>()), &[("bank", "nhieu")])
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("HOITHI_BANK_MAX_QUESTIONS") && html.contains("hơn 40 câu hỏi"), "{html}");

    // A file of broken lines: the problems are listed up to the bound, then counted.
    let broken = "Hỏi?\nA. x\nANSWER: Z\n\n".repeat(500);
    let (status, html) = preview(&app, "hong.txt", broken.into_bytes(), &[("bank", "hong")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("HOITHI_BANK_MAX_PROBLEMS") && html.contains("… và"), "{html}");
    assert!(html.matches("<tr class=").count() <= 31, "at most 30 problems and the line that counts the rest");

    // Thousands of $CATEGORY lines (their handling was quadratic): read, one warning.
    let categories = (0..60_000).map(|i| format!("$CATEGORY: muc-{i}\n")).collect::<String>() + "\n::a:: Hỏi? {T}\n";
    let (status, html) = preview(&app, "muc.gift", categories.into_bytes(), &[("bank", "muc")]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("60000 dòng $CATEGORY"), "{html}");
    still_serving(&app).await;
    assert_eq!(active(&app, "dai").await + active(&app, "nhieu").await, 0, "nothing saved");
}

/// An .xlsx written part by part: a workbook of one sheet whose data is
/// `sheet_data`, with `extra` parts (name, bytes, or a byte repeated n times).
fn xlsx(sheet_data: &str, extra: &[(&str, u8, usize)]) -> Vec<u8> {
    use std::io::Write;
    let ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let parts = [
        (
            "xl/workbook.xml".to_string(),
            format!(
                r#"<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets><sheet name="Câu hỏi" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels".to_string(),
            format!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/worksheets/sheet1.xml".to_string(),
            format!(r#"<worksheet xmlns="{ns}"><sheetData>{sheet_data}</sheetData></worksheet>"#),
        ),
    ];
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in &parts {
        w.start_file(name.as_str(), options).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    for &(name, byte, n) in extra {
        w.start_file(name, options).unwrap();
        let chunk = vec![byte; 64 * 1024];
        for _ in 0..n / chunk.len() {
            w.write_all(&chunk).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

#[actix_web::test]
async fn hostile_spreadsheets_are_refused_through_the_upload_page_and_the_cli() {
    // The files are made before the server starts: making the bomb takes seconds, which
    // would block the test's runtime (and so the server) with a connection open.
    // One cell at the last address Excel has: it asked for 512 GiB and killed the server.
    let far = xlsx(r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#, &[]);
    assert!(far.len() < 2_000);
    // A cell at XFD4000: cost 4.1 GB and 17 s.
    let wide = xlsx(r#"<row r="4000"><c r="XFD4000" t="inlineStr"><is><t>x</t></is></c></row>"#, &[]);
    // A zip bomb: 200 MiB of one byte, well under a MiB compressed.
    let bomb = xlsx("", &[("xl/sharedStrings.xml", b'a', 200 * 1024 * 1024)]);
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    let app = spawn_app().await;
    app.login_admin().await;
    let files = [
        ("xa.xlsx", far, "HOITHI_BANK_MAX_ROWS"),
        ("rong.xlsx", wide, "HOITHI_BANK_MAX_COLUMNS"),
        ("bom.xlsx", bomb, "HOITHI_BANK_MAX_UNPACKED_MB"),
    ];
    for (name, bytes, setting) in files.clone() {
        let (status, html) = preview(&app, name, bytes, &[("bank", "bang-tinh")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(html.contains(setting), "{name}: {html}");
        still_serving(&app).await;
    }
    // The command line refuses them the same way.
    let db = TestDb::empty();
    let meta = hoithi::cli::bank_meta_for(None, "bang-tinh").unwrap();
    for (name, bytes, setting) in files {
        let file = db.dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let (bank, problems) = hoithi::cli::read_bank_file(&file, Some(&meta));
        assert!(bank.is_none());
        assert!(problems.iter().any(|p| p.message.contains(setting)), "{name}: {problems:#?}");
    }
}

#[actix_web::test]
async fn a_parse_that_needs_more_memory_than_its_budget_is_refused_and_the_server_keeps_serving() {
    let app = spawn_app_with_settings(TestDb::new(), |s| s.limits.bank.memory_mib = 48).await;
    app.login_admin().await;
    // 4 MiB of CSV cells, which take several times their size once read.
    let row = format!("1,{},a,b,A,x,y,Dễ\n", "chữ ".repeat(60));
    let csv = "STT,Câu hỏi,A,B,Đáp án,Giải thích,Nguồn,Mức độ\n".to_string() + &row.repeat(4 * 1024 * 1024 / row.len());
    let (status, html) = preview(&app, "lon.csv", csv.into_bytes(), &[("bank", "lon")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("HOITHI_BANK_PARSE_MEMORY_MB") && html.contains("48 MiB"), "{html}");
    still_serving(&app).await;
}

/// A GIFT file in Moodle's grammar: supported kinds mixed with essay,
/// numerical, matching and short answer; `[html]` text; categories; a
/// duplicate; weights that do not add up.
const MOODLE_GIFT: &str = r#"// Tệp xuất từ Moodle
$CATEGORY: $course$/top/Mặc định cho CCHC

::Q1::[html]<p dir\="ltr" style\="text-align\: left;">Theo &quot;Nghị định&quot; nào, bộ phận một cửa tiếp nhận hồ sơ?</p>{
	=[html]<p>Nghị định 61/2018/NĐ-CP</p>
	~[html]<p>Nghị định 45/2020/NĐ-CP</p>
	~[html]Nghị định 30/2020/NĐ-CP
}

::Q2:: Hãy viết đôi dòng về cải cách hành chính. {}

::Q3:: Năm ban hành Quyết định 1847/QĐ-TTg? {#2018}

::Q4:: Ghép văn bản với nội dung. {=Nghị định 61/2018 -> một cửa =Quyết định 1847 -> văn hóa công vụ =Nghị định 45/2020 -> môi trường điện tử}

::Q5:: Cơ quan nào ban hành nghị định? {=Chính phủ =chính phủ}

$CATEGORY: $course$/top/Khác

::Q6:: Bộ phận một cửa trả kết quả cho tổ chức, cá nhân. {T}

::Q7:: Những việc nào do bộ phận một cửa làm? {
	~%50%Tiếp nhận hồ sơ
	~%25%Trả kết quả
	~%-100%Ban hành nghị định
	~%-100%Xét xử vụ án
}

::Q8:: Bộ phận một cửa trả kết quả cho tổ chức, cá nhân. {F}
"#;

#[actix_web::test]
async fn moodle_gift_files_import_every_question_of_the_kinds_hoithi_supports() {
    let app = spawn_app().await;
    app.login_admin().await;
    let (status, page) = preview(&app, "moodle.gift", MOODLE_GIFT.as_bytes().to_vec(), &[("bank", "tu-moodle")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("4 câu bị bỏ qua") && page.contains("nhận 4 câu"), "{page}");
    for (line, kind) in [(10, "tự luận"), (12, "số"), (14, "ghép đôi"), (16, "trả lời ngắn")] {
        assert!(page.contains(&format!("dòng {line}: loại câu hỏi {kind}")), "{kind}: {page}");
    }
    assert!(page.contains("trọng số các phương án đúng cộng lại 75%"), "{page}");
    assert!(page.contains("nội dung trùng với câu hỏi"), "duplicates warn: {page}");
    assert!(page.contains("2 dòng $CATEGORY"), "{page}");
    // The lint of the new bank against the stored ones is on the preview.
    assert!(page.contains("Kiểm tra câu hỏi gợi ý đáp án cho nhau") && page.contains("tu-moodle:"), "{page}");
    let (status, html) = import(&app, &page, &[]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("thêm 4") && html.contains("Bỏ qua 4 câu"), "{html}");
    // What the participant will read: no tags, no entities.
    let bank = app.state.read(|c| hoithi::db::banks::load_bank(c, "tu-moodle")).await.unwrap().unwrap();
    let q1 = bank.questions.iter().find(|q| q.key == "q1").unwrap();
    assert_eq!(q1.text, "Theo \"Nghị định\" nào, bộ phận một cửa tiếp nhận hồ sơ?");
    assert_eq!(q1.options, ["Nghị định 61/2018/NĐ-CP", "Nghị định 45/2020/NĐ-CP", "Nghị định 30/2020/NĐ-CP"]);
    let q7 = bank.questions.iter().find(|q| q.key == "q7").unwrap();
    assert_eq!(q7.answer, [0, 1]);
}

#[actix_web::test]
async fn aiken_questions_keep_their_identity_when_one_is_inserted_above_them() {
    let app = spawn_app().await;
    app.login_admin().await;
    // `A)Text` without a space, as Moodle accepts, and a broken question that hides nothing after it.
    let first = "Câu một?\nA)Có\nB)Không\nANSWER: A\nCâu hỏng?\nA. x\nB. y\nCâu hai?\nA. Có\nB. Không\nANSWER: B\n";
    let (status, page) = preview(&app, "a.txt", first.as_bytes().to_vec(), &[("bank", "aiken")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("1 câu bị bỏ qua") && page.contains("nhận 2 câu"), "{page}");
    assert_eq!(import(&app, &page, &[]).await.0, StatusCode::OK);
    // A question inserted at the top: one added, the others unchanged (they used to become
    // "new versions" of their neighbours, keyed by position).
    let second = format!("Câu mới ở đầu?\nA. Có\nB. Không\nANSWER: A\n\n{first}");
    let (status, page) = preview(&app, "a.txt", second.into_bytes(), &[("bank", "aiken")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Thêm 1, sửa 0 (mỗi câu sửa có phiên bản mới), giữ nguyên 2"), "{page}");
    assert!(page.contains("ngừng dùng 0"), "{page}");
    // An edited option keeps the question (a new version); an edited stem retires it.
    let third = first.replace("B. Không\nANSWER: B", "B. Chưa\nANSWER: B").replace("Câu một?", "Câu thứ nhất?");
    let (_, page) = preview(&app, "a.txt", third.into_bytes(), &[("bank", "aiken")]).await;
    assert!(page.contains("Thêm 1, sửa 1"), "{page}");
    assert!(page.contains("ngừng dùng 1.") && page.contains("Câu một?"), "{page}");
}

#[actix_web::test]
async fn an_import_that_retires_many_questions_asks_first_and_merge_retires_none() {
    let app = spawn_app().await;
    app.login_admin().await;
    let ten: Vec<String> = (1..=10).map(|i| format!("Câu {i}")).collect();
    let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
    let fields = [("bank", "lon"), ("title", "Ngân hàng lớn"), ("topic", "cai-cach")];
    let (_, page) = preview(&app, "ten.txt", aiken(&ten), &fields).await;
    assert_eq!(import(&app, &page, &[]).await.0, StatusCode::OK);
    let stored = app.state.read(|c| hoithi::db::banks::find_bank(c, "lon")).await.unwrap().unwrap();
    assert_eq!((stored.title.as_str(), stored.topic.as_str()), ("Ngân hàng lớn", "cai-cach"), "a new bank's title");

    // Three questions as the whole bank: seven retired, which needs the box ticked.
    let (status, page) = preview(&app, "three.txt", aiken(&ten[..3]), &[("bank", "lon")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("ngừng dùng 7") && page.contains("Tôi đồng ý ngừng dùng 7 câu hỏi"), "{page}");
    let (status, html) = import(&app, &page, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Cần xác nhận trước khi nhập"), "{html}");
    assert_eq!(active(&app, "lon").await, 10, "nothing retired without the confirmation");

    // In merge mode the same file adds and updates, and retires nothing.
    let (_, page) = preview(&app, "three.txt", aiken(&ten[..3]), &[("bank", "lon"), ("mode", "merge")]).await;
    assert!(page.contains("ngừng dùng 0") && !page.contains("Tôi đồng ý"), "{page}");
    assert_eq!(import(&app, &page, &[]).await.0, StatusCode::OK);
    assert_eq!(active(&app, "lon").await, 10);

    // Confirmed: retired.
    let (_, page) = preview(&app, "three.txt", aiken(&ten[..3]), &[("bank", "lon")]).await;
    let (status, html) = import(&app, &page, &[("confirm_retire", "1")]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("ngừng dùng 7"), "{html}");
    assert_eq!(active(&app, "lon").await, 3);
}

#[actix_web::test]
async fn hoithis_own_gift_export_imports_again_without_choosing_a_bank() {
    let app = spawn_app().await;
    app.login_admin().await;
    let bank = app.state.read(|c| hoithi::db::banks::load_bank(c, "mot-cua")).await.unwrap().unwrap();
    let gift = hoithi::domain::formats::gift::write(&bank);
    let (status, page) = preview(&app, "mot-cua.gift", gift.into_bytes(), &[]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<code>mot-cua</code>") && page.contains("ngừng dùng 0"), "{page}");
    assert!(page.contains(&format!("giữ nguyên {}", bank.questions.len())), "{page}");
}

#[test]
fn the_cli_refuses_hostile_files_naming_the_bound() {
    let db = TestDb::empty();
    let long = format!("::dai:: {}? {{=a ~b}}", "x".repeat(6_000));
    let file = write_file(&db, "dai.gift", &long);
    let meta = hoithi::cli::bank_meta_for(None, "dai").unwrap();
    let (bank, problems) = hoithi::cli::read_bank_file(&file, Some(&meta));
    assert!(bank.is_none());
    assert!(problems.iter().any(|p| p.message.contains("HOITHI_BANK_MAX_FIELD_CHARS")), "{problems:#?}");
    // And `banks stats` reads a format that names no bank.
    let aiken_file = write_file(&db, "aiken.txt", "Hỏi?\nA. Có\nB. Không\nANSWER: A\n");
    assert_eq!(hoithi::cli::banks_stats(&[aiken_file]).unwrap(), hoithi::cli::OK);
}

#[test]
fn a_bank_imported_from_aiken_exports_to_toml_and_imports_again() {
    let db = TestDb::empty();
    let settings = db.settings();
    let aiken =
        write_file(&db, "a.txt", "Hỏi một?\nA. Có\nB. Không\nANSWER: A\n\nHỏi hai?\nA. Có\nB. Không\nANSWER: B\n");
    let choice = hoithi::cli::ImportChoice::default();
    assert_eq!(hoithi::cli::banks_import(&settings, &[aiken], Some("tu-aiken"), choice).unwrap(), hoithi::cli::OK);
    let toml = db.dir.path().join("tu-aiken.toml");
    let format = hoithi::cli::ExportFormat::Toml;
    assert_eq!(hoithi::cli::banks_export(&settings, "tu-aiken", format, Some(&toml)).unwrap(), hoithi::cli::OK);
    // No explanation or source: warnings in TOML too, not errors.
    let (bank, problems) = hoithi::cli::read_bank_file(&toml, None);
    assert!(bank.is_some(), "{problems:#?}");
    assert!(problems.iter().all(|p| p.severity == hoithi::domain::bank::Severity::Warning), "{problems:#?}");
    assert_eq!(hoithi::cli::banks_import(&settings, &[toml], None, choice).unwrap(), hoithi::cli::OK);
}
