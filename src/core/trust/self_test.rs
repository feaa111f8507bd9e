//! The start-up self-test of the crypto backend: sign and verify with an embedded Ed25519
//! key, and check that a tampered message fails. Run once by the commands that sign or verify.

use std::sync::OnceLock;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};

use super::SignatureError;

/// A throw-away key, public on purpose: it only proves that the backend signs and verifies.
const TEST_PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIDSqsNZqSmI27laMpAKNIvr8IDZLeRoapuQd84f8XeUP
-----END PRIVATE KEY-----
";
const TEST_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA9tekLRkP3/oLDe/sdxTMraTA9qNK3YpgIoDyRYf9L6c=
-----END PUBLIC KEY-----
";

/// Runs the self-test once per process; later calls return the first result.
pub fn self_test() -> Result<(), SignatureError> {
    static RESULT: OnceLock<Result<(), String>> = OnceLock::new();
    RESULT
        .get_or_init(run)
        .clone()
        .map_err(|reason| SignatureError::SelfTest { reason })
}

fn run() -> Result<(), String> {
    let message = b"pkgm self-test";
    let signing =
        EncodingKey::from_ed_pem(TEST_PRIVATE_KEY.as_bytes()).map_err(|e| e.to_string())?;
    let verifying =
        DecodingKey::from_ed_pem(TEST_PUBLIC_KEY.as_bytes()).map_err(|e| e.to_string())?;
    let signature = jsonwebtoken::crypto::sign(message, &signing, Algorithm::EdDSA)
        .map_err(|e| e.to_string())?;
    let verifies = |message: &[u8]| {
        jsonwebtoken::crypto::verify(&signature, message, &verifying, Algorithm::EdDSA)
            .map_err(|e| e.to_string())
    };
    if !verifies(message)? {
        return Err("a fresh signature did not verify".into());
    }
    if verifies(b"pkgm self-tesT")? {
        return Err("a signature verified over other bytes".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_crypto_backend_passes_its_self_test() {
        assert_eq!(super::self_test(), Ok(()));
    }
}
