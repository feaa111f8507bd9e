use super::*;
use crate::core::fixtures::{HASH_A, HASH_B};
use crate::core::lockout::LOCKOUT;

const MINUTE: i64 = 60_000;

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.db")).unwrap();
    (dir, store)
}

fn alice() -> UserName {
    UserName::parse("alice").unwrap()
}

#[test]
fn five_failures_lock_until_the_lock_expires() {
    let (_dir, store) = open();
    let start = 1_000 * MINUTE;
    for minute in 0..4 {
        let outcome = store
            .settle_login(&alice(), false, &LOCKOUT, start + minute * MINUTE)
            .unwrap();
        assert_eq!(outcome, LoginOutcome::Refused { counts: true });
    }
    assert_eq!(
        store
            .recent_failures(&alice(), &LOCKOUT, start + 4 * MINUTE)
            .unwrap(),
        4
    );
    store
        .settle_login(&alice(), false, &LOCKOUT, start + 4 * MINUTE)
        .unwrap();
    let locked = store
        .settle_login(&alice(), true, &LOCKOUT, start + 18 * MINUTE)
        .unwrap();
    assert_eq!(locked, LoginOutcome::Refused { counts: false });
    let after = store
        .settle_login(&alice(), true, &LOCKOUT, start + 19 * MINUTE + 1)
        .unwrap();
    assert_eq!(after, LoginOutcome::Accepted);
}

#[test]
fn failures_outside_the_window_and_before_a_success_do_not_count() {
    let (_dir, store) = open();
    let start = 1_000 * MINUTE;
    for minute in [0, 1, 2, 3] {
        store
            .settle_login(&alice(), false, &LOCKOUT, start + minute * MINUTE)
            .unwrap();
    }
    assert_eq!(
        store
            .recent_failures(&alice(), &LOCKOUT, start + 16 * MINUTE)
            .unwrap(),
        2
    );
    store
        .settle_login(&alice(), true, &LOCKOUT, start + 16 * MINUTE)
        .unwrap();
    assert_eq!(
        store
            .recent_failures(&alice(), &LOCKOUT, start + 16 * MINUTE)
            .unwrap(),
        0
    );
}

#[test]
fn a_rehash_replaces_only_the_verifier_it_checked() {
    let (_dir, store) = open();
    let text = format!(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: t, revision: 1}}\n\
         users: {{alice: {{email: a@example.com, role: admin, password_hash: '{HASH_A}'}}}}\n"
    );
    let manifest = crate::core::manifest_parse::parse_manifest(
        std::path::Path::new("m.yaml"),
        text.as_bytes(),
    )
    .unwrap();
    store.apply_users(&manifest.users, 1).unwrap();
    let new = PasswordHash::parse(HASH_B).unwrap();
    assert!(!store
        .replace_verifier(&alice(), "something else", &new)
        .unwrap());
    assert_eq!(
        store.password_verifier(&alice()).unwrap().unwrap().1,
        HASH_A
    );
    assert!(store.replace_verifier(&alice(), HASH_A, &new).unwrap());
    let (account, verifier) = store.password_verifier(&alice()).unwrap().unwrap();
    assert_eq!(verifier, HASH_B);
    // A re-hash is the same password: the declared digest and the sessions stay.
    assert_eq!(account.credential_epoch, 1);
    assert_eq!(
        account.declared_digest,
        PasswordHash::parse(HASH_A).unwrap().digest()
    );
}

#[test]
fn the_session_key_is_made_once() {
    let (_dir, store) = open();
    assert!(store.existing_session_key().unwrap().is_none());
    let key = store.session_key(1).unwrap();
    assert_eq!(key.len(), 32);
    assert_eq!(store.session_key(2).unwrap(), key);
}
