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
            &format!("secret = \"{}\"", STANDARD.encode(varied_secret()))
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

fn varied_secret() -> Vec<u8> {
    (0..32u8).map(|byte| byte.wrapping_mul(37)).collect()
}

#[test]
fn unusable_trust_files_are_refused_at_load() {
    let short_secret = STANDARD.encode(&varied_secret()[..31]);
    let zero_secret = STANDARD.encode([0u8; 32]);
    let pattern_secret = STANDARD.encode([0xab, 0xcd].repeat(24));
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    let private_jwk = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","d":"{x}"}}"#);
    let small_rsa_jwk = format!(r#"{{"kty":"RSA","n":"{}","e":"AQAB"}}"#, b64(&[0xc3; 128]));
    let off_curve_jwk = format!(
        r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}"#,
        b64(&[1; 32]),
        b64(&[2; 32])
    );
    let secp256k1_jwk = format!(
        r#"{{"kty":"EC","crv":"secp256k1","x":"{}","y":"{}"}}"#,
        b64(&[1; 32]),
        b64(&[2; 32])
    );
    let bad_point_jwk = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, b64(&[7; 31]));
    let oct_jwk = r#"{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI"}"#;
    let cases = [
        ("short HS256 secret", entry("h", "\"HS256\"", &format!("secret = \"{short_secret}\""))),
        ("zero HS256 secret", entry("h", "\"HS256\"", &format!("secret = \"{zero_secret}\""))),
        ("patterned HS256 secret", entry("h", "\"HS256\"", &format!("secret = \"{pattern_secret}\""))),
        ("private JWK", entry("j", "\"EdDSA\"", &format!("public_key = '{private_jwk}'"))),
        ("1024-bit RSA JWK", entry("j", "\"RS256\"", &format!("public_key = '{small_rsa_jwk}'"))),
        ("off-curve P-256 JWK", entry("j", "\"ES256\"", &format!("public_key = '{off_curve_jwk}'"))),
        ("secp256k1 JWK", entry("j", "\"ES256\"", &format!("public_key = '{secp256k1_jwk}'"))),
        ("short Ed25519 JWK", entry("j", "\"EdDSA\"", &format!("public_key = '{bad_point_jwk}'"))),
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
        let result = load(&text);
        assert!(result.is_err(), "{name} was accepted");
    }
}
