//! `pkgm install`, `upgrade` and `uninstall`: role-gated, validated like apply, recorded with
//! the acting user, and seen as drift by the next plan.

use super::{fails, hashes, succeeds, Users, ALICE_PASSWORD, BOB_PASSWORD};
use crate::support::{Dist, OfflineManifest};

#[test]
fn imperative_changes_are_audited_and_show_up_as_drift() {
    let users = Users::new();
    users.sandbox.venv();
    let h = hashes();
    users
        .sandbox
        .write_local_dists(&[Dist::wheel("demo", "1.0"), Dist::wheel("demo", "2.0")]);
    let manifest = OfflineManifest::new()
        .prune(false)
        .find_links("$LOCAL_WHEELS")
        .package("demo", "==1.0")
        .to_yaml()
        + &format!(
            "users:\n  {}\n  {}\n",
            super::user("alice", "maintainer", &h.alice),
            super::user("bob", "viewer", &h.bob)
        );
    users.sandbox.write_manifest(&manifest);
    succeeds(users.apply_command().arg("-q").run());
    let on_manifest = |verb: &str, packages: &[&str]| {
        let mut args = vec![
            verb,
            "--manifest",
            "manifest.yaml",
            "--allow-unsigned",
            "--",
        ];
        args.extend(packages);
        users.pkgm(&args)
    };

    succeeds(users.login("bob", BOB_PASSWORD));
    let denied = fails(on_manifest("install", &["alpha"]));
    assert!(
        denied.stderr().contains("needs `maintainer` or higher"),
        "{denied}"
    );

    succeeds(users.login("alice", ALICE_PASSWORD));
    // pip would run from the manifest's venv with its index settings: not unless signed.
    let unsigned = fails(users.pkgm(&["install", "--manifest", "manifest.yaml", "--", "alpha"]));
    assert!(
        unsigned.stderr().contains("it has no signature")
            && unsigned.stderr().contains("--allow-unsigned"),
        "{unsigned}"
    );
    for (packages, expected) in [
        (
            &["--index-url=https://evil"][..],
            "`--index-url` is not a valid package name",
        ),
        (&["./demo.whl"], "`./demo.whl` is not a package requirement"),
        (
            &["demo @ https://example.com/demo.whl"],
            "is a URL, not a version specifier",
        ),
    ] {
        let refused = fails(on_manifest("install", packages));
        assert!(refused.stderr().contains(expected), "{refused}");
    }
    let installed = succeeds(on_manifest("install", &["demo==2.0", "alpha"]));
    assert!(
        installed
            .stdout()
            .starts_with("Installed by `alice`: alpha 2.0, demo 1.0 → 2.0 in "),
        "{installed}"
    );
    let plan = succeeds(users.sandbox.plan().run());
    assert!(plan.stdout().contains("↓ demo 2.0 → ==1.0"), "{plan}");
    let downgraded = succeeds(on_manifest("install", &["alpha<2"]));
    assert!(
        downgraded.stdout().contains("alpha 2.0 → 1.1"),
        "{downgraded}"
    );
    let upgraded = succeeds(on_manifest("upgrade", &["alpha"]));
    assert!(upgraded.stdout().contains("alpha 1.1 → 2.0"), "{upgraded}");
    succeeds(on_manifest("uninstall", &["alpha"]));
    let pip = fails(on_manifest("uninstall", &["pip"]));
    assert!(pip.stderr().contains("`pip` is never removed"), "{pip}");
    assert_eq!(
        users.sandbox.venv().installed_beyond_seed(),
        crate::reconcile::packages(&[("demo", "2.0")])
    );

    let history = succeeds(users.pkgm(&["history", "--output", "json"])).stdout_json();
    let audited: Vec<String> = history
        .as_array()
        .expect("an array of runs")
        .iter()
        .filter(|run| run["actor"].is_string())
        .map(|run| format!("{} {} {}", run["command"], run["actor"], run["status"]))
        .collect();
    assert_eq!(
        audited,
        [
            r#""uninstall" "alice" "succeeded""#,
            r#""upgrade" "alice" "succeeded""#,
            r#""install" "alice" "succeeded""#,
            r#""install" "alice" "succeeded""#,
        ]
    );
}

#[test]
fn another_state_and_its_accounts_cannot_change_a_managed_environment() {
    let users = Users::new();
    let h = hashes();
    users.apply(1, &[super::user("bob", "viewer", &h.bob)]);
    // Bob keeps a state of his own in which he is admin, on an interpreter (no venv marker).
    let own_state = users.sandbox.path().join("bob-state/state.db");
    let with_own = |args: &[&str]| {
        users
            .sandbox
            .pkgm()
            .env("PKGM_STATE", &own_state)
            .args(args)
    };
    users.sandbox.write_file(
        "bob.yaml",
        &format!(
            "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: bob, revision: 1}}\n\
             environment: {{python: python3, prune: false}}\nusers:\n  {}\n",
            super::user("bob", "admin", &h.bob)
        ),
    );
    succeeds(
        with_own(&[
            "apply",
            "bob.yaml",
            "--yes",
            "--allow-unsigned",
            "--allow-unsigned-users",
        ])
        .run(),
    );
    succeeds(
        with_own(&["login", "--user", "bob", "--password-stdin"])
            .stdin(format!("{BOB_PASSWORD}\n"))
            .run(),
    );
    let python = users.python();
    let before = users.sandbox.venv().installed_beyond_seed();
    let refused = fails(with_own(&["install", "--python", &python, "--", "alpha"]).run());
    assert!(
        refused
            .stderr()
            .contains("is managed by the manifest `team` with the state `")
            && refused.stderr().contains("hint: run it with `--state "),
        "{refused}"
    );
    assert_eq!(users.sandbox.venv().installed_beyond_seed(), before);
}
