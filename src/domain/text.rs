//! Vietnamese text: normalization and comparison.

use unicode_normalization::UnicodeNormalization;

/// The text in Unicode NFC (the form Vietnamese text is stored in).
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// A key for "is this the same text?": NFC, whitespace collapsed, lower case.
/// Diacritics are kept: "Hòa" and "Hoa" are different words.
pub fn fold_for_compare(s: &str) -> String {
    let lowered = nfc(s).to_lowercase();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A key for matching column headers: diacritics removed, `đ` → `d`, lower
/// case, whitespace collapsed ("Đáp án" and "dap an" match).
pub fn fold_ascii(s: &str) -> String {
    let stripped: String = s
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'Đ' => 'd',
            c => c,
        })
        .collect();
    stripped.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a character must never be stored in a person's name or a line of
/// text: C0 and C1 controls (NUL included), the Arabic letter mark, zero-width
/// and bidirectional formatting characters (U+200B–U+200F, U+202A–U+202E,
/// U+2060–U+2069) and the byte order mark. Vietnamese combining marks are
/// ordinary characters.
pub fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A cell of a CSV meant for people, safe to open in a spreadsheet: a value
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return would run
/// as a formula, so it gets a leading apostrophe. (Bank exports meant for
/// re-import are written exactly and never pass through here.)
pub fn neutralize_formula(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// A single line (a name, a title): no forbidden character at all.
/// The error names the character, e.g. `U+202E`.
pub fn check_line(s: &str) -> Result<(), String> {
    match s.chars().find(|c| is_forbidden(*c)) {
        Some(c) => Err(format!("U+{:04X}", u32::from(c))),
        None => Ok(()),
    }
}

/// Text of several lines (rules, descriptions): newlines and tabs are
/// fine, every other forbidden character is refused.
pub fn check_text(s: &str) -> Result<(), String> {
    match s.chars().find(|c| is_forbidden(*c) && !matches!(c, '\n' | '\r' | '\t')) {
        Some(c) => Err(format!("U+{:04X}", u32::from(c))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_for_compare_joins_nfd_and_nfc_and_case() {
        assert_eq!(fold_for_compare("  Quyết   ĐỊNH "), fold_for_compare("quyê\u{301}t định"));
        assert_ne!(fold_for_compare("Hòa"), fold_for_compare("Hoa"));
    }

    #[test]
    fn controls_bidi_and_invisible_characters_are_refused_but_vietnamese_marks_are_not() {
        assert_eq!(check_line("Nguyễn Văn An"), Ok(()));
        // "Nguyễn" written with a combining tilde and dot below, NFD style.
        assert_eq!(check_line("Nguye\u{302}\u{303}n"), Ok(()));
        for bad in ["a\u{0}b", "a\nb", "a\u{85}b", "\u{202E}nA", "a\u{200B}b", "a\u{2066}b", "\u{FEFF}a", "a\u{61C}"] {
            assert!(check_line(bad).is_err(), "{bad:?}");
        }
        assert_eq!(check_line("x\u{202e}"), Err("U+202E".into()));
        assert_eq!(check_text("dòng 1\ndòng 2\tcột"), Ok(()));
        assert!(check_text("a\u{0}").is_err());
    }

    #[test]
    fn formula_cells_are_neutralized_for_spreadsheets() {
        for bad in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralize_formula(bad), format!("'{bad}"));
        }
        assert_eq!(neutralize_formula("Nguyễn Văn An"), "Nguyễn Văn An");
        assert_eq!(neutralize_formula("12"), "12");
        assert_eq!(neutralize_formula(""), "");
    }

    #[test]
    fn fold_ascii_strips_diacritics() {
        assert_eq!(fold_ascii("Đáp  án"), "dap an");
        assert_eq!(fold_ascii("Mức độ"), "muc do");
    }
}
