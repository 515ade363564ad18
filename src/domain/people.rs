//! People: roles, usernames, names and passwords as parsed types.

use serde::{Deserialize, Serialize};

use super::contact::{Email, Phone};
use super::text::nfc;

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything; creates organizers.
    Admin,
    /// Runs contests they own.
    Organizer,
    /// Sees one unit and the units under it (cán bộ đầu mối).
    UnitManager,
    /// Takes rounds open to officials.
    Official,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Organizer, Role::UnitManager, Role::Official];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Organizer => "organizer",
            Role::UnitManager => "unit_manager",
            Role::Official => "official",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// The Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Quản trị viên",
            Role::Organizer => "Ban tổ chức",
            Role::UnitManager => "Cán bộ đầu mối đơn vị",
            Role::Official => "Cán bộ, công chức, viên chức",
        }
    }

    /// Whether this role must belong to a unit.
    pub fn needs_unit(self) -> bool {
        matches!(self, Role::UnitManager | Role::Official)
    }

    /// Parses a role as a file written by people names it: the stored name
    /// or the Vietnamese words for it, without regard to case or diacritics
    /// ("Cán bộ", "công chức", "đầu mối", "Ban tổ chức").
    pub fn parse_loose(s: &str) -> Option<Self> {
        if let Some(r) = Role::parse(s) {
            return Some(r);
        }
        let folded = super::text::fold_ascii(s).replace(['_', '-'], " ");
        let words = folded.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>();
        let folded = words.join(" ");
        let role = match folded.as_str() {
            "admin" | "quan tri" | "quan tri vien" => Role::Admin,
            "organizer" | "ban to chuc" | "btc" | "to chuc" => Role::Organizer,
            "unit manager" | "dau moi" | "can bo dau moi" | "can bo dau moi don vi" | "quan ly don vi" => {
                Role::UnitManager
            }
            "official" | "can bo" | "cong chuc" | "vien chuc" | "can bo cong chuc vien chuc" | "cbccvc" | "cb" => {
                Role::Official
            }
            _ => return None,
        };
        Some(role)
    }
}

impl TryFrom<String> for Role {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Role::parse(&s).ok_or_else(|| format!("unknown role {s:?}"))
    }
}

/// A valid username: 3–32 of `a–z 0–9 . _ -`, stored lower case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Parses and lower-cases a username.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim().to_lowercase();
        if !(3..=32).contains(&s.len()) {
            return Err("Tên đăng nhập phải dài từ 3 đến 32 ký tự.".into());
        }
        if !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)) {
            return Err("Tên đăng nhập chỉ gồm chữ không dấu, chữ số và các dấu . _ -".into());
        }
        Ok(Self(s))
    }

    /// The username.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's full name: NFC, whitespace collapsed, 1–100 characters, no
/// control, bidirectional-control or invisible character (see
/// [`super::text::is_forbidden`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FullName(String);

impl FullName {
    /// Parses a full name.
    pub fn parse(s: &str) -> Result<Self, String> {
        // Check before collapsing whitespace: a newline is refused, not joined.
        let s = nfc(s.trim_matches(' '));
        super::text::check_line(&s).map_err(|c| format!("Họ và tên chứa ký tự không hợp lệ ({c})."))?;
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            return Err("Họ và tên không được để trống.".into());
        }
        if s.chars().count() > 100 {
            return Err("Họ và tên dài quá 100 ký tự.".into());
        }
        Ok(Self(s))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password someone chose: 8–128 characters (OWASP: length over composition rules).
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    /// Checks length; `username` may not be the password.
    pub fn parse(s: &str, username: &str) -> Result<Self, String> {
        let n = s.chars().count();
        if n < 8 {
            return Err("Mật khẩu phải có ít nhất 8 ký tự.".into());
        }
        if n > 128 {
            return Err("Mật khẩu dài quá 128 ký tự.".into());
        }
        if s.trim().eq_ignore_ascii_case(username.trim()) {
            return Err("Mật khẩu không được trùng tên đăng nhập.".into());
        }
        Ok(Self(s.to_string()))
    }

    /// The password text (to hash it).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A name as public boards show it by default: the family name whole, the
/// other words by their initial ("Nguyễn Văn An" → "Nguyễn V. A."). The
/// given name, which tells people apart, is never shown whole.
pub fn mask_name(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.split_first() {
        None => String::new(),
        Some((family, rest)) => {
            let mut out = vec![(*family).to_string()];
            out.extend(rest.iter().filter_map(|w| w.chars().next()).map(|c| format!("{}.", c.to_uppercase())));
            out.join(" ")
        }
    }
}

/// A new account's fields, checked (shared by the admin page, the API and
/// `hoithi users import`).
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Login name.
    pub username: Username,
    /// Display name.
    pub full_name: FullName,
    /// Role.
    pub role: Role,
    /// Unit code, when given (required for officials and unit managers).
    pub unit_code: Option<String>,
    /// The password, when given (else one is generated).
    pub password: Option<NewPassword>,
    /// Contact email, when given.
    pub email: Option<Email>,
    /// Contact phone, when given.
    pub phone: Option<Phone>,
}

/// A new account's fields as typed (a form, a JSON body, a row of a file).
#[derive(Clone, Copy, Debug, Default)]
pub struct AccountFields<'a> {
    /// Login name.
    pub username: &'a str,
    /// Display name.
    pub full_name: &'a str,
    /// Role's stored name.
    pub role: &'a str,
    /// Unit code ("" for none).
    pub unit_code: &'a str,
    /// Email ("" for none).
    pub email: &'a str,
    /// Phone ("" for none).
    pub phone: &'a str,
    /// Password ("" to generate one).
    pub password: &'a str,
}

impl NewAccount {
    /// Checks every field; the message says what to fix.
    pub fn parse(f: &AccountFields<'_>) -> Result<Self, String> {
        let username = Username::parse(f.username)?;
        let full_name = FullName::parse(f.full_name)?;
        let role = Role::parse(f.role).ok_or_else(|| {
            format!("Vai trò \"{}\" không hợp lệ (admin, organizer, unit_manager, official).", f.role)
        })?;
        let unit_code = Some(f.unit_code.trim().to_string()).filter(|s| !s.is_empty());
        if role.needs_unit() && unit_code.is_none() {
            return Err(format!("Vai trò {} phải thuộc một đơn vị: hãy chọn đơn vị.", role.label()));
        }
        let password =
            if f.password.is_empty() { None } else { Some(NewPassword::parse(f.password, username.as_str())?) };
        let email = Email::parse_optional(f.email)?;
        let phone = Phone::parse_optional(f.phone)?;
        Ok(Self { username, full_name, role, unit_code, password, email, phone })
    }
}

/// The 32 symbols of generated passwords: lower-case letters and digits
/// without the look-alikes `0`/`o` and `1`/`l`, so a password read from
/// paper is typed right on a phone's first keyboard.
pub const PASSWORD_ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
/// Groups of a generated password, and symbols per group: 3 × 4 × 5 bits = 60 bits.
pub const PASSWORD_GROUPS: (usize, usize) = (3, 4);

/// A generated password such as `k7mq-3xz9-pw4h`: [`PASSWORD_GROUPS`] of
/// symbols drawn uniformly from [`PASSWORD_ALPHABET`], joined by `-`.
pub fn generate_password(rng: &mut impl rand::Rng) -> String {
    let (groups, per_group) = PASSWORD_GROUPS;
    (0..groups)
        .map(|_| {
            (0..per_group)
                .map(|_| PASSWORD_ALPHABET[rng.random_range(0..PASSWORD_ALPHABET.len())] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased_and_checked() {
        assert_eq!(Username::parse(" Nguyen.Van_A ").unwrap().as_str(), "nguyen.van_a");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("nguyễn").is_err());
        assert!(Username::parse("a b c").is_err());
    }

    #[test]
    fn full_names_are_normalized() {
        assert_eq!(FullName::parse("  Nguyễn   Văn  An ").unwrap().as_str(), "Nguyễn Văn An");
        assert!(FullName::parse("   ").is_err());
        assert!(FullName::parse(&"a".repeat(101)).is_err());
        // A newline in a name once forged a log line; bidi controls reorder what boards show.
        assert!(FullName::parse("An\nINFO forged").is_err());
        assert!(FullName::parse("Nguyễn \u{202E}nA").unwrap_err().contains("U+202E"));
        assert!(FullName::parse("Nguyễn\u{200B}Văn").is_err());
        assert_eq!(FullName::parse("Nguye\u{302}\u{303}n Văn An").unwrap().as_str(), "Nguyễn Văn An", "NFC");
    }

    #[test]
    fn passwords_need_length_and_differ_from_username() {
        assert!(NewPassword::parse("short", "u").is_err());
        assert!(NewPassword::parse("canbo123", "canbo123").is_err());
        assert!(NewPassword::parse("mật khẩu dài", "u").is_ok());
        assert_eq!(format!("{:?}", NewPassword::parse("secret-secret", "u").unwrap()), "NewPassword(***)");
    }

    fn fields<'a>(username: &'a str, role: &'a str, unit_code: &'a str) -> AccountFields<'a> {
        AccountFields { username, full_name: "Cán bộ", role, unit_code, ..AccountFields::default() }
    }

    #[test]
    fn officials_need_a_unit_admins_do_not() {
        assert!(NewAccount::parse(&fields("canbo01", "official", "")).unwrap_err().contains("đơn vị"));
        let a = NewAccount::parse(&fields("Admin2", "admin", " ")).unwrap();
        assert_eq!(a.username.as_str(), "admin2");
        assert!(a.unit_code.is_none() && a.password.is_none() && a.email.is_none() && a.phone.is_none());
        assert!(NewAccount::parse(&fields("x1y", "boss", "")).is_err());
    }

    #[test]
    fn accounts_take_an_optional_email_and_phone() {
        let f = AccountFields {
            email: " AnNV@BinhDinh.Gov.VN ",
            phone: "0905.123 456",
            ..fields("annv", "official", "SNV")
        };
        let a = NewAccount::parse(&f).unwrap();
        assert_eq!(a.email.unwrap().as_str(), "AnNV@binhdinh.gov.vn", "the domain in lower case");
        assert_eq!(a.phone.unwrap().as_str(), "0905123456");
        let bad = AccountFields { phone: "12345", ..fields("annv", "official", "SNV") };
        assert!(NewAccount::parse(&bad).unwrap_err().contains("10 chữ số"));
    }

    #[test]
    fn generated_passwords_are_three_groups_of_four_from_32_symbols() {
        use rand::SeedableRng;
        let alphabet: std::collections::HashSet<u8> = PASSWORD_ALPHABET.iter().copied().collect();
        assert_eq!(alphabet.len(), 32, "32 distinct symbols: 5 bits each");
        assert!(alphabet.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        for look_alike in [b'0', b'o', b'1', b'l'] {
            assert!(!alphabet.contains(&look_alike), "{}", look_alike as char);
        }
        let (groups, per_group) = PASSWORD_GROUPS;
        assert_eq!(groups * per_group * 5, 60, "60 bits");
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let p = generate_password(&mut rng);
            assert_eq!(p.len(), 14, "{p}");
            let parts: Vec<&str> = p.split('-').collect();
            assert_eq!(parts.len(), 3, "{p}");
            assert!(parts.iter().all(|g| g.len() == 4 && g.bytes().all(|c| alphabet.contains(&c))), "{p}");
            assert!(seen.insert(p), "two generated passwords are different");
        }
        // Every symbol turns up: the draw covers the whole alphabet.
        let used: std::collections::HashSet<char> = seen.iter().flat_map(|p| p.chars()).filter(|c| *c != '-').collect();
        assert_eq!(used.len(), 32);
    }

    #[test]
    fn roles_are_read_from_the_words_people_write() {
        assert_eq!(Role::parse_loose("Cán bộ, công chức, viên chức"), Some(Role::Official));
        assert_eq!(Role::parse_loose("công chức"), Some(Role::Official));
        assert_eq!(Role::parse_loose("Cán bộ đầu mối"), Some(Role::UnitManager));
        assert_eq!(Role::parse_loose("unit_manager"), Some(Role::UnitManager));
        assert_eq!(Role::parse_loose("BAN TỔ CHỨC"), Some(Role::Organizer));
        assert_eq!(Role::parse_loose("Quản trị viên"), Some(Role::Admin));
        assert_eq!(Role::parse_loose("giám đốc"), None);
    }

    #[test]
    fn names_are_masked_to_initials_and_given_name() {
        assert_eq!(mask_name("Nguyễn Văn An"), "Nguyễn V. A.");
        assert_eq!(mask_name("An"), "An");
        assert_eq!(mask_name("  "), "");
        assert_eq!(mask_name("đỗ thị  hoa"), "đỗ T. H.");
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
