//! `verify` reads claims strictly and checks times against the one "now" it is given.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::verify::hex;
use super::verify_fixtures::*;
use super::*;

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
