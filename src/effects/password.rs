//! Hashing and checking passwords with argon2id. Salts come from the OS; a check against an
//! unknown account runs against a dummy hash of the same cost, so both take as long.

use argon2::password_hash::{PasswordHash as Phc, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::{OsRng, RngCore};

use crate::core::password_policy::CURRENT;
use crate::core::user_spec::PasswordHash;

/// A well-formed hash with `CURRENT`'s cost that no password matches in practice.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$cGtnbS1kdW1teS1zYWx0$\
                          ZHVtbXktaGFzaC1mb3ItdW5rbm93bi11c2Vycy0zMmI";

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("cannot read random bytes for a salt: {0}")]
    Random(rand_core::Error),
    #[error("argon2 failed: {0}")]
    Argon2(String),
}

/// Hashes with pkgm's current parameters (OWASP's minimum: m=19 MiB, t=2, p=1).
pub fn hash_password(password: &str) -> Result<PasswordHash, PasswordError> {
    let mut salt = [0u8; 16];
    OsRng
        .try_fill_bytes(&mut salt)
        .map_err(PasswordError::Random)?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|err| PasswordError::Argon2(err.to_string()))?;
    let params = Params::new(
        CURRENT.memory_kib,
        CURRENT.iterations,
        CURRENT.parallelism,
        Some(32),
    )
    .map_err(|err| PasswordError::Argon2(err.to_string()))?;
    let text = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map_err(|err| PasswordError::Argon2(err.to_string()))?
        .to_string();
    PasswordHash::parse(&text).map_err(PasswordError::Argon2)
}

/// Whether `password` matches `stored`. A stored value outside pkgm's bounds (the state was
/// edited by hand) never matches, and costs a dummy check instead of its own parameters.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    match stored.and_then(|text| PasswordHash::parse(text).ok()) {
        Some(hash) => check(password, hash.expose()),
        None => {
            check(password, DUMMY_HASH);
            false
        }
    }
}

fn check(password: &str, phc: &str) -> bool {
    Phc::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_carry_the_current_parameters() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.expose().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!hash.cost().is_below_current());
        assert!(verify_password("correct horse", Some(hash.expose())));
        assert!(!verify_password("wrong horse", Some(hash.expose())));
        assert!(!verify_password("correct horse", None));
        assert!(!verify_password(
            "correct horse",
            Some("$argon2id$v=19$m=1,t=1,p=1$x$y")
        ));
        assert_ne!(hash_password("correct horse").unwrap(), hash);
    }

    #[test]
    fn the_dummy_hash_is_within_bounds_at_the_current_cost() {
        let dummy = PasswordHash::parse(DUMMY_HASH).unwrap();
        assert_eq!(dummy.cost(), CURRENT);
    }
}
