//! Keys derived from the one configured secret (HKDF-SHA256), so that the
//! cookie key and the personal-number HMAC key are never the same bytes.

use actix_web::cookie::Key;
use hkdf::Hkdf;
use sha2::Sha256;

/// The derived keys.
#[derive(Clone)]
pub struct Keys {
    /// Signs session and CSRF cookies.
    pub cookie: Key,
    /// HMAC key for personal numbers (CCCD).
    pub id_number: [u8; 32],
    /// HMAC key for participant codes.
    pub participant_code: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(***)")
    }
}

impl Keys {
    /// Derives every key from `secret`.
    pub fn derive(secret: &str) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(b"hoithi"), secret.as_bytes());
        let mut cookie = [0u8; 64];
        let mut id_number = [0u8; 32];
        // Output lengths are far below HKDF-SHA256's limit (8160 bytes): `expand` cannot fail.
        let _ = hk.expand(b"cookie-signing-v1", &mut cookie);
        let _ = hk.expand(b"id-number-hmac-v1", &mut id_number);
        let mut participant_code = [0u8; 32];
        let _ = hk.expand(b"participant-code-hmac-v1", &mut participant_code);
        Self { cookie: Key::from(&cookie), id_number, participant_code }
    }

    /// The stored form of a CCCD number: hex HMAC-SHA256 with its own key.
    pub fn id_number_hmac(&self, digits: &str) -> String {
        hmac_hex(&self.id_number, digits.as_bytes())
    }

    /// The stored form of a participant code, bound to its contest and
    /// phone so one code means nothing for another entry.
    pub fn code_hmac(&self, contest_id: i64, phone: &str, code: &str) -> String {
        hmac_hex(&self.participant_code, format!("{contest_id}\n{phone}\n{code}").as_bytes())
    }
}

fn hmac_hex(key: &[u8], data: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    // HMAC takes keys of any length: `new_from_slice` cannot fail here.
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            hex::encode(m.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_and_deterministic() {
        let a = Keys::derive("0123456789abcdef0123456789abcdef");
        let b = Keys::derive("0123456789abcdef0123456789abcdef");
        let c = Keys::derive("fedcba9876543210fedcba9876543210");
        assert_eq!(a.cookie.master(), b.cookie.master());
        assert_ne!(a.cookie.master(), c.cookie.master());
        assert_ne!(&a.cookie.signing()[..32], &a.id_number[..]);
        assert_ne!(a.id_number, a.participant_code);
        assert_eq!(a.id_number_hmac("052080001234").len(), 64);
        assert_ne!(a.id_number_hmac("052080001234"), c.id_number_hmac("052080001234"));
        assert_ne!(a.code_hmac(1, "0912345678", "ACDEFG"), a.code_hmac(2, "0912345678", "ACDEFG"));
    }
}
