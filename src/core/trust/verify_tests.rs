//! Every refusal of `verify`, table-style, with fixed keys and a fixed "now".

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

const NOW: i64 = 1_800_000_000;
const DAY: i64 = 24 * 3600;
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";

const PACKAGES_ONLY: &[u8] = b"apiVersion: pkgm/v1
kind: Manifest
metadata:
  name: analytics
  revision: 7
packages:
  requests: \"==2.32.3\"
";

fn with_users(revision: u64, role: &str) -> Vec<u8> {
    format!(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata:\n  name: analytics\n  revision: {revision}\n\
         packages:\n  requests: \"==2.32.3\"\nusers:\n  alice: {{ email: alice@example.com, role: {role}, password_hash: \"{HASH}\" }}\n"
    )
    .into_bytes()
}

fn manifest(bytes: &[u8]) -> Manifest {
    parse_manifest(Path::new("m.yaml"), bytes).unwrap()
}

fn trust() -> TrustStore {
    let secret = STANDARD.encode([7u8; 32]);
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

fn header(alg: &str, kid: &str) -> Value {
    json!({ "alg": alg, "typ": MANIFEST_TOKEN_TYPE, "kid": kid })
}

fn claims(bytes: &[u8]) -> Value {
    json!({
        "iss": "ops", "aud": "pkgm-manifest", "sub": "analytics", "rev": 7,
        "sha256": hex(&Sha256::digest(bytes)), "len": bytes.len(),
        "iat": NOW - 60, "exp": NOW + 30 * DAY, "scope": ["packages"],
    })
}

/// Which refusal a case expects.
type Expect = fn(&SignatureError) -> bool;

enum Signer {
    Pem(Algorithm, &'static str),
    Secret(Algorithm, Vec<u8>),
}

fn ed() -> Signer {
    Signer::Pem(Algorithm::EdDSA, ED25519_PRIVATE)
}

fn token(header: &Value, claims: &Value, signer: &Signer) -> String {
    let encode = |value: &Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let message = format!("{}.{}", encode(header), encode(claims));
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

fn check(
    token: &str,
    bytes: &[u8],
    previous: Option<&Previous<'_>>,
) -> Result<VerifiedSignature, SignatureError> {
    verify(token, bytes, &manifest(bytes), &trust(), NOW, previous)
}

fn edited(mut value: Value, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    edit(value.as_object_mut().unwrap());
    value
}

#[test]
fn good_signatures_verify_for_every_algorithm() {
    let bytes = PACKAGES_ONLY;
    for (kid, signer) in [
        ("ops", ed()),
        ("es", Signer::Pem(Algorithm::ES256, P256_PRIVATE)),
        ("rs", Signer::Pem(Algorithm::RS256, RSA_PRIVATE)),
        ("hs", Signer::Secret(Algorithm::HS256, vec![7u8; 32])),
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

#[test]
fn bad_claims_are_refused() {
    let bytes = PACKAGES_ONLY;
    type Edit = fn(&mut serde_json::Map<String, Value>);
    let cases: Vec<(&str, Edit, Expect)> = vec![
        (
            "session audience",
            |c| {
                c.insert("aud".into(), json!("pkgm-session"));
            },
            |e| matches!(e, SignatureError::WrongAudience { .. }),
        ),
        (
            "audience list",
            |c| {
                c.insert("aud".into(), json!(["pkgm-manifest"]));
            },
            |e| matches!(e, SignatureError::WrongAudience { .. }),
        ),
        (
            "no audience",
            |c| {
                c.remove("aud");
            },
            |e| matches!(e, SignatureError::WrongAudience { .. }),
        ),
        (
            "no exp",
            |c| {
                c.remove("exp");
            },
            |e| matches!(e, SignatureError::Claim { claim, .. } if claim == "exp"),
        ),
        (
            "exp as string",
            |c| {
                c.insert("exp".into(), json!((NOW + DAY).to_string()));
            },
            |e| matches!(e, SignatureError::Claim { claim, .. } if claim == "exp"),
        ),
        (
            "exp as float",
            |c| {
                c.insert("exp".into(), json!(NOW as f64 + 0.5));
            },
            |e| matches!(e, SignatureError::Claim { claim, .. } if claim == "exp"),
        ),
        (
            "exp too large",
            |c| {
                c.insert("exp".into(), json!(u64::MAX));
            },
            |e| matches!(e, SignatureError::Claim { claim, .. } if claim == "exp"),
        ),
        (
            "rev as string",
            |c| {
                c.insert("rev".into(), json!("7"));
            },
            |e| matches!(e, SignatureError::Claim { claim, .. } if claim == "rev"),
        ),
        (
            "rev negative",
            |c| {
                c.insert("rev".into(), json!(-7));
            },
            |e| matches!(e, SignatureError::Claim { claim, .. } if claim == "rev"),
        ),
        (
            "rev too large",
            |c| {
                c.insert("rev".into(), json!(1u64 << 60));
            },
            |e| matches!(e, SignatureError::Claim { claim, .. } if claim == "rev"),
        ),
        (
            "no iat",
            |c| {
                c.remove("iat");
            },
            |e| matches!(e, SignatureError::Claim { claim, .. } if claim == "iat"),
        ),
        (
            "unknown claim",
            |c| {
                c.insert("admin".into(), json!(true));
            },
            |e| matches!(e, SignatureError::Claim { claim, .. } if claim == "admin"),
        ),
        (
            "scope unknown",
            |c| {
                c.insert("scope".into(), json!(["root"]));
            },
            |e| matches!(e, SignatureError::Claim { claim, .. } if claim == "scope"),
        ),
        (
            "scope as string",
            |c| {
                c.insert("scope".into(), json!("packages"));
            },
            |e| matches!(e, SignatureError::Claim { claim, .. } if claim == "scope"),
        ),
        (
            "expired",
            |c| {
                c.insert("iat".into(), json!(NOW - 31 * DAY));
                c.insert("exp".into(), json!(NOW - 61));
            },
            |e| matches!(e, SignatureError::Expired { .. }),
        ),
        (
            "issued in the future",
            |c| {
                c.insert("iat".into(), json!(NOW + 120));
            },
            |e| matches!(e, SignatureError::NotYetValid { claim: "iat", .. }),
        ),
        (
            "not before the future",
            |c| {
                c.insert("nbf".into(), json!(NOW + 120));
            },
            |e| matches!(e, SignatureError::NotYetValid { claim: "nbf", .. }),
        ),
        (
            "lifetime above 90 days",
            |c| {
                c.insert("exp".into(), json!(NOW + 91 * DAY));
            },
            |e| matches!(e, SignatureError::LifetimeTooLong { .. }),
        ),
        (
            "exp before iat",
            |c| {
                c.insert("exp".into(), json!(NOW - 120));
            },
            |e| matches!(e, SignatureError::Claim { claim, .. } if claim == "exp"),
        ),
        (
            "other digest",
            |c| {
                c.insert("sha256".into(), json!(hex(&Sha256::digest(b"other"))));
            },
            |e| matches!(e, SignatureError::DigestMismatch { .. }),
        ),
        (
            "other length",
            |c| {
                c.insert("len".into(), json!(PACKAGES_ONLY.len() + 1));
            },
            |e| matches!(e, SignatureError::DigestMismatch { .. }),
        ),
        (
            "uppercase digest",
            |c| {
                let d = c["sha256"].as_str().unwrap().to_uppercase();
                c.insert("sha256".into(), json!(d));
            },
            |e| matches!(e, SignatureError::Claim { claim, .. } if claim == "sha256"),
        ),
        (
            "other subject",
            |c| {
                c.insert("sub".into(), json!("billing"));
            },
            |e| matches!(e, SignatureError::SubjectMismatch { .. }),
        ),
        (
            "other revision",
            |c| {
                c.insert("rev".into(), json!(8));
            },
            |e| matches!(e, SignatureError::RevisionMismatch { .. }),
        ),
        (
            "users scope not granted",
            |c| {
                c.insert("scope".into(), json!(["packages", "users"]));
            },
            |e| matches!(e, SignatureError::ScopeNotGranted { .. }),
        ),
    ];
    for (name, edit, expected) in cases {
        let claims = edited(claims(bytes), edit);
        // `pkg` may sign only packages, so the scope case fails for the right reason.
        match check(&token(&header("EdDSA", "pkg"), &claims, &ed()), bytes, None) {
            Err(err) => assert!(expected(&err), "{name}: unexpected {err:?}"),
            Ok(_) => panic!("{name}: accepted"),
        }
    }
}

#[test]
fn clock_skew_within_the_leeway_is_tolerated() {
    let bytes = PACKAGES_ONLY;
    let claims = edited(claims(bytes), |c| {
        c.insert("iat".into(), json!(NOW + 30));
        c.insert("nbf".into(), json!(NOW + 30));
    });
    assert!(check(&token(&header("EdDSA", "ops"), &claims, &ed()), bytes, None).is_ok());
    let just_expired = edited(self::claims(bytes), |c| {
        c.insert("exp".into(), json!(NOW - 30));
        c.insert("iat".into(), json!(NOW - DAY));
    });
    assert!(check(
        &token(&header("EdDSA", "ops"), &just_expired, &ed()),
        bytes,
        None
    )
    .is_ok());
}

#[test]
fn rollback_and_equivocation_are_refused_and_a_reapply_is_accepted() {
    let bytes = PACKAGES_ONLY;
    let good = token(&header("EdDSA", "ops"), &claims(bytes), &ed());
    let digest = hex(&Sha256::digest(bytes));
    let previous = |revision, sha256: &str| Previous {
        revision,
        sha256: sha256.to_string(),
        manifest: None,
    };
    assert!(matches!(
        check(&good, bytes, Some(&previous(8, &digest))),
        Err(SignatureError::Rollback { last: 8, .. })
    ));
    assert!(matches!(
        check(&good, bytes, Some(&previous(7, &"0".repeat(64)))),
        Err(SignatureError::Equivocation { revision: 7, .. })
    ));
    let same = check(&good, bytes, Some(&previous(7, &digest))).unwrap();
    assert!(same.reapply);
    let newer = check(&good, bytes, Some(&previous(6, &"0".repeat(64)))).unwrap();
    assert!(!newer.reapply);
}

#[test]
fn changing_users_needs_the_users_scope() {
    let bytes = with_users(8, "admin");
    let packages_only = edited(claims(&bytes), |c| {
        c.insert("rev".into(), json!(8));
    });
    let token_without_users = token(&header("EdDSA", "pkg"), &packages_only, &ed());
    // No previous manifest: the users section is a change.
    assert!(matches!(
        check(&token_without_users, &bytes, None),
        Err(SignatureError::ScopeMissing {
            scope: Scope::Users
        })
    ));
    // The same users as the last signed apply: a packages key may sign it.
    let before = manifest(&with_users(7, "admin"));
    let previous = Previous {
        revision: 7,
        sha256: "0".repeat(64),
        manifest: Some(&before),
    };
    assert!(check(&token_without_users, &bytes, Some(&previous)).is_ok());
    // A role changed: refused as a whole.
    let demoted = manifest(&with_users(7, "viewer"));
    let previous = Previous {
        revision: 7,
        sha256: "0".repeat(64),
        manifest: Some(&demoted),
    };
    assert!(matches!(
        check(&token_without_users, &bytes, Some(&previous)),
        Err(SignatureError::ScopeMissing {
            scope: Scope::Users
        })
    ));
    // With the users scope, from a key granted it.
    let both = edited(packages_only, |c| {
        c.insert("scope".into(), json!(["packages", "users"]));
    });
    assert!(check(
        &token(&header("EdDSA", "ops"), &both, &ed()),
        &bytes,
        Some(&previous)
    )
    .is_ok());
}

#[test]
fn a_users_key_may_change_only_users() {
    let bytes = with_users(8, "viewer");
    let users_only = edited(claims(&bytes), |c| {
        c.insert("rev".into(), json!(8));
        c.insert("scope".into(), json!(["users"]));
    });
    let people = token(&header("EdDSA", "people"), &users_only, &ed());
    let before = manifest(&with_users(7, "admin"));
    let previous = Previous {
        revision: 7,
        sha256: "0".repeat(64),
        manifest: Some(&before),
    };
    assert!(check(&people, &bytes, Some(&previous)).is_ok());
    assert!(matches!(
        check(&people, &bytes, None),
        Err(SignatureError::ScopeMissing {
            scope: Scope::Packages
        })
    ));
}

#[test]
fn messages_escape_attacker_text() {
    let bytes = PACKAGES_ONLY;
    let sneaky = token(
        &header("EdDSA", "ops\n\u{1b}[31mfake"),
        &claims(bytes),
        &ed(),
    );
    let message = check(&sneaky, bytes, None).unwrap_err().to_string();
    let first_line = message.lines().next().unwrap();
    assert!(!first_line.contains('\u{1b}'), "{first_line}");
    assert!(first_line.contains("\\n"), "{first_line}");
}
