//! Signatures in front of real venvs and pip, offline: a signed manifest installs, and a
//! refused one leaves an existing environment exactly as it was.

use std::collections::BTreeMap;

use super::refusal::*;
use super::signed_sandbox::*;
use crate::support::OfflineManifest;

fn installed(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, version)| (name.to_string(), version.to_string()))
        .collect()
}

#[test]
fn a_signed_manifest_installs_from_local_wheels() {
    let sandbox = Sandbox::new();
    let key = sandbox.keygen("ops", "ed25519");
    sandbox.trust(&[("ops", "EdDSA", &key, "\"packages\"")], "");
    let venv = sandbox.harness().venv();
    let manifest = OfflineManifest::new().package("alpha", "==1.0").to_yaml();
    sandbox.harness().write_manifest(&manifest);
    sandbox.sign(&key, "ops", &[]);

    sandbox.apply().expect_success();
    assert_eq!(venv.installed_beyond_seed(), installed(&[("alpha", "1.0")]));
    let last = &sandbox.history()[0];
    assert_eq!(last["status"], "succeeded");
    assert_eq!(last["signed_by"], "ops");
}

#[test]
fn a_refused_apply_leaves_an_existing_venv_untouched() {
    let f = fixture();
    let harness = f.sandbox.harness();
    let venv = harness.venv();
    venv.pip_install_offline(harness.wheelhouse(), &["stray"]);
    let before = venv.installed_beyond_seed();
    // Prune and a new package: apply would both install and remove, were it allowed to.
    let manifest = OfflineManifest::new().package("alpha", "==1.0").to_yaml();
    harness.write_manifest(&manifest);
    // Signed where the attacker's key is at home: this machine's trust file would stop it.
    let elsewhere = f.sandbox.path("attacker-trust.toml");
    f.sandbox.sign(
        &f.attacker,
        "ops",
        &["--trust", elsewhere.to_str().unwrap()],
    );

    let applied_before = f.sandbox.applied();
    let output = f.sandbox.apply();
    output.expect_code(1);
    assert!(
        output
            .stderr()
            .contains("does not verify with the trusted key `ops`"),
        "{output}"
    );
    assert_eq!(venv.installed_beyond_seed(), before, "the venv changed");
    assert_eq!(f.sandbox.applied(), applied_before);
    assert_eq!(f.sandbox.history()[0]["status"], "refused");
}
