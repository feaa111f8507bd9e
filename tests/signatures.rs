//! Signed manifests through the real binary: every refusal leaves the venv uncreated and
//! the applied state unchanged, records a `refused` run, exits 1 with one reason and a hint.

#[path = "signatures/support.rs"]
mod support;

#[path = "signatures/commands.rs"]
mod commands;
#[path = "signatures/examples.rs"]
mod examples;

use std::path::PathBuf;
use std::process::Output;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};
use support::*;

/// A sandbox trusting the Ed25519 key `ops` for packages, with `repo/pkgm.yaml` signed by it.
struct Fixture {
    sandbox: Sandbox,
    ops: PathBuf,
    attacker: PathBuf,
}

fn fixture() -> Fixture {
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

fn edited(mut value: Value, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    edit(value.as_object_mut().unwrap());
    value
}

/// Applies and checks the refusal: exit 1, one `error:` line with `reason`, a hint, no venv,
/// nothing newly applied, and a `refused` run in the history.
fn assert_apply_refused(sandbox: &Sandbox, reason: &str) -> Output {
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

fn assert_refused(sandbox: &Sandbox, output: &Output, reason: &str) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
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

fn forge_ops(f: &Fixture, header: &Value, claims: &Value) {
    f.sandbox
        .write_signature(&forge(header, claims, Algorithm::EdDSA, &f.ops));
}

#[test]
fn a_signed_manifest_applies_and_the_history_says_who_signed() {
    let f = fixture();
    let output = f
        .sandbox
        .run(&["plan", f.sandbox.manifest_path().to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("Signature: valid, key `ops` (EdDSA)"));
    assert!(!f.sandbox.venv().exists(), "plan created the venv");
}

#[test]
fn refuses_a_manifest_without_signature() {
    let f = fixture();
    std::fs::remove_file(f.sandbox.signature_path()).unwrap();
    assert_apply_refused(&f.sandbox, "it has no signature");
    assert_eq!(f.sandbox.history()[0]["unsigned"], true);
}

#[test]
fn refuses_a_signature_for_other_bytes() {
    let f = fixture();
    let path = f.sandbox.manifest_path();
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() - 3; // inside the trailing comment: still a valid manifest
    bytes[at] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    assert_apply_refused(&f.sandbox, "the signature is for other bytes");
}

#[test]
fn refuses_an_unknown_kid() {
    let f = fixture();
    let claims = f.sandbox.claims(1);
    forge_ops(&f, &header("EdDSA", "someone"), &claims);
    assert_apply_refused(&f.sandbox, "which the trust file does not list");
}

#[test]
fn refuses_a_trusted_kid_signed_by_another_key() {
    let f = fixture();
    let claims = f.sandbox.claims(1);
    let token = forge(
        &header("EdDSA", "ops"),
        &claims,
        Algorithm::EdDSA,
        &f.attacker,
    );
    f.sandbox.write_signature(&token);
    assert_apply_refused(&f.sandbox, "does not verify with the trusted key `ops`");
}

#[test]
fn refuses_alg_none() {
    let f = fixture();
    let claims = URL_SAFE_NO_PAD.encode(f.sandbox.claims(1).to_string());
    let header = URL_SAFE_NO_PAD.encode(header("none", "ops").to_string());
    f.sandbox.write_signature(&format!("{header}.{claims}."));
    assert_apply_refused(&f.sandbox, "`alg: none`");
}

#[test]
fn refuses_an_empty_signature() {
    let f = fixture();
    let token = forge(
        &header("EdDSA", "ops"),
        &f.sandbox.claims(1),
        Algorithm::EdDSA,
        &f.ops,
    );
    let unsigned = format!("{}.", token.rsplit_once('.').unwrap().0);
    f.sandbox.write_signature(&unsigned);
    assert_apply_refused(&f.sandbox, "the signature part of the token is empty");
}

#[test]
fn refuses_hs256_keyed_with_the_public_key() {
    let f = fixture();
    let public = std::fs::read(public_key(&f.ops)).unwrap();
    let key = EncodingKey::from_secret(&public);
    let token = forge_with(
        &header("HS256", "ops"),
        &f.sandbox.claims(1),
        Algorithm::HS256,
        &key,
    );
    f.sandbox.write_signature(&token);
    assert_apply_refused(&f.sandbox, "pins key `ops` to `EdDSA`");
}

#[test]
fn refuses_an_algorithm_other_than_the_pinned_one() {
    let f = fixture();
    let p256 = f.sandbox.keygen("p256", "es256");
    let token = forge(
        &header("ES256", "ops"),
        &f.sandbox.claims(1),
        Algorithm::ES256,
        &p256,
    );
    f.sandbox.write_signature(&token);
    assert_apply_refused(&f.sandbox, "the signature uses `ES256`");
}

#[test]
fn refuses_any_crit_header() {
    let f = fixture();
    let header = edited(header("EdDSA", "ops"), |h| {
        h.insert("crit".into(), json!(["exp"]));
    });
    forge_ops(&f, &header, &f.sandbox.claims(1));
    assert_apply_refused(&f.sandbox, "critical header extensions");
}

#[test]
fn keys_offered_in_the_header_are_ignored() {
    let f = fixture();
    let pem = std::fs::read_to_string(public_key(&f.attacker)).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = STANDARD.decode(body).unwrap();
    let x = URL_SAFE_NO_PAD.encode(&der[der.len() - 32..]);
    let header = edited(header("EdDSA", "ops"), |h| {
        h.insert(
            "jwk".into(),
            json!({ "kty": "OKP", "crv": "Ed25519", "x": x }),
        );
        h.insert("jku".into(), json!("https://attacker.invalid/jwks.json"));
        h.insert("x5u".into(), json!("https://attacker.invalid/cert.pem"));
        h.insert("x5c".into(), json!([STANDARD.encode(&der)]));
    });
    let token = forge(&header, &f.sandbox.claims(1), Algorithm::EdDSA, &f.attacker);
    f.sandbox.write_signature(&token);
    assert_apply_refused(&f.sandbox, "does not verify with the trusted key `ops`");
}

#[test]
fn a_kid_that_looks_like_a_path_or_sql_is_only_a_map_key() {
    for kid in [
        "../keys/ops.pem",
        "/etc/passwd",
        "ops' OR '1'='1",
        "ops\"; DROP TABLE runs; --",
    ] {
        let f = fixture();
        forge_ops(&f, &header("EdDSA", kid), &f.sandbox.claims(1));
        assert_apply_refused(&f.sandbox, "which the trust file does not list");
    }
}

#[test]
fn refuses_a_session_token_presented_as_a_signature() {
    let f = fixture();
    let session_header = json!({ "alg": "EdDSA", "typ": "JWT", "kid": "ops" });
    let now = now();
    let session = json!({ "sub": "alice", "aud": "pkgm-session", "iat": now, "exp": now + 3600, "role": "admin" });
    forge_ops(&f, &session_header, &session);
    assert_apply_refused(&f.sandbox, "is not a manifest signature (`typ`");
    // With the manifest `typ` forged in, the audience still gives it away.
    let claims = edited(f.sandbox.claims(1), |c| {
        c.insert("aud".into(), json!("pkgm-session"));
    });
    forge_ops(&f, &header("EdDSA", "ops"), &claims);
    assert_apply_refused(&f.sandbox, "is not a manifest signature (`aud`");
}

#[test]
fn refuses_bad_times() {
    let now = now();
    type Edit = fn(&mut serde_json::Map<String, Value>, i64);
    let cases: [(&str, Edit); 4] = [
        ("the claim `exp` is missing", |c, _| {
            c.remove("exp");
        }),
        ("the signature expired at", |c, now| {
            c.insert("iat".into(), json!(now - 2 * DAY));
            c.insert("exp".into(), json!(now - DAY));
        }),
        ("is not valid before", |c, now| {
            c.insert("nbf".into(), json!(now + 600));
        }),
        ("is not valid before", |c, now| {
            c.insert("iat".into(), json!(now + 600));
        }),
    ];
    for (reason, edit) in cases {
        let f = fixture();
        let claims = edited(f.sandbox.claims(1), |c| edit(c, now));
        forge_ops(&f, &header("EdDSA", "ops"), &claims);
        assert_apply_refused(&f.sandbox, reason);
    }
}

#[test]
fn refuses_a_lifetime_above_the_trust_files_maximum() {
    let f = fixture();
    f.sandbox.sign(&f.ops, "ops", &["--expires", "91d"]);
    assert_apply_refused(&f.sandbox, "valid for 91d, longer than the 90d");
    // A trust file may lower the maximum.
    let g = fixture();
    g.sandbox.trust(
        &[("ops", "EdDSA", &g.ops, "\"packages\"")],
        "max_lifetime = \"7d\"\n",
    );
    assert_apply_refused(&g.sandbox, "longer than the 7d");
}

#[test]
fn refuses_claims_of_the_wrong_json_type_or_out_of_range() {
    type Edit = fn(&mut serde_json::Map<String, Value>);
    let cases: [(&str, Edit); 5] = [
        ("the claim `exp` must be", |c| {
            let exp = c["exp"].as_i64().unwrap().to_string();
            c.insert("exp".into(), json!(exp));
        }),
        ("the claim `exp` must be", |c| {
            let exp = c["exp"].as_i64().unwrap() as f64 + 0.5;
            c.insert("exp".into(), json!(exp));
        }),
        ("the claim `rev` must be", |c| {
            c.insert("rev".into(), json!("1"));
        }),
        ("the claim `rev` is out of range", |c| {
            c.insert("rev".into(), json!(1u64 << 60));
        }),
        ("the claim `exp` is out of range", |c| {
            c.insert("exp".into(), json!(u64::MAX));
        }),
    ];
    for (reason, edit) in cases {
        let f = fixture();
        let claims = edited(f.sandbox.claims(1), edit);
        forge_ops(&f, &header("EdDSA", "ops"), &claims);
        assert_apply_refused(&f.sandbox, reason);
    }
}

#[test]
fn refuses_a_signature_for_another_manifest_name() {
    let f = fixture();
    let claims = edited(f.sandbox.claims(1), |c| {
        c.insert("sub".into(), json!("billing"));
    });
    forge_ops(&f, &header("EdDSA", "ops"), &claims);
    assert_apply_refused(&f.sandbox, "is for manifest `billing`");
}

/// Applies a signed no-op manifest on the test's `python3` (no venv, no pip).
fn apply_signed_interpreter_manifest(f: &Fixture, revision: u64, extra: &str) {
    f.sandbox.interpreter_manifest(revision, extra);
    f.sandbox.sign(&f.ops, "ops", &[]);
    let output = f.sandbox.apply();
    assert!(output.status.success(), "apply: {}", text(&output.stderr));
}

#[test]
fn refuses_a_rollback() {
    let f = fixture();
    apply_signed_interpreter_manifest(&f, 2, "");
    f.sandbox.interpreter_manifest(1, "");
    f.sandbox.sign(&f.ops, "ops", &[]);
    assert_apply_refused(
        &f.sandbox,
        "older than revision 2, already applied (rollback)",
    );
    assert_eq!(f.sandbox.applied()[0]["revision"], 2);
}

#[test]
fn refuses_the_same_revision_with_other_bytes() {
    let f = fixture();
    apply_signed_interpreter_manifest(&f, 2, "");
    f.sandbox
        .interpreter_manifest(2, "# changed after review\n");
    f.sandbox.sign(&f.ops, "ops", &[]);
    assert_apply_refused(
        &f.sandbox,
        "already applied with other bytes (equivocation)",
    );
}

#[test]
fn the_same_revision_with_the_same_bytes_applies_again() {
    let f = fixture();
    apply_signed_interpreter_manifest(&f, 2, "");
    let again = f.sandbox.apply();
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(f.sandbox.history()[0]["status"], "succeeded");
}

#[test]
fn an_unsigned_experiment_does_not_move_the_rollback_mark() {
    let f = fixture();
    apply_signed_interpreter_manifest(&f, 2, "");
    f.sandbox.interpreter_manifest(99, "");
    std::fs::remove_file(f.sandbox.signature_path()).unwrap();
    let manifest = f.sandbox.manifest_path();
    let unsigned = f.sandbox.run(&[
        "apply",
        "--yes",
        "--allow-unsigned",
        manifest.to_str().unwrap(),
    ]);
    assert!(unsigned.status.success(), "{}", text(&unsigned.stderr));
    assert!(
        text(&unsigned.stderr).contains("warning: using"),
        "{}",
        text(&unsigned.stderr)
    );
    assert_eq!(f.sandbox.history()[0]["unsigned"], true);
    // The next signed revision is judged against revision 2, the last signed one.
    apply_signed_interpreter_manifest(&f, 3, "");
}

const USERS: &str = "users:\n  alice: { email: alice@example.com, role: admin, password_hash: \"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA\" }\n";

#[test]
fn refuses_a_users_change_signed_without_the_users_scope() {
    let f = fixture();
    f.sandbox.manifest(1, USERS);
    // `ops` may not sign users: claiming the scope is refused...
    f.sandbox.sign(&f.ops, "ops", &[]);
    assert_apply_refused(&f.sandbox, "does not grant to `ops`");
    // ...and not claiming it is refused too, since the manifest changes users.
    f.sandbox.sign(&f.ops, "ops", &["--scope", "packages"]);
    assert_apply_refused(&f.sandbox, "the manifest changes users");
}

#[test]
fn refuses_oversized_files_before_parsing() {
    let f = fixture();
    let huge = format!("# {}\n", "x".repeat(1024 * 1024));
    f.sandbox.manifest(1, &huge);
    assert_apply_refused(&f.sandbox, "larger than its limit of 1048576 bytes");
    let g = fixture();
    g.sandbox.write_signature(&"A".repeat(64 * 1024));
    assert_apply_refused(&g.sandbox, "larger than its limit of 16384 bytes");
}

#[test]
fn verification_comes_before_the_environment_is_read() {
    let f = fixture();
    let text_ = "apiVersion: pkgm/v1\nkind: Manifest\nmetadata:\n  name: demo\n  revision: 1\n\
                 environment:\n  python: /nonexistent/bin/python3\npackages: {}\n";
    std::fs::write(f.sandbox.manifest_path(), text_).unwrap();
    let output = assert_apply_refused(&f.sandbox, "the signature is for other bytes");
    assert!(!text(&output.stderr).contains("nonexistent"));
}

#[test]
fn the_trust_file_is_never_taken_from_the_manifests_folder() {
    let f = fixture();
    let trust = std::fs::read_to_string(f.sandbox.trust_path()).unwrap();
    std::fs::write(f.sandbox.path("repo/trust.toml"), trust).unwrap();
    std::fs::remove_file(f.sandbox.trust_path()).unwrap();
    assert_apply_refused(&f.sandbox, "no trust file lists the keys");
}

#[test]
fn unusable_trust_files_are_refused_at_load() {
    let short = STANDARD.encode([1u8; 16]);
    let cases = [
        format!("[[key]]\nkid = \"ops\"\nalgorithm = \"HS256\"\nsecret = \"{short}\"\nscopes = [\"packages\"]\n"),
        "[[key]]\nkid = \"ops\"\nalgorithm = \"EdDSA\"\npublic_key = '{\"kty\":\"oct\",\"k\":\"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI\"}'\nscopes = [\"packages\"]\n".to_string(),
        "[[key]]\nkid = \"ops\"\nalgorithm = [\"EdDSA\", \"HS256\"]\npublic_key = \"x.pub\"\nscopes = [\"packages\"]\n".to_string(),
    ];
    for trust in cases {
        let f = fixture();
        let ops_entry = std::fs::read_to_string(f.sandbox.trust_path()).unwrap();
        std::fs::write(f.sandbox.trust_path(), format!("{ops_entry}\n{trust}")).unwrap();
        assert_apply_refused(&f.sandbox, "cannot use the trust file");
    }
}

#[test]
fn a_failed_apply_can_be_retried_with_the_same_signed_manifest() {
    let f = fixture();
    let missing = "packages:\n  pkgm-test-missing-dist: \"==1.0\"\n";
    let text_ = format!(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata:\n  name: demo\n  revision: 5\n\
         environment:\n  venv: .venv\n  no_index: true\n{missing}"
    );
    std::fs::write(f.sandbox.manifest_path(), text_).unwrap();
    f.sandbox.sign(&f.ops, "ops", &[]);
    for _ in 0..2 {
        let output = f.sandbox.apply();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1));
        assert!(stderr.contains("failed during"), "{stderr}");
        assert!(
            !stderr.contains("refusing"),
            "the retry was refused: {stderr}"
        );
        assert_eq!(f.sandbox.history()[0]["status"], "failed");
    }
}
