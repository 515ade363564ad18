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
        Self { cookie: Key::from(&cookie), id_number }
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
    }
}
