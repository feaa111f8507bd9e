//! Password hashes and passwords never appear in output, logs or history, and plaintext
//! passwords never reach the state.

use super::{hashes, user, Users, ALICE_PASSWORD, BOB_PASSWORD, CAROL_PASSWORD};

#[test]
fn no_hash_or_password_appears_in_any_output_log_or_history() {
    let users = Users::new();
    let h = hashes();
    let mut runs = Vec::new();
    let logs = ["-vv", "--log-format", "json"];
    users.write_manifest(
        1,
        &[
            user("alice", "admin", &h.alice),
            user("bob", "viewer", &h.bob),
        ],
    );
    runs.push(users.sandbox.plan().args(logs).run());
    runs.push(users.sandbox.plan().args(["--output", "json"]).run());
    runs.push(
        users
            .sandbox
            .apply()
            .args(logs)
            .args(["--output", "json"])
            .run(),
    );
    users.write_manifest(
        2,
        &[
            user("alice", "admin", &h.alice),
            user("bob", "viewer", &h.carol),
        ],
    );
    runs.push(users.apply_command().args(logs).run());
    runs.push(users.login("bob", ALICE_PASSWORD));
    runs.push(users.login("mallory", BOB_PASSWORD));
    runs.push(
        users
            .login_command("alice", ALICE_PASSWORD)
            .args(logs)
            .run(),
    );
    for args in [
        &["whoami", "-vv"][..],
        &["whoami", "--output", "json"],
        &["users", "list", "-vv"],
        &["users", "list", "--output", "json"],
        &["users", "show", "bob"],
        &["users", "show", "bob", "--output", "json"],
        &["status", "--output", "json"],
        &["history"],
        &["history", "--output", "json"],
        &["history", "3"],
        &["history", "3", "--output", "json"],
        &["history", "4", "--output", "json"],
    ] {
        runs.push(users.pkgm(args));
    }
    assert!(runs.iter().filter(|run| run.code() == 0).count() >= 15);
    let mut secrets = vec![ALICE_PASSWORD, BOB_PASSWORD, CAROL_PASSWORD];
    for hash in [&h.alice, &h.bob, &h.carol] {
        // The whole PHC string, its salt and its output: no part may leak.
        secrets.push(hash);
        secrets.extend(hash.rsplit('$').take(2));
    }
    for run in &runs {
        for secret in &secrets {
            assert!(
                !run.stdout().contains(secret) && !run.stderr().contains(secret),
                "`{secret}` leaked:\n{run}"
            );
        }
    }
    let state = std::fs::read(users.sandbox.state_path()).expect("the state");
    for password in [ALICE_PASSWORD, BOB_PASSWORD, CAROL_PASSWORD] {
        let found = state
            .windows(password.len())
            .any(|window| window == password.as_bytes());
        assert!(!found, "the password `{password}` is in the state");
    }
}
