use super::*;
use crate::domain::formats::Budget;

fn units() -> Vec<UnitRef> {
    [(1, "SNV", "Sở Nội vụ"), (2, "QN-LELOI", "Phường Lê Lợi"), (3, "AN-LELOI", "Phường Lê Lợi")]
        .into_iter()
        .map(|(id, code, name)| UnitRef { id, code: code.into(), name: name.into() })
        .collect()
}

fn plan_of(csv: &str, existing: &[&str]) -> (Table, Plan) {
    let table = read_file(csv.as_bytes(), &Budget::default()).unwrap();
    let existing: HashSet<String> = existing.iter().map(|s| s.to_string()).collect();
    let p = plan(&table.rows, &|f| table.column(f), &units(), &existing, 100);
    (table, p)
}

#[test]
fn vietnamese_headers_and_the_cli_headers_are_read() {
    let (t, p) = plan_of("Họ và tên,Đơn vị,Email,SĐT\nNguyễn Văn An,SNV,annv@binhdinh.gov.vn,0905 123 456\n", &[]);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(t.column(Field::Phone), "SĐT");
    let a = &p.accounts[0];
    assert_eq!((a.row, a.username.as_str(), a.username_generated), (2, "annv", true));
    assert_eq!((a.role, a.unit), (Role::Official, Some(0)));
    assert_eq!(a.phone.as_ref().unwrap().as_str(), "0905123456");
    let (_, p) = plan_of("username,full_name,role,unit_code,password\ncb1,Cán bộ Một,unit_manager,QN-LELOI,\n", &[]);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!((p.accounts[0].username.as_str(), p.accounts[0].role), ("cb1", Role::UnitManager));
}

#[test]
fn semicolons_tabs_utf16_a_bom_and_a_title_row_are_read() {
    let (_, p) = plan_of("\u{feff}DANH SÁCH CÁN BỘ;;\nSTT;Họ tên;Mã đơn vị\n1;Trần Thị Bình;snv\n;;\n", &[]);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.accounts.len(), 1, "the empty row is skipped");
    assert_eq!(p.accounts[0].row, 3);
    assert_eq!(p.accounts[0].username.as_str(), "binhtt");
    let text = "Họ và tên\tĐơn vị\r\nLê Văn Cường\tSở Nội vụ (SNV)\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let t = read_file(&utf16, &Budget::default()).unwrap();
    let p = plan(&t.rows, &|f| t.column(f), &units(), &HashSet::new(), 10);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.accounts[0].unit, Some(0));
}

#[test]
fn every_problem_is_listed_with_its_row_and_column() {
    let csv = "Họ và tên,Đơn vị,Tên đăng nhập,Email,Điện thoại,Vai trò,Mật khẩu\n\
               Nguyễn Văn An,SNV,an.nv,an@,0905123456,,\n\
               ,KHONGCO,x,,12345,giám đốc,\n\
               Trần Bình,SNV,an.nv,,,,ngan\n\
               Lê Cường,Phường Lê Lợi,cuong,,,,\n\
               Đỗ Dũng,,dung,,,Cán bộ,\n";
    let (_, p) = plan_of(csv, &["cuong"]);
    let got: Vec<(usize, &str)> = p.problems.iter().map(|x| (x.row, x.column.as_str())).collect();
    assert_eq!(
        got,
        [
            (2, "Email"),
            (3, "Họ và tên"),
            (3, "Vai trò"),
            (3, "Đơn vị"),
            (3, "Điện thoại"),
            (3, "Tên đăng nhập"),
            (4, "Tên đăng nhập"),
            (4, "Mật khẩu"),
            (5, "Đơn vị"),
            (5, "Tên đăng nhập"),
            (6, "Đơn vị"),
        ],
        "{:#?}",
        p.problems
    );
    let message = |row: usize, column: &str| {
        p.problems.iter().find(|x| x.row == row && x.column == column).map(|x| x.message.clone()).unwrap()
    };
    assert!(message(3, "Đơn vị").starts_with("Không có đơn vị mã \"KHONGCO\""));
    assert!(message(4, "Tên đăng nhập").contains("lặp lại trong tệp (đã có ở dòng 2)"));
    assert!(message(5, "Đơn vị").contains("AN-LELOI") && message(5, "Đơn vị").contains("QN-LELOI"), "ambiguous name");
    assert!(message(5, "Tên đăng nhập").contains("đã có tài khoản"));
    assert!(message(6, "Đơn vị").contains("phải thuộc một đơn vị"));
}

#[test]
fn generated_usernames_avoid_taken_ones_and_those_the_file_gives() {
    let csv = "Họ và tên,Đơn vị,Tên đăng nhập\nNguyễn Văn An,SNV,\nNguyễn Văn An,SNV,\nNgô Văn An,SNV,annv3\nAn,SNV,\n";
    let (_, p) = plan_of(csv, &["annv"]);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let names: Vec<&str> = p.accounts.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(names, ["annv2", "annv4", "annv3", "an2"]);
    assert_eq!(username_base("Lê Thị Ánh Tuyết"), "tuyetlta");
    assert_eq!(username_base("Đặng  Đức"), "ducd");
    assert_eq!(username_base("李"), "canbo");
}

#[test]
fn too_many_rows_no_rows_and_unreadable_files_are_one_problem() {
    let rows: String = (0..5).map(|i| format!("Cán bộ {i},SNV\n")).collect();
    let t = read_file(format!("Họ và tên,Đơn vị\n{rows}").as_bytes(), &Budget::default()).unwrap();
    let p = plan(&t.rows, &|f| t.column(f), &units(), &HashSet::new(), 4);
    assert_eq!(p.problems.len(), 1);
    assert!(p.problems[0].message.contains("tối đa 4"), "{:?}", p.problems);
    assert!(p.accounts.is_empty());
    let (_, p) = plan_of("Họ và tên,Đơn vị\n", &[]);
    assert!(p.problems[0].message.contains("không có dòng"));
    let broken = read_file(b"PK\x03\x04rest", &Budget::default()).unwrap_err();
    assert!(broken.message.starts_with("Không đọc được tệp Excel (.xlsx)"), "{broken:?}");
    assert!(read_file(b"H\xe4 t\xean,\xd0on v\xed\n", &Budget::default()).unwrap_err().message.contains("UTF-8"));
    assert!(read_file(b"Ten dang nhap,Don vi\nx,SNV\n", &Budget::default()).unwrap_err().message.contains("Họ và tên"));
    assert!(
        read_file("Họ và tên,Email\nAn,a@b.vn\n".as_bytes(), &Budget::default())
            .unwrap_err()
            .message
            .contains("Thiếu cột \"Đơn vị\"")
    );
    let twice = read_file("Họ và tên,Đơn vị,Mã đơn vị\nAn,SNV,SNV\n".as_bytes(), &Budget::default()).unwrap_err();
    assert_eq!((twice.row, twice.column.as_str()), (1, "Mã đơn vị"));
}

#[test]
fn unknown_columns_are_named_and_ignored() {
    let (t, p) = plan_of("STT,Họ và tên,Chức vụ,Đơn vị\n1,Phan Văn Giang,Chuyên viên,SNV\n", &[]);
    assert!(p.problems.is_empty());
    assert_eq!(t.ignored, ["Chức vụ"]);
}

/// A workbook as an organizer makes one: a merged title row, the header on
/// row 3, a unit merged over two rows, a phone typed as text and one typed
/// as a number, a row left empty.
fn workbook() -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    book.add_worksheet().set_name("Hướng dẫn").unwrap().write(0, 0, "Điền danh sách ở trang sau").unwrap();
    let sheet = book.add_worksheet().set_name("Danh sách").unwrap();
    sheet.merge_range(0, 0, 0, 4, "DANH SÁCH CÁN BỘ DỰ THI", &Format::new()).unwrap();
    for (c, h) in ["STT", "Họ và tên", "Đơn vị", "Số điện thoại", "Email"].iter().enumerate() {
        sheet.write(2, c as u16, *h).unwrap();
    }
    sheet.write(3, 0, 1).unwrap();
    sheet.write(3, 1, "Nguyễn Văn An").unwrap();
    sheet.merge_range(3, 2, 4, 2, "SNV", &Format::new()).unwrap();
    sheet.write(3, 3, "0905 123 456").unwrap();
    sheet.write(4, 0, 2).unwrap();
    sheet.write(4, 1, "Trần Thị Bình").unwrap();
    sheet.write(4, 3, 912345678).unwrap();
    sheet.write(4, 4, "binhtt@binhdinh.gov.vn").unwrap();
    sheet.write(6, 0, 3).unwrap();
    sheet.write(6, 1, "Lê Văn Cường").unwrap();
    sheet.write(6, 2, "QN-LELOI").unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn an_excel_workbook_is_read_from_the_sheet_with_the_header() {
    let t = read_file(&workbook(), &Budget::default()).unwrap();
    let rows: Vec<(usize, &str, &str, &str)> =
        t.rows.iter().map(|r| (r.row, r.cell(Field::FullName), r.cell(Field::Unit), r.cell(Field::Phone))).collect();
    assert_eq!(
        rows,
        [
            (4, "Nguyễn Văn An", "SNV", "0905 123 456"),
            (5, "Trần Thị Bình", "SNV", "0912345678"),
            (7, "Lê Văn Cường", "QN-LELOI", "")
        ]
    );
    let p = plan(&t.rows, &|f| t.column(f), &units(), &HashSet::new(), 10);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.accounts[1].unit, Some(0), "the merged unit reaches the second row");
    // A workbook with no sheet naming the full-name column says which it read.
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().set_name("Trang 1").unwrap().write(0, 0, "Tên đăng nhập").unwrap();
    let none = read_file(&book.save_to_buffer().unwrap(), &Budget::default()).unwrap_err();
    assert!(none.message.contains("\"Họ và tên\"") && none.message.contains("\"Trang 1\""), "{none:?}");
    // The budget holds here as for question sheets.
    let tight = Budget { rows: 3, ..Budget::default() };
    let refused = read_file(&workbook(), &tight).unwrap_err();
    assert!(refused.message.contains("HOITHI_BANK_"), "{refused:?}");
}
