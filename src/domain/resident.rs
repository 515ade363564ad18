//! Residents (người dân) registering for a public contest: what they enter,
//! checked field by field with a message each, and the participant code
//! (mã dự thi) they continue with on another device.

use super::text::{check_line, nfc};

/// Shortest and longest name, in characters.
pub const NAME_CHARS: std::ops::RangeInclusive<usize> = 2..=80;
/// Earliest birth year accepted.
pub const FIRST_BIRTH_YEAR: i32 = 1900;
/// Characters of a participant code: no 0/O, 1/I/L, 2/Z, 5/S, 8/B or U/V,
/// so a code read aloud or copied by hand comes back the same.
pub const CODE_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTWXY34679";
/// Length of a participant code.
pub const CODE_LEN: usize = 6;

/// What a contest asks of residents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegistrationRules {
    /// The CCCD number is required (optional otherwise).
    pub requires_id_number: bool,
    /// Minimum age in years, by birth year (`None`: off).
    pub min_age: Option<i32>,
    /// Unit kinds a resident may choose (empty: every unit).
    pub unit_kinds: Vec<String>,
}

impl RegistrationRules {
    /// Checks what an organizer entered: `min_age` empty or 1–120, kinds
    /// separated by commas or spaces.
    pub fn parse(requires_id_number: bool, min_age: &str, unit_kinds: &str) -> Result<Self, String> {
        let min_age = match min_age.trim() {
            "" | "0" => None,
            s => match s.parse::<i32>() {
                Ok(n) if (1..=120).contains(&n) => Some(n),
                _ => return Err("Tuổi tối thiểu phải là số từ 1 đến 120 (để trống nếu không giới hạn).".into()),
            },
        };
        let mut kinds: Vec<String> = unit_kinds
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
        if kinds.iter().any(|k| k.len() > 32 || !k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')) {
            return Err("Loại đơn vị chỉ gồm chữ thường không dấu và dấu '_', cách nhau bởi dấu phẩy.".into());
        }
        kinds.sort();
        kinds.dedup();
        Ok(Self { requires_id_number, min_age, unit_kinds: kinds })
    }

    /// The kinds as stored (comma-separated).
    pub fn kinds_stored(&self) -> String {
        self.unit_kinds.join(",")
    }

    /// Whether a unit of `kind` may be chosen.
    pub fn admits_kind(&self, kind: &str) -> bool {
        self.unit_kinds.is_empty() || self.unit_kinds.iter().any(|k| k == kind)
    }
}

/// What a resident typed, as received.
#[derive(Clone, Debug, Default)]
pub struct RegistrationForm {
    /// Full name.
    pub full_name: String,
    /// Birth year, as typed.
    pub birth_year: String,
    /// Phone, as typed.
    pub phone: String,
    /// The chosen unit's code.
    pub unit_code: String,
    /// The CCCD number, as typed (may be empty).
    pub id_number: String,
    /// Consent to the processing of personal data.
    pub consent: bool,
}

/// A registration that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    /// Full name (NFC, trimmed, single spaces).
    pub full_name: String,
    /// Birth year.
    pub birth_year: i32,
    /// Phone as `0xxxxxxxxx`.
    pub phone: String,
    /// The chosen unit's code (checked against the unit list by the caller).
    pub unit_code: String,
    /// The 12 digits of the CCCD number, if given.
    pub id_number: Option<String>,
}

/// One field's problem: the field's name (as in the form and the API) and
/// the message for the person.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// `full_name`, `birth_year`, `phone`, `unit_code`, `id_number` or `consent`.
    pub field: &'static str,
    /// What to fix, in Vietnamese.
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError { field, message: message.into() }
}

/// A full name: NFC, trimmed, inner spaces collapsed, 2–80 characters, no
/// control, bidirectional or invisible character, at least one letter.
pub fn parse_name(s: &str) -> Result<String, String> {
    let name = nfc(s).split_whitespace().collect::<Vec<_>>().join(" ");
    let n = name.chars().count();
    if !NAME_CHARS.contains(&n) {
        return Err(format!("Họ và tên phải từ {} đến {} ký tự.", NAME_CHARS.start(), NAME_CHARS.end()));
    }
    check_line(&name).map_err(|c| format!("Họ và tên chứa ký tự không hợp lệ ({c})."))?;
    if !name.chars().any(char::is_alphabetic) {
        return Err("Họ và tên phải có chữ cái.".into());
    }
    Ok(name)
}

/// A Vietnamese mobile number as `0xxxxxxxxx`: `0` then 9 digits, the
/// second digit 3, 5, 7, 8 or 9; `+84…` and `84…` are accepted, with
/// spaces, dots or dashes.
pub fn parse_phone(s: &str) -> Result<String, String> {
    let compact: String = s.trim().chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    let national = if let Some(rest) = compact.strip_prefix("+84") {
        format!("0{rest}")
    } else if compact.len() == 11 && compact.starts_with("84") {
        format!("0{}", &compact[2..])
    } else {
        compact
    };
    let b = national.as_bytes();
    let ok = b.len() == 10
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'0'
        && matches!(b[1], b'3' | b'5' | b'7' | b'8' | b'9');
    if ok {
        Ok(national)
    } else {
        Err("Số điện thoại di động phải có 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (có thể viết +84).".into())
    }
}

/// The 12 digits of a CCCD number (spaces and dots ignored).
pub fn parse_id_number(s: &str) -> Result<String, String> {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
    if digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err("Số định danh cá nhân (số căn cước) gồm đúng 12 chữ số.".into())
    }
}

/// Checks every field against the contest's rules in `this_year`; all the
/// problems at once, so the person fixes them in one go.
pub fn check(
    form: &RegistrationForm,
    rules: &RegistrationRules,
    this_year: i32,
) -> Result<Registration, Vec<FieldError>> {
    let mut errors = Vec::new();
    let full_name = parse_name(&form.full_name).map_err(|m| errors.push(err("full_name", m))).ok();
    let birth_year = match form.birth_year.trim().parse::<i32>() {
        Ok(y) if (FIRST_BIRTH_YEAR..=this_year).contains(&y) => match rules.min_age {
            Some(min) if this_year - y < min => {
                errors
                    .push(err("birth_year", format!("Cuộc thi dành cho người từ đủ {min} tuổi (tính theo năm sinh).")));
                None
            }
            _ => Some(y),
        },
        _ => {
            errors.push(err("birth_year", format!("Năm sinh phải là số từ {FIRST_BIRTH_YEAR} đến {this_year}.")));
            None
        }
    };
    let phone = parse_phone(&form.phone).map_err(|m| errors.push(err("phone", m))).ok();
    let unit_code = form.unit_code.trim().to_string();
    if unit_code.is_empty() || unit_code.len() > 64 {
        errors.push(err("unit_code", "Hãy chọn xã, phường hoặc đơn vị của bạn."));
    }
    let id_number = match form.id_number.trim() {
        "" if rules.requires_id_number => {
            errors.push(err("id_number", "Cuộc thi yêu cầu số định danh cá nhân (12 chữ số trên thẻ căn cước)."));
            None
        }
        "" => None,
        s => parse_id_number(s).map_err(|m| errors.push(err("id_number", m))).ok(),
    };
    if !form.consent {
        errors.push(err("consent", "Bạn cần đồng ý cho xử lý dữ liệu cá nhân để đăng ký dự thi."));
    }
    match (full_name, birth_year, phone) {
        (Some(full_name), Some(birth_year), Some(phone)) if errors.is_empty() => {
            Ok(Registration { full_name, birth_year, phone, unit_code, id_number })
        }
        _ => Err(errors),
    }
}

/// The errors as one message (for the API's `error` field).
pub fn summary(errors: &[FieldError]) -> String {
    errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ")
}

/// A new participant code from `random` bytes (one per character).
pub fn code_from(random: [u8; CODE_LEN]) -> String {
    // 23 letters: the modulo bias (256 = 11 × 23 + 3) is under 2%, and a
    // code is a speed bump against guessing, not a key.
    random.iter().map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char).collect()
}

/// A code as typed: upper case, spaces and dashes removed; `None` when it
/// cannot be a code (wrong length or a character outside the alphabet).
pub fn normalize_code(s: &str) -> Option<String> {
    let c: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect::<String>().to_uppercase();
    (c.len() == CODE_LEN && c.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> RegistrationForm {
        RegistrationForm {
            full_name: "  Nguyễn   Văn An ".into(),
            birth_year: "1980".into(),
            phone: "+84 912.345.678".into(),
            unit_code: "QN-LELOI".into(),
            id_number: "".into(),
            consent: true,
        }
    }

    #[test]
    fn a_good_form_is_normalized() {
        let r = check(&form(), &RegistrationRules::default(), 2026).unwrap();
        assert_eq!(r.full_name, "Nguyễn Văn An");
        assert_eq!(r.phone, "0912345678");
        assert_eq!(r.birth_year, 1980);
        assert_eq!(r.id_number, None);
    }

    #[test]
    fn phones_in_every_accepted_spelling() {
        for p in ["0912345678", "+84912345678", "84912345678", "0912 345 678", "091.234.5678", "+84 91-234-5678"] {
            assert_eq!(parse_phone(p).as_deref(), Ok("0912345678"), "{p}");
        }
        for p in ["0312345678", "0512345678", "0712345678", "0812345678"] {
            assert!(parse_phone(p).is_ok(), "{p}");
        }
        for p in [
            "",
            "091234567",
            "09123456789",
            "0112345678",
            "0212345678",
            "0412345678",
            "0612345678",
            "1912345678",
            "09123a5678",
            "+85912345678",
            "849123456789",
        ] {
            assert!(parse_phone(p).is_err(), "{p}");
        }
    }

    #[test]
    fn names_are_checked() {
        assert!(parse_name("A").is_err());
        assert_eq!(parse_name("Lê Na").as_deref(), Ok("Lê Na"));
        assert!(parse_name(&"a".repeat(81)).is_err());
        assert!(parse_name(&"ă".repeat(80)).is_ok());
        assert!(parse_name("Trần\u{202e}Bình").unwrap_err().contains("U+202E"));
        assert!(parse_name("12 34").unwrap_err().contains("chữ cái"));
        // NFD input is stored NFC.
        assert_eq!(parse_name("Nguye\u{302}\u{303}n An").unwrap(), "Nguyễn An");
    }

    #[test]
    fn every_field_says_what_is_wrong_at_once() {
        let bad = RegistrationForm {
            full_name: "x".into(),
            birth_year: "1899".into(),
            phone: "12345".into(),
            unit_code: " ".into(),
            id_number: "123".into(),
            consent: false,
        };
        let errs = check(&bad, &RegistrationRules::default(), 2026).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["full_name", "birth_year", "phone", "unit_code", "id_number", "consent"]);
        assert!(summary(&errs).contains("Năm sinh phải là số từ 1900 đến 2026."));
    }

    #[test]
    fn birth_year_bounds_and_minimum_age() {
        let rules = RegistrationRules { min_age: Some(18), ..Default::default() };
        let mut f = form();
        f.birth_year = "2008".into();
        assert!(check(&f, &rules, 2026).is_ok());
        f.birth_year = "2009".into();
        assert!(check(&f, &rules, 2026).unwrap_err()[0].message.contains("đủ 18 tuổi"));
        f.birth_year = "2027".into();
        assert!(check(&f, &RegistrationRules::default(), 2026).is_err());
        f.birth_year = "1900".into();
        assert!(check(&f, &RegistrationRules::default(), 2026).is_ok());
    }

    #[test]
    fn id_number_required_only_when_the_contest_says_so() {
        let rules = RegistrationRules { requires_id_number: true, ..Default::default() };
        assert_eq!(check(&form(), &rules, 2026).unwrap_err()[0].field, "id_number");
        let mut f = form();
        f.id_number = "0520 8000 1234".into();
        assert_eq!(check(&f, &rules, 2026).unwrap().id_number.as_deref(), Some("052080001234"));
        f.id_number = "05208000123".into();
        assert!(check(&f, &RegistrationRules::default(), 2026).is_err());
    }

    #[test]
    fn codes_avoid_look_alikes_and_read_back() {
        let c = code_from([0, 22, 23, 255, 100, 7]);
        assert_eq!(c.len(), CODE_LEN);
        assert!(!c.contains(['0', 'O', '1', 'I', 'L', '2', 'Z', '5', 'S', '8', 'B', 'U', 'V']));
        assert_eq!(normalize_code(&c.to_lowercase()).as_deref(), Some(c.as_str()));
        assert_eq!(normalize_code("acd-efg").as_deref(), Some("ACDEFG"));
        assert_eq!(normalize_code("ACDEF"), None);
        assert_eq!(normalize_code("ACDEF0"), None);
    }

    #[test]
    fn rules_parse_kinds_and_age() {
        let r = RegistrationRules::parse(true, "18", "xa, phuong thi_tran,xa").unwrap();
        assert_eq!(r.unit_kinds, ["phuong", "thi_tran", "xa"]);
        assert_eq!(r.min_age, Some(18));
        assert!(r.admits_kind("xa") && !r.admits_kind("so_nganh"));
        assert!(RegistrationRules::default().admits_kind("so_nganh"));
        assert!(RegistrationRules::parse(false, "abc", "").is_err());
        assert!(RegistrationRules::parse(false, "", "Xã").is_err());
        assert_eq!(RegistrationRules::parse(false, " ", "").unwrap().min_age, None);
    }
}
