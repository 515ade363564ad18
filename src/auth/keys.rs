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
    /// AES-256-GCM key for what is stored sealed (an import's passwords).
    sealing: [u8; 32],
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
        let mut sealing = [0u8; 32];
        let _ = hk.expand(b"sealing-aes-256-gcm-v1", &mut sealing);
        Self { cookie: Key::from(&cookie), id_number, participant_code, sealing }
    }

    /// `plain` sealed (AES-256-GCM, a random nonce, `context` bound as
    /// associated data), as hex: a copy of the database alone does not open it.
    pub fn seal(&self, context: &[u8], plain: &[u8]) -> String {
        use aes_gcm::aead::{Aead, Payload};
        use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
        let cipher = Aes256Gcm::new(&self.sealing.into());
        let mut nonce = [0u8; 12];
        rand::fill(&mut nonce);
        // Encrypting into a Vec fails only past GCM's 64 GiB limit.
        let sealed =
            cipher.encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad: context }).unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend(sealed);
        hex::encode(out)
    }

    /// What [`Keys::seal`] sealed with the same `context`; `None` when it was
    /// sealed under another secret or context, or changed.
    pub fn unseal(&self, context: &[u8], sealed: &str) -> Option<Vec<u8>> {
        use aes_gcm::aead::{Aead, Payload};
        use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
        let bytes = hex::decode(sealed).ok()?;
        if bytes.len() < 12 + 16 {
            return None;
        }
        let (nonce, data) = bytes.split_at(12);
        let cipher = Aes256Gcm::new(&self.sealing.into());
        cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: data, aad: context }).ok()
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
        assert_ne!(a.sealing, a.participant_code);
    }

    #[test]
    fn sealed_text_opens_only_with_its_secret_and_context() {
        let a = Keys::derive("0123456789abcdef0123456789abcdef");
        let c = Keys::derive("fedcba9876543210fedcba9876543210");
        let sealed = a.seal(b"sheet:1", "annv,k7mq-3xz9-pw4h".as_bytes());
        assert!(!sealed.contains(&hex::encode("k7mq")), "not in the clear");
        assert_eq!(a.unseal(b"sheet:1", &sealed).as_deref(), Some("annv,k7mq-3xz9-pw4h".as_bytes()));
        assert_ne!(sealed, a.seal(b"sheet:1", "annv,k7mq-3xz9-pw4h".as_bytes()), "a fresh nonce each time");
        assert_eq!(a.unseal(b"sheet:2", &sealed), None);
        assert_eq!(c.unseal(b"sheet:1", &sealed), None);
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(a.unseal(b"sheet:1", std::str::from_utf8(&tampered).unwrap()), None);
        assert_eq!(a.unseal(b"sheet:1", "zz"), None);
    }
}
