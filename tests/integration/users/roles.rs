//! The role matrix: every session-gated command, run by nobody and by each role.

use super::{hashes, succeeds, user, Users, ALICE_PASSWORD};

#[test]
fn every_gated_command_follows_the_role_matrix() {
    let users = Users::new();
    let h = hashes();
    users.apply(
        1,
        &[
            user("vera", "viewer", &h.alice),
            user("max", "maintainer", &h.alice),
            user("ada", "admin", &h.alice),
            user("otto", "viewer", &h.bob),
        ],
    );
    let python = users.python();
    let python = python.as_str();
    // Each command is harmless when allowed: `pip` is already installed, and `missing`
    // cannot be upgraded or removed (those fail after the gate, saying so).
    #[rustfmt::skip]
    let matrix: [(&[&str], [bool; 4]); 7] = [
        //                                           nobody  viewer  maint.  admin
        (&["whoami"],                                [false, true,  true,  true]),
        (&["users", "show", "SELF"],                 [false, true,  true,  true]),
        (&["users", "show", "otto"],                 [false, false, false, true]),
        (&["users", "list"],                         [false, false, false, true]),
        (&["install", "--python", python, "pip"],    [false, false, true,  true]),
        (&["upgrade", "--python", python, "missing"], [false, false, true,  true]),
        (&["uninstall", "--python", python, "missing"], [false, false, true,  true]),
    ];
    for (column, name) in [None, Some("vera"), Some("max"), Some("ada")]
        .into_iter()
        .enumerate()
    {
        succeeds(users.pkgm(&["logout"]));
        if let Some(name) = name {
            succeeds(users.login(name, ALICE_PASSWORD));
        }
        for (args, allowed) in &matrix {
            let args: Vec<&str> = args
                .iter()
                .map(|arg| {
                    if *arg == "SELF" {
                        name.unwrap_or("vera")
                    } else {
                        arg
                    }
                })
                .collect();
            let run = users.pkgm(&args);
            let denied = run.stderr().contains("needs a login session")
                || run.stderr().contains("or higher\nhint: ask an admin");
            assert_eq!(!denied, allowed[column], "{name:?}: {run}");
            match (allowed[column], args.contains(&"missing")) {
                (true, false) => assert_eq!(run.code(), 0, "{run}"),
                (true, true) => {
                    assert!(run.stderr().contains("`missing` is not installed"), "{run}")
                }
                (false, _) => assert_eq!(run.code(), 1, "{run}"),
            }
        }
    }
}

#[test]
fn list_needs_no_session_like_plan() {
    let users = Users::new();
    let python = users.python();
    succeeds(users.pkgm(&["list", "--python", &python]));
    // Accounts change nothing for reading: `list` shows what `pip list` would.
    let h = hashes();
    users.apply(1, &[user("vera", "viewer", &h.alice)]);
    succeeds(users.pkgm(&["logout"]));
    succeeds(users.pkgm(&["list", "--python", &python]));
}
