//! Password hashing: argon2id with OWASP's parameters, off the async
//! threads, at most one hash per core at a time.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

/// How expensive new hashes are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PasswordCost {
    /// OWASP (2023) argon2id: m = 19 MiB, t = 2, p = 1. Always, outside tests.
    #[default]
    Owasp,
    /// The cheapest argon2id parameters, for test suites only (set in code,
    /// never by configuration): tests create and log in hundreds of accounts.
    CheapForTests,
}

impl PasswordCost {
    fn argon2(self) -> Argon2<'static> {
        let (m, t) = match self {
            PasswordCost::Owasp => (19 * 1024, 2),
            PasswordCost::CheapForTests => (8, 1),
        };
        // These constants are within argon2's limits, so `Params::new` cannot fail.
        let params = Params::new(m, t, 1, None).unwrap_or_default();
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// Hashes synchronously (CLI and start-up).
    pub fn hash_blocking(self, password: &str) -> anyhow::Result<String> {
        let salt = SaltString::generate(&mut OsRng);
        self.argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    }

    /// A hash to verify against when the username is unknown, so that the
    /// answer takes as long as for a known one.
    fn dummy_hash(self) -> &'static str {
        static OWASP: OnceLock<String> = OnceLock::new();
        static CHEAP: OnceLock<String> = OnceLock::new();
        let cell = match self {
            PasswordCost::Owasp => &OWASP,
            PasswordCost::CheapForTests => &CHEAP,
        };
        cell.get_or_init(|| self.hash_blocking("hoithi-dummy-password").unwrap_or_default())
    }
}

/// Hashes synchronously with OWASP parameters (CLI and start-up).
pub fn hash_password_blocking(password: &str) -> anyhow::Result<String> {
    PasswordCost::Owasp.hash_blocking(password)
}

/// Verifies synchronously (with the parameters the hash names); an
/// unparsable hash never matches.
pub fn verify_password_blocking(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Runs hashes on the blocking pool, one per core at a time.
#[derive(Clone, Debug)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    workers: usize,
    cost: PasswordCost,
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new(PasswordCost::Owasp)
    }
}

impl Hasher {
    /// One permit per core.
    pub fn new(cost: PasswordCost) -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        Self { permits: Arc::new(Semaphore::new(cores)), workers: cores, cost }
    }

    /// The cost of new hashes.
    pub fn cost(&self) -> PasswordCost {
        self.cost
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        let cost = self.cost;
        actix_web::web::block(move || cost.hash_blocking(&password)).await?
    }

    /// Hashes many passwords (an import), in order, on every core; each hash
    /// takes its permit on its own, so logins meanwhile wait for one hash at
    /// most, never for the whole import.
    pub async fn hash_all(&self, passwords: Vec<String>) -> anyhow::Result<Vec<String>> {
        let workers = self.workers.min(passwords.len()).max(1);
        let mut stripes: Vec<Vec<(usize, String)>> = vec![Vec::new(); workers];
        for (i, p) in passwords.into_iter().enumerate() {
            stripes[i % workers].push((i, p));
        }
        let total: usize = stripes.iter().map(Vec::len).sum();
        let handles: Vec<_> = stripes
            .into_iter()
            .map(|stripe| {
                let hasher = self.clone();
                actix_web::rt::spawn(async move {
                    let mut out = Vec::with_capacity(stripe.len());
                    for (i, p) in stripe {
                        out.push((i, hasher.hash(p).await?));
                    }
                    anyhow::Ok(out)
                })
            })
            .collect();
        let mut hashes = vec![String::new(); total];
        for h in handles {
            for (i, hash) in h.await.map_err(|e| anyhow::anyhow!("hashing task failed: {e}"))?? {
                hashes[i] = hash;
            }
        }
        Ok(hashes)
    }

    /// Verifies `password` against `hash`, or against a dummy hash when the
    /// user does not exist (and then always fails).
    pub async fn verify(&self, hash: Option<String>, password: String) -> anyhow::Result<bool> {
        let _permit = self.permits.acquire().await?;
        let cost = self.cost;
        Ok(actix_web::web::block(move || match hash {
            Some(h) => verify_password_blocking(&h, &password),
            None => {
                verify_password_blocking(cost.dummy_hash(), &password);
                false
            }
        })
        .await?)
    }
}

/// A readable random password such as `k7mq-3xz9-pw4h` (60 bits; see
/// [`crate::domain::people::generate_password`]).
pub fn generate_password() -> String {
    crate::domain::people::generate_password(&mut rand::rng())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_and_uses_argon2id_owasp_parameters() {
        let h = hash_password_blocking("mật khẩu đúng").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password_blocking(&h, "mật khẩu đúng"));
        assert!(!verify_password_blocking(&h, "mật khẩu sai"));
        assert!(!verify_password_blocking("not a hash", "x"));
    }

    #[test]
    fn generated_passwords_have_three_groups_and_differ() {
        let a = generate_password();
        assert_eq!(a.len(), 14, "{a}");
        assert_eq!(a.split('-').count(), 3, "{a}");
        assert_ne!(a, generate_password());
    }
}
