//! Manifest signatures, pure: the trust store, token checks, claims and signing. No file,
//! clock or randomness here: key material, bytes and "now" are passed in.

pub mod algorithm;
pub mod claims;
pub mod header;
pub mod scope;
pub mod self_test;
pub mod sign;
pub mod signature_error;
pub mod trust_entry;
pub mod trust_store;
pub mod verify;

#[cfg(test)]
mod test_keys;
#[cfg(test)]
mod trust_store_tests;
#[cfg(test)]
mod verify_claims_tests;
#[cfg(test)]
mod verify_fixtures;
#[cfg(test)]
mod verify_header_tests;
#[cfg(test)]
mod verify_state_tests;

pub use algorithm::SigningAlgorithm;
pub use scope::{Scope, ScopeSet};
pub use signature_error::SignatureError;
pub use trust_store::{TrustError, TrustStore, TrustedKey};
pub use verify::{
    accept, check_rollback, verify, verify_token, Previous, SignedClaims, VerifiedSignature,
};

/// The `typ` header of a manifest signature; anything else (a session token, another JWT) is
/// refused, so a token made for one purpose cannot be replayed as another.
pub const MANIFEST_TOKEN_TYPE: &str = "pkgm-manifest+jwt";
/// The `aud` claim of a manifest signature.
pub const MANIFEST_AUDIENCE: &str = "pkgm-manifest";
/// Clock skew tolerated between signer and verifier, in seconds.
pub const LEEWAY_SECONDS: i64 = 60;
/// The longest signature lifetime (`exp - iat`) a trust file accepts unless it says otherwise.
pub const DEFAULT_MAX_LIFETIME_SECONDS: i64 = 90 * 24 * 3600;
/// The largest signature file accepted; larger ones are refused before parsing.
pub const MAX_SIGNATURE_BYTES: usize = 16 * 1024;
/// Largest value accepted for `exp`, `iat`, `nbf`, `rev` and `len`: 2^53 - 1, so that every
/// JSON implementation reads the same number and SQLite stores it exactly.
pub const MAX_CLAIM_INTEGER: u64 = (1 << 53) - 1;
