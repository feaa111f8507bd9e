//! Nothing a manifest names runs before its signature is accepted: `plan` and `list
//! --manifest` on an unsigned manifest never start the
//! interpreter it names (a script here that leaves a mark when run), unless
//! `--allow-unsigned` says the operator trusts it.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use super::signed_sandbox::Sandbox;

/// A folder that looks like a venv whose `bin/python` is a program the attacker wrote.
fn planted_venv(sandbox: &Sandbox) -> PathBuf {
    let venv = sandbox.venv();
    std::fs::create_dir_all(venv.join("bin")).unwrap();
    std::fs::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
    let mark = sandbox.path("ran");
    let python = venv.join("bin/python");
    std::fs::write(
        &python,
        format!("#!/bin/sh\ntouch '{}'\nexit 3\n", mark.display()),
    )
    .unwrap();
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
    mark
}

#[test]
fn plan_and_list_do_not_run_an_unsigned_manifests_interpreter() {
    let sandbox = Sandbox::new();
    let mark = planted_venv(&sandbox);
    sandbox.manifest(1, "");
    let refusals = [
        vec!["plan", "manifest.yaml"],
        vec!["plan", "manifest.yaml", "--output", "json"],
        vec!["list", "--manifest", "manifest.yaml"],
    ];
    for args in refusals {
        let run = sandbox.run(&args);
        assert_eq!(run.code(), 1, "{args:?}: {run}");
        assert!(!mark.exists(), "{args:?} ran the interpreter: {run}");
        assert!(run.stderr().contains("not running `"), "{args:?}: {run}");
        assert!(run.stderr().contains("--allow-unsigned"), "{args:?}: {run}");
    }
    assert!(sandbox
        .run(&["plan", "manifest.yaml"])
        .stderr()
        .contains("the manifest naming it has no accepted signature; it has no signature (`"));

    // The operator vouches for it: now it runs (and fails, being no Python).
    let run = sandbox.run(&["plan", "manifest.yaml", "--allow-unsigned"]);
    assert_eq!(run.code(), 1, "{run}");
    assert!(mark.exists(), "{run}");
}

#[test]
fn a_tampered_signature_does_not_let_the_interpreter_run_either() {
    let sandbox = Sandbox::new();
    let key = sandbox.keygen("ops", "ed25519");
    sandbox.trust(&[("ops", "EdDSA", &key, "\"packages\"")], "");
    sandbox.manifest(1, "");
    sandbox.sign(&key, "ops", &[]);
    let mark = planted_venv(&sandbox);
    // Signed, then edited: the signature no longer covers the bytes.
    sandbox.manifest(1, "# edited\n");
    for args in [
        vec!["plan", "manifest.yaml"],
        vec!["list", "--manifest", "manifest.yaml"],
    ] {
        let run = sandbox.run(&args);
        assert_eq!(run.code(), 1, "{args:?}: {run}");
        assert!(run.stderr().contains("not running `"), "{args:?}: {run}");
        assert!(!mark.exists(), "{args:?} ran the interpreter: {run}");
    }
}

#[test]
fn a_signed_manifest_is_planned_as_before() {
    let sandbox = Sandbox::new();
    let key = sandbox.keygen("ops", "ed25519");
    sandbox.trust(&[("ops", "EdDSA", &key, "\"packages\"")], "");
    sandbox.interpreter_manifest(1, "");
    sandbox.sign(&key, "ops", &[]);
    let run = sandbox.run(&["plan", "manifest.yaml"]);
    assert_eq!(run.code(), 0, "{run}");
    assert!(run.stdout().contains("Signature: valid"), "{run}");
}
