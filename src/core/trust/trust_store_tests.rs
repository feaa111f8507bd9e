//! Trust files that load, and the ones refused at load.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::test_keys::*;
use super::*;

fn load(text: &str) -> Result<TrustStore, TrustError> {
    TrustStore::parse(text, &mut |path: &Path| match path.to_str() {
        Some("keys/ops.pub") => Ok(ED25519_PUBLIC.as_bytes().to_vec()),
        _ => Err(format!("cannot read `{}`", path.display())),
    })
}

fn entry(kid: &str, algorithm: &str, key_line: &str) -> String {
    format!(
        "[[key]]\nkid = \"{kid}\"\nalgorithm = {algorithm}\n{key_line}\nscopes = [\"packages\"]\n"
    )
}

#[test]
fn keys_load_from_paths_inline_pem_and_jwk() {
    let store = load(&format!(
        "max_lifetime = \"30d\"\n{}{}{}{}",
        entry("a", "\"EdDSA\"", "public_key = \"keys/ops.pub\""),
        entry(
            "b",
            "\"ES256\"",
            &format!("public_key = '''{P256_PUBLIC}'''")
        ),
        entry(
            "c",
            "\"RS256\"",
            &format!("public_key = '''{RSA_PUBLIC}'''")
        ),
        entry(
            "d",
            "\"HS256\"",
            &format!("secret = \"{}\"", STANDARD.encode([1u8; 32]))
        ),
    ))
    .unwrap();
    assert_eq!(store.keys().count(), 4);
    let a = store.get("a").unwrap();
    assert_eq!(a.algorithm, SigningAlgorithm::EdDSA);
    assert_eq!(a.max_lifetime_seconds, 30 * 24 * 3600);
    assert!(store.get("A").is_none());
    let jwk = r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
    assert!(load(&entry("j", "\"EdDSA\"", &format!("public_key = '{jwk}'"))).is_ok());
}

#[test]
fn unusable_trust_files_are_refused_at_load() {
    let short_secret = STANDARD.encode([1u8; 31]);
    let oct_jwk = r#"{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI"}"#;
    let cases = [
        ("short HS256 secret", entry("h", "\"HS256\"", &format!("secret = \"{short_secret}\""))),
        ("HS256 with a public key", entry("h", "\"HS256\"", "public_key = \"keys/ops.pub\"")),
        ("symmetric JWK", entry("j", "\"EdDSA\"", &format!("public_key = '{oct_jwk}'"))),
        ("two algorithms", entry("a", "[\"EdDSA\", \"RS256\"]", "public_key = \"keys/ops.pub\"")),
        ("no algorithm", "[[key]]\nkid = \"a\"\npublic_key = \"keys/ops.pub\"\nscopes = [\"packages\"]\n".into()),
        ("none algorithm", entry("a", "\"none\"", "public_key = \"keys/ops.pub\"")),
        ("duplicate kid", format!("{}{}", entry("a", "\"EdDSA\"", "public_key = \"keys/ops.pub\""), entry("a", "\"EdDSA\"", "public_key = \"keys/ops.pub\""))),
        ("path-like kid", entry("../a", "\"EdDSA\"", "public_key = \"keys/ops.pub\"")),
        ("wrong key type", entry("a", "\"ES256\"", "public_key = \"keys/ops.pub\"")),
        ("P-384 for ES256", entry("a", "\"ES256\"", &format!("public_key = '''{P384_PUBLIC}'''"))),
        ("private key", entry("a", "\"EdDSA\"", &format!("public_key = '''{ED25519_PRIVATE}'''"))),
        ("missing file", entry("a", "\"EdDSA\"", "public_key = \"keys/nope.pub\"")),
        ("unknown field", format!("{}trusted = true\n", entry("a", "\"EdDSA\"", "public_key = \"keys/ops.pub\""))),
        ("empty scopes", "[[key]]\nkid = \"a\"\nalgorithm = \"EdDSA\"\npublic_key = \"keys/ops.pub\"\nscopes = []\n".into()),
        ("bad lifetime", format!("max_lifetime = \"forever\"\n{}", entry("a", "\"EdDSA\"", "public_key = \"keys/ops.pub\""))),
    ];
    for (name, text) in cases {
        assert!(load(&text).is_err(), "{name} was accepted");
    }
}
