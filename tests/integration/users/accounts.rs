//! Declared users reconciled by plan and apply: creates, updates and deletes, YAML and TOML
//! alike, validation with line and column, and the last admin kept.

use super::{fails, hashes, succeeds, user, Users, ALICE_PASSWORD};

#[test]
fn apply_creates_updates_and_deletes_users_visible_in_users_list() {
    let users = Users::new();
    let h = hashes();
    users.apply(
        1,
        &[
            user("alice", "admin", &h.alice),
            user("bob", "maintainer", &h.bob),
            user("carol", "viewer", &h.carol),
        ],
    );
    succeeds(users.login("alice", ALICE_PASSWORD));
    assert_eq!(
        succeeds(users.pkgm(&["users", "list"])).stdout(),
        "NAME   ROLE        EMAIL              STATUS\n\
         alice  admin       alice@example.com  active\n\
         bob    maintainer  bob@example.com    active\n\
         carol  viewer      carol@example.com  active\n"
    );

    users.write_manifest(
        2,
        &[
            user("alice", "admin", &h.alice),
            format!(
                "bob: {{email: robert@example.com, role: viewer, password_hash: '{}'}}",
                h.carol
            ),
            "carol: absent".into(),
        ],
    );
    let plan = succeeds(users.sandbox.plan().run());
    assert_eq!(
        plan.stdout(),
        "pkgm will make these changes for `team` revision 2 (unsigned):\n\n\
         \x20 ~ user bob update (email, role, password)\n\
         \x20 - user carol delete\n\n\
         Plan: 1 user to update, 1 user to delete.\n"
    );
    let apply = succeeds(users.apply_command().run());
    assert!(
        apply
            .stdout()
            .contains("Apply complete: no package changed; 2 users changed (run "),
        "{apply}"
    );
    let listed = succeeds(users.pkgm(&["users", "list", "--output", "json"])).stdout_json();
    let rows: Vec<String> = listed
        .as_array()
        .expect("an array")
        .iter()
        .map(|row| format!("{} {} {}", row["name"], row["role"], row["email"]))
        .collect();
    assert_eq!(
        rows,
        [
            r#""alice" "admin" "alice@example.com""#,
            r#""bob" "viewer" "robert@example.com""#
        ]
    );
    let again = succeeds(users.sandbox.plan().run());
    assert!(again.stdout().starts_with("No changes."), "{again}");
}

#[test]
fn yaml_and_toml_manifests_give_the_same_plan() {
    let users = Users::new();
    let h = hashes();
    users.write_manifest(
        1,
        &[
            user("alice", "admin", &h.alice),
            user("bob", "viewer", &h.bob),
            "carol: absent".into(),
        ],
    );
    users.sandbox.write_file(
        "manifest.toml",
        &format!(
            "apiVersion = \"pkgm/v1\"\nkind = \"Manifest\"\n\n\
             [metadata]\nname = \"team\"\nrevision = 1\n\n\
             [environment]\nvenv = \".venv\"\nprune = false\n\n\
             [users]\ncarol = \"absent\"\n\n\
             [users.alice]\nemail = \"alice@example.com\"\nrole = \"admin\"\npassword_hash = \"{}\"\n\n\
             [users.bob]\nemail = \"bob@example.com\"\nrole = \"viewer\"\npassword_hash = \"{}\"\n",
            h.alice, h.bob
        ),
    );
    let plans: Vec<serde_json::Value> = ["manifest.yaml", "manifest.toml"]
        .iter()
        .map(|manifest| {
            let args = ["plan", manifest, "--allow-unsigned", "--output", "json"];
            succeeds(users.pkgm(&args)).stdout_json()
        })
        .collect();
    crate::reconcile::cli_surface::validate_with_schema(
        &plans[0].to_string(),
        "schemas/plan.schema.json",
        "json",
    );
    assert_eq!(plans[0]["changes"], plans[1]["changes"]);
    assert_eq!(plans[0]["summary"], plans[1]["summary"]);
    assert_eq!(
        plans[0]["changes"],
        serde_json::json!([
            {"kind": "user", "action": "create", "name": "alice", "fields": ["email", "role", "password"]},
            {"kind": "user", "action": "create", "name": "bob", "fields": ["email", "role", "password"]},
        ])
    );
}

#[test]
fn bad_user_declarations_are_refused_with_line_and_column() {
    let users = Users::new();
    let hash = &hashes().alice;
    let salt = "c29tZXNhbHRzb21lc2FsdA";
    let output = "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
    let weak = format!("$argon2id$v=19$m=1024,t=1,p=1${salt}${output}");
    let absurd = format!("$argon2id$v=19$m=4194304,t=9,p=1${salt}${output}");
    let cheap = format!("$argon2id$v=19$m=19456,t=1,p=1${salt}${output}");
    let hint = "hint: run `pkgm hash-password` and paste its output";
    for (entry, expected) in [
        (
            user("Alice", "admin", hash),
            "manifest.yaml:6:3: users: `Alice` is not a valid user name (1 to 32 of a-z, \
             0-9, `_`, `-`, `.`, starting with a letter or `_`)\n"
                .to_owned(),
        ),
        (
            format!("alice: {{email: not-an-email, role: admin, password_hash: '{hash}'}}"),
            "manifest.yaml:6:18: users.alice.email: `not-an-email` is not a valid email \
             address\n"
                .to_owned(),
        ),
        (
            format!("alice: {{email: a@example.com, role: root, password_hash: '{hash}'}}"),
            "manifest.yaml:6:39: users.alice.role: unknown variant `root`, expected one of \
             `viewer`, `maintainer`, `admin`\n"
                .to_owned(),
        ),
        (
            format!("alice: {{email: a@example.com, role: admin, password_hash: '{weak}'}}"),
            format!(
                "manifest.yaml:6:61: users.alice.password_hash: `password_hash` uses m=1024 \
                 KiB of memory; pkgm accepts 7168 to 1048576 KiB (7 MiB to 1 GiB)\n{hint}\n"
            ),
        ),
        (
            format!("alice: {{email: a@example.com, role: admin, password_hash: '{absurd}'}}"),
            format!(
                "manifest.yaml:6:61: users.alice.password_hash: `password_hash` uses \
                 m=4194304 KiB of memory; pkgm accepts 7168 to 1048576 KiB (7 MiB to 1 GiB)\n{hint}\n"
            ),
        ),
        (
            format!("alice: {{email: a@example.com, role: admin, password_hash: '{cheap}'}}"),
            format!(
                "manifest.yaml:6:61: users.alice.password_hash: `password_hash` is too cheap \
                 (m=19456, t=1): OWASP asks for at least m=19456 with t=2, or m×t of 35840\n{hint}\n"
            ),
        ),
    ] {
        users.write_manifest(1, std::slice::from_ref(&entry));
        let plan = fails(users.sandbox.plan().run());
        assert_eq!(plan.stderr_filtered(), format!("error: {expected}"), "{entry}");
        assert!(!plan.stderr().contains(salt), "{plan}");
    }
    users.write_manifest(
        1,
        &["alice: {email: a@example.com, role: admin, password: hunter2hunter2}".into()],
    );
    let plaintext = fails(users.sandbox.plan().run());
    assert!(
        plaintext
            .stderr()
            .contains("a plaintext `password` is not allowed in a manifest"),
        "{plaintext}"
    );
    assert!(!plaintext.stderr().contains("hunter2"), "{plaintext}");
}

#[test]
fn the_last_admin_cannot_be_deleted_or_demoted() {
    let users = Users::new();
    let h = hashes();
    users.apply(
        1,
        &[
            user("alice", "admin", &h.alice),
            user("bob", "viewer", &h.bob),
        ],
    );
    for entries in [
        vec!["alice: absent".to_owned()],
        vec![user("alice", "maintainer", &h.alice)],
    ] {
        users.write_manifest(2, &entries);
        for run in [users.sandbox.plan().run(), users.apply_command().run()] {
            let run = fails(run);
            assert!(
                run.stderr().ends_with(
                    "error: refusing a plan that leaves no admin: it deletes or demotes `alice`\n\
                     hint: keep at least one user with `role: admin` (declare the new admin \
                     before removing the old one)\n"
                ),
                "{run}"
            );
        }
    }
    succeeds(users.login("alice", ALICE_PASSWORD));
    let listed = succeeds(users.pkgm(&["users", "list"]));
    assert!(listed.stdout().contains("alice  admin"), "{listed}");
    // Handing over is fine when the new admin arrives in the same manifest.
    users.apply(3, &["alice: absent".into(), user("bob", "admin", &h.bob)]);
}

#[test]
fn an_unsigned_manifest_changes_no_account_without_allow_unsigned_users() {
    let users = Users::new();
    let h = hashes();
    users.apply(
        1,
        &[
            user("alice", "admin", &h.alice),
            user("vic", "viewer", &h.bob),
        ],
    );
    users.write_manifest(2, &[user("alice", "admin", &h.alice), "vic: absent".into()]);
    let refused = fails(users.sandbox.apply().run());
    assert!(
        refused.stderr().ends_with(
            "error: refusing to change 1 user account from a manifest without a valid signature\n\
             hint: sign it with a key that has the `users` scope, or add \
             `--allow-unsigned-users` for a local experiment\n"
        ),
        "{refused}"
    );
    succeeds(users.login("alice", ALICE_PASSWORD));
    let listed = succeeds(users.pkgm(&["users", "list"]));
    assert!(
        listed.stdout().contains("vic"),
        "vic is still there: {listed}"
    );

    // The second flag is the explicit opt-in, and it needs the first.
    let usage = users
        .sandbox
        .pkgm()
        .args(["apply", "manifest.yaml", "--yes", "--allow-unsigned-users"])
        .run();
    usage.expect_code(1);
    succeeds(users.apply_command().run());
    let listed = succeeds(users.pkgm(&["users", "list"]));
    assert!(!listed.stdout().contains("vic"), "{listed}");
}

#[test]
fn a_password_hash_that_repeats_a_parameter_is_refused_before_any_hashing() {
    let users = Users::new();
    // The bounds would be checked on the first `m`; argon2 would hash with the last (4 GiB).
    let smuggled = hashes()
        .alice
        .replacen("m=19456,t=2,p=1", "m=19456,t=2,p=1,m=4194304", 1);
    assert_ne!(smuggled, hashes().alice);
    users.write_manifest(1, &[user("alice", "admin", &smuggled)]);
    let refused = fails(users.sandbox.plan().run());
    assert!(
        refused
            .stderr()
            .contains("must give its parameters as `m=…,t=…,p=…`, each once and in that order (it has m,t,p,m)"),
        "{refused}"
    );
    assert!(
        !refused.stderr().contains(&smuggled),
        "the hash is never echoed"
    );
}
