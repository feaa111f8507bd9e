//! Users and sessions through the real binary: accounts reconciled by apply, login and its
//! failures, lockouts and expiry (on the `PKGM_NOW` test clock, never sleeps), revocation,
//! the role matrix, and that no hash or password ever leaves the store.
//!
//! Manifests here manage the system `python3` with `prune: false` and no packages, so apply
//! never starts pip; only `imperative_changes_*` builds a real venv.

mod support;

use std::path::Path;

use support::{hashes, user_entry, World, ALICE_PASSWORD, BOB_PASSWORD, CAROL_PASSWORD};

const T0: i64 = 1_900_000_000;
const MINUTE: i64 = 60;

#[test]
fn apply_creates_updates_and_deletes_users_visible_in_users_list() {
    let world = World::new();
    let h = hashes();
    world.apply_users(
        1,
        &[
            user_entry("alice", "admin", &h.alice),
            user_entry("bob", "maintainer", &h.bob),
            user_entry("carol", "viewer", &h.carol),
        ],
    );
    world.login("alice", ALICE_PASSWORD).success();
    let listed = world.pkgm(&["users", "list"]).success();
    assert_eq!(
        listed.stdout,
        "NAME   ROLE        EMAIL              STATUS\n\
         alice  admin       alice@example.com  active\n\
         bob    maintainer  bob@example.com    active\n\
         carol  viewer      carol@example.com  active\n"
    );

    let manifest = world.write_users_manifest(
        2,
        &[
            user_entry("alice", "admin", &h.alice),
            "bob: {email: robert@example.com, role: viewer, password_hash: 'BOB'}"
                .replace("BOB", &h.carol),
            "carol: absent".into(),
        ],
    );
    let plan = world
        .pkgm_args(&["plan"], &manifest, &["--allow-unsigned"])
        .success();
    assert!(
        plan.stdout.contains(
            "  ~ user bob update (email, role, password)\n  - user carol delete\n\n\
             Plan: 1 user to update, 1 user to delete.\n"
        ),
        "{}",
        plan.stdout
    );
    let applied = world
        .pkgm_args(&["apply"], &manifest, &["--allow-unsigned", "--yes", "-q"])
        .success();
    assert_eq!(applied.stdout, "");
    let listed = world.pkgm(&["users", "list", "--output", "json"]).success();
    let accounts: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let summary: Vec<(String, String, String)> = accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let field = |name: &str| a[name].as_str().unwrap_or_default().to_string();
            (field("name"), field("role"), field("email"))
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("alice".into(), "admin".into(), "alice@example.com".into()),
            ("bob".into(), "viewer".into(), "robert@example.com".into()),
        ]
    );
    let again = world
        .pkgm_args(&["plan"], &manifest, &["--allow-unsigned"])
        .success();
    assert!(again.stdout.starts_with("No changes."), "{}", again.stdout);
}

#[test]
fn yaml_and_toml_manifests_give_the_same_plan() {
    let world = World::new();
    let h = hashes();
    let yaml = world.write_users_manifest(
        1,
        &[
            user_entry("alice", "admin", &h.alice),
            user_entry("bob", "viewer", &h.bob),
            "carol: absent".into(),
        ],
    );
    let toml = world.write(
        "manifest.toml",
        &format!(
            "apiVersion = \"pkgm/v1\"\nkind = \"Manifest\"\n\n[metadata]\nname = \"team\"\nrevision = 1\n\n\
             [environment]\npython = \"python3\"\n\n\
             [users.alice]\nemail = \"alice@example.com\"\nrole = \"admin\"\npassword_hash = \"{}\"\n\n\
             [users.bob]\nemail = \"bob@example.com\"\nrole = \"viewer\"\npassword_hash = \"{}\"\n\n\
             [users]\ncarol = \"absent\"\n",
            h.alice, h.bob
        ),
    );
    let plans: Vec<serde_json::Value> = [&yaml, &toml]
        .iter()
        .map(|manifest| {
            let out = world
                .pkgm_args(
                    &["plan", "--output", "json"],
                    manifest,
                    &["--allow-unsigned"],
                )
                .success();
            serde_json::from_str(&out.stdout).unwrap()
        })
        .collect();
    assert_eq!(plans[0]["changes"], plans[1]["changes"]);
    assert_eq!(plans[0]["summary"], plans[1]["summary"]);
    assert_eq!(
        plans[0]["changes"][0],
        serde_json::json!({"kind": "user", "action": "create", "name": "alice",
                           "fields": ["email", "role", "password"]})
    );
}

#[test]
fn bad_user_declarations_are_refused_with_line_and_column() {
    let world = World::new();
    let h = hashes();
    let weak = "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
    let absurd = "$argon2id$v=19$m=4194304,t=9,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
    for (entry, expected) in [
        (
            user_entry("Alice", "admin", &h.alice),
            "manifest.yaml:6:3: users: `Alice` is not a valid user name",
        ),
        (
            "alice: {email: not-an-email, role: admin, password_hash: 'X'}".replace("X", &h.alice),
            "manifest.yaml:6:18: users.alice.email: `not-an-email` is not a valid email address",
        ),
        (
            "alice: {email: a@example.com, role: root, password_hash: 'X'}".replace("X", &h.alice),
            "manifest.yaml:6:39: users.alice.role: unknown variant `root`",
        ),
        (
            "alice: {email: a@example.com, role: admin, password: hunter22}".into(),
            "a plaintext `password` is not allowed in a manifest",
        ),
        (
            format!("alice: {{email: a@example.com, role: admin, password_hash: '{weak}'}}"),
            "uses m=1024 KiB of memory; pkgm accepts 7168 to 1048576 KiB",
        ),
        (
            format!("alice: {{email: a@example.com, role: admin, password_hash: '{absurd}'}}"),
            "uses m=4194304 KiB of memory",
        ),
    ] {
        let manifest = world.write_users_manifest(1, std::slice::from_ref(&entry));
        let out = world
            .pkgm_args(&["plan"], &manifest, &["--allow-unsigned"])
            .failure();
        assert!(out.stderr.contains(expected), "{entry}\n{}", out.stderr);
        assert!(!out.stderr.contains("c29tZXNhbHRz"), "{}", out.stderr);
    }
}

#[test]
fn hash_password_prints_an_argon2id_string_at_owasp_minimum_cost() {
    let world = World::new();
    let out = world
        .pkgm_stdin(
            &["hash-password", "--password-stdin"],
            "a long passphrase\n",
            None,
        )
        .success();
    assert!(
        out.stdout.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        out.stdout
    );
    assert_eq!(out.stdout.lines().count(), 1);
    let short = world
        .pkgm_stdin(&["hash-password", "--password-stdin"], "short\n", None)
        .failure();
    assert!(
        short.stderr.contains("shorter than 8 characters"),
        "{}",
        short.stderr
    );
    assert_eq!(short.stdout, "");
}

#[test]
fn login_succeeds_with_the_right_password_and_whoami_shows_the_session() {
    let world = World::new();
    world.apply_users(1, &[user_entry("alice", "admin", &hashes().alice)]);
    let out = world.login_at("alice", ALICE_PASSWORD, T0).success();
    assert_eq!(
        out.stdout,
        "Logged in as `alice` (admin) until 2030-03-17T18:46:40Z.\n"
    );
    let whoami = world.pkgm_at(&["whoami"], T0 + 10).success();
    assert_eq!(
        whoami.stdout,
        "alice (admin), session valid until 2030-03-17T18:46:40Z\n"
    );
    let json = world
        .pkgm_at(&["whoami", "--output", "json"], T0 + 10)
        .success();
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["role"], "admin");
    assert_eq!(value["expires_at"], "2030-03-17T18:46:40Z");
    assert_eq!(world.pkgm(&["logout"]).success().stdout, "Logged out.\n");
    let gone = world.pkgm(&["whoami"]).failure();
    assert!(
        gone.stderr.contains("nobody is logged in"),
        "{}",
        gone.stderr
    );
}

#[test]
fn unknown_users_wrong_passwords_and_locked_accounts_fail_alike() {
    let world = World::new();
    world.apply_users(1, &[user_entry("alice", "admin", &hashes().alice)]);
    let unknown = world.login_at("mallory", ALICE_PASSWORD, T0).failure();
    let wrong = world.login_at("alice", "not the password", T0).failure();
    assert_eq!(
        unknown.stderr,
        "error: login failed: unknown user or wrong password, or the account is locked\n\
         hint: after 5 failed logins within 15 minutes an account is locked for 15 minutes\n"
    );
    assert_eq!(
        (&unknown.stdout, &unknown.code),
        (&wrong.stdout, &wrong.code)
    );
    assert_eq!(unknown.stderr, wrong.stderr);
    for _ in 0..4 {
        world.login_at("alice", "not the password", T0).failure();
    }
    let locked = world
        .login_at("alice", ALICE_PASSWORD, T0 + MINUTE)
        .failure();
    assert_eq!(
        (&locked.stdout, &locked.stderr, locked.code),
        (&wrong.stdout, &wrong.stderr, wrong.code)
    );

    // About as long: an unknown user is checked against a dummy hash of the same cost.
    let fastest = |user: &str| {
        (0..3)
            .map(|_| {
                world
                    .login_at(user, "not the password", T0 + 20 * MINUTE)
                    .elapsed
            })
            .min()
            .unwrap()
    };
    let (unknown, wrong) = (fastest("mallory"), fastest("alice"));
    let ratio = unknown.as_secs_f64() / wrong.as_secs_f64();
    assert!(
        (0.33..3.0).contains(&ratio),
        "unknown {unknown:?} vs wrong {wrong:?}"
    );
}

#[test]
fn five_failures_lock_the_account_for_fifteen_minutes() {
    let world = World::new();
    let h = hashes();
    world.apply_users(
        1,
        &[
            user_entry("alice", "admin", &h.alice),
            user_entry("bob", "viewer", &h.bob),
        ],
    );
    for second in 0..5 {
        world.login_at("bob", "guess", T0 + second).failure();
    }
    world
        .login_at("bob", BOB_PASSWORD, T0 + 10 * MINUTE)
        .failure();
    world
        .login_at("alice", ALICE_PASSWORD, T0 + 10 * MINUTE)
        .success();
    let shown = world
        .pkgm_at(&["users", "show", "bob"], T0 + 10 * MINUTE)
        .success();
    assert!(
        shown
            .stdout
            .contains("status   locked until 2030-03-17T18:01:44Z\n"),
        "{}",
        shown.stdout
    );
    // The lock runs 15 minutes from the fifth failure, and attempts during it do not extend it.
    world
        .login_at("bob", BOB_PASSWORD, T0 + 4 + 15 * MINUTE - 1)
        .failure();
    world
        .login_at("bob", BOB_PASSWORD, T0 + 4 + 15 * MINUTE)
        .success();
}

#[test]
fn failures_spread_beyond_fifteen_minutes_and_a_success_reset_the_count() {
    let world = World::new();
    world.apply_users(1, &[user_entry("alice", "admin", &hashes().alice)]);
    for minute in [0, 1, 2, 3] {
        world
            .login_at("alice", "guess", T0 + minute * MINUTE)
            .failure();
    }
    // The failure at minute 0 has left the window, so this one is the fourth, not the fifth.
    world
        .login_at("alice", "guess", T0 + 15 * MINUTE + 30)
        .failure();
    world
        .login_at("alice", ALICE_PASSWORD, T0 + 16 * MINUTE)
        .success();

    let world = World::new();
    world.apply_users(1, &[user_entry("alice", "admin", &hashes().alice)]);
    for second in 0..4 {
        world.login_at("alice", "guess", T0 + second).failure();
    }
    world.login_at("alice", ALICE_PASSWORD, T0 + 10).success();
    for second in 0..4 {
        world.login_at("alice", "guess", T0 + 20 + second).failure();
    }
    world.login_at("alice", ALICE_PASSWORD, T0 + 30).success();
}

#[test]
fn concurrent_failed_logins_are_all_counted() {
    let world = World::new();
    world.apply_users(1, &[user_entry("alice", "admin", &hashes().alice)]);
    std::thread::scope(|scope| {
        let attempts: Vec<_> = (0..5)
            .map(|_| scope.spawn(|| world.login_at("alice", "guess", T0).code))
            .collect();
        for attempt in attempts {
            assert_eq!(attempt.join().unwrap(), Some(1));
        }
    });
    // Had any of the five been lost, the account would not be locked.
    world.login_at("alice", ALICE_PASSWORD, T0 + 1).failure();
}

#[test]
fn sessions_expire_after_their_lifetime() {
    let world = World::new();
    world.apply_users(1, &[user_entry("alice", "admin", &hashes().alice)]);
    world.login_at("alice", ALICE_PASSWORD, T0).success();
    world.pkgm_at(&["whoami"], T0 + 60 * MINUTE - 1).success();
    let expired = world.pkgm_at(&["whoami"], T0 + 60 * MINUTE).failure();
    assert_eq!(
        expired.stderr,
        "error: `pkgm whoami` needs a login session with the `viewer` role or higher\n\
         \x20 caused by: the session expired\n\
         hint: run `pkgm login` again\n"
    );
    world
        .pkgm_stdin(
            &[
                "login",
                "--user",
                "alice",
                "--password-stdin",
                "--ttl",
                "5m",
            ],
            &format!("{ALICE_PASSWORD}\n"),
            Some(T0),
        )
        .success();
    world
        .pkgm_at(&["users", "list"], T0 + 5 * MINUTE - 1)
        .success();
    world.pkgm_at(&["users", "list"], T0 + 5 * MINUTE).failure();
    let too_long = world
        .pkgm_stdin(
            &[
                "login",
                "--user",
                "alice",
                "--password-stdin",
                "--ttl",
                "2d",
            ],
            &format!("{ALICE_PASSWORD}\n"),
            Some(T0),
        )
        .failure();
    assert!(
        too_long.stderr.contains("between 1s and 24h"),
        "{}",
        too_long.stderr
    );
}

#[test]
fn deleting_demoting_or_repasswording_an_account_revokes_its_session_at_once() {
    let world = World::new();
    let h = hashes();
    let alice = user_entry("alice", "admin", &h.alice);
    world.apply_users(1, &[alice.clone(), user_entry("bob", "maintainer", &h.bob)]);
    world.login("bob", BOB_PASSWORD).success();
    let venv = world.venv_without_pip();
    let python = venv.to_str().unwrap();
    world
        .pkgm(&["install", "--python", python, "demo"])
        .success();

    world.apply_users(2, &[alice.clone(), user_entry("bob", "viewer", &h.bob)]);
    let demoted = world
        .pkgm(&["install", "--python", python, "demo"])
        .failure();
    assert_eq!(
        demoted.stderr,
        "error: `bob` has the `viewer` role; `pkgm install` needs `maintainer` or higher\n\
         hint: ask an admin to change the role of `bob` in the manifest\n"
    );
    world.pkgm(&["whoami"]).success();

    world.apply_users(3, &[alice.clone(), user_entry("bob", "viewer", &h.carol)]);
    let repassworded = world.pkgm(&["whoami"]).failure();
    assert!(
        repassworded
            .stderr
            .contains("caused by: the password of `bob` changed after this session began"),
        "{}",
        repassworded.stderr
    );
    world.login("bob", BOB_PASSWORD).failure();
    world.login("bob", CAROL_PASSWORD).success();
    world.pkgm(&["whoami"]).success();

    world.apply_users(4, &[alice.clone(), "bob: absent".into()]);
    let deleted = world.pkgm(&["whoami"]).failure();
    assert!(
        deleted
            .stderr
            .contains("caused by: the account `bob` no longer exists"),
        "{}",
        deleted.stderr
    );
    // A new account of the same name does not inherit the old one's session.
    world.apply_users(5, &[alice, user_entry("bob", "viewer", &h.carol)]);
    world.pkgm(&["whoami"]).failure();
}

#[test]
fn the_last_admin_cannot_be_deleted_or_demoted() {
    let world = World::new();
    let h = hashes();
    world.apply_users(
        1,
        &[
            user_entry("alice", "admin", &h.alice),
            user_entry("bob", "viewer", &h.bob),
        ],
    );
    for entries in [
        vec!["alice: absent".to_string()],
        vec![user_entry("alice", "maintainer", &h.alice)],
    ] {
        let manifest = world.write_users_manifest(2, &entries);
        for flags in [&["--allow-unsigned"][..], &["--allow-unsigned", "--yes"]] {
            let command = if flags.len() == 1 { "plan" } else { "apply" };
            let out = world.pkgm_args(&[command], &manifest, flags).failure();
            assert!(
                out.stderr.contains(
                    "error: refusing a plan that leaves no admin: it deletes or demotes `alice`\n"
                ),
                "{}",
                out.stderr
            );
        }
    }
    world.login("alice", ALICE_PASSWORD).success();
    let listed = world.pkgm(&["users", "list"]).success();
    assert!(listed.stdout.contains("alice  admin"), "{}", listed.stdout);
    // Handing over is fine when the new admin arrives in the same manifest.
    world.apply_users(
        3,
        &["alice: absent".into(), user_entry("bob", "admin", &h.bob)],
    );
}

#[test]
fn every_gated_command_follows_the_role_matrix() {
    let world = World::new();
    let h = hashes();
    world.apply_users(
        1,
        &[
            user_entry("vera", "viewer", &h.alice),
            user_entry("max", "maintainer", &h.alice),
            user_entry("ada", "admin", &h.alice),
            user_entry("otto", "viewer", &h.bob),
        ],
    );
    let venv = world.venv_without_pip();
    let python = venv.to_str().unwrap();
    // Each command is harmless when allowed: nothing to do, or nothing to upgrade or remove.
    let commands: Vec<(&str, Vec<&str>)> = vec![
        ("list", vec!["list", "--python", python]),
        ("whoami", vec!["whoami"]),
        ("users show self", vec!["users", "show", "SELF"]),
        ("users show other", vec!["users", "show", "otto"]),
        ("users list", vec!["users", "list"]),
        ("install", vec!["install", "--python", python, "demo"]),
        ("upgrade", vec!["upgrade", "--python", python, "missing"]),
        (
            "uninstall",
            vec!["uninstall", "--python", python, "missing"],
        ),
    ];
    // nobody, viewer, maintainer, admin
    let expected: [(&str, [bool; 4]); 8] = [
        ("list", [false, true, true, true]),
        ("whoami", [false, true, true, true]),
        ("users show self", [false, true, true, true]),
        ("users show other", [false, false, false, true]),
        ("users list", [false, false, false, true]),
        ("install", [false, false, true, true]),
        ("upgrade", [false, false, true, true]),
        ("uninstall", [false, false, true, true]),
    ];
    for (index, user) in [None, Some("vera"), Some("max"), Some("ada")]
        .into_iter()
        .enumerate()
    {
        world.pkgm(&["logout"]).success();
        if let Some(user) = user {
            world.login(user, ALICE_PASSWORD).success();
        }
        for ((label, args), (expected_label, allowed)) in commands.iter().zip(&expected) {
            assert_eq!(label, expected_label);
            let args: Vec<&str> = args
                .iter()
                .map(|arg| {
                    if *arg == "SELF" {
                        user.unwrap_or("vera")
                    } else {
                        arg
                    }
                })
                .collect();
            let out = world.pkgm(&args);
            let denied = out.stderr.contains("needs a login session")
                || out.stderr.contains("or higher\nhint: ask an admin");
            assert_eq!(
                !denied, allowed[index],
                "{label} as {user:?}: {}",
                out.stderr
            );
            // Allowed upgrades and removals of a missing package fail after the gate, saying so.
            let fails_after_the_gate = ["upgrade", "uninstall"].contains(label);
            if allowed[index] && !fails_after_the_gate {
                assert_eq!(out.code, Some(0), "{label} as {user:?}: {}", out.stderr);
            }
            if allowed[index] && fails_after_the_gate {
                assert!(
                    out.stderr.contains("`missing` is not installed"),
                    "{}",
                    out.stderr
                );
            }
        }
    }
}

#[test]
fn list_needs_no_session_before_any_account_exists() {
    let world = World::new();
    world.pkgm(&["list", "--python", "python3"]).success();
}

#[test]
fn no_hash_or_password_appears_in_any_output_log_or_history() {
    let world = World::new();
    let h = hashes();
    let first = [
        user_entry("alice", "admin", &h.alice),
        user_entry("bob", "viewer", &h.bob),
    ];
    let manifest = world.write_users_manifest(1, &first);
    let mut outputs = Vec::new();
    let verbose = ["--allow-unsigned", "-vv", "--log-format", "json"];
    let verbose_yes = ["--allow-unsigned", "--yes", "-vv", "--log-format", "json"];
    outputs.push(world.pkgm_args(&["plan"], &manifest, &verbose));
    outputs.push(world.pkgm_args(&["plan", "--output", "json"], &manifest, &verbose));
    outputs.push(world.pkgm_args(&["apply", "--output", "json"], &manifest, &verbose_yes));
    let second = world.write_users_manifest(
        2,
        &[
            user_entry("alice", "admin", &h.alice),
            user_entry("bob", "viewer", &h.carol),
        ],
    );
    outputs.push(world.pkgm_args(&["apply"], &second, &verbose_yes));
    outputs.push(world.login("alice", ALICE_PASSWORD));
    outputs.push(world.login("bob", ALICE_PASSWORD));
    outputs.push(world.login("mallory", BOB_PASSWORD));
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
        &["history", "2"],
        &["history", "2", "--output", "json"],
        &["history", "4", "--output", "json"],
    ] {
        outputs.push(world.pkgm(args));
    }
    let secrets = [
        h.alice.as_str(),
        h.bob.as_str(),
        h.carol.as_str(),
        ALICE_PASSWORD,
        BOB_PASSWORD,
        CAROL_PASSWORD,
    ];
    for out in &outputs {
        for secret in secrets {
            let salt = secret.split('$').nth(4).unwrap_or(secret);
            for text in [&out.stdout, &out.stderr] {
                assert!(
                    !text.contains(secret) && !text.contains(salt),
                    "{secret} in {text}"
                );
            }
        }
    }
    let state = std::fs::read(world.state()).unwrap();
    for password in [ALICE_PASSWORD, BOB_PASSWORD, CAROL_PASSWORD] {
        let found = state
            .windows(password.len())
            .any(|w| w == password.as_bytes());
        assert!(!found, "the password {password} is in the state");
    }
}

#[test]
fn state_and_session_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let world = World::new();
    world.apply_users(1, &[user_entry("alice", "admin", &hashes().alice)]);
    world.login("alice", ALICE_PASSWORD).success();
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let session = world.path().join("config/pkgm/session");
    assert_eq!(mode(&session), 0o600);
    assert_eq!(mode(session.parent().unwrap()), 0o700);
    let state_dir = world.state().parent().unwrap().to_path_buf();
    for entry in std::fs::read_dir(&state_dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    std::fs::set_permissions(&session, std::fs::Permissions::from_mode(0o644)).unwrap();
    let exposed = world.pkgm(&["whoami"]).failure();
    assert!(
        exposed.stderr.contains("can be read by other users"),
        "{}",
        exposed.stderr
    );
}

#[test]
fn a_login_rehashes_a_password_hashed_below_the_current_parameters() {
    let world = World::new();
    let weak = support::weak_hash(ALICE_PASSWORD);
    world.apply_users(1, &[user_entry("alice", "admin", &weak)]);
    world.login("alice", ALICE_PASSWORD).success();
    let verifier = world.stored_verifier("alice");
    assert!(
        verifier.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{verifier}"
    );
    // Same password, so the session survives and the manifest still matches.
    world.pkgm(&["whoami"]).success();
    let manifest = world.write_users_manifest(1, &[user_entry("alice", "admin", &weak)]);
    let plan = world
        .pkgm_args(&["plan"], &manifest, &["--allow-unsigned"])
        .success();
    assert!(plan.stdout.starts_with("No changes."), "{}", plan.stdout);
    world.login("alice", ALICE_PASSWORD).success();
}

#[test]
fn imperative_changes_are_audited_and_show_up_as_drift() {
    let world = World::new();
    let wheels = world.build_wheels(&[("demo", "1.0"), ("demo", "2.0"), ("extra", "1.0")]);
    let manifest = world.write(
        "manifest.yaml",
        &format!(
            "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: team, revision: 1}}\n\
             environment: {{venv: .venv, find_links: ['{}'], no_index: true}}\n\
             packages: {{demo: '==1.0'}}\nusers:\n  {}\n  {}\n",
            wheels.display(),
            user_entry("alice", "admin", &hashes().alice),
            user_entry("bob", "viewer", &hashes().bob),
        ),
    );
    world
        .pkgm_args(&["apply"], &manifest, &["--allow-unsigned", "--yes", "-q"])
        .success();
    let m = manifest.to_str().unwrap();
    world.login("bob", BOB_PASSWORD).success();
    let denied = world.pkgm(&["install", "--manifest", m, "extra"]).failure();
    assert!(
        denied.stderr.contains("needs `maintainer` or higher"),
        "{}",
        denied.stderr
    );

    world.login("alice", ALICE_PASSWORD).success();
    let refused = world
        .pkgm(&["install", "--manifest", m, "--", "--index-url=https://evil"])
        .failure();
    assert!(
        refused.stderr.contains("is not a valid package name"),
        "{}",
        refused.stderr
    );
    let installed = world
        .pkgm(&["install", "--manifest", m, "demo==2.0", "extra"])
        .success();
    assert!(
        installed
            .stdout
            .starts_with("Installed by `alice`: demo 1.0 → 2.0, extra 1.0 in "),
        "{}",
        installed.stdout
    );
    let plan = world
        .pkgm_args(&["plan"], &manifest, &["--allow-unsigned"])
        .success();
    assert!(
        plan.stdout.contains("↓ demo 2.0 → ==1.0"),
        "{}",
        plan.stdout
    );
    world
        .pkgm(&["uninstall", "--manifest", m, "extra"])
        .success();
    let pip = world.pkgm(&["uninstall", "--manifest", m, "pip"]).failure();
    assert!(
        pip.stderr.contains("`pip` is never removed"),
        "{}",
        pip.stderr
    );

    let history = world.pkgm(&["history", "--output", "json"]).success();
    let runs: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    let audited: Vec<(String, String, String)> = runs
        .as_array()
        .unwrap()
        .iter()
        .filter(|run| run["actor"].is_string())
        .map(|run| {
            let field = |name: &str| run[name].as_str().unwrap_or_default().to_string();
            (field("command"), field("actor"), field("status"))
        })
        .collect();
    assert_eq!(
        audited,
        [
            ("uninstall".into(), "alice".into(), "succeeded".into()),
            ("install".into(), "alice".into(), "succeeded".into()),
        ]
    );
}
