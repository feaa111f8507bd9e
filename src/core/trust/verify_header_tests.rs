//! `verify` refuses forged and foreign headers; good tokens of every algorithm pass.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::Algorithm;
use serde_json::{json, Value};

use super::test_keys::*;
use super::verify_fixtures::*;
use super::*;

#[test]
fn good_signatures_verify_for_every_algorithm() {
    let bytes = PACKAGES_ONLY;
    for (kid, signer) in [
        ("ops", ed()),
        ("es", Signer::Pem(Algorithm::ES256, P256_PRIVATE)),
        ("rs", Signer::Pem(Algorithm::RS256, RSA_PRIVATE)),
        ("hs", Signer::Secret(Algorithm::HS256, hs_secret())),
    ] {
        let alg = match &signer {
            Signer::Pem(alg, _) | Signer::Secret(alg, _) => format!("{alg:?}"),
        };
        let verified = check(
            &token(&header(&alg, kid), &claims(bytes), &signer),
            bytes,
            None,
        )
        .unwrap_or_else(|err| panic!("{kid}: {err}"));
        assert_eq!(verified.kid, kid);
        assert_eq!(verified.revision, 7);
        assert!(!verified.reapply);
    }
}

/// The public key of `OTHER_ED25519` as a JWK, as an attacker would embed it.
fn attacker_jwk() -> Value {
    let body: String = OTHER_ED25519_PUBLIC
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = STANDARD.decode(body).unwrap();
    json!({ "kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(&der[der.len() - 32..]) })
}

#[test]
fn forged_headers_are_refused() {
    let bytes = PACKAGES_ONLY;
    let good = claims(bytes);
    let ed_header = header("EdDSA", "ops");
    let public_as_secret = Signer::Secret(Algorithm::HS256, ED25519_PUBLIC.as_bytes().to_vec());
    let other = Signer::Pem(Algorithm::EdDSA, OTHER_ED25519_PRIVATE);
    let cases: Vec<(&str, String, Expect)> = vec![
        (
            "crit",
            token(
                &edited(ed_header.clone(), |h| {
                    h.insert("crit".into(), json!(["exp"]));
                }),
                &good,
                &ed(),
            ),
            |e| matches!(e, SignatureError::CriticalHeader { .. }),
        ),
        (
            "alg none",
            {
                let t = token(&header("none", "ops"), &good, &ed());
                format!("{}.", t.rsplit_once('.').unwrap().0)
            },
            |e| matches!(e, SignatureError::AlgorithmNone),
        ),
        (
            "empty signature",
            {
                let t = token(&ed_header, &good, &ed());
                format!("{}.", t.rsplit_once('.').unwrap().0)
            },
            |e| matches!(e, SignatureError::EmptySignature),
        ),
        (
            "session typ",
            token(
                &edited(ed_header.clone(), |h| {
                    h.insert("typ".into(), json!("JWT"));
                }),
                &good,
                &ed(),
            ),
            |e| matches!(e, SignatureError::WrongType { .. }),
        ),
        (
            "no typ",
            token(
                &edited(ed_header.clone(), |h| {
                    h.remove("typ");
                }),
                &good,
                &ed(),
            ),
            |e| matches!(e, SignatureError::WrongType { .. }),
        ),
        (
            "no kid",
            token(
                &edited(ed_header.clone(), |h| {
                    h.remove("kid");
                }),
                &good,
                &ed(),
            ),
            |e| matches!(e, SignatureError::MissingKeyId),
        ),
        (
            "unknown kid",
            token(&header("EdDSA", "someone"), &good, &ed()),
            |e| matches!(e, SignatureError::UnknownKey { .. }),
        ),
        (
            "path kid",
            token(&header("EdDSA", "../../trust/ops"), &good, &ed()),
            |e| matches!(e, SignatureError::UnknownKey { .. }),
        ),
        (
            "sql kid",
            token(&header("EdDSA", "ops' OR '1'='1"), &good, &ed()),
            |e| matches!(e, SignatureError::UnknownKey { .. }),
        ),
        (
            "kid with other case",
            token(&header("EdDSA", "OPS"), &good, &ed()),
            |e| matches!(e, SignatureError::UnknownKey { .. }),
        ),
        ("another key", token(&ed_header, &good, &other), |e| {
            matches!(e, SignatureError::BadSignature { .. })
        }),
        (
            "HS256 keyed with the public key",
            token(&header("HS256", "ops"), &good, &public_as_secret),
            |e| matches!(e, SignatureError::AlgorithmMismatch { .. }),
        ),
        (
            "RS256 for an EdDSA key",
            token(
                &header("RS256", "ops"),
                &good,
                &Signer::Pem(Algorithm::RS256, RSA_PRIVATE),
            ),
            |e| matches!(e, SignatureError::AlgorithmMismatch { .. }),
        ),
        (
            "ES256 for an RS256 key",
            token(
                &header("ES256", "rs"),
                &good,
                &Signer::Pem(Algorithm::ES256, P256_PRIVATE),
            ),
            |e| matches!(e, SignatureError::AlgorithmMismatch { .. }),
        ),
        (
            "embedded jwk",
            token(
                &edited(ed_header.clone(), |h| {
                    h.insert("jwk".into(), attacker_jwk());
                }),
                &good,
                &other,
            ),
            |e| matches!(e, SignatureError::BadSignature { .. }),
        ),
        (
            "jku and x5u",
            token(
                &edited(ed_header.clone(), |h| {
                    h.insert("jku".into(), json!("https://attacker.example/keys"));
                    h.insert("x5u".into(), json!("https://attacker.example/cert"));
                }),
                &good,
                &other,
            ),
            |e| matches!(e, SignatureError::BadSignature { .. }),
        ),
        ("two parts", "abc.def".to_string(), |e| {
            matches!(e, SignatureError::Malformed { .. })
        }),
        ("not base64", "a b.c.d".to_string(), |e| {
            matches!(e, SignatureError::Malformed { .. })
        }),
        ("too large", "a".repeat(MAX_SIGNATURE_BYTES + 1), |e| {
            matches!(e, SignatureError::TooLarge { .. })
        }),
    ];
    for (name, token, expected) in cases {
        match check(&token, bytes, None) {
            Err(err) => assert!(expected(&err), "{name}: unexpected {err:?}"),
            Ok(_) => panic!("{name}: accepted"),
        }
    }
}
