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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_for_compare_joins_nfd_and_nfc_and_case() {
        assert_eq!(fold_for_compare("  Quyết   ĐỊNH "), fold_for_compare("quyê\u{301}t định"));
        assert_ne!(fold_for_compare("Hòa"), fold_for_compare("Hoa"));
    }

    #[test]
    fn fold_ascii_strips_diacritics() {
        assert_eq!(fold_ascii("Đáp  án"), "dap an");
        assert_eq!(fold_ascii("Mức độ"), "muc do");
    }
}
