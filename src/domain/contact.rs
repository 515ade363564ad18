//! How to reach a person: an account's optional email and phone, and the
//! search over accounts (username, name, email, phone).

/// A contact email: one `@`, something before it, and a domain of at least
/// two labels (`binhdinh.gov.vn`); no spaces. Stored as typed with the
/// domain in lower case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses an email.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let example = "ví dụ: annv@binhdinh.gov.vn";
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("Email không được có dấu cách ({example})."));
        }
        if s.len() > 254 {
            return Err("Email dài quá 254 ký tự.".into());
        }
        let (local, domain) = match s.split('@').count() {
            1 => return Err(format!("Email \"{s}\" thiếu dấu @ ({example}).")),
            2 => s.split_once('@').unwrap_or_default(),
            _ => return Err(format!("Email \"{s}\" chỉ được có một dấu @ ({example}).")),
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local.bytes().all(|b| b.is_ascii_graphic() && !b"\"(),:;<>[\\]".contains(&b));
        if !local_ok {
            return Err(format!("Phần trước dấu @ của email \"{s}\" không hợp lệ ({example})."));
        }
        let domain = domain.to_ascii_lowercase();
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(format!("Tên miền của email (phần sau @) phải có dấu chấm ({example})."));
        }
        let label_ok = |l: &str| {
            (1..=63).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if !labels.iter().all(|l| label_ok(l)) {
            return Err(format!("Tên miền của email \"{s}\" không hợp lệ ({example})."));
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    /// `None` for an empty field, else [`Email::parse`].
    pub fn parse_optional(s: &str) -> Result<Option<Self>, String> {
        if s.trim().is_empty() { Ok(None) } else { Self::parse(s).map(Some) }
    }

    /// The email.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A contact phone: a Vietnamese mobile number, stored as `0xxxxxxxxx`
/// (10 digits; spaces, dots, dashes and `+84` accepted; the rule of
/// [`super::resident::parse_phone`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Parses a phone number.
    pub fn parse(s: &str) -> Result<Self, String> {
        super::resident::parse_phone(s).map(Self)
    }

    /// `None` for an empty field, else [`Phone::parse`].
    pub fn parse_optional(s: &str) -> Result<Option<Self>, String> {
        if s.trim().is_empty() { Ok(None) } else { Self::parse(s).map(Some) }
    }

    /// The number as `0xxxxxxxxx`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the users page searches for an account: its username, name (folded:
/// no diacritics, lower case), email and phone, in one line.
pub fn search_key(username: &str, full_name: &str, email: Option<&str>, phone: Option<&str>) -> String {
    let parts = [username, full_name, email.unwrap_or(""), phone.unwrap_or("")];
    super::text::fold_ascii(&parts.join(" "))
}

/// The words of a search on the users page, folded like [`search_key`];
/// a number typed with spaces or dots ("0905.123.456") is one word.
pub fn search_words(q: &str) -> Vec<String> {
    let folded = super::text::fold_ascii(q);
    let mut words: Vec<String> = Vec::new();
    for w in folded.split(' ').filter(|w| !w.is_empty()) {
        let digits = w.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+');
        let w: String = if digits { w.chars().filter(char::is_ascii_digit).collect() } else { w.to_string() };
        match words.last_mut() {
            // "0905 123 456": the groups of one number.
            Some(last) if digits && !last.is_empty() && last.chars().all(|c| c.is_ascii_digit()) => last.push_str(&w),
            _ if w.is_empty() => {}
            _ => words.push(w),
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_need_one_at_and_a_dot_in_the_domain() {
        for ok in ["a@b.vn", "nguyen.van.an+thi@sonoivu.binhdinh.gov.vn", "x_y-1@mail-1.com"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        assert!(Email::parse("annv.binhdinh.gov.vn").unwrap_err().contains("thiếu dấu @"));
        assert!(Email::parse("a@b@c.vn").unwrap_err().contains("một dấu @"));
        assert!(Email::parse("annv@localhost").unwrap_err().contains("dấu chấm"));
        assert!(Email::parse("an nv@b.vn").unwrap_err().contains("dấu cách"));
        for bad in ["@b.vn", "a@.vn", "a@b.", "a@-b.vn", "a@b..vn", "a<b>@c.vn", "a@bình.vn"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Email::parse_optional("  ").unwrap(), None);
    }

    #[test]
    fn phones_are_ten_digits_from_zero_with_spaces_or_dots() {
        assert_eq!(Phone::parse("0905 123 456").unwrap().as_str(), "0905123456");
        assert_eq!(Phone::parse("0905.123.456").unwrap().as_str(), "0905123456");
        assert_eq!(Phone::parse("+84 905 123 456").unwrap().as_str(), "0905123456");
        for bad in ["090512345", "09051234567", "1905123456", "0905abc456", "0205123456"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn search_finds_names_without_diacritics_and_numbers_with_spaces() {
        let key = search_key("annv", "Nguyễn Văn An", Some("AnNV@binhdinh.gov.vn"), Some("0905123456"));
        assert_eq!(key, "annv nguyen van an annv@binhdinh.gov.vn 0905123456");
        assert_eq!(search_words("  Nguyễn  AN "), ["nguyen", "an"]);
        assert_eq!(search_words("0905 123.456"), ["0905123456"]);
        assert_eq!(search_words("an 0905"), ["an", "0905"]);
        assert!(search_words("   ").is_empty());
    }
}
