//! Session tokens: their lifetime, revocation the moment the store changes, and private files.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::{
    fails, hashes, succeeds, user, Users, ALICE_PASSWORD, BOB_PASSWORD, CAROL_PASSWORD, MINUTE, T0,
};

#[test]
fn sessions_expire_after_their_lifetime() {
    let users = Users::new();
    users.apply(1, &[user("alice", "admin", &hashes().alice)]);
    succeeds(users.login_at("alice", ALICE_PASSWORD, T0));
    succeeds(users.pkgm_at(&["whoami"], T0 + 60 * MINUTE - 1));
    assert_eq!(
        fails(users.pkgm_at(&["whoami"], T0 + 60 * MINUTE)).stderr(),
        "error: `pkgm whoami` needs a login session with the `viewer` role or higher\n\
         \x20 caused by: the session expired\n\
         hint: run `pkgm login` again\n"
    );
    let login = |ttl: &str| {
        users
            .login_command("alice", ALICE_PASSWORD)
            .args(["--ttl", ttl])
            .env("PKGM_NOW", T0.to_string())
            .run()
    };
    succeeds(login("5m"));
    succeeds(users.pkgm_at(&["users", "list"], T0 + 5 * MINUTE - 1));
    fails(users.pkgm_at(&["users", "list"], T0 + 5 * MINUTE));
    let too_long = fails(login("2d"));
    assert!(
        too_long.stderr().contains("between 1s and 24h"),
        "{too_long}"
    );
}

#[test]
fn deleting_demoting_or_repasswording_an_account_revokes_its_session_at_once() {
    let users = Users::new();
    let h = hashes();
    let alice = user("alice", "admin", &h.alice);
    users.apply(1, &[alice.clone(), user("bob", "maintainer", &h.bob)]);
    succeeds(users.login("bob", BOB_PASSWORD));
    let python = users.python();
    let install = ["install", "--python", python.as_str(), "pip"];
    succeeds(users.pkgm(&install));

    users.apply(2, &[alice.clone(), user("bob", "viewer", &h.bob)]);
    assert_eq!(
        fails(users.pkgm(&install)).stderr(),
        "error: `bob` has the `viewer` role; `pkgm install` needs `maintainer` or higher\n\
         hint: ask an admin to change the role of `bob` in the manifest\n"
    );
    succeeds(users.pkgm(&["whoami"]));

    users.apply(3, &[alice.clone(), user("bob", "viewer", &h.carol)]);
    assert_eq!(
        fails(users.pkgm(&["whoami"])).stderr(),
        "error: `pkgm whoami` needs a login session with the `viewer` role or higher\n\
         \x20 caused by: the password of `bob` changed after this session began; the session \
         is revoked\n\
         hint: run `pkgm login` again\n"
    );
    fails(users.login("bob", BOB_PASSWORD));
    succeeds(users.login("bob", CAROL_PASSWORD));
    succeeds(users.pkgm(&["whoami"]));

    users.apply(4, &[alice.clone(), "bob: absent".into()]);
    let deleted = fails(users.pkgm(&["whoami"]));
    assert!(
        deleted
            .stderr()
            .contains("caused by: the account `bob` no longer exists; its session is revoked"),
        "{deleted}"
    );
    // A new account of the same name does not inherit the old one's session.
    users.apply(5, &[alice, user("bob", "viewer", &h.carol)]);
    fails(users.pkgm(&["whoami"]));
}

#[test]
fn state_and_session_files_are_private() {
    let users = Users::new();
    users.apply(1, &[user("alice", "admin", &hashes().alice)]);
    succeeds(users.login("alice", ALICE_PASSWORD));
    let mode = |path: &Path| {
        std::fs::metadata(path)
            .expect("the file exists")
            .permissions()
            .mode()
            & 0o777
    };
    let session = users.sandbox.path().join("config/pkgm/session");
    assert_eq!(mode(&session), 0o600);
    assert_eq!(mode(session.parent().expect("a folder")), 0o700);
    let state = users.sandbox.state_path();
    let folder = state.parent().expect("a folder");
    let files: Vec<_> = std::fs::read_dir(folder)
        .expect("the state folder")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    assert!(files.contains(&state), "{files:?}");
    for path in files {
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    std::fs::set_permissions(&session, std::fs::Permissions::from_mode(0o644))
        .expect("chmod the session");
    let exposed = fails(users.pkgm(&["whoami"]));
    assert!(
        exposed
            .stderr()
            .contains("can be read by other users (mode 644)"),
        "{exposed}"
    );
}

#[test]
fn reading_accounts_where_there_is_no_state_creates_none() {
    let users = Users::new();
    for args in [&["whoami"][..], &["users", "list"]] {
        let missing = fails(users.pkgm(args));
        assert!(
            missing.stderr().contains("there is no state at `"),
            "{missing}"
        );
        assert!(!users.sandbox.state_path().exists(), "{args:?} created it");
    }
}

#[test]
fn a_session_from_another_state_names_the_state_in_use() {
    let users = Users::new();
    let h = hashes();
    users.apply(1, &[user("alice", "admin", &h.alice)]);
    succeeds(users.login("alice", ALICE_PASSWORD));
    let other = users.sandbox.path().join("other/state.db");
    users.sandbox.write_file(
        "other.yaml",
        &format!(
            "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: other, revision: 1}}\n\
             environment: {{python: python3, prune: false}}\nusers:\n  {}\n",
            user("alice", "admin", &h.alice)
        ),
    );
    let with_other = |args: &[&str]| {
        users
            .sandbox
            .pkgm()
            .env("PKGM_STATE", &other)
            .args(args)
            .run()
    };
    succeeds(with_other(&[
        "apply",
        "other.yaml",
        "--yes",
        "--allow-unsigned",
        "--allow-unsigned-users",
    ]));
    let whoami = fails(with_other(&["whoami"]));
    assert!(
        whoami.stderr().contains(&format!(
            "the saved session was not made with the state `{}`",
            other.display()
        )) && whoami.stderr().contains("(`--state` / PKGM_STATE)"),
        "{whoami}"
    );
}
