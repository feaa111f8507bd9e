use std::path::Path;

use super::*;
use crate::core::fixtures::{declared, user, HASH_A, HASH_B};

fn name(text: &str) -> UserName {
    UserName::parse(text).unwrap()
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.db")).unwrap();
    (dir, store)
}

#[test]
fn user_changes_are_written_and_read_back() {
    let (_dir, store) = open();
    assert!(!store.has_accounts().unwrap());
    let users = user("alice", "admin", HASH_A) + &user("bob", "viewer", HASH_A);
    let changes = store.apply_users(&declared(&users), 10).unwrap();
    assert_eq!(changes.len(), 2);
    let bob = store.account(&name("bob")).unwrap().unwrap();
    assert_eq!((bob.role, bob.credential_epoch), (Role::Viewer, 1));
    assert!(store.apply_users(&declared(&users), 20).unwrap().is_empty());

    let users = user("alice", "admin", HASH_A) + &user("bob", "maintainer", HASH_B);
    store.apply_users(&declared(&users), 30).unwrap();
    let bob = store.account(&name("bob")).unwrap().unwrap();
    assert_eq!((bob.role, bob.credential_epoch), (Role::Maintainer, 2));
    let (_, verifier) = store.password_verifier(&name("bob")).unwrap().unwrap();
    assert_eq!(verifier, HASH_B);

    store.apply_users(&declared("bob: absent"), 40).unwrap();
    assert!(store.account(&name("bob")).unwrap().is_none());
    store
        .apply_users(&declared(&user("bob", "viewer", HASH_A)), 50)
        .unwrap();
    assert_ne!(store.account(&name("bob")).unwrap().unwrap().id, bob.id);
}

#[test]
fn a_refused_plan_changes_nothing() {
    let (_dir, store) = open();
    store
        .apply_users(&declared(&user("alice", "admin", HASH_A)), 10)
        .unwrap();
    let users = format!("alice: absent, {}", user("bob", "viewer", HASH_A));
    let err = store.apply_users(&declared(&users), 20).unwrap_err();
    assert!(matches!(err, AccountsError::LastAdmin(_)), "{err}");
    let names: Vec<String> = store
        .accounts()
        .unwrap()
        .iter()
        .map(|account| account.name.to_string())
        .collect();
    assert_eq!(names, ["alice"]);
}

#[test]
fn the_version_1_schema_gains_the_account_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    {
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection
            .execute_batch("CREATE TABLE runs (id INTEGER PRIMARY KEY); PRAGMA user_version = 1;")
            .unwrap();
    }
    // As pkgm made it: private.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let store = Store::open(Path::new(&path)).unwrap();
    assert!(!store.has_accounts().unwrap());
}
