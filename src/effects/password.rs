//! Hashing and checking passwords with argon2id. Salts come from the OS. A failed login
//! takes as long whoever it names (an unknown user, a wrong password, a locked account, an
//! account whose hash is cheaper or dearer than the others): see [`verify_login`].

use argon2::password_hash::{PasswordHash as Phc, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::{OsRng, RngCore};

use std::time::Instant;

use crate::core::password_policy::{Argon2Cost, CURRENT};
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

/// A login check whose failures all take the same time: twice one verification at
/// `heaviest`, the dearest cost any account in the store uses (at least `CURRENT`).
///
/// A failure first verifies the account's own hash (if there is one to check), then one
/// dummy at `heaviest` unless the own hash already was that cost, then sleeps until twice
/// the measured time of that `heaviest` verification has passed since the start. Own costs
/// are at most `heaviest`, so every failure ends at the same mark: an unknown name, a wrong
/// password and a locked account look alike, and so do accounts of different costs.
/// `stored` is `None` for an unknown or locked account. A success returns at once.
pub fn verify_login(password: &str, stored: Option<&str>, heaviest: Argon2Cost) -> bool {
    let started = Instant::now();
    let own = stored.and_then(|text| PasswordHash::parse(text).ok());
    let mut heaviest_took = None;
    if let Some(hash) = &own {
        let began = Instant::now();
        if check(password, hash.expose()) {
            return true;
        }
        if hash.cost().work() >= heaviest.work() {
            heaviest_took = Some(began.elapsed());
        }
    }
    let heaviest_took = heaviest_took.unwrap_or_else(|| {
        let began = Instant::now();
        check(password, &dummy_hash(heaviest));
        began.elapsed()
    });
    let deadline = started + heaviest_took * 2;
    std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
    false
}

/// A well-formed hash at `cost` that no password matches in practice: verifying against
/// it costs what verifying against a real hash of that cost does.
fn dummy_hash(cost: Argon2Cost) -> String {
    format!(
        "$argon2id$v=19$m={},t={},p={}$cGtnbS1kdW1teS1zYWx0$\
         ZHVtbXktaGFzaC1mb3ItdW5rbm93bi11c2Vycy0zMmI",
        cost.memory_kib, cost.iterations, cost.parallelism
    )
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
    fn login_checks_answer_like_password_checks() {
        let hash = hash_password("correct horse").unwrap();
        assert!(verify_login("correct horse", Some(hash.expose()), CURRENT));
        assert!(!verify_login("wrong horse", Some(hash.expose()), CURRENT));
        assert!(!verify_login("correct horse", None, CURRENT));
        // A dearer store: the dummy at that cost is a hash pkgm itself would accept.
        let dear = Argon2Cost {
            memory_kib: 32 * 1024,
            iterations: 3,
            parallelism: 1,
        };
        assert_eq!(PasswordHash::parse(&dummy_hash(dear)).unwrap().cost(), dear);
        assert!(!verify_login("wrong horse", Some(hash.expose()), dear));
    }

    #[test]
    fn the_dummy_hash_is_within_bounds_at_the_current_cost() {
        let dummy = PasswordHash::parse(DUMMY_HASH).unwrap();
        assert_eq!(dummy.cost(), CURRENT);
    }
}
