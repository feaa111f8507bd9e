//! `verify` against what was applied before: rollback, equivocation, scopes, and safe messages.

use serde_json::json;
use sha2::{Digest, Sha256};

use super::verify::hex;
use super::verify_fixtures::*;
use super::*;

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
