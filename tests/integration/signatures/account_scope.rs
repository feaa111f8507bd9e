//! Any change to the account store needs the `users` scope, judged against the store itself:
//! a packages-only key cannot re-create an account that another manifest deleted by
//! re-signing its own unchanged `users:`.

use super::signed_sandbox::Sandbox;
use crate::users::{hashes, user};

fn write(
    sandbox: &Sandbox,
    file: &str,
    name: &str,
    revision: u64,
    environment: &str,
    users: &[String],
) {
    let users: String = users.iter().map(|entry| format!("  {entry}\n")).collect();
    std::fs::write(
        sandbox.path(file),
        format!(
            "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: {name}, revision: {revision}}}\n\
             environment: {{{environment}, prune: false}}\nusers:\n{users}"
        ),
    )
    .unwrap();
}

#[test]
fn a_packages_key_cannot_resurrect_an_account_another_manifest_deleted() {
    let sandbox = Sandbox::new();
    sandbox.harness().venv();
    let admin = sandbox.keygen("admin", "ed25519");
    let ci = sandbox.keygen("ci", "ed25519");
    sandbox.trust(
        &[
            ("admin", "EdDSA", &admin, "\"packages\", \"users\""),
            ("ci", "EdDSA", &ci, "\"packages\""),
        ],
        "",
    );
    let h = hashes();
    let sign = |file: &str, key: &std::path::Path, kid: &str, scope: &str| {
        let run = sandbox.run(&[
            "sign",
            file,
            "--key",
            key.to_str().unwrap(),
            "--kid",
            kid,
            "--scope",
            scope,
        ]);
        assert_eq!(run.code(), 0, "{run}");
    };
    let apply = |file: &str| sandbox.run(&["apply", file, "--yes"]);
    let team = [
        user("alice", "admin", &h.alice),
        user("carol", "viewer", &h.carol),
    ];
    write(&sandbox, "team.yaml", "team", 1, "python: python3", &team);
    sign("team.yaml", &admin, "admin", "packages,users");
    let first = apply("team.yaml");
    assert_eq!(first.code(), 0, "{first}");

    // Another manifest, with the users scope, deletes carol.
    write(
        &sandbox,
        "ops.yaml",
        "ops",
        1,
        "venv: .venv",
        &["carol: absent".to_string()],
    );
    sign("ops.yaml", &admin, "admin", "packages,users");
    let deleted = apply("ops.yaml");
    assert_eq!(deleted.code(), 0, "{deleted}");

    // `team` revision 2, users unchanged from its revision 1, signed by the packages key.
    write(&sandbox, "team.yaml", "team", 2, "python: python3", &team);
    sign("team.yaml", &ci, "ci", "packages");
    let refused = apply("team.yaml");
    assert_eq!(refused.code(), 1, "{refused}");
    assert!(
        refused.stderr().contains(
            "refusing to change 1 user account: the store differs from `team`'s `users:`, and the \
             signature by `ci` lacks the `users` scope"
        ),
        "{refused}"
    );
    let login = sandbox
        .harness()
        .pkgm()
        .args(["login", "--user", "alice", "--password-stdin"])
        .stdin(format!("{}\n", crate::users::ALICE_PASSWORD))
        .run();
    assert_eq!(login.code(), 0, "{login}");
    let users = sandbox.run(&["users", "list", "--output", "json"]);
    assert_eq!(users.code(), 0, "{users}");
    assert!(
        users.stdout().contains("alice") && !users.stdout().contains("carol"),
        "{users}"
    );
}
