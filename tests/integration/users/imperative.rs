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
    // The environment is never guessed, but the manifest beside you is offered.
    let unnamed = fails(users.pkgm(&["install", "alpha"]));
    assert!(
        unnamed.stderr().contains("which environment?")
            && unnamed
                .stderr()
                .contains("hint: pass `--manifest manifest.yaml` to use the manifest here"),
        "{unnamed}"
    );
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
    let newest = succeeds(on_manifest("upgrade", &["alpha"]));
    assert!(
        newest.stdout().starts_with(
            "Nothing to upgrade: `alpha` is already the newest the index allows (run "
        ),
        "{newest}"
    );
    succeeds(on_manifest("uninstall", &["alpha"]));
    let pip = fails(on_manifest("uninstall", &["pip"]));
    assert!(pip.stderr().contains("`pip` is never removed"), "{pip}");
    assert_eq!(
        users.sandbox.venv().installed_beyond_seed(),
        crate::reconcile::packages(&[("demo", "2.0")])
    );
    let missing = fails(on_manifest("install", &["demo==9.9"]));
    assert!(
        missing
            .stderr()
            .contains("no version of `demo==9.9` is available")
            && missing
                .stderr()
                .contains("hint: `pkgm list` shows what is installed now"),
        "{missing}"
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
            r#""install" "alice" "failed""#,
            r#""uninstall" "alice" "succeeded""#,
            r#""upgrade" "alice" "succeeded""#,
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

/// Waits (as a hang detector, not a speed check) until the newest run is at `step`.
fn wait_for_step(state: &std::path::Path, step: &str) {
    use pkgm::effects::store::{RunStatus, Store};
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let running = Store::open(state)
            .ok()
            .and_then(|store| store.runs(1).ok())
            .and_then(|mut runs| runs.pop())
            .is_some_and(|run| {
                run.status == RunStatus::Started && run.step.as_deref() == Some(step)
            });
        if running {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never reached `{step}`"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn signal(child: &std::process::Child, times: usize) {
    for _ in 0..times {
        let sent = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success());
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn ctrl_c_during_an_install_lets_it_finish_or_stops_it_and_says_so() {
    use pkgm::effects::store::{RunStatus, Store};
    let users = Users::new();
    let h = hashes();
    users.sandbox.venv();
    users
        .sandbox
        .write_local_dists(&[Dist::wheel("demo", "1.0")]);
    let manifest = OfflineManifest::new()
        .prune(false)
        .find_links("$LOCAL_WHEELS")
        .to_yaml()
        + &format!(
            "users:\n  {}\n",
            super::user("alice", "maintainer", &h.alice)
        );
    users.sandbox.write_manifest(&manifest);
    succeeds(users.apply_command().arg("-q").run());
    succeeds(users.login("alice", ALICE_PASSWORD));
    let gate = crate::watch::gate_installs(users.sandbox.venv().root());
    let install = |package: &str| {
        users
            .sandbox
            .pkgm()
            .args([
                "install",
                "--manifest",
                "manifest.yaml",
                "--allow-unsigned",
                "--",
                package,
            ])
            .command()
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start pkgm install")
    };
    let state = users.sandbox.state_path();

    // One Ctrl-C: the install finishes, is recorded as it ended, and pkgm exits 130.
    let child = install("demo");
    wait_for_step(&state, "install");
    signal(&child, 1);
    std::fs::write(&gate, "").unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("received SIGINT: letting the installer finish"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Installed by `alice` finished before stopping: demo 1.0 (run "),
        "{stderr}"
    );
    let run = Store::open(&state).unwrap().runs(1).unwrap().remove(0);
    assert_eq!(run.status, RunStatus::Succeeded);

    // Two: the installer is stopped, the run recorded interrupted.
    std::fs::remove_file(&gate).unwrap();
    let child = install("alpha");
    wait_for_step(&state, "install");
    signal(&child, 2);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("`pkgm install` was stopped (run "),
        "{stderr}"
    );
    assert!(
        stderr.contains("the installer was stopped part-way"),
        "{stderr}"
    );
    let run = Store::open(&state).unwrap().runs(1).unwrap().remove(0);
    assert_eq!(run.status, RunStatus::Interrupted);
}
