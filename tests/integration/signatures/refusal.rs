//! The refusal fixture and checks: a trusted key `ops`, a signed manifest, and what every
//! refusal must leave behind (nothing).

use std::path::PathBuf;

use jsonwebtoken::Algorithm;
use serde_json::Value;

use super::signed_sandbox::*;
use crate::support::pkgm::Run;

/// A sandbox trusting the Ed25519 key `ops` for packages, with `manifest.yaml` signed by it.
pub struct Fixture {
    pub sandbox: Sandbox,
    pub ops: PathBuf,
    pub attacker: PathBuf,
}

pub fn fixture() -> Fixture {
    let sandbox = Sandbox::new();
    let ops = sandbox.keygen("ops", "ed25519");
    let attacker = sandbox.keygen("attacker", "ed25519");
    sandbox.trust(&[("ops", "EdDSA", &ops, "\"packages\"")], "");
    sandbox.manifest(1, "# reviewed\n");
    sandbox.sign(&ops, "ops", &[]);
    Fixture {
        sandbox,
        ops,
        attacker,
    }
}

pub fn edited(mut value: Value, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    edit(value.as_object_mut().unwrap());
    value
}

/// Applies and checks the refusal: exit 1, one `error:` line with `reason`, a hint, no venv,
/// nothing newly applied, and a `refused` run in the history.
pub fn assert_apply_refused(sandbox: &Sandbox, reason: &str) -> Run {
    let applied_before = sandbox.applied();
    let output = sandbox.apply();
    assert_refused(sandbox, &output, reason);
    assert_eq!(
        sandbox.applied(),
        applied_before,
        "the applied state changed"
    );
    let last = &sandbox.history()[0];
    assert_eq!(last["command"], "apply");
    assert_eq!(last["status"], "refused", "{last}");
    assert!(last["error"].as_str().unwrap().contains(reason), "{last}");
    output
}

pub fn assert_refused(sandbox: &Sandbox, output: &Run, reason: &str) {
    let stderr = output.stderr();
    assert_eq!(Some(output.code()), Some(1), "stderr: {stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains(reason),
        "expected `{reason}` in: {stderr}"
    );
    assert!(
        stderr.lines().any(|l| l.starts_with("hint: ")),
        "no hint: {stderr}"
    );
    assert!(!sandbox.venv().exists(), "the venv was created");
}

pub fn forge_ops(f: &Fixture, header: &Value, claims: &Value) {
    f.sandbox
        .write_signature(&forge(header, claims, Algorithm::EdDSA, &f.ops));
}

/// Applies a signed no-op manifest on the test's `python3` (no venv, no pip).
pub fn apply_signed_interpreter_manifest(f: &Fixture, revision: u64, extra: &str) {
    f.sandbox.interpreter_manifest(revision, extra);
    f.sandbox.sign(&f.ops, "ops", &[]);
    let output = f.sandbox.apply();
    assert!((output.code() == 0), "apply: {}", output.stderr());
}
