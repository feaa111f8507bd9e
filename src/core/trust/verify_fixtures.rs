//! Keys, manifests and a token forger shared by the `verify` unit tests.

use std::path::Path;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::test_keys::*;
use super::verify::hex;
use super::*;
use crate::core::manifest::Manifest;
use crate::core::manifest_parse::parse_manifest;

/// The HS256 test secret: 32 bytes of varied values.
pub(super) fn hs_secret() -> Vec<u8> {
    (0..32u8).map(|byte| byte.wrapping_mul(41) ^ 0x5a).collect()
}

pub(super) const NOW: i64 = 1_800_000_000;
pub(super) const DAY: i64 = 24 * 3600;
pub(super) const HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";

pub(super) const PACKAGES_ONLY: &[u8] = b"apiVersion: pkgm/v1
kind: Manifest
metadata:
  name: analytics
  revision: 7
packages:
  requests: \"==2.32.3\"
";

pub(super) fn with_users(revision: u64, role: &str) -> Vec<u8> {
    format!(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata:\n  name: analytics\n  revision: {revision}\n\
         packages:\n  requests: \"==2.32.3\"\nusers:\n  alice: {{ email: alice@example.com, role: {role}, password_hash: \"{HASH}\" }}\n"
    )
    .into_bytes()
}

pub(super) fn manifest(bytes: &[u8]) -> Manifest {
    parse_manifest(Path::new("m.yaml"), bytes).unwrap()
}

pub(super) fn trust() -> TrustStore {
    let secret = STANDARD.encode(hs_secret());
    let text = format!(
        "[[key]]\nkid = \"ops\"\nalgorithm = \"EdDSA\"\npublic_key = '''{ED25519_PUBLIC}'''\nscopes = [\"packages\", \"users\"]\n\
         [[key]]\nkid = \"pkg\"\nalgorithm = \"EdDSA\"\npublic_key = '''{ED25519_PUBLIC}'''\nscopes = [\"packages\"]\n\
         [[key]]\nkid = \"people\"\nalgorithm = \"EdDSA\"\npublic_key = '''{ED25519_PUBLIC}'''\nscopes = [\"users\"]\n\
         [[key]]\nkid = \"es\"\nalgorithm = \"ES256\"\npublic_key = '''{P256_PUBLIC}'''\nscopes = [\"packages\"]\n\
         [[key]]\nkid = \"rs\"\nalgorithm = \"RS256\"\npublic_key = '''{RSA_PUBLIC}'''\nscopes = [\"packages\"]\n\
         [[key]]\nkid = \"hs\"\nalgorithm = \"HS256\"\nsecret = \"{secret}\"\nscopes = [\"packages\"]\n"
    );
    TrustStore::parse(&text, &mut |_| Err("no files".into())).unwrap()
}

pub(super) fn header(alg: &str, kid: &str) -> Value {
    json!({ "alg": alg, "typ": MANIFEST_TOKEN_TYPE, "kid": kid })
}

pub(super) fn claims(bytes: &[u8]) -> Value {
    json!({
        "iss": "ops", "aud": "pkgm-manifest", "sub": "analytics", "rev": 7,
        "sha256": hex(&Sha256::digest(bytes)), "len": bytes.len(),
        "iat": NOW - 60, "exp": NOW + 30 * DAY, "scope": ["packages"],
    })
}

/// Which refusal a case expects.
pub(super) type Expect = fn(&SignatureError) -> bool;

pub(super) enum Signer {
    Pem(Algorithm, &'static str),
    Secret(Algorithm, Vec<u8>),
}

pub(super) fn ed() -> Signer {
    Signer::Pem(Algorithm::EdDSA, ED25519_PRIVATE)
}

/// Signs `claims` under `header`. The fixtures' placeholder issuer `ops` becomes the
/// header's key id, as `pkgm sign` writes it; any other `iss` is kept as given.
pub(super) fn token(header: &Value, claims: &Value, signer: &Signer) -> String {
    let encode = |value: &Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let mut claims = claims.clone();
    if claims.get("iss") == Some(&Value::from("ops")) {
        if let Some(kid) = header.get("kid") {
            claims["iss"] = kid.clone();
        }
    }
    let message = format!("{}.{}", encode(header), encode(&claims));
    let (key, alg) = match signer {
        Signer::Pem(Algorithm::EdDSA, pem) => (
            EncodingKey::from_ed_pem(pem.as_bytes()).unwrap(),
            Algorithm::EdDSA,
        ),
        Signer::Pem(Algorithm::ES256, pem) => (
            EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
            Algorithm::ES256,
        ),
        Signer::Pem(alg, pem) => (EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(), *alg),
        Signer::Secret(alg, secret) => (EncodingKey::from_secret(secret), *alg),
    };
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, alg).unwrap();
    format!("{message}.{signature}")
}

pub(super) fn check(
    token: &str,
    bytes: &[u8],
    previous: Option<&Previous<'_>>,
) -> Result<VerifiedSignature, SignatureError> {
    verify(token, bytes, &manifest(bytes), &trust(), NOW, previous)
}

pub(super) fn edited(
    mut value: Value,
    edit: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> Value {
    edit(value.as_object_mut().unwrap());
    value
}
