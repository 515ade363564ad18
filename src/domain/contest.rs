//! A contest's settings: who it is for and how its public boards show people.

use super::resident::RegistrationRules;

/// Who may take a contest's rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Officials with accounts (cán bộ, công chức, viên chức).
    Officials,
    /// Residents (người dân), public rounds.
    Public,
    /// Both.
    Both,
}

impl Audience {
    /// Every audience.
    pub const ALL: [Audience; 3] = [Audience::Officials, Audience::Public, Audience::Both];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Officials => "officials",
            Audience::Public => "public",
            Audience::Both => "both",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    /// Whether residents (registered per contest, no password) take part.
    pub fn admits_public(self) -> bool {
        matches!(self, Audience::Public | Audience::Both)
    }

    /// Whether officials (accounts tied to a unit) take part.
    pub fn admits_officials(self) -> bool {
        matches!(self, Audience::Officials | Audience::Both)
    }

    /// The Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            Audience::Officials => "Cán bộ, công chức, viên chức",
            Audience::Public => "Người dân",
            Audience::Both => "Cán bộ và người dân",
        }
    }
}

impl TryFrom<String> for Audience {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("unknown audience {s:?}"))
    }
}

/// A contest's settings, checked: what the organizer enters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestSettings {
    /// Stable identifier in URLs (only set when the contest is created).
    pub slug: String,
    /// Title.
    pub title: String,
    /// Short description.
    pub description: String,
    /// Rules ("thể lệ"), Markdown.
    pub rules: String,
    /// Who takes part.
    pub audience: Audience,
    /// Officials' full names on public boards; off by default, so boards
    /// show the family name and initials. Residents are always masked.
    pub show_names: bool,
    /// What residents are asked when they register.
    pub registration: RegistrationRules,
}

/// Longest title.
pub const MAX_TITLE: usize = 200;
/// Longest description.
pub const MAX_DESCRIPTION: usize = 2_000;
/// Longest rules text.
pub const MAX_RULES: usize = 20_000;

/// The stored status of a contest. Contests have no draft stage (their
/// rounds do); the column is written so a later stage can be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContestStatus {
    /// Created and visible to its audience once a round is published.
    Active,
}

impl ContestStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ContestStatus::Active => "active",
        }
    }
}

impl ContestSettings {
    /// Checks and normalizes (NFC, trimmed) what was entered.
    pub fn parse(
        slug: &str,
        title: &str,
        description: &str,
        rules: &str,
        audience: &str,
        show_names: bool,
    ) -> Result<Self, String> {
        use super::text::{check_line, check_text, nfc};
        let slug = slug.trim();
        if !super::bank::is_slug(slug) {
            return Err("Mã cuộc thi chỉ gồm chữ thường không dấu, chữ số và dấu '-' (tối đa 64 ký tự).".into());
        }
        let title = nfc(title.trim());
        if title.is_empty() || title.chars().count() > MAX_TITLE {
            return Err(format!("Tên cuộc thi không được để trống (tối đa {MAX_TITLE} ký tự)."));
        }
        let description = nfc(description.trim());
        if description.chars().count() > MAX_DESCRIPTION {
            return Err(format!("Phần giới thiệu dài quá {MAX_DESCRIPTION} ký tự."));
        }
        let rules = nfc(rules);
        if rules.chars().count() > MAX_RULES {
            return Err(format!("Thể lệ dài quá {MAX_RULES} ký tự."));
        }
        check_line(&title).map_err(|c| format!("Tên cuộc thi chứa ký tự không hợp lệ ({c})."))?;
        for (what, text) in [("Phần giới thiệu", &description), ("Thể lệ", &rules)] {
            check_text(text).map_err(|c| format!("{what} chứa ký tự không hợp lệ ({c})."))?;
        }
        let audience = Audience::parse(audience)
            .ok_or_else(|| "Đối tượng dự thi phải là officials, public hoặc both.".to_string())?;
        Ok(Self {
            slug: slug.to_string(),
            title,
            description,
            rules,
            audience,
            show_names,
            registration: RegistrationRules::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_round_trip_and_say_who_takes_part() {
        for a in Audience::ALL {
            assert_eq!(Audience::parse(a.as_str()), Some(a));
        }
        assert_eq!(Audience::parse("everyone"), None);
        assert!(Audience::Both.admits_officials());
        assert!(!Audience::Public.admits_officials());
    }

    #[test]
    fn contest_settings_are_checked_and_normalized() {
        let c = ContestSettings::parse("tuan-le", "  Tìm hiểu  ", "", "**Thể lệ**", "both", false).unwrap();
        assert_eq!(c.title, "Tìm hiểu");
        assert_eq!(c.audience, Audience::Both);
        assert!(ContestSettings::parse("Tuan Le", "x", "", "", "both", false).unwrap_err().contains("Mã"));
        assert!(ContestSettings::parse("a", " ", "", "", "both", false).unwrap_err().contains("Tên"));
        assert!(ContestSettings::parse("a", "x", "", "", "all", false).unwrap_err().contains("Đối tượng"));
        assert!(ContestSettings::parse("a", "x\u{202e}", "", "", "both", false).unwrap_err().contains("ký tự"));
    }
}
