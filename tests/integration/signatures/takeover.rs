//! An environment belongs to the manifest name that first applied to it, with the state
//! that applied it: a signed manifest of another name (or another state) is refused
//! there until the operator hands it over with `--take-over`; a trust entry may limit the
//! names a key signs.

use serde_json::Value;

use super::signed_sandbox::Sandbox;

fn site_listing(sandbox: &Sandbox) -> Vec<String> {
    let lib = sandbox.venv().join("lib");
    let python = std::fs::read_dir(&lib)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut names: Vec<String> = std::fs::read_dir(python.join("site-packages"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn write_other(sandbox: &Sandbox, name: &str, extra: &str) {
    std::fs::write(
        sandbox.path("other.yaml"),
        format!(
            "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: {name}, revision: 1}}\n\
             environment:\n  venv: .venv\n  prune: true\npackages: {{}}\n{extra}"
        ),
    )
    .unwrap();
}

#[test]
fn another_name_is_refused_until_handed_over() {
    let sandbox = Sandbox::new();
    let key = sandbox.keygen("ops", "ed25519");
    sandbox.trust(&[("ops", "EdDSA", &key, "\"packages\"")], "");
    sandbox.manifest(1, "");
    sandbox.sign(&key, "ops", &[]);
    let applied = sandbox.apply();
    assert_eq!(applied.code(), 0, "{applied}");
    let marker: Value =
        serde_json::from_slice(&std::fs::read(sandbox.venv().join("pkgm-managed.json")).unwrap())
            .unwrap();
    assert_eq!(marker["manifest"], "demo");
    assert_eq!(
        marker["state"],
        sandbox.harness().state_path().to_str().unwrap()
    );

    // A valid signature of another name, with prune: the environment is not its to change.
    write_other(&sandbox, "intruder", "");
    let key_arg = key.to_str().unwrap();
    let signed = sandbox.run(&["sign", "other.yaml", "--key", key_arg, "--kid", "ops"]);
    assert_eq!(signed.code(), 0, "{signed}");
    let before = site_listing(&sandbox);
    let refused = sandbox.run(&["apply", "other.yaml", "--yes"]);
    assert_eq!(refused.code(), 1, "{refused}");
    assert!(
        refused
            .stderr()
            .contains("is managed by the manifest `demo` (bound by run 1), not `intruder`"),
        "{refused}"
    );
    assert!(refused.stderr().contains("--take-over"), "{refused}");
    assert_eq!(site_listing(&sandbox), before);
    assert_eq!(sandbox.history()[0]["status"], "refused");
    assert_eq!(sandbox.history()[0]["manifest_name"], "intruder");
    let plan = sandbox.run(&["plan", "other.yaml"]);
    assert_eq!(plan.code(), 0, "{plan}");
    assert!(plan.stderr().contains("apply would refuse: `"), "{plan}");

    // The operator hands it over; now the first name is the stranger.
    let taken = sandbox.run(&["apply", "other.yaml", "--yes", "--take-over"]);
    assert_eq!(taken.code(), 0, "{taken}");
    assert!(
        taken.stderr().contains("taking over (--take-over): `"),
        "{taken}"
    );
    let back = sandbox.apply();
    assert_eq!(back.code(), 1, "{back}");
    assert!(
        back.stderr()
            .contains("is managed by the manifest `intruder`"),
        "{back}"
    );
}

#[test]
fn another_state_is_refused_until_handed_over() {
    let sandbox = Sandbox::new();
    sandbox.manifest(1, "");
    let first = sandbox.run(&["apply", "manifest.yaml", "--yes", "--allow-unsigned"]);
    assert_eq!(first.code(), 0, "{first}");
    let other_state = sandbox.path("other-state/state.db");
    let other = sandbox
        .harness()
        .pkgm()
        .env("PKGM_STATE", &other_state)
        .args(["apply", "manifest.yaml", "--yes", "--allow-unsigned"])
        .run();
    assert_eq!(other.code(), 1, "{other}");
    assert!(
        other
            .stderr()
            .contains("is managed by the manifest `demo` with the state `")
            && other.stderr().contains("hint: run pkgm with `--state "),
        "{other}"
    );
}

#[test]
fn a_trust_entry_may_limit_the_names_a_key_signs() {
    let sandbox = Sandbox::new();
    let key = sandbox.keygen("ops", "ed25519");
    sandbox.trust(&[("ops", "EdDSA", &key, "\"packages\"")], "");
    let trust = std::fs::read_to_string(sandbox.trust_path()).unwrap();
    std::fs::write(
        sandbox.trust_path(),
        trust.replace("scopes = [", "names = [\"team-a\"]\nscopes = ["),
    )
    .unwrap();
    sandbox.manifest(1, "");
    sandbox.sign(&key, "ops", &[]);
    let verify = sandbox.run(&["verify", "manifest.yaml"]);
    assert_eq!(verify.code(), 1, "{verify}");
    assert!(
        verify.stderr().contains(
            "the key `ops` may not sign the manifest `demo` (the trust file limits it to `team-a`)"
        ),
        "{verify}"
    );
    let apply = sandbox.apply();
    assert_eq!(apply.code(), 1, "{apply}");
    assert!(!sandbox.venv().exists());
}
