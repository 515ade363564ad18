//! Importing accounts from a file or a list: the columns organizers write,
//! every problem with its row and column, and a plan that is saved whole or
//! not at all.
//!
//! # The file
//!
//! CSV in UTF-8 (with or without a BOM; Excel's "CSV UTF-8") or UTF-16 with
//! a BOM (Excel's "Unicode Text"), separated by commas, semicolons (Excel
//! on a Vietnamese Windows) or tabs, whichever the header row uses most.
//! The header row is the first of the first 10 rows that names a full-name
//! column; rows above it (a title) are ignored, and so are empty rows.
//! Headers are matched without regard to case or diacritics, in Vietnamese
//! or as `hoithi users import` always named them:
//!
//! | column | names | |
//! |---|---|---|
//! | full name | Họ và tên, Họ tên, full_name | required |
//! | unit | Đơn vị, Mã đơn vị, unit_code | required for officials and unit managers: the unit's code, or its exact name |
//! | username | Tên đăng nhập, Tài khoản, username | empty: made from the name ("Nguyễn Văn An" → `annv`, then `annv2`…) |
//! | role | Vai trò, role | empty: official; the stored name or the Vietnamese words |
//! | email | Email, Thư điện tử | optional |
//! | phone | Số điện thoại, Điện thoại, SĐT, phone | optional |
//! | password | Mật khẩu, password | empty: generated |
//!
//! `STT` is ignored; other columns are ignored and named in the preview.
//! An Excel workbook (`.xlsx`) is read by the same streaming reader as
//! question sheets, under the same budget: the sheet that holds the header
//! row, each cell as Excel shows it (merged cells, dates dd/mm/yyyy, whole
//! numbers without `.0`; a phone typed as a number, which Excel shows
//! without its leading 0, gets the 0 back).

use std::collections::{HashMap, HashSet};

use super::contact::{Email, Phone};
use super::people::{FullName, NewPassword, Role, Username};
use super::text::fold_ascii;

mod file;
pub use file::read_file;

/// A column of an import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// Login name.
    Username,
    /// Display name.
    FullName,
    /// Role.
    Role,
    /// Unit code or name.
    Unit,
    /// Email.
    Email,
    /// Phone.
    Phone,
    /// Password.
    Password,
}

impl Field {
    /// Every field, in the order of the template file.
    pub const ALL: [Field; 7] =
        [Field::FullName, Field::Unit, Field::Username, Field::Role, Field::Email, Field::Phone, Field::Password];

    /// The column's Vietnamese name, as the template file writes it.
    pub fn label(self) -> &'static str {
        match self {
            Field::Username => "Tên đăng nhập",
            Field::FullName => "Họ và tên",
            Field::Role => "Vai trò",
            Field::Unit => "Đơn vị",
            Field::Email => "Email",
            Field::Phone => "Số điện thoại",
            Field::Password => "Mật khẩu",
        }
    }

    /// The field's name in the JSON API.
    pub fn api_name(self) -> &'static str {
        match self {
            Field::Username => "username",
            Field::FullName => "full_name",
            Field::Role => "role",
            Field::Unit => "unit_code",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Password => "password",
        }
    }

    /// The field a header names, matched folded.
    pub(crate) fn from_header(header: &str) -> Option<Field> {
        let h = fold_ascii(header.trim_start_matches('\u{feff}'));
        let h = h.trim_end_matches([':', '*', '.']).trim().replace('_', " ");
        let f = match h.as_str() {
            "ten dang nhap" | "tai khoan" | "username" | "user" => Field::Username,
            "ho va ten" | "ho ten" | "full name" | "ten" => Field::FullName,
            "vai tro" | "role" => Field::Role,
            "don vi" | "ma don vi" | "unit" | "unit code" | "ma dv" => Field::Unit,
            "email" | "e-mail" | "thu dien tu" => Field::Email,
            "so dien thoai" | "dien thoai" | "sdt" | "so dt" | "phone" | "di dong" => Field::Phone,
            "mat khau" | "password" => Field::Password,
            _ => return None,
        };
        Some(f)
    }
}

/// What is wrong, where: `row` 0 is the whole file (or list), and an empty
/// `column` the whole row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The row as the spreadsheet numbers it (the header is row 1), or the
    /// 1-based position in a JSON list; 0 for the whole file.
    pub row: usize,
    /// The column as the file names it (or the JSON field); empty for the whole row.
    pub column: String,
    /// What to fix, in Vietnamese.
    pub message: String,
}

pub(crate) fn problem(row: usize, column: &str, message: impl Into<String>) -> Problem {
    Problem { row, column: column.to_string(), message: message.into() }
}

/// One row as written: its number and the cells of the known columns
/// (trimmed; absent columns are empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawAccount {
    /// Row number (see [`Problem::row`]).
    pub row: usize,
    /// The cells by field.
    pub cells: HashMap<Field, String>,
}

impl RawAccount {
    fn cell(&self, f: Field) -> &str {
        self.cells.get(&f).map(String::as_str).unwrap_or("")
    }
}

/// A file read into rows.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// The rows that hold something.
    pub rows: Vec<RawAccount>,
    /// Each known column as the file names it.
    pub headers: HashMap<Field, String>,
    /// Headers of columns the import does not read.
    pub ignored: Vec<String>,
}

impl Table {
    /// The column name to show for a field: the file's header, else the template's.
    pub fn column(&self, f: Field) -> String {
        self.headers.get(&f).cloned().unwrap_or_else(|| f.label().to_string())
    }
}

/// A unit an account may belong to.
#[derive(Clone, Debug)]
pub struct UnitRef {
    /// Row id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// One account the import would create.
#[derive(Clone, Debug)]
pub struct PlannedAccount {
    /// Its row.
    pub row: usize,
    /// Login name.
    pub username: Username,
    /// Whether the username was made from the name.
    pub username_generated: bool,
    /// Display name.
    pub full_name: FullName,
    /// Role.
    pub role: Role,
    /// Its unit (an index into the units given to [`plan`]).
    pub unit: Option<usize>,
    /// Email.
    pub email: Option<Email>,
    /// Phone.
    pub phone: Option<Phone>,
    /// The password the file gives (else one is generated).
    pub password: Option<NewPassword>,
}

/// What an import would do: the accounts when there is no problem.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Every account, in file order (complete only without problems).
    pub accounts: Vec<PlannedAccount>,
    /// Every problem found.
    pub problems: Vec<Problem>,
}

/// Matches a unit cell: the code (any case), the code in parentheses at the
/// end ("Sở Nội vụ (SNV)"), or the exact name folded, when only one unit has it.
fn find_unit(units: &[UnitRef], folded_names: &[String], cell: &str) -> Result<usize, String> {
    let by_code = |code: &str| units.iter().position(|u| u.code.eq_ignore_ascii_case(code.trim()));
    if let Some(i) = by_code(cell) {
        return Ok(i);
    }
    if let Some(inner) = cell.strip_suffix(')').and_then(|s| s.rsplit_once('(')).map(|(_, c)| c)
        && let Some(i) = by_code(inner)
    {
        return Ok(i);
    }
    let folded = fold_ascii(cell);
    let named: Vec<usize> = (0..units.len()).filter(|i| folded_names[*i] == folded).collect();
    match named.as_slice() {
        [i] => Ok(*i),
        [] => Err(format!(
            "Không có đơn vị mã \"{cell}\" (ghi mã đơn vị như trang Quản trị liệt kê, ví dụ SNV, hoặc đúng tên đơn vị)."
        )),
        many => Err(format!(
            "Có {} đơn vị tên \"{cell}\": ghi mã đơn vị thay cho tên ({}).",
            many.len(),
            many.iter().map(|i| units[*i].code.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The base of a username made from a name: the given name (the last
/// word) and the initials of the others, without diacritics:
/// "Nguyễn Văn An" → `annv`, as Vietnamese offices name mailboxes.
pub fn username_base(full_name: &str) -> String {
    let words: Vec<String> = fold_ascii(full_name)
        .split(' ')
        .map(|w| w.chars().filter(char::is_ascii_alphanumeric).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect();
    let Some((given, others)) = words.split_last() else { return "canbo".into() };
    let mut base = given.clone();
    base.extend(others.iter().filter_map(|w| w.chars().next()));
    base.chars().take(28).collect()
}

/// The first of `base`, `base2`, `base3`… that is a valid username and
/// not taken (a base too short to be one starts at `base2`).
fn free_username(base: &str, taken: &dyn Fn(&str) -> bool) -> Username {
    let mut n: u64 = 1;
    loop {
        let candidate = if n == 1 { base.to_string() } else { format!("{base}{n}") };
        if let Ok(u) = Username::parse(&candidate)
            && !taken(u.as_str())
        {
            return u;
        }
        n += 1;
    }
}

/// Checks every row against the units and the usernames already taken
/// (`existing`), and plans the accounts. More than `max` rows is one
/// problem for the whole file. `column` names a field in problems.
pub fn plan(
    rows: &[RawAccount],
    column: &dyn Fn(Field) -> String,
    units: &[UnitRef],
    existing: &HashSet<String>,
    max: usize,
) -> Plan {
    let mut out = Plan::default();
    if rows.is_empty() {
        out.problems.push(problem(0, "", "Tệp không có dòng tài khoản nào dưới dòng tiêu đề."));
        return out;
    }
    if rows.len() > max {
        out.problems.push(problem(
            0,
            "",
            format!(
                "Có {} tài khoản; mỗi lần nhập tối đa {}: hãy chia ra (ví dụ theo đơn vị) rồi nhập từng phần.",
                super::numbers::thousands(rows.len() as i64),
                super::numbers::thousands(max as i64)
            ),
        ));
        return out;
    }
    let folded_names: Vec<String> = units.iter().map(|u| fold_ascii(&u.name)).collect();
    // Usernames the file gives, first: a generated one never takes them.
    let mut given_at: HashMap<String, usize> = HashMap::new();
    let mut reserved: HashSet<String> = HashSet::new();
    for r in rows {
        if let Ok(u) = Username::parse(r.cell(Field::Username))
            && !r.cell(Field::Username).is_empty()
        {
            reserved.insert(u.as_str().to_string());
        }
    }
    for r in rows {
        let before = out.problems.len();
        let mut bad = |f: Field, m: String| out.problems.push(problem(r.row, &column(f), m));
        let full_name = FullName::parse(r.cell(Field::FullName)).map_err(|m| bad(Field::FullName, m)).ok();
        let role = match r.cell(Field::Role) {
            "" => Some(Role::Official),
            s => Role::parse_loose(s)
                .ok_or_else(|| {
                    bad(
                        Field::Role,
                        format!(
                            "Vai trò \"{s}\" không rõ: ghi \"Cán bộ\" (cán bộ, công chức, viên chức), \"Cán bộ đầu mối\", \"Ban tổ chức\" hoặc \"Quản trị viên\"."
                        ),
                    )
                })
                .ok(),
        };
        let unit = match (r.cell(Field::Unit), role) {
            ("", Some(role)) if role.needs_unit() => {
                bad(
                    Field::Unit,
                    format!("{} phải thuộc một đơn vị: ghi mã đơn vị (ví dụ SNV) hoặc đúng tên đơn vị.", role.label()),
                );
                None
            }
            ("", _) => None,
            (cell, _) => find_unit(units, &folded_names, cell).map_err(|m| bad(Field::Unit, m)).ok(),
        };
        let email = Email::parse_optional(r.cell(Field::Email)).map_err(|m| bad(Field::Email, m)).ok().flatten();
        let phone = Phone::parse_optional(r.cell(Field::Phone)).map_err(|m| bad(Field::Phone, m)).ok().flatten();
        let (username, generated) = match r.cell(Field::Username) {
            "" => match &full_name {
                Some(name) => {
                    let base = username_base(name.as_str());
                    let u = free_username(&base, &|c| existing.contains(c) || reserved.contains(c));
                    reserved.insert(u.as_str().to_string());
                    (Some(u), true)
                }
                None => (None, true),
            },
            cell => match Username::parse(cell) {
                Err(m) => {
                    bad(Field::Username, m);
                    (None, false)
                }
                Ok(u) if existing.contains(u.as_str()) => {
                    bad(Field::Username, format!("Tên đăng nhập \"{}\" đã có tài khoản.", u.as_str()));
                    (None, false)
                }
                Ok(u) => match given_at.insert(u.as_str().to_string(), r.row) {
                    Some(first) => {
                        bad(
                            Field::Username,
                            format!("Tên đăng nhập \"{}\" lặp lại trong tệp (đã có ở dòng {first}).", u.as_str()),
                        );
                        (None, false)
                    }
                    None => (Some(u), false),
                },
            },
        };
        let password = match (r.cell(Field::Password), &username) {
            ("", _) => None,
            (p, u) => NewPassword::parse(p, u.as_ref().map(|u| u.as_str()).unwrap_or(""))
                .map_err(|m| bad(Field::Password, m))
                .ok(),
        };
        if out.problems.len() > before {
            continue;
        }
        if let (Some(username), Some(full_name), Some(role)) = (username, full_name, role) {
            out.accounts.push(PlannedAccount {
                row: r.row,
                username,
                username_generated: generated,
                full_name,
                role,
                unit,
                email,
                phone,
                password,
            });
        }
    }
    out
}

#[cfg(test)]
#[path = "account_import_tests.rs"]
mod tests;
